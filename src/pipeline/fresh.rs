//! The no-change fast path: a build whose inputs are byte-for-byte those of the last
//! build into the same `out/` (and whose `out/` is intact) does nothing.
//!
//! A file of `content/` is read and hashed only when its stamp differs from the one in
//! the last build's record of hashes (`cache::inputs`); the other inputs (config,
//! templates, lock file) are few and small, and always read. A build with no state to
//! compare with (the first into an empty `out/`, as in CI) leaves the articles' files
//! to the read stage, which hashes the bytes it builds from (`Survey::Pending`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use super::{BuildOptions, BuildReport};
use crate::cache::{Fingerprint, STATE, State, inputs};
use crate::config;
use crate::error::Result;
use crate::memo::{Hashed, Stamp};
use crate::output::{self, WriteReport};
use crate::source::{self, Kind};

/// The lock file's name: hashed apart, because a build may write it (new IDs).
const LOCK: &str = "mdfeed.lock";

/// Everything a build reads, hashed, with the lock file kept apart: a build that pins
/// new IDs records the inputs as it leaves them, so the next build is up to date.
pub(super) struct Inputs {
    rest: Fingerprint,
    lock: Option<Vec<u8>>,
    /// The hash of each file of `content/` (by path relative to it), in order.
    hashed: Checked,
}

/// The hash the up-to-date check took of each file of `content/`, by path relative
/// to it, in the order of paths (as `source::discover` lists them).
#[derive(Clone, Default)]
pub(super) struct Checked(Arc<[(PathBuf, Hashed)]>);

impl Checked {
    /// Returns the hash of the file at `rel`, if the check took one.
    pub(super) fn get(&self, rel: &Path) -> Option<&Hashed> {
        let i = self
            .0
            .binary_search_by(|(r, _)| r.as_path().cmp(rel))
            .ok()?;
        Some(&self.0[i].1)
    }
}

impl Inputs {
    /// The inputs of `rest` (options, config, templates), the lock file and the files
    /// of `content/`, in order.
    fn new(
        mut rest: Fingerprint,
        lock: Option<Vec<u8>>,
        hashed: Arc<[(PathBuf, Hashed)]>,
    ) -> Inputs {
        for (rel, h) in hashed.iter() {
            rest.part(&rel.to_string_lossy(), h.digest());
        }
        Inputs {
            rest,
            lock,
            hashed: Checked(hashed),
        }
    }

    /// Returns the same inputs with the lock file this build wrote.
    pub(super) fn with_lock(self, lock: Vec<u8>) -> Inputs {
        Inputs {
            lock: Some(lock),
            ..self
        }
    }

    /// Returns the hash of each file of `content/`.
    pub(super) fn hashes(&self) -> Checked {
        self.hashed.clone()
    }

    /// Returns the fingerprint as hex.
    pub(super) fn finish(&self) -> String {
        let mut f = self.rest.clone();
        match &self.lock {
            Some(bytes) => f.part(LOCK, bytes),
            None => f.part(&format!("{LOCK} (none)"), b""),
        }
        f.finish()
    }
}

/// What the up-to-date check found before the build.
pub(super) enum Survey {
    /// Every input hashed: the build may be up to date.
    Hashed(Inputs),
    /// No state in `out/` to compare with (a first build), so nothing can be up to
    /// date: the articles' files are hashed by the read stage, which reads them anyway
    /// (see `Pending::complete`), instead of being read twice.
    Pending(Pending),
}

/// The inputs of a build with no state to compare with, before the read stage.
pub(super) struct Pending {
    rest: Fingerprint,
    lock: Option<Vec<u8>>,
    /// The folder `content/`.
    content: PathBuf,
    /// Every file of `content/` (by path relative to it), in order, with its hash
    /// unless it may be an article. Only the path: 100,000 of them are held through
    /// the build.
    files: Vec<(PathBuf, Option<Hashed>)>,
}

impl Pending {
    /// Returns the inputs, with the hashes the read stage took of the files it read
    /// (`read`, by path): the bytes the build was made from, so a state recorded with
    /// them never claims a file the build did not see. A file the read stage did not
    /// read (skipped by path, so it made nothing) is hashed now.
    pub(super) fn complete(self, read: &[(PathBuf, Hashed)]) -> Option<Inputs> {
        let read: HashMap<&Path, &Hashed> = read.iter().map(|(p, h)| (p.as_path(), h)).collect();
        let hashed: Vec<Option<(PathBuf, Hashed)>> = self
            .files
            .into_par_iter()
            .map(|(rel, hashed)| {
                let hashed = match hashed.or_else(|| read.get(rel.as_path()).copied().copied()) {
                    Some(h) => h,
                    None => hash_file(&self.content.join(&rel), None)?,
                };
                Some((rel, hashed))
            })
            .collect();
        let hashed = hashed.into_iter().collect::<Option<_>>()?;
        Some(Inputs::new(self.rest, self.lock, hashed))
    }
}

/// Returns the fingerprint of everything the build reads, or `None` when something
/// cannot be read (the full build then reports it properly). With `defer`, a build
/// with no state to compare with leaves the articles' files to the read stage.
pub(super) fn fingerprint(opts: &BuildOptions, defer: bool) -> Option<Survey> {
    let mut f = Fingerprint::new();
    let options = format!("{}|{}|{:?}", opts.drafts, opts.future, opts.base_url);
    f.part("options", options.as_bytes());
    match source::read_optional(&opts.root.join(config::FILE_NAME)).ok()? {
        Some(bytes) => f.part(config::FILE_NAME, &bytes),
        None => f.part(&format!("{} (none)", config::FILE_NAME), b""),
    }
    let lock = source::read_optional(&opts.root.join(LOCK)).ok()?;
    let shown = config::display_path(&opts.root);
    for t in source::read_templates(&opts.root.join("templates"), &shown.join("templates")).ok()? {
        f.part(&t.name, t.text.as_bytes());
    }
    let (files, _) = source::discover(&opts.root.join("content"), &shown.join("content")).ok()?;
    let pending = defer && !opts.out_dir().join(STATE).is_file();
    let known: HashMap<String, Hashed> = output::read_cache(&opts.out_dir(), inputs::FILE)
        .map(|bytes| inputs::decode(&bytes).into_iter().collect())
        .unwrap_or_default();
    let hashed: Vec<Option<Option<Hashed>>> = files
        .par_iter()
        .map(|file| {
            if pending && file.kind != Kind::Asset {
                return Some(None);
            }
            hash_file(&file.abs, known.get(file.rel.to_string_lossy().as_ref())).map(Some)
        })
        .collect();
    let files: Vec<(PathBuf, Option<Hashed>)> = files
        .into_iter()
        .zip(hashed)
        .map(|(file, h)| Some((file.rel, h?)))
        .collect::<Option<_>>()?;
    if pending {
        return Some(Survey::Pending(Pending {
            rest: f,
            lock,
            content: opts.root.join("content"),
            files,
        }));
    }
    let hashed = files
        .into_iter()
        .map(|(rel, h)| Some((rel, h?)))
        .collect::<Option<_>>()?;
    Some(Survey::Hashed(Inputs::new(f, lock, hashed)))
}

/// Returns the hash of the file at `path`: the last build's (`known`) while the file
/// keeps the stamp it had then, else the hash of its bytes now.
fn hash_file(path: &Path, known: Option<&Hashed>) -> Option<Hashed> {
    let stamp = Stamp::of(&std::fs::metadata(path).ok()?);
    if let Some(known) = known.filter(|k| k.still(&stamp).is_some()) {
        return Some(*known);
    }
    let bytes = source::read_optional(path).ok().flatten()?;
    Some(Hashed::new(stamp, crate::cache::digest(&bytes)))
}

/// Returns the report of the last build when nothing changed since.
pub(super) fn unchanged(opts: &BuildOptions, fingerprint: &str) -> Option<BuildReport> {
    let now = if opts.future {
        None
    } else {
        Some(
            opts.now
                .unwrap_or_else(|| chrono::Utc::now().fixed_offset()),
        )
    };
    let state = output::read_state(&opts.out_dir(), STATE, |bytes| {
        State::parse(bytes).filter(|s| s.is_fresh(fingerprint, now.as_ref()))
    })?;
    Some(BuildReport {
        articles: state.articles,
        feeds: state.feeds,
        files: state.files,
        write: Some(WriteReport {
            written: 0,
            unchanged: state.files,
            removed: 0,
        }),
        warnings: state.warnings,
        up_to_date: true,
        ..BuildReport::default()
    })
}

/// Records the hash of every file of `content/` for the next build's check.
pub(super) fn save_hashes(out_dir: &Path, inputs: &Inputs) -> Result<()> {
    let entries: Vec<inputs::Entry> = (inputs.hashed.0.iter())
        .map(|(rel, h)| (rel.to_string_lossy().into_owned(), *h))
        .collect();
    output::write_state_with(out_dir, inputs::FILE, &mut |w| inputs::write(w, &entries))
}

/// Records a finished build, so the next one can tell whether anything changed.
pub(super) fn record(out_dir: &Path, inputs: &Inputs, report: &BuildReport) -> Result<()> {
    let state = State {
        fingerprint: inputs.finish(),
        next_due: report.content.next_due,
        articles: report.articles,
        feeds: report.feeds,
        files: report.files,
        warnings: report.warnings.clone(),
    };
    output::write_state(out_dir, STATE, &state.to_bytes())
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::time::{Duration, SystemTime};

    use super::*;

    fn hashed_now(path: &Path) -> Hashed {
        hash_file(path, None).unwrap()
    }

    #[test]
    fn a_file_is_read_only_when_its_stamp_is_not_the_recorded_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.md");
        fs::write(&path, "one").unwrap();
        let hour_ago = SystemTime::now() - Duration::from_secs(3600);
        fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(hour_ago)
            .unwrap();
        assert_eq!(hashed_now(&path).digest(), &crate::cache::digest(b"one"));
        // A record that names other bytes is believed while the stamp is the same:
        // proof that the file was not read.
        let stamp = Stamp::of(&fs::metadata(&path).unwrap());
        let lying = Hashed::new(stamp, [9; 32]);
        assert_eq!(hash_file(&path, Some(&lying)), Some(lying));
        // Written again, same length: the stamp changes and the bytes are read.
        fs::write(&path, "ONE").unwrap();
        let again = hash_file(&path, Some(&lying)).unwrap();
        assert_eq!(again.digest(), &crate::cache::digest(b"ONE"));
        // Hashed within moments of a change: never taken on its stamp alone.
        let recent = Hashed::new(Stamp::of(&fs::metadata(&path).unwrap()), [0; 32]);
        assert_eq!(
            recent.still(&Stamp::of(&fs::metadata(&path).unwrap())),
            None
        );
        assert_eq!(
            hash_file(&path, Some(&recent)).unwrap().digest(),
            &crate::cache::digest(b"ONE")
        );
    }
}
