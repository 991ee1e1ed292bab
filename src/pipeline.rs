//! Runs the stages in order: discover → parse → model → render → feeds → write.
//!
//! Owns: the order of the stages, parallelism (with `output`, which writes files in
//! parallel, the only `rayon` user), gathering
//! every error in path order, and the rule that nothing touches `out/` until
//! every earlier stage has succeeded. Does not: know any format detail.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

mod article;
mod fresh;
mod lock;
mod progress;
mod read;
mod single;

pub use single::{Single, build_single};

pub use progress::Progress;

use crate::compat::defaults;
use crate::compat::skip::{self, SkipReason};
use crate::config::{self, Config};
use crate::dates::Date;
use crate::error::{Error, Location, Result, Warning};
use crate::model::{Article, Site};
use crate::output::{self, Body, Outputs, Spool, WriteReport};
use crate::render::{Templates, Views};
use crate::report::{ContentReport, Skipped};
use crate::source::{self, Kind, SourceFile};
use crate::taxonomy::{self, Taxonomies};
use crate::urls::{FeedKind, Scope, Target, TermKind, Urls};
use crate::validate;
use read::{Outcome, Parsed, read_defaults, skipped, tally};

use lock::check_unique_ids;
pub use lock::{Moved, move_id};

/// What the user asked for.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// The site root: holds `mdfeed.toml`, `content/` and optionally `templates/`.
    pub root: PathBuf,
    /// Where to write; `ROOT/out` when `None`.
    pub out: Option<PathBuf>,
    /// Replaces the config's `base_url` (preview deploys, local serving).
    pub base_url: Option<String>,
    /// Include articles marked `draft`.
    pub drafts: bool,
    /// Include articles dated after `now`.
    pub future: bool,
    /// The build time, for leaving out future articles; the wall clock when `None`.
    /// Never written into any output.
    pub now: Option<Date>,
    /// Write `out/`; `false` only checks (`mdfeed check`).
    pub write: bool,
    /// Fail instead of adding new IDs to `mdfeed.lock` (for CI).
    pub locked: bool,
    /// Told how far the build has come (a progress bar); `None` for silence.
    pub progress: Option<Arc<dyn Progress>>,
}

impl BuildOptions {
    /// Returns the output folder: `out`, or `ROOT/out` when not given.
    pub fn out_dir(&self) -> PathBuf {
        self.out.clone().unwrap_or_else(|| self.root.join("out"))
    }
}

/// What a build did.
#[derive(Debug, Default)]
pub struct BuildReport {
    /// Articles published.
    pub articles: usize,
    /// Feed files made.
    pub feeds: usize,
    /// Files planned in `out/`.
    pub files: usize,
    /// Articles whose feed IDs were pinned in `mdfeed.lock` by this build.
    pub pinned: usize,
    /// What was written (`None` for `check`).
    pub write: Option<WriteReport>,
    /// Problems that did not stop the build.
    pub warnings: Vec<Warning>,
    /// What the build made of `content/` (`check --report`).
    pub content: ContentReport,
    /// Nothing was redone: the inputs are those of the last build into `out/`.
    pub up_to_date: bool,
    /// New entries of `mdfeed.lock`, written by `build` after `out/`.
    lock: Option<lock::LockUpdate>,
}

/// Builds the site described by `opts`. On any error nothing is written. When no
/// input changed since the last build into the same `out/`, nothing is redone.
pub fn build(opts: &BuildOptions) -> Result<BuildReport> {
    // Taken before reading anything: a file saved during the build makes the next
    // build differ from this fingerprint, so it is never missed.
    let mut inputs = opts.write.then(|| fresh::fingerprint(opts)).flatten();
    if let Some(report) = inputs
        .as_ref()
        .and_then(|i| fresh::unchanged(opts, &i.finish()))
    {
        return Ok(report);
    }
    let (mut report, outputs) = plan(opts)?;
    if opts.write {
        let progress = opts.progress.as_deref();
        progress::stage(progress, "writing", outputs.len());
        let advance = || progress::advance(progress);
        let out_dir = opts.out_dir();
        report.write = Some(outputs.commit_counting(&out_dir, &advance)?);
        if let Some(update) = report.lock.take() {
            // The one file written outside out/: see `output::write_beside_content`.
            let text = update.lock.render()?;
            output::write_beside_content(&update.path, text.as_bytes())?;
            inputs = inputs.map(|i| i.with_lock(text.into_bytes()));
        }
        if let Some(i) = inputs {
            fresh::record(&out_dir, i.finish(), &report)?;
        }
    }
    Ok(report)
}

/// Makes every file of the site in memory, as `build` would write it, and writes
/// nothing (`mdfeed serve` serves these bytes straight from memory).
pub fn plan(opts: &BuildOptions) -> Result<(BuildReport, Outputs)> {
    let (config, urls) = setup(opts)?;
    let templates = Templates::new(source::read_templates(
        &opts.root.join("templates"),
        &config::display_path(&opts.root).join("templates"),
    )?)?;
    let content = read_content(opts, &config, &urls, false)?;
    let Content {
        mut articles,
        assets,
        mut report,
        mut warnings,
    } = content;
    let now = opts
        .now
        .unwrap_or_else(|| chrono::Utc::now().fixed_offset());
    let shown_root = config::display_path(&opts.root);
    let lock = lock::pin_ids(opts, &shown_root, &mut articles, now, &mut warnings)?;
    let site = Site::new(config, articles);
    let (tax, tax_warnings) = taxonomy::collect(&site, &site.config.feeds);
    warnings.extend(tax_warnings);
    let (outputs, feed_count) = plan_outputs(opts, &site, (&urls, &tax), &templates, &assets)?;
    warnings.sort();
    report.articles = site.articles.len();
    let report = BuildReport {
        articles: site.articles.len(),
        feeds: feed_count,
        files: outputs.len(),
        pinned: lock.as_ref().map_or(0, |l| l.added),
        lock,
        write: None,
        warnings,
        content: report,
        up_to_date: false,
    };
    Ok((report, outputs))
}

/// Makes every file of `out/` in memory: pages, listings, feeds (each read back and
/// checked by `validate`) and assets; returns them with the number of feed documents,
/// or every error (collisions and duplicate IDs included).
fn plan_outputs(
    opts: &BuildOptions,
    site: &Site,
    (urls, tax): (&Urls, &Taxonomies),
    templates: &Templates,
    assets: &[SourceFile],
) -> Result<(Outputs, usize)> {
    let views = Views::new(site, urls, tax);
    let mut outputs = Outputs::default();
    // A writing build puts each file in out/'s spool as soon as it is made.
    let spooled = opts
        .write
        .then(|| Spool::new(&opts.out_dir()))
        .transpose()?;
    let spool = spooled.as_ref();
    let mut errors = add_pages(&mut outputs, templates, &views, (site, urls), (opts, spool));
    // The listings and the feeds hold every article: on a large site they take a
    // while, so they are made side by side.
    let progress = opts.progress.as_deref();
    progress::stage(progress, "feeds", 2);
    let generated = Path::new("(generated)");
    let seen = validate::CheckedHtml::default();
    // Each feed is checked as soon as it is made, and then stored.
    let seal = |f: crate::feeds::Feed| {
        let checked = validate::check_with(&f.file, f.kind, &f.bytes, &seen);
        (f.file, checked, body(spool, f.bytes))
    };
    let (listed, feeds) = rayon::join(
        || -> Result<Vec<(PathBuf, Result<Body>)>> {
            Ok(listings(templates, &views, site, urls, tax)?
                .into_par_iter()
                .map(|(file, page)| (file, body(spool, page.into_bytes())))
                .collect())
        },
        || crate::feeds::build(site, urls, tax, &seen, seal),
    );
    for (file, page) in listed? {
        errors.extend(page.and_then(|b| outputs.add(file, b, generated)).err());
    }
    progress::advance(progress);
    let feeds = feeds?;
    progress::advance(progress);
    let feed_count = feeds.len();
    for (file, checked, stored) in feeds {
        errors.extend(checked.err().into_iter().flatten());
        errors.extend(stored.and_then(|b| outputs.add(file, b, generated)).err());
    }
    for f in assets {
        let body = Body::Copy(f.abs.clone());
        errors.extend(outputs.add(f.rel.clone(), body, &f.shown).err());
    }
    errors.extend(check_unique_ids(site));
    errors.extend(outputs.check_tree().err());
    match Error::gather(errors) {
        // Dropping the spool removes every file put in it.
        Some(e) => Err(e),
        None => {
            if let Some(s) = spooled {
                outputs.keep_spool(s);
            }
            Ok((outputs, feed_count))
        }
    }
}

/// Stores rendered bytes: in the spool when the build writes (so the site is never
/// held in memory whole), else in memory (`check`, `serve`).
fn body(spool: Option<&Spool>, bytes: Vec<u8>) -> Result<Body> {
    match spool {
        Some(s) => s.keep(&bytes).map(Body::Spooled),
        None => Ok(Body::Bytes(bytes)),
    }
}

/// Reads the content folder and reports what it made of it, without rendering pages
/// or writing anything. Errors in articles are counted, not returned; only a bad
/// config or an unreadable folder fails.
pub fn survey(opts: &BuildOptions) -> Result<ContentReport> {
    let (config, urls) = setup(opts)?;
    read_content(opts, &config, &urls, true).map(|c| c.report)
}

fn setup(opts: &BuildOptions) -> Result<(Config, Urls)> {
    let config = config::load(&opts.root, opts.base_url.as_deref())?;
    let urls = Urls::new(config.base_url.clone());
    check_out_dir(&opts.root.join("content"), &opts.out_dir())?;
    Ok((config, urls))
}

/// Renders every article's page (in parallel) and its redirect pages.
fn add_pages(
    outputs: &mut Outputs,
    templates: &Templates,
    views: &Views<'_>,
    (site, urls): (&Site, &Urls),
    (opts, spool): (&BuildOptions, Option<&Spool>),
) -> Vec<Error> {
    let mut errors = Vec::new();
    let progress = opts.progress.as_deref();
    progress::stage(progress, "rendering", site.articles.len());
    let pages: Vec<Result<(PathBuf, Body)>> = site
        .articles
        .par_iter()
        .map(|a| {
            let html = templates.article(views, a)?;
            progress::advance(progress);
            Ok((
                urls.page_file(&a.meta.page),
                body(spool, html.into_bytes())?,
            ))
        })
        .collect();
    for (page, article) in pages.into_iter().zip(&site.articles) {
        match page.and_then(|(file, body)| outputs.add(file, body, &article.meta.shown)) {
            Ok(()) => {}
            Err(e) => errors.push(e),
        }
        errors.extend(add_redirects(outputs, templates, views, article));
    }
    errors
}

/// Makes the redirect pages of an article's old URLs.
fn add_redirects(
    outputs: &mut Outputs,
    templates: &Templates,
    views: &Views<'_>,
    article: &Article,
) -> Vec<Error> {
    let mut errors = Vec::new();
    for alias in &article.meta.aliases {
        let added = templates.redirect(views, article).and_then(|html| {
            outputs.add(
                alias.file.clone(),
                Body::Bytes(html.into_bytes()),
                &article.meta.shown,
            )
        });
        errors.extend(added.err().map(|e| match e {
            // A collision names the article's file; point at the alias itself.
            Error::At { msg, .. } => Error::at(alias.at.clone(), msg),
            other => other,
        }));
    }
    errors
}

/// Renders the home page, the tag and category pages, and the feeds' stylesheet.
fn listings(
    templates: &Templates,
    views: &Views<'_>,
    site: &Site,
    urls: &Urls,
    tax: &Taxonomies,
) -> Result<Vec<(PathBuf, String)>> {
    // The home page lists every article: render it beside the term pages.
    let (index, pages) = rayon::join(
        || templates.index(views),
        || -> Vec<Result<(PathBuf, String)>> {
            tax.terms
                .par_iter()
                .map(|t| {
                    let file = urls.listing_file(&Scope::Term(t.kind, &t.slug));
                    Ok((file, templates.term(views, t)?))
                })
                .collect()
        },
    );
    let mut out = vec![(urls.index_file(), index?)];
    for p in pages {
        out.push(p?);
    }
    for kind in TermKind::ALL {
        if tax.of(kind).next().is_some() {
            out.push((urls.terms_index_file(kind), templates.terms(views, kind)?));
        }
    }
    let c = &site.config.feeds;
    if c.stylesheet && c.formats.iter().any(|k| *k != FeedKind::Json) {
        out.push((urls.stylesheet_file(), templates.stylesheet(views)?));
    }
    Ok(out)
}

/// The articles of `content/`, rendered, and the files copied as they are.
struct Content {
    articles: Vec<Article>,
    assets: Vec<SourceFile>,
    report: ContentReport,
    warnings: Vec<Warning>,
}

/// Splits the files into possible articles and assets; leaves out defaults files and
/// files the skip rules name (reporting the ones that may have been articles).
fn sort_files<'a>(
    files: &'a [SourceFile],
    rules: &skip::Rules,
    report: &mut ContentReport,
) -> (Vec<&'a SourceFile>, Vec<SourceFile>) {
    let mut candidates = Vec::new();
    let mut assets = Vec::new();
    for f in files
        .iter()
        .filter(|f| defaults::defaults_file(&f.rel).is_none())
    {
        match rules.check(&f.rel) {
            Some(reason) if f.kind != Kind::Asset => {
                report.found += 1;
                report.skipped.push(Skipped {
                    path: f.shown.clone(),
                    reason,
                });
            }
            Some(_) => {}
            None if f.kind == Kind::Asset => assets.push(f.clone()),
            None => candidates.push(f),
        }
    }
    (candidates, assets)
}

/// Leaves out drafts and articles dated after the build, unless asked for.
fn publishable(
    parsed: Vec<Parsed>,
    opts: &BuildOptions,
    report: &mut ContentReport,
) -> Vec<Parsed> {
    let now = opts
        .now
        .unwrap_or_else(|| chrono::Utc::now().fixed_offset());
    let mut published = Vec::with_capacity(parsed.len());
    for p in parsed {
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
            None => published.push(p),
        }
    }
    published
}

/// Reads, validates and renders every article; sorts out assets and skipped files.
/// With `survey`, errors in articles are counted in the report instead of returned.
fn read_content(
    opts: &BuildOptions,
    config: &Config,
    urls: &Urls,
    survey: bool,
) -> Result<Content> {
    let shown_root = config::display_path(&opts.root);
    let (files, mut warnings) =
        source::discover(&opts.root.join("content"), &shown_root.join("content"))?;
    let rules = skip::Rules::new(&config.content.skip)?;
    let mut report = ContentReport::default();
    let (folder_defaults, mut errors) = read_defaults(&files, &mut warnings);
    let (candidates, mut assets) = sort_files(&files, &rules, &mut report);
    let rels: Vec<&Path> = candidates.iter().map(|f| f.rel.as_path()).collect();
    let sections = skip::section_pages(&rels);
    let ctx = read::Context {
        config,
        urls,
        defaults: &folder_defaults,
        sections: &sections,
    };
    let progress = opts.progress.as_deref();
    progress::stage(progress, "reading", candidates.len());
    let outcomes: Vec<(Outcome, Vec<Warning>)> = candidates
        .par_iter()
        .map(|f| {
            let outcome = read::read_one(f, &ctx);
            progress::advance(progress);
            outcome
        })
        .collect();
    let mut parsed = Vec::new();
    for (file, (outcome, w)) in candidates.iter().zip(outcomes) {
        warnings.extend(w);
        match outcome {
            Outcome::Asset => {
                assets.push((*file).clone());
                continue;
            }
            Outcome::Article(p) => parsed.push(*p),
            Outcome::Skipped(reason) => skipped(&mut report, &mut warnings, file, reason),
            Outcome::Failed(f) => {
                report.failed += 1;
                report.untitled += usize::from(f.untitled);
                report.undated += usize::from(f.undated);
                errors.extend(f.errors);
            }
        }
        report.found += 1;
    }
    if !survey && let Some(e) = Error::gather(std::mem::take(&mut errors)) {
        return Err(e);
    }
    let published = publishable(parsed, opts, &mut report);
    assets.sort_by(|a, b| a.rel.cmp(&b.rel));
    let targets = link_targets(&assets, &published);
    let content_dir = opts.root.join("content");
    let (articles, render_errors) = render_all(
        published,
        urls,
        &targets,
        (config, &content_dir),
        progress,
        &mut warnings,
    );
    report.failed += render_errors.len();
    if !survey && let Some(e) = Error::gather(render_errors) {
        return Err(e);
    }
    tally(&mut report, &articles);
    Ok(Content {
        articles,
        assets,
        report,
        warnings,
    })
}

/// Refuses an `out/` inside `content/`: the build would read its own output.
fn check_out_dir(content_dir: &Path, out_dir: &Path) -> Result<()> {
    let content = content_dir
        .canonicalize()
        .map_err(|e| Error::io(content_dir, e))?;
    let mut probe = out_dir.to_owned();
    // The output folder may not exist yet: compare its nearest existing ancestor.
    while !probe.exists() {
        match probe.parent() {
            Some(p) if !p.as_os_str().is_empty() => probe = p.to_owned(),
            _ => return Ok(()),
        }
    }
    let out = probe.canonicalize().map_err(|e| Error::io(&probe, e))?;
    if out.starts_with(&content) {
        return Err(Error::at(
            Location::new("--out", 0, 0),
            format!("the output folder {} is inside content/", out_dir.display()),
        ));
    }
    Ok(())
}

/// Maps every source file a link may name to what it becomes.
fn link_targets(assets: &[SourceFile], parsed: &[Parsed]) -> HashMap<PathBuf, Target> {
    let mut targets: HashMap<PathBuf, Target> = assets
        .iter()
        .map(|f| (f.rel.clone(), Target::Asset(f.rel.clone())))
        .collect();
    for p in parsed {
        targets.insert(p.meta.source.clone(), Target::Page(p.meta.page.clone()));
    }
    targets
}

fn render_all(
    parsed: Vec<Parsed>,
    urls: &Urls,
    targets: &HashMap<PathBuf, Target>,
    (config, content_dir): (&Config, &Path),
    progress: Option<&dyn Progress>,
    warnings: &mut Vec<Warning>,
) -> (Vec<Article>, Vec<Error>) {
    let separator = config.content.excerpt_separator.as_deref();
    progress::stage(progress, "markdown", parsed.len());
    let results: Vec<Result<(Article, Vec<Warning>)>> = parsed
        .into_par_iter()
        .map(|p| {
            let rendered = article::render_one(p, urls, targets, separator, content_dir);
            progress::advance(progress);
            rendered
        })
        .collect();
    let mut articles = Vec::with_capacity(results.len());
    let mut errors = Vec::new();
    for r in results {
        match r {
            Ok((a, w)) => {
                articles.push(a);
                warnings.extend(w);
            }
            Err(e) => errors.push(e),
        }
    }
    (articles, errors)
}
