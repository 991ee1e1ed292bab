//! Knows when a build would change nothing, so it can be skipped, and keeps what an
//! earlier build rendered, so a build that changes something redoes less.
//!
//! Owns: the fingerprint of a build's inputs (mdfeed's version, the options, the
//! config, templates, lock file and every file under `content/`, by content, never
//! by date), the state a finished build leaves in `out/.mdfeed-state`, and the format
//! of the records in `out/.mdfeed-cache/`: rendered article bodies (`bodies`), the
//! hashes of the content's files by stamp (`inputs`), pages and feed parts.
//! Does not: read or write files itself (the pipeline hands it bytes; `output` keeps
//! the state file) or decide anything about articles.

use std::hash::BuildHasher;

use foldhash::quality::FixedState;
use serde::{Deserialize, Serialize};

pub mod bodies;
pub mod inputs;
pub mod pages;
pub mod parts;
mod stored;

use crate::dates::Date;
use crate::error::Warning;

/// mdfeed's version and the ID of the sources it was built from (see `build.rs`):
/// what another build of mdfeed left in `out/` is never taken.
pub const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), "+", env!("MDFEED_BUILD_ID"));

/// The name of the state file in `out/`.
pub const STATE: &str = ".mdfeed-state";

/// What a finished build leaves behind: enough to say "nothing changed" next time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct State {
    /// Fingerprint of every input (hex).
    pub fingerprint: String,
    /// The earliest date of an article left out as future: from then on, the same
    /// inputs make a different site.
    pub next_due: Option<Date>,
    /// Articles published.
    pub articles: usize,
    /// Feed files made.
    pub feeds: usize,
    /// Files made.
    pub files: usize,
    /// The warnings of that build, said again when it is not redone.
    pub warnings: Vec<Warning>,
}

impl State {
    /// Reads a state file; anything unreadable counts as no state (a full build).
    pub fn parse(bytes: &[u8]) -> Option<State> {
        serde_json::from_slice(bytes).ok()
    }

    /// Returns the state file's bytes (deterministic: fields in a fixed order).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = serde_json::to_vec_pretty(self).unwrap_or_default();
        out.push(b'\n');
        out
    }

    /// Does this state describe a build of exactly `fingerprint`, still valid at `now`?
    pub fn is_fresh(&self, fingerprint: &str, now: Option<&Date>) -> bool {
        self.fingerprint == fingerprint
            && match (now, &self.next_due) {
                (Some(now), Some(due)) => now < due,
                _ => true,
            }
    }
}

/// Builds a fingerprint from named parts, in the order given.
#[derive(Default, Clone)]
pub struct Fingerprint {
    hasher: blake3::Hasher,
}

impl Fingerprint {
    /// Starts a fingerprint for this version of mdfeed: a new version rebuilds everything.
    pub fn new() -> Fingerprint {
        let mut f = Fingerprint::default();
        f.part("mdfeed", VERSION.as_bytes());
        f
    }

    /// Adds a named part. Names and lengths are hashed too, so parts cannot run together.
    pub fn part(&mut self, name: &str, bytes: &[u8]) {
        for piece in [name.as_bytes(), bytes] {
            self.hasher.update(&(piece.len() as u64).to_le_bytes());
            self.hasher.update(piece);
        }
    }

    /// Returns the fingerprint as hex.
    pub fn finish(&self) -> String {
        self.hasher.finalize().to_hex().to_string()
    }
}

/// Writes `value` as a cache file would hold it and reads it back (for the tests of
/// the types a cache keeps).
#[cfg(test)]
pub(crate) fn round_trip<T: Serialize + serde::de::DeserializeOwned>(value: &T) -> Option<T> {
    let mut bytes = Vec::new();
    stored::write(&mut bytes, value).ok()?;
    stored::read(&bytes)
}

/// Returns the hash of one file's bytes (the pipeline hashes files in parallel).
pub fn digest(bytes: &[u8]) -> [u8; 32] {
    *blake3::hash(bytes).as_bytes()
}

/// Returns the digest of a page or feed part a build wrote into `out/`, recorded so the
/// next build knows its bytes again when the file's stamp changed (an `out/` restored
/// from a CI cache, or copied). foldhash, not `digest`: a full build takes it of every
/// page and part (340 MB at 10,000 articles) and must not pay much for it; it guards
/// against accidents, and a record is only ever read by the mdfeed that wrote it.
pub fn written_digest(bytes: &[u8]) -> u64 {
    FixedState::with_seed(0x6d64_6665_6564_7074).hash_one(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_do_not_run_together() {
        let mut a = Fingerprint::new();
        a.part("x", b"ab");
        a.part("y", b"c");
        let mut b = Fingerprint::new();
        b.part("x", b"a");
        b.part("y", b"bc");
        assert_ne!(a.finish(), b.finish());
    }

    #[test]
    fn state_round_trips_and_expires_when_an_article_falls_due() {
        let due = chrono::DateTime::parse_from_rfc3339("2030-01-01T00:00:00Z").unwrap();
        let s = State {
            fingerprint: "f".into(),
            next_due: Some(due),
            articles: 1,
            feeds: 3,
            files: 5,
            warnings: Vec::new(),
        };
        assert_eq!(State::parse(&s.to_bytes()), Some(s.clone()));
        let before = due - chrono::Duration::seconds(1);
        assert!(s.is_fresh("f", Some(&before)));
        assert!(!s.is_fresh("f", Some(&due)));
        assert!(!s.is_fresh("g", Some(&before)));
        assert!(s.is_fresh("f", None));
        assert_eq!(State::parse(b"garbage"), None);
    }
}
