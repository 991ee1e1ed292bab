//! The one place that knows where things live, on the web and under `out/`.
//!
//! Owns: page, asset, feed and index URLs and output paths, feed item IDs, and
//! resolving a link written in a source file. Nobody else formats a URL.
//! Does not: do I/O.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use url::{Position, Url};

use crate::dates::Date;

mod alias;
mod feeds;
mod permalink;
mod request;

pub use feeds::{Scope, TermKind};
pub use permalink::{Permalink, PermalinkValues};
pub use request::{RequestPath, local_base, request_path};

/// The feed formats, with their fixed file names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FeedKind {
    /// RSS 2.0.
    Rss,
    /// Atom 1.0 (RFC 4287).
    Atom,
    /// JSON Feed 1.1.
    Json,
}

impl FeedKind {
    /// Every format, in the order they are listed on pages.
    pub const ALL: [FeedKind; 3] = [FeedKind::Rss, FeedKind::Atom, FeedKind::Json];

    /// Returns the file name under `out/`.
    pub fn file_name(self) -> &'static str {
        match self {
            FeedKind::Rss => "rss.xml",
            FeedKind::Atom => "atom.xml",
            FeedKind::Json => "feed.json",
        }
    }

    /// Returns the name used in `mdfeed.toml` (`formats = ["rss", "atom", "json"]`).
    pub fn config_name(self) -> &'static str {
        match self {
            FeedKind::Rss => "rss",
            FeedKind::Atom => "atom",
            FeedKind::Json => "json",
        }
    }

    /// Returns the media type for autodiscovery links and servers.
    pub fn media_type(self) -> &'static str {
        match self {
            FeedKind::Rss => "application/rss+xml",
            FeedKind::Atom => "application/atom+xml",
            FeedKind::Json => "application/feed+json",
        }
    }

    /// Returns a short human name.
    pub fn label(self) -> &'static str {
        match self {
            FeedKind::Rss => "RSS",
            FeedKind::Atom => "Atom",
            FeedKind::Json => "JSON Feed",
        }
    }
}

/// What a file under `content/` becomes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Target {
    /// An article's page, by its path segments (`["news", "x"]` → `/news/x/`).
    Page(Vec<String>),
    /// An asset copied to the same relative path.
    Asset(PathBuf),
}

/// Looks up what a source file becomes (the build records which files an article's
/// links and media named, so its memo knows when to render it again).
pub trait Targets {
    /// Returns what the file at `rel` (relative to `content/`) becomes, if it exists.
    fn target(&self, rel: &Path) -> Option<&Target>;
}

impl Targets for HashMap<PathBuf, Target> {
    fn target(&self, rel: &Path) -> Option<&Target> {
        self.get(rel)
    }
}

/// Builds every URL and output path from the site's `base_url`.
#[derive(Debug, Clone)]
pub struct Urls {
    base: Url,
}

impl Urls {
    /// `base` must be absolute and end with `/` (checked by `config`).
    pub fn new(base: Url) -> Self {
        Urls { base }
    }

    /// Returns the site root URL, ending with `/`.
    pub fn home(&self) -> &str {
        self.base.as_str()
    }

    fn join(&self, segments: &[&str], trailing_slash: bool) -> Url {
        let mut url = self.base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
            if trailing_slash {
                path.push("");
            }
        }
        url
    }

    /// Returns the absolute URL of a page.
    pub fn page(&self, segments: &[String]) -> String {
        let segs: Vec<&str> = segments.iter().map(String::as_str).collect();
        self.join(&segs, true).into()
    }

    /// Returns the output file of a page.
    pub fn page_file(&self, segments: &[String]) -> PathBuf {
        segments.iter().collect::<PathBuf>().join("index.html")
    }

    /// Returns the absolute URL of an asset at `rel` under `content/`.
    pub fn asset(&self, rel: &Path) -> String {
        let segs: Vec<&str> = rel.iter().filter_map(|s| s.to_str()).collect();
        self.join(&segs, false).into()
    }

    /// Returns the output file of the home page.
    pub fn index_file(&self) -> PathBuf {
        PathBuf::from("index.html")
    }

    /// Returns the root-relative form of an absolute URL of this site (`/blog/news/x/`),
    /// so that pages keep working under any host that serves the same path.
    pub fn root_relative(&self, absolute: &str) -> String {
        // The URLs of this site are the url crate's own serialisation, so the part after
        // the origin is already what a parse would give back: template values ask for
        // it once per article and per term link, where the parse was most of their cost.
        let origin = &self.base[..Position::BeforePath];
        if let Some(rest) = absolute.strip_prefix(origin)
            && rest.starts_with('/')
            && as_serialised(rest)
        {
            return rest.to_owned();
        }
        root_relative_parsed(absolute)
    }

    /// Returns `link` (from a page at `page_url`) as an absolute URL. A root-relative link
    /// (`/img/a.png`) is read against the site's `base_url`, as site generators write
    /// them; any other relative link against the page.
    pub fn absolute_link(&self, page_url: &Url, link: &str) -> Option<String> {
        let link = link.trim();
        let joined = match link.strip_prefix('/') {
            Some(rest) if !rest.starts_with('/') => self.base.join(rest),
            _ => page_url.join(link),
        };
        joined.ok().map(String::from)
    }

    /// Returns an item's feed ID and whether it is the permalink (RSS `isPermaLink`).
    /// A front matter `id` that is already a URI is used as it is; any other string is
    /// made a `tag:` URI (RFC 4151) so Atom readers accept it.
    pub fn item_id(&self, id: Option<&str>, permalink: &str, date: &Date) -> (String, bool) {
        match id {
            None => (permalink.to_owned(), true),
            Some(id) if Url::parse(id).is_ok() => (id.to_owned(), false),
            Some(id) => {
                let host = self.base.host_str().unwrap_or("localhost");
                let tag = percent_encoding::utf8_percent_encode(id, TAG_SPECIFIC);
                (
                    format!("tag:{host},{}:{tag}", date.format("%Y-%m-%d")),
                    false,
                )
            }
        }
    }

    /// Resolves a link written in the source file `from` (relative to `content/`) the way
    /// an editor would: against the file's folder. Returns the absolute URL of the
    /// article or asset it names, or `None` to keep the link as written. Absolute, not
    /// root-relative, so that feeds can read every root-relative link as site-relative.
    pub fn resolve_link(&self, from: &Path, dest: &str, targets: &dyn Targets) -> Option<String> {
        let (mut out, fragment) = self.locate(from, dest, targets)?;
        if let Some(f) = fragment {
            out.push('#');
            out.push_str(&f);
        }
        Some(out)
    }

    /// Returns the absolute URL of the file that `dest`, written in `from`, names.
    pub fn resolve_file(&self, from: &Path, dest: &str, targets: &dyn Targets) -> Option<String> {
        self.locate(from, dest, targets).map(|(url, _)| url)
    }

    /// Returns the absolute URL and the target of the file that `dest`, written in `from`, names.
    pub fn resolve_target<'t>(
        &self,
        from: &Path,
        dest: &str,
        targets: &'t dyn Targets,
    ) -> Option<(String, &'t Target)> {
        let (url, _) = self.locate(from, dest, targets)?;
        let rel = self.source_of(from, dest)?;
        targets.target(&rel).map(|t| (url, t))
    }

    fn source_of(&self, from: &Path, dest: &str) -> Option<PathBuf> {
        source_path(&join_source(from, dest)?)
    }

    fn locate(
        &self,
        from: &Path,
        dest: &str,
        targets: &dyn Targets,
    ) -> Option<(String, Option<String>)> {
        if dest.is_empty() || dest.starts_with(['/', '#', '?']) {
            return None;
        }
        let (rel, fragment) = match join_plain(from, dest) {
            Some((rel, fragment)) => (rel, fragment.map(str::to_owned)),
            None if Url::parse(dest).is_ok() => return None,
            None => {
                // Joined once: the file it names and the fragment come from the same URL.
                let joined = join_source(from, dest)?;
                (source_path(&joined)?, joined.fragment().map(str::to_owned))
            }
        };
        let absolute = match targets.target(&rel)? {
            Target::Page(page) => self.page(page),
            Target::Asset(asset) => self.asset(asset),
        };
        Some((absolute, fragment))
    }
}

/// Returns the path, query and fragment of `absolute`, parsed (itself if it is no URL).
fn root_relative_parsed(absolute: &str) -> String {
    match Url::parse(absolute) {
        Ok(u) => {
            let mut s = u.path().to_owned();
            if let Some(q) = u.query() {
                s.push('?');
                s.push_str(q);
            }
            if let Some(f) = u.fragment() {
                s.push('#');
                s.push_str(f);
            }
            s
        }
        Err(_) => absolute.to_owned(),
    }
}

/// Is `rest` (what follows an origin, from the first `/`) certain to come back from the
/// url crate's parser unchanged? Only characters it copies as they are, no `%` (that
/// could spell a dot), and no `.` or `..` path segment (which it removes).
fn as_serialised(rest: &str) -> bool {
    let path = rest.split(['?', '#']).next().unwrap_or(rest);
    rest.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-._~/!$&()*+,;=:@?#".contains(&b))
        && path.split('/').all(|seg| seg != "." && seg != "..")
}

/// Resolves `dest`, a link written in the source file `from`, among the source files
/// (a URL of the private scheme `mdfeed-src`, so that `..` stops at `content/`).
fn join_source(from: &Path, dest: &str) -> Option<Url> {
    let mut from_url = Url::parse("mdfeed-src:///").ok()?;
    from_url
        .path_segments_mut()
        .ok()?
        .extend(from.iter().filter_map(|s| s.to_str()));
    from_url.join(dest).ok()
}

/// Joins `dest` to the folder of `from` as `join_source` and `source_path` would, without
/// a URL, when `dest` is a plain relative path (`../2021/a.md#notes`): letters, digits and
/// `-._~` in `/`-separated names, no empty name, and no `.` or `..` last. That is most
/// links in Markdown, where three URL parses per link were a sixth of rendering.
/// `None` for anything else, which takes the URL way.
fn join_plain<'d>(from: &Path, dest: &'d str) -> Option<(PathBuf, Option<&'d str>)> {
    let plain = |s: &str| {
        s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
    };
    let (path, fragment) = match dest.split_once('#') {
        Some((path, fragment)) => (path, Some(fragment)),
        None => (dest, None),
    };
    let names: Vec<&str> = path.split('/').collect();
    let last = names.last()?;
    if fragment.is_some_and(|f| !plain(f))
        || matches!(*last, "." | "..")
        || names.iter().any(|n| n.is_empty() || !plain(n))
        || !from.components().all(|c| matches!(c, Component::Normal(_)))
    {
        return None;
    }
    let mut joined: Vec<&str> = from.iter().filter_map(|s| s.to_str()).collect();
    joined.pop();
    for name in names {
        match name {
            "." => {}
            ".." => {
                joined.pop();
            }
            name => joined.push(name),
        }
    }
    Some((joined.into_iter().collect(), fragment))
}

/// Returns the source file a joined link names, relative to `content/`.
fn source_path(joined: &Url) -> Option<PathBuf> {
    Some(
        joined
            .path_segments()?
            .map(|s| {
                percent_encoding::percent_decode_str(s)
                    .decode_utf8_lossy()
                    .into_owned()
            })
            .collect(),
    )
}

/// Checks a URL an article points to instead of its page (`external_url`): it must be
/// an absolute http(s) URL. Returns it normalised.
pub fn check_external(s: &str) -> Result<String, String> {
    match Url::parse(s.trim()) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => Ok(u.into()),
        _ => Err(format!("`{s}` is not an absolute http(s) URL")),
    }
}
/// Characters kept as they are in the specific part of a `tag:` URI.
const TAG_SPECIFIC: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/')
    .remove(b':');

/// Checks that `s` can be one path segment under `out/`: no separators, no `.`/`..`,
/// no control characters. Returns what is wrong otherwise.
pub fn check_segment(s: &str) -> Result<(), String> {
    if s.is_empty() {
        return Err("is empty".into());
    }
    if s.chars().any(|c| c == '/' || c == '\\' || c.is_control()) {
        return Err(format!(
            "`{}` contains `/`, `\\` or a control character",
            s.escape_debug()
        ));
    }
    // `C:x` is a path relative to drive C on Windows: a site built there would escape.
    if matches!(s.as_bytes(), [letter, b':', ..] if letter.is_ascii_alphabetic()) {
        return Err(format!("`{s}` starts like a drive letter"));
    }
    let mut comps = Path::new(s).components();
    match (comps.next(), comps.next()) {
        (Some(Component::Normal(_)), None) if !s.ends_with(':') => Ok(()),
        _ => Err(format!("`{s}` is not a plain file name")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls() -> Urls {
        Urls::new(Url::parse("https://example.org/blog/").unwrap())
    }

    #[test]
    fn pages_assets_and_feeds() {
        let u = urls();
        let page = vec!["news".to_owned(), "Grüße 1".to_owned()];
        assert_eq!(
            u.page(&page),
            "https://example.org/blog/news/Gr%C3%BC%C3%9Fe%201/"
        );
        assert_eq!(u.page_file(&page), PathBuf::from("news/Grüße 1/index.html"));
        assert_eq!(
            u.asset(Path::new("news/a b.png")),
            "https://example.org/blog/news/a%20b.png"
        );
        assert_eq!(u.feed(FeedKind::Atom), "https://example.org/blog/atom.xml");
        assert_eq!(
            u.root_relative("https://example.org/blog/x/#y"),
            "/blog/x/#y"
        );
    }

    /// Every string of up to `n` pieces of `alphabet`, one after the other.
    fn strings_of(alphabet: &[&str], n: usize) -> Vec<String> {
        let (mut all, mut last) = (vec![String::new()], vec![String::new()]);
        for _ in 0..n {
            last = last
                .iter()
                .flat_map(|t| alphabet.iter().map(move |c| format!("{t}{c}")))
                .collect();
            all.extend(last.iter().cloned());
        }
        all
    }

    #[test]
    fn root_relative_without_a_parse_is_what_a_parse_gives() {
        let u = urls();
        // Every string of up to four of these after the base, and a few by hand.
        let alphabet = [
            "a", "/", ".", "..", "%2e", "?", "#", "'", " ", "\\", "é", "~", ":",
        ];
        let tails = strings_of(&alphabet, 4);
        let mut urls: Vec<String> = tails
            .iter()
            .flat_map(|t| {
                [
                    format!("https://example.org/blog/{t}"),
                    format!("https://example.org/{t}"),
                    format!("https://example.org{t}"),
                ]
            })
            .collect();
        urls.extend(
            [
                "https://example.org:443/x",
                "https://example.org.evil/x",
                "HTTPS://EXAMPLE.ORG/x",
                "https://example.org/a/./b/../c?q=1#f/../g",
                "not a url",
            ]
            .map(String::from),
        );
        for url in &urls {
            assert_eq!(u.root_relative(url), root_relative_parsed(url), "{url}");
        }
    }

    #[test]
    fn plain_links_join_as_urls_do() {
        let alphabet = [
            "a", "b.md", "/", ".", "..", "#", "#s", "~", "x y", "%2e", ":", "?q",
        ];
        let dests = strings_of(&alphabet, 4);
        let froms = ["x.md", "a/b/c.md", "é/ü 1/x.md", "50%/x.md", "a/../b.md"];
        let mut plain = 0;
        for from in froms.map(Path::new) {
            for dest in &dests {
                let Some((rel, fragment)) = join_plain(from, dest) else {
                    continue;
                };
                plain += 1;
                let joined = join_source(from, dest).unwrap();
                let by_url = (source_path(&joined).unwrap(), joined.fragment());
                assert_eq!((rel, fragment), by_url, "{from:?} {dest}");
            }
        }
        assert!(plain > 1000, "{plain}");
    }

    #[test]
    fn links_resolve_against_the_source_folder() {
        let u = urls();
        let mut t = HashMap::new();
        t.insert(
            PathBuf::from("guides/a.md"),
            Target::Page(vec!["guides".into(), "a".into()]),
        );
        t.insert(
            PathBuf::from("news/pic 1.png"),
            Target::Asset(PathBuf::from("news/pic 1.png")),
        );
        let from = Path::new("news/x.md");
        assert_eq!(
            u.resolve_link(from, "../guides/a.md#s", &t).as_deref(),
            Some("https://example.org/blog/guides/a/#s")
        );
        assert_eq!(
            u.resolve_link(from, "pic%201.png", &t).as_deref(),
            Some("https://example.org/blog/news/pic%201.png")
        );
        assert_eq!(u.resolve_link(from, "missing.png", &t), None);
        assert_eq!(u.resolve_link(from, "https://x.org/a.md", &t), None);
        assert_eq!(u.resolve_link(from, "#top", &t), None);
    }

    #[test]
    fn feed_links_are_absolute_and_root_relative_means_site_relative() {
        let u = urls();
        let page = Url::parse("https://example.org/blog/news/a/").unwrap();
        let abs = |l: &str| u.absolute_link(&page, l).unwrap();
        assert_eq!(abs("/img/x.png"), "https://example.org/blog/img/x.png");
        assert_eq!(abs("//cdn.example.net/x"), "https://cdn.example.net/x");
        assert_eq!(abs("../b/"), "https://example.org/blog/news/b/");
        assert_eq!(abs("#f"), "https://example.org/blog/news/a/#f");
        assert_eq!(abs("mailto:a@b.c"), "mailto:a@b.c");
    }

    #[test]
    fn ids() {
        let u = urls();
        let d = chrono::DateTime::parse_from_rfc3339("2024-05-30T13:46:00+08:00").unwrap();
        assert_eq!(
            u.item_id(None, "https://p/", &d),
            ("https://p/".into(), true)
        );
        assert_eq!(
            u.item_id(Some("urn:uuid:1"), "p", &d),
            ("urn:uuid:1".into(), false)
        );
        assert_eq!(
            u.item_id(Some("my post"), "p", &d).0,
            "tag:example.org,2024-05-30:my%20post"
        );
    }

    #[test]
    fn segments() {
        for good in ["hello.world", "a b", "Grüße 東京", "10:30", "ab:c"] {
            assert!(check_segment(good).is_ok(), "{good:?}");
        }
        for bad in ["", ".", "..", "a/b", "a\\b", "a\0b", "C:", "c:x", "Z:\\w"] {
            assert!(check_segment(bad).is_err(), "{bad:?}");
        }
    }
}
