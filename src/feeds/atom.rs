//! Atom 1.0 (RFC 4287) through the `atom_syndication` crate, with RFC 5005 archive links.
//!
//! The featured image and the enclosure are both `link rel="enclosure"` (RFC 4287
//! §4.2.7.2), the image's caption in the link's `title`.

use std::collections::BTreeMap;

use atom_syndication::extension::{Extension, ExtensionMap};
use atom_syndication::{
    Category, Content, Entry as AtomEntry, Feed, Generator, Link, Person as AtomPerson, Text,
};

use super::{Channel, Entry, xml_safe};
use crate::config::Person;

const FH_NS: &str = "http://purl.org/syndication/history/1.0";

/// Serialises the feed with `entries`, some or all of its entries (the channel's head
/// decides the feed's own elements, so every part of a document made in parts has the
/// same head).
pub(super) fn write(ch: &Channel<'_>, entries: &[&Entry<'_>]) -> Result<Vec<u8>, String> {
    let mut links = vec![
        link(&ch.home, "alternate", Some("text/html")),
        link(&ch.self_url, "self", Some("application/atom+xml")),
    ];
    links.extend(ch.hub.map(|h| link(h, "hub", None)));
    let archive = [
        ("current", &ch.archive.current),
        ("prev-archive", &ch.archive.prev),
        ("next-archive", &ch.archive.next),
    ];
    for (rel, href) in archive {
        links.extend(
            href.as_deref()
                .map(|h| link(h, rel, Some("application/atom+xml"))),
        );
    }
    let mut namespaces = BTreeMap::new();
    let mut extensions = ExtensionMap::new();
    if ch.archive.current.is_some() {
        // RFC 5005 §4: an archive document says so with fh:archive.
        namespaces.insert("fh".to_owned(), FH_NS.to_owned());
        let archive = Extension {
            name: "fh:archive".into(),
            ..Extension::default()
        };
        extensions.insert(
            "fh".into(),
            BTreeMap::from([("fh:archive".to_owned(), vec![archive])]),
        );
    }
    let feed = Feed {
        title: Text::plain(ch.title.clone()),
        // The page the feed follows identifies it (the home page, a tag's page): as
        // permanent as the site. Archive pages are parts of the same feed (RFC 5005), so
        // they share its ID.
        id: ch.home.clone(),
        updated: ch.updated,
        authors: feed_authors(ch),
        links,
        subtitle: Some(Text::plain(ch.description.clone())),
        generator: Some(Generator {
            value: "mdfeed".into(),
            ..Generator::default()
        }),
        lang: ch.language.map(str::to_owned),
        entries: entries.iter().map(|e| entry(e)).collect(),
        extensions,
        namespaces,
        ..Feed::default()
    };
    let out = feed
        .write_to(super::buffer_for(entries))
        .map_err(|e| e.to_string())?;
    let mut out = extensions_before_entries(out)?;
    out.push(b'\n');
    Ok(out)
}

/// Moves the feed-level extension elements in front of the first entry.
///
/// `atom_syndication` writes them after the entries, but RFC 4287 (§4.1.1 and the
/// RELAX NG schema in its appendix B) puts `atom:entry` last. The only feed-level
/// extension mdfeed writes is the empty `fh:archive`, written right before `</feed>`.
fn extensions_before_entries(xml: Vec<u8>) -> Result<Vec<u8>, String> {
    const ARCHIVE: &[u8] = b"<fh:archive></fh:archive>";
    const END: &[u8] = b"</feed>";
    let Some(body) = xml.strip_suffix(END) else {
        return Err("the serialised Atom feed does not end with </feed>".into());
    };
    let Some(body) = body.strip_suffix(ARCHIVE) else {
        return Ok(xml);
    };
    let first_entry = body
        .windows(7)
        .position(|w| w == b"<entry>")
        .unwrap_or(body.len());
    let mut out = Vec::with_capacity(xml.len());
    out.extend_from_slice(&body[..first_entry]);
    out.extend_from_slice(ARCHIVE);
    out.extend_from_slice(&body[first_entry..]);
    out.extend_from_slice(END);
    Ok(out)
}

fn link(href: &str, rel: &str, mime: Option<&str>) -> Link {
    Link {
        href: href.to_owned(),
        rel: rel.to_owned(),
        mime_type: mime.map(str::to_owned),
        ..Link::default()
    }
}

/// RFC 4287 §4.1.1: a feed needs an author unless every entry has one. Without a site
/// author, the site (its title) stands in, as the party that publishes the feed.
fn feed_authors(ch: &Channel<'_>) -> Vec<AtomPerson> {
    match ch.author {
        Some(p) => vec![person(p)],
        None if ch.head.anonymous => vec![AtomPerson {
            name: ch.title.clone(),
            ..AtomPerson::default()
        }],
        None => Vec::new(),
    }
}

fn person(p: &Person) -> AtomPerson {
    AtomPerson {
        name: xml_safe(&p.name).into_owned(),
        email: p.email.clone(),
        uri: p.uri.clone(),
        ..AtomPerson::default()
    }
}

fn entry(e: &Entry<'_>) -> AtomEntry {
    let lang = e.lang.map(str::to_owned);
    let mut links = vec![link(e.link, "alternate", Some("text/html"))];
    links.extend(
        e.related
            .map(|page| link(page, "related", Some("text/html"))),
    );
    if let Some(img) = e.image {
        links.push(Link {
            title: img.caption.as_deref().map(|c| xml_safe(c).into_owned()),
            length: img.length.map(|n| n.to_string()),
            ..link(&img.url, "enclosure", img.mime_type.as_deref())
        });
    }
    if let Some(enc) = e.enclosure {
        links.push(Link {
            length: Some(enc.length.to_string()),
            ..link(&enc.url, "enclosure", Some(&enc.mime_type))
        });
    }
    AtomEntry {
        title: Text {
            lang: lang.clone(),
            ..Text::plain(e.title.clone())
        },
        id: e.id.to_owned(),
        updated: e.updated,
        published: Some(e.published),
        authors: e.authors.iter().map(person).collect(),
        categories: e
            .categories
            .iter()
            .map(|c| Category {
                term: xml_safe(c).into_owned(),
                ..Category::default()
            })
            .collect(),
        links,
        summary: e.summary_html.clone().map(|s| Text {
            lang: lang.clone(),
            ..Text::html(s)
        }),
        content: e.content_html.clone().map(|c| Content {
            value: Some(c),
            content_type: Some("html".into()),
            lang,
            ..Content::default()
        }),
        ..AtomEntry::default()
    }
}
