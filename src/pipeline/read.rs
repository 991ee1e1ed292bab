//! Reads one file that may be an article: decodes it, splits its front matter,
//! adds its folder defaults and validates it, or says why it is not an article.

use std::collections::BTreeSet;
use std::path::PathBuf;

use crate::compat::defaults::{self, FolderDefaults};
use crate::compat::skip::SkipReason;
use crate::config::Config;
use crate::error::{Error, Location, Warning};
use crate::frontmatter;
use crate::model::{self, Article, Failure, Input, Meta, Resolved};
use crate::report::{ContentReport, Skipped};
use crate::source::{self, Kind, SourceFile};
use crate::urls::Urls;

/// An article whose body is not rendered yet.
pub(super) struct Parsed {
    pub meta: Meta,
    pub text: String,
    pub body_start: usize,
    /// File line on which the body starts.
    pub body_line: u32,
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
            text,
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
