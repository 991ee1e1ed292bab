//! The cache of read and rendered articles, `out/.mdfeed-cache/bodies`: what reading
//! made of each article's file (its front matter, validated) and what Markdown made of
//! its body, by the key of everything reading the article depended on, so a build
//! skips the front matter and the Markdown of every article whose file, config and
//! folder defaults are byte for byte what they were.
//!
//! Never trusted over the sources: a body is found only by a key that hashes the
//! file's bytes with every other input of reading it, and the pipeline takes it only
//! when each file its links named is still what it was. A file written by another
//! build of mdfeed (`VERSION`), cut short or otherwise unreadable counts as empty:
//! deleting it only costs time.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::stored;
use crate::error::Warning;
use crate::markdown::SummaryFrom;
use crate::memo::Key;
use crate::model::{Html, Meta};
use crate::urls::Target;

/// How many files the cache is spread over, by the first byte of each key: an edit
/// rewrites the file that holds its article (a few megabytes at 10,000 articles),
/// not the whole cache.
pub const SHARDS: u8 = 32;

/// Returns the file of shard `n`, under `out/`.
pub fn shard_file(n: u8) -> String {
    format!(".mdfeed-cache/bodies/{n:02}")
}

/// Returns the shard that holds `key`.
pub fn shard_of(key: &Key) -> u8 {
    key.first_byte() % SHARDS
}

/// What reading an article's file gave: its front matter, validated (the parse the
/// cache saves), where its body starts, and reading's warnings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Read<'a> {
    /// The front matter.
    pub meta: Cow<'a, Meta>,
    /// The byte of the file where the body starts.
    pub body_start: usize,
    /// The line of the file where the body starts.
    pub body_line: u32,
    /// Reading's warnings.
    pub warnings: Cow<'a, [Warning]>,
    /// The first character in the file that XML forbids: line, column, character.
    pub forbidden: Option<(u32, u32, char)>,
}

/// What an article's file was read and its body rendered to, but the body's HTML,
/// which follows all the shard's bodies (see `write`). Borrowed when written (from the
/// articles of a build), owned when read back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Body<'a> {
    /// What reading gave (`None`: read the file again).
    pub read: Option<Read<'a>>,
    /// The length of the whole body as HTML.
    pub html_len: u64,
    /// The first character XML forbids in what the article gives its feed entries
    /// (`feeds::forbidden_in`).
    pub forbidden: Option<char>,
    /// The summary as HTML.
    pub summary_html: Cow<'a, str>,
    /// The summary as plain text.
    pub summary_text: Cow<'a, str>,
    /// Where the summary came from.
    pub summary_from: SummaryFrom,
    /// `html` holds HTML the author wrote.
    pub raw_html: bool,
    /// `summary_html` does.
    pub raw_summary_html: bool,
    /// The lines of template tags shown as text (for their warning).
    pub tag_lines: Cow<'a, [u32]>,
    /// The files the body's links named (relative to `content/`), and what each was.
    pub links: Cow<'a, [(PathBuf, Option<Target>)]>,
}

/// Writes the cache file of `bodies`, each with its HTML, to `w`, in the order given
/// (the pipeline gives them in the order of `content/`, so equal builds write equal
/// files): the length of the head (8 bytes, little endian), the head (the bodies but
/// their HTML), then their HTML one after the other, so that reading the file leaves
/// each HTML where it is and frees the head once decoded (`decode`).
pub fn write<'a>(
    w: &mut dyn Write,
    bodies: impl Iterator<Item = (Key, Body<'a>, &'a str)>,
) -> io::Result<()> {
    let (mut entries, mut htmls) = (Vec::new(), Vec::new());
    for (key, mut body, html) in bodies {
        body.html_len = html.len() as u64;
        entries.push((key, body));
        htmls.push(html);
    }
    let mut head = Vec::new();
    stored::write(&mut head, entries)?;
    // Buffered: written one by one, the bodies' HTML took a system call each (10,000
    // at 10,000 articles).
    let mut w = io::BufWriter::with_capacity(1 << 18, w);
    w.write_all(&(head.len() as u64).to_le_bytes())?;
    w.write_all(&head)?;
    htmls.iter().try_for_each(|h| w.write_all(h.as_bytes()))?;
    w.flush()
}

/// Reads a cache file, given as its head and the rest (the HTML of its bodies, see
/// `write`): each body with its HTML, a stretch of `html`, which is checked to be
/// UTF-8 once, whole (the bodies' HTML one after the other is). Returns `None` when it
/// was written by another build of mdfeed, or cannot be read.
pub fn decode(head: &[u8], html: Vec<u8>) -> Option<HashMap<Key, (Body<'static>, Html)>> {
    let entries = stored::read::<Vec<(Key, Body<'static>)>>(head)?;
    let html = Arc::new(String::from_utf8(html).ok()?);
    let mut at: usize = 0;
    let mut out = HashMap::with_capacity(entries.len());
    for (key, body) in entries {
        let end = at.checked_add(usize::try_from(body.html_len).ok()?)?;
        out.insert(key, (body, Html::kept(&html, at..end)?));
        at = end;
    }
    // Cut short, or more than the bodies: not a file `write` made.
    (at == html.len()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memo::KeyHasher;

    fn encode(bodies: &[(Key, Body<'static>, &str)]) -> Vec<u8> {
        let mut bytes = Vec::new();
        let bodies = bodies.iter().map(|(k, b, h)| (*k, b.clone(), *h));
        write(&mut bytes, bodies).unwrap();
        bytes
    }

    /// Splits a file as `output::read_cache_split` does, and decodes it.
    fn decode_file(bytes: &[u8]) -> Option<HashMap<Key, (Body<'static>, Html)>> {
        let (len, rest) = bytes.split_at_checked(8)?;
        let len = usize::try_from(u64::from_le_bytes(len.try_into().ok()?)).ok()?;
        let (head, html) = rest.split_at_checked(len)?;
        decode(head, html.to_vec())
    }

    fn body(html: &str) -> Body<'static> {
        Body {
            read: None,
            html_len: html.len() as u64,
            forbidden: Some('\u{1}'),
            summary_html: Cow::Borrowed("<p>s</p>"),
            summary_text: Cow::Borrowed("s"),
            summary_from: SummaryFrom::FirstParagraph,
            raw_html: false,
            raw_summary_html: true,
            tag_lines: Cow::Owned(vec![3, 9]),
            links: Cow::Owned(vec![
                (
                    PathBuf::from("a.md"),
                    Some(Target::Page(vec!["news".into(), "a".into()])),
                ),
                (PathBuf::from("gone.png"), None),
            ]),
        }
    }

    #[test]
    fn bodies_come_back_as_they_went() {
        let (k1, k2) = (
            KeyHasher::new("t").str("1").finish(),
            KeyHasher::new("t").str("2").finish(),
        );
        let bytes = encode(&[
            (k1, body("<p>one</p>"), "<p>one</p>"),
            (k2, body("<p>twö</p>"), "<p>twö</p>"),
        ]);
        let back = decode_file(&bytes).unwrap();
        assert_eq!(back.len(), 2);
        assert_eq!(back[&k1].0, body("<p>one</p>"));
        assert_eq!(back[&k1].1.as_str(), "<p>one</p>");
        assert_eq!(back[&k2].0, body("<p>twö</p>"));
        assert_eq!(back[&k2].1.as_str(), "<p>twö</p>");
    }

    #[test]
    fn another_version_or_a_cut_or_damaged_file_gives_nothing() {
        let k = KeyHasher::new("t").finish();
        let bytes = encode(&[(k, body("<p>é</p>"), "<p>é</p>")]);
        assert!(decode_file(&bytes).is_some());
        for cut in [0, 1, 9, bytes.len() / 2, bytes.len() - 5, bytes.len() - 1] {
            assert!(decode_file(&bytes[..cut]).is_none(), "cut at {cut}");
        }
        let mut longer = bytes.clone();
        longer.push(b'x');
        assert!(decode_file(&longer).is_none());
        // The é cut in half: not UTF-8.
        let mut damaged = bytes.clone();
        let n = damaged.len();
        damaged[n - 6] = b'x';
        assert!(decode_file(&damaged).is_none());
        let other = stored::tests::from_another_version(vec![(k, body("<p>é</p>"))]);
        assert!(decode(&other, "<p>é</p>".into()).is_none());
        assert!(decode_file(b"not a cache").is_none());
    }
}
