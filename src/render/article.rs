//! The template value of an article (`article`, and each of `articles`).
//!
//! Owns: which fields templates see and how they are shown (dates, term links). The
//! object that hands them out (and the HTML only when read) is `fields::Fields`.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use minijinja::value::{Serde, Value};
use serde::Serialize;

use super::TermLink;
use super::fields::{FieldSet, Fields};
use crate::config::Person;
use crate::dates::Date;
use crate::model::{Article, Image};
use crate::taxonomy::Taxonomies;
use crate::urls::{Scope, TermKind, Urls};

/// An article as templates see it (`article`, and each of `articles`), made once per
/// build (and kept by the build's memo while the article and its terms are unchanged).
/// Its fields are a `Fields` object: the small ones made once, its HTML (the content
/// and the summaries, most of its size) handed out when a template reads it, so the
/// values of every article do not hold a second copy of the site's text.
#[derive(Clone)]
pub struct ArticleValue(pub(super) Value, Arc<Fields>);

impl ArticleValue {
    /// Makes the template value of `a`.
    pub fn new(a: &Arc<Article>, urls: &Urls, terms: &TermPaths) -> ArticleValue {
        let view = Value::from(Serde(article_view(a, urls, terms)));
        let fields = Arc::new(Fields::of(&view, a.clone()));
        ArticleValue(Value::from_dyn_object(fields.clone()), fields)
    }

    /// Returns a hash of the fields in `set` (see `tracking`).
    pub fn digest(&self, set: FieldSet) -> [u8; 32] {
        self.1.digest(set)
    }
}

#[derive(Serialize)]
struct ArticleView<'a> {
    title: &'a str,
    url: &'a str,
    path: String,
    date: String,
    date_display: String,
    updated: Option<String>,
    updated_display: Option<String>,
    authors: &'a [Person],
    tags: &'a [String],
    categories: &'a [String],
    tag_links: Vec<TermLink<'a>>,
    category_links: Vec<TermLink<'a>>,
    lang: Option<&'a str>,
    image: Option<&'a Image>,
    source: String,
    external_url: Option<&'a str>,
    extra: &'a BTreeMap<String, serde_json::Value>,
}

fn display(d: &Date) -> String {
    d.format("%-d %B %Y, %H:%M (UTC%:z)").to_string()
}

/// The root-relative URL of each term's page, by its kind and name as articles write
/// it: made once per build, not once for every article that names the term.
pub struct TermPaths(HashMap<TermKind, HashMap<String, String>>);

impl TermPaths {
    /// Makes the URLs of the terms in `tax`.
    pub fn new(urls: &Urls, tax: &Taxonomies) -> TermPaths {
        let mut paths: HashMap<TermKind, HashMap<String, String>> = HashMap::new();
        for (kind, name, slug) in tax.spellings() {
            let url = urls.root_relative(&urls.listing(&Scope::Term(kind, slug)));
            paths.entry(kind).or_default().insert(name.to_owned(), url);
        }
        TermPaths(paths)
    }

    fn get(&self, kind: TermKind, name: &str) -> Option<&String> {
        self.0.get(&kind)?.get(name)
    }
}

fn term_links<'a>(names: &'a [String], kind: TermKind, terms: &TermPaths) -> Vec<TermLink<'a>> {
    names
        .iter()
        .map(|name| TermLink {
            name,
            url: terms.get(kind, name).cloned(),
        })
        .collect()
}

fn article_view<'a>(a: &'a Article, urls: &Urls, terms: &TermPaths) -> ArticleView<'a> {
    let m = &a.meta;
    ArticleView {
        tag_links: term_links(&m.tags, TermKind::Tag, terms),
        category_links: term_links(&m.categories, TermKind::Category, terms),
        lang: m.lang.as_deref(),
        title: &m.title,
        url: &a.url,
        path: urls.root_relative(&a.url),
        date: m.date.to_rfc3339(),
        date_display: display(&m.date),
        updated: m.updated.map(|d| d.to_rfc3339()),
        updated_display: m.updated.as_ref().map(display),
        authors: &m.authors,
        tags: &m.tags,
        categories: &m.categories,
        image: a.image.as_ref(),
        source: m.source.to_string_lossy().into_owned(),
        external_url: m.external_url.as_deref(),
        extra: &m.extra,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::fields::FIELDS;

    #[test]
    fn the_fields_are_those_of_the_view_then_the_html() {
        let none = BTreeMap::new();
        let view = ArticleView {
            title: "",
            url: "",
            path: String::new(),
            date: String::new(),
            date_display: String::new(),
            updated: None,
            updated_display: None,
            authors: &[],
            tags: &[],
            categories: &[],
            tag_links: Vec::new(),
            category_links: Vec::new(),
            lang: None,
            image: None,
            source: String::new(),
            external_url: None,
            extra: &none,
        };
        let json = serde_json::to_value(&view).unwrap();
        let mut keys: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.as_str())
            .collect();
        keys.extend(["content", "summary", "summary_text"]);
        let (mut keys, mut fields) = (keys, FIELDS.to_vec());
        keys.sort_unstable();
        fields.sort_unstable();
        assert_eq!(keys, fields);
        assert_eq!(FIELDS[17..], ["content", "summary", "summary_text"]);
    }
}
