//! JSON Feed 1.1 (<https://www.jsonfeed.org/version/1.1/>) as serde structs.
//!
//! Archive pages link back in time with `next_url`, the format's own paging.

use serde::Serialize;

use super::{Channel, Entry};
use crate::config::Person;

#[derive(Serialize)]
struct Feed<'a> {
    version: &'static str,
    title: &'a str,
    home_page_url: &'a str,
    feed_url: &'a str,
    description: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    language: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    authors: Vec<Author<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    hubs: Vec<Hub<'a>>,
    items: Vec<Item<'a>>,
}

#[derive(Serialize)]
struct Hub<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    url: &'a str,
}

#[derive(Serialize)]
struct Author<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
}

#[derive(Serialize)]
struct Attachment<'a> {
    url: &'a str,
    mime_type: &'a str,
    size_in_bytes: u64,
}

#[derive(Serialize)]
struct Item<'a> {
    id: &'a str,
    url: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    external_url: Option<&'a str>,
    title: &'a str,
    /// JSON Feed requires content; with a summary-only policy it is the summary's HTML.
    content_html: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<&'a str>,
    date_published: String,
    date_modified: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    authors: Vec<Author<'a>>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    tags: &'a [&'a str],
    #[serde(skip_serializing_if = "Option::is_none")]
    image: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    language: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    attachments: Vec<Attachment<'a>>,
}

fn author(p: &Person) -> Author<'_> {
    Author {
        name: &p.name,
        url: p.uri.as_deref(),
    }
}

fn item<'a>(e: &'a Entry<'a>) -> Item<'a> {
    Item {
        id: e.id,
        // JSON Feed 1.1: `url` is the item's own page, `external_url` the page it is about.
        url: e.related.unwrap_or(e.link),
        external_url: e.related.map(|_| e.link),
        title: &e.title,
        content_html: e
            .content_html
            .as_deref()
            .or(e.summary_html.as_deref())
            .unwrap_or_default(),
        summary: e.summary_text.as_deref(),
        date_published: e.published.to_rfc3339(),
        date_modified: e.updated.to_rfc3339(),
        authors: e.authors.iter().map(author).collect(),
        tags: &e.categories,
        image: e.image.map(|i| i.url.as_str()),
        language: e.lang,
        attachments: e
            .enclosure
            .iter()
            .map(|a| Attachment {
                url: &a.url,
                mime_type: &a.mime_type,
                size_in_bytes: a.length,
            })
            .collect(),
    }
}

/// Serialises the feed and its items.
pub(super) fn write(ch: &Channel<'_>, entries: &[&Entry<'_>]) -> Result<Vec<u8>, String> {
    let feed = Feed {
        version: "https://jsonfeed.org/version/1.1",
        title: &ch.title,
        home_page_url: &ch.home,
        feed_url: &ch.self_url,
        description: &ch.description,
        next_url: ch.archive.prev.as_deref(),
        language: ch.language,
        authors: ch.author.map(author).into_iter().collect(),
        hubs: ch
            .hub
            .map(|url| Hub {
                kind: "WebSub",
                url,
            })
            .into_iter()
            .collect(),
        items: entries.iter().map(|e| item(e)).collect(),
    };
    let mut out = super::buffer_for(entries);
    serde_json::to_writer_pretty(&mut out, &feed).map_err(|e| e.to_string())?;
    out.push(b'\n');
    Ok(out)
}
