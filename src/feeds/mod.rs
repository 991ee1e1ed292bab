//! Builds the site's feeds from the model.
//!
//! Owns: what goes into a feed (the `Channel` and `Entry` views shared by every
//! format), absolute URLs in feed content, and the characters XML forbids.
//! Each format module only serialises these views.

mod atom;
mod json;
mod rss;

use std::borrow::Cow;

use chrono::DateTime;
use lol_html::{RewriteStrSettings, element, rewrite_str};
use url::Url;

use crate::config::Person;
use crate::dates::Date;
use crate::error::{Error, Location, Result};
use crate::model::{Article, Image, Site};
use crate::urls::{FeedKind, Urls};

/// The feed-level data every format needs.
pub(crate) struct Channel<'a> {
    title: String,
    description: String,
    language: Option<&'a str>,
    home: &'a str,
    self_url: String,
    updated: Date,
    author: Option<&'a Person>,
}

/// One feed item, already made safe for XML and with absolute URLs.
pub(crate) struct Entry<'a> {
    id: String,
    id_is_permalink: bool,
    title: String,
    link: &'a str,
    /// The article's own page when `link` points elsewhere (`external_url`).
    related: Option<&'a str>,
    published: Date,
    updated: Date,
    authors: &'a [Person],
    categories: Vec<&'a str>,
    summary_html: String,
    summary_text: String,
    content_html: String,
    image: Option<&'a Image>,
}

/// Builds every feed of the site, as `(output file, bytes)`.
pub fn build(site: &Site, urls: &Urls) -> Result<Vec<(std::path::PathBuf, Vec<u8>)>> {
    let entries = site
        .articles
        .iter()
        .map(|a| entry(a, urls))
        .collect::<Result<Vec<_>>>()?;
    let mut out = Vec::new();
    for kind in FeedKind::ALL {
        let channel = channel(site, urls, kind);
        let bytes = match kind {
            FeedKind::Rss => rss::write(&channel, &entries),
            FeedKind::Atom => atom::write(&channel, &entries),
            FeedKind::Json => json::write(&channel, &entries),
        }
        .map_err(|msg| Error::at(Location::file(urls.feed_file(kind)), msg))?;
        // The fields are cleaned one by one above; this catches any the views miss
        // (an author's e-mail, a front matter ID), since no XML document may hold one.
        let bytes = match String::from_utf8(bytes) {
            Ok(text) if kind != FeedKind::Json => xml_safe(&text).into_owned().into_bytes(),
            Ok(text) => text.into_bytes(),
            Err(e) => e.into_bytes(),
        };
        out.push((urls.feed_file(kind), bytes));
    }
    Ok(out)
}

fn channel<'a>(site: &'a Site, urls: &'a Urls, kind: FeedKind) -> Channel<'a> {
    let c = &site.config;
    Channel {
        title: xml_safe(&c.title).into_owned(),
        description: xml_safe(&c.description).into_owned(),
        language: c.language.as_deref(),
        home: urls.home(),
        self_url: urls.feed(kind),
        // Never the wall clock: an unchanged site must give byte-identical feeds.
        updated: site
            .updated()
            .unwrap_or_else(|| DateTime::UNIX_EPOCH.fixed_offset()),
        author: c.author.as_ref(),
    }
}

fn entry<'a>(a: &'a Article, urls: &Urls) -> Result<Entry<'a>> {
    let m = &a.meta;
    let (id, id_is_permalink) = urls.item_id(m.id.as_deref(), &a.url, &m.date);
    let absolute = |html: &str| {
        absolutize(html, &a.url, urls)
            .map(|h| xml_safe(&h).into_owned())
            .map_err(|msg| Error::at(Location::file(&m.shown), msg))
    };
    Ok(Entry {
        id,
        id_is_permalink,
        title: xml_safe(&m.title).into_owned(),
        link: m.external_url.as_deref().unwrap_or(&a.url),
        related: m.external_url.as_ref().map(|_| a.url.as_str()),
        published: m.date,
        updated: m.updated.unwrap_or(m.date).max(m.date),
        authors: &m.authors,
        categories: m
            .tags
            .iter()
            .chain(&m.categories)
            .map(String::as_str)
            .collect(),
        summary_html: absolute(&a.summary_html)?,
        summary_text: xml_safe(&a.summary_text).into_owned(),
        content_html: absolute(&a.html)?,
        image: a.image.as_ref(),
    })
}

/// Makes every URL in `html` absolute (see `Urls::absolute_link`), by rewriting the
/// attributes of the parsed HTML, so the content works in every feed reader.
fn absolutize(html: &str, page: &str, urls: &Urls) -> std::result::Result<String, String> {
    let page = Url::parse(page).map_err(|e| format!("bad article URL `{page}`: {e}"))?;
    let join = |v: &str| urls.absolute_link(&page, v).unwrap_or_else(|| v.to_owned());
    let rewrite = |attr: &'static str| {
        element!(format!("[{attr}]"), move |el| {
            if let Some(v) = el.get_attribute(attr) {
                el.set_attribute(attr, &join(&v))?;
            }
            Ok(())
        })
    };
    let srcset = element!("[srcset]", |el| {
        if let Some(v) = el.get_attribute("srcset") {
            let joined: Vec<String> = v
                .split(',')
                .map(|candidate| {
                    let candidate = candidate.trim();
                    match candidate.split_once(char::is_whitespace) {
                        Some((u, descriptor)) => format!("{} {}", join(u), descriptor.trim()),
                        None => join(candidate),
                    }
                })
                .collect();
            el.set_attribute("srcset", &joined.join(", "))?;
        }
        Ok(())
    });
    let settings = RewriteStrSettings::new()
        .append_element_content_handler(rewrite("href"))
        .append_element_content_handler(rewrite("src"))
        .append_element_content_handler(rewrite("poster"))
        .append_element_content_handler(srcset);
    rewrite_str(html, settings).map_err(|e| format!("cannot rewrite HTML: {e}"))
}

/// Is `c` allowed in an XML 1.0 document? Control characters other than tab, newline
/// and carriage return are not, nor are U+FFFE and U+FFFF.
fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && !matches!(c, '\u{FFFE}' | '\u{FFFF}'))
}

/// Removes characters that XML 1.0 does not allow; one stray byte must not break a feed.
pub(crate) fn xml_safe(s: &str) -> Cow<'_, str> {
    if s.chars().all(xml_char) {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(s.chars().filter(|&c| xml_char(c)).collect())
    }
}

/// Returns the byte offset and value of the first character in `text` that XML forbids.
pub(crate) fn first_forbidden(text: &str) -> Option<(usize, char)> {
    text.char_indices().find(|&(_, c)| !xml_char(c))
}

/// Returns a character XML forbids that reached what an article gives its feed entries,
/// such as a YAML `"\x01"` escape that is not in the file as such.
pub(crate) fn forbidden_in(a: &Article) -> Option<char> {
    let m = &a.meta;
    let people = m
        .authors
        .iter()
        .flat_map(|p| [Some(&p.name), p.email.as_ref(), p.uri.as_ref()]);
    [&m.title, &a.html, &a.summary_html, &a.summary_text]
        .into_iter()
        .chain(m.tags.iter().chain(&m.categories))
        .chain(people.flatten())
        .chain(m.id.as_ref())
        .find_map(|s| first_forbidden(s).map(|(_, c)| c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_of_relative_url_becomes_absolute() {
        let html = r##"<a href="/x">a</a><a href="../y">b</a><a href="#f">c</a><img src="p.png" srcset="p1.png 1x, /p2.png 2x"><video poster="v.jpg"></video><a href="https://o.org/">d</a>"##;
        let urls = Urls::new(Url::parse("https://e.org/").unwrap());
        let out = absolutize(html, "https://e.org/news/a/", &urls).unwrap();
        for want in [
            r#"href="https://e.org/x""#,
            r#"href="https://e.org/news/y""#,
            r##"href="https://e.org/news/a/#f""##,
            r#"src="https://e.org/news/a/p.png""#,
            r#"srcset="https://e.org/news/a/p1.png 1x, https://e.org/p2.png 2x""#,
            r#"poster="https://e.org/news/a/v.jpg""#,
            r#"href="https://o.org/""#,
        ] {
            assert!(out.contains(want), "{want} not in {out}");
        }
    }

    #[test]
    fn forbidden_characters_are_removed() {
        assert_eq!(xml_safe("a\u{1}b\u{0}c\td\u{FFFF}"), "abc\td");
        assert!(matches!(xml_safe("plain"), Cow::Borrowed(_)));
    }
}
