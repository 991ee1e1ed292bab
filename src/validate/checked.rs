//! The set of HTML fragments already found free of relative URLs.

use std::collections::HashSet;
use std::hash::BuildHasher;
use std::sync::Mutex;

use foldhash::quality::FixedState;

/// Remembers HTML fragments already found free of relative URLs. One article's content
/// stands in the site feed, its tag and category feeds and their archives, in every
/// format: checking each distinct fragment once keeps the check from costing more than
/// the rest of the build (it was half of a 10,000-article build).
#[derive(Default)]
pub struct CheckedHtml(Mutex<HashSet<u64>>);

impl CheckedHtml {
    /// Every item's content is hashed once per feed it stands in (and once when it is
    /// vouched for): foldhash hashes kilobytes several times faster than the standard
    /// SipHash. The seed is fixed, so keys carry over between sets (`keys`, `extend`).
    pub(super) fn key(html: &str) -> u64 {
        FixedState::with_seed(0x6d64_6665_6564).hash_one(html)
    }

    pub(super) fn contains(&self, key: u64) -> bool {
        self.0.lock().is_ok_and(|set| set.contains(&key))
    }

    /// Records `html` as free of relative URLs without parsing it: for the code that
    /// made every URL in it absolute and saw each one parse as a URL.
    pub(crate) fn vouch(&self, html: &str) {
        self.insert(Self::key(html));
    }

    /// Returns the fragments this set vouches for (to hand on to another build's set).
    pub(crate) fn keys(&self) -> Vec<u64> {
        self.0
            .lock()
            .map(|set| set.iter().copied().collect())
            .unwrap_or_default()
    }

    /// Vouches for the fragments another set held (see `keys`).
    pub(crate) fn extend(&self, keys: &[u64]) {
        if let Ok(mut set) = self.0.lock() {
            set.extend(keys);
        }
    }

    pub(super) fn insert(&self, key: u64) {
        if let Ok(mut set) = self.0.lock() {
            set.insert(key);
        }
    }
}
