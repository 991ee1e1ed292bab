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

use serde::{Deserialize, Serialize};

use super::stored;
use crate::error::Warning;
use crate::markdown::SummaryFrom;
use crate::memo::Key;
use crate::model::Meta;
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

/// What an article's file was read and its body rendered to. Borrowed when written
/// (from the articles of a build), owned when read back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Body<'a> {
    /// What reading gave (`None`: read the file again).
    pub read: Option<Read<'a>>,
    /// The whole body as HTML.
    pub html: Cow<'a, str>,
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

/// Writes the cache file of `bodies` to `w`, in the order given (the pipeline gives
/// them in the order of `content/`, so equal builds write equal files).
pub fn write<'a>(
    w: &mut dyn Write,
    bodies: impl Iterator<Item = (Key, Body<'a>)>,
) -> io::Result<()> {
    stored::write(w, bodies.collect::<Vec<_>>())
}

/// Reads a cache file; returns `None` when it was written by another build of mdfeed
/// or cannot be read.
pub fn decode(bytes: &[u8]) -> Option<HashMap<Key, Body<'static>>> {
    stored::read::<Vec<(Key, Body<'static>)>>(bytes).map(|bodies| bodies.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memo::KeyHasher;

    fn encode(bodies: Vec<(Key, Body<'static>)>) -> Vec<u8> {
        let mut bytes = Vec::new();
        write(&mut bytes, bodies.into_iter()).unwrap();
        bytes
    }

    fn body(html: &str) -> Body<'static> {
        Body {
            read: None,
            html: Cow::Owned(html.to_owned()),
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
        let bytes = encode(vec![(k1, body("<p>one</p>")), (k2, body("<p>two</p>"))]);
        let back = decode(&bytes).unwrap();
        assert_eq!(back.len(), 2);
        assert_eq!(back[&k1], body("<p>one</p>"));
        assert_eq!(back[&k2], body("<p>two</p>"));
    }

    #[test]
    fn another_version_or_a_cut_file_gives_nothing() {
        let k = KeyHasher::new("t").finish();
        let bytes = encode(vec![(k, body("<p>x</p>"))]);
        for cut in [0, 1, bytes.len() / 2, bytes.len() - 1] {
            assert!(decode(&bytes[..cut]).is_none(), "cut at {cut}");
        }
        let other = stored::tests::from_another_version(vec![(k, body("<p>x</p>"))]);
        assert!(decode(&other).is_none());
        assert!(decode(b"not a cache").is_none());
    }
}
