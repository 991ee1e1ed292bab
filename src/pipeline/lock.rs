//! The pipeline's side of feed IDs: reading `mdfeed.lock`, pinning new IDs during a
//! build, `mdfeed ids mv`, and the check that no two articles share an ID. The lock
//! file's format and rules live in `ids`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::BuildOptions;
use crate::config;
use crate::dates::Date;
use crate::error::{Error, Location, Result, Warning};
use crate::ids::{self, Lock};
use crate::memo::{Key, KeyHasher};
use crate::model::{Article, Site};
use crate::output;
use crate::source;
use crate::urls::Urls;

/// What `mdfeed ids mv` did.
#[derive(Debug)]
pub struct Moved {
    /// The new lock key.
    pub new: String,
    /// The ID it has now.
    pub id: String,
    /// The ID `new` had before, replaced.
    pub replaced: Option<String>,
}

/// Moves the ID pinned for the article file `old` to `new` in `ROOT/mdfeed.lock`.
pub fn move_id(root: &Path, old: &str, new: &str) -> Result<Moved> {
    let path = root.join(ids::FILE_NAME);
    let shown = config::display_path(&path);
    let text = source::read_optional_text(&path, &shown)?.ok_or_else(|| {
        Error::at(
            Location::file(&shown),
            "no lock file here: run `mdfeed build` first",
        )
    })?;
    let mut lock = Lock::parse(&shown, &text)?;
    let (old, new) = (ids::key_from_arg(old), ids::key_from_arg(new));
    let replaced = lock
        .move_entry(&old, &new)
        .map_err(|msg| Error::at(Location::file(&shown), msg))?;
    output::write_beside_content(&path, lock.render()?.as_bytes())?;
    Ok(Moved {
        id: lock.get(&new).unwrap_or_default().to_owned(),
        new,
        replaced,
    })
}

/// A lock file that gained entries and must be written after `out/`.
#[derive(Debug)]
pub(super) struct LockUpdate {
    pub(super) path: PathBuf,
    pub(super) lock: Lock,
    pub(super) added: usize,
}

/// The articles as the last preview build left them, under the lock file it read.
pub(super) type LastIds = Option<(Key, Vec<Arc<Article>>)>;

/// Gives every article its feed ID from `mdfeed.lock` and pins the new ones. Drafts,
/// future articles and preview builds (`--base-url`) pin nothing: their URLs are not
/// the published ones yet. With `--locked`, a new ID is an error instead. Returns
/// the update of the lock file, and which articles were given another ID (they are
/// new values).
pub(super) fn pin_ids(
    opts: &BuildOptions,
    (shown_root, urls): (&Path, &Urls),
    articles: &mut [Arc<Article>],
    (now, held, last): (Date, &mut Option<(Key, Lock)>, Option<&mut LastIds>),
    warnings: &mut Vec<Warning>,
) -> Result<(Option<LockUpdate>, Vec<usize>)> {
    let path = opts.root.join(ids::FILE_NAME);
    let shown = shown_root.join(ids::FILE_NAME);
    let none = Lock::default();
    let (lock, lock_key) = match source::read_optional_text(&path, &shown)? {
        Some(text) => parse_once(&shown, &text, held)?,
        None => (&none, KeyHasher::new("no lock file").finish()),
    };
    let preview = opts.base_url.is_some();
    let pin = |a: &Article| !preview && !a.meta.draft && a.meta.date <= now;
    let own = |a: &Article| urls.item_id(a.meta.id.as_deref(), &a.url, &a.meta.date);
    // A preview pins nothing, so an article's ID depends on it and the lock file
    // alone: only the articles that are not the last build's need one.
    let todo: Vec<usize> = match last.as_deref() {
        Some(Some((key, out))) if preview && *key == lock_key => {
            changed(articles, out).unwrap_or_else(|| (0..articles.len()).collect())
        }
        _ => (0..articles.len()).collect(),
    };
    let some: Vec<Arc<Article>> = todo.iter().map(|&i| articles[i].clone()).collect();
    let assigned = lock.assign(&some, &own, &pin);
    let given = give(articles, &todo, &assigned.ids);
    if let Some(last) = last {
        *last = preview.then(|| (lock_key, articles.to_vec()));
    }
    if assigned.added.is_empty() {
        return Ok((None, given));
    }
    if opts.locked {
        let errors = assigned.added.iter().map(|file| {
            Error::at(
                Location::file(file),
                format!("new article has no ID in {} (--locked): run `mdfeed build` and commit the lock file", shown.display()),
            )
        });
        return Err(Error::gather(errors.collect())
            .unwrap_or_else(|| Error::at(Location::file(&shown), "out of date")));
    }
    for orphan in &assigned.orphans {
        warnings.push(Warning {
            at: Location::file(&shown),
            msg: format!(
                "`{orphan}` has an ID but no article; if a new article is that file moved, run `mdfeed ids mv {orphan} NEW` to keep its ID"
            ),
        });
    }
    // Copied only now: a build that pins nothing new leaves the lock as it is.
    let mut lock = lock.clone();
    lock.pin(assigned.pins);
    Ok((
        Some(LockUpdate {
            path,
            lock,
            added: assigned.added.len(),
        }),
        given,
    ))
}

/// Gives the articles at `todo[j]` the IDs `assign` found for `j`; returns their places.
fn give(
    articles: &mut [Arc<Article>],
    todo: &[usize],
    ids: &[(usize, String, bool)],
) -> Vec<usize> {
    let mut given = Vec::with_capacity(ids.len());
    for (j, id, permalink) in ids {
        let i = todo[*j];
        if let Some(a) = articles.get_mut(i) {
            // The article is shared (with the memo): change a copy.
            let mut changed = Article::clone(a);
            changed.id = id.clone();
            changed.id_is_permalink = *permalink;
            *a = Arc::new(changed);
            given.push(i);
        }
    }
    given
}

/// Returns the places of the articles that are not the ones the last build had there,
/// or `None` when one of them is another file (the site changed more than that).
fn changed(articles: &[Arc<Article>], last: &[Arc<Article>]) -> Option<Vec<usize>> {
    if articles.len() != last.len() {
        return None;
    }
    let mut todo = Vec::new();
    for (i, (a, old)) in articles.iter().zip(last).enumerate() {
        if !Arc::ptr_eq(a, old) {
            if a.meta.source != old.meta.source {
                return None;
            }
            todo.push(i);
        }
    }
    Some(todo)
}

/// Parses the lock file, unless `held` (the memo's) is the same text parsed already;
/// returns it with the key of its text.
fn parse_once<'h>(
    shown: &Path,
    text: &str,
    held: &'h mut Option<(Key, Lock)>,
) -> Result<(&'h Lock, Key)> {
    let key = KeyHasher::new("lock file")
        .str(&shown.to_string_lossy())
        .str(text)
        .finish();
    if held.as_ref().is_none_or(|(k, _)| *k != key) {
        *held = Some((key, Lock::parse(shown, text)?));
    }
    match held {
        Some((_, lock)) => Ok((lock, key)),
        None => Err(Error::at(
            Location::file(shown),
            "the lock file was not kept",
        )),
    }
}

/// Checks the IDs are unique (see `unique_ids`), unless they are those of `last`, the
/// last build's articles whose IDs were found unique (kept there when `last` is given).
pub(super) fn check_unique_ids(
    site: &Site,
    last: Option<&mut Option<Vec<Arc<Article>>>>,
) -> Vec<Error> {
    let same = |held: &Vec<Arc<Article>>| {
        held.len() == site.articles.len()
            && held
                .iter()
                .zip(&site.articles)
                .all(|(old, a)| Arc::ptr_eq(old, a) || old.id == a.id)
    };
    let Some(last) = last else {
        return unique_ids(site);
    };
    if last.as_ref().is_some_and(same) {
        *last = Some(site.articles.clone());
        return Vec::new();
    }
    let errors = unique_ids(site);
    *last = errors.is_empty().then(|| site.articles.clone());
    errors
}

/// Two articles with the same feed ID would look like one item to every reader.
/// (Two equal permalinks are already reported as a page collision.)
fn unique_ids(site: &Site) -> Vec<Error> {
    // Most sites have no shared ID at all: find that out without sorting by path.
    let mut ids = std::collections::HashSet::with_capacity(site.articles.len());
    if site.articles.iter().all(|a| ids.insert(a.id.as_str())) {
        return Vec::new();
    }
    let mut seen: HashMap<&str, (&Path, bool)> = HashMap::new();
    let mut errors = Vec::new();
    let mut by_path: Vec<&Article> = site.articles.iter().map(|a| &**a).collect();
    by_path.sort_by(|a, b| a.meta.shown.cmp(&b.meta.shown));
    for a in by_path {
        let explicit = !a.id_is_permalink;
        if let Some((first, first_explicit)) = seen.insert(&a.id, (&a.meta.shown, explicit)) {
            if !(explicit || first_explicit) {
                continue;
            }
            errors.push(Error::at(
                Location::file(&a.meta.shown),
                format!(
                    "feed ID `{}` is also used by {} (IDs pinned in mdfeed.lock keep an article's first URL; give one of them an `id`)",
                    a.id,
                    first.display()
                ),
            ));
        }
    }
    errors
}
