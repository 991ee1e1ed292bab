//! Turns Markdown into HTML.
//!
//! Owns: the parser options (one place), link rewriting on the parser's events,
//! heading IDs, the summary (`summary`), and literal text hidden behind markers
//! (`literals`: template syntax mdfeed cannot run, shown as escaped text).
//! Does not: know the URL scheme (links go through the `resolve` callback) or
//! touch files. This is the only user of `pulldown_cmark`.

mod literals;
mod summary;

use std::collections::{BTreeSet, HashMap};

use pulldown_cmark::{
    CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd, TextMergeStream, html,
};

use literals::Mode;
pub use summary::SummaryFrom;

/// Opens a literal marker (a private-use character no text needs).
pub const LITERAL_OPEN: char = '\u{E000}';
/// Closes a literal marker.
pub const LITERAL_CLOSE: char = '\u{E001}';

/// Returns the marker that stands for literal number `index` in a body.
pub fn literal_marker(index: usize) -> String {
    format!("{LITERAL_OPEN}{index}{LITERAL_CLOSE}")
}

/// A body to render: its text (with literal markers), and what the markers stand for.
#[derive(Debug, Clone, Copy, Default)]
pub struct Body<'a> {
    /// Markdown, or HTML for `render_html`.
    pub text: &'a str,
    /// The text of each literal marker, by index.
    pub literals: &'a [String],
    /// A summary separator besides `<!-- more -->` (Jekyll's `excerpt_separator`).
    pub separator: Option<&'a str>,
}

/// The HTML of an article body and of its summary.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    /// The whole body.
    pub html: String,
    /// The text before `<!-- more -->`, else the first paragraph; empty when the body has none.
    pub summary_html: String,
    /// The same summary as plain text, for `<meta name="description">`.
    pub summary_text: String,
    /// Where the summary came from.
    pub summary_from: SummaryFrom,
    /// The literals shown as stray text in the page (not in code), by index.
    pub shown_literals: BTreeSet<usize>,
    /// The body holds HTML the author wrote (other than a plain comment such as
    /// `<!-- more -->`). Without it, every tag in `html` and `summary_html` is the
    /// renderer's own: a `<` in text is escaped, attribute values are quoted and hold
    /// no `"`, `<` or `>`, and every URL is the value of an `href` or `src`.
    pub raw_html: bool,
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
pub fn render(body: &Body<'_>, resolve: &dyn Fn(&str) -> Option<String>) -> Rendered {
    let parser = Parser::new_ext(body.text, options());
    // Runs of text are merged only to find what the parser may split across events (a
    // literal's markers, a text separator); the HTML is the same either way, and the
    // merging was a sixth of the render stage.
    let events: Vec<Event<'_>> = if body.literals.is_empty() && body.separator.is_none() {
        parser.map(|event| rewrite_link(event, resolve)).collect()
    } else {
        TextMergeStream::new(parser)
            .map(|event| rewrite_link(event, resolve))
            .collect()
    };
    // The summary is picked from the events with every literal dropped, the page shows
    // them; with no literal (most articles) both are `events`, which are not copied.
    let (mut page, shown_literals, (summary, summary_from)) = match body.literals.is_empty() {
        true => {
            let summary = summary::pick(&events, body.separator);
            (events, BTreeSet::new(), summary)
        }
        false => {
            let mut page = events.clone();
            let shown = literals::put_back(&mut page, body.literals, Mode::Show);
            let mut short = events;
            literals::put_back(&mut short, body.literals, Mode::Drop);
            (page, shown, summary::pick(&short, body.separator))
        }
    };
    add_heading_ids(&mut page);
    let raw_html = has_raw_html(&page);
    let mut out = Rendered {
        html: String::with_capacity(body.text.len() * 5 / 4),
        summary_html: String::new(),
        summary_text: plain_text(&summary),
        summary_from,
        shown_literals,
        raw_html,
    };
    html::push_html(&mut out.html, page.into_iter());
    html::push_html(&mut out.summary_html, summary.into_iter());
    // Held to the end of the build: a grown string's spare room was a fifth of it.
    out.html.shrink_to_fit();
    out.summary_html.shrink_to_fit();
    out
}

/// Renders a body that is HTML already (an `.html` article). Each literal is shown as
/// escaped text; a tag that holds one is shown as text too, so a template span never
/// lands in an attribute. The summary is the HTML before `<!-- more -->`, if any.
pub fn render_html(body: &Body<'_>) -> Rendered {
    let mut events: Vec<Event<'_>> = Vec::new();
    let text = body.text;
    let mut done = 0;
    let mut pos = 0;
    while let Some(k) = text[pos..].find(LITERAL_OPEN) {
        let at = pos + k;
        let end = text[at..]
            .find(LITERAL_CLOSE)
            .map_or(text.len(), |e| at + e + LITERAL_CLOSE.len_utf8());
        let (start, end) = match enclosing_tag(text, at) {
            Some(tag_start) => (
                tag_start.max(done),
                text[end..].find('>').map_or(text.len(), |e| end + e + 1),
            ),
            None => (at, end),
        };
        events.push(Event::Html(text[done..start].into()));
        events.push(Event::Text(text[start..end].into()));
        done = end;
        pos = end;
    }
    events.push(Event::Html(text[done..].into()));
    let mut short = events.clone();
    let shown_literals = literals::put_back(&mut events, body.literals, Mode::Show);
    literals::put_back(&mut short, body.literals, Mode::Drop);
    let mut page = String::with_capacity(text.len());
    html::push_html(&mut page, events.into_iter());
    let mut summary = String::new();
    html::push_html(&mut summary, short.into_iter());
    let cut = ["<!--more-->", "<!-- more -->"]
        .into_iter()
        .chain(body.separator)
        .filter_map(|sep| summary.find(sep))
        .min();
    summary.truncate(cut.unwrap_or(0));
    Rendered {
        summary_from: if cut.is_some() {
            SummaryFrom::Separator
        } else {
            SummaryFrom::None
        },
        summary_text: String::new(),
        summary_html: summary,
        html: page,
        shown_literals,
        raw_html: true,
    }
}

/// Do `events` hold HTML the author wrote, other than plain comments?
fn has_raw_html(events: &[Event<'_>]) -> bool {
    events.iter().any(|e| match e {
        Event::Html(h) | Event::InlineHtml(h) => !plain_comment(h),
        _ => false,
    })
}

/// Is `html` one comment that cannot hide or open anything: no `<` or `>` inside it
/// (so it cannot end early and start a tag), and no word that names a URL attribute?
fn plain_comment(html: &str) -> bool {
    let t = html.trim();
    let inner = t
        .strip_prefix("<!--")
        .and_then(|rest| rest.strip_suffix("-->"));
    inner.is_some_and(|inner| {
        let lower = inner.to_ascii_lowercase();
        !inner.contains(['<', '>']) && !["href", "src", "poster"].iter().any(|w| lower.contains(w))
    })
}

/// Returns where the tag around `at` starts, if `at` is inside one (`<a href="…`).
fn enclosing_tag(text: &str, at: usize) -> Option<usize> {
    let before = &text[..at];
    let open = before.rfind('<')?;
    let inside = before.rfind('>').is_none_or(|close| close < open)
        && text[open + 1..].starts_with(|c: char| c.is_ascii_alphabetic() || c == '/');
    inside.then_some(open)
}

/// Renders a short Markdown text (a front matter `summary`) and returns HTML, plain
/// text, and whether it holds HTML the author wrote (as `Rendered::raw_html`);
/// literals are dropped (a summary never shows template syntax).
pub fn render_short(text: &str, literals: &[String]) -> (String, String, bool) {
    let mut events: Vec<Event<'_>> =
        TextMergeStream::new(Parser::new_ext(text, options())).collect();
    literals::put_back(&mut events, literals, Mode::Drop);
    let plain = plain_text(&events);
    let raw_html = has_raw_html(&events);
    let mut html = String::new();
    html::push_html(&mut html, events.into_iter());
    (html, plain, raw_html)
}

fn rewrite_link<'a>(mut event: Event<'a>, resolve: &dyn Fn(&str) -> Option<String>) -> Event<'a> {
    if let Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) = &mut event
        && let Some(resolved) = resolve_unless_literal(dest_url, resolve)
    {
        *dest_url = CowStr::from(resolved);
    }
    event
}

/// A destination holding a literal is dropped later; it names no file.
fn resolve_unless_literal(dest: &str, resolve: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    if dest.contains(LITERAL_OPEN) {
        None
    } else {
        resolve(dest)
    }
}

/// Gives every heading without an explicit `{#id}` one made from its text, unique in the page.
fn add_heading_ids(events: &mut [Event<'_>]) {
    let mut taken: BTreeSet<String> = BTreeSet::new();
    let mut next = HashMap::new();
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
            let id = unique_id(&plain_text(&events[i + 1..end]), &mut taken, &mut next);
            if let Event::Start(Tag::Heading { id: slot, .. }) = &mut events[i] {
                *slot = Some(CowStr::from(id));
            }
            i = end;
        }
        i += 1;
    }
}

fn unique_id(
    text: &str,
    taken: &mut BTreeSet<String>,
    next: &mut HashMap<String, usize>,
) -> String {
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
    // Go on counting from the last number given for this text: counting from 1 each
    // time made a page of 50,000 equal headings take minutes (a pathological test).
    let n = next.entry(base.clone()).or_insert(1);
    while taken.contains(&id) {
        id = format!("{base}-{n}");
        *n += 1;
    }
    taken.insert(id.clone());
    id
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
        let body = Body {
            text: md,
            ..Body::default()
        };
        render(&body, &|d| (d == "a.md").then(|| "/a/".to_owned()))
    }

    /// Renders `md` with its template spans masked, as the pipeline does.
    fn masked(md: &str, separator: Option<&str>) -> Rendered {
        let m = crate::compat::template_syntax::mask(md);
        let body = Body {
            text: &m.text,
            literals: &m.literals,
            separator,
        };
        render(&body, &|d| Some(format!("/resolved/{d}")))
    }

    #[test]
    fn text_runs_render_the_same_merged_or_not() {
        // A separator that never occurs makes `render` merge runs of text; none does not.
        let docs = [
            "# A *b* `c` & d\n\nx &amp; y\\* [z] <q> \"w\"\nsoft\nbreak  \nhard [^n]\n\n[^n]: note *e*",
            "## Same\n\n## Same\n\n### O'Neil's [link](a.md) & ~~s~~\n\n| a\\|b | c |\n|---|---|\n| *d* | e&f |",
            "- [ ] task & <b>raw</b>\n- [x] done\n\n```\n<code> & \"q\"\n```\n\n![alt *t* & u](a.md \"T & t\")",
        ];
        for md in docs {
            let body = Body {
                text: md,
                ..Body::default()
            };
            let merged = Body {
                separator: Some("@@never@@"),
                ..body
            };
            let resolve = |d: &str| (d == "a.md").then(|| "/a/".to_owned());
            assert_eq!(render(&body, &resolve), render(&merged, &resolve), "{md}");
        }
    }

    #[test]
    fn template_spans_are_escaped_text_never_markup_or_links() {
        let out = masked(
            "Hi {{< figure src=\"/a.png\" >}} and [x]({{ site.url }}/a) ![alt]({% link a.png %})\n\n<a href=\"{{ x }}\">y</a>\n\n`{{ code }}`\n",
            None,
        );
        assert!(
            out.html
                .contains("Hi {{&lt; figure src=\"/a.png\" &gt;}} and x alt"),
            "{}",
            out.html
        );
        assert!(
            out.html.contains("&lt;a href=\"{{ x }}\"&gt;"),
            "{}",
            out.html
        );
        assert!(out.html.contains("<code>{{ code }}</code>"), "{}", out.html);
        assert!(!out.html.contains("<a href=\"{") && !out.html.contains("<img"));
        assert!(!out.html.contains("<figure"));
        // Three spans in prose (the code span is not counted).
        assert_eq!(out.shown_literals.len(), 4, "{:?}", out.shown_literals);
    }

    #[test]
    fn summary_skips_headings_lists_images_html_and_template_only_paragraphs() {
        let out = masked(
            "# Title\n\n- a list\n\n![pic](p.png)\n\n<div>html</div>\n\n{{< youtube id >}}\n\n{% include note.html %} {{ x }}\n\nReal *prose* {{ site.title }} here.\n\nMore.\n",
            None,
        );
        assert_eq!(out.summary_html, "<p>Real <em>prose</em>  here.</p>\n");
        assert_eq!(out.summary_text, "Real prose here.");
        assert_eq!(out.summary_from, SummaryFrom::FirstParagraph);
    }

    #[test]
    fn custom_separator_and_template_free_excerpts() {
        let out = masked(
            "One {{ a }}\n\n{% b %}\n\nTwo\n\n<!--cut-->\n\nThree\n",
            Some("<!--cut-->"),
        );
        assert_eq!(out.summary_html, "<p>One </p>\n<p>Two</p>\n");
        assert_eq!(out.summary_from, SummaryFrom::Separator);
        let out = masked("One\n\nTwo [more] three\n", Some("[more]"));
        assert_eq!(out.summary_text, "One Two");
        let out = masked("One\n\nTwo\n", None);
        assert_eq!(out.summary_from, SummaryFrom::FirstParagraph);
        let out = masked("# Only a heading\n", None);
        assert_eq!(out.summary_from, SummaryFrom::None);
    }

    #[test]
    fn html_bodies_keep_markup_but_not_template_attributes() {
        let m = crate::compat::template_syntax::mask(
            "<p>Hi {{ name }}</p>\n<img src=\"{{ site.url }}/a.png\" alt=\"x\">\n<!--more-->\n<p>rest</p>\n",
        );
        let out = render_html(&Body {
            text: &m.text,
            literals: &m.literals,
            separator: None,
        });
        assert!(
            out.html.starts_with(
                "<p>Hi {{ name }}</p>\n&lt;img src=\"{{ site.url }}/a.png\" alt=\"x\"&gt;\n"
            ),
            "{}",
            out.html
        );
        assert_eq!(out.summary_from, SummaryFrom::Separator);
        assert_eq!(out.shown_literals.len(), 2);
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
