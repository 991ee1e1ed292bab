//! Renders one article's body and summary, with the template spans of other
//! generators shown as text (and counted, so the user hears about them).

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::read::{Forbidden, Parsed};
use super::targets::same_targets;
use crate::cache::bodies::Body;
use crate::compat::template_syntax;
use crate::error::{Location, Result, Warning};
use crate::markdown::{self, SummaryFrom};
use crate::media::{self, Located};
use crate::memo::{Key, KeyHasher};
use crate::model::{Article, Enclosure, Html, Image, Meta};
use crate::source;
use crate::urls::{Target, Targets, Urls};

/// What rendering an article looked at besides its own file: the files its links and
/// media named (and what each was then), and the sizes of the local media files. The
/// memo renders the article again when any of these is different now.
#[derive(Debug, Default, Clone, PartialEq)]
pub(super) struct Looked {
    pub targets: Vec<(PathBuf, Option<Target>)>,
    pub sizes: Vec<(PathBuf, u64)>,
}

impl Looked {
    fn add_to(&self, h: &mut KeyHasher) {
        // Field by field, not by `Debug` form: formatting was 5 % of a one-change build.
        for (rel, target) in &self.targets {
            h.str(&rel.to_string_lossy());
            match target {
                None => {
                    h.num(0);
                }
                Some(Target::Page(segments)) => {
                    h.num(1).num(segments.len() as u64);
                    for s in segments {
                        h.str(s);
                    }
                }
                Some(Target::Asset(rel)) => {
                    h.num(2).str(&rel.to_string_lossy());
                }
            }
        }
        h.num(self.sizes.len() as u64);
        for (rel, len) in &self.sizes {
            h.str(&rel.to_string_lossy()).num(*len);
        }
    }
}

/// The targets map, noting every file looked up.
struct Recorder<'a> {
    map: &'a HashMap<PathBuf, Target>,
    looked: RefCell<Looked>,
}

impl Targets for Recorder<'_> {
    fn target(&self, rel: &Path) -> Option<&Target> {
        let found = self.map.get(rel);
        let mut looked = self.looked.borrow_mut();
        if !looked.targets.iter().any(|(r, _)| r == rel) {
            looked.targets.push((rel.to_owned(), found.cloned()));
        }
        found
    }
}

/// An article rendered, with what the cache of bodies keeps of it.
pub(super) struct Made {
    pub article: Arc<Article>,
    pub warnings: Vec<Warning>,
    pub looked: Looked,
    /// The lines of template tags shown as text.
    pub tag_lines: Vec<u32>,
    /// How many of `looked.targets` the body's links named (the rest its media named).
    pub links: usize,
    /// The body came from the cache, not from Markdown.
    pub from_cache: bool,
    /// Where the body starts in the file (byte, line), for the cache.
    pub body_at: (usize, u32),
    /// The first character in the file that XML forbids, for the cache.
    pub forbidden: Option<Forbidden>,
    /// The first one in what the article gives its feed entries, for the cache.
    pub forbidden_out: Option<char>,
}

/// Renders `p`, read with key `read_key`, taking its body from `cached` (a body an
/// earlier build rendered from the same file and inputs) when every file the body's
/// links named is still what it was. Returns the article with its warnings (template
/// tags left in its body, counted, and a character XML forbids that its feed entries
/// would carry) and what else it looked at.
pub(super) fn render_one(
    p: &Parsed,
    read_key: &Key,
    urls: &Urls,
    targets: &HashMap<PathBuf, Target>,
    (separator, content_dir): (Option<&str>, &Path),
    cached: Option<(Body<'static>, Html)>,
) -> Result<Made> {
    let meta = p.meta.clone();
    let raw_forbidden = p
        .forbidden
        .map(|(line, col, c)| (Location::new(&meta.shown, line, col), c));
    let targets = Recorder {
        map: targets,
        looked: RefCell::default(),
    };
    let cached = cached.filter(|(b, _)| same_targets(&b.links, targets.map));
    let from_cache = cached.is_some();
    // Known for a cached body, so its HTML is not scanned again.
    let (body, forbidden_out) = match cached {
        Some((b, html)) => {
            let forbidden_out = b.forbidden;
            let (parts, links) = BodyParts::cached(b, html);
            targets.looked.borrow_mut().targets = links;
            (parts, Some(forbidden_out))
        }
        None => (render_body(p, urls, &targets, separator)?, None),
    };
    let links = targets.looked.borrow().targets.len();
    let warning = template_warning(&meta.shown, &body.tag_lines);
    let (image, enclosure) = media_of(&meta, urls, &targets, content_dir)?;
    let looked = targets.looked.into_inner();
    let mut key = KeyHasher::new("article");
    key.key(read_key);
    looked.add_to(&mut key);
    let url = urls.page(&meta.page);
    let (id, id_is_permalink) = urls.item_id(meta.id.as_deref(), &url, &meta.date);
    let article = Article {
        url,
        id,
        id_is_permalink,
        image,
        enclosure,
        html: body.html,
        summary_html: body.summary_html,
        summary_text: body.summary_text,
        summary_from: body.summary_from,
        template_tags: body.tag_lines.len(),
        raw_html: body.raw_html,
        raw_summary_html: body.raw_summary_html,
        key: key.finish(),
        meta,
    };
    let forbidden_out = forbidden_out.unwrap_or_else(|| crate::feeds::forbidden_in(&article));
    let forbidden =
        raw_forbidden.or_else(|| forbidden_out.map(|c| (Location::file(&article.meta.shown), c)));
    Ok(Made {
        article: Arc::new(article),
        warnings: warning
            .into_iter()
            .chain(forbidden.map(forbidden_warning))
            .collect(),
        looked,
        tag_lines: body.tag_lines,
        links,
        from_cache,
        body_at: (p.body_start, p.body_line),
        forbidden: p.forbidden,
        forbidden_out,
    })
}

/// What Markdown made of an article's body and summary.
struct BodyParts {
    html: Html,
    summary_html: String,
    summary_text: String,
    summary_from: SummaryFrom,
    raw_html: bool,
    raw_summary_html: bool,
    tag_lines: Vec<u32>,
}

impl BodyParts {
    /// The parts of a body an earlier build rendered, and the files its links named.
    fn cached(b: Body<'static>, html: Html) -> (BodyParts, Vec<(PathBuf, Option<Target>)>) {
        let parts = BodyParts {
            html,
            summary_html: b.summary_html.into_owned(),
            summary_text: b.summary_text.into_owned(),
            summary_from: b.summary_from,
            raw_html: b.raw_html,
            raw_summary_html: b.raw_summary_html,
            tag_lines: b.tag_lines.into_owned(),
        };
        (parts, b.links.into_owned())
    }
}

/// Renders the body and summary of `p`, with the template spans of other generators
/// masked so they show as text.
fn render_body(
    p: &Parsed,
    urls: &Urls,
    targets: &Recorder<'_>,
    separator: Option<&str>,
) -> Result<BodyParts> {
    let meta = &p.meta;
    let from = meta.source.as_path();
    let resolve = |dest: &str| urls.resolve_link(from, dest, targets);
    let text = p.text.get(&meta.shown)?;
    let masked = template_syntax::mask(text.get(p.body_start..).unwrap_or_default());
    let body = markdown::Body {
        text: &masked.text,
        literals: &masked.literals,
        separator: meta.excerpt_separator.as_deref().or(separator),
    };
    let rendered = if meta.html {
        markdown::render_html(&body)
    } else {
        markdown::render(&body, &resolve)
    };
    let tag_lines: Vec<u32> = masked
        .tags
        .iter()
        .filter(|(i, _)| rendered.shown_literals.contains(i))
        .map(|(_, line)| p.body_line + line)
        .collect();
    let (summary_html, summary_text, summary_from, raw_summary_html) = match &meta.summary {
        Some(s) => {
            let m = template_syntax::mask(s);
            let (html, text, raw) = markdown::render_short(&m.text, &m.literals);
            (html, text, SummaryFrom::Key, raw)
        }
        None => (
            rendered.summary_html,
            rendered.summary_text,
            rendered.summary_from,
            rendered.raw_html,
        ),
    };
    Ok(BodyParts {
        html: rendered.html.into(),
        summary_html,
        summary_text,
        summary_from,
        raw_html: rendered.raw_html,
        raw_summary_html,
        tag_lines,
    })
}

/// The feeds drop a character XML forbids; say where it is, or (when it came from an
/// escape such as YAML's `"\x01"`) which file gave it.
fn forbidden_warning((at, c): (Location, char)) -> Warning {
    let msg = format!(
        "U+{:04X} is a character XML 1.0 forbids; it is removed from the feeds",
        u32::from(c)
    );
    Warning { at, msg }
}

/// One warning per file, at the first template tag shown as text, counting them all.
fn template_warning(shown: &Path, lines: &[u32]) -> Option<Warning> {
    lines.first().map(|line| Warning {
        at: Location::new(shown, *line, 1),
        msg: format!(
            "{} template tag(s) mdfeed cannot run (Liquid, Nunjucks, Hugo shortcodes) are shown as text",
            lines.len()
        ),
    })
}

/// Resolves the featured image and the enclosure: a URL as it is, a path against the
/// article's folder (a local file also gives its size).
fn media_of(
    meta: &Meta,
    urls: &Urls,
    targets: &Recorder<'_>,
    content_dir: &Path,
) -> Result<(Option<Image>, Option<Enclosure>)> {
    let locate = |src: &str| -> Result<Option<Located>> {
        match urls.resolve_target(&meta.source, src, targets) {
            Some((url, Target::Asset(rel))) => {
                let len = source::size(content_dir, rel, &Path::new("content").join(rel))?;
                targets.looked.borrow_mut().sizes.push((rel.clone(), len));
                Ok(Some(Located { url, len }))
            }
            _ => Ok(None),
        }
    };
    let image = meta
        .image
        .as_ref()
        .map(|img| media::image(img, &locate))
        .transpose()?;
    let enclosure = meta
        .enclosure
        .as_ref()
        .map(|e| media::enclosure(e, &locate))
        .transpose()?;
    Ok((image, enclosure))
}
