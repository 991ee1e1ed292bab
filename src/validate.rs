//! Checks every feed document after it is rendered and before anything is written,
//! so a published mdfeed feed is always valid: a violation fails the build.
//!
//! Owns: the rules, read back from the serialised bytes with real parsers (`quick_xml`
//! for XML, in `tree`; `serde_json` for JSON Feed): well-formed, namespaces
//! declared, required elements present and non-empty, RFC 822 / RFC 3339 dates, unique
//! IDs, absolute URLs (links, IDs that claim to be permalinks, every URL in content),
//! complete enclosures. The JSON Feed rules are in `json`; `part` checks a document
//! made in parts (`DocCheck`). Does not: fix anything, or know how the feeds were made.

use std::collections::BTreeSet;
use std::path::Path;

use chrono::DateTime;
use url::Url;

use crate::error::{Error, Location};
use crate::feeds::relative_urls;
use crate::urls::FeedKind;

mod checked;
mod json;
mod part;
mod tree;

pub use checked::CheckedHtml;
use part::Part;
pub use part::{DocCheck, Extent};
use tree::{Node, Tree};

const ATOM_NS: &str = "http://www.w3.org/2005/Atom";
const CONTENT_NS: &str = "http://purl.org/rss/1.0/modules/content/";

/// Checks one feed document; `file` is its path under `out/`, for messages.
pub fn check(file: &Path, kind: FeedKind, bytes: &[u8]) -> Result<(), Vec<Error>> {
    check_with(file, kind, bytes, &CheckedHtml::default())
}

/// Checks one feed document, skipping HTML fragments `seen` already passed.
pub fn check_with(
    file: &Path,
    kind: FeedKind,
    bytes: &[u8],
    seen: &CheckedHtml,
) -> Result<(), Vec<Error>> {
    DocCheck::new(file, kind, seen).part(bytes, 0..bytes.len(), 0)
}

/// The item IDs of a document's parts checked so far, and those of the last part.
#[derive(Default)]
struct Ids {
    all: BTreeSet<String>,
    part: Vec<String>,
}

impl Ids {
    /// Records an item's ID; returns false if an earlier item had it.
    fn insert(&mut self, id: String) -> bool {
        self.part.push(id.clone());
        self.all.insert(id)
    }
}

struct Checker<'a> {
    shown: &'a Path,
    text: &'a str,
    errors: Vec<Error>,
    seen: &'a CheckedHtml,
    /// The IDs of the items of the parts checked so far.
    ids: &'a mut Ids,
    part: &'a Part,
}

fn child<'t, 'i>(n: Node<'t, 'i>, ns: Option<&str>, name: &str) -> Option<Node<'t, 'i>> {
    n.children()
        .find(|c| c.name() == name && c.namespace() == ns)
}

fn children<'t, 'i: 't>(
    n: Node<'t, 'i>,
    ns: Option<&'t str>,
    name: &'t str,
) -> impl Iterator<Item = Node<'t, 'i>> + 't {
    n.children()
        .filter(move |c| c.name() == name && c.namespace() == ns)
}

fn text_of<'t>(n: Node<'t, '_>) -> &'t str {
    n.text()
}

fn absolute(u: &str) -> bool {
    Url::parse(u.trim()).is_ok()
}

/// An address a reader can open: absolute http(s).
fn web(u: &str) -> bool {
    Url::parse(u.trim()).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
}

impl Checker<'_> {
    /// The line and column (in characters) in the file of a byte offset of the part.
    fn location(&self, offset: usize) -> Location {
        match self.part.place(self.text, offset) {
            Some(p) => Location::new(self.shown, p.line, p.col),
            None => Location::file(self.shown),
        }
    }

    fn fail(&mut self, n: Option<Node<'_, '_>>, msg: impl Into<String>) {
        let at = match n {
            Some(n) => self.location(n.offset()),
            None => Location::file(self.shown),
        };
        self.errors
            .push(Error::at(at, format!("self-check: {}", msg.into())));
    }

    /// Requires a child element with non-empty text; returns it.
    fn required(&mut self, parent: Node<'_, '_>, ns: Option<&str>, name: &str) -> Option<String> {
        match child(parent, ns, name).map(|n| (n, text_of(n))) {
            Some((_, t)) if !t.trim().is_empty() => Some(t.to_owned()),
            Some((n, _)) => {
                self.fail(Some(n), format!("<{name}> is empty"));
                None
            }
            None => {
                self.fail(Some(parent), format!("<{}> has no <{name}>", parent.name()));
                None
            }
        }
    }

    fn url(&mut self, n: Node<'_, '_>, what: &str, value: &str) {
        if !absolute(value) {
            self.fail(Some(n), format!("{what} `{value}` is not an absolute URL"));
        }
    }

    fn web_url(&mut self, n: Node<'_, '_>, what: &str, value: &str) {
        if !web(value) {
            self.fail(
                Some(n),
                format!("{what} `{value}` is not an absolute http(s) URL"),
            );
        }
    }

    fn date(&mut self, n: Node<'_, '_>, rfc: u32, value: &str) {
        let ok = match rfc {
            822 => DateTime::parse_from_rfc2822(value.trim()).is_ok(),
            _ => DateTime::parse_from_rfc3339(value.trim()).is_ok(),
        };
        if !ok {
            let name = n.name();
            self.fail(
                Some(n),
                format!("<{name}> `{value}` is not an RFC {rfc} date"),
            );
        }
    }

    fn content_urls(&mut self, n: Node<'_, '_>, item: &str, html: &str) {
        let key = CheckedHtml::key(html);
        if self.seen.contains(key) {
            return;
        }
        match relative_urls(html) {
            Ok(found) if found.is_empty() => self.seen.insert(key),
            Ok(found) => self.fail(
                Some(n),
                format!(
                    "{item}: URL(s) that are not absolute left in content: {}",
                    found.join(", ")
                ),
            ),
            Err(msg) => self.fail(Some(n), msg),
        }
    }

    fn unique(&mut self, n: Node<'_, '_>, id: &str) {
        if !self.ids.insert(id.to_owned()) {
            self.fail(Some(n), format!("item ID `{id}` appears twice"));
        }
    }

    fn self_link(&mut self, parent: Node<'_, '_>) {
        let link =
            children(parent, Some(ATOM_NS), "link").find(|l| l.attribute("rel") == Some("self"));
        match link.and_then(|l| l.attribute("href").map(|h| (l, h))) {
            Some((l, href)) => self.web_url(l, "self link", href),
            None => self.fail(Some(parent), "no atom:link rel=\"self\""),
        }
    }

    fn rss(&mut self, doc: &Tree<'_>) {
        let root = doc.root();
        if root.name() != "rss" || root.attribute("version") != Some("2.0") {
            return self.fail(Some(root), "the root element is not <rss version=\"2.0\">");
        }
        let Some(channel) = child(root, None, "channel") else {
            return self.fail(Some(root), "<rss> has no <channel>");
        };
        if self.part.first {
            self.rss_channel(channel);
        }
        for item in children(channel, None, "item") {
            self.rss_item(item);
        }
    }

    fn rss_channel(&mut self, channel: Node<'_, '_>) {
        self.required(channel, None, "title");
        self.required(channel, None, "description");
        if let Some(link) = self.required(channel, None, "link") {
            self.web_url(channel, "channel link", &link);
        }
        for name in ["pubDate", "lastBuildDate"] {
            if let Some(d) = child(channel, None, name) {
                self.date(d, 822, text_of(d));
            }
        }
        self.self_link(channel);
    }

    fn rss_item(&mut self, item: Node<'_, '_>) {
        let has =
            |name: &str| child(item, None, name).is_some_and(|n| !text_of(n).trim().is_empty());
        if !has("title") && !has("description") {
            self.fail(Some(item), "<item> has neither <title> nor <description>");
        }
        if let Some(link) = self.required(item, None, "link") {
            self.web_url(item, "item link", &link);
        }
        if let Some(d) = self
            .required(item, None, "pubDate")
            .and(child(item, None, "pubDate"))
        {
            self.date(d, 822, text_of(d));
        }
        if let Some(id) = self.required(item, None, "guid") {
            let guid = child(item, None, "guid").unwrap_or(item);
            self.unique(guid, &id);
            if guid.attribute("isPermaLink") != Some("false") {
                self.web_url(guid, "permalink guid", &id);
            }
        }
        let link = child(item, None, "link").map(text_of).unwrap_or_default();
        for (ns, name) in [(None, "description"), (Some(CONTENT_NS), "encoded")] {
            if let Some(n) = child(item, ns, name) {
                self.content_urls(n, link, text_of(n));
            }
        }
        for enc in children(item, None, "enclosure") {
            let url = enc.attribute("url").unwrap_or_default();
            self.url(enc, "enclosure url", url);
            let length = enc.attribute("length").unwrap_or_default();
            if length.is_empty() || !length.bytes().all(|b| b.is_ascii_digit()) {
                self.fail(
                    Some(enc),
                    format!("enclosure length `{length}` is not a number of bytes"),
                );
            }
            if !enc.attribute("type").unwrap_or_default().contains('/') {
                self.fail(Some(enc), "enclosure has no media type");
            }
        }
    }

    fn atom(&mut self, doc: &Tree<'_>) {
        let root = doc.root();
        if root.name() != "feed" || root.namespace() != Some(ATOM_NS) {
            return self.fail(Some(root), "the root element is not an Atom <feed>");
        }
        let ns = Some(ATOM_NS);
        if self.part.first {
            self.atom_feed(root);
        }
        for entry in children(root, ns, "entry") {
            self.atom_entry(entry);
        }
    }

    fn atom_feed(&mut self, root: Node<'_, '_>) {
        let ns = Some(ATOM_NS);
        self.required(root, ns, "title");
        if let Some(id) = self.required(root, ns, "id") {
            self.url(root, "feed id", &id);
        }
        if let Some(d) = self
            .required(root, ns, "updated")
            .and(child(root, ns, "updated"))
        {
            self.date(d, 3339, text_of(d));
        }
        self.self_link(root);
    }

    fn atom_entry(&mut self, entry: Node<'_, '_>) {
        let ns = Some(ATOM_NS);
        self.required(entry, ns, "title");
        if let Some(id) = self.required(entry, ns, "id") {
            let n = child(entry, ns, "id").unwrap_or(entry);
            self.url(n, "entry id", &id);
            self.unique(n, &id);
        }
        for name in ["updated", "published"] {
            match child(entry, ns, name) {
                Some(d) => self.date(d, 3339, text_of(d)),
                None if name == "updated" => self.fail(Some(entry), "<entry> has no <updated>"),
                None => {}
            }
        }
        let mut alternate = false;
        for link in children(entry, ns, "link") {
            let href = link.attribute("href").unwrap_or_default();
            self.url(link, "link href", href);
            match link.attribute("rel").unwrap_or("alternate") {
                "alternate" => alternate = true,
                "enclosure" => {
                    let len = link.attribute("length").unwrap_or("0");
                    if !len.bytes().all(|b| b.is_ascii_digit()) || len.is_empty() {
                        self.fail(
                            Some(link),
                            format!("enclosure length `{len}` is not a number of bytes"),
                        );
                    }
                }
                _ => {}
            }
        }
        if !alternate && child(entry, ns, "content").is_none() {
            self.fail(
                Some(entry),
                "<entry> has neither content nor an alternate link",
            );
        }
        let id = child(entry, ns, "id").map(text_of).unwrap_or_default();
        for name in ["summary", "content"] {
            let html = child(entry, ns, name).filter(|n| n.attribute("type") == Some("html"));
            if let Some(n) = html {
                self.content_urls(n, id, text_of(n));
            }
        }
    }
}
