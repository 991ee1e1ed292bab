//! Finds and reads the files under `content/`.
//!
//! Owns: the walk (sorted, hidden files skipped, symlinks kept inside
//! `content/`), the split into Markdown sources and assets, and decoding text.
//! Does not: parse anything. This is the only module that reads `content/`.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::error::{Error, Location, Result, Warning};

/// What a file under `content/` is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `*.md` / `*.markdown`: an article if it has front matter.
    Markdown,
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
    let root = content_dir
        .canonicalize()
        .map_err(|e| Error::io(content_dir, e))?;
    let mut files = Vec::new();
    let mut warnings = Vec::new();
    let mut errors = Vec::new();
    let walk = WalkDir::new(content_dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walk {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let path = e.path().unwrap_or(content_dir).to_owned();
                let msg = e.to_string();
                errors.push(Error::at(Location::file(path), msg));
                continue;
            }
        };
        if !entry.file_type().is_file() {
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(content_dir) else {
            continue;
        };
        let shown = shown_dir.join(rel);
        if entry.path_is_symlink() && !inside(&root, entry.path()) {
            warnings.push(Warning {
                at: Location::file(&shown),
                msg: "symbolic link leads outside content/; skipped".into(),
            });
            continue;
        }
        let kind = match rel.extension().and_then(|e| e.to_str()) {
            Some("md" | "markdown") => Kind::Markdown,
            _ => Kind::Asset,
        };
        files.push(SourceFile {
            rel: rel.to_owned(),
            shown,
            abs: entry.path().to_owned(),
            kind,
        });
    }
    match Error::gather(errors) {
        Some(e) => Err(e),
        None => Ok((files, warnings)),
    }
}

fn inside(root: &Path, path: &Path) -> bool {
    path.canonicalize().is_ok_and(|p| p.starts_with(root))
}

/// Reads a source file as UTF-8 text; invalid UTF-8 is an error at its line and column.
pub fn read_text(src: &SourceFile) -> Result<String> {
    let bytes = std::fs::read(&src.abs).map_err(|e| Error::io(&src.shown, e))?;
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let prefix = String::from_utf8_lossy(&e.as_bytes()[..valid]);
        let at = Location::in_text(&src.shown, &prefix, prefix.len(), 1);
        Error::at(at, "invalid UTF-8: the file must be saved as UTF-8")
    })
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
