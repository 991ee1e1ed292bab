//! How the caches in `out/` are stored: postcard (a compact binary form of serde's data
//! model) behind the version of mdfeed that wrote them. A file from another build of
//! mdfeed, cut short or otherwise unreadable reads as nothing.

use std::borrow::Cow;
use std::io::{self, BufWriter, Write};

use postcard::{from_bytes, to_io};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::VERSION;

/// A cache file: the version that wrote it, then what it keeps.
#[derive(Serialize, Deserialize)]
struct Stored<'a, T> {
    version: Cow<'a, str>,
    data: T,
}

/// Writes `data` as a cache file of this mdfeed to `w`.
pub(super) fn write<T: Serialize>(w: &mut dyn Write, data: T) -> io::Result<()> {
    let stored = Stored {
        version: Cow::Borrowed(VERSION),
        data,
    };
    let mut w = BufWriter::with_capacity(1 << 16, w);
    to_io(&stored, &mut w).map_err(io::Error::other)?;
    w.flush()
}

/// Reads a cache file written by this mdfeed.
pub(super) fn read<T: DeserializeOwned>(bytes: &[u8]) -> Option<T> {
    from_bytes::<Stored<'static, T>>(bytes)
        .ok()
        .filter(|s| s.version == VERSION)
        .map(|s| s.data)
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// Returns what another build of mdfeed would have written.
    pub fn from_another_version<T: Serialize>(data: T) -> Vec<u8> {
        let stored = Stored {
            version: Cow::Borrowed("0.0.0+other"),
            data,
        };
        let mut bytes = Vec::new();
        to_io(&stored, &mut bytes).unwrap();
        bytes
    }

    #[test]
    fn only_this_version_and_whole_files_are_read() {
        let mut bytes = Vec::new();
        write(&mut bytes, vec![1u32, 2, 3]).unwrap();
        assert_eq!(read::<Vec<u32>>(&bytes), Some(vec![1, 2, 3]));
        for cut in [0, 1, bytes.len() / 2, bytes.len() - 1] {
            assert_eq!(read::<Vec<u32>>(&bytes[..cut]), None, "cut at {cut}");
        }
        assert_eq!(read::<Vec<u32>>(&from_another_version(vec![1u32])), None);
        assert_eq!(read::<Vec<u32>>(b"not a cache"), None);
    }
}
