//! Everything the build writes, and the one place that writes it.
//!
//! Owns: the in-memory output tree, output-path collisions, and the commit: skipping
//! unchanged files and pruning files an earlier build made (listed in
//! `out/.mdfeed-manifest`) that are no longer made. `disk` writes each file atomically
//! and keeps the manifest and the state; `spool` holds rendered files until the commit.
//! Does not: render anything. This is the only module that writes to disk; the one
//! file it writes outside `out/` is `mdfeed.lock` (`write_beside_content`).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::error::{Error, Location, Result};

mod disk;
mod spool;
pub use disk::{
    BUILDING, read_cache, read_cache_split, read_state, write_beside_content, write_state,
    write_state_with,
};
use disk::{
    read_manifest, remove_empty_parents, remove_leftovers, unchanged, write_atomic, write_manifest,
};
pub use spool::{Spool, SpoolFile, Spooled};

/// The manifest of files mdfeed made, so a later build removes only those.
pub const MANIFEST: &str = ".mdfeed-manifest";

/// The folder of `out/` where a build leaves what makes the next one faster (see
/// `cache`); written only after the build, never listed in the manifest.
pub const CACHE_DIR: &str = ".mdfeed-cache";

/// The name prefix of temporary files, so a later build can tell and remove them.
pub const TEMP_PREFIX: &str = ".mdfeed-tmp-";

/// What a file will contain.
#[derive(Debug)]
pub enum Body {
    /// Rendered bytes, shared with the build's memo and the dev server (never copied
    /// per build).
    Bytes(Arc<Vec<u8>>),
    /// A copy of a source file (an asset).
    Copy(PathBuf),
    /// Rendered bytes already written to the build's spool (see `Spool`).
    Spooled(Spooled),
}

#[derive(Debug)]
struct Planned {
    rel: PathBuf,
    body: Body,
    origin: PathBuf,
}

/// A path under `out/` as bytes that sort as the path's components do: each
/// component followed by a 0 byte (which no file name holds), so `a` < `a/b` < `a-b`.
/// Comparing these is a `memcmp`; comparing `Path`s splits both into components
/// every time, and a large site plans tens of thousands of files.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Sorted(Box<[u8]>);

impl Sorted {
    fn of(rel: &Path) -> Sorted {
        let mut bytes = Vec::with_capacity(rel.as_os_str().len() + 8);
        for c in rel.components() {
            bytes.extend_from_slice(c.as_os_str().as_encoded_bytes());
            bytes.push(0);
        }
        Sorted(bytes.into())
    }
}

/// Every file of the site, by path relative to `out/`.
#[derive(Debug, Default)]
pub struct Outputs {
    files: BTreeMap<Sorted, Planned>,
    /// Where `Body::Spooled` files wait; dropped (and removed) with the plan.
    spool: Option<Spool>,
}

/// What a commit did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct WriteReport {
    /// Files created or replaced.
    pub written: usize,
    /// Files whose bytes were already right (left untouched, mtime kept).
    pub unchanged: usize,
    /// Files of an earlier build that are no longer made.
    pub removed: usize,
}

impl Outputs {
    /// Plans a file; `origin` names what makes it (for collision messages).
    pub fn add(&mut self, rel: PathBuf, body: Body, origin: &Path) -> Result<()> {
        if !rel.components().all(|c| matches!(c, Component::Normal(_)))
            || rel.as_os_str().is_empty()
        {
            return Err(Error::at(
                Location::file(origin),
                format!("output path `{}` would leave out/", rel.display()),
            ));
        }
        let key = Sorted::of(&rel);
        if let Some(other) = self.files.get(&key) {
            // Name the two sources in path order, so the message does not depend on
            // the order pages happen to be planned in.
            let (first, second) = if other.origin.as_path() <= origin {
                (other.origin.as_path(), origin)
            } else {
                (origin, other.origin.as_path())
            };
            return Err(Error::at(
                Location::file(second),
                format!(
                    "out/{} would be made by both {} and {}",
                    rel.display(),
                    first.display(),
                    second.display()
                ),
            ));
        }
        self.files.insert(
            key,
            Planned {
                rel,
                body,
                origin: origin.to_owned(),
            },
        );
        Ok(())
    }

    /// Keeps `spool` as long as the plan: its files are this plan's spooled bodies.
    pub fn keep_spool(&mut self, spool: Spool) {
        self.spool = Some(spool);
    }

    /// Returns the number of planned files.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Returns true when nothing is planned.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Returns what the file at `rel` (relative to `out/`) will contain.
    pub fn get(&self, rel: &Path) -> Option<&Body> {
        self.files.get(&Sorted::of(rel)).map(|p| &p.body)
    }

    /// Returns every planned path, in order.
    fn paths(&self) -> impl Iterator<Item = &PathBuf> {
        self.files.values().map(|p| &p.rel)
    }

    /// Returns every planned file, in path order, with what it will contain.
    pub fn files(&self) -> impl Iterator<Item = (&Path, &Body)> {
        self.files.values().map(|p| (p.rel.as_path(), &p.body))
    }

    /// Returns the planned bytes of a rendered file (for tests and `check`).
    pub fn bytes(&self, rel: &Path) -> Option<&[u8]> {
        match &self.files.get(&Sorted::of(rel))?.body {
            Body::Bytes(b) => Some(b),
            Body::Copy(_) | Body::Spooled(_) => None,
        }
    }

    /// Reports a file that is also a folder of another file (`a` and `a/b`).
    pub fn check_tree(&self) -> Result<()> {
        let mut errors = Vec::new();
        let mut files = self.files.iter();
        while let Some((dir, file)) = files.next() {
            // Paths sort by component, so every file below `dir` follows it at once.
            let below = files
                .clone()
                .take_while(|(rel, _)| rel.0.starts_with(&dir.0));
            for (_, planned) in below {
                errors.push(Error::at(
                    Location::file(&planned.origin),
                    format!(
                        "out/{} is a file (from {}) but is also needed as a folder",
                        file.rel.display(),
                        file.origin.display()
                    ),
                ));
            }
        }
        Error::gather(errors).map_or(Ok(()), Err)
    }

    /// Writes every file into `out_dir` (atomically, skipping unchanged ones), then
    /// removes files of the previous build that are no longer made.
    ///
    /// Safe to kill at any moment: each file is replaced by a rename, and the manifest
    /// lists every file an earlier build made *before* anything is written, so the next
    /// build still knows which files are its own. Temporary files a killed build left
    /// behind are removed first.
    pub fn commit(&self, out_dir: &Path) -> Result<WriteReport> {
        self.commit_counting(out_dir, &|| {})
    }

    /// Commits like `commit`, calling `done` as each file is handled (a progress bar).
    pub fn commit_counting(&self, out_dir: &Path, done: &(dyn Fn() + Sync)) -> Result<WriteReport> {
        self.check_tree()?;
        fs::create_dir_all(out_dir).map_err(|e| Error::io(out_dir, e))?;
        let old = read_manifest(out_dir);
        // A file's temporary sibling is made only while the marker is there: without it
        // the last build finished, and only the folders of the files written after its
        // marker was gone (the state and the records) can hold one.
        let killed = out_dir.join(BUILDING).exists();
        let files = old.iter().chain(self.paths()).filter(|_| killed);
        remove_leftovers(out_dir, files)?;
        spool::sweep(out_dir, self.spool.as_ref())?;
        let marker = out_dir.join(BUILDING);
        fs::write(&marker, b"").map_err(|e| Error::io(&marker, e))?;
        let union: BTreeSet<&PathBuf> = old.iter().chain(self.paths()).collect();
        write_manifest(out_dir, union)?;
        let mut report = self.write_files(out_dir, done)?;
        for rel in old
            .iter()
            .filter(|r| !self.files.contains_key(&Sorted::of(r)))
        {
            let path = out_dir.join(rel);
            if path.is_file() {
                fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
                report.removed += 1;
                remove_empty_parents(out_dir, &path);
            }
        }
        write_manifest(out_dir, self.paths())?;
        fs::remove_file(&marker).map_err(|e| Error::io(&marker, e))?;
        Ok(report)
    }

    /// Writes the files in parallel (on this machine's disk most of a build's time is
    /// spent in system calls, which overlap well); folders are made first, once each.
    fn write_files(&self, out_dir: &Path, done: &(dyn Fn() + Sync)) -> Result<WriteReport> {
        // A file known to be in place already has its folder.
        let dirs: BTreeSet<&Path> = self
            .files
            .values()
            .filter(|p| !matches!(&p.body, Body::Spooled(s) if s.dest == spool::Dest::Holds))
            .filter_map(|p| p.rel.parent())
            .filter(|p| !p.as_os_str().is_empty())
            .collect();
        // Side by side: a full build makes a folder per page, 10,000 `mkdir`s that
        // one after the other kept a core idle for 50 ms. Two threads that make the
        // same parent at once are fine: `create_dir_all` takes a folder that exists.
        dirs.par_iter().try_for_each(|dir| {
            let path = out_dir.join(dir);
            fs::create_dir_all(&path).map_err(|e| Error::io(&path, e))
        })?;
        let results: Vec<Result<bool>> = self
            .files
            .par_iter()
            .map(|(_, planned)| {
                let written = write_one(&out_dir.join(&planned.rel), &planned.body);
                done();
                written
            })
            .collect();
        let mut report = WriteReport::default();
        let mut errors = Vec::new();
        for result in results {
            match result {
                Ok(true) => report.written += 1,
                Ok(false) => report.unchanged += 1,
                Err(e) => errors.push(e),
            }
        }
        Error::gather(errors).map_or(Ok(report), Err)
    }
}

/// Writes one file unless its bytes are already there; returns whether it wrote.
fn write_one(dest: &Path, body: &Body) -> Result<bool> {
    let bytes = match body {
        Body::Bytes(b) => std::borrow::Cow::Borrowed(b.as_slice()),
        Body::Copy(src) => std::borrow::Cow::Owned(fs::read(src).map_err(|e| Error::io(src, e))?),
        Body::Spooled(s) if s.same_as(dest) => return Ok(false),
        // A rename within out/: readers see the old file or the new one, as ever.
        Body::Spooled(s) => {
            fs::rename(&s.path, dest).map_err(|e| Error::io(dest, e))?;
            return Ok(true);
        }
    };
    if unchanged(dest, &bytes) {
        return Ok(false);
    }
    write_atomic(dest, &bytes)?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collisions_and_escapes_are_errors() {
        let mut o = Outputs::default();
        o.add(
            "a/index.html".into(),
            Body::Bytes(vec![].into()),
            Path::new("x.md"),
        )
        .unwrap();
        let e = o
            .add(
                "a/index.html".into(),
                Body::Bytes(vec![].into()),
                Path::new("y.md"),
            )
            .unwrap_err();
        assert!(e.to_string().contains("both x.md and y.md"), "{e}");
        assert!(
            o.add(
                "../evil".into(),
                Body::Bytes(vec![].into()),
                Path::new("z.md")
            )
            .is_err()
        );
        assert!(
            o.add("/abs".into(), Body::Bytes(vec![].into()), Path::new("z.md"))
                .is_err()
        );
        o.add("a".into(), Body::Bytes(vec![].into()), Path::new("a"))
            .unwrap();
        assert!(o.check_tree().is_err());
    }

    #[cfg(unix)]
    #[test]
    fn written_files_get_the_usual_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let mut o = Outputs::default();
        o.add(
            "a.html".into(),
            Body::Bytes(b"A".to_vec().into()),
            Path::new("a"),
        )
        .unwrap();
        o.commit(dir.path()).unwrap();
        fs::write(dir.path().join("plain"), "x").unwrap();
        let mode = |p: &str| {
            fs::metadata(dir.path().join(p))
                .unwrap()
                .permissions()
                .mode()
                & 0o777
        };
        assert_eq!(mode("a.html"), mode("plain"));
    }

    #[test]
    fn commit_skips_unchanged_and_prunes_only_its_own_files() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        let mut o = Outputs::default();
        o.add(
            "a/index.html".into(),
            Body::Bytes(b"A".to_vec().into()),
            Path::new("a"),
        )
        .unwrap();
        o.add(
            "b.txt".into(),
            Body::Bytes(b"B".to_vec().into()),
            Path::new("b"),
        )
        .unwrap();
        assert_eq!(o.commit(out).unwrap().written, 2);
        fs::write(out.join("mine.txt"), "kept").unwrap();
        let mut o2 = Outputs::default();
        o2.add(
            "b.txt".into(),
            Body::Bytes(b"B".to_vec().into()),
            Path::new("b"),
        )
        .unwrap();
        let r = o2.commit(out).unwrap();
        assert_eq!((r.written, r.unchanged, r.removed), (0, 1, 1));
        assert!(!out.join("a").exists());
        assert!(out.join("mine.txt").exists());
    }

    fn plan(files: &[(&str, &str)]) -> Outputs {
        let mut o = Outputs::default();
        for (rel, text) in files {
            let body = Body::Bytes(text.as_bytes().to_vec().into());
            o.add(rel.into(), body, Path::new("src")).unwrap();
        }
        o
    }

    #[test]
    fn a_build_stopped_half_way_leaves_its_files_listed() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        plan(&[("a.html", "A")]).commit(out).unwrap();
        // A second build stops after writing some files, before pruning and before the
        // final manifest (as a kill would): its last file's source vanished.
        let mut second = plan(&[("a.html", "A"), ("b/index.html", "B")]);
        let gone = Body::Copy(out.join("no-such-source"));
        second.add("z.png".into(), gone, Path::new("z")).unwrap();
        assert!(second.commit(out).is_err());
        assert!(out.join("b/index.html").exists());
        // The next build makes neither file: both are mdfeed's, so both go.
        let r = plan(&[("c.html", "C")]).commit(out).unwrap();
        assert_eq!(r.removed, 2);
        assert!(!out.join("b").exists(), "b/index.html was forgotten");
        assert_eq!(fs::read_to_string(out.join(MANIFEST)).unwrap(), "c.html\n");
    }

    #[test]
    fn temporary_files_of_a_killed_build_are_removed_and_never_listed() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        plan(&[("x/a.html", "A")]).commit(out).unwrap();
        // Killed while writing: its marker is still there.
        fs::write(out.join(BUILDING), "").unwrap();
        let leftover = out.join("x").join(format!("{TEMP_PREFIX}abc123"));
        fs::write(&leftover, "half a fi").unwrap();
        fs::write(out.join(format!("{TEMP_PREFIX}top")), "").unwrap();
        fs::create_dir(out.join("mine")).unwrap();
        fs::write(
            out.join("mine/.mdfeed-tmp-but-a-folder-mdfeed-never-wrote"),
            "",
        )
        .unwrap();
        let r = plan(&[("x/a.html", "A")]).commit(out).unwrap();
        assert_eq!((r.written, r.unchanged, r.removed), (0, 1, 0));
        assert!(!leftover.exists());
        assert!(!out.join(format!("{TEMP_PREFIX}top")).exists());
        assert!(
            out.join("mine/.mdfeed-tmp-but-a-folder-mdfeed-never-wrote")
                .exists()
        );
        assert_eq!(
            fs::read_to_string(out.join(MANIFEST)).unwrap(),
            "x/a.html\n"
        );
    }

    /// After a build that finished, only the folders written after its marker was
    /// removed (`out/` and the cache's) are looked at for temporary files.
    #[test]
    fn a_finished_build_leaves_no_temporary_files_to_look_for() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        plan(&[("x/a.html", "A")]).commit(out).unwrap();
        let unlooked = out.join("x").join(format!("{TEMP_PREFIX}not-ours"));
        fs::write(&unlooked, "").unwrap();
        fs::create_dir_all(out.join(CACHE_DIR)).unwrap();
        let state = out.join(CACHE_DIR).join(format!("{TEMP_PREFIX}pages"));
        fs::write(&state, "").unwrap();
        fs::create_dir_all(out.join(CACHE_DIR).join("bodies")).unwrap();
        let shard = out
            .join(CACHE_DIR)
            .join("bodies")
            .join(format!("{TEMP_PREFIX}3"));
        fs::write(&shard, "").unwrap();
        plan(&[("x/a.html", "A")]).commit(out).unwrap();
        assert!(unlooked.exists() && !state.exists() && !shard.exists());
    }
}
