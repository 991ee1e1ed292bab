//! Compares the feeds of two builds, or two feed files, item by item.
//!
//! Owns: reading published feeds back with a real parser (`feed-rs`, the only module
//! that uses it) and the comparison: items added, removed, changed, and — the reason
//! this exists — items whose ID changed (same link, another ID): a reader shows such an
//! item again as new, so `mdfeed diff` exits non-zero and a deploy can be stopped.
//! Does not: write anything.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use feed_rs::model::{Entry, FeedType};
use feed_rs::parser;

use crate::error::{Error, Location, Result};

/// What one item looks like to a reader.
#[derive(Debug, Clone, PartialEq)]
struct Item {
    id: String,
    title: String,
    link: String,
    published: Option<String>,
    updated: Option<String>,
    summary: String,
    content: String,
}

impl Item {
    fn from_entry(e: &Entry) -> Item {
        Item {
            id: e.id.clone(),
            title: e
                .title
                .as_ref()
                .map(|t| t.content.clone())
                .unwrap_or_default(),
            link: e.links.first().map(|l| l.href.clone()).unwrap_or_default(),
            published: e.published.map(|d| d.to_rfc3339()),
            updated: e.updated.map(|d| d.to_rfc3339()),
            summary: e
                .summary
                .as_ref()
                .map(|t| t.content.clone())
                .unwrap_or_default(),
            content: e
                .content
                .as_ref()
                .and_then(|c| c.body.clone())
                .unwrap_or_default(),
        }
    }

    fn changed_fields(&self, new: &Item) -> Vec<&'static str> {
        let fields = [
            ("title", self.title == new.title),
            ("link", self.link == new.link),
            ("published", self.published == new.published),
            ("updated", self.updated == new.updated),
            ("summary", self.summary == new.summary),
            ("content", self.content == new.content),
        ];
        fields
            .iter()
            .filter(|(_, same)| !same)
            .map(|(f, _)| *f)
            .collect()
    }
}

/// The differences in one feed format.
#[derive(Debug, Default)]
pub struct FormatDiff {
    added: Vec<Item>,
    removed: Vec<Item>,
    changed: Vec<(Item, Vec<&'static str>)>,
    /// (old, new): same link, different ID.
    id_changed: Vec<(Item, Item)>,
    unchanged: usize,
}

/// The differences between two builds, by feed format.
#[derive(Debug, Default)]
pub struct Report {
    formats: BTreeMap<String, FormatDiff>,
}

impl Report {
    /// Returns true when some item keeps its link but changed its ID.
    pub fn ids_changed(&self) -> bool {
        self.id_changes() > 0
    }

    /// Returns how many items changed their ID, over all formats.
    pub fn id_changes(&self) -> usize {
        self.formats.values().map(|f| f.id_changed.len()).sum()
    }

    /// Returns (added, removed, changed) over all formats, for tests and summaries.
    pub fn counts(&self) -> (usize, usize, usize) {
        self.formats.values().fold((0, 0, 0), |(a, r, c), f| {
            (a + f.added.len(), r + f.removed.len(), c + f.changed.len())
        })
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (format, d) in &self.formats {
            writeln!(
                f,
                "{format}: {} added, {} removed, {} changed, {} ID changed, {} unchanged",
                d.added.len(),
                d.removed.len(),
                d.changed.len(),
                d.id_changed.len(),
                d.unchanged
            )?;
            for (old, new) in &d.id_changed {
                writeln!(
                    f,
                    "  ID CHANGED  {}  `{}` -> `{}`  \"{}\"",
                    new.link, old.id, new.id, new.title
                )?;
            }
            for i in &d.added {
                writeln!(f, "  added       {}  \"{}\"", i.id, i.title)?;
            }
            for i in &d.removed {
                writeln!(f, "  removed     {}  \"{}\"", i.id, i.title)?;
            }
            for (i, fields) in &d.changed {
                writeln!(f, "  changed     {}  ({})", i.id, fields.join(", "))?;
            }
        }
        Ok(())
    }
}

/// Items of every feed under a path, by format, then by ID.
type Items = BTreeMap<String, BTreeMap<String, Item>>;

/// Compares `old` and `new`: two output folders (every feed in them, archives and tag
/// feeds included) or two feed files.
pub fn compare(old: &Path, new: &Path) -> Result<Report> {
    let (old, new) = (load(old)?, load(new)?);
    let mut report = Report::default();
    let formats: std::collections::BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    let empty = BTreeMap::new();
    for format in formats {
        let o = old.get(format).unwrap_or(&empty);
        let n = new.get(format).unwrap_or(&empty);
        report.formats.insert(format.clone(), compare_items(o, n));
    }
    Ok(report)
}

fn compare_items(old: &BTreeMap<String, Item>, new: &BTreeMap<String, Item>) -> FormatDiff {
    let mut d = FormatDiff::default();
    let mut removed: BTreeMap<&str, &Item> = old
        .values()
        .filter(|i| !new.contains_key(&i.id))
        .map(|i| (i.link.as_str(), i))
        .collect();
    for (id, item) in new {
        match old.get(id) {
            Some(before) => {
                let fields = before.changed_fields(item);
                match fields.is_empty() {
                    true => d.unchanged += 1,
                    false => d.changed.push((item.clone(), fields)),
                }
            }
            None => match removed
                .remove(item.link.as_str())
                .filter(|_| !item.link.is_empty())
            {
                Some(before) => d.id_changed.push((before.clone(), item.clone())),
                None => d.added.push(item.clone()),
            },
        }
    }
    d.removed = removed.into_values().cloned().collect();
    d.removed.sort_by(|a, b| a.id.cmp(&b.id));
    d
}

fn format_name(t: &FeedType) -> String {
    match t {
        FeedType::Atom => "atom".into(),
        FeedType::JSON => "json".into(),
        FeedType::RSS0 | FeedType::RSS1 | FeedType::RSS2 => "rss".into(),
    }
}

/// Reads one feed file, or every `*.xml` / `*.json` feed under a folder (files that
/// are not feeds, such as a sitemap, are skipped).
fn load(path: &Path) -> Result<Items> {
    let mut items = Items::new();
    if path.is_dir() {
        let mut files = Vec::new();
        walk(path, &mut files)?;
        for file in files {
            let bytes = std::fs::read(&file).map_err(|e| Error::io(&file, e))?;
            if let Ok(feed) = parser::parse(bytes.as_slice()) {
                add(&mut items, &feed);
            }
        }
        return Ok(items);
    }
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let feed = parser::parse(bytes.as_slice())
        .map_err(|e| Error::at(Location::file(path), format!("not a feed: {e}")))?;
    add(&mut items, &feed);
    Ok(items)
}

fn add(items: &mut Items, feed: &feed_rs::model::Feed) {
    let by_id = items.entry(format_name(&feed.feed_type)).or_default();
    for e in &feed.entries {
        // The same item is in the site feed and in its tags' feeds: the first one counts.
        by_id
            .entry(e.id.clone())
            .or_insert_with(|| Item::from_entry(e));
    }
}

/// Lists feed-like files under `dir` in path order.
fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .map(|e| e.map(|e| e.path()).map_err(|err| Error::io(dir, err)))
        .collect::<Result<_>>()?;
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out)?;
        } else if matches!(p.extension().and_then(|e| e.to_str()), Some("xml" | "json")) {
            out.push(p);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rss(items: &[(&str, &str, &str)]) -> String {
        let items: String = items
            .iter()
            .map(|(id, link, title)| {
                format!("<item><title>{title}</title><link>{link}</link><guid isPermaLink=\"false\">{id}</guid><pubDate>Mon, 01 Jan 2024 00:00:00 +0000</pubDate></item>")
            })
            .collect();
        format!(
            "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>T</title><link>https://e.org/</link><description>D</description>{items}</channel></rss>"
        )
    }

    fn diff(old: &str, new: &str) -> Report {
        let dir = tempfile::tempdir().unwrap();
        let (o, n) = (dir.path().join("old.xml"), dir.path().join("new.xml"));
        std::fs::write(&o, old).unwrap();
        std::fs::write(&n, new).unwrap();
        compare(&o, &n).unwrap()
    }

    #[test]
    fn an_id_change_is_flagged_not_counted_as_new() {
        let old = rss(&[
            ("1", "https://e.org/a/", "A"),
            ("2", "https://e.org/b/", "B"),
        ]);
        let new = rss(&[
            ("1", "https://e.org/a/", "A!"),
            ("9", "https://e.org/b/", "B"),
            ("3", "https://e.org/c/", "C"),
        ]);
        let r = diff(&old, &new);
        assert!(r.ids_changed());
        assert_eq!(r.id_changes(), 1);
        assert_eq!(r.counts(), (1, 0, 1));
        let text = r.to_string();
        assert!(
            text.contains("ID CHANGED  https://e.org/b/  `2` -> `9`"),
            "{text}"
        );
        assert!(text.contains("changed     1  (title)"), "{text}");
    }

    #[test]
    fn same_feeds_have_no_differences_and_junk_is_an_error() {
        let feed = rss(&[("1", "https://e.org/a/", "A")]);
        let r = diff(&feed, &feed);
        assert!(!r.ids_changed());
        assert_eq!(r.counts(), (0, 0, 0));
        let dir = tempfile::tempdir().unwrap();
        let junk = dir.path().join("x.xml");
        std::fs::write(&junk, "<html/>").unwrap();
        let e = compare(&junk, &junk).unwrap_err().to_string();
        assert!(e.contains("x.xml:1:1: error: not a feed"), "{e}");
    }
}
