//! What each source file a link may name becomes (an article's page, or an asset copied
//! as it is), and, for a rebuild, whether that is still what the last build had.
//!
//! Every article looked some of these up when it was rendered (`article::Looked`), and
//! is rendered again when one of them is different now. Most edits change no page
//! path and add or remove no file: then the map is the last build's, and no article
//! need check its links one by one.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::article::Looked;
use super::memo::{Kept, ReadEntry};
use crate::memo::{Key, Table};
use crate::source::SourceFile;
use crate::urls::Target;

use super::content::Published;

/// The link targets of a build.
pub(super) struct LinkTargets {
    pub map: Arc<HashMap<PathBuf, Target>>,
    /// The map is the last build's.
    pub same: bool,
}

/// The last build's map and what it was made from.
#[derive(Default)]
pub(super) struct TargetMemo {
    last: Option<Last>,
    /// Keeps nothing (a build that runs once).
    forgetful: bool,
}

struct Last {
    /// The read key of each published article, in order.
    keys: Vec<Key>,
    assets: Vec<PathBuf>,
    map: Arc<HashMap<PathBuf, Target>>,
}

impl TargetMemo {
    /// Returns a memo that keeps nothing.
    pub(super) fn forgetful() -> TargetMemo {
        TargetMemo {
            last: None,
            forgetful: true,
        }
    }

    /// Returns the map for these assets and articles: the last build's when it would
    /// be the same. `read` is the memo's table of files read, which still holds what
    /// the last build read.
    pub(super) fn targets(
        &mut self,
        assets: &[SourceFile],
        published: &[Published],
        read: &Table<Key, Arc<ReadEntry>>,
    ) -> LinkTargets {
        let keys: Vec<Key> = published.iter().map(|(_, k)| *k).collect();
        let reused = self
            .last
            .as_ref()
            .filter(|last| last.same(assets, published, read))
            .map(|last| Arc::clone(&last.map));
        let (map, same) = match reused {
            Some(map) => (map, true),
            None => (Arc::new(link_targets(assets, published)), false),
        };
        if !self.forgetful {
            self.last = Some(Last {
                keys,
                assets: assets.iter().map(|f| f.rel.clone()).collect(),
                map: Arc::clone(&map),
            });
        }
        LinkTargets { map, same }
    }
}

impl Last {
    /// Would these assets and articles give this map? An article read under the same
    /// key as the one at its place last time has the same path and page; another is
    /// compared with what the last build read there.
    fn same(
        &self,
        assets: &[SourceFile],
        published: &[Published],
        read: &Table<Key, Arc<ReadEntry>>,
    ) -> bool {
        let same_article = |(p, key): &Published, old: &Key| {
            key == old
                || read.peek(old).is_some_and(|e| match &e.kept {
                    Kept::Article(o) => {
                        o.meta.source == p.meta.source && o.meta.page == p.meta.page
                    }
                    _ => false,
                })
        };
        self.keys.len() == published.len()
            && self.assets.len() == assets.len()
            && self.assets.iter().zip(assets).all(|(a, f)| *a == f.rel)
            && published
                .iter()
                .zip(&self.keys)
                .all(|(p, old)| same_article(p, old))
    }
}

/// Is everything `looked` at when an article was rendered still what it was? With
/// `changed` (the files a watcher saw change), a local file it names that is not
/// among them is not looked at again.
pub(super) fn still(
    looked: &Looked,
    targets: &LinkTargets,
    changed: Option<&BTreeSet<PathBuf>>,
    size: &dyn Fn(&Path) -> Option<u64>,
) -> bool {
    let unseen = |rel: &Path| changed.is_some_and(|c| !c.contains(rel));
    (targets.same || same_targets(&looked.targets, &targets.map))
        && looked
            .sizes
            .iter()
            .all(|(rel, len)| unseen(rel) || size(rel) == Some(*len))
}

/// Does every file in `looked` still become what it became then?
pub(super) fn same_targets(
    looked: &[(PathBuf, Option<Target>)],
    map: &HashMap<PathBuf, Target>,
) -> bool {
    looked.iter().all(|(rel, was)| map.get(rel) == was.as_ref())
}

/// Maps every source file a link may name to what it becomes.
fn link_targets(assets: &[SourceFile], published: &[Published]) -> HashMap<PathBuf, Target> {
    let mut targets: HashMap<PathBuf, Target> = assets
        .iter()
        .map(|f| (f.rel.clone(), Target::Asset(f.rel.clone())))
        .collect();
    for (p, _) in published {
        targets.insert(p.meta.source.clone(), Target::Page(p.meta.page.clone()));
    }
    targets
}
