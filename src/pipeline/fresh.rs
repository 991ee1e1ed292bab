//! The no-change fast path: a build whose inputs are byte-for-byte those of the last
//! build into the same `out/` (and whose `out/` is intact) does nothing.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

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
    /// The articles' bytes as hashed, for the read stage (see `Prefetched`).
    texts: Prefetched,
}

/// The bytes and hash of each Markdown or HTML file of `content/` as the up-to-date
/// check read them, by path: the read stage takes them from here instead of reading
/// and hashing every file a second time, so a build also reads exactly the bytes it
/// fingerprinted.
pub(super) type Prefetched = HashMap<PathBuf, (Vec<u8>, [u8; 32])>;

impl Inputs {
    /// Returns the same inputs with the lock file this build wrote.
    pub(super) fn with_lock(self, lock: Vec<u8>) -> Inputs {
        Inputs {
            lock: Some(lock),
            ..self
        }
    }

    /// Hands over the files' bytes (the fingerprint is kept).
    pub(super) fn take_texts(&mut self) -> Prefetched {
        std::mem::take(&mut self.texts)
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
    // Each file's hash, and its bytes when the read stage will want them.
    type Read = ([u8; 32], Option<Vec<u8>>);
    let read: Vec<Option<Read>> = files
        .par_iter()
        .map(|file| {
            let bytes = source::read_optional(&file.abs).ok().flatten()?;
            let digest = crate::cache::digest(&bytes);
            // Assets are never read as text; a file too large is refused by reading.
            let text =
                file.kind != source::Kind::Asset && bytes.len() as u64 <= source::MAX_TEXT_BYTES;
            Some((digest, text.then_some(bytes)))
        })
        .collect();
    let mut texts = Prefetched::new();
    for (file, read) in files.iter().zip(read) {
        let (digest, bytes) = read?;
        f.part(&file.rel.to_string_lossy(), &digest);
        if let Some(bytes) = bytes {
            texts.insert(file.abs.clone(), (bytes, digest));
        }
    }
    Some(Inputs {
        rest: f,
        lock,
        texts,
    })
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
