//! The no-change fast path: a build whose inputs are byte-for-byte those of the last
//! build into the same `out/` (and whose `out/` is intact) does nothing.

use std::path::Path;

use rayon::prelude::*;

use super::{BuildOptions, BuildReport};
use crate::cache::{Fingerprint, STATE, State};
use crate::config;
use crate::error::Result;
use crate::output::{self, WriteReport};
use crate::source;

/// The lock file's name: hashed apart, because a build may write it (new IDs).
const LOCK: &str = "mdfeed.lock";

/// Everything a build reads, hashed, with the lock file kept apart: a build that pins
/// new IDs records the inputs as it leaves them, so the next build is up to date.
pub(super) struct Inputs {
    rest: Fingerprint,
    lock: Option<Vec<u8>>,
}

impl Inputs {
    /// Returns the same inputs with the lock file this build wrote.
    pub(super) fn with_lock(self, lock: Vec<u8>) -> Inputs {
        Inputs {
            lock: Some(lock),
            ..self
        }
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

/// Returns the fingerprint of everything the build reads, or `None` when something
/// cannot be read (the full build then reports it properly).
pub(super) fn fingerprint(opts: &BuildOptions) -> Option<Inputs> {
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
    let digests: Vec<Option<[u8; 32]>> = files
        .par_iter()
        .map(|file| {
            let bytes = source::read_optional(&file.abs).ok().flatten()?;
            Some(crate::cache::digest(&bytes))
        })
        .collect();
    for (file, digest) in files.iter().zip(digests) {
        f.part(&file.rel.to_string_lossy(), &digest?);
    }
    Some(Inputs { rest: f, lock })
}

/// Returns the report of the last build when nothing changed since.
pub(super) fn unchanged(opts: &BuildOptions, fingerprint: &str) -> Option<BuildReport> {
    let state = State::parse(&output::read_state(&opts.out_dir(), STATE)?)?;
    let now = if opts.future {
        None
    } else {
        Some(
            opts.now
                .unwrap_or_else(|| chrono::Utc::now().fixed_offset()),
        )
    };
    if !state.is_fresh(fingerprint, now.as_ref()) {
        return None;
    }
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

/// Records a finished build, so the next one can tell whether anything changed.
pub(super) fn record(out_dir: &Path, fingerprint: String, report: &BuildReport) -> Result<()> {
    let state = State {
        fingerprint,
        next_due: report.content.next_due,
        articles: report.articles,
        feeds: report.feeds,
        files: report.files,
        warnings: report.warnings.clone(),
    };
    output::write_state(out_dir, STATE, &state.to_bytes())
}
