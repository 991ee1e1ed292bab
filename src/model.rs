//! Turns parsed front matter into validated articles, and articles into a site.
//!
//! Owns: the front matter keys and their aliases (Jekyll, Hugo, Zola, Eleventy),
//! the order in which conventions are tried (with `compat` supplying them), defaults
//! from the config, slugs and page paths, and the site's canonical order.
//! Does not: do I/O, render HTML or format URLs (see `urls`).

mod feed_keys;
mod html;
mod paths;
mod reader;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;

use crate::compat::dates::{self as name_dates, DateFrom};
use crate::compat::skip::{self, SkipReason};
use crate::config::{Config, ContentPolicy, Person, Undated};
use crate::dates::{self, Date};
use crate::error::{Error, Location, Warning};
use crate::frontmatter::Fields;
use crate::urls::Urls;
pub use html::Html;
use paths::{aliases, external_url, page, path_key, slug};
pub use reader::AuthorsFrom;
use reader::Reader;

/// Keys mdfeed reads (besides `[content] title_keys`); every other key is handed to
/// templates as `extra`.
const KNOWN: &[&str] = &[
    "date",
    "publishDate",
    "updated",
    "lastmod",
    "last_modified_at",
    "modified",
    "draft",
    "published",
    "slug",
    "path",
    "permalink",
    "url",
    "tags",
    "categories",
    "category",
    "taxonomies",
    "author",
    "authors",
    "by",
    "summary",
    "description",
    "excerpt",
    "excerpt_separator",
    "image",
    "image_caption",
    "image_credit",
    "id",
    "external_url",
    "link",
    "aliases",
    "redirect_from",
    "feed_content",
    "lang",
    "enclosure",
];

/// Which convention supplied each field of an article (for `check --report`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Provenance {
    /// The `title_keys` entry the title came from.
    pub title_key: String,
    /// Where the date came from.
    pub date: DateFrom,
    /// Where the authors came from.
    pub authors: AuthorsFrom,
}

/// An old URL of an article, served by a small redirect page.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Alias {
    /// The redirect page under `out/`.
    pub file: PathBuf,
    /// Where the old URL is written.
    pub at: Location,
}

/// An article's front matter, validated; the body is rendered later, once every
/// article's URL is known (links between articles need them). Serialised only for
/// the cache of read articles (`cache::bodies`), in a form that keeps no field names:
/// every field is written, none skipped.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Meta {
    /// Source path relative to `content/`.
    pub source: PathBuf,
    /// Source path as shown in messages.
    pub shown: PathBuf,
    /// Title, trimmed.
    pub title: String,
    /// Publication date.
    pub date: Date,
    /// Last significant change, if given.
    pub updated: Option<Date>,
    /// Left out of the build unless `--drafts`.
    pub draft: bool,
    /// Path segments of the page (`["news", "x"]` → `out/news/x/index.html`).
    pub page: Vec<String>,
    /// Tags, in the order written, without duplicates.
    pub tags: Vec<String>,
    /// Categories, in the order written, without duplicates.
    pub categories: Vec<String>,
    /// Authors; the site author when none is given.
    pub authors: Vec<Person>,
    /// Front matter summary as Markdown source.
    pub summary: Option<String>,
    /// Featured image as written (a path relative to the file, or a URL).
    pub image: Option<ImageRef>,
    /// Stable feed ID from front matter.
    pub id: Option<String>,
    /// Keys mdfeed does not know, for templates.
    #[serde(with = "json_text")]
    pub extra: BTreeMap<String, Value>,
    /// The body is HTML already (an `.html` article), not Markdown.
    pub html: bool,
    /// Where the feed item points instead of the page (`external_url`, `link`).
    pub external_url: Option<String>,
    /// Old URLs that redirect to the page (`aliases`, `redirect_from`).
    pub aliases: Vec<Alias>,
    /// The article's own excerpt separator (Jekyll's `excerpt_separator` key).
    pub excerpt_separator: Option<String>,
    /// Which convention supplied each field.
    pub from: Provenance,
    /// What this article's feed items carry, when not the site's `[feeds] content`.
    pub feed_content: Option<ContentPolicy>,
    /// Language of the article, when not the site's (`lang`).
    pub lang: Option<String>,
    /// A podcast episode or other file attached to the feed item.
    pub enclosure: Option<EnclosureRef>,
}

/// Keeps a JSON value as JSON text: a binary form such as the cache's cannot hold
/// `serde_json::Value` itself (it reads only types it knows in advance).
mod json_text {
    use std::collections::BTreeMap;

    use serde::{Deserialize, Deserializer, Serializer};
    use serde_json::Value;

    pub fn serialize<S: Serializer>(
        map: &BTreeMap<String, Value>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        let text = serde_json::to_string(map).map_err(serde::ser::Error::custom)?;
        s.serialize_str(&text)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<BTreeMap<String, Value>, D::Error> {
        let text = String::deserialize(d)?;
        serde_json::from_str(&text).map_err(serde::de::Error::custom)
    }
}

/// A featured image as written in front matter.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ImageRef {
    /// Path or URL as written.
    pub src: String,
    /// Where it was written, for "not found" errors.
    pub at: Location,
    /// Caption shown under it.
    pub caption: Option<String>,
    /// Credit (photographer, agency).
    pub credit: Option<String>,
}

/// An enclosure as written in front matter.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EnclosureRef {
    /// Path relative to the file, or an absolute URL.
    pub src: String,
    /// Media type, when given.
    pub mime_type: Option<String>,
    /// Size in bytes, when given.
    pub length: Option<u64>,
    /// Where it was written.
    pub at: Location,
}

/// A file attached to an article's feed items (RSS `enclosure`, Atom `link
/// rel="enclosure"`, JSON Feed `attachments`).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Enclosure {
    /// Absolute URL.
    pub url: String,
    /// Media type.
    pub mime_type: String,
    /// Size in bytes.
    pub length: u64,
}

/// A featured image with its final URL.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Image {
    /// Absolute URL.
    pub url: String,
    /// Media type from the file name, when it tells.
    pub mime_type: Option<String>,
    /// Size in bytes, for a file under `content/`.
    pub length: Option<u64>,
    /// Caption shown under it.
    pub caption: Option<String>,
    /// Credit (photographer, agency).
    pub credit: Option<String>,
}

/// A complete article: validated front matter and rendered body.
#[derive(Debug, Clone)]
pub struct Article {
    /// Front matter.
    pub meta: Meta,
    /// Absolute URL of its page.
    pub url: String,
    /// Feed ID: from `id`, pinned in `mdfeed.lock`, or the permalink.
    pub id: String,
    /// Whether `id` is the page URL (RSS `isPermaLink`).
    pub id_is_permalink: bool,
    /// Featured image with its URL.
    pub image: Option<Image>,
    /// Attached file.
    pub enclosure: Option<Enclosure>,
    /// Body as HTML; links to other articles and assets are root-relative.
    pub html: Html,
    /// Summary as HTML.
    pub summary_html: String,
    /// Summary as plain text.
    pub summary_text: String,
    /// Where the summary came from.
    pub summary_from: crate::markdown::SummaryFrom,
    /// Template tags of other generators shown as text in the body.
    pub template_tags: usize,
    /// `html` holds HTML the author wrote, not only the Markdown renderer's (see
    /// `markdown::Rendered::raw_html`).
    pub raw_html: bool,
    /// The same for `summary_html`.
    pub raw_summary_html: bool,
    /// A hash of every input the article was made from, its feed ID aside: equal keys
    /// give equal articles (the build's memo finds its pages and feed entries by it).
    pub key: crate::memo::Key,
}

/// Validated articles in canonical order: newest first, then by source path.
#[derive(Debug)]
pub struct Site {
    /// The configuration.
    pub config: Config,
    /// Articles, newest first; shared with the build's memo.
    pub articles: Vec<Arc<Article>>,
}

impl Site {
    /// Sorts the articles into the canonical order (newest first; ties by source path,
    /// so the order never depends on the file system).
    pub fn new(config: Config, articles: Vec<Arc<Article>>) -> Site {
        let order = Site::order(&articles);
        Site::in_order(config, &articles, &order)
    }

    /// Returns the canonical order of `articles`: the place of each in `articles`,
    /// newest first.
    pub fn order(articles: &[Arc<Article>]) -> Vec<usize> {
        let mut order: Vec<usize> = (0..articles.len()).collect();
        order.sort_by(|&a, &b| {
            let (a, b) = (&articles[a].meta, &articles[b].meta);
            b.date.cmp(&a.date).then_with(|| a.source.cmp(&b.source))
        });
        order
    }

    /// Puts the articles in `order` (from `Site::order`, for these articles or for
    /// others with the same dates and paths).
    pub fn in_order(config: Config, articles: &[Arc<Article>], order: &[usize]) -> Site {
        let articles = order
            .iter()
            .filter_map(|&i| articles.get(i).cloned())
            .collect();
        Site { config, articles }
    }

    /// Returns the newest publication or update date: the feeds' own "updated".
    pub fn updated(&self) -> Option<Date> {
        self.articles
            .iter()
            .map(|a| a.meta.updated.unwrap_or(a.meta.date).max(a.meta.date))
            .max()
    }
}

/// One file to validate: its front matter, its folder defaults and what the
/// pipeline knows about it.
#[derive(Debug)]
pub struct Input<'a> {
    /// The article's own front matter.
    pub fields: Fields,
    /// Keys from folder defaults files (see `compat::defaults`).
    pub defaults: Fields,
    /// Path relative to `content/`.
    pub source: &'a Path,
    /// Path as shown in messages.
    pub shown: &'a Path,
    /// The body is HTML (an `.html` file).
    pub html: bool,
    /// The body is empty or blank (redirect stubs).
    pub body_is_empty: bool,
    /// An `index.md` / `_index.md` with other articles below its folder.
    pub section_page: bool,
}

/// What a file with front matter turned out to be.
#[derive(Debug)]
pub enum Resolved {
    /// An article.
    Article(Box<Meta>),
    /// Not an article, and why.
    Skipped(SkipReason),
}

/// A file whose front matter has errors.
#[derive(Debug)]
pub struct Failure {
    /// Every error, each at its place.
    pub errors: Vec<Error>,
    /// None of `title_keys` is set.
    pub untitled: bool,
    /// No date anywhere.
    pub undated: bool,
}

/// Validates one file's front matter. Problems that do not stop the build (a bad
/// date that the file name makes up for) go to `warnings`.
pub fn resolve(
    input: Input<'_>,
    config: &Config,
    urls: &Urls,
    warnings: &mut Vec<Warning>,
) -> Result<Resolved, Failure> {
    let Input {
        fields,
        defaults,
        source,
        shown,
        html,
        body_is_empty,
        section_page,
    } = input;
    if let Some(reason) = skip::by_front_matter(&fields, &defaults, body_is_empty) {
        return Ok(Resolved::Skipped(reason));
    }
    let mut r = Reader {
        fields,
        defaults,
        shown,
        errors: Vec::new(),
    };
    let date = date(&mut r, source, config, warnings);
    let undated = date.is_none() && r.errors.is_empty();
    let untitled = !config
        .content
        .title_keys
        .iter()
        .any(|k| r.fields.contains_key(k));
    if undated {
        if section_page {
            return Ok(Resolved::Skipped(SkipReason::SectionPage));
        }
        if config.content.undated == Undated::Skip {
            return Ok(Resolved::Skipped(SkipReason::Undated));
        }
        r.errors.push(Error::at(
            Location::file(shown),
            "missing required key `date` (or a `YYYY-MM-DD-` prefix on the file or folder name)",
        ));
    }
    match meta(r, (source, html), date, (config, urls), warnings) {
        Ok(meta) => Ok(Resolved::Article(Box::new(meta))),
        Err(errors) => Err(Failure {
            errors,
            untitled,
            undated,
        }),
    }
}

/// Reads everything but the date; `date` is `None` when it is missing or wrong (the
/// error is already in `r`), so that every other error is still reported.
fn meta(
    mut r: Reader<'_>,
    (source, html): (&Path, bool),
    date: Option<(Date, DateFrom)>,
    (config, urls): (&Config, &Urls),
    warnings: &mut Vec<Warning>,
) -> Result<Meta, Vec<Error>> {
    let title = r.title(&config.content.title_keys);
    let updated = updated(&mut r, config);
    let draft = r.boolean("draft").unwrap_or(false)
        || r.field("published")
            .is_some_and(|f| f.value == Value::Bool(false));
    let slug = slug(&mut r, source);
    let page = match (&date, slug) {
        (Some((d, _)), Some(slug)) => page(&mut r, slug, d, config, warnings),
        _ => None,
    };
    let (tags, categories) = tags_and_categories(&mut r);
    let (authors, authors_from) = r.authors(config);
    let summary = r.first_string(&["summary", "description", "excerpt"]);
    let excerpt_separator = r.string("excerpt_separator").filter(|s| !s.is_empty());
    let image = image(&mut r);
    let id = r.first_string(&["id"]).map(|s| s.trim().to_owned());
    let external_url = external_url(&mut r);
    let feed_content = r.content_policy();
    let lang = r.lang();
    let enclosure = r.enclosure();
    let aliases = page
        .as_ref()
        .map(|(p, _)| aliases(&mut r, urls, p))
        .unwrap_or_default();
    let mut known: Vec<&str> = KNOWN.to_vec();
    known.extend(config.content.title_keys.iter().map(String::as_str));
    let extra = r.extra(&known);
    let (Some((title, title_key)), Some((date, date_from)), Some((page, html_alias)), true) =
        (title, date, page, r.errors.is_empty())
    else {
        return Err(r.errors);
    };
    Ok(Meta {
        source: source.to_owned(),
        shown: r.shown.to_owned(),
        title,
        date,
        updated,
        draft,
        page,
        tags,
        categories,
        authors,
        summary,
        image,
        id,
        extra,
        html,
        external_url,
        aliases: aliases.into_iter().chain(html_alias).collect(),
        excerpt_separator,
        from: Provenance {
            title_key,
            date: date_from,
            authors: authors_from,
        },
        feed_content,
        lang,
        enclosure,
    })
}

/// Reads tags (`tags`, Zola's `taxonomies.tags`) and categories (`categories`, a
/// space-separated string as Jekyll reads it, and `category`), defaults merged in.
fn tags_and_categories(r: &mut Reader<'_>) -> (Vec<String>, Vec<String>) {
    let (mut tags, mut categories) = r.taxonomies();
    tags.extend(r.list("tags", false));
    categories.extend(r.list("categories", true));
    categories.extend(r.list("category", false));
    (dedup(tags), dedup(categories))
}

/// Returns the date: front matter `date` (Hugo: `publishDate`); else a date in the
/// file or folder name; else a `YYYY/MM/DD` run in a path key. A front matter date
/// that cannot be read falls back to the file name's date, with a warning.
fn date(
    r: &mut Reader<'_>,
    source: &Path,
    config: &Config,
    warnings: &mut Vec<Warning>,
) -> Option<(Date, DateFrom)> {
    let zone = &config.timezone;
    let from_names = name_dates::from_names(source, zone);
    if let Some(key) = ["date", "publishDate"]
        .into_iter()
        .find(|k| r.fields.contains_key(*k))
    {
        let text = r.string(key)?;
        match dates::parse(&text, zone) {
            Ok(d) => return Some((d, DateFrom::FrontMatter)),
            Err(msg) => match from_names {
                Some((d, from)) => {
                    let day = d.format("%Y-%m-%d");
                    warnings.push(Warning {
                        at: r.location(key),
                        msg: format!("`{key}`: {msg}; using {day} from the file name instead"),
                    });
                    return Some((d, from));
                }
                None => {
                    r.error(key, format!("`{key}`: {msg}"));
                    return None;
                }
            },
        }
    }
    if from_names.is_some() {
        return from_names;
    }
    let (_, path) = path_key(r)?;
    name_dates::from_path_key(&path, zone).map(|d| (d, DateFrom::PathKey))
}

fn updated(r: &mut Reader<'_>, config: &Config) -> Option<Date> {
    let keys = ["updated", "lastmod", "last_modified_at", "modified"];
    let key = keys.into_iter().find(|k| r.fields.contains_key(*k))?;
    let text = r.string(key)?;
    match dates::parse(&text, &config.timezone) {
        Ok(d) => Some(d),
        Err(msg) => {
            r.error(key, format!("`{key}`: {msg}"));
            None
        }
    }
}

fn image(r: &mut Reader<'_>) -> Option<ImageRef> {
    let src = r.string("image").filter(|s| !s.trim().is_empty())?;
    Some(ImageRef {
        src: src.trim().to_owned(),
        at: r.location("image"),
        caption: r.string("image_caption"),
        credit: r.string("image_credit"),
    })
}

/// Returns `rtl` for languages written right to left (by their primary subtag), so
/// pages can set `dir`; `None` means the default, left to right.
pub fn direction(lang: &str) -> Option<&'static str> {
    const RTL: &[&str] = &[
        "ar", "arc", "ckb", "dv", "fa", "he", "iw", "ks", "ku", "ps", "sd", "syr", "ug", "ur", "yi",
    ];
    let primary = lang.split(['-', '_']).next().unwrap_or_default();
    RTL.iter()
        .any(|r| r.eq_ignore_ascii_case(primary))
        .then_some("rtl")
}

fn dedup(items: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::BTreeSet::new();
    items
        .into_iter()
        .filter(|t| seen.insert(t.clone()))
        .collect()
}

#[cfg(test)]
mod tests;
