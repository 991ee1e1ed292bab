//! The record of the pages a build rendered into `out/`, `out/.mdfeed-cache/pages`: each
//! file's page key (everything its template saw) and its stamp once the build was in
//! place. The next build leaves a page whose key is the same, and whose file still has
//! that stamp, as it is, without rendering it or reading it back.

use std::io::{self, Write};
use std::path::PathBuf;

use super::stored;
use crate::memo::{Key, Stamp};

/// The record, under `out/`.
pub const FILE: &str = ".mdfeed-cache/pages";

/// Writes the record of `pages` (file under `out/`, page key, stamp) to `w`.
pub fn write(w: &mut dyn Write, pages: &[(PathBuf, Key, Stamp)]) -> io::Result<()> {
    stored::write(w, pages)
}

/// Reads a record; returns nothing when it was written by another build of mdfeed or
/// cannot be read.
pub fn decode(bytes: &[u8]) -> Vec<(PathBuf, Key, Stamp)> {
    stored::read(bytes).unwrap_or_default()
}
