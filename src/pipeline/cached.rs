//! What a build leaves in `out/` for the next one, besides the site: the cache of
//! read and rendered articles (`cache::bodies`), read before a build reads `content/`,
//! each entry handed to the file read under its key, and written back once the build
//! is in `out/` when anything in it changed; the record of where each part of a large feed is
//! (`cache::parts`), read before the feeds are made and written after; and the record
//! of the article and redirect pages (`cache::pages`).
//!
//! Used by a build that writes and starts with nothing rendered in memory (`build`,
//! and the first build of `build --watch`; later ones have the memo).

use std::borrow::Cow;
use std::collections::HashMap;
use std::fs;
use std::io::{Read as _, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use super::article::Made;
use super::memo::Memo;
use super::read::Forbidden;
use crate::cache::bodies::{self, Body, Read};
use crate::cache::parts::{self, FileParts, PlacedParts};
use crate::cache::{pages, written_digest};
use crate::error::{Error, Result, Warning};
use crate::feeds::KeptPart;
use crate::memo::{Key, Stamp};
use crate::model::{Article, Html};
use crate::output;
use crate::urls::Target;

/// An article rendered, with what the cache keeps of it beside the article itself.
struct Noted {
    /// The key it was read under.
    key: Key,
    /// The article: its front matter and most of its body.
    article: Arc<Article>,
    /// Where its body starts in its file (byte, line).
    body_at: (usize, u32),
    /// The first character in its file that XML forbids.
    forbidden: Option<Forbidden>,
    /// The first one in what it gives its feed entries.
    forbidden_out: Option<char>,
    /// Its template tag lines.
    tag_lines: Vec<u32>,
    /// What its links named.
    links: Vec<(PathBuf, Option<Target>)>,
}

/// Reads what the last build left in `out_dir` for this one into `memo`.
pub(super) fn load(out_dir: &Path, memo: &mut Memo) {
    memo.bodies = Bodies::load(out_dir);
    memo.feeds.stored(load_parts(out_dir));
    memo.placed_pages = PlacedPages::load(out_dir, pages::FILE);
    memo.placed_listings = PlacedPages::load(out_dir, pages::LISTINGS);
}

/// What a build leaves in `out/` for the next, once it is in place.
pub(super) struct ForNext {
    bodies: Option<Bodies>,
    parts: Option<PlacedParts>,
    pages: [Option<PlacedPages>; 2],
}

impl ForNext {
    /// Takes it from the memo of a build that just planned (`ok`: with success); a
    /// failed build leaves nothing.
    pub fn take(memo: &mut Memo, ok: bool) -> ForNext {
        let parts = memo.feeds.take_placed();
        let bodies = memo.bodies.finish();
        let pages = [memo.placed_pages.finish(), memo.placed_listings.finish()];
        ForNext {
            bodies: bodies.filter(|_| ok),
            parts: parts.filter(|_| ok),
            pages: pages.map(|p| p.filter(|_| ok)),
        }
    }

    /// Writes each record into `out_dir`, where the build now is. What is left (the
    /// articles, for one) is the caller's to free.
    pub fn save(&mut self, out_dir: &Path) -> Result<()> {
        let (bodies, (parts, pages)) = (&self.bodies, (self.parts.take(), &self.pages));
        let (saved, others) = rayon::join(
            || bodies.as_ref().map_or(Ok(()), |b| b.save(out_dir)),
            || {
                parts.map_or(Ok(()), |p| save_parts(out_dir, p))?;
                pages.iter().flatten().try_for_each(PlacedPages::save)
            },
        );
        saved.and(others)
    }
}

/// What the build took from the cache, and what to write back.
#[derive(Default)]
pub(super) struct Bodies {
    /// This build uses the cache.
    on: bool,
    /// The bodies read, each with its HTML, until an article takes its own.
    loaded: HashMap<Key, (Body<'static>, Html)>,
    /// Every article rendered, in the order of `content/`.
    made: Vec<Noted>,
    /// The shards to write again: one of their bodies was rendered anew, or one they
    /// held was not taken (its article is gone or changed).
    stale: Vec<bool>,
    /// Reading's warnings, by read key, of the articles that had some.
    read_warnings: HashMap<Key, Vec<Warning>>,
}

impl Bodies {
    /// Reads the cache an earlier build left in `out_dir`; a shard that is missing,
    /// damaged or another mdfeed's holds nothing.
    pub fn load(out_dir: &Path) -> Bodies {
        let mut loaded = HashMap::new();
        let mut stale = vec![false; usize::from(bodies::SHARDS)];
        // Decoding is most of a one-change build's reading of the cache: side by side.
        type Shard = HashMap<Key, (Body<'static>, Html)>;
        let shards: Vec<Option<Option<Shard>>> = (0..bodies::SHARDS)
            .into_par_iter()
            .map(|n| {
                let (head, html) = output::read_cache_split(out_dir, &bodies::shard_file(n))?;
                Some(bodies::decode(&head, html))
            })
            .collect();
        for (n, shard) in shards.into_iter().enumerate() {
            match shard {
                Some(Some(shard)) => loaded.extend(shard),
                // Damaged, or another mdfeed's: written again (or removed).
                Some(None) => stale[n] = true,
                None => {}
            }
        }
        Bodies {
            on: true,
            loaded,
            stale,
            ..Bodies::default()
        }
    }

    /// Returns the body an earlier build rendered under `key`, if any, with its HTML.
    pub fn take(&mut self, key: &Key) -> Option<(Body<'static>, Html)> {
        self.loaded.remove(key)
    }

    /// Returns what reading made of the file read under `key` in an earlier build
    /// (the same bytes and inputs, so the same front matter and warnings).
    pub fn read(&self, key: &Key) -> Option<&Read<'static>> {
        self.loaded.get(key)?.0.read.as_ref()
    }

    /// Notes reading's warnings of the article read under `key`.
    pub fn note_read(&mut self, key: Key, warnings: &[Warning]) {
        if self.on && !warnings.is_empty() {
            self.read_warnings.insert(key, warnings.to_vec());
        }
    }

    /// Notes an article rendered under `key`, from the cache or anew.
    pub fn note(&mut self, key: Key, made: &Made) {
        if !self.on {
            return;
        }
        if !made.from_cache {
            self.stale[usize::from(bodies::shard_of(&key))] = true;
        }
        self.made.push(Noted {
            key,
            article: Arc::clone(&made.article),
            body_at: made.body_at,
            forbidden: made.forbidden,
            forbidden_out: made.forbidden_out,
            tag_lines: made.tag_lines.clone(),
            links: made.looked.targets[..made.links].to_vec(),
        });
    }

    /// Returns what to write after the build, or `None` when the cache in `out/`
    /// already holds exactly these bodies; leaves this one empty.
    pub fn finish(&mut self) -> Option<Bodies> {
        let mut done = std::mem::take(self);
        if !done.on {
            return None;
        }
        for key in std::mem::take(&mut done.loaded).keys() {
            done.stale[usize::from(bodies::shard_of(key))] = true;
        }
        done.stale.contains(&true).then_some(done)
    }

    /// Writes the shards of the cache that changed into `out_dir` (the build is in
    /// place), in parallel.
    pub fn save(&self, out_dir: &Path) -> Result<()> {
        (0..bodies::SHARDS)
            .into_par_iter()
            .filter(|&n| self.stale[usize::from(n)])
            .try_for_each(|n| self.save_shard(out_dir, n))
    }

    fn save_shard(&self, out_dir: &Path, n: u8) -> Result<()> {
        let file = bodies::shard_file(n);
        if self.made.iter().any(|m| bodies::shard_of(&m.key) == n) {
            return output::write_state_with(out_dir, &file, &mut |w| self.write(w, n));
        }
        // No article of this build is in it: no file, as in a fresh build.
        let path = out_dir.join(&file);
        match fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::io(&path, e)),
            _ => Ok(()),
        }
    }

    /// Writes shard `n`: its articles, in the order of `content/`.
    fn write(&self, w: &mut dyn Write, shard: u8) -> std::io::Result<()> {
        let mine = self
            .made
            .iter()
            .filter(|n| bodies::shard_of(&n.key) == shard);
        let made = mine.map(|n| {
            let a = &n.article;
            let read = Read {
                meta: Cow::Borrowed(&a.meta),
                body_start: n.body_at.0,
                body_line: n.body_at.1,
                warnings: self
                    .read_warnings
                    .get(&n.key)
                    .map_or(&[][..], Vec::as_slice)
                    .into(),
                forbidden: n.forbidden,
            };
            let body = Body {
                read: Some(read),
                html_len: 0,
                forbidden: n.forbidden_out,
                summary_html: a.summary_html.as_str().into(),
                summary_text: a.summary_text.as_str().into(),
                summary_from: a.summary_from,
                raw_html: a.raw_html,
                raw_summary_html: a.raw_summary_html,
                tag_lines: n.tag_lines.as_slice().into(),
                links: n.links.as_slice().into(),
            };
            (n.key, body, a.html.as_str())
        });
        bodies::write(w, made)
    }
}

/// Reads the record of feed parts in `out_dir`: by key, every part of a file whose
/// stamp is the one the build that wrote it saw, and of a file with another stamp the
/// parts whose bytes are still the ones recorded.
fn load_parts(out_dir: &Path) -> HashMap<Key, Arc<KeptPart>> {
    let Some(bytes) = output::read_cache(out_dir, parts::FILE) else {
        return HashMap::new();
    };
    let files: Vec<Vec<(Key, KeptPart)>> = parts::decode(&bytes)
        .into_par_iter()
        .map(|file| {
            let path = out_dir.join(&file.file);
            let now = fs::metadata(&path).ok().map(|m| Stamp::of(&m));
            let parts = match now == Some(file.stamp) {
                true => file.parts,
                false => still_there(&path, file.parts),
            };
            parts
                .into_iter()
                .map(|(key, placed)| (key, KeptPart::in_file(path.clone(), placed)))
                .collect()
        })
        .collect();
    files
        .into_iter()
        .flatten()
        .map(|(key, part)| (key, Arc::new(part)))
        .collect()
}

/// Returns the parts whose bytes in the file at `path` are still those recorded: a
/// file restored from a CI cache, or copied, has new stamps and the same bytes, and
/// its parts need not be made again. Each part is read once, in order.
fn still_there(path: &Path, parts: Vec<(Key, parts::Placed)>) -> Vec<(Key, parts::Placed)> {
    let Ok(mut file) = fs::File::open(path) else {
        return Vec::new();
    };
    let size = file.metadata().map_or(0, |m| m.len());
    let mut bytes = Vec::new();
    let mut same = |placed: &parts::Placed| -> std::io::Result<bool> {
        // A record that names bytes past the end (damaged) is not read at all.
        if placed.offset.saturating_add(placed.len as u64) > size {
            return Ok(false);
        }
        bytes.resize(placed.len, 0);
        file.seek(SeekFrom::Start(placed.offset))?;
        file.read_exact(&mut bytes)?;
        Ok(written_digest(&bytes) == placed.digest)
    };
    parts
        .into_iter()
        .filter(|(_, placed)| same(placed).unwrap_or(false))
        .collect()
}

/// Records where this build's feed parts are, once the build is in `out_dir`.
fn save_parts(out_dir: &Path, placed: PlacedParts) -> Result<()> {
    if placed.is_empty() && !out_dir.join(parts::FILE).exists() {
        return Ok(());
    }
    let mut files = Vec::with_capacity(placed.len());
    for (file, parts) in placed {
        let path = out_dir.join(&file);
        let meta = fs::metadata(&path).map_err(|e| Error::io(&path, e))?;
        files.push(FileParts {
            file,
            stamp: Stamp::of(&meta),
            parts,
        });
    }
    output::write_state_with(out_dir, parts::FILE, &mut |w| parts::write(w, &files))
}

/// The pages (or the listings) the last build rendered into `out/`, and this build's.
#[derive(Default)]
pub(super) struct PlacedPages {
    /// This build uses the record (it writes, and starts with nothing in memory).
    on: bool,
    out_dir: PathBuf,
    /// The record's file under `out/` (`cache::pages`).
    name: &'static str,
    /// By file under `out/`: its page key, stamp, fields looked at and digest.
    last: HashMap<PathBuf, (Key, Stamp, u32, u64)>,
    /// This build's pages: file, key, the stamp of a file left in place, fields, digest.
    now: Vec<(PathBuf, Key, Option<Stamp>, u32, u64)>,
}

/// A page that `out/` already holds: its length, its file's stamp now and the digest
/// of its bytes.
#[derive(Clone, Copy)]
pub(super) struct Held {
    pub len: u64,
    pub stamp: Stamp,
    pub digest: u64,
}

impl PlacedPages {
    /// Reads the record `name` in `out_dir`.
    pub fn load(out_dir: &Path, name: &'static str) -> PlacedPages {
        let last = output::read_cache(out_dir, name)
            .map(|bytes| pages::decode(&bytes))
            .unwrap_or_default();
        PlacedPages {
            on: true,
            out_dir: out_dir.to_owned(),
            name,
            last: last
                .into_iter()
                .map(|(f, k, s, b, d)| (f, (k, s, b, d)))
                .collect(),
            now: Vec::new(),
        }
    }

    /// Does this build use the record?
    pub fn is_on(&self) -> bool {
        self.on
    }

    /// Returns which fields of its articles the listing in `file` looked at when the
    /// last build rendered it.
    pub fn fields(&self, file: &Path) -> Option<u32> {
        self.last.get(file).map(|(_, _, bits, _)| *bits)
    }

    /// Returns `file` as it is when it already holds the page of `key`: the last build
    /// rendered that key there, and the file still has the stamp it left or, with
    /// another stamp (an `out/` restored from a CI cache, or copied), the same bytes.
    pub fn holds(&self, file: &Path, key: &Key) -> Option<Held> {
        let (_, stamp, _, digest) = self.last.get(file).filter(|(k, ..)| k == key)?;
        let path = self.out_dir.join(file);
        let meta = fs::metadata(&path).ok()?;
        let held = Held {
            len: meta.len(),
            stamp: Stamp::of(&meta),
            digest: *digest,
        };
        if held.stamp == *stamp {
            return Some(held);
        }
        let bytes = fs::read(&path).ok()?;
        let same = bytes.len() as u64 == held.len && written_digest(&bytes) == *digest;
        same.then_some(held)
    }

    /// Notes a page of this build, with its file's stamp when it was left in place, the
    /// fields its template looked at and the digest of its bytes.
    pub fn note(
        &mut self,
        file: &Path,
        key: Key,
        in_place: Option<Stamp>,
        (fields, digest): (u32, u64),
    ) {
        if self.on {
            self.now
                .push((file.to_owned(), key, in_place, fields, digest));
        }
    }

    /// Returns the record to write once the build is in place (`None` when the build
    /// did not use one); leaves this one empty.
    pub fn finish(&mut self) -> Option<PlacedPages> {
        Some(std::mem::take(self)).filter(|p| p.on)
    }

    /// Writes the record of this build's pages, with the stamps of their files now.
    pub fn save(&self) -> Result<()> {
        let mut pages = Vec::with_capacity(self.now.len());
        for (file, key, in_place, fields, digest) in &self.now {
            let stamp = match in_place {
                Some(stamp) => *stamp,
                None => {
                    let path = self.out_dir.join(file);
                    Stamp::of(&fs::metadata(&path).map_err(|e| Error::io(&path, e))?)
                }
            };
            pages.push((file.clone(), *key, stamp, *fields, *digest));
        }
        output::write_state_with(&self.out_dir, self.name, &mut |w| pages::write(w, &pages))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memo::KeyHasher;
    use crate::validate::Extent;

    fn placed(offset: u64, text: &str) -> parts::Placed {
        parts::Placed {
            offset,
            len: text.len(),
            extent: Extent::of(text),
            ids: Vec::new(),
            items: 1,
            digest: written_digest(text.as_bytes()),
        }
    }

    #[test]
    fn a_part_is_taken_by_its_bytes_and_a_record_past_the_end_reads_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("atom.xml");
        fs::write(&path, "<feed><entry>a</entry><entry>b</entry></feed>").unwrap();
        let key = |s: &str| KeyHasher::new("t").str(s).finish();
        let mut huge = placed(6, "<entry>a</entry>");
        huge.len = usize::MAX / 2;
        let parts = vec![
            (key("a"), placed(6, "<entry>a</entry>")),
            (key("b"), placed(22, "<entry>c</entry>")),
            // A damaged record naming far more bytes than the file has: refused
            // before any buffer is sized for it.
            (key("huge"), huge),
            (key("late"), placed(1 << 40, "<entry>a</entry>")),
        ];
        let kept: Vec<Key> = still_there(&path, parts)
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        assert_eq!(kept, vec![key("a")]);
        assert!(
            still_there(
                &dir.path().join("gone.xml"),
                vec![(key("a"), placed(6, "x"))]
            )
            .is_empty()
        );
    }
}
