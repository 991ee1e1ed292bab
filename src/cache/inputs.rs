//! The record of the hashes of `content/`'s files: `out/.mdfeed-cache/inputs`. Each
//! file's path in `content/` and its `Hashed` (its stamp when read, when, and the hash).
//! The next build's up-to-date check takes a file's hash from it while the file keeps
//! that stamp, so a build with nothing changed looks at every file but reads none.

use std::io::{self, Write};

use super::stored;
use crate::memo::Hashed;

/// The record, under `out/`.
pub const FILE: &str = ".mdfeed-cache/inputs";

/// One file: its path in `content/` (as the fingerprint names it) and its hash.
pub type Entry = (String, Hashed);

/// Writes a record of `files` to `w`.
pub fn write(w: &mut dyn Write, files: &[Entry]) -> io::Result<()> {
    stored::write(w, files)
}

/// Reads a record; returns nothing when it was written by another build of mdfeed or
/// cannot be read.
pub fn decode(bytes: &[u8]) -> Vec<Entry> {
    stored::read(bytes).unwrap_or_default()
}
