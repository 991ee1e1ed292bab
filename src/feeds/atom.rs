//! Atom 1.0 (RFC 4287) through the `atom_syndication` crate.

use atom_syndication::{
    Category, Content, Entry as AtomEntry, Feed, Generator, Link, Person as AtomPerson, Text,
};

use super::{Channel, Entry, xml_safe};
use crate::config::Person;

/// Serialises the feed and its entries.
pub(super) fn write(ch: &Channel<'_>, entries: &[Entry<'_>]) -> Result<Vec<u8>, String> {
    let feed = Feed {
        title: Text::plain(ch.title.clone()),
        // The home page URL identifies the feed; it is as permanent as the site.
        id: ch.home.to_owned(),
        updated: ch.updated,
        authors: ch.author.map(person).into_iter().collect(),
        links: vec![
            link(ch.home, "alternate", "text/html"),
            link(&ch.self_url, "self", "application/atom+xml"),
        ],
        subtitle: Some(Text::plain(ch.description.clone())),
        generator: Some(Generator {
            value: "mdfeed".into(),
            ..Generator::default()
        }),
        lang: ch.language.map(str::to_owned),
        entries: entries.iter().map(entry).collect(),
        ..Feed::default()
    };
    let mut out = feed.write_to(Vec::new()).map_err(|e| e.to_string())?;
    out.push(b'\n');
    Ok(out)
}

fn link(href: &str, rel: &str, mime: &str) -> Link {
    Link {
        href: href.to_owned(),
        rel: rel.to_owned(),
        mime_type: Some(mime.to_owned()),
        ..Link::default()
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
    AtomEntry {
        title: Text::plain(e.title.clone()),
        id: e.id.clone(),
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
        links: std::iter::once(link(e.link, "alternate", "text/html"))
            .chain(e.related.map(|page| link(page, "related", "text/html")))
            .collect(),
        summary: Some(Text::html(e.summary_html.clone())),
        content: Some(Content {
            value: Some(e.content_html.clone()),
            content_type: Some("html".into()),
            ..Content::default()
        }),
        ..AtomEntry::default()
    }
}
