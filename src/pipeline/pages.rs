//! Renders the HTML pages: one per article, its redirect pages, and the listings (home
//! page, tag and category pages, their indexes, the feeds' stylesheet).
//!
//! A page's key is what its template sees: the templates, the site view and config,
//! and for each article shown its key and the slugs of its terms. With the memo, a
//! page whose key is unchanged is not rendered again.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use super::cached::PlacedPages;
use super::memo::Memo;
use super::{BuildOptions, progress};
use crate::cache::written_digest;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::memo::{Key, KeyHasher, Reuse, Stamp, Table};
use crate::model::{Article, Site};
use crate::output::{Body, Outputs, Spool};
use crate::render::{ArticleValue, FieldSet, Templates, TermPaths, Views, tracking};
use crate::taxonomy::Taxonomies;
use crate::urls::{FeedKind, Scope, TermKind, Urls};

/// What the keys of a build's pages start from.
pub(super) struct PageKeys {
    /// The templates, the site view and the config.
    base: Key,
    /// Per article (in site order): its key and the slugs of its terms.
    views: Vec<Key>,
}

impl PageKeys {
    /// Gathers what every page's key holds: `views` from `view_keys`, and `templates`,
    /// the hash of the site's own templates (the built-in ones come with this binary).
    pub(super) fn new(views: Vec<Key>, site: (&Views<'_>, &Config), templates: &Key) -> Self {
        let base = KeyHasher::new("pages")
            .key(templates)
            .bytes(&site.0.site_fingerprint())
            .debug(site.1)
            .finish();
        PageKeys { base, views }
    }

    fn key(&self, kind: &str, parts: &dyn Fn(&mut KeyHasher)) -> Key {
        let mut h = KeyHasher::new(kind);
        h.key(&self.base);
        parts(&mut h);
        h.finish()
    }
}

/// The view keys of the last build, with the articles and terms they are of.
pub(super) struct LastViews {
    articles: Vec<Arc<Article>>,
    tax: Arc<Taxonomies>,
    keys: Vec<Key>,
}

/// Returns the view key of each of the site's articles (see `view_key`): the last
/// build's for an article that is the same value under the same terms.
pub(super) fn view_keys(site: &Site, tax: &Arc<Taxonomies>, memo: &mut Memo) -> Vec<Key> {
    let last = memo
        .last_views
        .take()
        .filter(|l| Arc::ptr_eq(&l.tax, tax) && l.articles.len() == site.articles.len());
    let keys: Vec<Key> = (0..site.articles.len())
        .into_par_iter()
        .map(|i| {
            let a = &site.articles[i];
            match &last {
                Some(l) if Arc::ptr_eq(&l.articles[i], a) => l.keys[i],
                _ => view_key(a, tax),
            }
        })
        .collect();
    if !memo.values.is_forgetful() {
        memo.last_views = Some(LastViews {
            articles: site.articles.clone(),
            tax: Arc::clone(tax),
            keys: keys.clone(),
        });
    }
    keys
}

/// Returns the template value of each of the site's articles: from the memo, by its
/// view key, or made.
pub(super) fn article_values(
    (site, urls, tax): (&Site, &Urls, &Taxonomies),
    view_keys: &[Key],
    memo: &mut Memo,
) -> Vec<ArticleValue> {
    let generation = memo.generation();
    let held: Vec<Option<ArticleValue>> = view_keys
        .iter()
        .map(|k| memo.values.get(k, generation))
        .collect();
    let terms = TermPaths::new(urls, tax);
    let made: Vec<(usize, ArticleValue)> = (0..held.len())
        .into_par_iter()
        .filter(|&i| held[i].is_none())
        .map(|i| (i, ArticleValue::new(&site.articles[i], urls, &terms)))
        .collect();
    let mut values = held;
    for (i, value) in made {
        memo.values.insert(view_keys[i], value.clone(), generation);
        values[i] = Some(value);
    }
    values.into_iter().flatten().collect()
}

/// An article as its pages and listings show it: the article and its terms' slugs
/// (a term page may be turned off, or named after another spelling).
fn view_key(a: &Article, tax: &Taxonomies) -> Key {
    let mut h = KeyHasher::new("article view");
    h.key(&a.key);
    for (kind, names) in [
        (TermKind::Tag, &a.meta.tags),
        (TermKind::Category, &a.meta.categories),
    ] {
        h.num(names.len() as u64);
        for name in names {
            h.opt(tax.slug_of(kind, name));
        }
    }
    h.finish()
}

/// The part of the memo that pages use (borrowed apart from the feeds' part, so
/// listings and feeds can be made at the same time).
pub(super) struct PageMemo<'m> {
    pub pages: &'m mut Table<Key, Arc<Vec<u8>>>,
    pub reuse: &'m mut Reuse,
    pub generation: u64,
    /// Where a writing build stores each page as soon as it is made (and then keeps
    /// none of its bytes).
    pub spool: Option<&'m Spool>,
    /// The keys of the last build's article pages (`None`: kept by no one).
    pub last_keys: Option<&'m mut Option<LastPageKeys>>,
    /// The pages the last build left in `out/` (see `cache::pages`), and this build's,
    /// when the build keeps that record.
    pub placed: Option<&'m mut PlacedPages>,
}

/// The keys of the last build's article pages, with what they were made from.
pub(super) struct LastPageKeys {
    base: Key,
    views: Vec<Key>,
    pages: Vec<Key>,
}

/// Returns the key of each article's page: the last build's where its view and the
/// base of every key are the same.
fn article_page_keys(keys: &PageKeys, memo: &mut PageMemo<'_>) -> Vec<Key> {
    let last = memo
        .last_keys
        .as_deref_mut()
        .and_then(Option::take)
        .filter(|l| l.base == keys.base && l.views.len() == keys.views.len());
    let page_keys: Vec<Key> = keys
        .views
        .iter()
        .enumerate()
        .map(|(i, v)| match &last {
            Some(l) if l.views[i] == *v => l.pages[i],
            _ => keys.key("article page", &|h| {
                h.key(v);
            }),
        })
        .collect();
    if let Some(slot) = memo.last_keys.as_deref_mut() {
        *slot = Some(LastPageKeys {
            base: keys.base,
            views: keys.views.clone(),
            pages: page_keys.clone(),
        });
    }
    page_keys
}

/// Stores the rendered bytes of `file`: in the spool when the build writes (so the
/// site is never held in memory whole; not at all when `out/` already holds them),
/// else in memory, shared (`check`, `serve`).
pub(super) fn store(spool: Option<&Spool>, file: &Path, bytes: Arc<Vec<u8>>) -> Result<Body> {
    match spool {
        Some(s) => s.keep_for(file, &bytes).map(Body::Spooled),
        None => Ok(Body::Bytes(bytes)),
    }
}

/// Returns each page from the memo or renders it (in parallel) and stores it as soon
/// as it is made; `render` makes page `i`, whose file is `files[i]`.
fn render_pages(
    memo: &mut PageMemo<'_>,
    (keys, files): (&[Key], &[PathBuf]),
    render: &(dyn Fn(usize) -> Result<String> + Sync),
    progress: Option<&dyn super::Progress>,
) -> Vec<Result<Body>> {
    let generation = memo.generation;
    let mut slots: Vec<Option<Result<Body>>> = Vec::with_capacity(keys.len());
    for key in keys {
        let hit = memo.pages.get(key, generation);
        if hit.is_some() {
            memo.reuse.count(true);
            progress::advance(progress);
        }
        slots.push(hit.map(|bytes| Ok(Body::Bytes(bytes))));
    }
    let missing: Vec<usize> = (0..keys.len()).filter(|&i| slots[i].is_none()).collect();
    let spool = memo.spool;
    let placed = memo.placed.as_deref();
    // A page that `out/` already holds, by the last build's record, is left there.
    let in_place = |i: usize| {
        let held = placed?.holds(&files[i], &keys[i])?;
        spool.map(|s| (Body::Spooled(s.in_place(&files[i], held.len)), held))
    };
    let made: Vec<(usize, Result<Body>, Option<Stamp>, u64)> = missing
        .into_par_iter()
        .map(|i| {
            let (page, kept, digest) = match in_place(i) {
                Some((body, held)) => (Ok(body), Some(held.stamp), held.digest),
                None => match render(i) {
                    Ok(html) => {
                        let digest = written_digest(html.as_bytes());
                        let page = store(spool, &files[i], Arc::new(html.into_bytes()));
                        (page, None, digest)
                    }
                    Err(e) => (Err(e), None, 0),
                },
            };
            progress::advance(progress);
            (i, page, kept, digest)
        })
        .collect();
    // The stamps of the files left in place and the digests of all, for the record of
    // this build's pages (a page from the memo is never recorded: a build that keeps
    // a memo does not use the record).
    let mut stamps = vec![(None, 0); keys.len()];
    for (i, page, kept, digest) in made {
        memo.reuse.count(kept.is_some());
        stamps[i] = (kept, digest);
        if let Ok(Body::Bytes(bytes)) = &page {
            memo.pages.insert(keys[i], bytes.clone(), generation);
        }
        slots[i] = Some(page);
    }
    if let Some(placed) = memo.placed.as_deref_mut() {
        for ((file, key), (stamp, digest)) in files.iter().zip(keys).zip(stamps) {
            placed.note(file, *key, stamp, (0, digest));
        }
    }
    slots.into_iter().flatten().collect()
}

/// Renders every article's page (in parallel) and its redirect pages.
pub(super) fn add_pages(
    outputs: &mut Outputs,
    (templates, views, keys): (&Templates, &Views<'_>, &PageKeys),
    (site, urls): (&Site, &Urls),
    memo: &mut PageMemo<'_>,
    opts: &BuildOptions,
) -> Vec<Error> {
    let progress = opts.progress.as_deref();
    progress::stage(progress, "rendering", site.articles.len());
    let page_keys = article_page_keys(keys, memo);
    let render = |i: usize| templates.article(views, i);
    let files: Vec<PathBuf> = site
        .articles
        .iter()
        .map(|a| urls.page_file(&a.meta.page))
        .collect();
    let pages = render_pages(memo, (&page_keys, &files), &render, progress);
    let mut errors = Vec::new();
    let pages = pages.into_iter().zip(files);
    for (i, ((page, file), article)) in pages.zip(&site.articles).enumerate() {
        let added = page.and_then(|body| outputs.add(file, body, &article.meta.shown));
        errors.extend(added.err());
        if !article.meta.aliases.is_empty() {
            errors.extend(add_redirects(
                outputs,
                (templates, views, keys),
                article,
                i,
                memo,
            ));
        }
    }
    errors
}

/// Makes the redirect pages of an article's old URLs (`i` is its place in the site).
fn add_redirects(
    outputs: &mut Outputs,
    (templates, views, keys): (&Templates, &Views<'_>, &PageKeys),
    article: &Article,
    i: usize,
    memo: &mut PageMemo<'_>,
) -> Vec<Error> {
    let key = keys.key("redirect page", &|h| {
        h.key(&keys.views[i]);
    });
    let render = |_| templates.redirect(views, i);
    // One body per old URL: a spooled file is moved into place, so each needs its own.
    let keys = vec![key; article.meta.aliases.len()];
    let files: Vec<PathBuf> = article
        .meta
        .aliases
        .iter()
        .map(|a| a.file.clone())
        .collect();
    let pages = render_pages(memo, (&keys, &files), &render, None);
    let mut errors = Vec::new();
    for (alias, page) in article.meta.aliases.iter().zip(pages) {
        let added =
            page.and_then(|body| outputs.add(alias.file.clone(), body, &article.meta.shown));
        errors.extend(added.err().map(|e| match e {
            // A template error or a collision names the article's file or the
            // template; point at the alias itself.
            Error::At { msg, .. } => Error::at(alias.at.clone(), msg),
            other => other,
        }));
    }
    errors
}

/// One listing to make: its file, its key, and how to render it.
type Listing<'a> = (PathBuf, Key, Box<dyn Fn() -> Result<String> + Sync + 'a>);

/// A listing of articles (the home page, a term page): its file, what names it
/// besides its articles, the articles it shows, and how to render it.
struct Listed<'a> {
    file: PathBuf,
    kind: &'static str,
    ident: Box<dyn Fn(&mut KeyHasher) + Sync + 'a>,
    shown: &'a [usize],
    render: Box<dyn Fn() -> Result<String> + Sync + 'a>,
}

/// Which fields of its articles each listing looked at when last rendered, by file.
pub(super) type ListingFields = HashMap<PathBuf, FieldSet>;

/// Renders the home page, the tag and category pages, their indexes and the feeds'
/// stylesheet, taking from the memo those whose articles and terms are unchanged.
pub(super) fn listings(
    (templates, views, keys): (&Templates, &Views<'_>, &PageKeys),
    (site, urls, tax): (&Site, &Urls, &Taxonomies),
    (memo, seen): (&mut PageMemo<'_>, Option<&mut ListingFields>),
    values: &[ArticleValue],
) -> Result<Vec<(PathBuf, Body)>> {
    let all: Vec<usize> = (0..site.articles.len()).collect();
    let mut listed: Vec<Listed<'_>> = vec![Listed {
        file: urls.index_file(),
        kind: "index",
        ident: Box::new(|_| {}),
        shown: &all,
        render: Box::new(|| templates.index(views)),
    }];
    for t in &tax.terms {
        listed.push(Listed {
            file: urls.listing_file(&Scope::Term(t.kind, &t.slug)),
            kind: "term page",
            ident: Box::new(move |h| {
                h.debug(&t.kind).str(&t.slug).str(&t.name);
            }),
            shown: &t.articles,
            render: Box::new(move || templates.term(views, t)),
        });
    }
    let mut pages = render_listed(&listed, (keys, values), memo, seen);
    pages.extend(indexes((templates, views, keys), (site, urls, tax), memo)?);
    pages.into_iter().collect()
}

/// Returns each listing from the memo, by the values of the fields of its articles it
/// looked at when last rendered, or renders it (in parallel), noting which it looks at.
fn render_listed(
    listed: &[Listed<'_>],
    (keys, values): (&PageKeys, &[ArticleValue]),
    memo: &mut PageMemo<'_>,
    seen: Option<&mut ListingFields>,
) -> Vec<Result<(PathBuf, Body)>> {
    let key = |l: &Listed<'_>, set: FieldSet| {
        keys.key(l.kind, &|h| {
            (l.ident)(h);
            h.num(u64::from(set.bits())).num(l.shown.len() as u64);
            for &i in l.shown {
                h.bytes(&values[i].digest(set));
            }
        })
    };
    let generation = memo.generation;
    let mut slots: Vec<Option<(Body, FieldSet)>> = Vec::with_capacity(listed.len());
    for l in listed {
        let known = seen.as_ref().and_then(|s| s.get(&l.file)).copied();
        let hit = known.and_then(|set| Some((memo.pages.get(&key(l, set), generation)?, set)));
        if hit.is_some() {
            memo.reuse.count(true);
        }
        slots.push(hit.map(|(bytes, set)| (Body::Bytes(bytes), set)));
    }
    let missing: Vec<usize> = (0..listed.len()).filter(|&i| slots[i].is_none()).collect();
    let spool = memo.spool;
    let placed = memo.placed.as_deref();
    // A listing that `out/` already holds, by the last build's record: the values of
    // the fields it looked at are the same, and so is its file.
    let in_place = |i: usize| {
        let l = &listed[i];
        let set = FieldSet::from_bits(placed?.fields(&l.file)?);
        let key = key(l, set);
        let held = placed?.holds(&l.file, &key)?;
        Some((
            Body::Spooled(spool?.in_place(&l.file, held.len)),
            set,
            key,
            held,
        ))
    };
    // Keys are needed only by a memo or a record to keep them in.
    let keyed = placed.is_some() || seen.is_some();
    // Each listing made: its place, its page, fields and key, its stamp if kept, and
    // the digest of its bytes.
    type Made = (
        usize,
        Result<(Body, FieldSet, Option<Key>)>,
        Option<Stamp>,
        u64,
    );
    let made: Vec<Made> = missing
        .into_par_iter()
        .map(|i| {
            if let Some((body, set, key, held)) = in_place(i) {
                return (i, Ok((body, set, Some(key))), Some(held.stamp), held.digest);
            }
            let l = &listed[i];
            let (html, set) = tracking(|| (l.render)());
            let digest = html.as_ref().map_or(0, |h| written_digest(h.as_bytes()));
            let page = html.and_then(|h| store(spool, &l.file, Arc::new(h.into_bytes())));
            (
                i,
                page.map(|b| (b, set, keyed.then(|| key(l, set)))),
                None,
                digest,
            )
        })
        .collect();
    let mut out: Vec<Option<Result<(PathBuf, Body)>>> = slots.iter().map(|_| None).collect();
    for (i, page, kept, digest) in made {
        memo.reuse.count(kept.is_some());
        let page = page.map(|(body, set, key)| {
            if let (Some(key), Some(placed)) = (key, memo.placed.as_deref_mut()) {
                placed.note(&listed[i].file, key, kept, (set.bits(), digest));
            }
            if let (Body::Bytes(bytes), Some(key), Some(_)) = (&body, key, &seen) {
                memo.pages.insert(key, bytes.clone(), generation);
            }
            (body, set)
        });
        match page {
            Ok(made) => slots[i] = Some(made),
            Err(e) => out[i] = Some(Err(e)),
        }
    }
    let mut now = ListingFields::new();
    for (i, slot) in slots.into_iter().enumerate() {
        if let Some((body, set)) = slot {
            now.insert(listed[i].file.clone(), set);
            out[i] = Some(Ok((listed[i].file.clone(), body)));
        }
    }
    // Only the listings of this build are remembered.
    if let Some(seen) = seen {
        *seen = now;
    }
    out.into_iter().flatten().collect()
}

/// Renders the indexes of tags and categories and the feeds' stylesheet, taking from
/// the memo those whose terms are unchanged.
fn indexes(
    (templates, views, keys): (&Templates, &Views<'_>, &PageKeys),
    (site, urls, tax): (&Site, &Urls, &Taxonomies),
    memo: &mut PageMemo<'_>,
) -> Result<Vec<Result<(PathBuf, Body)>>> {
    let mut todo: Vec<Listing<'_>> = Vec::new();
    for kind in TermKind::ALL {
        if tax.of(kind).next().is_some() {
            let key = keys.key("terms page", &|h| {
                h.debug(&kind);
                for t in tax.of(kind) {
                    h.str(&t.slug).str(&t.name).num(t.articles.len() as u64);
                }
            });
            let file = urls.terms_index_file(kind);
            todo.push((file, key, Box::new(move || templates.terms(views, kind))));
        }
    }
    let c = &site.config;
    if c.feeds.stylesheet && c.feeds.formats.iter().any(|k| *k != FeedKind::Json) {
        let key = keys.key("stylesheet", &|_| {});
        todo.push((
            urls.stylesheet_file(),
            key,
            Box::new(|| templates.stylesheet(views)),
        ));
    }
    let page_keys: Vec<Key> = todo.iter().map(|(_, k, _)| *k).collect();
    let files: Vec<PathBuf> = todo.iter().map(|(f, _, _)| f.clone()).collect();
    let render = |i: usize| (todo[i].2)();
    let pages = render_pages(memo, (&page_keys, &files), &render, None);
    Ok(todo
        .into_iter()
        .zip(pages)
        .map(|((file, _, _), page)| page.map(|body| (file, body)))
        .collect())
}

/// Where generated files come from, in messages.
pub(super) fn generated() -> &'static Path {
    Path::new("(generated)")
}
