//! Puts literal text (template spans hidden behind markers) back into parsed events.
//!
//! In the page a literal is escaped text: never HTML, never a link destination. In a
//! summary it is dropped.

use std::collections::BTreeSet;

use super::{CowStr, Event, LITERAL_CLOSE, LITERAL_OPEN, Tag, TagEnd};

/// What to do with a literal.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    /// Show it as written (the page).
    Show,
    /// Leave it out (the summary).
    Drop,
}

/// Replaces the markers in `s`; `None` when it has none. `seen` collects the indices
/// restored.
pub(super) fn restore(
    s: &str,
    literals: &[String],
    mode: Mode,
    seen: &mut BTreeSet<usize>,
) -> Option<String> {
    if !s.contains(LITERAL_OPEN) {
        return None;
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(start) = rest.find(LITERAL_OPEN) {
        out.push_str(&rest[..start]);
        let after = &rest[start + LITERAL_OPEN.len_utf8()..];
        let literal = after.find(LITERAL_CLOSE).and_then(|end| {
            let index: usize = after[..end].parse().ok()?;
            Some((index, literals.get(index)?, end))
        });
        match literal {
            Some((index, text, end)) => {
                if mode == Mode::Show {
                    out.push_str(text);
                }
                seen.insert(index);
                rest = &after[end + LITERAL_CLOSE.len_utf8()..];
            }
            // Not one of ours (cannot happen after masking, which hides stray markers):
            // keep the character.
            None => {
                out.push(LITERAL_OPEN);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    Some(out)
}

fn has_marker(s: &str) -> bool {
    s.contains(LITERAL_OPEN)
}

/// Puts the literals back into `events`. Returns the indices shown outside code (the
/// template spans a reader sees as stray text).
pub(super) fn put_back<'a>(
    events: &mut Vec<Event<'a>>,
    literals: &[String],
    mode: Mode,
) -> BTreeSet<usize> {
    // `template_syntax::mask` makes every span, and every marker character the source
    // itself held, a literal: with none, no event holds a marker and nothing changes.
    if literals.is_empty() {
        return BTreeSet::new();
    }
    let mut in_prose = BTreeSet::new();
    let mut code_depth = 0usize;
    // For each open link or image: was its destination dropped?
    let mut unwrapped: Vec<bool> = Vec::new();
    let old = std::mem::take(events);
    for event in old {
        // Spans in code are shown as code, which is what their author meant.
        let counts = code_depth == 0 && !matches!(event, Event::Code(_));
        let mut seen_here = BTreeSet::new();
        let seen = &mut seen_here;
        let event: Option<Event<'a>> = match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                code_depth += 1;
                Some(Event::Start(Tag::CodeBlock(kind)))
            }
            Event::End(TagEnd::CodeBlock) => {
                code_depth = code_depth.saturating_sub(1);
                Some(Event::End(TagEnd::CodeBlock))
            }
            Event::Text(t) => match restore(&t, literals, mode, seen) {
                Some(s) => Some(Event::Text(CowStr::from(s))),
                None => Some(Event::Text(t)),
            },
            Event::Code(t) => match restore(&t, literals, mode, seen) {
                Some(s) => Some(Event::Code(CowStr::from(s))),
                None => Some(Event::Code(t)),
            },
            // Raw HTML that holds a template span is shown as text: the span could sit in
            // an attribute, and a half-run template must not become markup.
            Event::Html(h) | Event::InlineHtml(h) if has_marker(&h) => {
                match restore(&h, literals, mode, seen) {
                    Some(s) if mode == Mode::Show => Some(Event::Text(CowStr::from(s))),
                    _ => None,
                }
            }
            Event::Start(tag @ (Tag::Link { .. } | Tag::Image { .. })) => {
                let dropped = link_start(&tag, literals, mode, seen);
                unwrapped.push(dropped);
                (!dropped).then_some(Event::Start(tag))
            }
            Event::End(end @ (TagEnd::Link | TagEnd::Image)) => {
                if unwrapped.pop().unwrap_or(false) {
                    None
                } else {
                    Some(Event::End(end))
                }
            }
            other => Some(other),
        };
        if counts {
            in_prose.append(&mut seen_here);
        }
        events.extend(event);
    }
    in_prose
}

/// Says whether a link or image must lose its destination: it holds a template span.
/// The spans are counted as seen.
fn link_start(tag: &Tag<'_>, literals: &[String], mode: Mode, seen: &mut BTreeSet<usize>) -> bool {
    let (Tag::Link {
        dest_url, title, ..
    }
    | Tag::Image {
        dest_url, title, ..
    }) = tag
    else {
        return false;
    };
    let drop = has_marker(dest_url) || has_marker(title);
    if drop {
        restore(dest_url, literals, mode, seen);
        restore(title, literals, mode, seen);
    }
    drop
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::literal_marker;

    #[test]
    fn restores_or_drops() {
        let lits = vec!["{{ a }}".to_owned(), "{% b %}".to_owned()];
        let text = format!("x {} y {}", literal_marker(0), literal_marker(1));
        let mut seen = BTreeSet::new();
        assert_eq!(
            restore(&text, &lits, Mode::Show, &mut seen).unwrap(),
            "x {{ a }} y {% b %}"
        );
        assert_eq!(
            restore(&text, &lits, Mode::Drop, &mut seen).unwrap(),
            "x  y "
        );
        assert_eq!(seen.len(), 2);
        assert!(restore("plain", &lits, Mode::Show, &mut seen).is_none());
    }
}
