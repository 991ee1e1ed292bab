//! Parts of large feed documents that an earlier build made and checked, and where
//! this build writes each part, so that the next one can take it from there.
//!
//! A kept part is held in memory (`serve` and `build --watch` keep them in their memo)
//! or is a stretch of a feed file in `out/` (recorded in `out/.mdfeed-cache/feeds` by the
//! build that wrote the file, and taken only while the file's stamp is the one that
//! build saw).

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::cache::parts::Placed;
use crate::error::{Error, Result};
use crate::validate::Extent;

/// A part of a document as an earlier build made it once it passed the check: its
/// items' bytes and IDs. A build whose part has the same items (the same entry keys,
/// in order) writes these bytes instead of making them.
pub struct KeptPart {
    span: Span,
    ids: Vec<String>,
    items: usize,
}

/// Where a kept part's bytes are, with their digest (`cache::written_digest`).
enum Span {
    /// The bytes, and their digest once a build that records where its parts go took
    /// it (`serve` never does, so it never hashes them).
    Held(String, OnceLock<u64>),
    /// `len` bytes from `offset` of the file at `path` (under `out/`).
    InFile {
        path: PathBuf,
        offset: u64,
        len: usize,
        extent: Extent,
        digest: u64,
    },
}

/// A kept part's bytes, ready to be written: in memory, or a stretch of an open file
/// (at its start; copied file to file by the kernel, never read into memory).
pub enum Opened<'a> {
    Text(&'a str),
    File {
        file: File,
        path: &'a Path,
        len: u64,
    },
}

impl KeptPart {
    /// A part held in memory, with the digest of its bytes if the build took it.
    pub fn held(span: String, ids: Vec<String>, items: usize, digest: Option<u64>) -> KeptPart {
        KeptPart {
            span: Span::Held(span, digest.map_or_else(OnceLock::new, OnceLock::from)),
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
                extent: placed.extent,
                digest: placed.digest,
            },
            ids: placed.ids,
            items: placed.items,
        }
    }

    /// The digest of its bytes.
    pub fn digest(&self) -> u64 {
        match &self.span {
            Span::Held(text, taken) => {
                *taken.get_or_init(|| crate::cache::written_digest(text.as_bytes()))
            }
            Span::InFile { digest, .. } => *digest,
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

    /// How many bytes it has (never none: a part holds at least one item).
    pub fn byte_len(&self) -> usize {
        match &self.span {
            Span::Held(text, _) => text.len(),
            Span::InFile { len, .. } => *len,
        }
    }

    /// How far its bytes move a place in the file.
    pub fn extent(&self) -> Extent {
        match &self.span {
            Span::Held(text, _) => Extent::of(text),
            Span::InFile { extent, .. } => *extent,
        }
    }

    /// Returns its bytes, ready to be written. A part in a file whose stretch does not
    /// begin and end as its format's items do (the file was changed behind the stamp)
    /// is an error, never written.
    pub fn open(&self, open: &[u8], close: &[u8]) -> Result<Opened<'_>> {
        let (path, offset, len) = match &self.span {
            Span::Held(text, _) => return Ok(Opened::Text(text)),
            Span::InFile {
                path, offset, len, ..
            } => (path, *offset, *len),
        };
        let io = |e| Error::io(path, e);
        let mut file = File::open(path).map_err(io)?;
        let ends = |file: &mut File| -> std::io::Result<bool> {
            if len < open.len() + close.len() {
                return Ok(false);
            }
            let (mut head, mut tail) = (vec![0; open.len()], vec![0; close.len()]);
            file.seek(SeekFrom::Start(offset))?;
            file.read_exact(&mut head)?;
            file.seek(SeekFrom::Start(offset + (len - close.len()) as u64))?;
            file.read_exact(&mut tail)?;
            Ok(head == open && tail == close)
        };
        // A file cut short behind the stamp reads as changed, too.
        if !ends(&mut file).unwrap_or(false) {
            return Err(Error::at(
                crate::error::Location::file(path),
                "changed since the last build recorded it in .mdfeed-cache/feeds; delete that folder and build again".to_owned(),
            ));
        }
        file.seek(SeekFrom::Start(offset)).map_err(io)?;
        Ok(Opened::File {
            file,
            path,
            len: len as u64,
        })
    }
}
