//! Where the feeds live: the site's and each tag's and category's, their RFC 5005
//! archive pages, the term listing pages and the feeds' stylesheet. Part of `urls`,
//! the one place that knows the URL layout.

use std::path::{Path, PathBuf};

use super::{FeedKind, Urls};

/// The two kinds of taxonomy an article can carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TermKind {
    /// Front matter `tags`.
    Tag,
    /// Front matter `categories`.
    Category,
}

impl TermKind {
    /// Both kinds, in the order they are listed.
    pub const ALL: [TermKind; 2] = [TermKind::Tag, TermKind::Category];

    /// Returns the folder under `out/` that holds the term pages and feeds.
    pub fn folder(self) -> &'static str {
        match self {
            TermKind::Tag => "tags",
            TermKind::Category => "categories",
        }
    }

    /// Returns a short human name ("Tag", "Category").
    pub fn label(self) -> &'static str {
        match self {
            TermKind::Tag => "Tag",
            TermKind::Category => "Category",
        }
    }
}

/// The group of articles a feed or listing page covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope<'a> {
    /// Every article of the site.
    Site,
    /// The articles of one tag or category, by its slug.
    Term(TermKind, &'a str),
}

/// The file name of the feeds' XSLT stylesheet.
const STYLESHEET: &str = "feed.xsl";

impl Urls {
    /// Returns the absolute URL of a site-wide feed.
    pub fn feed(&self, kind: FeedKind) -> String {
        self.feed_at(&Scope::Site, kind, None)
    }

    fn scope_segments<'s>(scope: &Scope<'s>) -> Vec<&'s str> {
        match *scope {
            Scope::Site => Vec::new(),
            Scope::Term(kind, slug) => vec![kind.folder(), slug],
        }
    }

    /// Returns a feed document's file name: `rss.xml`, or `rss-archive-3.xml` for the
    /// third-oldest archive page (RFC 5005), numbered from the oldest so it never moves.
    fn feed_name(kind: FeedKind, archive: Option<usize>) -> String {
        match archive {
            None => kind.file_name().to_owned(),
            Some(n) => {
                let (stem, ext) = kind
                    .file_name()
                    .split_once('.')
                    .unwrap_or((kind.file_name(), ""));
                format!("{stem}-archive-{n}.{ext}")
            }
        }
    }

    /// Returns the absolute URL of a feed document of `scope`; `archive` selects an archive page.
    pub fn feed_at(&self, scope: &Scope<'_>, kind: FeedKind, archive: Option<usize>) -> String {
        let name = Self::feed_name(kind, archive);
        let mut segs = Self::scope_segments(scope);
        segs.push(&name);
        self.join(&segs, false).into()
    }

    /// Returns the output file of a feed document of `scope`.
    pub fn feed_file_at(
        &self,
        scope: &Scope<'_>,
        kind: FeedKind,
        archive: Option<usize>,
    ) -> PathBuf {
        let mut path: PathBuf = Self::scope_segments(scope).into_iter().collect();
        path.push(Self::feed_name(kind, archive));
        path
    }

    /// Returns the absolute URL of the HTML page that lists `scope` (the home page for the site).
    pub fn listing(&self, scope: &Scope<'_>) -> String {
        self.join(&Self::scope_segments(scope), true).into()
    }

    /// Returns the output file of the HTML page that lists `scope`.
    pub fn listing_file(&self, scope: &Scope<'_>) -> PathBuf {
        let dir: PathBuf = Self::scope_segments(scope).into_iter().collect();
        dir.join("index.html")
    }

    /// Returns the absolute URL of the page that lists every term of `kind`.
    pub fn terms_index(&self, kind: TermKind) -> String {
        self.join(&[kind.folder()], true).into()
    }

    /// Returns the output file of the page that lists every term of `kind`.
    pub fn terms_index_file(&self, kind: TermKind) -> PathBuf {
        Path::new(kind.folder()).join("index.html")
    }

    /// Returns the root-relative URL of the feeds' XSLT stylesheet. Root-relative, because
    /// browsers apply a stylesheet only from the feed's own origin, which differs between
    /// a preview (`--base-url`) and the published site.
    pub fn stylesheet(&self) -> String {
        self.root_relative(self.join(&[STYLESHEET], false).as_str())
    }

    /// Returns the output file of the feeds' XSLT stylesheet.
    pub fn stylesheet_file(&self) -> PathBuf {
        PathBuf::from(STYLESHEET)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feeds_archives_and_term_pages() {
        let u = Urls::new(url::Url::parse("https://example.org/blog/").unwrap());
        assert_eq!(u.feed(FeedKind::Atom), "https://example.org/blog/atom.xml");
        let tag = Scope::Term(TermKind::Tag, "rust-lang");
        assert_eq!(
            u.feed_at(&tag, FeedKind::Json, Some(3)),
            "https://example.org/blog/tags/rust-lang/feed-archive-3.json"
        );
        assert_eq!(
            u.feed_file_at(&Scope::Site, FeedKind::Rss, Some(1)),
            PathBuf::from("rss-archive-1.xml")
        );
        assert_eq!(u.listing(&tag), "https://example.org/blog/tags/rust-lang/");
        assert_eq!(
            u.listing_file(&tag),
            PathBuf::from("tags/rust-lang/index.html")
        );
        assert_eq!(u.listing_file(&Scope::Site), PathBuf::from("index.html"));
        assert_eq!(
            u.terms_index(TermKind::Category),
            "https://example.org/blog/categories/"
        );
        assert_eq!(u.stylesheet(), "/blog/feed.xsl");
    }
}
