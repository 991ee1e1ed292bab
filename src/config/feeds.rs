//! The `[feeds]` section of `mdfeed.toml`: which feeds are written and what they hold.
//!
//! Owns: the keys, their defaults and their validation (`RawFeeds` → `FeedsConfig`).

use serde::Deserialize;
use toml::Spanned;
use url::Url;

use crate::error::{Error, Location};
use crate::urls::FeedKind;

/// The `[feeds]` table as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFeeds {
    formats: Option<Spanned<Vec<Spanned<String>>>>,
    limit: Option<Spanned<i64>>,
    content: Option<Spanned<String>>,
    hub: Option<Spanned<String>>,
    tags: Option<bool>,
    categories: Option<bool>,
    term_feeds: Option<bool>,
    stylesheet: Option<bool>,
}

/// What goes into a feed item: the summary, the full text, or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum ContentPolicy {
    /// Only the full text (RSS `description`, Atom `content`, JSON `content_html`).
    Full,
    /// Only the summary; readers follow the link for the rest.
    Summary,
    /// Summary and full text, as the RSS Best Practices Profile suggests.
    #[default]
    Both,
}

impl ContentPolicy {
    /// Reads `full`, `summary` or `both`.
    pub fn parse(s: &str) -> std::result::Result<ContentPolicy, String> {
        match s.trim() {
            "full" => Ok(ContentPolicy::Full),
            "summary" => Ok(ContentPolicy::Summary),
            "both" => Ok(ContentPolicy::Both),
            other => Err(format!(
                "must be \"full\", \"summary\" or \"both\", found `{other}`"
            )),
        }
    }
}

/// The validated `[feeds]` section; every field has a default.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedsConfig {
    /// Formats written, in `FeedKind::ALL` order (default: all three).
    pub formats: Vec<FeedKind>,
    /// Items per feed document; older items go to archive pages. `None`: no limit.
    pub limit: Option<usize>,
    /// What each item carries (default: both).
    pub content: ContentPolicy,
    /// WebSub hub announced in every feed.
    pub hub: Option<Url>,
    /// Write a feed and a page per tag (default: true).
    pub tags: bool,
    /// Write a feed and a page per category (default: true).
    pub categories: bool,
    /// Give each tag and category page its own feeds (default: true); `false` keeps the
    /// pages and writes only the site's feeds.
    pub term_feeds: bool,
    /// Reference an XSLT stylesheet from the XML feeds (default: true).
    pub stylesheet: bool,
}

/// Items per feed when `limit` is not set.
pub const DEFAULT_LIMIT: usize = 20;

impl Default for FeedsConfig {
    fn default() -> Self {
        FeedsConfig {
            formats: FeedKind::ALL.to_vec(),
            limit: Some(DEFAULT_LIMIT),
            content: ContentPolicy::Both,
            hub: None,
            tags: true,
            categories: true,
            term_feeds: true,
            stylesheet: true,
        }
    }
}

/// Reads the `[feeds]` table; a missing table gives the defaults.
pub(super) fn read(
    raw: Option<RawFeeds>,
    at: &dyn Fn(usize) -> Location,
) -> std::result::Result<FeedsConfig, Vec<Error>> {
    raw.map_or_else(|| Ok(FeedsConfig::default()), |r| read_fields(r, at))
}

/// Reads `limit`: 0 means no limit (`None`).
fn read_limit(n: &Spanned<i64>, err: &mut dyn FnMut(usize, String)) -> Option<usize> {
    match usize::try_from(*n.get_ref()) {
        Ok(0) => None,
        Ok(n) => Some(n),
        Err(_) => {
            err(
                n.span().start,
                "`feeds.limit` must be 0 (no limit) or more".into(),
            );
            None
        }
    }
}

/// Reads `formats`; the result is in `FeedKind::ALL` order, without duplicates.
fn read_formats(
    list: &Spanned<Vec<Spanned<String>>>,
    err: &mut dyn FnMut(usize, String),
) -> Vec<FeedKind> {
    let mut kinds = Vec::new();
    for f in list.get_ref() {
        let name = f.get_ref().trim();
        match FeedKind::ALL.iter().find(|k| k.config_name() == name) {
            Some(k) => kinds.push(*k),
            None => err(
                f.span().start,
                format!(
                    "`feeds.formats`: unknown format `{name}` (use \"rss\", \"atom\", \"json\")"
                ),
            ),
        }
    }
    if list.get_ref().is_empty() {
        err(
            list.span().start,
            "`feeds.formats` is empty: name at least one format".into(),
        );
    }
    FeedKind::ALL
        .into_iter()
        .filter(|k| kinds.contains(k))
        .collect()
}

fn read_fields(
    raw: RawFeeds,
    at: &dyn Fn(usize) -> Location,
) -> std::result::Result<FeedsConfig, Vec<Error>> {
    let RawFeeds {
        formats,
        limit,
        content,
        hub,
        tags,
        categories,
        term_feeds,
        stylesheet,
    } = raw;
    let defaults = FeedsConfig::default();
    let mut errors = Vec::new();
    let mut err = |offset: usize, msg: String| errors.push(Error::at(at(offset), msg));
    let formats = formats.map_or(defaults.formats, |list| read_formats(&list, &mut err));
    let limit = limit.map_or(defaults.limit, |n| read_limit(&n, &mut err));
    let content = match content {
        None => defaults.content,
        Some(c) => ContentPolicy::parse(c.get_ref()).unwrap_or_else(|msg| {
            err(c.span().start, format!("`feeds.content` {msg}"));
            defaults.content
        }),
    };
    let hub = hub.and_then(|h| match Url::parse(h.get_ref().trim()) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => Some(u),
        _ => {
            let msg = format!(
                "`feeds.hub` must be an absolute http(s) URL, found `{}`",
                h.get_ref()
            );
            err(h.span().start, msg);
            None
        }
    });
    let feeds = FeedsConfig {
        formats,
        limit,
        content,
        hub,
        tags: tags.unwrap_or(defaults.tags),
        categories: categories.unwrap_or(defaults.categories),
        term_feeds: term_feeds.unwrap_or(defaults.term_feeds),
        stylesheet: stylesheet.unwrap_or(defaults.stylesheet),
    };
    if errors.is_empty() {
        Ok(feeds)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::config::parse;
    use crate::error::Result;

    fn feeds(table: &str) -> Result<FeedsConfig> {
        let text = format!("title=\"T\"\nbase_url=\"https://e.org/\"\n[feeds]\n{table}");
        parse(Path::new("mdfeed.toml"), &text, None).map(|c| c.feeds)
    }

    #[test]
    fn feeds_defaults() {
        let c = parse(
            Path::new("m"),
            "title=\"T\"\nbase_url=\"https://a/\"\n",
            None,
        )
        .unwrap();
        assert_eq!(c.feeds, FeedsConfig::default());
        assert_eq!(c.feeds.limit, Some(20));
        assert_eq!(c.feeds.formats, FeedKind::ALL);
        assert_eq!(feeds("").unwrap(), FeedsConfig::default());
    }

    #[test]
    fn feeds_every_key() {
        let f = feeds(
            "formats = [\"json\", \"rss\"]\nlimit = 0\ncontent = \"summary\"\nhub = \"https://hub.example/\"\ntags = false\ncategories = false\nterm_feeds = false\nstylesheet = false\n",
        )
        .unwrap();
        assert_eq!(f.formats, [FeedKind::Rss, FeedKind::Json]);
        assert_eq!(f.limit, None);
        assert_eq!(f.content, ContentPolicy::Summary);
        assert_eq!(f.hub.unwrap().as_str(), "https://hub.example/");
        assert!(!f.tags && !f.categories && !f.term_feeds && !f.stylesheet);
        assert_eq!(feeds("limit = 5\n").unwrap().limit, Some(5));
        assert_eq!(
            feeds("content = \"full\"\n").unwrap().content,
            ContentPolicy::Full
        );
    }

    #[test]
    fn feeds_errors_name_the_line() {
        let e = |t: &str| feeds(t).unwrap_err().to_string();
        assert!(
            e("formats = [\"rss\", \"rdf\"]\n")
                .starts_with("mdfeed.toml:4:19: error: `feeds.formats`: unknown format `rdf`")
        );
        assert!(e("formats = []\n").contains("is empty"));
        assert!(e("limit = -1\n").starts_with("mdfeed.toml:4:9: error: `feeds.limit`"));
        assert!(e("content = \"some\"\n").contains("`feeds.content` must be"));
        assert!(e("hub = \"hub\"\n").starts_with("mdfeed.toml:4:7: error: `feeds.hub`"));
        assert!(e("limt = 3\n").starts_with("mdfeed.toml:4:1: error: unknown field `limt`"));
        assert!(e("tags = \"yes\"\n").starts_with("mdfeed.toml:4:8:"));
        assert!(e("term_feeds = 1\n").starts_with("mdfeed.toml:4:14:"));
    }
}
