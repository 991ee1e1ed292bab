//! Starts a site (`mdfeed init`) and an article (`mdfeed new`).
//!
//! Owns: the starter files and the front matter of a new article. Never
//! overwrites: every file is created with `create_new`, and `init` checks all
//! of its files before it writes the first one.
//! Does not: build anything or read the clock (the caller passes `now`).

use std::fs;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use slug::slugify;

use crate::config;
use crate::dates::{Date, Zone};
use crate::error::{Error, Location, Result};
use crate::frontmatter;
use crate::urls;

/// The folder under `content/` that `mdfeed new` writes to by default.
pub const DEFAULT_FOLDER: &str = "posts";

const CONFIG: &str = r#"# mdfeed site configuration. Each key is explained above it.

# The name of the site: page titles, feed titles. Required.
title = {title}

# Where the site will be published: an absolute http(s) URL, with a path if the
# site lives in a folder (https://example.org/blog/). Feeds need absolute links,
# so set this before you publish. `mdfeed serve` replaces it while you write.
base_url = "https://example.org/"

# One line about the site, for feeds and the home page. Default: the title.
# description = "Notes on gardening, one season at a time."

# The language of the articles: <html lang>, RSS <language>, Atom xml:lang.
language = "en"

# The time zone of dates written without an offset (`date: 2024-05-30 09:00`),
# and of the date `mdfeed new` writes: an IANA name or an offset ("+08:00").
# Default: UTC.
timezone = {timezone}

# The author of every article that names none.
# [author]
# name = "Your Name"
# email = "you@example.org"
# uri = "https://example.org/about/"

# The feeds. Every key is shown with its default.
[feeds]
# Which formats are written, for the site and for each tag and category.
# formats = ["rss", "atom", "json"]
# Items per feed document; older items go to archive pages (RFC 5005). 0: all in one.
# limit = 20
# What an item carries: "full", "summary" or "both".
# content = "both"
# A page and feeds per tag and per category.
# tags = true
# categories = true
# false: tag and category pages without feeds of their own.
# term_feeds = true
# XML feeds point browsers at out/feed.xsl, so a click on a feed shows a page.
# stylesheet = true
# A WebSub hub announced in every feed (default: none).
# hub = "https://hub.example.org/"
"#;

const WELCOME_BODY: &str = r#"
This is your first article. Edit it, or start another with

```sh
mdfeed new "The title of the article"
```

While `mdfeed serve` runs, every save rebuilds the site and reloads this page.
The first paragraph is the summary shown on the home page and in feed readers
(or everything above a line `<!-- more -->`, if there is one).

## Writing

Articles are [CommonMark](https://commonmark.org/) with tables, footnotes and
task lists. Link to another article by its file, as you would on GitHub:
`[see also](other-article.md)`. Put pictures beside the article and write
`![a description for people who cannot see it](picture.jpg)`.

## Publishing

Set `base_url` in `mdfeed.toml`, run `mdfeed build`, and upload `out/`.
"#;

/// The front matter of a new article, in the order a writer reads it.
#[derive(Serialize)]
struct NewArticle<'a> {
    title: &'a str,
    date: String,
    draft: bool,
    tags: Vec<String>,
}

/// Creates a site in `dir`: `mdfeed.toml`, an example article and `.gitignore`.
/// `timezone` goes into the config (the caller detects the computer's own);
/// `now` dates the example article. Returns the files made, relative to `dir`.
pub fn init(dir: &Path, timezone: &str, now: DateTime<Utc>) -> Result<Vec<PathBuf>> {
    let zone = Zone::parse(timezone).unwrap_or_default();
    let zone_name = if Zone::parse(timezone).is_ok() {
        timezone
    } else {
        "UTC"
    };
    let title = dir
        .canonicalize()
        .ok()
        .or_else(|| std::path::absolute(dir).ok())
        .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| "My site".to_owned());
    let config = CONFIG
        .replace("{title}", &toml_string(&title))
        .replace("{timezone}", &toml_string(zone_name));
    let welcome = article_text("Welcome", zone.at(now), false)? + WELCOME_BODY;
    let files: Vec<(PathBuf, String)> = vec![
        (PathBuf::from(config::FILE_NAME), config),
        (
            Path::new("content").join(DEFAULT_FOLDER).join("welcome.md"),
            welcome,
        ),
        (PathBuf::from(".gitignore"), "/out/\n".to_owned()),
    ];
    // Refuse before writing anything, so a refused init leaves no half a site.
    let taken: Vec<Error> = files
        .iter()
        .filter(|(rel, _)| dir.join(rel).exists())
        .map(|(rel, _)| exists_error(&dir.join(rel)))
        .collect();
    if let Some(e) = Error::gather(taken) {
        return Err(e);
    }
    for (rel, text) in &files {
        create_new(&dir.join(rel), text)?;
    }
    Ok(files.into_iter().map(|(rel, _)| rel).collect())
}

/// Writes `content/<folder>/<slug>.md` under `root` with front matter dated `now`
/// in the site's time zone. Returns the path of the new file.
pub fn new_article(
    root: &Path,
    title: &str,
    folder: &Path,
    draft: bool,
    now: DateTime<Utc>,
) -> Result<PathBuf> {
    let site = config::load(root, None)?;
    let arg = |msg: String| Error::at(Location::new("mdfeed new", 0, 0), msg);
    if title.trim().is_empty() {
        return Err(arg("the title is empty".into()));
    }
    if !folder
        .components()
        .all(|c| matches!(c, Component::Normal(s) if !s.to_string_lossy().starts_with('.')))
    {
        return Err(arg(format!(
            "--folder `{}` must be a plain relative path inside content/ (no `..`, no hidden folders)",
            folder.display()
        )));
    }
    let slug = slugify(title);
    if slug.is_empty() || urls::check_segment(&slug).is_err() {
        return Err(arg(format!(
            "cannot make a file name from the title `{title}`"
        )));
    }
    // A blank line after the front matter: where the writer starts typing.
    let text = article_text(title.trim(), site.timezone.at(now), draft)? + "\n";
    let path = config::display_path(root)
        .join("content")
        .join(folder)
        .join(format!("{slug}.md"));
    create_new(&path, &text)?;
    Ok(path)
}

fn article_text(title: &str, date: Date, draft: bool) -> Result<String> {
    let fields = NewArticle {
        title,
        date: date.to_rfc3339_opts(SecondsFormat::Secs, true),
        draft,
        tags: Vec::new(),
    };
    frontmatter::compose(&fields).map_err(|msg| Error::at(Location::new("mdfeed new", 0, 0), msg))
}

/// Quotes a string as TOML does, through the TOML crate (never by hand).
fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_owned()).to_string()
}

fn exists_error(path: &Path) -> Error {
    Error::at(
        Location::file(config::display_path(path)),
        "already exists; mdfeed never overwrites a file, so nothing was written",
    )
}

fn create_new(path: &Path, text: &str) -> Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    }
    let mut file = match fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
    {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(exists_error(path));
        }
        Err(e) => return Err(Error::io(path, e)),
    };
    file.write_all(text.as_bytes())
        .map_err(|e| Error::io(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn noon() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2024-07-01T12:00:00Z")
            .unwrap()
            .to_utc()
    }

    #[test]
    fn init_then_new_makes_files_and_refuses_to_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("my \"site\"");
        let made = init(&root, "Asia/Shanghai", noon()).unwrap();
        assert_eq!(made.len(), 3);
        let config = config::load(&root, None).unwrap();
        assert_eq!(config.title, "my \"site\"");
        let welcome = fs::read_to_string(root.join("content/posts/welcome.md")).unwrap();
        assert!(welcome.contains("2024-07-01T20:00:00+08:00"), "{welcome}");
        let again = init(&root, "UTC", noon()).unwrap_err().flatten();
        assert_eq!(again.len(), 3);
        let first = again[0].to_string();
        assert!(
            first.contains(".gitignore:1:1: error: already exists"),
            "{first}"
        );

        let path = new_article(&root, "Ça va? Déjà vu!", Path::new("notes"), true, noon()).unwrap();
        assert!(path.ends_with("content/notes/ca-va-deja-vu.md"), "{path:?}");
        let text = fs::read_to_string(&path).unwrap();
        let fields = frontmatter::split(&text).unwrap().unwrap().fields;
        assert_eq!(fields["title"].value, "Ça va? Déjà vu!");
        assert_eq!(fields["date"].value, "2024-07-01T20:00:00+08:00");
        assert_eq!(fields["draft"].value, true);
        let twice = new_article(&root, "Ca va, deja vu", Path::new("notes"), false, noon());
        assert!(twice.unwrap_err().to_string().contains("already exists"));
    }

    #[test]
    fn new_refuses_bad_folders_and_titles() {
        let dir = tempfile::tempdir().unwrap();
        init(dir.path(), "UTC", noon()).unwrap();
        for folder in ["../x", ".hidden", "/abs"] {
            assert!(new_article(dir.path(), "T", Path::new(folder), false, noon()).is_err());
        }
        assert!(new_article(dir.path(), "  ", Path::new("p"), false, noon()).is_err());
        assert!(new_article(dir.path(), "!!!", Path::new("p"), false, noon()).is_err());
    }
}
