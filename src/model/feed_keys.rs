//! Reads the front matter keys that shape an article's feed items: `feed_content`,
//! `lang` and `enclosure`.

use serde_json::Value;

use super::EnclosureRef;
use super::reader::Reader;
use crate::config::ContentPolicy;

impl Reader<'_> {
    pub fn content_policy(&mut self) -> Option<ContentPolicy> {
        let text = self.string("feed_content")?;
        match ContentPolicy::parse(&text) {
            Ok(p) => Some(p),
            Err(msg) => {
                self.error("feed_content", format!("`feed_content` {msg}"));
                None
            }
        }
    }

    /// Reads `lang`: a language tag in the shape BCP 47 gives (`en`, `pt-BR`, `zh-Hant-TW`).
    pub fn lang(&mut self) -> Option<String> {
        let text = self.string("lang")?.trim().to_owned();
        let part_ok =
            |p: &str| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric());
        let mut parts = text.split('-');
        let primary_ok = parts
            .next()
            .is_some_and(|p| part_ok(p) && p.chars().all(|c| c.is_ascii_alphabetic()));
        if primary_ok && parts.all(part_ok) {
            return Some(text);
        }
        self.error(
            "lang",
            format!("`lang` must be a language tag such as `en` or `pt-BR`, found `{text}`"),
        );
        None
    }

    /// Reads `enclosure`: a path or URL, or a table with `url` and optional `type`, `length`.
    pub fn enclosure(&mut self) -> Option<EnclosureRef> {
        let f = self.field("enclosure")?.clone();
        let at = self.location("enclosure");
        let (src, mime_type, length) = match &f.value {
            Value::String(s) => (s.trim().to_owned(), None, None),
            Value::Object(t) => {
                let src = ["url", "src", "path"]
                    .iter()
                    .find_map(|k| t.get(*k).and_then(Value::as_str))
                    .map(|s| s.trim().to_owned());
                let mime = t
                    .get("type")
                    .and_then(Value::as_str)
                    .map(|s| s.trim().to_owned());
                let length = match t.get("length") {
                    None => None,
                    Some(Value::Number(n)) => n.as_u64(),
                    Some(Value::String(s)) => s.trim().parse::<u64>().ok(),
                    Some(_) => None,
                };
                if t.get("length").is_some() && length.is_none() {
                    self.error("enclosure", "`enclosure.length` must be a size in bytes");
                }
                let Some(src) = src else {
                    self.error("enclosure", "`enclosure` needs `url` (a path or a URL)");
                    return None;
                };
                (src, mime, length)
            }
            Value::Null => return None,
            other => {
                self.wrong_type(
                    "enclosure",
                    "a path, a URL or a table with `url`",
                    &other.clone(),
                );
                return None;
            }
        };
        if src.is_empty() {
            self.error("enclosure", "`enclosure` is empty");
            return None;
        }
        Some(EnclosureRef {
            src,
            mime_type: mime_type.filter(|m| !m.is_empty()),
            length,
            at,
        })
    }
}
