//! Reads typed values out of an article's front matter and its folder defaults,
//! remembering every error at the place the value was written.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use crate::config::{Config, Person};
use crate::error::{Error, Location};
use crate::frontmatter::{Field, Fields};

/// Where an article's authors came from.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum AuthorsFrom {
    /// `author`, `authors` or `by` in the article.
    FrontMatter,
    /// The same keys in a folder defaults file.
    FolderDefaults,
    /// The config's `[author]`.
    Site,
    /// Nobody: no key and no site author.
    None,
}

pub(super) struct Reader<'a> {
    pub fields: Fields,
    pub defaults: Fields,
    pub shown: &'a Path,
    pub errors: Vec<Error>,
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a table",
    }
}

/// Numbers and booleans become strings (`tags: [2024]`).
fn scalar_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

impl Reader<'_> {
    /// Returns the article's own value of `key`, else its folder default.
    pub fn field(&self, key: &str) -> Option<&Field> {
        self.fields.get(key).or_else(|| self.defaults.get(key))
    }

    pub fn location(&self, key: &str) -> Location {
        self.field(key).map_or_else(
            || Location::file(self.shown),
            |f| Location::new(f.file.as_deref().unwrap_or(self.shown), f.line, f.col),
        )
    }

    pub fn error(&mut self, key: &str, msg: impl Into<String>) {
        let e = Error::at(self.location(key), msg);
        self.errors.push(e);
    }

    pub fn wrong_type(&mut self, key: &str, want: &str, found: &Value) {
        self.error(
            key,
            format!("`{key}` must be {want}, found {}", kind(found)),
        );
    }

    pub fn string(&mut self, key: &str) -> Option<String> {
        let value = self.field(key)?.value.clone();
        match scalar_string(&value) {
            Some(s) => Some(s),
            None if value.is_null() => None,
            None => {
                self.wrong_type(key, "a string", &value);
                None
            }
        }
    }

    /// Returns the title and the key it came from: the first of `keys` present.
    pub fn title(&mut self, keys: &[String]) -> Option<(String, String)> {
        let Some(key) = keys.iter().find(|k| self.fields.contains_key(k.as_str())) else {
            let names: Vec<String> = keys.iter().map(|k| format!("`{k}`")).collect();
            let e = Error::at(
                Location::file(self.shown),
                format!("missing required key {}", names.join(" or ")),
            );
            self.errors.push(e);
            return None;
        };
        let title = self.string(key)?.trim().to_owned();
        if title.is_empty() {
            self.error(key, format!("`{key}` is empty"));
            return None;
        }
        Some((title, key.clone()))
    }

    /// Returns the first of `keys` that holds a non-empty string.
    pub fn first_string(&mut self, keys: &[&str]) -> Option<String> {
        keys.iter()
            .find_map(|k| self.string(k).filter(|s| !s.trim().is_empty()))
    }

    pub fn boolean(&mut self, key: &str) -> Option<bool> {
        let value = self.field(key)?.value.clone();
        match value {
            Value::Bool(b) => Some(b),
            ref other => {
                self.wrong_type(key, "`true` or `false`", other);
                None
            }
        }
    }

    /// Reads `key` from the article and from its folder defaults, both: a list of
    /// strings or one string each. `split` splits a string on spaces (Jekyll reads
    /// `categories: "a b"` as two).
    pub fn list(&mut self, key: &str, split: bool) -> Vec<String> {
        let values: Vec<Value> = [self.fields.get(key), self.defaults.get(key)]
            .into_iter()
            .flatten()
            .map(|f| f.value.clone())
            .collect();
        let mut out = Vec::new();
        for v in values {
            match (&v, split) {
                (Value::String(s), true) => out.extend(s.split_whitespace().map(str::to_owned)),
                _ => out.extend(self.list_value(key, &v)),
            }
        }
        out
    }

    fn list_value(&mut self, key: &str, value: &Value) -> Vec<String> {
        let items: Vec<&Value> = match value {
            Value::Array(a) => a.iter().collect(),
            Value::Null => Vec::new(),
            other => vec![other],
        };
        let mut out = Vec::new();
        for item in items {
            match scalar_string(item) {
                Some(s) if !s.trim().is_empty() => out.push(s.trim().to_owned()),
                Some(_) => {}
                None => self.wrong_type(key, "a string or a list of strings", item),
            }
        }
        out
    }

    /// Reads Zola's `[taxonomies]` table (article and defaults): `tags` and `categories`.
    pub fn taxonomies(&mut self) -> (Vec<String>, Vec<String>) {
        let tables: Vec<Value> = [
            self.fields.get("taxonomies"),
            self.defaults.get("taxonomies"),
        ]
        .into_iter()
        .flatten()
        .map(|f| f.value.clone())
        .collect();
        let (mut tags, mut cats) = (Vec::new(), Vec::new());
        for v in tables {
            let Value::Object(table) = &v else {
                self.wrong_type("taxonomies", "a table", &v);
                continue;
            };
            if let Some(t) = table.get("tags") {
                tags.extend(self.list_value("taxonomies", t));
            }
            if let Some(c) = table.get("categories") {
                cats.extend(self.list_value("taxonomies", c));
            }
        }
        (tags, cats)
    }

    /// Reads `author` (a name or a table), `authors` and `by` (lists); else the same
    /// keys from folder defaults; else the site author. Names are never split.
    pub fn authors(&mut self, config: &Config) -> (Vec<Person>, AuthorsFrom) {
        for (own, from) in [
            (true, AuthorsFrom::FrontMatter),
            (false, AuthorsFrom::FolderDefaults),
        ] {
            let mut out = Vec::new();
            for key in ["author", "authors", "by"] {
                let map = if own { &self.fields } else { &self.defaults };
                let Some(f) = map.get(key) else { continue };
                let items: Vec<Value> = match f.value.clone() {
                    Value::Array(a) => a,
                    Value::Null => Vec::new(),
                    other => vec![other],
                };
                for item in &items {
                    match person(item) {
                        Some(p) => out.push(p),
                        None => self.wrong_type(
                            key,
                            "a name, a list of names or a table with `name`",
                            item,
                        ),
                    }
                }
            }
            if !out.is_empty() {
                return (out, from);
            }
        }
        match &config.author {
            Some(p) => (vec![p.clone()], AuthorsFrom::Site),
            None => (Vec::new(), AuthorsFrom::None),
        }
    }

    /// Returns every key not in `known`, the article's own winning over defaults.
    pub fn extra(&mut self, known: &[&str]) -> BTreeMap<String, Value> {
        let defaults = std::mem::take(&mut self.defaults);
        let own = std::mem::take(&mut self.fields);
        defaults
            .into_iter()
            .chain(own)
            .filter(|(k, _)| !known.contains(&k.as_str()))
            .map(|(k, f)| (k, f.value))
            .collect()
    }
}

/// Reads one author entry: a name (a number is a name too), or a table with `name`
/// and optional `email` / `uri` (or `url`).
fn person(v: &Value) -> Option<Person> {
    match v {
        Value::Object(t) => {
            let get = |k: &str| {
                t.get(k)
                    .and_then(Value::as_str)
                    .map(|s| s.trim().to_owned())
            };
            Some(Person {
                name: get("name").filter(|n| !n.is_empty())?,
                email: get("email").filter(|s| !s.is_empty()),
                uri: get("uri").or_else(|| get("url")).filter(|s| !s.is_empty()),
            })
        }
        other => {
            let name = scalar_string(other)?.trim().to_owned();
            (!name.is_empty()).then_some(Person {
                name,
                email: None,
                uri: None,
            })
        }
    }
}
