//! Dates that other generators read from names: a `YYYY-MM-DD-` prefix on the file
//! name (Jekyll, Zola), on the folder of an `index.md` bundle (Hugo, Zola), or a
//! `YYYY/MM/DD` run in an explicit `path` / `permalink` / `url` key.
//!
//! Owns: finding those dates and the name left once the date is taken off.
//! Does not: parse front matter dates (see `crate::dates`) or choose between sources
//! (see `model`).

use std::path::Path;

use crate::dates::{self, Date, Zone};

/// Where an article's date came from.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum DateFrom {
    /// The front matter `date` key.
    FrontMatter,
    /// A `YYYY-MM-DD-` prefix on the file name.
    FileName,
    /// A `YYYY-MM-DD-` prefix on the folder of an `index.md` bundle.
    FolderName,
    /// A `YYYY/MM/DD` run in a `path`, `permalink` or `url` key.
    PathKey,
}

/// Is this file the page of its folder (`index.md`, Hugo's and Zola's `_index.md`)?
pub fn is_bundle_index(source: &Path) -> bool {
    matches!(
        source.file_stem().and_then(|s| s.to_str()),
        Some("index" | "_index")
    )
}

/// Returns the date in the file name, else (for a bundle) in its folder's name.
pub fn from_names(source: &Path, zone: &Zone) -> Option<(Date, DateFrom)> {
    let stem = source.file_stem()?.to_str()?;
    if let Some((d, _)) = dates::from_file_prefix(stem, zone) {
        return Some((d, DateFrom::FileName));
    }
    if is_bundle_index(source) {
        let folder = source.parent()?.file_name()?.to_str()?;
        let (d, _) = dates::from_file_prefix(folder, zone)?;
        return Some((d, DateFrom::FolderName));
    }
    None
}

/// Returns `name` without a `YYYY-MM-DD-` prefix (`2024-01-02-hello` → `hello`).
pub fn undated_name(name: &str) -> &str {
    dates::from_file_prefix(name, &Zone::default()).map_or(name, |(_, rest)| rest)
}

/// Returns the date of the first `YYYY/MM/DD` run of segments in a path
/// (`/2019/03/14/pi-day/`), read as midnight in `zone`.
pub fn from_path_key(path: &str, zone: &Zone) -> Option<Date> {
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let digits = |s: &str, n: std::ops::RangeInclusive<usize>| {
        n.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
    };
    segs.windows(3).find_map(|w| {
        let ok = digits(w[0], 4..=4) && digits(w[1], 1..=2) && digits(w[2], 1..=2);
        ok.then(|| dates::parse(&format!("{}-{}-{}", w[0], w[1], w[2]), zone).ok())
            .flatten()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_from_file_and_folder_names() {
        let z = Zone::parse("Asia/Shanghai").unwrap();
        let (d, from) = from_names(Path::new("_posts/2024-4-9-hi.md"), &z).unwrap();
        assert_eq!(
            (d.to_rfc3339().as_str(), from),
            ("2024-04-09T00:00:00+08:00", DateFrom::FileName)
        );
        let (d, from) = from_names(Path::new("blog/2023-12-31-bundle/index.md"), &z).unwrap();
        assert_eq!(
            (d.to_rfc3339().as_str(), from),
            ("2023-12-31T00:00:00+08:00", DateFrom::FolderName)
        );
        assert!(from_names(Path::new("2023-12-31-x/notes.md"), &z).is_none());
        assert!(from_names(Path::new("blog/hello.md"), &z).is_none());
        assert_eq!(undated_name("2024-01-02-hello.world"), "hello.world");
        assert_eq!(undated_name("hello"), "hello");
    }

    #[test]
    fn dates_from_path_keys() {
        let z = Zone::default();
        let d = from_path_key("/blog/2019/3/14/pi-day/", &z).unwrap();
        assert_eq!(d.to_rfc3339(), "2019-03-14T00:00:00+00:00");
        assert!(from_path_key("/blog/2019/13/14/x/", &z).is_none());
        assert!(from_path_key("/about/", &z).is_none());
    }
}
