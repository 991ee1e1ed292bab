//! Renders one article's body and summary, with the template spans of other
//! generators shown as text (and counted, so the user hears about them).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::read::Parsed;
use crate::compat::template_syntax;
use crate::error::{Location, Result, Warning};
use crate::markdown::{self, SummaryFrom};
use crate::media::{self, Located};
use crate::model::{Article, Enclosure, Image, Meta};
use crate::source;
use crate::urls::{Target, Urls};

/// Renders `p`; returns the article and its warnings: template tags left in its body
/// (counted), and a character XML forbids that its feed entries would carry.
pub(super) fn render_one(
    p: Parsed,
    urls: &Urls,
    targets: &HashMap<PathBuf, Target>,
    separator: Option<&str>,
    content_dir: &Path,
) -> Result<(Article, Vec<Warning>)> {
    let Parsed {
        meta,
        text,
        body_start,
        body_line,
    } = p;
    let raw_forbidden = crate::feeds::first_forbidden(&text)
        .map(|(offset, c)| (Location::in_text(&meta.shown, &text, offset, 1), c));
    let from = meta.source.as_path();
    let resolve = |dest: &str| urls.resolve_link(from, dest, targets);
    let masked = template_syntax::mask(&text[body_start..]);
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
    let shown_tags: Vec<u32> = masked
        .tags
        .iter()
        .filter(|(i, _)| rendered.shown_literals.contains(i))
        .map(|(_, line)| body_line + line)
        .collect();
    let warning = template_warning(&meta.shown, &shown_tags);
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
    let (image, enclosure) = media_of(&meta, urls, targets, content_dir)?;
    let url = urls.page(&meta.page);
    let (id, id_is_permalink) = urls.item_id(meta.id.as_deref(), &url, &meta.date);
    let article = Article {
        url,
        id,
        id_is_permalink,
        image,
        enclosure,
        html: rendered.html,
        summary_html,
        summary_text,
        summary_from,
        template_tags: shown_tags.len(),
        raw_html: rendered.raw_html,
        raw_summary_html,
        meta,
    };
    let forbidden = raw_forbidden.or_else(|| {
        crate::feeds::forbidden_in(&article).map(|c| (Location::file(&article.meta.shown), c))
    });
    Ok((
        article,
        warning
            .into_iter()
            .chain(forbidden.map(forbidden_warning))
            .collect(),
    ))
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
    targets: &HashMap<PathBuf, Target>,
    content_dir: &Path,
) -> Result<(Option<Image>, Option<Enclosure>)> {
    let locate = |src: &str| -> Result<Option<Located>> {
        match urls.resolve_target(&meta.source, src, targets) {
            Some((url, Target::Asset(rel))) => {
                let len = source::size(content_dir, rel, &Path::new("content").join(rel))?;
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
