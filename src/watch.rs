//! Tells when a site's sources change (`mdfeed serve`, `mdfeed build --watch`).
//!
//! Owns: which paths count (`content/`, `templates/`, `mdfeed.toml`; hidden
//! files such as editor swap files do not), ignoring the reads a build makes,
//! and debouncing: one save is a burst of events (write, rename, chmod) and
//! should cause one rebuild. The only user of `notify`.
//! Does not: build anything.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode, ModifyKind, RenameMode};
use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher};

use crate::config;
use crate::error::{Error, Result};

/// A burst is over when no event came for this long. Editors finish a save
/// within a few milliseconds; every millisecond here is added to each rebuild.
const QUIET: Duration = Duration::from_millis(25);

/// The same when the last event finished a change (a file closed after writing,
/// renamed into place or removed): what else belongs to the save (an editor
/// removing its backup) comes at once. Should more come later, it makes one more
/// rebuild, never a wrong one.
const SETTLED: Duration = Duration::from_millis(4);

/// A stream of events that never pauses (a script writing in a loop) still gets
/// a rebuild this often.
const LONGEST_BURST: Duration = Duration::from_millis(250);

/// The folders watched recursively, relative to the site root.
const TREES: [&str; 2] = ["content", "templates"];

/// Watches one site root.
pub struct Watch {
    watcher: RecommendedWatcher,
    events: Receiver<notify::Result<Event>>,
    root: PathBuf,
    watched: BTreeSet<&'static str>,
}

impl Watch {
    /// Starts watching `root`; changes made from now on are reported by `changes`.
    pub fn new(root: &Path) -> Result<Watch> {
        let root = root.canonicalize().map_err(|e| Error::io(root, e))?;
        let (tx, events) = channel();
        let mut watcher = notify::recommended_watcher(tx).map_err(|e| notify_error(&root, e))?;
        // The root itself, not recursively: mdfeed.toml, and content/ or templates/
        // being made or removed. A recursive watch would also see out/ being written.
        watcher
            .watch(&root, RecursiveMode::NonRecursive)
            .map_err(|e| notify_error(&root, e))?;
        let mut watch = Watch {
            watcher,
            events,
            root,
            watched: BTreeSet::new(),
        };
        watch.refresh_trees(&[])?;
        Ok(watch)
    }

    /// Blocks until a source changes and the burst of events is over; returns the
    /// changed paths relative to the root, sorted.
    pub fn changes(&mut self) -> Result<Vec<PathBuf>> {
        let mut changed = BTreeSet::new();
        let mut settled = false;
        while changed.is_empty() {
            let event = self.events.recv().map_err(|_| self.closed())?;
            settled = self.collect(event, &mut changed)?;
        }
        let started = Instant::now();
        while started.elapsed() < LONGEST_BURST {
            let quiet = if settled { SETTLED } else { QUIET };
            match self.events.recv_timeout(quiet) {
                Ok(event) => settled = self.collect(event, &mut changed)?,
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => return Err(self.closed()),
            }
        }
        let changed: Vec<PathBuf> = changed.into_iter().collect();
        self.refresh_trees(&changed)?;
        Ok(changed)
    }

    /// Adds the paths of `event` that count; returns whether it finished a change
    /// (see `SETTLED`) to one of them.
    fn collect(
        &self,
        event: notify::Result<Event>,
        changed: &mut BTreeSet<PathBuf>,
    ) -> Result<bool> {
        let event = event.map_err(|e| notify_error(&self.root, e))?;
        if event.need_rescan() {
            // The kernel dropped events: we cannot know what changed, so say "everything".
            changed.insert(PathBuf::from("content"));
            return Ok(false);
        }
        // Opening and reading files is what a build does; only a write counts.
        if let EventKind::Access(kind) = event.kind
            && kind != AccessKind::Close(AccessMode::Write)
        {
            return Ok(false);
        }
        let mut counted = false;
        for path in &event.paths {
            if let Some(rel) = self.relevant(path) {
                changed.insert(rel);
                counted = true;
            }
        }
        let finished = matches!(
            event.kind,
            EventKind::Access(_)
                | EventKind::Remove(_)
                | EventKind::Modify(ModifyKind::Name(RenameMode::To | RenameMode::Both))
        );
        Ok(counted && finished)
    }

    /// Returns `path` relative to the root when a change there can change the site.
    fn relevant(&self, path: &Path) -> Option<PathBuf> {
        let rel = path.strip_prefix(&self.root).ok()?;
        let mut parts = rel.components();
        let first = match parts.next()? {
            Component::Normal(first) => first.to_str()?,
            _ => return None,
        };
        let hidden = rel.components().any(|c| match c {
            Component::Normal(s) => s.to_string_lossy().starts_with('.'),
            _ => true,
        });
        let counts = match first {
            config::FILE_NAME => parts.next().is_none(),
            _ => TREES.contains(&first) && !hidden,
        };
        counts.then(|| rel.to_owned())
    }

    /// Watches `content/` and `templates/` when they exist, again when they were
    /// made anew (a removed folder takes its watch with it).
    fn refresh_trees(&mut self, changed: &[PathBuf]) -> Result<()> {
        for tree in TREES {
            let dir = self.root.join(tree);
            let remade = changed.iter().any(|c| c.as_os_str() == tree);
            if self.watched.contains(tree) && (remade || !dir.is_dir()) {
                // The watch may already be gone with the folder; that is fine.
                let _ = self.watcher.unwatch(&dir);
                self.watched.remove(tree);
            }
            if !self.watched.contains(tree) && dir.is_dir() {
                self.watcher
                    .watch(&dir, RecursiveMode::Recursive)
                    .map_err(|e| notify_error(&dir, e))?;
                self.watched.insert(tree);
            }
        }
        Ok(())
    }

    fn closed(&self) -> Error {
        Error::io(
            &self.root,
            std::io::Error::other("the file watcher stopped"),
        )
    }
}

fn notify_error(path: &Path, e: notify::Error) -> Error {
    let path = e.paths.first().cloned().unwrap_or_else(|| path.to_owned());
    let source = match e.kind {
        notify::ErrorKind::Io(io) => io,
        other => std::io::Error::other(format!("cannot watch for changes: {other:?}")),
    };
    Error::io(&path, source)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn reports_sources_once_per_burst_and_ignores_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("content")).unwrap();
        fs::write(root.join("mdfeed.toml"), "").unwrap();
        let mut watch = Watch::new(root).unwrap();
        // Noise first: hidden files, out/, a read. None of it may be reported.
        fs::write(root.join("content/.a.md.swp"), "x").unwrap();
        fs::create_dir_all(root.join("out")).unwrap();
        fs::write(root.join("out/index.html"), "x").unwrap();
        let _ = fs::read(root.join("mdfeed.toml")).unwrap();
        // Five writes, one close: the burst ends once the file is closed.
        let mut file = fs::File::create(root.join("content/a.md")).unwrap();
        for i in 0..5 {
            std::io::Write::write_all(&mut file, format!("{i}").as_bytes()).unwrap();
        }
        drop(file);
        let changed = watch.changes().unwrap();
        assert_eq!(changed, vec![PathBuf::from("content/a.md")]);

        // A templates/ folder made after the start is watched from then on.
        fs::create_dir_all(root.join("templates")).unwrap();
        assert_eq!(watch.changes().unwrap(), vec![PathBuf::from("templates")]);
        fs::write(root.join("templates/base.html"), "x").unwrap();
        assert_eq!(
            watch.changes().unwrap(),
            vec![PathBuf::from("templates/base.html")]
        );
        fs::write(root.join("mdfeed.toml"), "title = 1").unwrap();
        assert_eq!(watch.changes().unwrap(), vec![PathBuf::from("mdfeed.toml")]);
    }
}
