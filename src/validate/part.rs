//! Checks a document part by part (`DocCheck`), and places each part's bytes in the
//! file.
//!
//! A large feed is made and checked in parts (see `DocCheck`): each part is a whole
//! document holding some of the items, of which only the items go into the file after
//! the parts before them. A problem is reported at its place in the file, not in the
//! part: the document's own head is the file's head, and an item's place follows from
//! where the part's items start.

use std::ops::Range;
use std::path::{Path, PathBuf};

use memchr::{memchr_iter, memrchr};
use serde::{Deserialize, Serialize};

use super::tree::Tree;
use super::{CheckedHtml, Checker, Ids};
use crate::error::{Error, Location};
use crate::urls::FeedKind;

/// A line and column in a file, both from 1; the column counts characters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Place {
    pub line: u32,
    pub col: u32,
}

impl Place {
    pub const START: Place = Place { line: 1, col: 1 };

    /// The place just after `text`, which starts here. This runs over every byte of
    /// a document made in parts, hence `memchr` (a few bytes per cycle).
    pub fn after(self, text: &str) -> Place {
        let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        let bytes = text.as_bytes();
        match memrchr(b'\n', bytes) {
            None => Place {
                line: self.line,
                col: self.col.saturating_add(count(text.chars().count())),
            },
            Some(last) => {
                let newlines = memchr_iter(b'\n', bytes).count();
                Place {
                    line: self.line.saturating_add(count(newlines)),
                    col: 1 + count(text[last + 1..].chars().count()),
                }
            }
        }
    }
}

/// How far a stretch of text moves a place: its newlines, and the characters after
/// the last one (all of them when it has none). Recorded with a feed part kept in its
/// file, so that a later build places what follows it without reading it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extent {
    newlines: u32,
    tail: u32,
}

impl Extent {
    /// The extent of `text`.
    pub fn of(text: &str) -> Extent {
        Extent::between(Place::START, Place::START.after(text))
    }

    /// The extent of the text from `a` to `b`.
    fn between(a: Place, b: Place) -> Extent {
        let newlines = b.line.saturating_sub(a.line);
        let tail = match newlines {
            0 => b.col.saturating_sub(a.col),
            _ => b.col.saturating_sub(1),
        };
        Extent { newlines, tail }
    }
}

impl Place {
    /// The place just after a text of extent `e` that starts here.
    fn beyond(self, e: Extent) -> Place {
        match e.newlines {
            0 => Place {
                line: self.line,
                col: self.col.saturating_add(e.tail),
            },
            n => Place {
                line: self.line.saturating_add(n),
                col: e.tail.saturating_add(1),
            },
        }
    }
}

/// One part of a document: `span` is the range of its text that goes into the file,
/// starting there at `start`.
pub(super) struct Part {
    pub span: Range<usize>,
    pub start: Place,
    /// The index in the file of the part's first item.
    pub first_item: usize,
    /// The first part checks the document's own elements; the others carry the same
    /// ones (the maker compares them) and are checked for their items only.
    pub first: bool,
}

impl Part {
    /// Returns the place in the file of byte `offset` of the part's `text`, if it is in
    /// the file: the items of any part, or the head of the first one.
    pub fn place(&self, text: &str, offset: usize) -> Option<Place> {
        match offset >= self.span.start {
            true => Some(self.start.after(text.get(self.span.start..offset)?)),
            false if self.first => Some(Place::START.after(text.get(..offset)?)),
            false => None,
        }
    }
}

/// Checks a feed document that is made part by part, so that a large one is never
/// held whole: each part is a whole document holding some of the items, and only
/// `span`, its items, goes into the file after the parts before it (the first part's
/// head and the last one's tail frame them). The document's own elements are checked
/// on the first part, each item once, IDs across all parts, and every problem is
/// reported at its place in the file.
pub struct DocCheck<'a> {
    shown: PathBuf,
    kind: FeedKind,
    seen: &'a CheckedHtml,
    ids: Ids,
    /// Where the next part's items start in the file (unknown before the first).
    next: Option<Place>,
    /// The extent of the items of the part taken last.
    last: Extent,
    items: usize,
}

impl<'a> DocCheck<'a> {
    /// Starts checking `file` (its path under `out/`).
    pub fn new(file: &Path, kind: FeedKind, seen: &'a CheckedHtml) -> DocCheck<'a> {
        DocCheck {
            shown: Path::new("out").join(file),
            kind,
            seen,
            ids: Ids::default(),
            next: None,
            last: Extent::default(),
            items: 0,
        }
    }

    /// Checks the next part: a document whose `span` holds `items` items.
    pub fn part(
        &mut self,
        bytes: &[u8],
        span: Range<usize>,
        items: usize,
    ) -> Result<(), Vec<Error>> {
        let shown = &self.shown;
        let text = std::str::from_utf8(bytes).map_err(|e| {
            vec![Error::at(
                Location::file(shown),
                format!("self-check: not UTF-8: {e}"),
            )]
        })?;
        let head = text.get(..span.start).unwrap_or_default();
        self.ids.part.clear();
        let part = Part {
            start: self.next.unwrap_or_else(|| Place::START.after(head)),
            first: self.next.is_none(),
            first_item: self.items,
            span,
        };
        let mut c = Checker {
            shown,
            text,
            errors: Vec::new(),
            seen: self.seen,
            ids: &mut self.ids,
            part: &part,
        };
        match self.kind {
            FeedKind::Rss | FeedKind::Atom => match Tree::parse(text) {
                Ok(doc) if self.kind == FeedKind::Rss => c.rss(&doc),
                Ok(doc) => c.atom(&doc),
                Err(e) => {
                    let at = c.location(e.offset);
                    c.errors.push(Error::at(
                        at,
                        format!("self-check: not well-formed XML: {}", e.msg),
                    ));
                }
            },
            FeedKind::Json => c.json(),
        }
        let errors = c.errors;
        let items_text = text.get(part.span.clone()).unwrap_or_default();
        let next = part.start.after(items_text);
        (self.next, self.last) = (Some(next), Extent::between(part.start, next));
        self.items += items;
        match errors.is_empty() {
            true => Ok(()),
            false => Err(errors),
        }
    }

    /// Returns the extent of the items of the part taken last (made or kept).
    pub fn part_extent(&self) -> Extent {
        self.last
    }

    /// Returns the IDs of the items of the part checked last.
    pub fn part_ids(&mut self) -> Vec<String> {
        std::mem::take(&mut self.ids.part)
    }

    /// Takes the next part from an earlier build's check: the extent of its items, their
    /// `ids` and how many there are. Only the IDs are checked again, against the other
    /// parts'; the first part is always checked as made.
    pub fn kept_part(
        &mut self,
        extent: Extent,
        ids: &[String],
        items: usize,
    ) -> Result<(), Vec<Error>> {
        let Some(start) = self.next else {
            let msg = "self-check: a document cannot start with a kept part";
            return Err(vec![Error::at(Location::file(&self.shown), msg)]);
        };
        let at = Location::new(&self.shown, start.line, start.col);
        let errors: Vec<Error> = ids
            .iter()
            .filter(|id| !self.ids.all.insert((*id).clone()))
            .map(|id| {
                Error::at(
                    at.clone(),
                    format!("self-check: item ID `{id}` appears twice"),
                )
            })
            .collect();
        (self.next, self.last) = (Some(start.beyond(extent)), extent);
        self.items += items;
        match errors.is_empty() {
            true => Ok(()),
            false => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_place_moves_by_lines_and_characters() {
        let p = Place { line: 3, col: 5 };
        assert_eq!(p.after(""), p);
        assert_eq!(p.after("ab€"), Place { line: 3, col: 8 });
        assert_eq!(p.after("x\ny\nzé"), Place { line: 5, col: 3 });
        assert_eq!(p.after("x\n"), Place { line: 4, col: 1 });
        for text in ["", "ab€", "x\ny\nzé", "x\n", "\n\n"] {
            assert_eq!(p.beyond(Extent::of(text)), p.after(text), "{text:?}");
        }
    }

    #[test]
    fn items_are_placed_after_the_parts_before_them() {
        let text = "<a>\n<i>1</i><i>2</i></a>";
        let head = text.find("<i>").unwrap_or_default();
        let first = Part {
            span: head..text.len() - 4,
            start: Place::START.after(&text[..head]),
            first_item: 0,
            first: true,
        };
        assert_eq!(first.place(text, 0), Some(Place::START));
        assert_eq!(first.place(text, head + 8), Some(Place { line: 2, col: 9 }));
        let later = Part {
            start: Place { line: 7, col: 2 },
            first: false,
            first_item: 2,
            ..first
        };
        assert_eq!(later.place(text, 0), None);
        assert_eq!(later.place(text, head), Some(Place { line: 7, col: 2 }));
        assert_eq!(
            later.place(text, head + 8),
            Some(Place { line: 7, col: 10 })
        );
    }
}
