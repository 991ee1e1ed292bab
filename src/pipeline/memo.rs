//! The pipeline's memo: one table per stage (see `crate::memo` for keys and forgetting).
//! `mdfeed serve` keeps one across rebuilds; `plan` and `build` start from an empty one,
//! so every build runs the same code.

use std::any::Any;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::article::Looked;
use super::cached::{Bodies, PlacedPages};
use super::content::SortedFiles;
use super::files::LastRead;
use super::fresh::Checked;
use super::lock::LastIds;
use super::pages::{LastPageKeys, LastViews, ListingFields, PageMemo};
use super::read::Parsed;
use super::targets::TargetMemo;
use super::terms::LastTerms;
use super::walk::WalkMemo;
use crate::compat::skip::SkipReason;
use crate::error::Warning;
use crate::feeds::FeedMemo;
use crate::ids::Lock;
use crate::memo::{Digests, Forget, Generations, Hashed, Key, Reuse, Table};
use crate::model::Article;
use crate::output::Spool;
use crate::render::ArticleValue;

/// What a build remembers for the next one, in memory.
#[derive(Default)]
pub struct Memo {
    generations: Generations,
    /// The hash of every file read, by path, with its stamp.
    pub(super) digests: Digests,
    /// The hash the running build's up-to-date check took of each file of `content/`,
    /// by path relative to it (none for a build that does not write).
    pub(super) checked: Checked,
    /// The hash of each file the read stage read, by path relative to `content/`, for
    /// a build whose check left it to the read stage (`fresh::Pending`).
    pub(super) read_hashes: Option<Vec<(PathBuf, Hashed)>>,
    /// What each file turned out to be, by the key of its bytes and everything else
    /// reading it depends on.
    pub(super) read: Table<Key, Arc<ReadEntry>>,
    /// How the last build sorted out the files of `content/`.
    pub(super) sorted: Option<Arc<SortedFiles>>,
    /// What the last build read, in order (taken as it is when no file came or went).
    pub(super) last_read: Option<LastRead>,
    /// Each article, rendered, by the same key.
    pub(super) rendered: Table<Key, Arc<Rendered>>,
    /// Each article as templates see it, by its view key (the article and its terms).
    pub(super) values: Table<Key, ArticleValue>,
    /// The view key of each article of the last build.
    pub(super) last_views: Option<LastViews>,
    /// Article pages and redirect pages, by the key of what they show.
    pub(super) pages: Table<Key, Arc<Vec<u8>>>,
    /// The keys of the last build's article pages.
    pub(super) last_page_keys: Option<LastPageKeys>,
    /// The home page, term pages and their indexes, the feeds' stylesheet.
    pub(super) listings: Table<Key, Arc<Vec<u8>>>,
    /// Which fields of its articles each listing looked at when last rendered.
    pub(super) listing_fields: ListingFields,
    /// Feed entries and feed documents that passed the self-check.
    pub(super) feeds: FeedMemo,
    /// The last list of `content/`, and what a file watcher said changed since.
    pub(super) walk: WalkMemo,
    /// The last build's link targets.
    pub(super) targets: TargetMemo,
    /// The lock file as last parsed, by the key of its text.
    pub(super) lock: Option<(Key, Lock)>,
    /// The last build's articles, when their feed IDs were found unique.
    pub(super) last_unique: Option<Vec<Arc<Article>>>,
    /// The articles with their feed IDs as the last preview build left them.
    pub(super) last_ids: LastIds,
    /// The last build's order of articles and their terms.
    pub(super) last_terms: Option<LastTerms>,
    /// What the running build took from the cache of rendered bodies in `out/`.
    pub(super) bodies: Bodies,
    /// The pages the last build left in `out/`, and this build's.
    pub(super) placed_pages: PlacedPages,
    /// The same for the listings.
    pub(super) placed_listings: PlacedPages,
    /// What the running build took from the memo.
    pub(super) reuse: MemoReport,
    /// When the running build started its current stage, and how long each took.
    clock: Option<(Instant, Vec<(&'static str, Duration)>)>,
    /// What the last build made and no longer needs (its articles, template values,
    /// records), freed when the next build begins or with the memo, unless a process
    /// about to exit leaves them (`leave_discarded`).
    discarded: Vec<Box<dyn Any + Send>>,
}

/// What a build took from the memo and what it made anew.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct MemoReport {
    /// Files parsed (hits: not parsed again, and while their stamp is unchanged not
    /// even read).
    pub read: Reuse,
    /// Articles rendered (Markdown to HTML).
    pub rendered: Reuse,
    /// Article pages and redirect pages.
    pub pages: Reuse,
    /// The home page, term pages and their indexes, the feeds' stylesheet.
    pub listings: Reuse,
    /// Feed documents (hits were checked by `validate` when they were made).
    pub feeds: Reuse,
    /// Parts of large feed documents after the first (hits were checked when made,
    /// and are taken from the memo or from the feed files in `out/`).
    pub feed_parts: Reuse,
}

/// How long each stage of a build took (for `serve --verbose` and profiling).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Stages(pub Vec<(&'static str, Duration)>);

impl std::fmt::Display for Stages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|(name, took)| format!("{name} {} ms", took.as_millis()))
            .collect();
        f.write_str(&parts.join(", "))
    }
}

/// A file read and parsed: an article not rendered yet, or what else it was.
pub(super) struct ReadEntry {
    pub kept: Kept,
    pub warnings: Vec<Warning>,
}

/// What a file turned out to be, when that can be remembered (errors are not: a file
/// with errors is read again by every build, so they are always reported).
pub(super) enum Kept {
    Article(Arc<Parsed>),
    Skipped(SkipReason),
    Asset,
}

/// An article rendered, with its warnings and what else it looked at.
pub(super) struct Rendered {
    pub article: Arc<Article>,
    pub warnings: Vec<Warning>,
    pub looked: Looked,
}

impl Memo {
    /// Returns a memo for a build that runs once (`build`, `check`): it remembers
    /// nothing, so what the build makes is dropped as soon as it is done with, as
    /// without a memo. `Memo::default()` remembers (`serve`).
    pub fn once() -> Memo {
        Memo {
            digests: Digests::forgetful(),
            read: Table::forgetful(),
            rendered: Table::forgetful(),
            values: Table::forgetful(),
            pages: Table::forgetful(),
            listings: Table::forgetful(),
            feeds: FeedMemo::forgetful(),
            targets: TargetMemo::forgetful(),
            ..Memo::default()
        }
    }

    /// Tells the memo which paths changed since the last build, relative to the site
    /// root, as `watch::Watch` reports them. The next build then looks only at those
    /// files of `content/` instead of walking it and checking every file's stamp
    /// (unless something unusual changed: see `pipeline::walk`). A caller that uses
    /// this must call it before every build after the first, with every change: a
    /// build no call came before walks and checks everything.
    pub fn changed(&mut self, paths: &[std::path::PathBuf]) {
        self.walk.changed(paths);
    }

    /// Starts a build; returns its number.
    pub(super) fn begin(&mut self) -> u64 {
        self.discarded.clear();
        self.reuse = MemoReport::default();
        self.clock = Some((Instant::now(), Vec::new()));
        self.generations.begin()
    }

    /// Keeps `x`, which the running build no longer needs, to be freed later (see
    /// `discarded`).
    pub(super) fn discard(&mut self, x: impl Any + Send) {
        self.discarded.push(Box::new(x));
    }

    /// Leaves what the builds discarded unfreed, for a process that exits next: the
    /// system takes its memory back at once, while freeing 10,000 articles piece by
    /// piece takes a tenth of a second.
    pub fn leave_discarded(&mut self) {
        std::mem::forget(std::mem::take(&mut self.discarded));
    }

    /// Notes that the stage `name` of the running build is over.
    pub(super) fn lap(&mut self, name: &'static str) {
        if let Some((since, laps)) = &mut self.clock {
            let now = Instant::now();
            laps.push((name, now - *since));
            *since = now;
        }
    }

    /// Returns how long each stage of the build took.
    pub(super) fn stages(&mut self) -> Stages {
        Stages(self.clock.take().map(|(_, laps)| laps).unwrap_or_default())
    }

    /// Returns the number of the running build.
    pub(super) fn generation(&self) -> u64 {
        self.generations.current
    }

    /// Ends a build: forgets what neither it nor (after a failure) the last good build
    /// used, so the memo does not grow from edit to edit.
    pub(super) fn end(&mut self, ok: bool) {
        self.walk.end(ok);
        let keep = self.generations.end(ok);
        let tables: [&mut dyn Forget; 7] = [
            &mut self.digests,
            &mut self.read,
            &mut self.rendered,
            &mut self.values,
            &mut self.pages,
            &mut self.listings,
            &mut self.feeds,
        ];
        for t in tables {
            t.forget(&keep);
        }
    }

    /// Returns how many results the memo keeps (for tests: it must not grow).
    pub fn len(&self) -> usize {
        self.read.len()
            + self.rendered.len()
            + self.values.len()
            + self.pages.len()
            + self.listings.len()
            + self.feeds.len()
    }

    /// Returns true when the memo keeps nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Lends the parts of the memo for article pages, listings and feeds apart, so
    /// they can be made at the same time (with the feeds' count of what the build
    /// took from the memo).
    #[allow(clippy::type_complexity)] // five borrows of one memo, named at the call
    pub(super) fn split<'m>(
        &'m mut self,
        spool: Option<&'m Spool>,
    ) -> (
        PageMemo<'m>,
        PageMemo<'m>,
        &'m mut FeedMemo,
        &'m mut Reuse,
        Option<&'m mut ListingFields>,
    ) {
        let generation = self.generation();
        let remembers = !self.listings.is_forgetful();
        let seen = remembers.then_some(&mut self.listing_fields);
        let MemoReport {
            pages,
            listings,
            feeds,
            ..
        } = &mut self.reuse;
        let page_memo = PageMemo {
            pages: &mut self.pages,
            reuse: pages,
            generation,
            spool,
            last_keys: remembers.then_some(&mut self.last_page_keys),
            placed: self.placed_pages.is_on().then_some(&mut self.placed_pages),
        };
        let listing_memo = PageMemo {
            pages: &mut self.listings,
            reuse: listings,
            generation,
            spool,
            last_keys: None,
            placed: self
                .placed_listings
                .is_on()
                .then_some(&mut self.placed_listings),
        };
        (page_memo, listing_memo, &mut self.feeds, feeds, seen)
    }

    /// Keeps the article a build actually published under `key`: the same one with
    /// another feed ID from `mdfeed.lock`, so the next build need not copy it again.
    pub(super) fn repinned(&mut self, key: &Key, article: &Arc<Article>) {
        let generation = self.generation();
        let Some(old) = self.rendered.get(key, generation) else {
            return;
        };
        if Arc::ptr_eq(&old.article, article) {
            return;
        }
        let new = Rendered {
            article: article.clone(),
            warnings: old.warnings.clone(),
            looked: old.looked.clone(),
        };
        self.rendered.insert(*key, Arc::new(new), generation);
    }
}
