//! Plans every feed document of the site; `make` makes the ones the memo does not hold.
//!
//! Owns: the list of documents (the site's, one per tag and category, and their RFC 5005
//! archive pages, with `paging` deciding which items go where), each document's key
//! (its format, its channel and archive links, and the keys of its entries in order),
//! which entries are made once up front and shared, and the memo of entries and
//! documents. A document's bytes are remembered only once
//! `validate` has passed them (`FeedMemo::checked`), so a hit never skips the check.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;

use super::kept::KeptPart;
use super::make::{self, Doc};
use super::parts::{self, PART_ITEMS};
use super::{Entry, EntryTexts, Feed, Sink, paging, texts_of, xml_safe};
use crate::cache::parts::PlacedParts;
use crate::config::ContentPolicy;
use crate::dates::Date;
use crate::error::Result;
use crate::memo::{Forget, Key, KeyHasher, Reuse, Table};
use crate::model::{Article, Site};
use crate::taxonomy::Taxonomies;
use crate::urls::{FeedKind, Scope, Urls};
use crate::validate::CheckedHtml;

/// Feed entries and checked feed documents, kept by the build's memo.
#[derive(Default)]
pub struct FeedMemo {
    entries: Table<Key, Arc<EntryText>>,
    /// Each document's file and bytes.
    docs: Table<Key, (PathBuf, Arc<Vec<u8>>)>,
    /// The parts of large documents, after the first (see `parts::KeptPart`).
    parts: Table<Key, Arc<KeptPart>>,
    /// The parts the feed files in `out/` hold, by key (see `cache::parts`).
    stored: HashMap<Key, Arc<KeptPart>>,
    /// Where the build wrote each part of its large documents, by file; `None` when
    /// not asked to note it.
    placed: Option<PlacedParts>,
    /// The parts after the first that the running build took and made.
    part_reuse: Reuse,
}

impl FeedMemo {
    /// Returns a memo that keeps nothing (a build that runs once).
    pub fn forgetful() -> FeedMemo {
        FeedMemo {
            entries: Table::forgetful(),
            docs: Table::forgetful(),
            parts: Table::forgetful(),
            ..FeedMemo::default()
        }
    }

    /// Makes the next build take the parts the feed files in `out/` hold (`stored`, by
    /// key) and note where it writes each part (see `take_placed`).
    pub fn stored(&mut self, stored: HashMap<Key, Arc<KeptPart>>) {
        self.stored = stored;
        self.placed = Some(Vec::new());
    }

    /// Returns how many parts after the first the last build took and made.
    pub fn take_part_reuse(&mut self) -> Reuse {
        std::mem::take(&mut self.part_reuse)
    }

    /// Returns where the last build wrote the parts of its large documents, by file
    /// under `out/` (when `stored` was called before it), and forgets the parts from
    /// `out/`.
    pub fn take_placed(&mut self) -> Option<PlacedParts> {
        self.stored = HashMap::new();
        self.placed.take()
    }

    /// Remembers a document (`Feed::key`, `Feed::file`) that `validate` passed.
    pub fn checked(&mut self, key: Key, file: PathBuf, bytes: Arc<Vec<u8>>, generation: u64) {
        self.docs.insert(key, (file, bytes), generation);
    }

    /// Returns how many entries and documents are kept.
    pub fn len(&self) -> usize {
        self.entries.len() + self.docs.len() + self.parts.len()
    }

    /// Returns true when nothing is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Forget for FeedMemo {
    fn forget(&mut self, keep: &dyn Fn(u64) -> bool) {
        self.entries.forget(keep);
        self.docs.forget(keep);
        self.parts.forget(keep);
    }
}

/// The parts of an entry that take work to make: text made safe for XML, HTML with
/// absolute URLs, and which of its HTML needs no URL check (see `CheckedHtml`).
#[derive(Clone)]
pub(super) struct EntryText {
    title: String,
    summary_html: Option<String>,
    summary_text: Option<String>,
    content_html: Option<String>,
    vouched: Vec<u64>,
}

/// The articles of one feed (site-wide or one term), newest first.
pub(super) struct Group<'a> {
    pub scope: Scope<'a>,
    pub title: String,
    pub description: String,
    pub items: &'a [usize],
}

/// One page of a group (the current document or an archive), in every format. Its key
/// holds everything its documents are made from: the config (formats, limit, base URL,
/// stylesheet…), the group, the page's place among the archives and the keys of its
/// entries in order; a document's key adds its format.
pub(super) struct PagePlan<'a> {
    pub group: &'a Group<'a>,
    pub page: paging::Page,
    key: Key,
}

impl PagePlan<'_> {
    pub fn items(&self) -> &[usize] {
        &self.group.items[self.page.items.clone()]
    }

    fn doc_key(&self, kind: FeedKind) -> Key {
        KeyHasher::new("feed document")
            .key(&self.key)
            .debug(&kind)
            .finish()
    }
}

/// Builds every feed document of the site in memory (with a memo that remembers
/// nothing), each checked.
pub fn build(site: &Site, urls: &Urls, tax: &Taxonomies) -> Result<Vec<Feed<Vec<u8>>>> {
    let memo = (&mut FeedMemo::forgetful(), 0);
    build_with(site, urls, tax, memo, &|| Ok(Vec::new()), |f| f).map(|(feeds, _)| feeds)
}

/// Builds every feed document of the site, taking from `memo` each document whose key
/// it holds; the others are made into a sink from `open`, part by part, and checked as
/// they are made (each page of a group one job, in parallel). Each document is handed
/// to `seal` when its page is made (to store it, so they need not all be held at once);
/// the caller passes the checked ones it holds in memory to `FeedMemo::checked`.
pub fn build_with<S: Sink, R: Send>(
    site: &Site,
    urls: &Urls,
    tax: &Taxonomies,
    (memo, generation): (&mut FeedMemo, u64),
    open: &(dyn Fn() -> Result<S> + Sync),
    seal: impl Fn(Feed<S>) -> R + Sync,
) -> Result<(Vec<R>, Reuse)> {
    let policy = site.config.feeds.content;
    let entry_keys: Vec<Key> = site
        .articles
        .par_iter()
        .map(|a| entry_key(a, policy))
        .collect();
    let all: Vec<usize> = (0..site.articles.len()).collect();
    let groups = groups(site, tax, &all);
    let config = KeyHasher::new("feeds")
        .debug(&site.config)
        .str(&urls.stylesheet())
        .finish();
    let pages: Vec<PagePlan<'_>> = groups
        .par_iter()
        .flat_map_iter(|g| plan_pages(site, &config, g, &entry_keys))
        .collect();
    let (jobs, uses, reuse) = plan_docs(site, &pages, (&config, &entry_keys), (memo, generation));
    // An entry that several pages need (a tag's feed and the site's), or that the memo
    // keeps for the next build, is made once, here; the others are made part by part
    // while their document is written, so that a build never holds them all.
    let keeps = memo.entries.keeps();
    let needed: Vec<bool> = uses.iter().map(|&n| n > 1 || (n == 1 && keeps)).collect();
    let checked = CheckedHtml::default();
    let texts = entry_texts(site, urls, (&needed, &entry_keys), (memo, generation))?;
    let shared = shared_entries(site, texts, &checked);
    type Job<R> = Result<(Vec<R>, make::NewParts)>;
    let made: Vec<Job<R>> = jobs
        .into_par_iter()
        .map(|(page, docs)| {
            let with = (&shared[..], &checked);
            let (made, parts) = make::page(site, urls, (page, &docs), with, open)?;
            Ok((made.into_iter().map(&seal).collect(), parts))
        })
        .collect();
    let mut out = Vec::new();
    for m in made {
        let (docs, (parts, placed)) = m?;
        out.extend(docs);
        for (key, part) in parts {
            memo.parts.insert(key, part, generation);
        }
        if let Some(all) = &mut memo.placed {
            all.extend(placed);
        }
    }
    Ok((out, reuse))
}

/// Each page with the plans of its documents.
type Jobs<'p, 'a> = Vec<(&'p PagePlan<'a>, Vec<Doc>)>;

/// Plans the documents of every page; returns them by page, how many pages to be made
/// need each article's entry, and what the memo held.
fn plan_docs<'p, 'a>(
    site: &Site,
    pages: &'p [PagePlan<'a>],
    keys: (&Key, &[Key]),
    (memo, generation): (&mut FeedMemo, u64),
) -> (Jobs<'p, 'a>, Vec<u32>, Reuse) {
    let mut reuse = Reuse::default();
    let mut jobs = Vec::with_capacity(pages.len());
    let mut uses = vec![0u32; site.articles.len()];
    for page in pages {
        let docs: Vec<Doc> = site
            .config
            .feeds
            .formats
            .iter()
            .map(|&kind| plan_doc(page, kind, keys, (memo, generation)))
            .collect();
        if docs.iter().any(|d| d.held.is_none()) {
            page.items().iter().for_each(|&i| uses[i] += 1);
        }
        docs.iter().for_each(|d| reuse.count(d.held.is_some()));
        jobs.push((page, docs));
    }
    (jobs, uses, reuse)
}

/// Makes the entries made up front from their texts; `checked` takes what the texts
/// vouch for.
fn shared_entries<'s>(
    site: &'s Site,
    texts: Vec<Option<Arc<EntryText>>>,
    checked: &CheckedHtml,
) -> Vec<Option<Entry<'s>>> {
    site.articles
        .iter()
        .zip(texts)
        .map(|(a, t)| {
            t.map(|t| {
                checked.extend(&t.vouched);
                // Moved when the memo keeps no copy (a build that runs once).
                entry_from(a, Arc::unwrap_or_clone(t))
            })
        })
        .collect()
}

/// Plans one document: taken from the memo, or made; when the memo keeps the parts of
/// large documents, with the key of each part and the part the memo holds, if any.
fn plan_doc(
    page: &PagePlan<'_>,
    kind: FeedKind,
    (config, entry_keys): (&Key, &[Key]),
    (memo, generation): (&mut FeedMemo, u64),
) -> Doc {
    let key = page.doc_key(kind);
    let held = memo.docs.get(&key, generation);
    let items = page.items();
    let mut parts = Vec::new();
    let (keep, place) = (memo.parts.keeps(), memo.placed.is_some());
    if held.is_none() && (keep || place) && items.len() > PART_ITEMS {
        for (n, part) in parts::cut(items).enumerate() {
            let mut h = KeyHasher::new("feed part");
            h.key(config).debug(&kind).num(part.len() as u64);
            part.iter().for_each(|&i| {
                h.key(&entry_keys[i]);
            });
            let part_key = h.finish();
            // The first part is always made: it gives the document's head.
            let kept = (n > 0)
                .then(|| memo.parts.get(&part_key, generation))
                .flatten()
                .or_else(|| (n > 0).then(|| memo.stored.get(&part_key).cloned())?);
            if n > 0 {
                memo.part_reuse.count(kept.is_some());
            }
            parts.push((part_key, kept));
        }
    }
    Doc {
        kind,
        key,
        held,
        parts,
        keep,
        place,
    }
}

/// Returns the site's group (`all` its articles) and one group per term.
fn groups<'a>(site: &Site, tax: &'a Taxonomies, all: &'a [usize]) -> Vec<Group<'a>> {
    let c = &site.config;
    let mut groups = vec![Group {
        scope: Scope::Site,
        title: xml_safe(&c.title).into_owned(),
        description: xml_safe(&c.description).into_owned(),
        items: all,
    }];
    for term in tax.terms.iter().filter(|_| c.feeds.term_feeds) {
        groups.push(Group {
            scope: Scope::Term(term.kind, &term.slug),
            title: xml_safe(&format!("{} – {}", c.title, term.name)).into_owned(),
            description: xml_safe(&format!(
                "{} “{}”: articles from {}",
                term.kind.label(),
                term.name,
                c.title
            ))
            .into_owned(),
            items: &term.articles,
        });
    }
    groups
}

/// Plans the pages of one group (current document and archives) with their keys.
fn plan_pages<'a>(
    site: &Site,
    config: &Key,
    group: &'a Group<'a>,
    entry_keys: &[Key],
) -> Vec<PagePlan<'a>> {
    let base = KeyHasher::new("feed group")
        .key(config)
        .debug(&group.scope)
        .str(&group.title)
        .str(&group.description)
        .finish();
    paging::pages(group.items.len(), site.config.feeds.limit)
        .into_iter()
        .map(|page| {
            let mut key = KeyHasher::new("feed page");
            key.key(&base);
            let n = |p: Option<usize>| p.map_or(0, |n| n as u64 + 1);
            key.num(n(page.archive)).num(n(page.prev)).num(n(page.next));
            let items = &group.items[page.items.clone()];
            key.num(items.len() as u64);
            items.iter().for_each(|&i| {
                key.key(&entry_keys[i]);
            });
            PagePlan {
                group,
                page,
                key: key.finish(),
            }
        })
        .collect()
}

/// When an article last changed, as its entries and the feeds' `updated` say.
pub(super) fn updated_of(a: &Article) -> Date {
    a.meta.updated.unwrap_or(a.meta.date).max(a.meta.date)
}

/// Returns the key of an article's entry: the article (with its feed ID) and the
/// site's content policy.
fn entry_key(a: &Article, policy: ContentPolicy) -> Key {
    KeyHasher::new("feed entry")
        .key(&a.key)
        .str(&a.id)
        .num(u64::from(a.id_is_permalink))
        .debug(&policy)
        .finish()
}

/// Returns the entry texts of the articles `needed` marks: from the memo, or made (in
/// parallel) and remembered.
fn entry_texts(
    site: &Site,
    urls: &Urls,
    (needed, keys): (&[bool], &[Key]),
    (memo, generation): (&mut FeedMemo, u64),
) -> Result<Vec<Option<Arc<EntryText>>>> {
    let mut texts: Vec<Option<Arc<EntryText>>> = Vec::with_capacity(needed.len());
    let mut missing = Vec::new();
    for (i, &need) in needed.iter().enumerate() {
        let held = need
            .then(|| memo.entries.get(&keys[i], generation))
            .flatten();
        if need && held.is_none() {
            missing.push(i);
        }
        texts.push(held);
    }
    let policy = site.config.feeds.content;
    let made: Vec<Result<(usize, EntryText)>> = missing
        .into_par_iter()
        .map(|i| {
            // Its own set, so the entry keeps what `texts_of` vouched for.
            let vouched = CheckedHtml::default();
            let e = texts_of(&site.articles[i], urls, policy, &vouched)?;
            Ok((i, text_of(e, vouched.keys())))
        })
        .collect();
    for m in made {
        let (i, text) = m?;
        let text = Arc::new(text);
        memo.entries.insert(keys[i], text.clone(), generation);
        texts[i] = Some(text);
    }
    Ok(texts)
}

/// Keeps what took work to make of an entry.
pub(super) fn text_of(e: EntryTexts, vouched: Vec<u64>) -> EntryText {
    EntryText {
        title: e.title,
        summary_html: e.summary_html,
        summary_text: e.summary_text,
        content_html: e.content_html,
        vouched,
    }
}

/// Makes an article's entry from its texts; the rest are the article's own fields.
pub(super) fn entry_from(a: &Article, t: EntryText) -> Entry<'_> {
    let m = &a.meta;
    Entry {
        id: &a.id,
        id_is_permalink: a.id_is_permalink,
        title: t.title,
        link: m.external_url.as_deref().unwrap_or(&a.url),
        related: m.external_url.as_ref().map(|_| a.url.as_str()),
        published: m.date,
        updated: updated_of(a),
        authors: &m.authors,
        categories: m
            .tags
            .iter()
            .chain(&m.categories)
            .map(String::as_str)
            .collect(),
        lang: m.lang.as_deref(),
        summary_html: t.summary_html,
        summary_text: t.summary_text,
        content_html: t.content_html,
        image: a.image.as_ref(),
        enclosure: a.enclosure.as_ref(),
    }
}
