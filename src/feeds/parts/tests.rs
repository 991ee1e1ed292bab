//! Unit tests of making a feed document in parts.

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

/// Serialises `items` as one whole document.
fn whole(ch: &Channel<'_>, kind: FeedKind, items: &[&Entry<'_>]) -> Result<Vec<u8>, String> {
    match kind {
        FeedKind::Rss => rss::write(ch, items),
        FeedKind::Atom => atom::write(ch, items),
        FeedKind::Json => json::write(ch, items),
    }
}

/// A writer of a document (`feed`) of four parts, into memory.
fn four_parts(kind: FeedKind, checked: &CheckedHtml) -> PartWriter<'_, Vec<u8>> {
    let check = DocCheck::new(Path::new("feed"), kind, checked);
    PartWriter::new((kind, "feed".into()), 4, check, Vec::new())
}

/// Writes `items` in parts of two into the file `path`, as a build that records their
/// places does; returns the places of the parts after the first.
fn placed_in_file(
    (ch, kind): (&Channel<'_>, FeedKind),
    items: &[&Entry<'_>],
    checked: &CheckedHtml,
    path: &Path,
) -> Vec<(usize, Placed)> {
    let mut first = four_parts(kind, checked).placing();
    for part in items.chunks(2) {
        first
            .add(&whole(ch, kind, part).unwrap(), part.len())
            .unwrap();
    }
    let placed = first.take_placed();
    let (_, bytes, _) = first.finish().unwrap();
    std::fs::write(path, &bytes).unwrap();
    placed
}

/// Makes one document in parts of `per_part`; returns the bytes, the verdict, and
/// the document made whole.
fn make(fixture: &Fixture, kind: FeedKind, per_part: usize) -> (Vec<u8>, Verdict, Vec<u8>) {
    let made: Vec<Entry<'_>> = (0..7).map(|n| fixture.entry(n)).collect();
    let all: Vec<&Entry<'_>> = made.iter().collect();
    let ch = channel(made[0].updated, Head::of_entries(&all));
    let one = |items: &[&Entry<'_>]| whole(&ch, kind, items);
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
        let one = |items: &[&Entry<'_>]| whole(&ch, kind, items);
        let checked = CheckedHtml::default();
        let writer = || four_parts(kind, &checked);
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
        let one = |items: &[&Entry<'_>]| whole(&ch, kind, items);
        let checked = CheckedHtml::default();
        let writer = || four_parts(kind, &checked);
        let path = dir.path().join(format!("{kind:?}"));
        let placed = placed_in_file((&ch, kind), &all, &checked, &path);
        assert_eq!(
            placed.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
            [1, 2, 3]
        );
        let bytes = std::fs::read(&path).unwrap();
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

/// A problem in a part made after a part kept in its file is placed in the file as in
/// the whole document: the kept part's recorded extent stands in for its text.
#[test]
fn problems_after_a_kept_part_are_placed_by_its_extent() {
    let (plain, same) = (Fixture::new(false), Fixture::new(true));
    let dir = tempfile::tempdir().unwrap();
    for kind in [FeedKind::Rss, FeedKind::Atom, FeedKind::Json] {
        let (a, b): (Vec<Entry<'_>>, Vec<Entry<'_>>) =
            (0..7).map(|n| (plain.entry(n), same.entry(n))).unzip();
        let (all_a, all_b): (Vec<&Entry<'_>>, Vec<&Entry<'_>>) =
            (a.iter().collect(), b.iter().collect());
        let ch = channel(a[0].updated, Head::of_entries(&all_a));
        let one = |items: &[&Entry<'_>]| whole(&ch, kind, items).unwrap();
        let checked = CheckedHtml::default();
        let path = dir.path().join(format!("{kind:?}"));
        let placed = placed_in_file((&ch, kind), &all_a, &checked, &path);
        // Items 2 and 3 are the same in both fixtures; item 5 takes item 1's ID.
        let mut again = four_parts(kind, &checked);
        again.add(&one(&all_b[..2]), 2).unwrap();
        let kept = KeptPart::in_file(path.clone(), placed[0].1.clone());
        again.add_kept(&kept).unwrap();
        for part in all_b[4..].chunks(2) {
            again.add(&one(part), part.len()).unwrap();
        }
        let (_, _, verdict) = again.finish().unwrap();
        let whole_errors = validate::check(Path::new("feed"), kind, &one(&all_b)).unwrap_err();
        let shown = |e: &[Error]| e.iter().map(Error::to_string).collect::<Vec<_>>();
        let part_errors = verdict.unwrap_err();
        assert_eq!(shown(&part_errors), shown(&whole_errors), "{kind:?}");
        assert!(shown(&part_errors)[0].contains("appears twice"));
    }
}
