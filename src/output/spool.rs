//! Rendered files waiting in `out/` for the build to succeed.
//!
//! Owns: one hidden folder in `out/` where a writing build puts each rendered file as
//! soon as it is made, so the build does not hold the whole site in memory (at
//! 10,000 articles, ~340 MB of pages and feeds); the commit later renames each into
//! place. The folder goes when the spool is dropped: after a commit, or after a
//! failed build, which so leaves `out/` as it was. A killed build's folder is
//! removed by the next one (`sweep`).

use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::error::{Error, Result};

use super::TEMP_PREFIX;

/// The spool folder of one build.
#[derive(Debug)]
pub struct Spool {
    dir: PathBuf,
    out_dir: PathBuf,
    /// `out/` did not exist before: a failed build removes it again.
    made_out: Option<PathBuf>,
    next: AtomicUsize,
}

/// A rendered file in the spool.
#[derive(Debug)]
pub struct Spooled {
    pub(super) path: PathBuf,
    pub(super) len: u64,
    pub(super) dest: Dest,
}

/// What a build knew, when it made a file, of the file in `out/` it is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Dest {
    /// It held these bytes already: nothing was spooled, and the commit leaves it as it is.
    Holds,
    /// It was missing or held other bytes: the commit puts the new file in place without
    /// looking again (a full build stat-ed each of its 10,000 pages twice).
    Differs,
    /// Not looked at: the commit compares.
    Unknown,
}

impl Spool {
    /// Makes the spool folder in `out_dir` (and `out_dir` itself, if needed).
    pub fn new(out_dir: &Path) -> Result<Spool> {
        let made_out = (!out_dir.exists()).then(|| out_dir.to_owned());
        fs::create_dir_all(out_dir).map_err(|e| Error::io(out_dir, e))?;
        let dir = out_dir.join(format!("{TEMP_PREFIX}spool-{}", std::process::id()));
        // A folder of this name is a leftover of a killed build with the same process ID.
        if dir.exists() {
            fs::remove_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        }
        fs::create_dir(&dir).map_err(|e| Error::io(&dir, e))?;
        Ok(Spool {
            dir,
            out_dir: out_dir.to_owned(),
            made_out,
            next: AtomicUsize::new(0),
        })
    }

    /// Writes `bytes` to a new file in the spool; safe to call from many threads.
    pub fn keep(&self, bytes: &[u8]) -> Result<Spooled> {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let path = self.dir.join(n.to_string());
        // Created as any file is (0666 less the umask): it is renamed into place as is.
        let mut f = fs::File::create_new(&path).map_err(|e| Error::io(&path, e))?;
        f.write_all(bytes).map_err(|e| Error::io(&path, e))?;
        Ok(Spooled {
            path,
            len: bytes.len() as u64,
            dest: Dest::Unknown,
        })
    }

    /// Spools `bytes` for `rel` (a path under `out/`), unless the file there already
    /// holds them: a rebuild then reads each unchanged page once, while its bytes are
    /// in memory, instead of writing it to the spool and reading both copies back at
    /// the commit.
    pub fn keep_for(&self, rel: &Path, bytes: &[u8]) -> Result<Spooled> {
        let dest = self.out_dir.join(rel);
        // An `out/` this build made holds nothing yet (a clean clone in CI).
        let differs = |s: Spooled| Spooled {
            dest: Dest::Differs,
            ..s
        };
        if self.made_out.is_some() {
            return self.keep(bytes).map(differs);
        }
        match super::unchanged(&dest, bytes) {
            true => Ok(Spooled {
                path: dest,
                len: bytes.len() as u64,
                dest: Dest::Holds,
            }),
            false => self.keep(bytes).map(differs),
        }
    }
}

impl Spool {
    /// Says that `rel` (a path under `out/`, `len` bytes long) already holds its page,
    /// known without reading it (see `cache::pages`).
    pub fn in_place(&self, rel: &Path, len: u64) -> Spooled {
        Spooled {
            path: self.out_dir.join(rel),
            len,
            dest: Dest::Holds,
        }
    }

    /// Starts a new file in the spool, to be written piece by piece (`SpoolFile::put`).
    pub fn open(&self) -> Result<SpoolFile> {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let path = self.dir.join(n.to_string());
        let file = fs::File::create_new(&path).map_err(|e| Error::io(&path, e))?;
        Ok(SpoolFile { file, path, len: 0 })
    }
}

/// A file of the spool being written (a feed document, made in parts).
#[derive(Debug)]
pub struct SpoolFile {
    file: fs::File,
    path: PathBuf,
    len: u64,
}

impl SpoolFile {
    /// Appends `bytes`.
    pub fn put(&mut self, bytes: &[u8]) -> Result<()> {
        self.file
            .write_all(bytes)
            .map_err(|e| Error::io(&self.path, e))?;
        self.len += bytes.len() as u64;
        Ok(())
    }

    /// Appends at most the next `len` bytes of `from`, copied by the kernel
    /// (`std::io::copy` uses `copy_file_range` between files) without passing through
    /// this process's memory; returns how many there were.
    pub fn put_file(&mut self, from: &mut fs::File, len: u64) -> Result<u64> {
        let copied = std::io::copy(&mut from.take(len), &mut self.file)
            .map_err(|e| Error::io(&self.path, e))?;
        self.len += copied;
        Ok(copied)
    }

    /// Closes the file; it waits in the spool like any other.
    pub fn done(self) -> Spooled {
        Spooled {
            path: self.path,
            len: self.len,
            dest: Dest::Unknown,
        }
    }
}

impl Drop for Spool {
    fn drop(&mut self) {
        // Best effort: a folder left behind is removed by the next build's `sweep`.
        let _ = fs::remove_dir_all(&self.dir);
        if let Some(out) = &self.made_out {
            let _ = fs::remove_dir(out);
        }
    }
}

impl Spooled {
    /// Where the bytes wait.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Does `dest` already hold exactly these bytes? What the build saw when it made
    /// them, or else compared in chunks, so a large feed is never read into memory twice.
    pub(super) fn same_as(&self, dest: &Path) -> bool {
        match self.dest {
            Dest::Holds => return true,
            Dest::Differs => return false,
            Dest::Unknown => {}
        }
        let same_len = fs::metadata(dest).is_ok_and(|m| m.is_file() && m.len() == self.len);
        same_len && same_files(&self.path, dest).unwrap_or(false)
    }
}

fn same_files(a: &Path, b: &Path) -> io::Result<bool> {
    let (mut a, mut b) = (fs::File::open(a)?, fs::File::open(b)?);
    let (mut x, mut y) = (vec![0; 1 << 16], vec![0; 1 << 16]);
    loop {
        let n = a.read(&mut x)?;
        if n == 0 {
            return Ok(b.read(&mut y)? == 0);
        }
        b.read_exact(&mut y[..n])?;
        if x[..n] != y[..n] {
            return Ok(false);
        }
    }
}

/// The spool folders in `out_dir`, whichever build made them.
fn spools(out_dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(out_dir) else {
        return Vec::new();
    };
    let spool_prefix = format!("{TEMP_PREFIX}spool-");
    entries
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_str()
                .is_some_and(|n| n.starts_with(&spool_prefix))
                && e.file_type().is_ok_and(|t| t.is_dir())
        })
        .map(|e| e.path())
        .collect()
}

/// Did a killed build leave a spool folder in `out_dir`? Then the next build must
/// not skip its work: only a full build removes it.
pub(super) fn left_behind(out_dir: &Path) -> bool {
    !spools(out_dir).is_empty()
}

/// Removes spool folders that killed builds left in `out_dir` (not `ours`).
pub(super) fn sweep(out_dir: &Path, ours: Option<&Spool>) -> Result<()> {
    for path in spools(out_dir) {
        if ours.is_none_or(|s| s.dir != path) {
            fs::remove_dir_all(&path).map_err(|e| Error::io(&path, e))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dropped_spool_leaves_nothing_and_removes_an_out_it_made() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let spool = Spool::new(&out).unwrap();
        let kept = spool.keep(b"hello").unwrap();
        assert_eq!(fs::read(&kept.path).unwrap(), b"hello");
        fs::write(dir.path().join("same"), "hello").unwrap();
        fs::write(dir.path().join("other"), "hellO").unwrap();
        assert!(kept.same_as(&dir.path().join("same")));
        assert!(!kept.same_as(&dir.path().join("other")));
        assert!(!kept.same_as(&dir.path().join("missing")));
        drop(spool);
        assert!(!out.exists());
        // An out/ that existed stays, without the spool.
        fs::create_dir(&out).unwrap();
        drop(Spool::new(&out).unwrap());
        assert!(out.exists() && fs::read_dir(&out).unwrap().next().is_none());
    }

    /// In an `out/` the spool made, nothing is looked at: the build made all there is.
    #[test]
    fn a_new_out_is_not_looked_at() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let spool = Spool::new(&out).unwrap();
        // Put there behind the build's back: still spooled, and put in place.
        fs::write(out.join("page.html"), "hello").unwrap();
        let kept = spool.keep_for(Path::new("page.html"), b"hello").unwrap();
        assert_eq!(kept.dest, Dest::Differs);
        assert!(!kept.same_as(&out.join("page.html")));
        assert_eq!(fs::read_dir(&spool.dir).unwrap().count(), 1);
    }

    /// A file whose bytes `out/` already holds is not spooled, and counts as the same.
    #[test]
    fn bytes_already_in_out_are_not_spooled() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        fs::create_dir(out.join("a")).unwrap();
        fs::write(out.join("a/page.html"), "hello").unwrap();
        let spool = Spool::new(out).unwrap();
        let same = spool.keep_for(Path::new("a/page.html"), b"hello").unwrap();
        assert!(same.dest == Dest::Holds && same.same_as(&out.join("a/page.html")));
        assert_eq!(fs::read_dir(&spool.dir).unwrap().count(), 0);
        let changed = spool.keep_for(Path::new("a/page.html"), b"hellO").unwrap();
        let new = spool.keep_for(Path::new("b.html"), b"hello").unwrap();
        assert_eq!((changed.dest, new.dest), (Dest::Differs, Dest::Differs));
        assert_eq!(fs::read_dir(&spool.dir).unwrap().count(), 2);
        assert!(!changed.same_as(&out.join("a/page.html")));
    }

    #[test]
    fn sweep_removes_only_spool_folders() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        fs::create_dir(out.join(format!("{TEMP_PREFIX}spool-7"))).unwrap();
        fs::write(out.join(format!("{TEMP_PREFIX}spool-7/0")), "x").unwrap();
        fs::create_dir(out.join("spool-mine")).unwrap();
        assert!(left_behind(out));
        let ours = Spool::new(out).unwrap();
        sweep(out, Some(&ours)).unwrap();
        assert!(!out.join(format!("{TEMP_PREFIX}spool-7")).exists());
        assert!(out.join("spool-mine").exists() && ours.dir.exists());
        drop(ours);
        assert!(!left_behind(out));
    }
}
