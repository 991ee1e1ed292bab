//! Renders HTML pages from templates.
//!
//! Owns: the template environment (built-in templates, overridden by files in
//! the site's `templates/`), the view structs templates see, and template
//! errors with their line. Does not: touch the disk or build feeds. This is the
//! only user of `minijinja`.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use minijinja::value::{Serde, Value};
use minijinja::{Environment, UndefinedBehavior};
use serde::Serialize;

use crate::error::{Error, Location, Result};
use crate::model::{self, Article, Site};
use crate::taxonomy::{Taxonomies, Term};
use crate::urls::{FeedKind, Scope, TermKind, Urls};

mod article;
mod fields;

pub use article::{ArticleValue, TermPaths};
pub use fields::{FieldSet, tracking};

/// Templates built into the binary, by name.
const BUILT_IN: &[(&str, &str)] = &[
    ("base.html", include_str!("templates/base.html")),
    ("article.html", include_str!("templates/article.html")),
    ("index.html", include_str!("templates/index.html")),
    // Included by index.html and term.html; it ends without a newline, as the line
    // of its `include` supplies one (trailing newlines are kept).
    ("articles.html", include_str!("templates/articles.html")),
    ("redirect.html", include_str!("templates/redirect.html")),
    ("term.html", include_str!("templates/term.html")),
    ("terms.html", include_str!("templates/terms.html")),
    ("style.css", include_str!("templates/style.css")),
    ("feed.xsl", include_str!("templates/feed.xsl")),
];

/// A template file from the site's `templates/` folder.
pub struct TemplateFile {
    /// Name relative to `templates/` (`article.html`).
    pub name: String,
    /// Path as shown in messages.
    pub shown: PathBuf,
    /// Its text.
    pub text: String,
}

/// The loaded templates.
pub struct Templates {
    env: Environment<'static>,
    shown: BTreeMap<String, PathBuf>,
}

#[derive(Serialize)]
struct FeedLink {
    label: &'static str,
    media_type: &'static str,
    url: String,
    /// For autodiscovery links: "Site (RSS)", "Site – tag (RSS)".
    title: String,
}

#[derive(Serialize)]
struct IndexLink {
    label: &'static str,
    url: String,
}

#[derive(Serialize)]
struct SiteView<'a> {
    title: &'a str,
    description: &'a str,
    language: Option<&'a str>,
    url: &'a str,
    feeds: Vec<FeedLink>,
    term_indexes: Vec<IndexLink>,
}

#[derive(Serialize)]
struct TermLink<'a> {
    name: &'a str,
    url: Option<String>,
}

#[derive(Serialize)]
struct TermView<'a> {
    name: &'a str,
    kind: &'static str,
    kind_plural: &'static str,
    url: String,
    index_url: String,
    count: usize,
    feeds: Vec<FeedLink>,
}

impl Templates {
    /// Builds the environment; a site template replaces the built-in one of the same name.
    pub fn new(overrides: Vec<TemplateFile>) -> Result<Templates> {
        let mut env = Environment::new();
        let syntax = minijinja::syntax::SyntaxConfig::builder()
            .keep_trailing_newline(true)
            .build()
            .map_err(|e| template_error(&BTreeMap::new(), &e))?;
        env.set_syntax(syntax);
        env.set_undefined_behavior(UndefinedBehavior::Chainable);
        // The stylesheet is XML: escape values in it as in HTML (valid XML escapes too).
        env.set_auto_escape_callback(|name| match name.rsplit('.').next() {
            Some("html" | "htm" | "xml" | "xsl") => minijinja::AutoEscape::Html,
            _ => minijinja::AutoEscape::None,
        });
        let mut shown = BTreeMap::new();
        for (name, text) in BUILT_IN {
            shown.insert(
                (*name).to_owned(),
                PathBuf::from(format!("(built-in) {name}")),
            );
            env.add_template(name, text)
                .map_err(|e| template_error(&shown, &e))?;
        }
        let mut errors = Vec::new();
        for t in overrides {
            shown.insert(t.name.clone(), t.shown);
            if let Err(e) = env.add_template_owned(t.name, t.text) {
                errors.push(template_error(&shown, &e));
            }
        }
        match Error::gather(errors) {
            Some(e) => Err(e),
            None => Ok(Templates { env, shown }),
        }
    }

    fn render(&self, name: &str, ctx: minijinja::Value) -> Result<String> {
        let tmpl = self
            .env
            .get_template(name)
            .map_err(|e| template_error(&self.shown, &e))?;
        tmpl.render(ctx)
            .map_err(|e| template_error(&self.shown, &e))
    }

    /// Renders the page of the site's article `i`.
    pub fn article(&self, v: &Views<'_>, i: usize) -> Result<String> {
        let (article, value) = v.article(i)?;
        let lang = article.meta.lang.as_deref();
        let ctx = minijinja::context! {
            site => Serde(&v.site),
            article => value.0.clone(),
            page_lang => lang,
            page_dir => lang.and_then(model::direction),
        };
        self.render("article.html", ctx)
    }

    /// Renders the page at an old URL of the site's article `i` that sends readers to it.
    pub fn redirect(&self, v: &Views<'_>, i: usize) -> Result<String> {
        let (_, value) = v.article(i)?;
        let ctx = minijinja::context! {
            site => Serde(&v.site),
            article => value.0.clone(),
        };
        self.render("redirect.html", ctx)
    }

    /// Renders the home page listing every article.
    pub fn index(&self, v: &Views<'_>) -> Result<String> {
        let articles: Vec<Value> = v.values.iter().map(|a| a.0.clone()).collect();
        let ctx = minijinja::context! {
            site => Serde(&v.site),
            articles => Value::from(articles),
        };
        self.render("index.html", ctx)
    }

    /// Renders the page of one tag or category: its articles and its feeds.
    pub fn term(&self, v: &Views<'_>, term: &Term) -> Result<String> {
        let articles: Vec<Value> = term
            .articles
            .iter()
            .filter_map(|&i| v.values.get(i).map(|a| a.0.clone()))
            .collect();
        let view = term_view(v, term);
        let ctx = minijinja::context! {
            site => Serde(&v.site),
            page_feeds => Serde(&view.feeds),
            term => Serde(&view),
            articles => Value::from(articles),
        };
        self.render("term.html", ctx)
    }

    /// Renders the page that lists every term of one kind.
    pub fn terms(&self, v: &Views<'_>, kind: TermKind) -> Result<String> {
        let terms: Vec<TermView<'_>> = v.tax.of(kind).map(|t| term_view(v, t)).collect();
        let ctx = minijinja::context! {
            site => Serde(&v.site),
            kind => kind.label(),
            kind_plural => kind.folder(),
            url => v.urls.terms_index(kind),
            terms => Serde(terms),
        };
        self.render("terms.html", ctx)
    }

    /// Renders the XSLT stylesheet that shows the XML feeds as a page in a browser.
    pub fn stylesheet(&self, v: &Views<'_>) -> Result<String> {
        let ctx = minijinja::context! { site => Serde(&v.site) };
        self.render("feed.xsl", ctx)
    }
}

/// What every page sees: the site, its articles, URLs and taxonomies.
pub struct Views<'a> {
    site: SiteView<'a>,
    articles: &'a [Arc<Article>],
    /// The template value of each article, in the same order.
    values: &'a [ArticleValue],
    formats: &'a [FeedKind],
    /// Tag and category pages link feeds of their own.
    term_feeds: bool,
    urls: &'a Urls,
    tax: &'a Taxonomies,
}

impl<'a> Views<'a> {
    /// Gathers the shared views once for every page of a build; `values` holds the
    /// template value of each of the site's articles, in order.
    pub fn new(
        site: &'a Site,
        urls: &'a Urls,
        tax: &'a Taxonomies,
        values: &'a [ArticleValue],
    ) -> Views<'a> {
        let c = &site.config;
        let term_indexes = TermKind::ALL
            .into_iter()
            .filter(|&k| tax.of(k).next().is_some())
            .map(|k| IndexLink {
                label: k.folder(),
                url: urls.root_relative(&urls.terms_index(k)),
            })
            .collect();
        Views {
            site: SiteView {
                title: &c.title,
                description: &c.description,
                language: c.language.as_deref(),
                url: urls.home(),
                feeds: feed_links(&c.feeds.formats, urls, &Scope::Site, &c.title),
                term_indexes,
            },
            articles: &site.articles,
            values,
            formats: &c.feeds.formats,
            term_feeds: c.feeds.term_feeds,
            urls,
            tax,
        }
    }

    /// Returns the site's article `i` and its template value.
    fn article(&self, i: usize) -> Result<(&Article, &ArticleValue)> {
        match (self.articles.get(i), self.values.get(i)) {
            (Some(a), Some(v)) => Ok((a, v)),
            _ => Err(Error::at(
                Location::file("(generated)"),
                format!("no article {i} to render"),
            )),
        }
    }
}

impl Views<'_> {
    /// Returns what every page sees of the site, as bytes (for the keys of pages).
    pub fn site_fingerprint(&self) -> Vec<u8> {
        // Plain structs of strings: serialising them cannot fail.
        serde_json::to_vec(&self.site).unwrap_or_default()
    }
}

fn feed_links(formats: &[FeedKind], urls: &Urls, scope: &Scope<'_>, title: &str) -> Vec<FeedLink> {
    formats
        .iter()
        .map(|&k| FeedLink {
            label: k.label(),
            media_type: k.media_type(),
            url: urls.feed_at(scope, k, None),
            title: format!("{title} ({})", k.label()),
        })
        .collect()
}

fn term_view<'a>(v: &Views<'a>, t: &'a Term) -> TermView<'a> {
    let scope = Scope::Term(t.kind, &t.slug);
    let title = format!("{} – {}", v.site.title, t.name);
    let feeds = match v.term_feeds {
        true => feed_links(v.formats, v.urls, &scope, &title),
        false => Vec::new(),
    };
    TermView {
        name: &t.name,
        kind: t.kind.label(),
        kind_plural: t.kind.folder(),
        url: v.urls.listing(&scope),
        index_url: v.urls.terms_index(t.kind),
        count: t.articles.len(),
        feeds,
    }
}

fn template_error(shown: &BTreeMap<String, PathBuf>, e: &minijinja::Error) -> Error {
    let name = e.name().unwrap_or("template");
    let path = shown
        .get(name)
        .cloned()
        .unwrap_or_else(|| PathBuf::from(name));
    let line = e.line().unwrap_or(1) as u32;
    let mut msg = e
        .detail()
        .map_or_else(|| e.kind().to_string(), str::to_owned);
    if let Some(inner) = std::error::Error::source(e) {
        msg = format!("{msg}: {inner}");
    }
    Error::at(Location::new(path, line, 1), format!("template: {msg}"))
}
