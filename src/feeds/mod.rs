//! Builds the site's feeds from the model.
//!
//! Owns: what goes into a feed document (the `Channel` and `Entry` views that every
//! format shares, the content policy), the characters XML forbids, and the
//! `<?xml-stylesheet?>` processing instruction. `docs` decides which documents exist
//! (the site's, one per tag and category, and their RFC 5005 archive pages) and keeps
//! their memo; `paging` decides which items go on which page; `make` makes a page's
//! documents and `parts` cuts a large one into parts that are never held whole; each
//! format module only serialises the views.

mod atom;
mod docs;
mod json;
mod kept;
mod links;
mod make;
mod paging;
mod parts;
mod rss;

use std::borrow::Cow;
use std::path::PathBuf;
use std::sync::Arc;

use memchr::memchr_iter;
use quick_xml::escape::escape;

use crate::config::{ContentPolicy, Person};
use crate::dates::Date;
use crate::error::{Error, Location, Result};
use crate::memo::Key;
use crate::model::{Article, Enclosure, Image};
use crate::urls::{FeedKind, Urls};
use crate::validate::CheckedHtml;

pub use docs::{FeedMemo, build, build_with};
pub use kept::KeptPart;
pub(crate) use links::relative_urls;
pub use parts::{Sink, Verdict};

/// One feed document.
#[derive(Debug)]
pub struct Feed<S> {
    /// Output path under `out/`.
    pub file: PathBuf,
    /// Its format.
    pub kind: FeedKind,
    /// Its bytes.
    pub body: FeedBody<S>,
    /// The memo key of the document.
    pub(crate) key: Key,
}

/// Where a feed document's bytes are.
#[derive(Debug)]
pub enum FeedBody<S> {
    /// Taken from the memo: an earlier build made and checked it.
    Held(Arc<Vec<u8>>),
    /// Made by this build into the sink, with what the self-check said of it.
    Made(S, Verdict),
}

/// RFC 5005 links of one feed document.
#[derive(Default)]
pub(crate) struct Archive {
    /// The next older archive page (`prev-archive`; JSON Feed `next_url`).
    prev: Option<String>,
    /// The next newer archive page (`next-archive`).
    next: Option<String>,
    /// The subscription document, on an archive page (`current`).
    current: Option<String>,
}

/// The feed-level data every format needs.
pub(crate) struct Channel<'a> {
    title: String,
    description: String,
    language: Option<&'a str>,
    /// The HTML page this feed follows (the home page, or a tag's page).
    home: String,
    self_url: String,
    updated: Date,
    author: Option<&'a Person>,
    hub: Option<&'a str>,
    archive: Archive,
    head: Head,
}

/// What a document's head declares for its items: decided from its articles before any
/// entry is made, so that every part of a document made in parts has the same head.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Head {
    /// Some item has a featured image (RSS declares the Media RSS namespace).
    images: bool,
    /// Some item has a summary and the full text (RSS declares `content:`).
    both_texts: bool,
    /// Some item has no author (Atom: the feed then needs one of its own).
    anonymous: bool,
}

impl Head {
    /// Returns the head of a document of these articles.
    fn of<'a>(articles: impl IntoIterator<Item = &'a Article>, policy: ContentPolicy) -> Head {
        articles.into_iter().fold(Head::default(), |h, a| {
            let chosen = choice(a, policy);
            Head {
                images: h.images || a.image.is_some(),
                both_texts: h.both_texts || (chosen.summary && chosen.full),
                anonymous: h.anonymous || a.meta.authors.is_empty(),
            }
        })
    }
}

#[cfg(test)]
impl Head {
    /// Returns the head of a document of these entries (for tests that make entries
    /// without articles).
    fn of_entries(entries: &[&Entry<'_>]) -> Head {
        Head {
            images: entries.iter().any(|e| e.image.is_some()),
            both_texts: entries
                .iter()
                .any(|e| e.summary_html.is_some() && e.content_html.is_some()),
            anonymous: entries.iter().any(|e| e.authors.is_empty()),
        }
    }
}

/// Which texts an article's entry carries.
struct Choice {
    summary: bool,
    full: bool,
}

/// One policy for every format; an article without a summary falls back to its text.
fn choice(a: &Article, site_policy: ContentPolicy) -> Choice {
    let has_summary = !a.summary_html.trim().is_empty();
    let (summary, full) = match (a.meta.feed_content.unwrap_or(site_policy), has_summary) {
        (ContentPolicy::Full, _) | (_, false) => (false, true),
        (ContentPolicy::Summary, true) => (true, false),
        (ContentPolicy::Both, true) => (true, true),
    };
    Choice { summary, full }
}

/// One feed item, already made safe for XML and with absolute URLs.
pub(crate) struct Entry<'a> {
    id: &'a str,
    id_is_permalink: bool,
    title: String,
    link: &'a str,
    /// The article's own page when `link` points elsewhere (`external_url`).
    related: Option<&'a str>,
    published: Date,
    updated: Date,
    authors: &'a [Person],
    categories: Vec<&'a str>,
    lang: Option<&'a str>,
    /// Summary HTML, when the content policy includes it and the article has one.
    summary_html: Option<String>,
    /// The same summary as plain text (JSON Feed `summary`).
    summary_text: Option<String>,
    /// Full HTML, when the content policy includes it.
    content_html: Option<String>,
    image: Option<&'a Image>,
    enclosure: Option<&'a Enclosure>,
}

/// Returns a buffer large enough, most times, for a document of `entries`: a part of
/// a large feed is a megabyte or two, and a buffer grown by doubling copies it again.
fn buffer_for(entries: &[&Entry<'_>]) -> Vec<u8> {
    let text: usize = entries
        .iter()
        .map(|e| {
            let html = |h: &Option<String>| h.as_ref().map_or(0, String::len);
            e.title.len() + html(&e.summary_html) + html(&e.content_html) + 512
        })
        .sum();
    // Escaping makes HTML longer (Atom's `&lt;`, JSON's `\"`).
    Vec::with_capacity(text + text / 4 + 4096)
}

/// Inserts `<?xml-stylesheet?>` right after the XML declaration, so a browser shows the
/// feed as a readable page while feed readers see the plain feed. Neither the `rss` nor
/// the `atom_syndication` crate writes processing instructions; this is the one place
/// that adds one, and `validate` parses the result again before anything is written.
fn with_stylesheet(xml: Vec<u8>, href: &str) -> std::result::Result<Vec<u8>, String> {
    let end = match xml.starts_with(b"<?xml ") {
        true => xml.windows(2).position(|w| w == b"?>").map(|p| p + 2),
        false => None,
    }
    .ok_or("the serialised feed does not start with an XML declaration")?;
    let pi = format!(
        "\n<?xml-stylesheet type=\"text/xsl\" href=\"{}\"?>",
        escape(href)
    );
    let mut out = Vec::with_capacity(xml.len() + pi.len());
    out.extend_from_slice(&xml[..end]);
    out.extend_from_slice(pi.as_bytes());
    if xml.get(end) != Some(&b'\n') {
        out.push(b'\n');
    }
    out.extend_from_slice(&xml[end..]);
    Ok(out)
}

/// The texts of an article's feed entry: made safe for XML, with absolute URLs, and
/// chosen by the content policy. The rest of an entry is the article's own fields
/// (`docs::entry_from` puts them together).
pub(crate) struct EntryTexts {
    title: String,
    summary_html: Option<String>,
    summary_text: Option<String>,
    content_html: Option<String>,
}

fn texts_of(
    a: &Article,
    urls: &Urls,
    site_policy: ContentPolicy,
    checked: &CheckedHtml,
) -> Result<EntryTexts> {
    let m = &a.meta;
    let absolute = |html: &str, raw: bool| {
        let (html, all_absolute) = links::absolutize(html, &a.url, urls, !raw)
            .map_err(|msg| Error::at(Location::file(&m.shown), msg))?;
        let html = xml_safe(&html).into_owned();
        if all_absolute {
            checked.vouch(&html);
        }
        Ok(html)
    };
    let chosen = choice(a, site_policy);
    let summary_html = match chosen.summary {
        true => Some(absolute(&a.summary_html, a.raw_summary_html)?),
        false => None,
    };
    let content_html = match chosen.full {
        true => Some(absolute(&a.html, a.raw_html)?),
        false => None,
    };
    Ok(EntryTexts {
        title: xml_safe(&m.title).into_owned(),
        summary_text: summary_html
            .as_ref()
            .map(|_| xml_safe(&a.summary_text).into_owned()),
        summary_html,
        content_html,
    })
}

/// Is `c` allowed in an XML 1.0 document? Control characters other than tab, newline
/// and carriage return are not, nor are U+FFFE and U+FFFF.
fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && !matches!(c, '\u{FFFE}' | '\u{FFFF}'))
}

/// Does `bytes` (UTF-8) hold only characters XML allows? Every forbidden character is
/// an ASCII control byte or one of the two three-byte sequences of U+FFFE and U+FFFF.
/// This runs over every byte of every feed and article: the control bytes are tested
/// a block at a time with no branch (which the compiler vectorises), and the two
/// sequences are looked for only where `memchr` finds their first byte.
fn all_xml_chars(bytes: &[u8]) -> bool {
    let control = |b: u8| {
        u8::from(b < 0x20) & u8::from(b != b'\t') & u8::from(b != b'\n') & u8::from(b != b'\r')
    };
    let no_controls = bytes
        .chunks(64)
        .all(|block| block.iter().fold(0, |bad, &b| bad | control(b)) == 0);
    no_controls
        && memchr_iter(0xEF, bytes)
            .all(|i| !matches!(bytes.get(i + 1..i + 3), Some([0xBF, 0xBE | 0xBF])))
}

/// Removes characters that XML 1.0 does not allow; one stray byte must not break a feed.
pub(crate) fn xml_safe(s: &str) -> Cow<'_, str> {
    if all_xml_chars(s.as_bytes()) {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(s.chars().filter(|&c| xml_char(c)).collect())
    }
}

/// Returns the byte offset and value of the first character in `text` that XML forbids.
pub(crate) fn first_forbidden(text: &str) -> Option<(usize, char)> {
    if all_xml_chars(text.as_bytes()) {
        return None;
    }
    text.char_indices().find(|&(_, c)| !xml_char(c))
}

/// Returns a character XML forbids that reached what an article gives its feed entries,
/// such as a YAML `"\x01"` escape that is not in the file as such.
pub(crate) fn forbidden_in(a: &Article) -> Option<char> {
    let m = &a.meta;
    let people = m
        .authors
        .iter()
        .flat_map(|p| [Some(&p.name), p.email.as_ref(), p.uri.as_ref()]);
    [&m.title, a.html.as_str(), &a.summary_html, &a.summary_text]
        .into_iter()
        .chain(m.tags.iter().chain(&m.categories).map(String::as_str))
        .chain(people.flatten().map(String::as_str))
        .chain(m.id.as_deref())
        .find_map(|s| first_forbidden(s).map(|(_, c)| c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_characters_are_removed() {
        assert_eq!(xml_safe("a\u{1}b\u{0}c\td\u{FFFF}"), "abc\td");
        assert!(matches!(xml_safe("plain"), Cow::Borrowed(_)));
        assert!(matches!(
            xml_safe("ü \u{FFFD} \u{10FFFF} \t\r\n"),
            Cow::Borrowed(_)
        ));
        assert_eq!(xml_safe("a\u{FFFE}b"), "ab");
        // Past the first block of the test, and beside allowed bytes of the same kind.
        let x = "x".repeat(100);
        let long = format!("{x}\t\r\n\u{FFFD}\u{1F}é");
        assert_eq!(first_forbidden(&long), Some((106, '\u{1F}')));
        assert_eq!(xml_safe(&long), format!("{x}\t\r\n\u{FFFD}é"));
        assert_eq!(first_forbidden(&"\u{FFFD}".repeat(40)), None);
    }

    #[test]
    fn the_stylesheet_goes_right_after_the_declaration() {
        let out = with_stylesheet(
            b"<?xml version=\"1.0\"?>\n<feed/>".to_vec(),
            "/a&b/feed.xsl",
        );
        assert_eq!(
            String::from_utf8(out.unwrap()).unwrap(),
            "<?xml version=\"1.0\"?>\n<?xml-stylesheet type=\"text/xsl\" href=\"/a&amp;b/feed.xsl\"?>\n<feed/>"
        );
        let out = with_stylesheet(
            b"<?xml version=\"1.0\" encoding=\"utf-8\"?><rss/>".to_vec(),
            "/x.xsl",
        );
        assert!(
            String::from_utf8(out.unwrap())
                .unwrap()
                .ends_with("?>\n<rss/>")
        );
        assert!(with_stylesheet(b"<rss/>".to_vec(), "/x.xsl").is_err());
    }
}
