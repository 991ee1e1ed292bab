//! What a build remembers of the last one, in memory, so that a rebuild (`mdfeed serve`)
//! redoes only what an edit changed.
//!
//! Owns: keys (a blake3 hash of every input a result depends on), the tables that map
//! keys to results, and forgetting: a table keeps what the latest build used (and, after
//! a failed build, what the last good one used), nothing older, so memory does not grow
//! across edits. Also the stamps (length, times, inode) that let a rebuild hash a file
//! again only when it may have changed.
//! Does not: decide what goes into a key (each stage does, next to the code whose inputs
//! they are), read files, or build anything. `build` starts from an empty memo, so a
//! build with and without a memo runs the same code.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

/// A hash of every input of a result; equal keys mean equal results.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct Key([u8; 32]);

impl Key {
    /// Returns the key's first byte (uniformly spread: it is a hash), to share keys
    /// out among a few files or buckets.
    pub fn first_byte(&self) -> u8 {
        self.0[0]
    }
}

impl Hash for Key {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // Already a cryptographic hash: eight of its bytes are as good as any hash of it.
        let mut first = [0; 8];
        first.copy_from_slice(&self.0[..8]);
        state.write_u64(u64::from_le_bytes(first));
    }
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hex: String = self.0[..6].iter().map(|b| format!("{b:02x}")).collect();
        write!(f, "Key({hex}…)")
    }
}

/// Hashes a `Key` for a hash map by taking the bytes it gives (see `Hash for Key`);
/// other types get FNV-1a, so the maps stay correct whatever they hold.
#[derive(Default, Clone, Copy)]
pub struct KeyHash(u64);

impl Hasher for KeyHash {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }

    fn write_u64(&mut self, n: u64) {
        self.0 ^= n;
    }
}

/// Builds a key from parts. Each part is written with its length, so parts cannot run
/// together (`"ab", "c"` and `"a", "bc"` give different keys). The parts are gathered
/// and hashed at once: most keys are small, and a hasher is large to copy. A large
/// key (a listing of every article) is hashed as it grows, in the same way.
#[derive(Clone)]
pub struct KeyHasher(Vec<u8>, Option<Box<blake3::Hasher>>);

/// How much a key gathers before it is hashed as it grows.
const GATHER: usize = 64 << 10;

impl KeyHasher {
    /// Starts a key for one kind of result (`"page"`, `"feed"`): keys of different
    /// kinds never meet.
    pub fn new(kind: &str) -> KeyHasher {
        let mut h = KeyHasher(Vec::with_capacity(128), None);
        h.str(kind);
        h
    }

    /// Adds bytes.
    pub fn bytes(&mut self, bytes: &[u8]) -> &mut Self {
        self.0
            .extend_from_slice(&(bytes.len() as u64).to_le_bytes());
        self.0.extend_from_slice(bytes);
        if self.0.len() > GATHER {
            self.1.get_or_insert_with(Default::default).update(&self.0);
            self.0.clear();
        }
        self
    }

    /// Adds a string.
    pub fn str(&mut self, s: &str) -> &mut Self {
        self.bytes(s.as_bytes())
    }

    /// Adds a number.
    pub fn num(&mut self, n: u64) -> &mut Self {
        self.0.extend_from_slice(&n.to_le_bytes());
        self
    }

    /// Adds an optional string (`None` and `Some("")` differ).
    pub fn opt(&mut self, s: Option<&str>) -> &mut Self {
        match s {
            Some(s) => self.num(1).str(s),
            None => self.num(0),
        }
    }

    /// Adds another key.
    pub fn key(&mut self, k: &Key) -> &mut Self {
        self.0.extend_from_slice(&k.0);
        self
    }

    /// Adds anything by its `Debug` form: for config-like values, whose `Debug` shows
    /// every field (maps in them are ordered, so the form is stable).
    pub fn debug(&mut self, value: &impl std::fmt::Debug) -> &mut Self {
        self.str(&format!("{value:?}"))
    }

    /// Returns the key.
    pub fn finish(&self) -> Key {
        match &self.1 {
            None => Key(*blake3::hash(&self.0).as_bytes()),
            Some(hasher) => {
                let mut hasher = hasher.clone();
                Key(*hasher.update(&self.0).finalize().as_bytes())
            }
        }
    }
}

/// One table of results. Every lookup and insert marks the entry with the current
/// build; `Memo::finish` drops entries no recent build used.
pub struct Table<K, V> {
    entries: HashMap<K, (V, u64), BuildHasherDefault<KeyHash>>,
    /// Keeps nothing (a build that runs once: what it made is dropped when done with,
    /// not held until the end of the build).
    forgetful: bool,
}

impl<K, V> Default for Table<K, V> {
    fn default() -> Self {
        Table {
            entries: HashMap::default(),
            forgetful: false,
        }
    }
}

impl<K, V> Table<K, V> {
    /// Returns a table that keeps nothing.
    pub fn forgetful() -> Self {
        Table {
            entries: HashMap::default(),
            forgetful: true,
        }
    }
}

impl<K, V> Table<K, V> {
    /// Does the table keep what is put in it (for a later build)?
    pub fn keeps(&self) -> bool {
        !self.forgetful
    }
}

impl<K: Eq + Hash, V: Clone> Table<K, V> {
    /// Returns the result for `key` and marks it used by build `generation`.
    pub fn get(&mut self, key: &K, generation: u64) -> Option<V> {
        self.get_since(key, generation).map(|(v, _)| v)
    }

    /// Returns the result for `key` and the build that used it last before this one,
    /// and marks it used by build `generation`.
    pub fn get_since(&mut self, key: &K, generation: u64) -> Option<(V, u64)> {
        let (value, used) = self.entries.get_mut(key)?;
        let before = std::mem::replace(used, generation);
        Some((value.clone(), before))
    }

    /// Returns the result for `key` without marking it used.
    pub fn peek(&self, key: &K) -> Option<&V> {
        self.entries.get(key).map(|(v, _)| v)
    }

    /// Remembers a result made by build `generation` (unless the table keeps nothing).
    pub fn insert(&mut self, key: K, value: V, generation: u64) {
        if !self.forgetful {
            self.entries.insert(key, (value, generation));
        }
    }

    /// Does the table keep nothing?
    pub fn is_forgetful(&self) -> bool {
        self.forgetful
    }

    /// Marks every result used by build `generation`.
    pub fn keep_all(&mut self, generation: u64) {
        self.entries
            .values_mut()
            .for_each(|(_, used)| *used = generation);
    }

    /// Returns how many results are kept.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Returns true when nothing is kept.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn retain(&mut self, keep: &dyn Fn(u64) -> bool) {
        self.entries.retain(|_, (_, used)| keep(*used));
    }
}

/// What a file looked like when it was hashed. A file whose stamp is unchanged is not
/// read again; one changed so recently that its time may not tell a second change
/// apart (a coarse file system clock) is always read again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Stamp {
    len: u64,
    modified: Option<SystemTime>,
    /// Status change time and inode (Unix): a rename over the file or `touch -m` back
    /// to an old time still changes these.
    changed: (i64, i64, u64),
    /// How many names the file has: a file with another name outside `content/` can
    /// change without a watcher of `content/` hearing of it.
    names: u64,
}

/// How long after a change a stamp is not trusted.
const RACY: Duration = Duration::from_secs(2);

impl Stamp {
    /// Returns the stamp of a file's metadata.
    pub fn of(m: &std::fs::Metadata) -> Stamp {
        #[cfg(unix)]
        let (changed, names) = {
            use std::os::unix::fs::MetadataExt;
            ((m.ctime(), m.ctime_nsec(), m.ino()), m.nlink())
        };
        #[cfg(not(unix))]
        let (changed, names) = ((0, 0, 0), 1);
        Stamp {
            len: m.len(),
            modified: m.modified().ok(),
            changed,
            names,
        }
    }

    /// Has the file more than one name (a hard link)?
    pub fn linked(&self) -> bool {
        self.names > 1
    }

    /// Can a file with this stamp, hashed at `hashed`, be taken as unchanged?
    fn trusted(&self, hashed: SystemTime) -> bool {
        self.modified
            .is_some_and(|m| m + RACY < hashed && m <= SystemTime::now())
    }
}

/// A file's hash, with the stamp the file had before it was read: enough to trust the
/// hash later, without reading the file again, while the file keeps that stamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Hashed {
    stamp: Stamp,
    digest: [u8; 32],
    /// The file was changed long enough before it was hashed that a later change
    /// shows in its stamp. (Not the time itself: records hold no wall clock.)
    trusted: bool,
}

impl Hashed {
    /// The hash of bytes read, just now, from a file with `stamp` (taken before).
    pub fn new(stamp: Stamp, digest: [u8; 32]) -> Hashed {
        Hashed::at(stamp, digest, SystemTime::now())
    }

    fn at(stamp: Stamp, digest: [u8; 32], hashed: SystemTime) -> Hashed {
        Hashed {
            stamp,
            digest,
            trusted: stamp.trusted(hashed),
        }
    }

    /// Returns the hash.
    pub fn digest(&self) -> &[u8; 32] {
        &self.digest
    }

    /// Returns the stamp the file had when it was hashed.
    pub fn stamp(&self) -> Stamp {
        self.stamp
    }

    /// Returns the hash if the file still has the stamp it had when read.
    pub fn still(&self, stamp: &Stamp) -> Option<[u8; 32]> {
        (self.trusted && self.stamp == *stamp).then_some(self.digest)
    }
}

/// The hashes of the files a build read, by path.
#[derive(Default)]
pub struct Digests {
    table: Table<PathBuf, Hashed>,
}

impl Digests {
    /// Returns a table that keeps nothing.
    pub fn forgetful() -> Digests {
        Digests {
            table: Table::forgetful(),
        }
    }

    /// Returns the hash of the file at `path` if it was hashed before with the same
    /// stamp (and not too soon after a change), marking it used.
    pub fn known(&mut self, path: &PathBuf, stamp: &Stamp, generation: u64) -> Option<[u8; 32]> {
        self.table.get(path, generation)?.still(stamp)
    }

    /// Returns the hash of the file at `path` whatever its stamp, marking it used: for
    /// a file the watcher saw no change to since it was hashed.
    pub fn unchanged(&mut self, path: &PathBuf, generation: u64) -> Option<[u8; 32]> {
        self.table.get(path, generation).map(|h| h.digest)
    }

    /// Marks every hash used by build `generation`: for a build that knows every file
    /// it hashed is still there.
    pub fn keep_all(&mut self, generation: u64) {
        self.table.keep_all(generation);
    }

    /// Remembers the hash of a file at `path`.
    pub fn remember(&mut self, path: PathBuf, hashed: Hashed, generation: u64) {
        self.table.insert(path, hashed, generation);
    }
}

/// Counts how much of a build came from the memo (for `--verbose` and the tests).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Reuse {
    /// Results taken from the memo.
    pub hits: usize,
    /// Results made anew.
    pub misses: usize,
}

impl Reuse {
    /// Counts one lookup.
    pub fn count(&mut self, hit: bool) {
        match hit {
            true => self.hits += 1,
            false => self.misses += 1,
        }
    }
}

/// The build counter and the rule for forgetting, shared by every table of a memo.
#[derive(Debug, Default, Clone, Copy)]
pub struct Generations {
    /// The build running now (or last run).
    pub current: u64,
    /// The last build that succeeded.
    last_good: u64,
}

impl Generations {
    /// Starts the next build; returns its number.
    pub fn begin(&mut self) -> u64 {
        self.current += 1;
        self.current
    }

    /// Ends the build: keeps what it used, and after a failure also what the last good
    /// build used (the next edit most likely fixes the failure and needs those again).
    /// Returns the test tables apply.
    pub fn end(&mut self, ok: bool) -> impl Fn(u64) -> bool + use<> {
        if ok {
            self.last_good = self.current;
        }
        let (current, last_good) = (self.current, self.last_good);
        move |used| used == current || used == last_good
    }
}

/// Lets a memo forget in all its tables at once.
pub trait Forget {
    /// Drops every entry for which `keep` says no.
    fn forget(&mut self, keep: &dyn Fn(u64) -> bool);
}

impl<K: Eq + Hash, V: Clone> Forget for Table<K, V> {
    fn forget(&mut self, keep: &dyn Fn(u64) -> bool) {
        self.retain(keep);
    }
}

impl Forget for Digests {
    fn forget(&mut self, keep: &dyn Fn(u64) -> bool) {
        self.table.retain(keep);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_do_not_run_together_and_kinds_differ() {
        let a = KeyHasher::new("x").str("ab").str("c").finish();
        let b = KeyHasher::new("x").str("a").str("bc").finish();
        assert_ne!(a, b);
        assert_ne!(
            KeyHasher::new("x").opt(None).finish(),
            KeyHasher::new("x").opt(Some("")).finish()
        );
        assert_ne!(
            KeyHasher::new("page").finish(),
            KeyHasher::new("feed").finish()
        );
        assert_eq!(a, KeyHasher::new("x").str("ab").str("c").finish());
    }

    #[test]
    fn a_large_key_hashed_as_it_grows_is_the_one_hashed_at_once() {
        let mut grown = KeyHasher::new("x");
        let mut whole = Vec::new();
        for i in 0..10_000u64 {
            grown.num(i).bytes(&[7; 33]);
            whole.extend_from_slice(&i.to_le_bytes());
            whole.extend_from_slice(&33u64.to_le_bytes());
            whole.extend_from_slice(&[7; 33]);
        }
        assert!(grown.1.is_some());
        let mut once = KeyHasher::new("x");
        once.0.extend_from_slice(&whole);
        assert_eq!(grown.finish(), once.finish());
    }

    #[test]
    fn tables_forget_what_recent_builds_did_not_use() {
        let mut g = Generations::default();
        let mut t: Table<u8, &str> = Table::default();
        let first = g.begin();
        t.insert(1, "one", first);
        t.insert(2, "two", first);
        t.forget(&g.end(true));
        let second = g.begin();
        assert_eq!(t.get(&1, second), Some("one"));
        t.insert(3, "three", second);
        // A failed build keeps what the last good build used too.
        t.forget(&g.end(false));
        assert_eq!(t.len(), 3);
        let third = g.begin();
        assert_eq!(t.get(&3, third), Some("three"));
        t.forget(&g.end(true));
        // Entry 2 was used by neither the third build nor the last good one (the third).
        assert_eq!((t.get(&1, 9), t.get(&2, 9)), (None, None));
        assert_eq!(t.len(), 1);
    }

    #[test]
    fn a_stamp_is_trusted_only_some_time_after_the_change() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.md");
        std::fs::write(&path, "a").unwrap();
        let stamp = Stamp::of(&std::fs::metadata(&path).unwrap());
        let mut d = Digests::default();
        d.remember(path.clone(), Hashed::new(stamp, [1; 32]), 1);
        assert_eq!(
            d.known(&path, &stamp, 2),
            None,
            "hashed right after a change"
        );
        let later = SystemTime::now() + RACY + Duration::from_secs(1);
        d.remember(path.clone(), Hashed::at(stamp, [1; 32], later), 1);
        assert_eq!(d.known(&path, &stamp, 2), Some([1; 32]));
        std::fs::write(&path, "b").unwrap();
        let edited = Stamp::of(&std::fs::metadata(&path).unwrap());
        assert_eq!(d.known(&path, &edited, 2), None);
    }
}
