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
use super::kept::KeptPart;
use super::parts::{self, PartWriter};
use super::{
    Archive, Channel, Entry, Feed, FeedBody, Head, Sink, all_xml_chars, atom, json, rss, texts_of,
    with_stylesheet, xml_safe,
};
use crate::cache::parts::{Placed, PlacedParts};
use crate::error::{Error, Location, Result};
use crate::memo::Key;
use crate::model::Site;
use crate::urls::{FeedKind, Urls};
use crate::validate::{CheckedHtml, DocCheck};

/// One document of a page: its format, its key, its file and bytes if the memo holds
/// them, and else, when the memo keeps parts of large documents, the key of each part
/// with the part an earlier build made, if the memo holds it (never the first).
pub(super) struct Doc {
    pub kind: FeedKind,
    pub key: Key,
    pub held: Option<(PathBuf, Arc<Vec<u8>>)>,
    pub parts: Vec<(Key, Option<Arc<KeptPart>>)>,
    /// Keep the parts made, for the memo.
    pub keep: bool,
    /// Note where each part is written, for `out/.mdfeed-cache/feeds`.
    pub place: bool,
}

impl Doc {
    fn kept(&self, part: usize) -> Option<&KeptPart> {
        self.parts.get(part).and_then(|(_, kept)| kept.as_deref())
    }
}

/// The parts made for the memo (by key), and where each part of a document was
/// written (by file, then key).
pub(super) type NewParts = (Vec<(Key, Arc<KeptPart>)>, PlacedParts);

/// A page's documents, and its new parts.
pub(super) type Made<S> = (Vec<Feed<S>>, NewParts);

/// A document being made: its channel, its writer and its plan.
type Making<'a, 'd, S> = (Channel<'a>, PartWriter<'d, S>, &'d Doc);

/// Makes the documents of one page that the memo does not hold, part by part: each
/// part's entries are made once (unless `shared` holds them) and serialised into every
/// format in parallel; a part the memo holds is written as it is. Returns every
/// document of the page, in the order of `docs`, and the parts it made.
pub(super) fn page<'s, S: Sink>(
    site: &'s Site,
    urls: &Urls,
    (plan, docs): (&PagePlan<'_>, &[Doc]),
    (shared, checked): (&[Option<Entry<'s>>], &CheckedHtml),
    open: &(dyn Fn() -> Result<S> + Sync),
) -> Result<Made<S>> {
    let items = plan.items();
    let head = Head::of(
        items.iter().map(|&i| &*site.articles[i]),
        site.config.feeds.content,
    );
    let parts = items.len().div_ceil(parts::PART_ITEMS).max(1);
    let mut writers = Vec::new();
    for doc in docs.iter().filter(|d| d.held.is_none()) {
        let (file, channel) = channel(site, urls, (plan, doc.kind), head);
        let check = DocCheck::new(&file, doc.kind, checked);
        let mut writer = PartWriter::new((doc.kind, file), parts, check, open()?);
        if doc.keep && !doc.parts.is_empty() {
            writer = writer.keeping();
        }
        if doc.place && !doc.parts.is_empty() {
            writer = writer.placing();
        }
        writers.push((channel, writer, doc));
    }
    for (n, part) in parts::cut(items).enumerate() {
        if writers.is_empty() {
            break;
        }
        if writers.iter().all(|(_, _, doc)| doc.kept(n).is_some()) {
            // Each format's part read from its file and written, side by side.
            writers
                .par_iter_mut()
                .try_for_each(|(_, w, doc)| doc.kept(n).map_or(Ok(()), |k| w.add_kept(k)))?;
            continue;
        }
        let made = part_entries(site, urls, part, (shared, checked))?;
        let missing = || Error::at(Location::file("feeds"), "an entry of a feed was not made");
        let entries: Vec<&Entry<'_>> = part
            .iter()
            .zip(&made)
            .map(|(&i, m)| m.as_ref().or(shared[i].as_ref()).ok_or_else(missing))
            .collect::<Result<_>>()?;
        writers
            .par_iter_mut()
            .try_for_each(|(channel, w, doc)| match doc.kept(n) {
                Some(kept) => w.add_kept(kept),
                None => {
                    let made = serialise(site, urls, (channel, w.kind()), &entries);
                    w.add(&made.map_err(|msg| w.error(msg))?, entries.len())
                }
            })?;
    }
    finish(docs, writers)
}

/// Ends the documents made (`writers`, in the order of the `docs` the memo did not
/// hold): returns every document of the page, in the order of `docs`, and the parts
/// made for the memo.
fn finish<S: Sink>(docs: &[Doc], writers: Vec<Making<'_, '_, S>>) -> Result<Made<S>> {
    let mut new_parts = Vec::new();
    let mut placed = Vec::new();
    let mut made = Vec::with_capacity(writers.len());
    for (_, mut w, doc) in writers {
        for (n, part) in w.take_kept() {
            if let Some((key, _)) = doc.parts.get(n) {
                new_parts.push((*key, Arc::new(part)));
            }
        }
        let keyed: Vec<(Key, Placed)> = w
            .take_placed()
            .into_iter()
            .filter_map(|(n, p)| doc.parts.get(n).map(|(key, _)| (*key, p)))
            .collect();
        if !keyed.is_empty() {
            placed.push((w.file().to_owned(), keyed));
        }
        made.push(w);
    }
    let mut made = made.into_iter();
    let mut out = Vec::with_capacity(docs.len());
    for doc in docs {
        let (file, body) = match (&doc.held, doc.held.is_none().then(|| made.next()).flatten()) {
            (Some((file, bytes)), _) => (file.clone(), FeedBody::Held(bytes.clone())),
            (None, Some(w)) => {
                let (file, sink, verdict) = w.finish()?;
                (file, FeedBody::Made(sink, verdict))
            }
            (None, None) => return Err(Error::at(Location::file("feeds"), "a feed was not made")),
        };
        out.push(Feed {
            file,
            kind: doc.kind,
            body,
            key: doc.key,
        });
    }
    Ok((out, (new_parts, placed)))
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
