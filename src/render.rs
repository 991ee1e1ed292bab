//! Renders HTML pages from templates.
//!
//! Owns: the template environment (built-in templates, overridden by files in
//! the site's `templates/`), the view structs templates see, and template
//! errors with their line. Does not: touch the disk or build feeds. This is the
//! only user of `minijinja`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use minijinja::value::Serde;
use minijinja::{Environment, UndefinedBehavior};
use serde::Serialize;

use crate::config::Person;
use crate::dates::Date;
use crate::error::{Error, Location, Result};
use crate::model::{Article, Image, Site};
use crate::urls::{FeedKind, Urls};

/// Templates built into the binary, by name.
const BUILT_IN: &[(&str, &str)] = &[
    ("base.html", include_str!("templates/base.html")),
    ("article.html", include_str!("templates/article.html")),
    ("index.html", include_str!("templates/index.html")),
    ("redirect.html", include_str!("templates/redirect.html")),
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
}

#[derive(Serialize)]
struct SiteView<'a> {
    title: &'a str,
    description: &'a str,
    language: Option<&'a str>,
    url: &'a str,
    feeds: Vec<FeedLink>,
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
    image: Option<&'a Image>,
    content: &'a str,
    summary: &'a str,
    summary_text: &'a str,
    source: String,
    external_url: Option<&'a str>,
    extra: &'a BTreeMap<String, serde_json::Value>,
}

fn display(d: &Date) -> String {
    d.format("%-d %B %Y, %H:%M (UTC%:z)").to_string()
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

    /// Renders an article's page.
    pub fn article(&self, site: &Site, urls: &Urls, article: &Article) -> Result<String> {
        let ctx = minijinja::context! {
            site => Serde(site_view(site, urls)),
            article => Serde(article_view(article, urls)),
        };
        self.render("article.html", ctx)
    }

    /// Renders the page at an old URL of `article` that sends readers to it.
    pub fn redirect(&self, site: &Site, urls: &Urls, article: &Article) -> Result<String> {
        let ctx = minijinja::context! {
            site => Serde(site_view(site, urls)),
            article => Serde(article_view(article, urls)),
        };
        self.render("redirect.html", ctx)
    }

    /// Renders the home page listing every article.
    pub fn index(&self, site: &Site, urls: &Urls) -> Result<String> {
        let articles: Vec<ArticleView<'_>> = site
            .articles
            .iter()
            .map(|a| article_view(a, urls))
            .collect();
        let ctx = minijinja::context! {
            site => Serde(site_view(site, urls)),
            articles => Serde(articles),
        };
        self.render("index.html", ctx)
    }
}

fn site_view<'a>(site: &'a Site, urls: &'a Urls) -> SiteView<'a> {
    let c = &site.config;
    SiteView {
        title: &c.title,
        description: &c.description,
        language: c.language.as_deref(),
        url: urls.home(),
        feeds: FeedKind::ALL
            .iter()
            .map(|&k| FeedLink {
                label: k.label(),
                media_type: k.media_type(),
                url: urls.feed(k),
            })
            .collect(),
    }
}

fn article_view<'a>(a: &'a Article, urls: &Urls) -> ArticleView<'a> {
    let m = &a.meta;
    ArticleView {
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
        content: &a.html,
        summary: &a.summary_html,
        summary_text: &a.summary_text,
        source: m.source.to_string_lossy().into_owned(),
        external_url: m.external_url.as_deref(),
        extra: &m.extra,
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
