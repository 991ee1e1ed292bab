//! Turns Markdown into HTML.
//!
//! Owns: the parser options (one place), link rewriting on the parser's events,
//! heading IDs, and the summary cut (`<!-- more -->`, else the first paragraph).
//! Does not: know the URL scheme (links go through the `resolve` callback) or
//! touch files. This is the only user of `pulldown_cmark`.

use std::collections::BTreeSet;

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd, html};

/// The HTML of an article body and of its summary.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    /// The whole body.
    pub html: String,
    /// The text before `<!-- more -->`, else the first paragraph; empty when the body has none.
    pub summary_html: String,
    /// The same summary as plain text, for `<meta name="description">`.
    pub summary_text: String,
}

/// Returns the one set of Markdown extensions mdfeed supports.
fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// Renders `body`; `resolve` may replace a link or image destination (`None` keeps it).
pub fn render(body: &str, resolve: &dyn Fn(&str) -> Option<String>) -> Rendered {
    let mut events: Vec<Event<'_>> = Parser::new_ext(body, options())
        .map(|event| rewrite_link(event, resolve))
        .collect();
    add_heading_ids(&mut events);
    let summary = summary_events(&events);
    let mut out = Rendered {
        html: String::with_capacity(body.len() * 5 / 4),
        summary_html: String::new(),
        summary_text: plain_text(&summary),
    };
    html::push_html(&mut out.html, events.into_iter());
    html::push_html(&mut out.summary_html, summary.into_iter());
    out
}

/// Renders a short Markdown text (a front matter `summary`) and returns HTML and plain text.
pub fn render_short(text: &str) -> (String, String) {
    let events: Vec<Event<'_>> = Parser::new_ext(text, options()).collect();
    let plain = plain_text(&events);
    let mut html = String::new();
    html::push_html(&mut html, events.into_iter());
    (html, plain)
}

fn rewrite_link<'a>(event: Event<'a>, resolve: &dyn Fn(&str) -> Option<String>) -> Event<'a> {
    match event {
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => {
            let dest_url = resolve(&dest_url).map_or(dest_url, CowStr::from);
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            })
        }
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => {
            let dest_url = resolve(&dest_url).map_or(dest_url, CowStr::from);
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            })
        }
        other => other,
    }
}

/// Gives every heading without an explicit `{#id}` one made from its text, unique in the page.
fn add_heading_ids(events: &mut [Event<'_>]) {
    let mut taken: BTreeSet<String> = BTreeSet::new();
    for e in events.iter() {
        if let Event::Start(Tag::Heading { id: Some(id), .. }) = e {
            taken.insert(id.to_string());
        }
    }
    let mut i = 0;
    while i < events.len() {
        if let Event::Start(Tag::Heading { id: None, .. }) = &events[i] {
            let end = events[i..]
                .iter()
                .position(|e| matches!(e, Event::End(TagEnd::Heading(_))))
                .map_or(events.len(), |p| i + p);
            let id = unique_id(&plain_text(&events[i + 1..end]), &mut taken);
            if let Event::Start(Tag::Heading { id: slot, .. }) = &mut events[i] {
                *slot = Some(CowStr::from(id));
            }
            i = end;
        }
        i += 1;
    }
}

fn unique_id(text: &str, taken: &mut BTreeSet<String>) -> String {
    let mut base = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            base.push(c);
        } else if !base.is_empty() && !base.ends_with('-') {
            base.push('-');
        }
    }
    let base = match base.trim_end_matches('-') {
        "" => "section".to_owned(),
        b => b.to_owned(),
    };
    let mut id = base.clone();
    let mut n = 1;
    while taken.contains(&id) {
        id = format!("{base}-{n}");
        n += 1;
    }
    taken.insert(id.clone());
    id
}

fn is_more_marker(e: &Event<'_>) -> bool {
    match e {
        Event::Html(s) | Event::InlineHtml(s) => {
            let compact: String = s.chars().filter(|c| !c.is_whitespace()).collect();
            compact == "<!--more-->"
        }
        _ => false,
    }
}

/// Picks the summary: everything before `<!-- more -->` (tags closed), else the first
/// paragraph; footnote references are dropped since their definitions are not included.
fn summary_events<'a>(events: &[Event<'a>]) -> Vec<Event<'a>> {
    let keep = |e: &&Event<'a>| !matches!(e, Event::FootnoteReference(_));
    if let Some(cut) = events.iter().position(is_more_marker) {
        let mut out: Vec<Event<'a>> = events[..cut].iter().filter(keep).cloned().collect();
        let mut open: Vec<TagEnd> = Vec::new();
        let mut in_footnote = 0usize;
        out.retain(|e| {
            match e {
                Event::Start(Tag::FootnoteDefinition(_)) => in_footnote += 1,
                Event::End(TagEnd::FootnoteDefinition) => {
                    in_footnote -= 1;
                    return false;
                }
                _ => {}
            }
            in_footnote == 0
        });
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
        return out;
    }
    let Some(start) = events
        .iter()
        .position(|e| matches!(e, Event::Start(Tag::Paragraph)))
    else {
        return Vec::new();
    };
    let end = events[start..]
        .iter()
        .position(|e| matches!(e, Event::End(TagEnd::Paragraph)))
        .map_or(events.len(), |p| start + p + 1);
    events[start..end].iter().filter(keep).cloned().collect()
}

fn plain_text(events: &[Event<'_>]) -> String {
    let mut s = String::new();
    for e in events {
        match e {
            Event::Text(t) | Event::Code(t) => s.push_str(t),
            Event::SoftBreak | Event::HardBreak => s.push(' '),
            Event::End(TagEnd::Paragraph | TagEnd::Heading(HeadingLevel::H1)) => s.push(' '),
            _ => {}
        }
    }
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(md: &str) -> Rendered {
        render(md, &|d| (d == "a.md").then(|| "/a/".to_owned()))
    }

    #[test]
    fn links_are_resolved_and_others_kept() {
        let out = r("[x](a.md) [y](b.md) ![i](a.md)");
        assert!(out.html.contains("href=\"/a/\""));
        assert!(out.html.contains("href=\"b.md\""));
        assert!(out.html.contains("src=\"/a/\""));
    }

    #[test]
    fn summary_is_first_paragraph_or_before_more() {
        assert_eq!(
            r("# T\n\nOne[^1].\n\nTwo.\n\n[^1]: n\n").summary_html,
            "<p>One.</p>\n"
        );
        let out = r("One\n\nTwo *b\n<!-- more -->\nc*\n\nThree\n");
        assert_eq!(out.summary_html, "<p>One</p>\n<p>Two *b</p>\n");
        assert_eq!(out.summary_text, "One Two *b");
    }

    #[test]
    fn headings_get_unique_ids() {
        let out = r("## Hello, World\n\n## Hello, World\n\n## Own {#mine}\n");
        assert!(out.html.contains("<h2 id=\"hello-world\">"));
        assert!(out.html.contains("<h2 id=\"hello-world-1\">"));
        assert!(out.html.contains("<h2 id=\"mine\">"));
    }

    #[test]
    fn extensions_are_on() {
        let out = r("|a|b|\n|-|-|\n|1|2|\n\n~~x~~\n\n- [x] done\n");
        assert!(out.html.contains("<table>"));
        assert!(out.html.contains("<del>x</del>"));
        assert!(out.html.contains("checkbox"));
    }
}
