//! Picks an article's summary from its parsed body.
//!
//! The text before `<!-- more -->` (or Jekyll's `excerpt_separator`), else the first
//! paragraph of prose: headings, lists, images, HTML blocks and paragraphs that held
//! only template tags are passed over, as a reader would.

use super::{Event, Tag, TagEnd};

/// Where a summary came from.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum SummaryFrom {
    /// A front matter key (`summary`, `description`, `excerpt`).
    Key,
    /// The text before `<!-- more -->` or the excerpt separator.
    Separator,
    /// The first paragraph of prose.
    FirstParagraph,
    /// None found: the body has no prose paragraph.
    None,
}

/// Returns the summary events of a body (literals already put back or dropped).
pub(super) fn pick<'a>(
    events: &[Event<'a>],
    separator: Option<&str>,
) -> (Vec<Event<'a>>, SummaryFrom) {
    let separator = separator.filter(|s| !s.trim().is_empty());
    if let Some(cut) = cut_before(events, separator) {
        let cut = tidy(cut);
        if has_prose(&cut) {
            return (cut, SummaryFrom::Separator);
        }
    }
    match first_prose_paragraph(events) {
        Some(p) => (p, SummaryFrom::FirstParagraph),
        None => (Vec::new(), SummaryFrom::None),
    }
}

fn compact(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Returns the events before the first separator, if there is one.
fn cut_before<'a>(events: &[Event<'a>], separator: Option<&str>) -> Option<Vec<Event<'a>>> {
    let custom = separator.map(compact);
    for (i, e) in events.iter().enumerate() {
        match e {
            Event::Html(s) | Event::InlineHtml(s) => {
                let c = compact(s);
                if c == "<!--more-->" || custom.as_deref() == Some(c.as_str()) {
                    return Some(events[..i].to_vec());
                }
            }
            // A separator that is not an HTML comment (`[more]`) sits in a text event.
            Event::Text(t) => {
                if let Some(at) = separator.and_then(|sep| t.find(sep.trim())) {
                    let mut out = events[..i].to_vec();
                    out.push(Event::Text(t[..at].to_owned().into()));
                    return Some(out);
                }
            }
            _ => {}
        }
    }
    None
}

/// Drops footnotes, closes the tags left open by a cut, and removes empty paragraphs.
fn tidy(events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    let mut out = Vec::with_capacity(events.len());
    let mut in_footnote = 0usize;
    for e in events {
        match e {
            Event::Start(Tag::FootnoteDefinition(_)) => in_footnote += 1,
            Event::End(TagEnd::FootnoteDefinition) => in_footnote = in_footnote.saturating_sub(1),
            Event::FootnoteReference(_) => {}
            e if in_footnote == 0 => out.push(e),
            _ => {}
        }
    }
    let mut open: Vec<TagEnd> = Vec::new();
    for e in &out {
        match e {
            Event::Start(tag) => open.push(tag.to_end()),
            Event::End(_) => {
                open.pop();
            }
            _ => {}
        }
    }
    out.extend(open.into_iter().rev().map(Event::End));
    drop_empty_paragraphs(out)
}

fn drop_empty_paragraphs(events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    let mut out: Vec<Event<'_>> = Vec::with_capacity(events.len());
    let mut start = None;
    for e in events {
        match &e {
            Event::Start(Tag::Paragraph) => start = Some(out.len()),
            Event::End(TagEnd::Paragraph) => {
                if let Some(s) = start.take()
                    && !has_prose(&out[s..])
                {
                    out.truncate(s);
                    continue;
                }
            }
            _ => {}
        }
        out.push(e);
    }
    out
}

/// Is there text a reader would read (not only images, markup or whitespace)?
fn has_prose(events: &[Event<'_>]) -> bool {
    let mut in_image = 0usize;
    events.iter().any(|e| match e {
        Event::Start(Tag::Image { .. }) => {
            in_image += 1;
            false
        }
        Event::End(TagEnd::Image) => {
            in_image = in_image.saturating_sub(1);
            false
        }
        Event::Text(t) | Event::Code(t) => in_image == 0 && !t.trim().is_empty(),
        _ => false,
    })
}

/// Returns the first top-level paragraph with prose in it, footnote references dropped.
fn first_prose_paragraph<'a>(events: &[Event<'a>]) -> Option<Vec<Event<'a>>> {
    let mut depth = 0usize;
    let mut i = 0;
    while i < events.len() {
        match &events[i] {
            Event::Start(Tag::Paragraph) if depth == 0 => {
                let len = events[i..]
                    .iter()
                    .position(|e| matches!(e, Event::End(TagEnd::Paragraph)))
                    .map_or(events.len() - i, |p| p + 1);
                let para = &events[i..i + len];
                if has_prose(para) {
                    let keep = |e: &&Event<'a>| !matches!(e, Event::FootnoteReference(_));
                    return Some(para.iter().filter(keep).cloned().collect());
                }
                i += len;
                continue;
            }
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    None
}
