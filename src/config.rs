//! Reads and checks `mdfeed.toml`.
//!
//! Owns: the config keys, their defaults and their validation (`RawConfig` →
//! `Config`). Unknown keys are an error here: the file is ours, so a typo should
//! not pass silently. Does not: read content or know the URL layout.

use std::path::Path;

use serde::Deserialize;
use toml::Spanned;
use url::Url;

use crate::dates::Zone;
use crate::error::{Error, Location, Result};
use crate::urls::Permalink;

mod feeds;

pub use feeds::{ContentPolicy, DEFAULT_LIMIT, FeedsConfig};

/// The name of the config file in the site root.
pub const FILE_NAME: &str = "mdfeed.toml";

/// A person credited for an article or the site.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Person {
    /// Display name, never split.
    pub name: String,
    /// Optional e-mail address.
    pub email: Option<String>,
    /// Optional home page.
    pub uri: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    title: Option<Spanned<String>>,
    base_url: Option<Spanned<String>>,
    description: Option<String>,
    language: Option<String>,
    timezone: Option<Spanned<String>>,
    author: Option<RawPerson>,
    content: Option<RawContent>,
    feeds: Option<feeds::RawFeeds>,
}

/// `[content]`: how to read content written for other generators.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawContent {
    title_keys: Option<Spanned<Vec<String>>>,
    undated: Option<Spanned<String>>,
    skip: Option<Vec<Spanned<String>>>,
    permalink: Option<Spanned<String>>,
    excerpt_separator: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPerson {
    name: Spanned<String>,
    email: Option<String>,
    uri: Option<String>,
}

/// The validated site configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Site title.
    pub title: String,
    /// Absolute http(s) URL of the site root; its path ends with `/`.
    pub base_url: Url,
    /// One-line description of the site (feeds need one; defaults to the title).
    pub description: String,
    /// Language tag such as `en`.
    pub language: Option<String>,
    /// Zone for dates written without an offset.
    pub timezone: Zone,
    /// Default author of every article.
    pub author: Option<Person>,
    /// How to read the content folder (`[content]`).
    pub content: Content,
    /// The `[feeds]` section.
    pub feeds: FeedsConfig,
}

/// What to do with an article that has no date anywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Undated {
    /// Report it as an error (the default: a feed item needs a date).
    Error,
    /// Leave it out with a warning (pages such as `about.md` in a blog folder).
    Skip,
}

/// A `[content] skip` glob as written, with its place for error messages.
#[derive(Debug, Clone)]
pub struct SkipGlob {
    /// The glob (`README.md`, `drafts/**`).
    pub glob: String,
    /// Where it is written in `mdfeed.toml`.
    pub at: Location,
}

/// The validated `[content]` section.
#[derive(Debug, Clone)]
pub struct Content {
    /// Front matter keys to read the title from, in order.
    pub title_keys: Vec<String>,
    /// Articles without any date: an error or skipped.
    pub undated: Undated,
    /// Files to leave out, as globs relative to `content/`.
    pub skip: Vec<SkipGlob>,
    /// Site-wide URL pattern for articles without a path of their own.
    pub permalink: Option<Permalink>,
    /// Jekyll's `excerpt_separator`: the summary is the text before it.
    pub excerpt_separator: Option<String>,
}

impl Default for Content {
    fn default() -> Self {
        Content {
            title_keys: vec!["title".to_owned()],
            undated: Undated::Error,
            skip: Vec::new(),
            permalink: None,
            excerpt_separator: None,
        }
    }
}

/// Reads `ROOT/mdfeed.toml`; `base_url_override` replaces `base_url` (preview deploys).
pub fn load(root: &Path, base_url_override: Option<&str>) -> Result<Config> {
    let path = root.join(FILE_NAME);
    let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
    // Bad encoding is a content error at its place (exit 1), not an I/O failure.
    let text = crate::source::decode_text(bytes, &display_path(&path))?;
    parse(&display_path(&path), &text, base_url_override)
}

/// Drops a leading `./` so messages read `content/a.md:3:1`.
pub fn display_path(path: &Path) -> std::path::PathBuf {
    path.strip_prefix(".").unwrap_or(path).to_owned()
}

/// Parses config text; `path` is only used in messages.
pub fn parse(path: &Path, text: &str, base_url_override: Option<&str>) -> Result<Config> {
    let at = |offset: usize| Location::in_text(path, text, offset, 1);
    let raw: RawConfig = toml::from_str(text).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        Error::at(at(offset), e.message().trim())
    })?;
    let RawConfig {
        title,
        base_url,
        description,
        language,
        timezone,
        author,
        content,
        feeds,
    } = raw;
    let mut errors = Vec::new();
    let feeds = feeds::read(feeds, &at).unwrap_or_else(|e| {
        errors.extend(e);
        FeedsConfig::default()
    });
    let title = required_title(title, &at).unwrap_or_else(|e| {
        errors.push(e);
        String::new()
    });
    let base_url = match (base_url_override, base_url) {
        (Some(url), _) => {
            check_base_url(url).map_err(|msg| Error::at(Location::new("--base-url", 0, 0), msg))
        }
        (None, Some(url)) => {
            check_base_url(url.get_ref()).map_err(|msg| Error::at(at(url.span().start), msg))
        }
        (None, None) => Err(Error::at(at(0), "missing required key `base_url`")),
    };
    let timezone = match timezone {
        Some(tz) => {
            Zone::parse(tz.get_ref().trim()).map_err(|msg| Error::at(at(tz.span().start), msg))
        }
        None => Ok(Zone::default()),
    };
    let author = author.map(|p| Person {
        name: p.name.into_inner(),
        email: p.email,
        uri: p.uri,
    });
    let content = read_content(content, &at).unwrap_or_else(|e| {
        errors.extend(e);
        Content::default()
    });
    let (base_url, timezone) = match (base_url, timezone) {
        (Ok(b), Ok(t)) if errors.is_empty() => (b, t),
        (b, t) => {
            errors.extend(b.err());
            errors.extend(t.err());
            return Err(Error::gather(errors).unwrap_or_else(|| Error::at(at(0), "invalid config")));
        }
    };
    Ok(Config {
        description: description.unwrap_or_else(|| title.clone()),
        title,
        base_url,
        language,
        timezone,
        author,
        content,
        feeds,
    })
}

fn required_title(
    title: Option<Spanned<String>>,
    at: &dyn Fn(usize) -> Location,
) -> Result<String> {
    match title {
        Some(t) if !t.get_ref().trim().is_empty() => Ok(t.into_inner().trim().to_owned()),
        Some(t) => Err(Error::at(at(t.span().start), "`title` is empty")),
        None => Err(Error::at(at(0), "missing required key `title`")),
    }
}

fn read_title_keys(
    keys: Spanned<Vec<String>>,
    at: &dyn Fn(usize) -> Location,
) -> Result<Vec<String>> {
    let start = keys.span().start;
    let keys: Vec<String> = keys
        .into_inner()
        .iter()
        .map(|k| k.trim().to_owned())
        .collect();
    if keys.is_empty() || keys.iter().any(String::is_empty) {
        return Err(Error::at(
            at(start),
            "`title_keys` must list at least one key, none empty",
        ));
    }
    Ok(keys)
}

fn read_undated(u: &Spanned<String>, at: &dyn Fn(usize) -> Location) -> Result<Undated> {
    match u.get_ref().as_str() {
        "error" => Ok(Undated::Error),
        "skip" => Ok(Undated::Skip),
        other => Err(Error::at(
            at(u.span().start),
            format!("`undated` must be \"error\" or \"skip\", found `{other}`"),
        )),
    }
}

fn read_content(
    raw: Option<RawContent>,
    at: &dyn Fn(usize) -> Location,
) -> std::result::Result<Content, Vec<Error>> {
    let Some(raw) = raw else {
        return Ok(Content::default());
    };
    let RawContent {
        title_keys,
        undated,
        skip,
        permalink,
        excerpt_separator,
    } = raw;
    let mut errors = Vec::new();
    let mut content = Content::default();
    let mut keep = |r: std::result::Result<(), Error>| errors.extend(r.err());
    if let Some(keys) = title_keys {
        keep(read_title_keys(keys, at).map(|k| content.title_keys = k));
    }
    if let Some(u) = undated {
        keep(read_undated(&u, at).map(|u| content.undated = u));
    }
    content.skip = skip
        .unwrap_or_default()
        .into_iter()
        .map(|g| SkipGlob {
            at: at(g.span().start),
            glob: g.into_inner(),
        })
        .collect();
    match permalink.map(|p| (p.span().start, Permalink::parse(p.get_ref()))) {
        Some((_, Ok(p))) => content.permalink = Some(p),
        Some((start, Err(msg))) => errors.push(Error::at(at(start), format!("`permalink`: {msg}"))),
        None => {}
    }
    if let Some(sep) = excerpt_separator {
        if sep.get_ref().is_empty() {
            errors.push(Error::at(
                at(sep.span().start),
                "`excerpt_separator` is empty",
            ));
        } else {
            content.excerpt_separator = Some(sep.into_inner());
        }
    }
    if errors.is_empty() {
        Ok(content)
    } else {
        Err(errors)
    }
}

fn check_base_url(s: &str) -> std::result::Result<Url, String> {
    let mut url =
        Url::parse(s.trim()).map_err(|e| format!("`base_url` is not a valid URL ({e}): `{s}`"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(format!(
            "`base_url` must be an absolute http(s) URL such as `https://example.org/`, found `{s}`"
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!(
            "`base_url` must not have a query or fragment: `{s}`"
        ));
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        parse(Path::new("mdfeed.toml"), text, None)
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn reads_a_full_config() {
        let c = parse(
            Path::new("mdfeed.toml"),
            "title = \"T\"\nbase_url = \"https://example.org/blog\"\ntimezone = \"+08:00\"\n[author]\nname = \"A, B and C\"\n",
            None,
        )
        .unwrap();
        assert_eq!(c.base_url.as_str(), "https://example.org/blog/");
        assert_eq!(c.author.unwrap().name, "A, B and C");
        assert_eq!(c.description, "T");
    }

    #[test]
    fn errors_name_the_line() {
        assert!(
            err("title = \"T\"\nbase_url = \"ftp://x/\"\n").starts_with("mdfeed.toml:2:12: error:")
        );
        assert!(err("title = \"T\"\n").contains("missing required key `base_url`"));
        assert!(
            err("title = \"T\"\nbase_url = \"https://x/\"\ntitel = 1\n")
                .starts_with("mdfeed.toml:3:1:")
        );
        assert!(err("title = \"T\nbase_url").starts_with("mdfeed.toml:2:"));
        assert!(
            err("title=\"T\"\nbase_url=\"https://x/\"\ntimezone=\"Nowhere\"\n")
                .starts_with("mdfeed.toml:3:10:")
        );
    }

    #[test]
    fn content_section_has_defaults_and_is_checked() {
        let base = "title=\"T\"\nbase_url=\"https://a/\"\n";
        let c = parse(Path::new("m"), base, None).unwrap().content;
        assert_eq!(c.title_keys, ["title"]);
        assert_eq!(c.undated, Undated::Error);
        let text = format!(
            "{base}[content]\ntitle_keys=[\"name\",\"title\"]\nundated=\"skip\"\nskip=[\"README.md\"]\npermalink=\"/:year/:slug/\"\nexcerpt_separator=\"<!--cut-->\"\n"
        );
        let c = parse(Path::new("m"), &text, None).unwrap().content;
        assert_eq!(c.title_keys, ["name", "title"]);
        assert_eq!(c.undated, Undated::Skip);
        assert_eq!(c.skip[0].glob, "README.md");
        assert_eq!(c.skip[0].at.line, 6);
        assert!(c.permalink.is_some());
        assert_eq!(c.excerpt_separator.as_deref(), Some("<!--cut-->"));
        for (bad, want) in [
            ("undated=\"maybe\"", "m:4:9: error: `undated`"),
            (
                "permalink=\"/:categories/\"",
                "m:4:11: error: `permalink`: unknown token",
            ),
            ("title_keys=[]", "m:4:12: error: `title_keys`"),
            ("skipp=[]", "m:4:1: error: unknown field `skipp`"),
        ] {
            let e = parse(Path::new("m"), &format!("{base}[content]\n{bad}\n"), None)
                .unwrap_err()
                .to_string();
            assert!(e.starts_with(want), "{bad}: {e}");
        }
    }

    #[test]
    fn override_replaces_base_url() {
        let c = parse(
            Path::new("m"),
            "title=\"T\"\nbase_url=\"https://a/\"\n",
            Some("http://127.0.0.1:1111"),
        )
        .unwrap();
        assert_eq!(c.base_url.as_str(), "http://127.0.0.1:1111/");
    }
}
