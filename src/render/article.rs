//! The template value of an article (`article`, and each of `articles`).
//!
//! Owns: which fields templates see and how they are shown (dates, term links), and
//! handing out the article's HTML only when a template reads it.

use std::collections::BTreeMap;
use std::sync::Arc;

use minijinja::value::{Enumerator, Object, Serde, Value};
use serde::Serialize;

use super::TermLink;
use crate::config::Person;
use crate::dates::Date;
use crate::model::{Article, Image};
use crate::taxonomy::Taxonomies;
use crate::urls::{Scope, TermKind, Urls};

/// An article as templates see it (`article`, and each of `articles`), made once per
/// build (and kept by the build's memo while the article and its terms are unchanged).
#[derive(Clone)]
pub struct ArticleValue(pub(super) Value);

impl ArticleValue {
    /// Makes the template value of `a`.
    pub fn new(a: &Arc<Article>, urls: &Urls, tax: &Taxonomies) -> ArticleValue {
        let fields = Value::from(Serde(article_view(a, urls, tax)));
        ArticleValue(Value::from_object(ArticleObject {
            fields,
            article: a.clone(),
        }))
    }
}

/// The template value of an article: its small fields made once, and its HTML (the
/// content and the summaries, most of its size) handed out when a template reads it,
/// so the values of every article do not hold a second copy of the site's text.
#[derive(Debug)]
struct ArticleObject {
    fields: Value,
    article: Arc<Article>,
}

/// The fields `ArticleObject` hands out from the article itself.
const ARTICLE_HTML: [&str; 3] = ["content", "summary", "summary_text"];

impl Object for ArticleObject {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let a = &self.article;
        match key.as_str() {
            Some("content") => Some(Value::from(a.html.as_str())),
            Some("summary") => Some(Value::from(a.summary_html.as_str())),
            Some("summary_text") => Some(Value::from(a.summary_text.as_str())),
            _ => self.fields.get_item(key).ok().filter(|v| !v.is_undefined()),
        }
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        let own = self.fields.try_iter().into_iter().flatten();
        let keys = own.chain(ARTICLE_HTML.into_iter().map(Value::from));
        Enumerator::Values(keys.collect())
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

fn term_links<'a>(
    names: &'a [String],
    kind: TermKind,
    urls: &Urls,
    tax: &Taxonomies,
) -> Vec<TermLink<'a>> {
    names
        .iter()
        .map(|name| TermLink {
            name,
            url: tax
                .slug_of(kind, name)
                .map(|slug| urls.root_relative(&urls.listing(&Scope::Term(kind, slug)))),
        })
        .collect()
}

fn article_view<'a>(a: &'a Article, urls: &Urls, tax: &Taxonomies) -> ArticleView<'a> {
    let m = &a.meta;
    ArticleView {
        tag_links: term_links(&m.tags, TermKind::Tag, urls, tax),
        category_links: term_links(&m.categories, TermKind::Category, urls, tax),
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
