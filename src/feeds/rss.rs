//! RSS 2.0 through the `rss` crate (with Atom links, `content:encoded` and
//! `dc:creator`, as the RSS Advisory Board's best practices recommend).
//!
//! The featured image is a Media RSS `media:content` (with `media:description` and
//! `media:credit`), not an `<enclosure>`: RSS allows one enclosure per item and keeps it
//! for the podcast file, an enclosure must state a length that a remote image does not
//! have, and the readers most people use (Feedly, Inoreader, NetNewsWire, Thunderbird)
//! show `media:content` images as the item's picture.

use std::collections::BTreeMap;

use rss::extension::atom::{AtomExtension, Link};
use rss::extension::dublincore::DublinCoreExtension;
use rss::extension::{Extension, ExtensionMap};
use rss::{Category, Channel as RssChannel, Enclosure, Guid, Item};

use super::{Channel, Entry};
use crate::model::Image;

const MEDIA_NS: &str = "http://search.yahoo.com/mrss/";
const CONTENT_NS: &str = "http://purl.org/rss/1.0/modules/content/";
const FH_NS: &str = "http://purl.org/syndication/history/1.0";

/// Serialises the channel with `items`, some or all of its entries. The namespaces
/// the items use are declared from the channel's head (all of its items), so every part
/// of a document made in parts has the same head.
pub(super) fn write(ch: &Channel<'_>, items: &[&Entry<'_>]) -> Result<Vec<u8>, String> {
    let mut namespaces = BTreeMap::new();
    namespaces.insert("atom".to_owned(), "http://www.w3.org/2005/Atom".to_owned());
    if ch.head.images {
        namespaces.insert("media".to_owned(), MEDIA_NS.to_owned());
    }
    if ch.head.both_texts {
        namespaces.insert("content".to_owned(), CONTENT_NS.to_owned());
    }
    let buffer = super::buffer_for(items);
    let items: Vec<Item> = items.iter().map(|e| item(e)).collect();
    let mut extensions = ExtensionMap::new();
    if ch.archive.current.is_some() {
        // RFC 5005 §4: an archive document says so with fh:archive.
        namespaces.insert("fh".to_owned(), FH_NS.to_owned());
        extensions.insert(
            "fh".to_owned(),
            one("fh:archive", element("fh:archive", None)),
        );
    }
    let channel = RssChannel {
        title: ch.title.clone(),
        link: ch.home.clone(),
        description: ch.description.clone(),
        language: ch.language.map(str::to_owned),
        last_build_date: Some(ch.updated.to_rfc2822()),
        pub_date: Some(ch.updated.to_rfc2822()),
        generator: Some("mdfeed".into()),
        docs: Some("https://www.rssboard.org/rss-specification".into()),
        managing_editor: ch.author.and_then(|p| {
            p.email
                .as_ref()
                .map(|e| format!("{e} ({})", super::xml_safe(&p.name)))
        }),
        atom_ext: Some(AtomExtension { links: links(ch) }),
        items,
        extensions,
        namespaces,
        ..RssChannel::default()
    };
    let mut out = channel.write_to(buffer).map_err(|e| e.to_string())?;
    out.push(b'\n');
    Ok(out)
}

fn links(ch: &Channel<'_>) -> Vec<Link> {
    let link = |rel: &str, href: &str| Link {
        href: href.to_owned(),
        rel: rel.to_owned(),
        mime_type: (rel != "hub").then(|| "application/rss+xml".to_owned()),
        ..Link::default()
    };
    let mut out = vec![link("self", &ch.self_url)];
    out.extend(ch.hub.map(|h| link("hub", h)));
    out.extend(ch.archive.current.as_deref().map(|u| link("current", u)));
    out.extend(ch.archive.prev.as_deref().map(|u| link("prev-archive", u)));
    out.extend(ch.archive.next.as_deref().map(|u| link("next-archive", u)));
    out
}

fn element(name: &str, value: Option<&str>) -> Extension {
    Extension {
        name: name.to_owned(),
        value: value.map(|v| super::xml_safe(v).into_owned()),
        ..Extension::default()
    }
}

fn one(name: &str, ext: Extension) -> BTreeMap<String, Vec<Extension>> {
    BTreeMap::from([(name.to_owned(), vec![ext])])
}

/// Returns `media:content` for the featured image, with its caption and credit.
fn media(img: &Image) -> ExtensionMap {
    let mut content = element("media:content", None);
    content.attrs.insert("url".into(), img.url.clone());
    content.attrs.insert("medium".into(), "image".into());
    if let Some(t) = &img.mime_type {
        content.attrs.insert("type".into(), t.clone());
    }
    if let Some(n) = img.length {
        content.attrs.insert("fileSize".into(), n.to_string());
    }
    if let Some(caption) = &img.caption {
        let mut d = element("media:description", Some(caption));
        d.attrs.insert("type".into(), "plain".into());
        content.children = one("media:description", d);
    }
    if let Some(credit) = &img.credit {
        content.children.insert(
            "media:credit".into(),
            vec![element("media:credit", Some(credit))],
        );
    }
    ExtensionMap::from([("media".to_owned(), one("media:content", content))])
}

fn item(e: &Entry<'_>) -> Item {
    let categories = e
        .categories
        .iter()
        .map(|c| Category {
            name: super::xml_safe(c).into_owned(),
            domain: None,
        })
        .collect();
    // RSS's <author> must be an e-mail address and may not stand beside dc:creator, so
    // authors go in dc:creator only: every reader shows it, and no address is exposed.
    let creators = e
        .authors
        .iter()
        .map(|p| super::xml_safe(&p.name).into_owned())
        .collect();
    let (description, content) = texts(e);
    Item {
        title: Some(e.title.clone()),
        link: Some(e.link.to_owned()),
        description: description.cloned(),
        content: content.cloned(),
        categories,
        guid: Some(Guid {
            value: e.id.to_owned(),
            permalink: e.id_is_permalink,
        }),
        pub_date: Some(e.published.to_rfc2822()),
        enclosure: e.enclosure.map(|enc| Enclosure {
            url: enc.url.clone(),
            length: enc.length.to_string(),
            mime_type: enc.mime_type.clone(),
        }),
        extensions: e.image.map(media).unwrap_or_default(),
        dublin_core_ext: Some(DublinCoreExtension {
            creators,
            languages: e.lang.map(str::to_owned).into_iter().collect(),
            ..Default::default()
        }),
        ..Item::default()
    }
}

/// Returns an item's description and `content:encoded`. Without a summary the full text
/// is the description, and `content:encoded` would repeat it.
fn texts<'e>(e: &'e Entry<'_>) -> (Option<&'e String>, Option<&'e String>) {
    match (&e.summary_html, &e.content_html) {
        (Some(s), c) => (Some(s), c.as_ref()),
        (None, c) => (c.as_ref(), None),
    }
}
