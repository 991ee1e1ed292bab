//! Lists the files of `content/`, and with a file watcher's word (`Memo::changed`) does
//! so without walking the folder again: the last walk's list, patched with the files
//! the watcher says changed, and the set of those files, so that the rest need not
//! even be looked at.
//!
//! Owns: when the watcher's word is enough. Anything unusual walks again: a change
//! outside `content/` (templates, the config: those rebuilds redo most of the work
//! anyway), a folder made or removed, a symbolic link or a file with more than one name
//! anywhere under `content/` (changed through another path, it would not be reported),
//! a name the walk would refuse, an error, or a build no report came before.
//! Does not: read any file (`source` does).

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use super::BuildOptions;
use crate::config;
use crate::error::{Result, Warning};
use crate::source::{self, SourceFile};

/// The last walk, and what the watcher reported since.
#[derive(Default)]
pub(super) struct WalkMemo {
    /// The files as of the last walk, with the reported changes applied; `None` when
    /// the next build must walk.
    files: Option<Arc<Vec<SourceFile>>>,
    /// Paths under `content/` reported changed since the last build that succeeded
    /// (what the memo holds is at most that old); `None` when no report came (a caller
    /// without a watcher): the next build walks.
    since: Option<BTreeSet<PathBuf>>,
    /// Counts the lists: a new walk, or a file that came or went, makes a new one.
    version: u64,
}

/// The files of `content/`, and which may have changed since the last build (`None`:
/// any of them).
pub(super) struct Listed {
    /// Shared with the memo: the next build patches it in place once this one is over.
    pub files: Arc<Vec<SourceFile>>,
    pub warnings: Vec<Warning>,
    pub changed: Option<BTreeSet<PathBuf>>,
    /// Which list this is: the same number means the same files.
    pub version: u64,
}

impl WalkMemo {
    /// Takes note of the paths (relative to the site root, as `watch::Watch` reports
    /// them) that changed since the last build.
    pub(super) fn changed(&mut self, paths: &[PathBuf]) {
        let since = self.since.get_or_insert_with(BTreeSet::new);
        for path in paths {
            match path.strip_prefix("content") {
                Ok(rel) if rel.components().next().is_some() => {
                    since.insert(rel.to_owned());
                }
                // content/ itself, templates/, mdfeed.toml, or something new.
                _ => self.files = None,
            }
        }
    }

    /// Forgets the list: the next build walks (a file was found with two names).
    pub(super) fn distrust(&mut self) {
        self.files = None;
    }

    /// Ends a build: after a success, the changes reported so far are all taken in.
    pub(super) fn end(&mut self, ok: bool) {
        if ok {
            self.since = None;
        }
    }

    /// Returns the files of `content/`: the last list patched with the reported
    /// changes when that is safe, else a new walk.
    pub(super) fn list(&mut self, opts: &BuildOptions) -> Result<Listed> {
        let content_dir = opts.root.join("content");
        let shown_dir = config::display_path(&opts.root).join("content");
        if let (Some(files), Some(since)) = (self.files.take(), &self.since)
            && let Some((files, same)) = patched(files, since, (&content_dir, &shown_dir))
        {
            self.version += u64::from(!same);
            self.files = Some(Arc::clone(&files));
            return Ok(Listed {
                files,
                warnings: Vec::new(),
                changed: Some(since.clone()),
                version: self.version,
            });
        }
        self.version += 1;
        let walk = source::walk(&content_dir, &shown_dir)?;
        // A list with warnings (links skipped) is walked again each time, so they are
        // reported each time.
        let trusted = !walk.links && walk.warnings.is_empty();
        let files = Arc::new(walk.files);
        self.files = trusted.then(|| Arc::clone(&files));
        Ok(Listed {
            files,
            warnings: walk.warnings,
            changed: None,
            version: self.version,
        })
    }
}

/// Applies the changed paths to the list, or returns `None` when a walk is needed;
/// tells whether the list is the same as before.
fn patched(
    mut shared: Arc<Vec<SourceFile>>,
    since: &BTreeSet<PathBuf>,
    (content_dir, shown_dir): (&Path, &Path),
) -> Option<(Arc<Vec<SourceFile>>, bool)> {
    let mut same = true;
    // Not shared any more unless a build is still running (then it is copied).
    let files = Arc::make_mut(&mut shared);
    for rel in since {
        let plain = rel.components().all(|c| match c {
            Component::Normal(s) => !s.to_string_lossy().starts_with('.'),
            _ => false,
        });
        if !plain {
            // The watcher leaves hidden files out, and the walk does too.
            return None;
        }
        let at = files.binary_search_by(|f| f.rel.as_path().cmp(rel));
        let abs = content_dir.join(rel);
        match (std::fs::symlink_metadata(&abs), at) {
            (Ok(m), Ok(_)) if m.is_file() => {}
            (Ok(m), Err(i)) if m.is_file() => {
                let file = source::source_file(&abs, content_dir, shown_dir)?.ok()?;
                files.insert(i, file);
                same = false;
            }
            (Err(e), Ok(i)) if e.kind() == std::io::ErrorKind::NotFound => {
                files.remove(i);
                same = false;
            }
            // Gone and never listed (an editor's temporary file), unless it was a
            // folder with files in it.
            (Err(e), Err(i)) if e.kind() == std::io::ErrorKind::NotFound => {
                if files.get(i).is_some_and(|f| f.rel.starts_with(rel)) {
                    return None;
                }
            }
            // A folder, a link, or an error.
            _ => return None,
        }
    }
    Some((shared, same))
}
