//! Finds and reads the files under `content/`.
//!
//! Owns: the walk (sorted, hidden files skipped, symbolic links followed only
//! while they stay inside `content/`, link loops skipped), the names a file may
//! have, the split into Markdown sources and assets, and decoding text.
//! Does not: parse anything. This is the only module that reads `content/`.

use std::io::Read;
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::error::{Error, Location, Result, Warning};
use crate::urls;

/// What a file under `content/` is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `*.md` / `*.markdown`: an article if it has front matter.
    Markdown,
    /// `*.html` / `*.htm`: an article if it has front matter (its body is HTML
    /// already, as in Jekyll), else an asset.
    Html,
    /// Anything else: copied to the same relative place under `out/`.
    Asset,
}

/// One file under `content/`.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path relative to `content/`, with `/`-separated normal components only.
    pub rel: PathBuf,
    /// Path as shown in messages (`content/news/a.md`).
    pub shown: PathBuf,
    /// Path to open.
    pub abs: PathBuf,
    /// Markdown or asset.
    pub kind: Kind,
}

impl SourceFile {
    /// Returns a location in this file.
    pub fn at(&self, line: u32, col: u32) -> Location {
        Location::new(&self.shown, line, col)
    }
}

/// Lists every file under `content_dir` in path order. `shown_dir` prefixes paths in messages.
pub fn discover(content_dir: &Path, shown_dir: &Path) -> Result<(Vec<SourceFile>, Vec<Warning>)> {
    walk(content_dir, shown_dir).map(|w| (w.files, w.warnings))
}

/// What a walk of `content/` found.
pub struct Walk {
    /// Every file, in path order.
    pub files: Vec<SourceFile>,
    /// Links skipped.
    pub warnings: Vec<Warning>,
    /// A symbolic link was followed, or `content/` is one: a file may then be reached
    /// under a path a file watcher does not report.
    pub links: bool,
}

/// Lists every file under `content_dir` like `discover`, and tells whether the walk
/// followed a symbolic link.
pub fn walk(content_dir: &Path, shown_dir: &Path) -> Result<Walk> {
    let root = content_dir
        .canonicalize()
        .map_err(|e| Error::io(content_dir, e))?;
    let mut files = Vec::new();
    let mut warnings = Vec::new();
    let mut errors = Vec::new();
    let mut outside = Vec::new();
    let mut links = content_dir.is_symlink();
    let shown_of = |path: &Path| shown_dir.join(path.strip_prefix(content_dir).unwrap_or(path));
    let walk = WalkDir::new(content_dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            if e.depth() > 0 && e.file_name().to_string_lossy().starts_with('.') {
                return false;
            }
            // A link is followed only while it stays inside content/: a link to a folder
            // elsewhere must not pull that folder (or the whole disk) into the site.
            if e.depth() > 0 && e.path_is_symlink() {
                if !inside(&root, e.path()) {
                    outside.push(e.path().to_owned());
                    return false;
                }
                links = true;
            }
            true
        });
    for entry in walk {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let path = shown_of(e.path().unwrap_or(content_dir));
                match e.loop_ancestor() {
                    // The loop's target is already part of the walk: nothing is lost.
                    Some(target) => warnings.push(Warning {
                        at: Location::file(path),
                        msg: format!(
                            "symbolic link loops back to {}; skipped",
                            shown_of(target).display()
                        ),
                    }),
                    None => errors.push(Error::at(Location::file(path), e.to_string())),
                }
                continue;
            }
        };
        if !entry.file_type().is_file() {
            continue;
        }
        match source_file(entry.path(), content_dir, shown_dir) {
            Some(Ok(file)) => files.push(file),
            Some(Err(e)) => errors.push(e),
            None => {}
        }
    }
    warnings.extend(outside.iter().map(|p| Warning {
        at: Location::file(shown_of(p)),
        msg: "symbolic link leads outside content/; skipped".into(),
    }));
    match Error::gather(errors) {
        Some(e) => Err(e),
        None => Ok(Walk {
            files,
            warnings,
            links,
        }),
    }
}

/// Checks a file's name and classifies it; `None` for a path outside `content_dir`.
/// `path` is `content_dir` joined with the file's path under it.
pub fn source_file(
    path: &Path,
    content_dir: &Path,
    shown_dir: &Path,
) -> Option<Result<SourceFile>> {
    let rel = path.strip_prefix(content_dir).ok()?;
    let shown = shown_dir.join(rel);
    // Every folder and file name becomes part of a path under out/ and of a URL, so
    // each must be one plain segment there too (no `\`, no drive letter, valid UTF-8).
    for part in rel.iter() {
        let checked = match part.to_str() {
            Some(name) => urls::check_segment(name),
            None => Err(format!("`{}` is not valid UTF-8", part.to_string_lossy())),
        };
        if let Err(why) = checked {
            let msg = format!("the name cannot be a path under out/: {why}");
            return Some(Err(Error::at(Location::file(&shown), msg)));
        }
    }
    let kind = match rel.extension().and_then(|e| e.to_str()) {
        Some("md" | "markdown") => Kind::Markdown,
        Some("html" | "htm") => Kind::Html,
        _ => Kind::Asset,
    };
    Some(Ok(SourceFile {
        rel: rel.to_owned(),
        shown,
        abs: path.to_owned(),
        kind,
    }))
}

fn inside(root: &Path, path: &Path) -> bool {
    path.canonicalize().is_ok_and(|p| p.starts_with(root))
}

/// The largest article or template read, in bytes. Every stage is linear in the text,
/// but a data dump saved as `.md` should be an error, not minutes and gigabytes.
pub const MAX_TEXT_BYTES: u64 = 16 << 20;

/// Reads a file's bytes for the build fingerprint; `None` when it does not exist.
pub fn read_optional(path: &Path) -> std::io::Result<Option<Vec<u8>>> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Reads a source file as text (see [`decode_text`]); files over [`MAX_TEXT_BYTES`]
/// are refused.
pub fn read_text(src: &SourceFile) -> Result<String> {
    decode_text(read_bytes(src)?, &src.shown)
}

/// Reads a source file's bytes; files over [`MAX_TEXT_BYTES`] are refused.
pub fn read_bytes(src: &SourceFile) -> Result<Vec<u8>> {
    let io = |e| Error::io(&src.shown, e);
    let too_big = |size: u64| {
        let msg = format!(
            "the file has {size} bytes; articles and templates may have at most {MAX_TEXT_BYTES} (16 MiB)"
        );
        Error::at(Location::file(&src.shown), msg)
    };
    // Sized from the open file: a stat by path first was one more call per file.
    let file = std::fs::File::open(&src.abs).map_err(io)?;
    let size = file.metadata().map_err(io)?.len();
    if size > MAX_TEXT_BYTES {
        return Err(too_big(size));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    // A file that grew since is read to one byte past the limit, and refused.
    file.take(MAX_TEXT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    match bytes.len() as u64 > MAX_TEXT_BYTES {
        true => Err(too_big(bytes.len() as u64)),
        false => Ok(bytes),
    }
}

/// Returns what a source file looks like now (length, times), for the build's memo;
/// `None` when it cannot be looked at (reading it then reports why).
pub fn stamp(src: &SourceFile) -> Option<crate::memo::Stamp> {
    std::fs::metadata(&src.abs)
        .ok()
        .map(|m| crate::memo::Stamp::of(&m))
}

/// Decodes a file's bytes as text: UTF-8, or UTF-16 with a byte order mark (some
/// Windows editors save that). Invalid text is an error at its line and column;
/// `shown` names the file in messages.
pub fn decode_text(bytes: Vec<u8>, shown: &Path) -> Result<String> {
    decode(bytes).map_err(|(at, msg)| Error::at(Location::new(shown, at.0, at.1), msg))
}

/// Decodes file bytes; the error carries (line, column) and a message.
fn decode(bytes: Vec<u8>) -> std::result::Result<String, ((u32, u32), String)> {
    let utf16 = match bytes.as_slice() {
        [0xFF, 0xFE, rest @ ..] => Some((rest, u16::from_le_bytes as fn([u8; 2]) -> u16)),
        [0xFE, 0xFF, rest @ ..] => Some((rest, u16::from_be_bytes as fn([u8; 2]) -> u16)),
        _ => None,
    };
    if let Some((rest, unit)) = utf16 {
        let units = rest.chunks(2).map(|c| match c {
            [a, b] => unit([*a, *b]),
            _ => 0xFFFF_u16,
        });
        let mut text = String::with_capacity(rest.len() / 2);
        for c in char::decode_utf16(units) {
            match c {
                Ok(c) if c != '\u{FFFF}' => text.push(c),
                _ => {
                    let at = Location::in_text("", &text, text.len(), 1);
                    return Err((
                        (at.line, at.col),
                        "invalid UTF-16: the file must be saved as UTF-8 or UTF-16".into(),
                    ));
                }
            }
        }
        return Ok(text);
    }
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let prefix = String::from_utf8_lossy(&e.as_bytes()[..valid]);
        let at = Location::in_text("", &prefix, prefix.len(), 1);
        (
            (at.line, at.col),
            "invalid UTF-8: the file must be saved as UTF-8".to_owned(),
        )
    })
}

/// Reads a text file of the site root that may be missing (`mdfeed.lock`).
pub fn read_optional_text(path: &Path, shown: &Path) -> Result<Option<String>> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(shown, e)),
    }
}

/// Returns the size in bytes of the file `rel` under `content_dir` (for enclosures).
pub fn size(content_dir: &Path, rel: &Path, shown: &Path) -> Result<u64> {
    std::fs::metadata(content_dir.join(rel))
        .map(|m| m.len())
        .map_err(|e| Error::io(shown, e))
}

/// Reads the site's template overrides: every file directly in `dir` (none if it is missing).
pub fn read_templates(dir: &Path, shown_dir: &Path) -> Result<Vec<crate::render::TemplateFile>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io(dir, e)),
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| e.file_name().to_str().map(str::to_owned))
        .filter(|n| !n.starts_with('.'))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|name| {
            let src = SourceFile {
                rel: PathBuf::from(&name),
                shown: shown_dir.join(&name),
                abs: dir.join(&name),
                kind: Kind::Asset,
            };
            let text = read_text(&src)?;
            Ok(crate::render::TemplateFile {
                name,
                shown: src.shown,
                text,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{Kind, MAX_TEXT_BYTES, SourceFile, decode, read_bytes};

    #[test]
    fn a_file_over_the_limit_is_refused_and_one_at_it_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let file = |name: &str, len: u64| {
            let abs = dir.path().join(name);
            std::fs::write(&abs, vec![b'a'; usize::try_from(len).unwrap()]).unwrap();
            SourceFile {
                rel: name.into(),
                shown: format!("content/{name}").into(),
                abs,
                kind: Kind::Markdown,
            }
        };
        assert_eq!(
            read_bytes(&file("at.md", MAX_TEXT_BYTES)).unwrap().len() as u64,
            MAX_TEXT_BYTES
        );
        let over = read_bytes(&file("over.md", MAX_TEXT_BYTES + 1))
            .unwrap_err()
            .to_string();
        assert!(
            over.contains("content/over.md") && over.contains("may have at most"),
            "{over}"
        );
        let gone = SourceFile {
            abs: dir.path().join("gone.md"),
            ..file("x.md", 1)
        };
        assert!(read_bytes(&gone).is_err());
    }

    fn utf16(text: &str, le: bool) -> Vec<u8> {
        let mut out = if le {
            vec![0xFF, 0xFE]
        } else {
            vec![0xFE, 0xFF]
        };
        for u in text.encode_utf16() {
            out.extend(if le { u.to_le_bytes() } else { u.to_be_bytes() });
        }
        out
    }

    #[test]
    fn utf16_with_a_bom_is_decoded() {
        let text = "---\ntitle: Grüße 🌍\n---\nBody\n";
        assert_eq!(decode(utf16(text, true)).unwrap(), text);
        assert_eq!(decode(utf16(text, false)).unwrap(), text);
        let mut odd = utf16("a\nb", true);
        odd.push(0x41);
        assert_eq!(decode(odd).unwrap_err().0, (2, 2));
        let mut lone = utf16("ab", true);
        lone.extend([0x00, 0xD8, 0x41, 0x00]);
        assert!(decode(lone).unwrap_err().1.contains("invalid UTF-16"));
        assert_eq!(decode(b"ok\n\xff".to_vec()).unwrap_err().0, (2, 1));
    }
}
