//! Where an article lives: its slug, its page path (its own `path` / `permalink` /
//! `url` key, else `[content] permalink`, else its folder and slug), its old URLs
//! (`aliases`, `redirect_from`) and the page it is about (`external_url`, `link`).

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::Alias;
use super::reader::Reader;
use crate::compat::dates as name_dates;
use crate::config::Config;
use crate::dates::Date;
use crate::error::{Error, Location, Warning};
use crate::urls::{self, Permalink, PermalinkValues, Urls};

/// Keys that give an article's own URL, in the order they are tried (Zola's `path`,
/// Jekyll's and Eleventy's `permalink`, Hugo's `url`).
const PATH_KEYS: &[&str] = &["path", "permalink", "url"];

/// Returns the first path key the article sets to a string, and its value.
pub(super) fn path_key(r: &Reader<'_>) -> Option<(&'static str, String)> {
    PATH_KEYS
        .iter()
        .find_map(|k| match r.fields.get(*k).map(|f| &f.value) {
            Some(Value::String(s)) if !s.trim().is_empty() => Some((*k, s.trim().to_owned())),
            _ => None,
        })
}

/// Returns the page path segments, and a redirect from a path key's `.html` URL.
/// An explicit path key wins, then `[content] permalink`, then the folder and slug.
pub(super) fn page(
    r: &mut Reader<'_>,
    (slug, folder): (String, Vec<String>),
    date: &Date,
    config: &Config,
    warnings: &mut Vec<Warning>,
) -> Option<(Vec<String>, Option<Alias>)> {
    let values = PermalinkValues {
        day: config.timezone.calendar_day(date),
        slug: &slug,
        folder: &folder,
    };
    if let Some((key, path)) = path_key(r) {
        if path.contains("{{") || path.contains("{%") {
            warnings.push(Warning {
                at: r.location(key),
                msg: format!("`{key}` holds template syntax mdfeed cannot run; ignored"),
            });
        } else {
            return own_path(r, key, &path, &values);
        }
    }
    match &config.content.permalink {
        Some(pattern) => match pattern.expand(&values) {
            Ok(page) => Some((page, None)),
            Err(msg) => {
                r.errors.push(Error::at(
                    Location::file(r.shown),
                    format!("`[content] permalink`: {msg}"),
                ));
                None
            }
        },
        None => Some((folder.iter().cloned().chain([slug]).collect(), None)),
    }
}

/// Reads an article's own path. A path ending in `.html` (Jekyll) becomes a folder
/// page, and the `.html` URL redirects to it, so old links keep working.
fn own_path(
    r: &mut Reader<'_>,
    key: &str,
    path: &str,
    values: &PermalinkValues<'_>,
) -> Option<(Vec<String>, Option<Alias>)> {
    match Permalink::parse(path).and_then(|p| p.expand(values)) {
        Ok(mut page) => {
            let last = page.last()?;
            let stem = last
                .strip_suffix(".html")
                .or_else(|| last.strip_suffix(".htm"));
            let stem = stem.filter(|s| !s.is_empty()).map(str::to_owned);
            let alias = match stem {
                Some(stem) => {
                    let file: PathBuf = page.iter().collect();
                    page.pop();
                    page.push(stem);
                    Some(Alias {
                        file,
                        at: r.location(key),
                    })
                }
                None => None,
            };
            Some((page, alias))
        }
        Err(msg) => {
            r.error(key, format!("`{key}`: {msg}"));
            None
        }
    }
}

/// Returns the slug and the folders above the page: `slug`; else the file name
/// without its date prefix; for an `index.md` bundle, its folder's name.
pub(super) fn slug(r: &mut Reader<'_>, source: &Path) -> Option<(String, Vec<String>)> {
    let mut folder: Vec<String> = source
        .parent()
        .map(|p| p.iter().map(|s| s.to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    let bundle = name_dates::is_bundle_index(source);
    let own = if bundle {
        folder.pop()
    } else {
        source.file_stem().map(|s| s.to_string_lossy().into_owned())
    };
    let from_key = r.fields.contains_key("slug");
    let slug = match r.string("slug") {
        Some(s) => s.trim().to_owned(),
        None => name_dates::undated_name(own.as_deref().unwrap_or_default()).to_owned(),
    };
    match urls::check_segment(&slug) {
        Ok(()) => Some((slug, folder)),
        Err(why) => {
            let what = if from_key { "`slug`" } else { "the file name" };
            r.error("slug", format!("{what} cannot be a page path: {why}"));
            None
        }
    }
}

pub(super) fn external_url(r: &mut Reader<'_>) -> Option<String> {
    let key = ["external_url", "link"]
        .into_iter()
        .find(|k| r.fields.contains_key(*k))?;
    let url = r.string(key)?;
    match urls::check_external(&url) {
        Ok(url) => Some(url),
        Err(msg) => {
            r.error(key, format!("`{key}`: {msg}"));
            None
        }
    }
}

pub(super) fn aliases(r: &mut Reader<'_>, urls: &Urls, page: &[String]) -> Vec<Alias> {
    let folder = &page[..page.len().saturating_sub(1)];
    let mut out = Vec::new();
    for key in ["aliases", "redirect_from"] {
        if !r.fields.contains_key(key) {
            continue;
        }
        for alias in r.list(key, false) {
            match urls.alias_file(&alias, folder) {
                Ok(file) => out.push(Alias {
                    file,
                    at: r.location(key),
                }),
                Err(msg) => r.error(key, format!("`{key}`: {msg}")),
            }
        }
    }
    out
}
