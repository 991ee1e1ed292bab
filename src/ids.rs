//! The ID lock file, `mdfeed.lock`: the feed ID of every published article, by its
//! source path, so an ID survives a new slug, folder, scheme or domain.
//!
//! Owns: the file's format (TOML, human-readable, sorted), assigning IDs from it and
//! pinning the IDs of new articles, and moving an entry (`mdfeed ids mv`).
//! Does not: read or write files (the pipeline does, through `output`).
//!
//! Precedence: a front matter `id` wins; else the pinned ID; else the permalink,
//! which is pinned the first time the article is published.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Location, Result};
use crate::model::Article;

/// The lock file's name, in the site root beside `mdfeed.toml` and `content/`.
pub const FILE_NAME: &str = "mdfeed.lock";

const HEADER: &str = "\
# mdfeed.lock: the feed ID of every published article, by its file under content/.
# `mdfeed build` adds the articles it publishes for the first time; commit this file
# with your content. Once published, an ID never changes, so subscribers never see an
# old article again as new. After moving an article's file, run
# `mdfeed ids mv OLD NEW` so it keeps its ID.
";

/// The pinned IDs, by source path relative to `content/` (with `/`).
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lock {
    #[serde(default)]
    ids: BTreeMap<String, String>,
}

/// What `assign` did.
#[derive(Debug, Default)]
pub struct Assigned {
    /// Articles whose IDs were pinned now (their files as shown), in path order.
    pub added: Vec<std::path::PathBuf>,
    /// Entries whose file is not among the published articles.
    pub orphans: Vec<String>,
    /// The articles (by place in the order given) whose ID is another than the one
    /// they carry: the ID and whether it is the permalink.
    pub ids: Vec<(usize, String, bool)>,
    /// The new entries: lock key and ID.
    pub pins: Vec<(String, String)>,
}

/// Returns the lock key of a source path: relative to `content/`, `/`-separated.
pub fn key(source: &Path) -> String {
    key_of(source).into_owned()
}

/// Returns the lock key of a source path, borrowed when the path's text already is
/// the key (a source path has normal components only; on Unix it is `/`-separated).
fn key_of(source: &Path) -> Cow<'_, str> {
    match source.to_str() {
        Some(s) if std::path::MAIN_SEPARATOR == '/' => Cow::Borrowed(s),
        _ => {
            let parts: Vec<String> = source
                .iter()
                .map(|s| s.to_string_lossy().into_owned())
                .collect();
            Cow::Owned(parts.join("/"))
        }
    }
}

impl Lock {
    /// Parses the lock file's text; `shown` names it in messages.
    pub fn parse(shown: &Path, text: &str) -> Result<Lock> {
        toml::from_str(text).map_err(|e| {
            let offset = e.span().map_or(0, |s| s.start);
            Error::at(
                Location::in_text(shown, text, offset, 1),
                format!("{} (is this an mdfeed.lock?)", e.message().trim()),
            )
        })
    }

    /// Returns the file's text: a header that explains it, then the sorted entries.
    pub fn render(&self) -> Result<String> {
        let body = toml::to_string(self)
            .map_err(|e| Error::at(Location::file(FILE_NAME), e.to_string()))?;
        Ok(format!("{HEADER}\n{body}"))
    }

    /// Returns the pinned ID of a source path.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.ids.get(key).map(String::as_str)
    }

    /// Gives every article its ID: front matter `id`, else pinned, else its permalink.
    /// `own` returns the ID an article has without the lock file (from front matter or
    /// its permalink) and whether that is the permalink. New IDs of articles that `pin`
    /// accepts are to be pinned (`Assigned::pins`, for `pin`). Returns the articles whose
    /// ID is not the one they carry, with the ID they take: the caller sets it (articles
    /// are shared, so this does not).
    pub fn assign(
        &self,
        articles: &[Arc<Article>],
        own: &dyn Fn(&Article) -> (String, bool),
        pin: &dyn Fn(&Article) -> bool,
    ) -> Assigned {
        let mut done = Assigned::default();
        let mut seen: HashSet<Cow<'_, str>> = HashSet::with_capacity(articles.len());
        let own_cow = |a: &Article| -> (Cow<'_, str>, bool) {
            let (id, permalink) = own(a);
            (Cow::Owned(id), permalink)
        };
        for (i, a) in articles.iter().enumerate() {
            let key = key_of(&a.meta.source);
            let id: (Cow<'_, str>, bool) = match self.ids.get(key.as_ref()) {
                Some(pinned) if a.meta.id.is_none() => (Cow::Borrowed(pinned), *pinned == a.url),
                Some(_) => own_cow(a),
                None if pin(a) => {
                    let own = own_cow(a);
                    done.pins
                        .push((key.clone().into_owned(), own.0.to_string()));
                    done.added.push(a.meta.shown.clone());
                    own
                }
                None => own_cow(a),
            };
            if a.id != id.0 || a.id_is_permalink != id.1 {
                done.ids.push((i, id.0.into_owned(), id.1));
            }
            seen.insert(key);
        }
        done.added.sort();
        done.orphans = self
            .ids
            .keys()
            .filter(|k| !seen.contains(k.as_str()))
            .cloned()
            .collect();
        done
    }

    /// Pins the IDs `assign` found new (`Assigned::pins`).
    pub fn pin(&mut self, pins: Vec<(String, String)>) {
        self.ids.extend(pins);
    }

    /// Moves the ID pinned for `old` to `new` (after the article's file was moved).
    /// Returns the ID `new` had before, if any: it is replaced.
    pub fn move_entry(
        &mut self,
        old: &str,
        new: &str,
    ) -> std::result::Result<Option<String>, String> {
        if old == new {
            return Err(format!("`{old}`: old and new path are the same"));
        }
        let id = self
            .ids
            .remove(old)
            .ok_or_else(|| format!("`{old}` has no ID in {FILE_NAME}"))?;
        Ok(self.ids.insert(new.to_owned(), id))
    }
}

/// Turns a path typed on the command line (`content/news/a.md`, `./news/a.md`) into a key.
pub fn key_from_arg(arg: &str) -> String {
    let p = Path::new(arg);
    let p = p.strip_prefix(".").unwrap_or(p);
    let p = p.strip_prefix("content").unwrap_or(p);
    key(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_move() {
        let mut lock = Lock::default();
        lock.ids
            .insert("news/b.md".into(), "https://e.org/news/b/".into());
        lock.ids.insert("a.md".into(), "urn:x:1".into());
        let text = lock.render().unwrap();
        assert!(text.starts_with("# mdfeed.lock"));
        assert!(
            text.contains("[ids]\n\"a.md\" = \"urn:x:1\"\n\"news/b.md\" = "),
            "{text}"
        );
        assert_eq!(Lock::parse(Path::new("mdfeed.lock"), &text).unwrap(), lock);
        assert_eq!(lock.move_entry("news/b.md", "news/c.md"), Ok(None));
        assert_eq!(lock.get("news/c.md"), Some("https://e.org/news/b/"));
        assert!(lock.move_entry("news/b.md", "x.md").is_err());
        assert_eq!(
            lock.move_entry("a.md", "news/c.md"),
            Ok(Some("https://e.org/news/b/".into()))
        );
        assert_eq!(key_from_arg("./content/news/a.md"), "news/a.md");
        assert_eq!(key_from_arg("news/a.md"), "news/a.md");
    }

    #[test]
    fn a_broken_lock_file_is_an_error_at_its_line() {
        let e = Lock::parse(Path::new("mdfeed.lock"), "[ids]\n\"a.md\" = 3\n").unwrap_err();
        assert!(e.to_string().starts_with("mdfeed.lock:2:"), "{e}");
        let e = Lock::parse(Path::new("mdfeed.lock"), "[other]\n").unwrap_err();
        assert!(e.to_string().starts_with("mdfeed.lock:1:"), "{e}");
    }
}
