//! The records of the pages a build rendered into `out/`: `out/.mdfeed-cache/pages`
//! (article and redirect pages) and `out/.mdfeed-cache/listings` (the home page, the
//! tag and category pages, their indexes and the feeds' stylesheet). Each file's page key (everything its template saw),
//! its stamp once the build was in place, and for a listing which fields of its
//! articles its template looked at (its key is made of those fields' values), and the
//! digest of its bytes (`cache::written_digest`). The next build leaves a page whose
//! key is the same, and whose file still has that stamp, as it is, without rendering
//! it or reading it back; with another stamp (a restored or copied `out/`), it reads
//! the file and leaves it if the digest is the same.

use std::io::{self, Write};
use std::path::PathBuf;

use super::stored;
use crate::memo::{Key, Stamp};

/// The record of article and redirect pages, under `out/`.
pub const FILE: &str = ".mdfeed-cache/pages";

/// The record of listings, under `out/`.
pub const LISTINGS: &str = ".mdfeed-cache/listings";

/// One page: its file under `out/`, its key, its file's stamp, the fields its
/// template looked at (`render::FieldSet::bits`; 0 for an article page) and the digest
/// of its bytes.
pub type Placed = (PathBuf, Key, Stamp, u32, u64);

/// Writes a record of `pages` to `w`.
pub fn write(w: &mut dyn Write, pages: &[Placed]) -> io::Result<()> {
    stored::write(w, pages)
}

/// Reads a record; returns nothing when it was written by another build of mdfeed or
/// cannot be read.
pub fn decode(bytes: &[u8]) -> Vec<Placed> {
    stored::read(bytes).unwrap_or_default()
}
