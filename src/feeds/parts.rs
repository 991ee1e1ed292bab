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

use std::ops::Range;
use std::path::PathBuf;

use super::kept::KeptPart;
use crate::cache::parts::Placed;
use crate::error::{Error, Location, Result};
use crate::urls::FeedKind;
use crate::validate::DocCheck;

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

    /// Notes a part written from here on, at place `place`.
    fn note(&mut self, place: usize, len: usize, (ids, items): (Vec<String>, usize)) {
        if self.place && place > 0 {
            let offset = self.written;
            self.placed.push((
                place,
                Placed {
                    offset,
                    len,
                    ids,
                    items,
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
        if self.keep && place > 0 {
            let text = String::from_utf8(doc[span.clone()].to_vec());
            let span = text.map_err(|_| self.misfit("a part is not UTF-8"))?;
            let kept = KeptPart::held(span, ids.clone(), items);
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
        self.note(place, span.len(), (ids, items));
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
        let text = part.text(open, close)?;
        self.verdict = self.check.kept_part(&text, part.ids(), part.items());
        if self.verdict.is_err() {
            return Ok(());
        }
        if self.kind == FeedKind::Json {
            self.put(b",")?;
        }
        self.note(place, text.len(), (part.ids().to_vec(), part.items()));
        self.put(text.as_bytes())
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
mod tests {
    use std::path::Path;

    use chrono::DateTime;

    use super::super::{Archive, Channel, Entry, Head, atom, json, rss};
    use super::*;
    use crate::config::Person;
    use crate::model::Image;
    use crate::validate::{self, CheckedHtml};

    struct Fixture {
        ids: Vec<String>,
        authors: [Person; 1],
        image: Image,
    }

    impl Fixture {
        /// Seven items; `same` gives items 1 and 5 one ID.
        fn new(same: bool) -> Fixture {
            let id = |n: usize| match (same, n) {
                (true, 5) => "https://example.org/1/".to_owned(),
                _ => format!("https://example.org/{n}/"),
            };
            Fixture {
                ids: (0..7).map(id).collect(),
                authors: [Person {
                    name: "Li Wei".into(),
                    email: None,
                    uri: None,
                }],
                image: Image {
                    url: "https://example.org/3/photo.jpg".into(),
                    mime_type: Some("image/jpeg".into()),
                    length: Some(1234),
                    caption: Some("A mine".into()),
                    credit: Some("VCG".into()),
                },
            }
        }

        /// The items that decide a head (an image, a summary, no author) are one each.
        fn entry(&self, n: usize) -> Entry<'_> {
            let date = DateTime::parse_from_rfc3339("2024-05-30T13:46:00+08:00").unwrap();
            // Content may hold what looks like an item's own tags (raw HTML).
            let content = format!("<p>Item {n} &amp; more</p>\n<item>raw</item></entry>\n");
            Entry {
                id: &self.ids[n],
                id_is_permalink: true,
                title: format!("Title {n}"),
                link: &self.ids[n],
                related: None,
                published: date,
                updated: date,
                authors: if n == 2 { &[] } else { &self.authors },
                categories: vec!["Rare earths"],
                lang: None,
                summary_html: (n == 4).then(|| "<p>Short.</p>".to_owned()),
                summary_text: (n == 4).then(|| "Short.".to_owned()),
                content_html: Some(content),
                image: (n == 3).then_some(&self.image),
                enclosure: None,
            }
        }
    }

    fn channel(updated: crate::dates::Date, head: Head) -> Channel<'static> {
        Channel {
            title: "News".into(),
            description: "Digest".into(),
            language: Some("en"),
            home: "https://example.org/".into(),
            self_url: "https://example.org/feed".into(),
            updated,
            author: None,
            hub: None,
            archive: Archive::default(),
            head,
        }
    }

    /// Makes one document in parts of `per_part`; returns the bytes, the verdict, and
    /// the document made whole.
    fn make(fixture: &Fixture, kind: FeedKind, per_part: usize) -> (Vec<u8>, Verdict, Vec<u8>) {
        let made: Vec<Entry<'_>> = (0..7).map(|n| fixture.entry(n)).collect();
        let all: Vec<&Entry<'_>> = made.iter().collect();
        let ch = channel(made[0].updated, Head::of_entries(&all));
        let one = |items: &[&Entry<'_>]| match kind {
            FeedKind::Rss => rss::write(&ch, items),
            FeedKind::Atom => atom::write(&ch, items),
            FeedKind::Json => json::write(&ch, items),
        };
        let checked = CheckedHtml::default();
        let check = DocCheck::new(Path::new("feed"), kind, &checked);
        let parts = all.len().div_ceil(per_part);
        let mut w = PartWriter::new((kind, "feed".into()), parts, check, Vec::new());
        for part in all.chunks(per_part) {
            w.add(&one(part).unwrap(), part.len()).unwrap();
        }
        let (_, out, verdict) = w.finish().unwrap();
        (out, verdict, one(&all).unwrap())
    }

    #[test]
    fn parts_are_counted_from_the_oldest_item() {
        let lens = |n: usize| {
            let items: Vec<usize> = (0..n).collect();
            cut(&items).map(<[usize]>::len).collect::<Vec<_>>()
        };
        assert_eq!(lens(450), [50, 200, 200]);
        assert_eq!(lens(400), [200, 200]);
        assert_eq!(lens(5), [5]);
        assert_eq!(lens(0), [0]);
        let items: Vec<usize> = (0..401).collect();
        assert_eq!(cut(&items).last().map(|p| p[0]), Some(201));
    }

    #[test]
    fn parts_join_into_the_whole_document() {
        let fixture = Fixture::new(false);
        for kind in [FeedKind::Rss, FeedKind::Atom, FeedKind::Json] {
            for per_part in [1, 2, 3, 6, 7, 200] {
                let (out, verdict, whole) = make(&fixture, kind, per_part);
                assert!(
                    verdict.is_ok(),
                    "{kind:?} in parts of {per_part}: {verdict:?}"
                );
                assert_eq!(
                    String::from_utf8_lossy(&out),
                    String::from_utf8_lossy(&whole),
                    "{kind:?} in parts of {per_part}"
                );
            }
        }
    }

    /// Parts an earlier writer kept join the first part, made anew, into the same
    /// document; their IDs are checked against the others'.
    #[test]
    fn kept_parts_are_written_as_they_were() {
        let fixture = Fixture::new(false);
        let made: Vec<Entry<'_>> = (0..7).map(|n| fixture.entry(n)).collect();
        let all: Vec<&Entry<'_>> = made.iter().collect();
        let ch = channel(made[0].updated, Head::of_entries(&all));
        for kind in [FeedKind::Rss, FeedKind::Atom, FeedKind::Json] {
            let one = |items: &[&Entry<'_>]| match kind {
                FeedKind::Rss => rss::write(&ch, items),
                FeedKind::Atom => atom::write(&ch, items),
                FeedKind::Json => json::write(&ch, items),
            };
            let checked = CheckedHtml::default();
            let writer = || {
                let check = DocCheck::new(Path::new("feed"), kind, &checked);
                PartWriter::new((kind, "feed".into()), 4, check, Vec::new())
            };
            let mut first = writer().keeping();
            for part in all.chunks(2) {
                first.add(&one(part).unwrap(), part.len()).unwrap();
            }
            let kept = first.take_kept();
            assert_eq!(kept.iter().map(|(n, _)| *n).collect::<Vec<_>>(), [1, 2, 3]);
            // The first part made again, then the kept ones: the whole document.
            let mut again = writer();
            again.add(&one(&all[..2]).unwrap(), 2).unwrap();
            kept.iter()
                .for_each(|(_, part)| again.add_kept(part).unwrap());
            let (_, out, verdict) = again.finish().unwrap();
            assert!(verdict.is_ok(), "{verdict:?}");
            let whole = one(&all).unwrap();
            assert_eq!(
                String::from_utf8_lossy(&out),
                String::from_utf8_lossy(&whole)
            );
            // A first part that now holds item 2, which a kept part holds too.
            let mut clash = writer();
            clash.add(&one(&[all[2], all[0]]).unwrap(), 2).unwrap();
            kept.iter()
                .for_each(|(_, part)| clash.add_kept(part).unwrap());
            let errors = clash.finish().unwrap().2.unwrap_err();
            assert!(
                errors[0]
                    .to_string()
                    .contains("`https://example.org/2/` appears twice")
            );
        }
    }

    /// Where a placing writer says each part went is where it is in the file: parts
    /// read back from there join a first part made anew into the whole document, and
    /// a part whose bytes are no longer items there is refused.
    #[test]
    fn placed_parts_read_back_from_their_file_make_the_document() {
        let fixture = Fixture::new(false);
        let made: Vec<Entry<'_>> = (0..7).map(|n| fixture.entry(n)).collect();
        let all: Vec<&Entry<'_>> = made.iter().collect();
        let ch = channel(made[0].updated, Head::of_entries(&all));
        let dir = tempfile::tempdir().unwrap();
        for kind in [FeedKind::Rss, FeedKind::Atom, FeedKind::Json] {
            let one = |items: &[&Entry<'_>]| match kind {
                FeedKind::Rss => rss::write(&ch, items),
                FeedKind::Atom => atom::write(&ch, items),
                FeedKind::Json => json::write(&ch, items),
            };
            let checked = CheckedHtml::default();
            let writer = || {
                let check = DocCheck::new(Path::new("feed"), kind, &checked);
                PartWriter::new((kind, "feed".into()), 4, check, Vec::new())
            };
            let mut first = writer().placing();
            for part in all.chunks(2) {
                first.add(&one(part).unwrap(), part.len()).unwrap();
            }
            let placed = first.take_placed();
            let (_, bytes, _) = first.finish().unwrap();
            assert_eq!(
                placed.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
                [1, 2, 3]
            );
            let path = dir.path().join(format!("{kind:?}"));
            std::fs::write(&path, &bytes).unwrap();
            let in_file = |p: &Placed| KeptPart::in_file(path.clone(), p.clone());
            let mut again = writer();
            again.add(&one(&all[..2]).unwrap(), 2).unwrap();
            for (_, p) in &placed {
                again.add_kept(&in_file(p)).unwrap();
            }
            let (_, out, verdict) = again.finish().unwrap();
            assert!(verdict.is_ok(), "{verdict:?}");
            assert_eq!(out, one(&all).unwrap(), "{kind:?}");
            // The file has moved on: the recorded place now holds other bytes.
            std::fs::write(&path, &bytes[3..]).unwrap();
            let mut moved = writer();
            moved.add(&one(&all[..2]).unwrap(), 2).unwrap();
            let refused = moved.add_kept(&in_file(&placed[0].1)).unwrap_err();
            assert!(refused.to_string().contains("changed since"), "{refused}");
        }
    }

    /// An ID repeated in another part is found, and reported where it is in the file.
    #[test]
    fn the_check_sees_across_parts_and_places_problems_in_the_file() {
        let fixture = Fixture::new(true);
        for kind in [FeedKind::Rss, FeedKind::Atom, FeedKind::Json] {
            let (out, verdict, whole) = make(&fixture, kind, 2);
            let whole_errors = validate::check(Path::new("feed"), kind, &whole).unwrap_err();
            let part_errors = verdict.unwrap_err();
            let shown = |e: &[Error]| e.iter().map(Error::to_string).collect::<Vec<_>>();
            assert_eq!(shown(&part_errors), shown(&whole_errors), "{kind:?}");
            assert!(shown(&part_errors)[0].contains("appears twice"));
            assert!(
                out.len() < whole.len(),
                "{kind:?}: stops at the failing part"
            );
        }
    }
}
