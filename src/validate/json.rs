//! The JSON Feed rules of the self-check (`serde_json` reads the document).

use chrono::DateTime;
use serde_json::Value;

use super::{CheckedHtml, Checker, absolute};
use crate::error::Error;
use crate::feeds::relative_urls;

impl Checker<'_> {
    pub(super) fn json(&mut self) {
        let doc: Value = match serde_json::from_str(self.text) {
            Ok(v) => v,
            Err(e) => {
                let at = self.location(line_col_offset(self.text, e.line(), e.column()));
                return self
                    .errors
                    .push(Error::at(at, format!("self-check: not JSON: {e}")));
            }
        };
        if self.part.first {
            self.json_feed(&doc);
        }
        let Some(items) = doc.get("items").and_then(Value::as_array) else {
            return self.fail(None, "`items` is missing");
        };
        for (i, item) in items.iter().enumerate() {
            self.json_item(self.part.first_item + i, item);
        }
    }

    fn json_feed(&mut self, doc: &Value) {
        let s = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
        if s(doc, "version").as_deref() != Some("https://jsonfeed.org/version/1.1") {
            self.fail(None, "`version` is not JSON Feed 1.1");
        }
        if s(doc, "title").is_none_or(|t| t.trim().is_empty()) {
            self.fail(None, "`title` is missing or empty");
        }
        for key in ["home_page_url", "feed_url", "next_url"] {
            if let Some(u) = s(doc, key).filter(|u| !absolute(u)) {
                self.fail(None, format!("`{key}` `{u}` is not an absolute URL"));
            }
        }
    }

    fn json_item(&mut self, i: usize, item: &Value) {
        // Borrowed: a copy of each item's content was a tenth of this check.
        let s = |k: &str| item.get(k).and_then(Value::as_str);
        let checked = self.seen;
        let new_id = s("id").is_some_and(|id| self.ids.insert(id.to_owned()));
        let mut fail = |msg: String| self.fail(None, format!("items[{i}]: {msg}"));
        match s("id").filter(|id| !id.trim().is_empty()) {
            Some(id) if !new_id => fail(format!("item ID `{id}` appears twice")),
            Some(_) => {}
            None => fail("`id` is missing or empty".into()),
        }
        for key in ["url", "image"] {
            if let Some(u) = s(key).filter(|u| !absolute(u)) {
                fail(format!("`{key}` `{u}` is not an absolute URL"));
            }
        }
        for key in ["date_published", "date_modified"] {
            match s(key) {
                Some(d) if DateTime::parse_from_rfc3339(d).is_err() => {
                    fail(format!("`{key}` `{d}` is not an RFC 3339 date"))
                }
                None if key == "date_published" => fail(format!("`{key}` is missing")),
                _ => {}
            }
        }
        for a in item
            .get("attachments")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let url = a.get("url").and_then(Value::as_str).unwrap_or_default();
            let mime = a
                .get("mime_type")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if !absolute(url) || !mime.contains('/') {
                fail(format!(
                    "attachment `{url}` needs an absolute url and a mime_type"
                ));
            }
        }
        let html = s("content_html");
        if html.is_none() && s("content_text").is_none() {
            fail("has neither `content_html` nor `content_text`".into());
        }
        let unchecked = html.filter(|h| !checked.contains(CheckedHtml::key(h)));
        if let Some((key, found)) = unchecked.map(|h| (CheckedHtml::key(h), relative_urls(h))) {
            match found {
                Ok(f) if f.is_empty() => checked.insert(key),
                Ok(f) => fail(format!(
                    "URL(s) that are not absolute left in content: {}",
                    f.join(", ")
                )),
                Err(msg) => fail(msg),
            }
        }
    }
}

/// The byte offset of a 1-based line and column (as `serde_json` reports them).
fn line_col_offset(text: &str, line: usize, col: usize) -> usize {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let mut at = (line_start + col.saturating_sub(1)).min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}
