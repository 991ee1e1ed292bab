//! Makes a large feed document in parts, so that it is never held whole in memory.
//!
//! Owns: cutting a document's items into parts, finding the items in each serialised
//! part, and joining the parts into the bytes the whole document would have. A site
//! feed with every article in full is tens of megabytes per format at 10,000 articles,
//! and was the largest thing a build held (with its copies: half the peak memory).
//!
//! Each part is serialised as a whole document holding some of the items (the format
//! modules decide its head from all the items, so every part has the same head and
//! tail), checked by `validate::DocCheck`, and only its items go to the sink: the first
//! part's head, every part's items, then the tail. A document with few items is one
//! part, serialised and checked as it always was.

use std::fs::File;
use std::io::Read;
use std::ops::Range;
use std::path::{Path, PathBuf};

use super::kept::{KeptPart, Opened};
use crate::cache::parts::Placed;
use crate::cache::written_digest;
use crate::error::{Error, Location, Result};
use crate::urls::FeedKind;
use crate::validate::{DocCheck, Extent};

/// Items per part: a part of full-content items is a megabyte or two.
pub(super) const PART_ITEMS: usize = 200;

/// Cuts a document's items (newest first) into parts, counted from the oldest: the
/// first part holds the rest of the division. A new article then changes only the
/// first part, which is always made anew, and the memo's parts still fit the others.
/// A document without items is one empty part (the feed of a site with no articles).
pub(super) fn cut(items: &[usize]) -> impl Iterator<Item = &[usize]> {
    let empty = items.is_empty().then_some(items);
    items.rchunks(PART_ITEMS).rev().chain(empty)
}

/// What the self-check said of a document.
pub type Verdict = std::result::Result<(), Vec<Error>>;

/// Receives a new feed document, piece after piece, in order: memory (`Vec<u8>`), or
/// a file of the build's spool.
pub trait Sink: Send {
    /// Appends `bytes` to the document.
    fn put(&mut self, bytes: &[u8]) -> Result<()>;

    /// Appends at most the next `len` bytes of `file` (at `path`); returns how many
    /// there were. A sink that is a file copies them file to file, not through memory.
    fn put_file(&mut self, file: &mut File, len: u64, path: &Path) -> Result<u64> {
        let mut bytes = Vec::new();
        file.take(len)
            .read_to_end(&mut bytes)
            .map_err(|e| Error::io(path, e))?;
        self.put(&bytes)?;
        Ok(bytes.len() as u64)
    }
}

impl Sink for Vec<u8> {
    fn put(&mut self, bytes: &[u8]) -> Result<()> {
        self.extend_from_slice(bytes);
        Ok(())
    }
}

/// JSON Feed's items are the last member, pretty-printed at this indent.
const JSON_ITEMS: &[u8] = b"\n  \"items\": [";
const JSON_END: &[u8] = b"\n  ]\n}\n";

/// One document being made in parts, into its sink.
pub(super) struct PartWriter<'c, S> {
    kind: FeedKind,
    file: PathBuf,
    check: DocCheck<'c>,
    sink: S,
    /// The document is a single part, made and checked as a whole.
    single: bool,
    /// The first part's head and tail, which every later part must repeat.
    frame: Option<(Vec<u8>, Vec<u8>)>,
    verdict: Verdict,
    /// Keep the parts made (after the first) for the memo, by their place.
    keep: bool,
    next: usize,
    kept: Vec<(usize, KeptPart)>,
    /// Note where each part after the first is written (for `out/.mdfeed-cache/feeds`).
    place: bool,
    placed: Vec<(usize, Placed)>,
    /// Bytes put into the sink so far.
    written: u64,
}

impl<'c, S: Sink> PartWriter<'c, S> {
    /// Starts document `file` (under `out/`), to be made of `parts` parts.
    pub fn new(
        (kind, file): (FeedKind, PathBuf),
        parts: usize,
        check: DocCheck<'c>,
        sink: S,
    ) -> Self {
        PartWriter {
            kind,
            file,
            check,
            sink,
            single: parts <= 1,
            frame: None,
            verdict: Ok(()),
            keep: false,
            next: 0,
            kept: Vec::new(),
            place: false,
            placed: Vec::new(),
            written: 0,
        }
    }

    /// Makes the writer note where each part after the first goes (see `take_placed`).
    pub fn placing(mut self) -> Self {
        self.place = !self.single;
        self
    }

    /// Appends to the document, counting.
    fn put(&mut self, bytes: &[u8]) -> Result<()> {
        self.written += bytes.len() as u64;
        self.sink.put(bytes)
    }

    /// Notes a part written from here on, at place `place`: `len` bytes of `extent`.
    /// `digest` gives the digest of its bytes, taken only when noted.
    fn note(
        &mut self,
        place: usize,
        (len, extent, digest): (usize, Extent, &dyn Fn() -> u64),
        (ids, items): (Vec<String>, usize),
    ) {
        if self.place && place > 0 {
            let offset = self.written;
            self.placed.push((
                place,
                Placed {
                    offset,
                    len,
                    extent,
                    ids,
                    items,
                    digest: digest(),
                },
            ));
        }
    }

    /// Makes the writer keep each part it makes after the first (see `take_kept`).
    pub fn keeping(mut self) -> Self {
        self.keep = !self.single;
        self
    }

    /// Adds the next part: `doc`, a whole document holding the part's `items` items.
    /// Once a part fails the check, the rest are not written.
    pub fn add(&mut self, doc: &[u8], items: usize) -> Result<()> {
        if self.verdict.is_err() {
            return Ok(());
        }
        if self.single {
            self.verdict = self.check.part(doc, 0..doc.len(), items);
            return self.put(doc);
        }
        let span = item_span(self.kind, doc).ok_or_else(|| self.misfit("no items found"))?;
        self.verdict = self.check.part(doc, span.clone(), items);
        if self.verdict.is_err() {
            return Ok(());
        }
        let place = self.next;
        self.next += 1;
        let ids = match (self.keep || self.place) && place > 0 {
            true => self.check.part_ids(),
            false => Vec::new(),
        };
        // Taken once, only by a build that records where its parts go; a part kept in
        // memory too (`build --watch`) holds it for when it is written again.
        let digest = (self.place && place > 0).then(|| written_digest(&doc[span.clone()]));
        if self.keep && place > 0 {
            let text = String::from_utf8(doc[span.clone()].to_vec());
            let span = text.map_err(|_| self.misfit("a part is not UTF-8"))?;
            let kept = KeptPart::held(span, ids.clone(), items, digest);
            self.kept.push((place, kept));
        }
        let (head, tail) = (&doc[..span.start], &doc[span.end..]);
        match &self.frame {
            None => {
                self.put(head)?;
                self.frame = Some((head.to_vec(), tail.to_vec()));
            }
            Some((h, t)) if h == head && t == tail => {
                if self.kind == FeedKind::Json {
                    self.put(b",")?;
                }
            }
            Some(_) => return Err(self.misfit("their heads differ")),
        }
        let extent = self.check.part_extent();
        let digest = || digest.unwrap_or_else(|| written_digest(&doc[span.clone()]));
        self.note(place, (span.len(), extent, &digest), (ids, items));
        self.put(&doc[span])
    }

    /// Adds the next part from an earlier build (never the first: it gives the head).
    pub fn add_kept(&mut self, part: &KeptPart) -> Result<()> {
        if self.verdict.is_err() {
            return Ok(());
        }
        if self.frame.is_none() {
            return Err(self.misfit("a kept part came first"));
        }
        let place = self.next;
        self.next += 1;
        let (open, close) = item_ends(self.kind);
        let opened = part.open(open, close)?;
        let extent = part.extent();
        self.verdict = self.check.kept_part(extent, part.ids(), part.items());
        if self.verdict.is_err() {
            return Ok(());
        }
        if self.kind == FeedKind::Json {
            self.put(b",")?;
        }
        let noted = (part.ids().to_vec(), part.items());
        self.note(place, (part.byte_len(), extent, &|| part.digest()), noted);
        match opened {
            Opened::Text(text) => self.put(text.as_bytes()),
            Opened::File {
                mut file,
                path,
                len,
            } => {
                let copied = self.sink.put_file(&mut file, len, path)?;
                self.written += copied;
                if copied != len {
                    let msg = "ends before the part recorded in .mdfeed-cache/feeds".to_owned();
                    return Err(Error::at(Location::file(path), msg));
                }
                Ok(())
            }
        }
    }

    /// Returns the parts made since the last call, with their places, when `keeping`.
    pub fn take_kept(&mut self) -> Vec<(usize, KeptPart)> {
        std::mem::take(&mut self.kept)
    }

    /// Returns where each part after the first went, with its place, when `placing`.
    pub fn take_placed(&mut self) -> Vec<(usize, Placed)> {
        std::mem::take(&mut self.placed)
    }

    /// The document's format.
    pub fn kind(&self) -> FeedKind {
        self.kind
    }

    /// The document's file, under `out/`.
    pub fn file(&self) -> &std::path::Path {
        &self.file
    }

    /// Ends the document; returns its file, its sink and what the check said.
    pub fn finish(mut self) -> Result<(PathBuf, S, Verdict)> {
        if let Some((_, tail)) = self.frame.take().filter(|_| self.verdict.is_ok()) {
            self.put(&tail)?;
        }
        Ok((self.file, self.sink, self.verdict))
    }

    /// Returns an error about this document.
    pub fn error(&self, msg: String) -> Error {
        Error::at(Location::file(&self.file), msg)
    }

    fn misfit(&self, what: &str) -> Error {
        self.error(format!(
            "the parts of this feed do not fit together ({what}); this is a bug in mdfeed"
        ))
    }
}

/// Returns where a serialised document's items are: from the first item's start tag to
/// the last one's end tag (text in the head is escaped, so the first such tag is an
/// item's; the tail holds no text), or inside JSON Feed's `items` array.
fn item_span(kind: FeedKind, doc: &[u8]) -> Option<Range<usize>> {
    if kind == FeedKind::Json {
        let start = find(doc, JSON_ITEMS)? + JSON_ITEMS.len();
        let end = doc.len().checked_sub(JSON_END.len())?;
        return (doc[end..] == *JSON_END && start < end).then_some(start..end);
    }
    let (open, close) = item_ends(kind);
    let start = find(doc, open)?;
    let end = doc.windows(close.len()).rposition(|w| w == close)? + close.len();
    (start < end).then_some(start..end)
}

/// Returns how a run of items begins and ends in each format (JSON Feed's items are
/// pretty-printed objects).
fn item_ends(kind: FeedKind) -> (&'static [u8], &'static [u8]) {
    match kind {
        FeedKind::Rss => (b"<item>", b"</item>"),
        FeedKind::Atom => (b"<entry>", b"</entry>"),
        FeedKind::Json => (b"\n    {", b"}"),
    }
}

fn find(doc: &[u8], what: &[u8]) -> Option<usize> {
    doc.windows(what.len()).position(|w| w == what)
}

#[cfg(test)]
mod tests;
