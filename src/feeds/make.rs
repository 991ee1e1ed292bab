//! Makes the feed documents of one page (a group's current document or an archive)
//! that the memo does not hold, in parts (see `parts`).
//!
//! Owns: the channel of each format, making each part's entries once for every format,
//! and serialising a part in one format (with the characters XML forbids removed and
//! the stylesheet line). `docs` decides which pages and documents exist.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::DateTime;
use rayon::prelude::*;

use super::docs::{PagePlan, entry_from, text_of, updated_of};
use super::parts::{self, PartWriter};
use super::{
    Archive, Channel, Entry, Feed, FeedBody, Head, Sink, all_xml_chars, atom, json, rss, texts_of,
    with_stylesheet, xml_safe,
};
use crate::error::{Error, Location, Result};
use crate::memo::Key;
use crate::model::Site;
use crate::urls::{FeedKind, Urls};
use crate::validate::{CheckedHtml, DocCheck};

/// One document of a page: its format, its key, and its file and bytes if the memo
/// holds them.
pub(super) type Doc = (FeedKind, Key, Option<(PathBuf, Arc<Vec<u8>>)>);

/// Makes the documents of one page that the memo does not hold, part by part: each
/// part's entries are made once (unless `shared` holds them) and serialised into every
/// format in parallel. Returns every document of the page, in the order of `docs`.
pub(super) fn page<'s, S: Sink>(
    site: &'s Site,
    urls: &Urls,
    (plan, docs): (&PagePlan<'_>, &[Doc]),
    (shared, checked): (&[Option<Entry<'s>>], &CheckedHtml),
    open: &(dyn Fn() -> Result<S> + Sync),
) -> Result<Vec<Feed<S>>> {
    let items = plan.items();
    let head = Head::of(
        items.iter().map(|&i| &*site.articles[i]),
        site.config.feeds.content,
    );
    let parts = items.len().div_ceil(parts::PART_ITEMS).max(1);
    let mut writers = Vec::new();
    for (kind, _, held) in docs {
        if held.is_none() {
            let (file, channel) = channel(site, urls, (plan, *kind), head);
            let check = DocCheck::new(&file, *kind, checked);
            let writer = PartWriter::new((*kind, file), parts, check, open()?);
            writers.push((channel, writer));
        }
    }
    // A document without items is one part too (the feed of a site with no articles).
    let chunks = items
        .chunks(parts::PART_ITEMS)
        .chain(items.is_empty().then_some(items));
    for part in chunks {
        if writers.is_empty() {
            break;
        }
        let made = part_entries(site, urls, part, (shared, checked))?;
        let missing = || Error::at(Location::file("feeds"), "an entry of a feed was not made");
        let entries: Vec<&Entry<'_>> = part
            .iter()
            .zip(&made)
            .map(|(&i, m)| m.as_ref().or(shared[i].as_ref()).ok_or_else(missing))
            .collect::<Result<_>>()?;
        writers.par_iter_mut().try_for_each(|(channel, w)| {
            let doc = serialise(site, urls, (channel, w.kind()), &entries);
            let doc = doc.map_err(|msg| w.error(msg))?;
            w.add(&doc, entries.len())
        })?;
    }
    let mut made = writers.into_iter();
    let mut out = Vec::with_capacity(docs.len());
    for (kind, key, held) in docs {
        let (file, body) = match (held, made.next()) {
            (Some((file, bytes)), _) => (file.clone(), FeedBody::Held(bytes.clone())),
            (None, Some((_, w))) => {
                let (file, sink, verdict) = w.finish()?;
                (file, FeedBody::Made(sink, verdict))
            }
            (None, None) => return Err(Error::at(Location::file("feeds"), "a feed was not made")),
        };
        out.push(Feed {
            file,
            kind: *kind,
            body,
            key: *key,
        });
    }
    Ok(out)
}

/// Makes the entries of one part that `shared` does not hold (in parallel).
fn part_entries<'s>(
    site: &'s Site,
    urls: &Urls,
    part: &[usize],
    (shared, checked): (&[Option<Entry<'s>>], &CheckedHtml),
) -> Result<Vec<Option<Entry<'s>>>> {
    let policy = site.config.feeds.content;
    part.par_iter()
        .map(|&i| match shared.get(i).and_then(Option::as_ref) {
            Some(_) => Ok(None),
            None => {
                let a = &site.articles[i];
                let t = texts_of(a, urls, policy, checked)?;
                Ok(Some(entry_from(a, text_of(t, Vec::new()))))
            }
        })
        .collect()
}

/// Returns the channel of one page in one format, with its file under `out/`.
fn channel<'a>(
    site: &'a Site,
    urls: &Urls,
    (plan, kind): (&PagePlan<'_>, FeedKind),
    head: Head,
) -> (PathBuf, Channel<'a>) {
    let c = &site.config;
    let (group, page) = (plan.group, &plan.page);
    let at = |n: Option<usize>| urls.feed_at(&group.scope, kind, n);
    let channel = Channel {
        title: group.title.clone(),
        description: group.description.clone(),
        language: c.language.as_deref(),
        home: urls.listing(&group.scope),
        self_url: at(page.archive),
        // Never the wall clock: an unchanged site must give byte-identical feeds.
        updated: plan
            .items()
            .iter()
            .map(|&i| updated_of(&site.articles[i]))
            .max()
            .unwrap_or_else(|| DateTime::UNIX_EPOCH.fixed_offset()),
        author: c.author.as_ref(),
        hub: c.feeds.hub.as_ref().map(url::Url::as_str),
        archive: Archive {
            prev: page.prev.map(|n| at(Some(n))),
            next: page.next.map(|n| at(Some(n))),
            current: page.archive.map(|_| at(None)),
        },
        head,
    };
    (urls.feed_file_at(&group.scope, kind, page.archive), channel)
}

/// Serialises one document of `entries` (a part of its items, or all of them).
fn serialise(
    site: &Site,
    urls: &Urls,
    (channel, kind): (&Channel<'_>, FeedKind),
    entries: &[&Entry<'_>],
) -> std::result::Result<Vec<u8>, String> {
    let bytes = match kind {
        FeedKind::Rss => rss::write(channel, entries),
        FeedKind::Atom => atom::write(channel, entries),
        FeedKind::Json => json::write(channel, entries),
    };
    // The fields are cleaned one by one in `entry`; this catches any the views
    // miss (an author's e-mail, a front matter ID): no XML document may hold one.
    // Copied only when a character had to go.
    let bytes = bytes.map(|b| {
        if kind == FeedKind::Json || all_xml_chars(&b) {
            return b;
        }
        match String::from_utf8(b) {
            Ok(text) => xml_safe(&text).into_owned().into_bytes(),
            Err(e) => e.into_bytes(),
        }
    });
    match kind != FeedKind::Json && site.config.feeds.stylesheet {
        true => bytes.and_then(|b| with_stylesheet(b, &urls.stylesheet())),
        false => bytes,
    }
}
