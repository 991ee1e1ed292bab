//! The files of `out/` that are not the site, and how any file is written.
//!
//! Owns: the manifest (`out/.mdfeed-manifest`, every file a build made), the state a
//! finished build leaves for the next (`read_state`, `write_state`), the marker of a
//! build in progress, removing what a killed build left, and atomic writes
//! (temporary sibling + rename) that skip a file already holding the bytes.

use std::collections::BTreeSet;
use std::fs;
use std::io::{Read, Write};
use std::path::{Component, Path, PathBuf};

use rayon::prelude::*;

use super::{CACHE_DIR, MANIFEST, TEMP_PREFIX, spool};
use crate::error::{Error, Result};

/// Marks `out/` as being written: while it exists, `out/` may be half old, half new,
/// so no later build may trust the state file.
pub const BUILDING: &str = ".mdfeed-building";

/// Returns what `take` makes of the state a finished build left (see `cache`), if
/// `out/` is intact: no build was stopped half-way and every file the manifest lists
/// is still there. `take` runs first, so a state it refuses (the inputs changed) costs
/// no look at every file.
pub fn read_state<T>(
    out_dir: &Path,
    name: &str,
    take: impl FnOnce(&[u8]) -> Option<T>,
) -> Option<T> {
    if out_dir.join(BUILDING).exists()
        || !out_dir.join(MANIFEST).is_file()
        || spool::left_behind(out_dir)
    {
        return None;
    }
    let state = take(&fs::read(out_dir.join(name)).ok()?)?;
    // Ten thousand lookups for a large site: side by side.
    read_manifest(out_dir)
        .par_iter()
        .all(|rel| out_dir.join(rel).is_file())
        .then_some(state)
}

/// Returns a cache an earlier build left (see `cache::bodies`, `cache::parts`). Unlike
/// the state file it needs no intact `out/`: each thing in it is checked on its own
/// (by the key of its sources, or the stamp of its file), so reading it is one read,
/// not a look at every file of the manifest.
pub fn read_cache(out_dir: &Path, name: &str) -> Option<Vec<u8>> {
    fs::read(out_dir.join(name)).ok()
}

/// Returns a cache file that starts with the length of its head (8 bytes, little
/// endian) as its head and the rest, read apart so that the head can be freed as soon
/// as it is decoded (`cache::bodies`). A file too short for its head gives no head.
pub fn read_cache_split(out_dir: &Path, name: &str) -> Option<(Vec<u8>, Vec<u8>)> {
    let mut file = fs::File::open(out_dir.join(name)).ok()?;
    let len = file.metadata().ok()?.len();
    let mut head_len = [0; 8];
    let head_len = match file.read_exact(&mut head_len) {
        Ok(()) => u64::from_le_bytes(head_len),
        Err(_) => u64::MAX,
    };
    if head_len > len.saturating_sub(8) {
        return Some((Vec::new(), Vec::new()));
    }
    // Both sized up front: grown by doubling, they were copied over fresh pages.
    let mut head = Vec::with_capacity(usize::try_from(head_len).ok()?);
    (&mut file).take(head_len).read_to_end(&mut head).ok()?;
    let mut rest = Vec::with_capacity(usize::try_from(len - 8 - head_len).ok()?);
    file.read_to_end(&mut rest).ok()?;
    Some((head, rest))
}

/// Writes the state file of a finished build (atomically, unless unchanged).
pub fn write_state(out_dir: &Path, name: &str, bytes: &[u8]) -> Result<()> {
    let path = out_dir.join(name);
    if unchanged(&path, bytes) {
        return Ok(());
    }
    write_atomic(&path, bytes)
}

/// Writes the manifest (one path per line, sorted) unless it already says the same.
pub(super) fn write_manifest<'a>(
    out_dir: &Path,
    files: impl IntoIterator<Item = &'a PathBuf>,
) -> Result<()> {
    let text: String = files
        .into_iter()
        .filter_map(|p| p.to_str())
        .map(|p| format!("{p}\n"))
        .collect();
    let path = out_dir.join(MANIFEST);
    if unchanged(&path, text.as_bytes()) {
        return Ok(());
    }
    write_atomic(&path, text.as_bytes())
}

/// Removes `.mdfeed-tmp-*` files that a killed build left in `out_dir` or in the folder
/// of any file mdfeed made or will make (the only places it ever writes one).
pub(super) fn remove_leftovers<'a>(
    out_dir: &Path,
    files: impl Iterator<Item = &'a PathBuf>,
) -> Result<()> {
    let mut dirs: BTreeSet<PathBuf> = files
        .filter_map(|f| f.parent().map(|p| out_dir.join(p)))
        .collect();
    dirs.insert(out_dir.to_owned());
    // The cache's folder and its own folders (written after the build, so always looked
    // at: a build killed while writing them leaves no marker).
    let cache = out_dir.join(CACHE_DIR);
    if let Ok(entries) = fs::read_dir(&cache) {
        let sub = entries
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()));
        dirs.extend(sub.map(|e| e.path()));
    }
    dirs.insert(cache);
    for dir in dirs {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let is_temp = entry
                .file_name()
                .to_str()
                .is_some_and(|n| n.starts_with(TEMP_PREFIX));
            if is_temp && entry.file_type().is_ok_and(|t| t.is_file()) {
                let path = entry.path();
                fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
            }
        }
    }
    Ok(())
}

/// Writes a file beside the content, outside `out/`: the one exception to "nothing is
/// written outside out/". Only `mdfeed.lock` is written this way, atomically, after
/// `out/` was committed, and only when new articles were pinned (or by `mdfeed ids mv`).
pub fn write_beside_content(path: &Path, bytes: &[u8]) -> Result<()> {
    if unchanged(path, bytes) {
        return Ok(());
    }
    write_atomic(path, bytes)
}

pub(super) fn unchanged(dest: &Path, bytes: &[u8]) -> bool {
    fs::metadata(dest).is_ok_and(|m| m.is_file() && m.len() == bytes.len() as u64)
        && fs::read(dest).is_ok_and(|old| old == bytes)
}

/// Writes to a temporary file in the same folder, then renames it over `dest`, so a
/// reader (or a build killed half-way) sees the old file or the new one, never a mix.
pub(super) fn write_atomic(dest: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic_with(dest, &mut |w| w.write_all(bytes))
}

/// Writes a state file of a finished build as `fill` makes it (atomically, and
/// without holding it in memory: the cache of rendered bodies is as large as the site).
pub fn write_state_with(
    out_dir: &Path,
    name: &str,
    fill: &mut dyn FnMut(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    let path = out_dir.join(name);
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    write_atomic_with(&path, fill)
}

/// `write_atomic`, with the bytes written by `fill`.
fn write_atomic_with(
    dest: &Path,
    fill: &mut dyn FnMut(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    let io = |e| Error::io(dest, e);
    let dir = dest
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut builder = tempfile::Builder::new();
    builder.prefix(TEMP_PREFIX);
    // Temporary files are private (0600) by default; published files must be readable
    // by the web server, so create them as any file is created (0666 less the umask).
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let mut tmp = builder.tempfile_in(dir).map_err(io)?;
    fill(&mut tmp).map_err(io)?;
    tmp.persist(dest).map_err(|e| io(e.error))?;
    Ok(())
}

/// Reads the previous build's manifest; paths that could leave `out/` are ignored.
pub(super) fn read_manifest(out_dir: &Path) -> BTreeSet<PathBuf> {
    let text = fs::read_to_string(out_dir.join(MANIFEST)).unwrap_or_default();
    text.lines()
        .map(PathBuf::from)
        .filter(|p| {
            !p.as_os_str().is_empty() && p.components().all(|c| matches!(c, Component::Normal(_)))
        })
        .collect()
}

pub(super) fn remove_empty_parents(out_dir: &Path, file: &Path) {
    let mut dir = file.parent();
    while let Some(d) = dir {
        if d == out_dir || !d.starts_with(out_dir) || fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
}
