//! The pipeline's side of feed IDs: reading `mdfeed.lock`, pinning new IDs during a
//! build, `mdfeed ids mv`, and the check that no two articles share an ID. The lock
//! file's format and rules live in `ids`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::BuildOptions;
use crate::config;
use crate::dates::Date;
use crate::error::{Error, Location, Result, Warning};
use crate::ids::{self, Lock};
use crate::model::{Article, Site};
use crate::output;
use crate::source;

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
    shown_root: &Path,
    articles: &mut [Article],
    now: Date,
    warnings: &mut Vec<Warning>,
) -> Result<Option<LockUpdate>> {
    let path = opts.root.join(ids::FILE_NAME);
    let shown = shown_root.join(ids::FILE_NAME);
    let mut lock = match source::read_optional_text(&path, &shown)? {
        Some(text) => Lock::parse(&shown, &text)?,
        None => Lock::default(),
    };
    let preview = opts.base_url.is_some();
    let pin = |a: &Article| !preview && !a.meta.draft && a.meta.date <= now;
    let assigned = lock.assign(articles, &pin);
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
    Ok(Some(LockUpdate {
        path,
        lock,
        added: assigned.added.len(),
    }))
}

/// Two articles with the same feed ID would look like one item to every reader.
/// (Two equal permalinks are already reported as a page collision.)
pub(super) fn check_unique_ids(site: &Site) -> Vec<Error> {
    let mut seen: HashMap<&str, (&Path, bool)> = HashMap::new();
    let mut errors = Vec::new();
    let mut by_path: Vec<&Article> = site.articles.iter().collect();
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
