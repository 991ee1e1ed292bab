//! JSON Feed 1.1 (<https://www.jsonfeed.org/version/1.1/>) as serde structs.

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
    language: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    authors: Vec<Author<'a>>,
    items: Vec<Item<'a>>,
}

#[derive(Serialize)]
struct Author<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
}

#[derive(Serialize)]
struct Item<'a> {
    id: &'a str,
    url: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    external_url: Option<&'a str>,
    title: &'a str,
    content_html: &'a str,
    summary: &'a str,
    date_published: String,
    date_modified: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    authors: Vec<Author<'a>>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    tags: &'a [&'a str],
    #[serde(skip_serializing_if = "Option::is_none")]
    image: Option<&'a str>,
}

fn author(p: &Person) -> Author<'_> {
    Author {
        name: &p.name,
        url: p.uri.as_deref(),
    }
}

/// Serialises the feed and its items.
pub(super) fn write(ch: &Channel<'_>, entries: &[Entry<'_>]) -> Result<Vec<u8>, String> {
    let feed = Feed {
        version: "https://jsonfeed.org/version/1.1",
        title: &ch.title,
        home_page_url: ch.home,
        feed_url: &ch.self_url,
        description: &ch.description,
        language: ch.language,
        authors: ch.author.map(author).into_iter().collect(),
        items: entries
            .iter()
            .map(|e| Item {
                id: &e.id,
                // JSON Feed 1.1: `url` is the item's own page, `external_url` the page it is about.
                url: e.related.unwrap_or(e.link),
                external_url: e.related.map(|_| e.link),
                title: &e.title,
                content_html: &e.content_html,
                summary: &e.summary_text,
                date_published: e.published.to_rfc3339(),
                date_modified: e.updated.to_rfc3339(),
                authors: e.authors.iter().map(author).collect(),
                tags: &e.categories,
                image: e.image.map(|i| i.url.as_str()),
            })
            .collect(),
    };
    let mut out = serde_json::to_vec_pretty(&feed).map_err(|e| e.to_string())?;
    out.push(b'\n');
    Ok(out)
}
