//! Reads one file that may be an article: decodes it, splits its front matter,
//! adds its folder defaults and validates it, or says why it is not an article.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::compat::defaults::{self, FolderDefaults};
use crate::compat::skip::SkipReason;
use crate::config::Config;
use crate::error::{Error, Location, Result, Warning};
use crate::frontmatter;
use crate::model::{self, Article, Failure, Input, Meta, Resolved};
use crate::report::{ContentReport, Skipped};
use crate::source::{self, Kind, SourceFile};
use crate::urls::Urls;

/// An article whose body is not rendered yet.
pub(super) struct Parsed {
    pub meta: Meta,
    pub text: Text,
    pub body_start: usize,
    /// File line on which the body starts.
    pub body_line: u32,
    /// The first character in the file that XML forbids (line, column, character).
    pub forbidden: Option<Forbidden>,
}

/// Where a character XML forbids is in a file: line, column, and the character.
pub(super) type Forbidden = (u32, u32, char);

/// Returns the first character of `text` that XML forbids, and where.
pub(super) fn forbidden_in(text: &str, shown: &Path) -> Option<Forbidden> {
    let (offset, c) = crate::feeds::first_forbidden(text)?;
    let at = Location::in_text(shown, text, offset, 1);
    Some((at.line, at.col, c))
}

/// An article's text: read, or left in its file when its front matter came from the
/// cache in `out/` (its body most likely will too), to be read only if needed.
pub(super) enum Text {
    Held(String),
    /// The file, and the hash of the bytes its front matter was read from.
    InFile {
        abs: PathBuf,
        digest: [u8; 32],
    },
}

impl Text {
    /// Returns the text, reading it from its file if need be: a file whose bytes are no
    /// longer those its front matter came from (changed during the build) is an error.
    pub fn get(&self, shown: &Path) -> Result<Cow<'_, str>> {
        let (abs, digest) = match self {
            Text::Held(text) => return Ok(Cow::Borrowed(text)),
            Text::InFile { abs, digest } => (abs, digest),
        };
        let bytes = std::fs::read(abs).map_err(|e| Error::io(shown, e))?;
        if crate::cache::digest(&bytes) != *digest {
            let msg = "changed while mdfeed was building the site: build again";
            return Err(Error::at(Location::file(shown), msg));
        }
        source::decode_text(bytes, shown).map(Cow::Owned)
    }
}

/// What one file turned out to be.
pub(super) enum Outcome {
    Article(Box<Parsed>),
    Skipped(SkipReason),
    Failed(Failure),
    /// An `.html` file without front matter: copied as it is.
    Asset,
}

/// What every file is read against.
pub(super) struct Context<'a> {
    pub config: &'a Config,
    pub urls: &'a Urls,
    pub defaults: &'a FolderDefaults,
    /// `index.md` / `_index.md` files with other articles below them.
    pub sections: &'a BTreeSet<PathBuf>,
}

pub(super) fn failed(e: Error) -> Outcome {
    Outcome::Failed(Failure {
        errors: vec![e],
        untitled: false,
        undated: false,
    })
}

/// Splits and validates a file's text (read and decoded by the caller).
pub(super) fn parse_one(
    text: String,
    file: &SourceFile,
    ctx: &Context<'_>,
) -> (Outcome, Vec<Warning>) {
    let mut warnings = Vec::new();
    let split = match frontmatter::split(&text) {
        Ok(Some(split)) => split,
        Ok(None) if file.kind == Kind::Html => return (Outcome::Asset, warnings),
        Ok(None) => return (Outcome::Skipped(SkipReason::NoFrontMatter), warnings),
        Err(e) => return (failed(Error::at(file.at(e.line, e.col), e.msg)), warnings),
    };
    let body_start = text.len() - split.body.len();
    let body_line = split.body_line;
    let input = Input {
        body_is_empty: split.body.trim().is_empty(),
        fields: split.fields,
        defaults: ctx.defaults.for_article(&file.rel),
        source: &file.rel,
        shown: &file.shown,
        html: file.kind == Kind::Html,
        section_page: ctx.sections.contains(&file.rel),
    };
    let outcome = match model::resolve(input, ctx.config, ctx.urls, &mut warnings) {
        Ok(Resolved::Article(meta)) => Outcome::Article(Box::new(Parsed {
            meta: *meta,
            forbidden: forbidden_in(&text, &file.shown),
            text: Text::Held(text),
            body_start,
            body_line,
        })),
        Ok(Resolved::Skipped(reason)) => Outcome::Skipped(reason),
        Err(failure) => Outcome::Failed(failure),
    };
    (outcome, warnings)
}

/// Reads every folder defaults file (see `compat::defaults`).
pub(super) fn read_defaults(
    files: &[SourceFile],
    warnings: &mut Vec<Warning>,
) -> (FolderDefaults, Vec<Error>) {
    let mut out = FolderDefaults::default();
    let mut errors = Vec::new();
    for f in files
        .iter()
        .filter(|f| defaults::defaults_file(&f.rel).is_some())
    {
        match source::read_text(f).and_then(|text| out.add(&f.rel, &f.shown, &text)) {
            Ok(w) => warnings.extend(w),
            Err(e) => errors.push(e),
        }
    }
    (out, errors)
}

pub(super) fn skipped(
    report: &mut ContentReport,
    warnings: &mut Vec<Warning>,
    file: &SourceFile,
    reason: SkipReason,
) {
    if matches!(reason, SkipReason::NoFrontMatter | SkipReason::Undated) {
        let msg = match reason {
            SkipReason::Undated => {
                "no date anywhere: not an article, skipped (`undated = \"skip\"`)"
            }
            _ => "no front matter: not an article, skipped",
        };
        warnings.push(Warning {
            at: Location::file(&file.shown),
            msg: msg.into(),
        });
    }
    report.undated += usize::from(reason == SkipReason::Undated);
    report.skipped.push(Skipped {
        path: file.shown.clone(),
        reason,
    });
}

/// Counts which convention supplied each field of the published articles.
pub(super) fn tally(report: &mut ContentReport, articles: &[std::sync::Arc<Article>]) {
    report.articles = articles.len();
    report.skipped.sort();
    for a in articles {
        let from = &a.meta.from;
        *report.dates.entry(from.date).or_default() += 1;
        // Few keys, many articles: copy the key only the first time.
        match report.titles.get_mut(&from.title_key) {
            Some(n) => *n += 1,
            None => {
                report.titles.insert(from.title_key.clone(), 1);
            }
        }
        *report.summaries.entry(a.summary_from).or_default() += 1;
        *report.authors.entry(from.authors).or_default() += 1;
        if a.template_tags > 0 {
            report.template_tags.0 += a.template_tags;
            report.template_tags.1 += 1;
        }
        report.redirects += a.meta.aliases.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_left_in_its_file_is_read_only_while_its_bytes_are_the_hashed_ones() {
        let dir = tempfile::tempdir().unwrap();
        let abs = dir.path().join("a.md");
        std::fs::write(&abs, "---\ntitle: A\n---\nBody\n").unwrap();
        let shown = Path::new("content/a.md");
        let text = Text::InFile {
            abs: abs.clone(),
            digest: crate::cache::digest(b"---\ntitle: A\n---\nBody\n"),
        };
        assert_eq!(text.get(shown).unwrap(), "---\ntitle: A\n---\nBody\n");
        std::fs::write(&abs, "---\ntitle: A\n---\nBody, edited\n").unwrap();
        let e = text.get(shown).unwrap_err().to_string();
        assert!(
            e.starts_with("content/a.md:1:1: ") && e.contains("changed while mdfeed was building"),
            "{e}"
        );
        std::fs::remove_file(&abs).unwrap();
        assert!(
            text.get(shown)
                .unwrap_err()
                .to_string()
                .starts_with("content/a.md")
        );
    }

    #[test]
    fn the_first_forbidden_character_is_placed_by_line_and_column() {
        let shown = Path::new("content/a.md");
        assert_eq!(forbidden_in("ok\n", shown), None);
        assert_eq!(
            forbidden_in("one\ntwé\u{1}\n", shown),
            Some((2, 4, '\u{1}'))
        );
    }
}
