//! The record of where each part of a large feed document is in its file in `out/`,
//! `out/.mdfeed-cache/feeds`, so that the next build writes an unchanged part from there
//! instead of making, serialising and checking it again.
//!
//! A part is found by its key (its format, the feed config and the keys of its
//! entries, in order), and taken while its file's stamp (length, times, inode) is the
//! one the build that wrote it saw. A file with another stamp (restored from a CI
//! cache, copied, or changed by anyone) has each part's bytes read and compared with
//! the digest recorded for them: the parts still there are taken, the others made.

use std::io::{self, Write};
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::stored;
use crate::memo::{Key, Stamp};
use crate::validate::Extent;

/// The record, under `out/`.
pub const FILE: &str = ".mdfeed-cache/feeds";

/// Where a part's items are in a file, with their IDs (checked again against the
/// other parts' when the part is taken).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Placed {
    /// Its first byte.
    pub offset: u64,
    /// How many bytes.
    pub len: usize,
    /// How far they move a place (line, column) in the file.
    pub extent: Extent,
    /// The IDs of its items.
    pub ids: Vec<String>,
    /// How many items.
    pub items: usize,
    /// The digest of its bytes (`cache::written_digest`).
    pub digest: u64,
}

/// The parts of one feed file (after its first, which is always made).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileParts {
    /// The file, under `out/`.
    pub file: PathBuf,
    /// Its stamp when the build that wrote it had finished.
    pub stamp: Stamp,
    /// Its parts, by key.
    pub parts: Vec<(Key, Placed)>,
}

/// Where each part of the large documents a build made went: by file under `out/`,
/// then by key.
pub type PlacedParts = Vec<(PathBuf, Vec<(Key, Placed)>)>;

/// Writes the record of `files` to `w`.
pub fn write(w: &mut dyn Write, files: &[FileParts]) -> io::Result<()> {
    stored::write(w, files)
}

/// Reads a record; returns nothing when it was written by another build of mdfeed or
/// cannot be read.
pub fn decode(bytes: &[u8]) -> Vec<FileParts> {
    stored::read(bytes).unwrap_or_default()
}
