//! Turns parsed front matter into validated articles, and articles into a site.
//!
//! Owns: the front matter keys and their aliases (Jekyll, Hugo, Zola), defaults
//! from the config, slugs and page paths, and the site's canonical order.
//! Does not: do I/O, render HTML or format URLs (see `urls`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::config::{Config, Person};
use crate::dates::{self, Date};
use crate::error::{Error, Location};
use crate::frontmatter::{Field, Fields};
use crate::urls;

/// Keys mdfeed reads; everything else is handed to templates as `extra`.
const KNOWN: &[&str] = &[
    "title",
    "date",
    "updated",
    "lastmod",
    "last_modified_at",
    "modified",
    "draft",
    "slug",
    "tags",
    "categories",
    "taxonomies",
    "author",
    "authors",
    "summary",
    "description",
    "image",
    "image_caption",
    "image_credit",
    "id",
];

/// An article's front matter, validated; the body is rendered later, once every
/// article's URL is known (links between articles need them).
#[derive(Debug, Clone)]
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
    pub extra: BTreeMap<String, Value>,
}

/// A featured image as written in front matter.
#[derive(Debug, Clone)]
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

/// A featured image with its final URL.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Image {
    /// Absolute URL.
    pub url: String,
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
    /// Featured image with its URL.
    pub image: Option<Image>,
    /// Body as HTML; links to other articles and assets are root-relative.
    pub html: String,
    /// Summary as HTML.
    pub summary_html: String,
    /// Summary as plain text.
    pub summary_text: String,
}

/// Validated articles in canonical order: newest first, then by source path.
#[derive(Debug)]
pub struct Site {
    /// The configuration.
    pub config: Config,
    /// Articles, newest first.
    pub articles: Vec<Article>,
}

impl Site {
    /// Sorts the articles into the canonical order (newest first; ties by source path,
    /// so the order never depends on the file system).
    pub fn new(config: Config, mut articles: Vec<Article>) -> Site {
        articles.sort_by(|a, b| {
            b.meta
                .date
                .cmp(&a.meta.date)
                .then_with(|| a.meta.source.cmp(&b.meta.source))
        });
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

/// Validates the front matter of the file `source` (relative to `content/`).
pub fn resolve(
    fields: Fields,
    source: &Path,
    shown: &Path,
    config: &Config,
) -> Result<Meta, Vec<Error>> {
    let mut r = Reader {
        fields,
        shown,
        errors: Vec::new(),
    };
    let stem = source
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    let from_name = dates::from_file_prefix(stem, &config.timezone);
    let title = r.title();
    let has_slug = r.fields.contains_key("slug");
    let date = r.date(&["date"], config);
    let updated = r.date(
        &["updated", "lastmod", "last_modified_at", "modified"],
        config,
    );
    let draft = r.boolean("draft").unwrap_or(false);
    let slug = r.slug(stem, from_name.map(|(_, rest)| rest));
    let (mut tags, mut categories) = r.taxonomies();
    tags.extend(r.list("tags"));
    categories.extend(r.list("categories"));
    let authors = r.authors(config);
    let summary = r
        .first_string(&["summary", "description"])
        .filter(|s| !s.trim().is_empty());
    let image = r.image();
    let id = r
        .string("id")
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty());
    let date = date.or(from_name.map(|(d, _)| d));
    if date.is_none() && !r.fields.contains_key("date") {
        r.errors.push(Error::at(
            Location::file(shown),
            "missing required key `date` (or a `YYYY-MM-DD-` prefix on the file name)",
        ));
    }
    let extra = r.extra();
    let (Some(title), Some(date), Some(slug), true) = (title, date, slug, r.errors.is_empty())
    else {
        return Err(r.errors);
    };
    let mut page: Vec<String> = folder_segments(source);
    // An `index.md` without a `slug` is the page of its folder, as in Hugo's page bundles.
    if stem != "index" || has_slug {
        page.push(slug);
    }
    Ok(Meta {
        source: source.to_owned(),
        shown: shown.to_owned(),
        title,
        date,
        updated,
        draft,
        page,
        tags: dedup(tags),
        categories: dedup(categories),
        authors,
        summary,
        image,
        id,
        extra,
    })
}

fn folder_segments(source: &Path) -> Vec<String> {
    source
        .parent()
        .map(|p| p.iter().map(|s| s.to_string_lossy().into_owned()).collect())
        .unwrap_or_default()
}

fn dedup(items: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::BTreeSet::new();
    items
        .into_iter()
        .filter(|t| seen.insert(t.clone()))
        .collect()
}

/// Reads typed values out of the front matter, remembering every error.
struct Reader<'a> {
    fields: Fields,
    shown: &'a Path,
    errors: Vec<Error>,
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a table",
    }
}

fn scalar_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

impl Reader<'_> {
    fn error_at(&self, key: &str, msg: impl Into<String>) -> Error {
        let at = self.fields.get(key).map_or_else(
            || Location::file(self.shown),
            |f| Location::new(self.shown, f.line, f.col),
        );
        Error::at(at, msg)
    }

    fn take(&mut self, key: &str) -> Option<Field> {
        self.fields.get(key).cloned()
    }

    fn wrong_type(&mut self, key: &str, want: &str, found: &Value) {
        let e = self.error_at(
            key,
            format!("`{key}` must be {want}, found {}", kind(found)),
        );
        self.errors.push(e);
    }

    fn string(&mut self, key: &str) -> Option<String> {
        let f = self.take(key)?;
        match scalar_string(&f.value) {
            Some(s) => Some(s),
            None if f.value.is_null() => None,
            None => {
                self.wrong_type(key, "a string", &f.value);
                None
            }
        }
    }

    fn title(&mut self) -> Option<String> {
        if !self.fields.contains_key("title") {
            let e = Error::at(Location::file(self.shown), "missing required key `title`");
            self.errors.push(e);
            return None;
        }
        let title = self.string("title")?.trim().to_owned();
        if title.is_empty() {
            let e = self.error_at("title", "`title` is empty");
            self.errors.push(e);
            return None;
        }
        Some(title)
    }

    fn first_string(&mut self, keys: &[&str]) -> Option<String> {
        keys.iter()
            .find_map(|k| self.string(k).filter(|s| !s.trim().is_empty()))
    }

    fn boolean(&mut self, key: &str) -> Option<bool> {
        let f = self.take(key)?;
        match f.value {
            Value::Bool(b) => Some(b),
            ref other => {
                self.wrong_type(key, "`true` or `false`", other);
                None
            }
        }
    }

    fn date(&mut self, keys: &[&str], config: &Config) -> Option<Date> {
        let key = keys.iter().find(|k| self.fields.contains_key(**k))?;
        let text = self.string(key)?;
        match dates::parse(&text, &config.timezone) {
            Ok(d) => Some(d),
            Err(msg) => {
                let e = self.error_at(key, format!("`{key}`: {msg}"));
                self.errors.push(e);
                None
            }
        }
    }

    fn slug(&mut self, stem: &str, undated_stem: Option<&str>) -> Option<String> {
        let (slug, from_key) = match self.string("slug") {
            Some(s) => (s.trim().to_owned(), true),
            None => (undated_stem.unwrap_or(stem).to_owned(), false),
        };
        match urls::check_segment(&slug) {
            Ok(()) => Some(slug),
            Err(why) => {
                let what = if from_key { "`slug`" } else { "the file name" };
                let e = self.error_at("slug", format!("{what} cannot be a page path: {why}"));
                self.errors.push(e);
                None
            }
        }
    }

    /// Reads a list of strings, or one string, as a list.
    fn list(&mut self, key: &str) -> Vec<String> {
        let Some(f) = self.take(key) else {
            return Vec::new();
        };
        self.list_value(key, &f.value)
    }

    fn list_value(&mut self, key: &str, value: &Value) -> Vec<String> {
        let items: Vec<&Value> = match value {
            Value::Array(a) => a.iter().collect(),
            Value::Null => Vec::new(),
            other => vec![other],
        };
        let mut out = Vec::new();
        for item in items {
            match scalar_string(item) {
                Some(s) if !s.trim().is_empty() => out.push(s.trim().to_owned()),
                Some(_) => {}
                None => self.wrong_type(key, "a string or a list of strings", item),
            }
        }
        out
    }

    /// Reads Zola's `[taxonomies]` table: `tags` and `categories` lists.
    fn taxonomies(&mut self) -> (Vec<String>, Vec<String>) {
        let Some(f) = self.take("taxonomies") else {
            return (Vec::new(), Vec::new());
        };
        let Value::Object(table) = &f.value else {
            self.wrong_type("taxonomies", "a table", &f.value);
            return (Vec::new(), Vec::new());
        };
        let tags = table.get("tags").map(|v| self.list_value("taxonomies", v));
        let cats = table
            .get("categories")
            .map(|v| self.list_value("taxonomies", v));
        (tags.unwrap_or_default(), cats.unwrap_or_default())
    }

    fn authors(&mut self, config: &Config) -> Vec<Person> {
        let mut out = Vec::new();
        for key in ["author", "authors"] {
            let Some(f) = self.take(key) else { continue };
            let items: Vec<Value> = match f.value {
                Value::Array(a) => a,
                Value::Null => Vec::new(),
                other => vec![other],
            };
            for item in &items {
                match person(item) {
                    Some(p) => out.push(p),
                    None => {
                        self.wrong_type(key, "a name, a list of names or a table with `name`", item)
                    }
                }
            }
        }
        if out.is_empty() {
            out.extend(config.author.clone());
        }
        out
    }

    fn image(&mut self) -> Option<ImageRef> {
        let src = self.string("image").filter(|s| !s.trim().is_empty())?;
        let f = self.take("image")?;
        Some(ImageRef {
            src: src.trim().to_owned(),
            at: Location::new(self.shown, f.line, f.col),
            caption: self.string("image_caption"),
            credit: self.string("image_credit"),
        })
    }

    fn extra(&mut self) -> BTreeMap<String, Value> {
        std::mem::take(&mut self.fields)
            .into_iter()
            .filter(|(k, _)| !KNOWN.contains(&k.as_str()))
            .map(|(k, f)| (k, f.value))
            .collect()
    }
}

/// Reads one author entry: a name, or a table with `name` and optional `email`/`uri`.
fn person(v: &Value) -> Option<Person> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(Person {
            name: s.trim().to_owned(),
            email: None,
            uri: None,
        }),
        Value::Object(t) => {
            let get = |k: &str| {
                t.get(k)
                    .and_then(Value::as_str)
                    .map(|s| s.trim().to_owned())
            };
            Some(Person {
                name: get("name").filter(|n| !n.is_empty())?,
                email: get("email").filter(|s| !s.is_empty()),
                uri: get("uri").or_else(|| get("url")).filter(|s| !s.is_empty()),
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frontmatter::split;

    fn config() -> Config {
        crate::config::parse(
            Path::new("mdfeed.toml"),
            "title=\"T\"\nbase_url=\"https://e.org/\"\ntimezone=\"Asia/Shanghai\"\n[author]\nname=\"Site\"\n",
            None,
        )
        .unwrap()
    }

    fn meta(name: &str, text: &str) -> Result<Meta, Vec<Error>> {
        let fields = split(text).unwrap().unwrap().fields;
        resolve(
            fields,
            Path::new(name),
            &Path::new("content").join(name),
            &config(),
        )
    }

    #[test]
    fn aliases_and_defaults() {
        let m = meta(
            "news/2024-01-02-hello.md",
            "---\ntitle: \" Hi \"\nlastmod: 2024-02-01\ncategories: China / Politics\ntaxonomies: {tags: [a, b]}\ntags: [b, 3]\nlayout: post\n---\n",
        )
        .unwrap();
        assert_eq!(m.title, "Hi");
        assert_eq!(m.date.to_rfc3339(), "2024-01-02T00:00:00+08:00");
        assert_eq!(m.updated.unwrap().to_rfc3339(), "2024-02-01T00:00:00+08:00");
        assert_eq!(m.page, ["news", "hello"]);
        assert_eq!(m.tags, ["a", "b", "3"]);
        assert_eq!(m.categories, ["China / Politics"]);
        assert_eq!(m.authors[0].name, "Site");
        assert_eq!(m.extra["layout"], Value::String("post".into()));
    }

    #[test]
    fn authors_are_never_split() {
        let m = meta("a.md", "---\ntitle: T\ndate: 2024-01-01\nauthors: [\"Smith, Jane and Co\", {name: X, email: x@e.org}]\n---\n").unwrap();
        let names: Vec<_> = m.authors.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["Smith, Jane and Co", "X"]);
    }

    #[test]
    fn every_error_is_reported_with_its_line() {
        let errs = meta(
            "a.md",
            "---\ntitle: [1]\ndate: someday\ndraft: maybe\nslug: ../x\n---\n",
        )
        .unwrap_err();
        let msgs: Vec<String> = errs.iter().map(ToString::to_string).collect();
        assert!(msgs.iter().any(|m| m.starts_with("content/a.md:2:") && m.contains("`title` must be a string")), "{msgs:?}");
        assert!(
            msgs.iter()
                .any(|m| m.starts_with("content/a.md:3:") && m.contains("cannot read date")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.starts_with("content/a.md:4:") && m.contains("`draft`")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.starts_with("content/a.md:5:") && m.contains("`slug`")),
            "{msgs:?}"
        );
    }

    #[test]
    fn missing_title_and_date() {
        let errs = meta("a.md", "---\nslug: x\n---\n").unwrap_err();
        assert_eq!(errs.len(), 2, "{errs:?}");
    }
}
