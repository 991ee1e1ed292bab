//! What is not an article, and why: files matched by `[content] skip`, folders other
//! generators keep their templates and drafts in, section pages, and front matter
//! that says "do not publish this" in another generator's words.
//!
//! Owns: the skip reasons and the rules that give them. This is the only user of
//! `globset`. Does not: read files or decide about drafts and dates (see `model`).

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use serde_json::Value;

use crate::config::SkipGlob;
use crate::error::{Error, Result};
use crate::frontmatter::Fields;

/// Why a file under `content/` is not an article.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum SkipReason {
    /// Matched a `[content] skip` glob.
    Glob(String),
    /// Inside a folder another generator keeps templates, data or drafts in.
    GeneratorFolder(&'static str),
    /// A Markdown file without front matter (a README).
    NoFrontMatter,
    /// `draft: true` or `published: false` (built with `--drafts`).
    Draft,
    /// Dated after the build (built with `--future`).
    Future,
    /// Eleventy's `eleventyExcludeFromCollections: true`.
    ExcludedFromCollections,
    /// Eleventy's `permalink: false`: the page is never written.
    NotWritten,
    /// A `redirect:` / `redirect_to:` stub with an empty body.
    RedirectStub,
    /// An `index.md` / `_index.md` without a date that lists the pages below it.
    SectionPage,
    /// No date anywhere, and `[content] undated = "skip"`.
    Undated,
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SkipReason::Glob(g) => write!(f, "matches skip glob `{g}`"),
            SkipReason::GeneratorFolder(d) => {
                write!(f, "in `{d}/`, a folder of templates, data or drafts")
            }
            SkipReason::NoFrontMatter => f.write_str("no front matter"),
            SkipReason::Draft => f.write_str("draft (`draft: true` or `published: false`)"),
            SkipReason::Future => f.write_str("dated in the future"),
            SkipReason::ExcludedFromCollections => {
                f.write_str("`eleventyExcludeFromCollections: true`")
            }
            SkipReason::NotWritten => f.write_str("`permalink: false`"),
            SkipReason::RedirectStub => f.write_str("redirect stub (`redirect:` and no body)"),
            SkipReason::SectionPage => f.write_str("section page listing other pages, no date"),
            SkipReason::Undated => f.write_str("no date (`undated = \"skip\"`)"),
        }
    }
}

/// Folders that hold templates, data, drafts or a built site in Jekyll and Eleventy;
/// nothing in them is content, and nothing in them is copied.
const GENERATOR_FOLDERS: &[&str] = &[
    "_drafts",
    "_includes",
    "_layouts",
    "_data",
    "_sass",
    "_site",
    "node_modules",
];

/// The `[content] skip` globs, compiled.
#[derive(Debug)]
pub struct Rules {
    /// Globs without `/` match a file name in any folder, like `.gitignore`.
    names: GlobSet,
    paths: GlobSet,
    name_globs: Vec<String>,
    path_globs: Vec<String>,
}

impl Rules {
    /// Compiles the globs; a bad one is an error at its place in `mdfeed.toml`.
    pub fn new(globs: &[SkipGlob]) -> Result<Rules> {
        let mut names = GlobSetBuilder::new();
        let mut paths = GlobSetBuilder::new();
        let (mut name_globs, mut path_globs) = (Vec::new(), Vec::new());
        let mut errors = Vec::new();
        for g in globs {
            let pattern = g.glob.trim().trim_start_matches('/');
            let glob = match GlobBuilder::new(pattern).literal_separator(true).build() {
                Ok(glob) => glob,
                Err(e) => {
                    errors.push(Error::at(
                        g.at.clone(),
                        format!("skip glob `{}`: {}", g.glob, e.kind()),
                    ));
                    continue;
                }
            };
            if pattern.contains('/') {
                paths.add(glob);
                path_globs.push(g.glob.clone());
            } else {
                names.add(glob);
                name_globs.push(g.glob.clone());
            }
        }
        let build = |b: GlobSetBuilder| b.build().map_err(|e| e.to_string());
        match (Error::gather(errors), build(names), build(paths)) {
            (Some(e), _, _) => Err(e),
            (None, Ok(names), Ok(paths)) => Ok(Rules {
                names,
                paths,
                name_globs,
                path_globs,
            }),
            (None, Err(msg), _) | (None, _, Err(msg)) => {
                let at = globs
                    .first()
                    .map(|g| g.at.clone())
                    .unwrap_or_else(|| crate::error::Location::file("mdfeed.toml"));
                Err(Error::at(at, format!("skip globs: {msg}")))
            }
        }
    }

    /// Returns why the file at `rel` (relative to `content/`) is left out, if it is.
    pub fn check(&self, rel: &Path) -> Option<SkipReason> {
        if let Some(dir) = rel
            .parent()
            .into_iter()
            .flat_map(Path::iter)
            .find_map(|c| GENERATOR_FOLDERS.iter().find(|d| c == **d))
        {
            return Some(SkipReason::GeneratorFolder(dir));
        }
        if let Some(i) = self.paths.matches(rel).first() {
            return Some(SkipReason::Glob(self.path_globs[*i].clone()));
        }
        let name = rel.file_name()?;
        let i = *self.names.matches(Path::new(name)).first()?;
        Some(SkipReason::Glob(self.name_globs[i].clone()))
    }
}

/// Returns why front matter says "not an article" in another generator's words.
pub fn by_front_matter(
    fields: &Fields,
    defaults: &Fields,
    body_is_empty: bool,
) -> Option<SkipReason> {
    let get = |k: &str| fields.get(k).or_else(|| defaults.get(k)).map(|f| &f.value);
    if get("eleventyExcludeFromCollections") == Some(&Value::Bool(true)) {
        return Some(SkipReason::ExcludedFromCollections);
    }
    if fields.get("permalink").map(|f| &f.value) == Some(&Value::Bool(false)) {
        return Some(SkipReason::NotWritten);
    }
    let redirect = ["redirect", "redirect_to"]
        .iter()
        .any(|k| fields.get(*k).is_some_and(|f| !f.value.is_null()));
    (redirect && body_is_empty).then_some(SkipReason::RedirectStub)
}

/// Returns the section pages among `candidates` (files that may be articles): the
/// `index.md` / `_index.md` files with another candidate in their folder or below.
pub fn section_pages(candidates: &[&Path]) -> BTreeSet<PathBuf> {
    let mut out = BTreeSet::new();
    for index in candidates
        .iter()
        .filter(|p| super::dates::is_bundle_index(p))
    {
        let folder = index.parent().unwrap_or(Path::new(""));
        if candidates
            .iter()
            .any(|c| c != index && c.starts_with(folder))
        {
            out.insert(index.to_path_buf());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Location;

    fn rules(globs: &[&str]) -> Result<Rules> {
        let globs: Vec<SkipGlob> = globs
            .iter()
            .enumerate()
            .map(|(i, g)| SkipGlob {
                glob: (*g).to_owned(),
                at: Location::new("mdfeed.toml", i as u32 + 1, 1),
            })
            .collect();
        Rules::new(&globs)
    }

    #[test]
    fn globs_match_names_anywhere_and_paths_from_the_root() {
        let r = rules(&["README.md", "drafts/**", "notes/*.md"]).unwrap();
        let check = |p: &str| r.check(Path::new(p));
        assert_eq!(
            check("a/b/README.md"),
            Some(SkipReason::Glob("README.md".into()))
        );
        assert_eq!(
            check("drafts/x/y.md"),
            Some(SkipReason::Glob("drafts/**".into()))
        );
        assert_eq!(
            check("notes/a.md"),
            Some(SkipReason::Glob("notes/*.md".into()))
        );
        assert_eq!(check("notes/deep/a.md"), None);
        assert_eq!(check("posts/a.md"), None);
        assert_eq!(
            check("_layouts/post.html"),
            Some(SkipReason::GeneratorFolder("_layouts"))
        );
        assert_eq!(
            check("blog/_drafts/x.md"),
            Some(SkipReason::GeneratorFolder("_drafts"))
        );
        let e = rules(&["ok", "bad[glob"]).unwrap_err().to_string();
        assert!(
            e.starts_with("mdfeed.toml:2:1: error: skip glob `bad[glob`"),
            "{e}"
        );
    }

    #[test]
    fn section_pages_list_others() {
        let files = [
            "blog/_index.md",
            "blog/a.md",
            "bundle/index.md",
            "bundle/x/index.md",
            "x.md",
            "index.md",
        ];
        let paths: Vec<&Path> = files.iter().map(Path::new).collect();
        let got: Vec<String> = section_pages(&paths)
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        assert_eq!(got, ["blog/_index.md", "bundle/index.md", "index.md"]);
    }

    #[test]
    fn front_matter_reasons() {
        let fm = |t: &str| crate::frontmatter::split(t).unwrap().unwrap().fields;
        let none = Fields::new();
        let f = fm("---\neleventyExcludeFromCollections: true\n---\n");
        assert_eq!(
            by_front_matter(&none, &f, false),
            Some(SkipReason::ExcludedFromCollections)
        );
        assert_eq!(
            by_front_matter(&fm("---\npermalink: false\n---\n"), &none, false),
            Some(SkipReason::NotWritten)
        );
        let stub = fm("---\nredirect: https://e.org/\n---\n");
        assert_eq!(
            by_front_matter(&stub, &none, true),
            Some(SkipReason::RedirectStub)
        );
        assert_eq!(by_front_matter(&stub, &none, false), None);
    }
}
