//! RSS 2.0 through the `rss` crate (with the Atom self link, `content:encoded` and
//! `dc:creator`, as the RSS Advisory Board's best practices recommend).

use std::collections::BTreeMap;

use rss::extension::atom::{AtomExtension, Link};
use rss::extension::dublincore::DublinCoreExtension;
use rss::{Category, Channel as RssChannel, Guid, Item};

use super::{Channel, Entry};

/// Serialises the channel and its items.
pub(super) fn write(ch: &Channel<'_>, entries: &[Entry<'_>]) -> Result<Vec<u8>, String> {
    let items: Vec<Item> = entries.iter().map(item).collect();
    let self_link = Link {
        href: ch.self_url.clone(),
        rel: "self".into(),
        mime_type: Some("application/rss+xml".into()),
        ..Link::default()
    };
    let mut namespaces = BTreeMap::new();
    namespaces.insert("atom".to_owned(), "http://www.w3.org/2005/Atom".to_owned());
    let channel = RssChannel {
        title: ch.title.clone(),
        link: ch.home.to_owned(),
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
        atom_ext: Some(AtomExtension {
            links: vec![self_link],
        }),
        items,
        namespaces,
        ..RssChannel::default()
    };
    let mut out = channel.write_to(Vec::new()).map_err(|e| e.to_string())?;
    out.push(b'\n');
    Ok(out)
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
    Item {
        title: Some(e.title.clone()),
        link: Some(e.link.to_owned()),
        description: Some(e.summary_html.clone()),
        content: Some(e.content_html.clone()),
        categories,
        guid: Some(Guid {
            value: e.id.clone(),
            permalink: e.id_is_permalink,
        }),
        pub_date: Some(e.published.to_rfc2822()),
        dublin_core_ext: Some(DublinCoreExtension {
            creators,
            ..Default::default()
        }),
        ..Item::default()
    }
}
