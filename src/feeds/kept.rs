//! Parts of large feed documents that an earlier build made and checked, and where
//! this build writes each part, so that the next one can take it from there.
//!
//! A kept part is held in memory (`serve` and `build --watch` keep them in their memo)
//! or is a stretch of a feed file in `out/` (recorded in `out/.mdfeed-cache/feeds` by the
//! build that wrote the file, and taken only while the file's stamp is the one that
//! build saw).

use std::borrow::Cow;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::PathBuf;

use crate::cache::parts::Placed;
use crate::error::{Error, Result};

/// A part of a document as an earlier build made it once it passed the check: its
/// items' bytes and IDs. A build whose part has the same items (the same entry keys,
/// in order) writes these bytes instead of making them.
pub struct KeptPart {
    span: Span,
    ids: Vec<String>,
    items: usize,
}

/// Where a kept part's bytes are.
enum Span {
    Held(String),
    /// `len` bytes from `offset` of the file at `path` (under `out/`).
    InFile {
        path: PathBuf,
        offset: u64,
        len: usize,
    },
}

impl KeptPart {
    /// A part held in memory.
    pub fn held(span: String, ids: Vec<String>, items: usize) -> KeptPart {
        KeptPart {
            span: Span::Held(span),
            ids,
            items,
        }
    }

    /// A part that an earlier build wrote at `placed` in the file at `path`.
    pub fn in_file(path: PathBuf, placed: Placed) -> KeptPart {
        KeptPart {
            span: Span::InFile {
                path,
                offset: placed.offset,
                len: placed.len,
            },
            ids: placed.ids,
            items: placed.items,
        }
    }

    /// The IDs of its items.
    pub fn ids(&self) -> &[String] {
        &self.ids
    }

    /// How many items it holds.
    pub fn items(&self) -> usize {
        self.items
    }

    /// Returns its items' bytes, read from its file when it is not held. A part whose
    /// bytes do not begin and end as its format's items do (the file was changed
    /// behind the stamp) is an error, never written.
    pub fn text(&self, open: &[u8], close: &[u8]) -> Result<Cow<'_, str>> {
        let (path, offset, len) = match &self.span {
            Span::Held(text) => return Ok(Cow::Borrowed(text)),
            Span::InFile { path, offset, len } => (path, *offset, *len),
        };
        let io = |e| Error::io(path, e);
        let mut file = File::open(path).map_err(io)?;
        file.seek(SeekFrom::Start(offset)).map_err(io)?;
        let mut bytes = vec![0; len];
        file.read_exact(&mut bytes).map_err(io)?;
        let text = String::from_utf8(bytes).ok();
        text.filter(|t| t.as_bytes().starts_with(open) && t.as_bytes().ends_with(close))
            .map(Cow::Owned)
            .ok_or_else(|| {
                Error::at(
                    crate::error::Location::file(path),
                    "changed since the last build recorded it in .mdfeed-cache/feeds; delete that folder and build again".to_owned(),
                )
            })
    }
}
