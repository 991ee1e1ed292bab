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

/// Gives every article its feed ID from `mdfeed.lock` and pins the new ones. Drafts,
/// future articles and preview builds (`--base-url`) pin nothing: their URLs are not
/// the published ones yet. With `--locked`, a new ID is an error instead.
pub(super) fn pin_ids(
    opts: &BuildOptions,
    (shown_root, urls): (&Path, &Urls),
    articles: &mut [Arc<Article>],
    (now, held): (Date, &mut Option<(Key, Lock)>),
    warnings: &mut Vec<Warning>,
) -> Result<Option<LockUpdate>> {
    let path = opts.root.join(ids::FILE_NAME);
    let shown = shown_root.join(ids::FILE_NAME);
    let none = Lock::default();
    let lock = match source::read_optional_text(&path, &shown)? {
        Some(text) => parse_once(&shown, &text, held)?,
        None => &none,
    };
    let preview = opts.base_url.is_some();
    let pin = |a: &Article| !preview && !a.meta.draft && a.meta.date <= now;
    let own = |a: &Article| urls.item_id(a.meta.id.as_deref(), &a.url, &a.meta.date);
    let assigned = lock.assign(articles, &own, &pin);
    for (i, id, permalink) in &assigned.ids {
        if let Some(a) = articles.get_mut(*i) {
            // The article is shared (with the memo): change a copy.
            let mut changed = Article::clone(a);
            changed.id = id.clone();
            changed.id_is_permalink = *permalink;
            *a = Arc::new(changed);
        }
    }
    if assigned.added.is_empty() {
        return Ok(None);
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
    Ok(Some(LockUpdate {
        path,
        lock,
        added: assigned.added.len(),
    }))
}

/// Parses the lock file, unless `held` (the memo's) is the same text parsed already.
fn parse_once<'h>(shown: &Path, text: &str, held: &'h mut Option<(Key, Lock)>) -> Result<&'h Lock> {
    let key = KeyHasher::new("lock file")
        .str(&shown.to_string_lossy())
        .str(text)
        .finish();
    if held.as_ref().is_none_or(|(k, _)| *k != key) {
        *held = Some((key, Lock::parse(shown, text)?));
    }
    match held {
        Some((_, lock)) => Ok(lock),
        None => Err(Error::at(
            Location::file(shown),
            "the lock file was not kept",
        )),
    }
}

/// Two articles with the same feed ID would look like one item to every reader.
/// (Two equal permalinks are already reported as a page collision.)
pub(super) fn check_unique_ids(site: &Site) -> Vec<Error> {
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
