//! Reads `content/` into articles: finds the files, reads and parses each one, leaves
//! out drafts and future articles, and renders the rest.
//!
//! With the memo, a file whose bytes and inputs are those of an earlier build is not
//! parsed again (nor read, while its stamp is unchanged), and an article whose inputs
//! and linked files are unchanged is not rendered again; their warnings are reported
//! as before. Files with errors are never remembered: their errors come every time.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use super::article::{Made, render_one};
use super::files::{Got, read_all};
use super::memo::{Kept, Memo, Rendered};
use super::read::{self, Parsed, read_defaults, skipped, tally};
use super::targets::{self, LinkTargets};
use super::{BuildOptions, Progress, progress};
use crate::compat::defaults;
use crate::compat::skip::{self, SkipReason};
use crate::config::{Config, SkipGlob};
use crate::error::{Error, Result, Warning};
use crate::memo::{Key, KeyHasher};
use crate::model::Article;
use crate::report::{ContentReport, Skipped};
use crate::source::{self, Kind, SourceFile};
use crate::urls::Urls;

/// The articles of `content/`, rendered, and the files copied as they are.
pub(super) struct Content {
    pub articles: Vec<Arc<Article>>,
    /// The memo key each article was read under, in the same order.
    pub keys: Vec<Key>,
    pub assets: Vec<SourceFile>,
    pub report: ContentReport,
    pub warnings: Vec<Warning>,
}

/// An article read and published, with the key it was read under.
pub(super) type Published = (Arc<Parsed>, Key);

/// Reads, validates and renders every article; sorts out assets and skipped files.
/// With `survey`, errors in articles are counted in the report instead of returned.
pub(super) fn read_content(
    opts: &BuildOptions,
    (config, urls): (&Config, &Urls),
    survey: bool,
    memo: &mut Memo,
) -> Result<Content> {
    let listed = memo.walk.list(opts)?;
    let (files, mut warnings, changed) = (listed.files, listed.warnings, listed.changed);
    let version = listed.version;
    memo.lap("find files");
    let mut report = ContentReport::default();
    let sorted = sorted_files(&files, (version, &config.content.skip), memo)?;
    let defaults_files: Vec<SourceFile> =
        sorted.defaults.iter().map(|&i| files[i].clone()).collect();
    let (folder_defaults, mut errors) = read_defaults(&defaults_files, &mut warnings);
    let candidates: Vec<&SourceFile> = sorted.candidates.iter().map(|&i| &files[i]).collect();
    let mut assets = sorted.assets.clone();
    report.found += sorted.skipped.len();
    report.skipped.extend(sorted.skipped.iter().cloned());
    let sections = &sorted.sections;
    let ctx = read::Context {
        config,
        urls,
        defaults: &folder_defaults,
        sections,
    };
    // Everything but the file itself that reading it depends on.
    let inputs = KeyHasher::new("read")
        .debug(config)
        .debug(&folder_defaults)
        .str(&opts.root.to_string_lossy())
        .finish();
    let progress = opts.progress.as_deref();
    progress::stage(progress, "reading", candidates.len());
    let gots = read_all(
        &candidates,
        (&ctx, changed.as_ref(), version),
        &inputs,
        memo,
        progress,
    );
    memo.lap("read");
    let parsed = sort_out(
        (&candidates, gots),
        memo,
        (&mut report, &mut warnings),
        (&mut errors, &mut assets),
    );
    if !survey && let Some(e) = Error::gather(std::mem::take(&mut errors)) {
        return Err(e);
    }
    let published = publishable(parsed, opts, &mut report);
    assets.sort_by(|a, b| a.rel.cmp(&b.rel));
    let targets = memo.targets.targets(&assets, &published, &memo.read);
    let content_dir = opts.root.join("content");
    memo.lap("sort out");
    let separator = config.content.excerpt_separator.as_deref();
    progress::stage(progress, "markdown", published.len());
    let (articles, keys, render_errors) = render_all(
        published,
        (urls, &targets, changed.as_ref()),
        (separator, &content_dir),
        memo,
        (progress, &mut warnings),
    );
    memo.lap("render");
    report.failed += render_errors.len();
    if !survey && let Some(e) = Error::gather(render_errors) {
        return Err(e);
    }
    tally(&mut report, &articles);
    Ok(Content {
        articles,
        keys,
        assets,
        report,
        warnings,
    })
}

/// Sorts out what reading gave each candidate: articles (returned, with their keys),
/// assets (an HTML file without front matter), skipped files and failures, counted
/// in `report`, their warnings and errors gathered.
fn sort_out(
    (candidates, gots): (&[&SourceFile], Vec<Got>),
    memo: &mut Memo,
    (report, warnings): (&mut ContentReport, &mut Vec<Warning>),
    (errors, assets): (&mut Vec<Error>, &mut Vec<SourceFile>),
) -> Vec<Published> {
    let mut parsed = Vec::new();
    for (file, got) in candidates.iter().zip(gots) {
        match got {
            Got::Kept(entry, key) => {
                warnings.extend(entry.warnings.iter().cloned());
                match &entry.kept {
                    Kept::Asset => {
                        assets.push((*file).clone());
                        continue;
                    }
                    Kept::Article(p) => {
                        memo.bodies.note_read(key, &entry.warnings);
                        parsed.push((p.clone(), key));
                    }
                    Kept::Skipped(reason) => skipped(report, warnings, file, reason.clone()),
                }
            }
            Got::Failed(f, w) => {
                warnings.extend(w);
                report.failed += 1;
                report.untitled += usize::from(f.untitled);
                report.undated += usize::from(f.undated);
                errors.extend(f.errors);
            }
        }
        report.found += 1;
    }
    parsed
}

/// Renders every published article (in parallel), taking from the memo each one whose
/// linked files and media are what they were.
fn render_all(
    published: Vec<Published>,
    (urls, targets, changed): (&Urls, &LinkTargets, Option<&BTreeSet<PathBuf>>),
    (separator, content_dir): (Option<&str>, &Path),
    memo: &mut Memo,
    (progress, warnings): (Option<&dyn Progress>, &mut Vec<Warning>),
) -> (Vec<Arc<Article>>, Vec<Key>, Vec<Error>) {
    let generation = memo.generation();
    let size = |rel: &Path| source::size(content_dir, rel, rel).ok();
    let mut slots: Vec<Option<Arc<Rendered>>> = Vec::with_capacity(published.len());
    for (_, key) in &published {
        let hit = memo
            .rendered
            .get(key, generation)
            .filter(|r| targets::still(&r.looked, targets, changed, &size));
        if hit.is_some() {
            memo.reuse.rendered.count(true);
            progress::advance(progress);
        }
        slots.push(hit);
    }
    // Each job owns its file's text, so a build that keeps nothing frees the text as
    // soon as the article is rendered: the sources and the rendered HTML of every
    // article are not held at once.
    let mut keys_in_order = Vec::with_capacity(published.len());
    // Sized once: a job holds a cached body's record (about 1 KB), and growing the list
    // by doubling copied them all, over fresh pages, several times.
    let mut jobs = Vec::with_capacity(slots.iter().filter(|s| s.is_none()).count());
    for (i, (parsed, key)) in published.into_iter().enumerate() {
        keys_in_order.push(key);
        if slots[i].is_none() {
            let cached = memo.bodies.take(&key);
            jobs.push((i, parsed, key, cached));
        }
    }
    let made: Vec<(usize, Result<Made>)> = jobs
        .into_par_iter()
        .map(|(i, parsed, key, cached)| {
            let made = render_one(
                &parsed,
                &key,
                urls,
                &targets.map,
                (separator, content_dir),
                cached,
            );
            progress::advance(progress);
            (i, made)
        })
        .collect();
    let errors = keep_made(made, (&keys_in_order, &mut slots), memo);
    let mut articles = Vec::with_capacity(slots.len());
    let mut keys = Vec::with_capacity(slots.len());
    for (slot, key) in slots.into_iter().zip(&keys_in_order) {
        if let Some(r) = slot {
            articles.push(r.article.clone());
            keys.push(*key);
            warnings.extend(r.warnings.iter().cloned());
        }
    }
    (articles, keys, errors)
}

/// Puts each article rendered into its slot and the memo (and notes it for the cache
/// of bodies); returns the errors.
fn keep_made(
    made: Vec<(usize, Result<Made>)>,
    (keys, slots): (&[Key], &mut [Option<Arc<Rendered>>]),
    memo: &mut Memo,
) -> Vec<Error> {
    let generation = memo.generation();
    let mut errors = Vec::new();
    for (i, made) in made {
        match made {
            Ok(made) => {
                // A body from the cache in `out/` is a hit too: no Markdown was rendered.
                memo.reuse.rendered.count(made.from_cache);
                memo.bodies.note(keys[i], &made);
                let r = Arc::new(Rendered {
                    article: made.article,
                    warnings: made.warnings,
                    looked: made.looked,
                });
                memo.rendered.insert(keys[i], r.clone(), generation);
                slots[i] = Some(r);
            }
            Err(e) => {
                memo.reuse.rendered.count(false);
                errors.push(e);
            }
        }
    }
    errors
}

/// The files of `content/` sorted out: folder defaults, possible articles (by their
/// place in the list), assets, files the skip rules name, and section pages.
pub(super) struct SortedFiles {
    /// The list (`walk::Listed::version`) and skip rules this was made from.
    made_of: (u64, Key),
    defaults: Vec<usize>,
    candidates: Vec<usize>,
    assets: Vec<SourceFile>,
    skipped: Vec<Skipped>,
    sections: BTreeSet<PathBuf>,
}

/// Sorts out the files, or returns the last build's sorting of the same list under the
/// same skip rules (kept in the memo).
fn sorted_files(
    files: &[SourceFile],
    (version, skip): (u64, &[SkipGlob]),
    memo: &mut Memo,
) -> Result<Arc<SortedFiles>> {
    let made_of = (version, KeyHasher::new("skip rules").debug(&skip).finish());
    if let Some(held) = memo.sorted.as_ref().filter(|s| s.made_of == made_of) {
        return Ok(Arc::clone(held));
    }
    let rules = skip::Rules::new(skip)?;
    let mut sorted = SortedFiles {
        made_of,
        defaults: Vec::new(),
        candidates: Vec::new(),
        assets: Vec::new(),
        skipped: Vec::new(),
        sections: BTreeSet::new(),
    };
    for (i, f) in files.iter().enumerate() {
        if defaults::defaults_file(&f.rel).is_some() {
            sorted.defaults.push(i);
            continue;
        }
        match rules.check(&f.rel) {
            // Reported when it may have been an article.
            Some(reason) if f.kind != Kind::Asset => sorted.skipped.push(Skipped {
                path: f.shown.clone(),
                reason,
            }),
            Some(_) => {}
            None if f.kind == Kind::Asset => sorted.assets.push(f.clone()),
            None => sorted.candidates.push(i),
        }
    }
    let rels: Vec<&Path> = sorted
        .candidates
        .iter()
        .map(|&i| files[i].rel.as_path())
        .collect();
    sorted.sections = skip::section_pages(&rels);
    let sorted = Arc::new(sorted);
    if !memo.read.is_forgetful() {
        memo.sorted = Some(Arc::clone(&sorted));
    }
    Ok(sorted)
}

/// Leaves out drafts and articles dated after the build, unless asked for.
fn publishable(
    parsed: Vec<Published>,
    opts: &BuildOptions,
    report: &mut ContentReport,
) -> Vec<Published> {
    let now = opts
        .now
        .unwrap_or_else(|| chrono::Utc::now().fixed_offset());
    let mut published = Vec::with_capacity(parsed.len());
    for (p, key) in parsed {
        let reason = if p.meta.draft && !opts.drafts {
            Some(SkipReason::Draft)
        } else if p.meta.date > now && !opts.future {
            report.next_due = Some(report.next_due.map_or(p.meta.date, |d| d.min(p.meta.date)));
            Some(SkipReason::Future)
        } else {
            None
        };
        match reason {
            Some(reason) => report.skipped.push(Skipped {
                path: p.meta.shown.clone(),
                reason,
            }),
            None => published.push((p, key)),
        }
    }
    published
}
