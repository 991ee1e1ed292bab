//! An article as templates see it, noting which of its fields a listing looks at, so
//! that a rebuild can tell a listing is unchanged when only other fields changed (the
//! built-in home page shows each article's title, date, authors and summary, not its
//! text: an edit to the text need not render 10,000 entries again).
//!
//! A render run under `tracking` counts each field looked up by name; anything that
//! walks every field (printing the article, `items`, `tojson`) counts as all of them.
//! A template is a function of what it looks at: a listing whose articles have the
//! same values in the fields it looked at last time renders the same bytes.

use std::cell::Cell;
use std::sync::{Arc, Mutex, OnceLock};

use minijinja::value::{Enumerator, Object, Value};

use crate::model::Article;

/// The fields of an article as templates see it: those of `article::ArticleView`, in
/// order (a test there checks they are all here), then its HTML, read from the article when asked
/// for (so the values of every article do not hold a second copy of the site's text).
pub(super) const FIELDS: [&str; 20] = [
    "title",
    "url",
    "path",
    "date",
    "date_display",
    "updated",
    "updated_display",
    "authors",
    "tags",
    "categories",
    "tag_links",
    "category_links",
    "lang",
    "image",
    "source",
    "external_url",
    "extra",
    "content",
    "summary",
    "summary_text",
];

/// How many of `FIELDS` come from `ArticleView`.
const VIEW: usize = 17;

const ALL: u32 = (1 << FIELDS.len()) - 1;

/// Some fields of an article (one bit per entry of `FIELDS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FieldSet(u32);

impl FieldSet {
    /// Returns the set as a number (for keys).
    pub fn bits(self) -> u32 {
        self.0
    }

    /// Returns the set that `bits` gave (a record of an earlier build of the same
    /// mdfeed: the numbering of the fields is this build's).
    pub fn from_bits(bits: u32) -> FieldSet {
        FieldSet(bits)
    }
}

thread_local! {
    /// The fields looked at by the tracked render running on this thread.
    static SEEN: Cell<Option<u32>> = const { Cell::new(None) };
}

/// Runs `render` and returns which article fields it looked at.
pub fn tracking<T>(render: impl FnOnce() -> T) -> (T, FieldSet) {
    let outer = SEEN.replace(Some(0));
    let out = render();
    let seen = SEEN.replace(outer).unwrap_or(ALL);
    // A tracked render inside another: what it looked at, the outer one did too.
    if let Some(o) = outer {
        SEEN.set(Some(o | seen));
    }
    (out, FieldSet(seen))
}

fn mark(bits: u32) {
    SEEN.with(|s| {
        if let Some(seen) = s.get() {
            s.set(Some(seen | bits));
        }
    });
}

/// An article's fields, in the order of `FIELDS`, with the hash of each (made when
/// first asked for, and kept as long as the value).
#[derive(Debug)]
pub(super) struct Fields {
    /// The fields of the view.
    values: Vec<Value>,
    /// The article, for its HTML.
    article: Arc<Article>,
    digests: [OnceLock<[u8; 32]>; FIELDS.len()],
    /// The last set asked for by `digest`, and its hash.
    listed: Mutex<Option<(FieldSet, [u8; 32])>>,
}

impl Fields {
    /// Takes the fields of `view` (a map with every name in `FIELDS[..VIEW]`) and the
    /// article's HTML.
    pub(super) fn of(view: &Value, article: Arc<Article>) -> Fields {
        Fields {
            values: FIELDS[..VIEW]
                .iter()
                .map(|f| view.get_attr(f).unwrap_or(Value::UNDEFINED))
                .collect(),
            article,
            digests: Default::default(),
            listed: Mutex::new(None),
        }
    }

    /// Returns one hash of the fields in `set` (listings mostly ask for one set: it is
    /// kept).
    pub(super) fn digest(&self, set: FieldSet) -> [u8; 32] {
        let mut listed = self.listed.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((held, digest)) = *listed
            && held == set
        {
            return digest;
        }
        // Every part is 32 bytes: they cannot run together.
        let parts: Vec<u8> = self.digests(set).flatten().copied().collect();
        let digest = crate::cache::digest(&parts);
        *listed = Some((set, digest));
        digest
    }

    /// Returns the HTML field `i` (`content`, `summary`, `summary_text`).
    fn html(&self, i: usize) -> &str {
        let a = &self.article;
        match i - VIEW {
            0 => &a.html,
            1 => &a.summary_html,
            _ => &a.summary_text,
        }
    }

    /// Returns field `i`.
    fn get(&self, i: usize) -> Option<Value> {
        match self.values.get(i) {
            Some(v) => Some(v.clone()),
            None => (i < FIELDS.len()).then(|| Value::from(self.html(i))),
        }
    }

    /// Returns the hash of each field in `set`, in order.
    pub(super) fn digests(&self, set: FieldSet) -> impl Iterator<Item = &[u8; 32]> {
        (0..FIELDS.len())
            .filter(move |i| set.0 & (1 << i) != 0)
            .map(|i| {
                self.digests[i].get_or_init(|| match self.values.get(i) {
                    // JSON shows every value a template can tell apart (strings stay
                    // strings, maps keep their order); it cannot fail for these values.
                    Some(v) => crate::cache::digest(&serde_json::to_vec(v).unwrap_or_default()),
                    None => crate::cache::digest(self.html(i).as_bytes()),
                })
            })
    }
}

impl Object for Fields {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        self.get_value_by_str(key.as_str()?)
    }

    fn get_value_by_str(self: &Arc<Self>, key: &str) -> Option<Value> {
        let i = FIELDS.iter().position(|f| *f == key)?;
        mark(1 << i);
        self.get(i)
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        mark(ALL);
        Enumerator::Str(&FIELDS)
    }

    fn enumerator_len(self: &Arc<Self>) -> Option<usize> {
        Some(FIELDS.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tracked_render_notes_what_it_and_renders_inside_it_looked_at() {
        let ((), seen) = tracking(|| {
            mark(1);
            mark(4);
        });
        assert_eq!(seen, FieldSet(5));
        let ((), outer) = tracking(|| {
            let ((), inner) = tracking(|| mark(2));
            assert_eq!(inner, FieldSet(2));
            mark(1);
        });
        assert_eq!(outer, FieldSet(3));
        // Outside a tracked render, nothing is noted.
        mark(8);
        assert_eq!(SEEN.get(), None);
    }
}
