//! Runs the stages in order: discover → parse → model → render → feeds → write.
//!
//! Owns: the order of the stages, parallelism (with `output`, which writes files in
//! parallel, and `feeds`, the only `rayon` users), gathering every error in path
//! order, the memo a rebuild reuses (`Memo`), and the rule that nothing touches
//! `out/` until every earlier stage has succeeded. Does not: know any format detail.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

mod article;
mod cached;
mod content;
mod files;
mod fresh;
mod lock;
mod memo;
mod pages;
mod progress;
mod read;
mod single;
mod targets;
mod terms;
mod walk;

pub use memo::{Memo, MemoReport, Stages};
pub use progress::Progress;
pub use single::{Single, build_single};

use crate::config::{self, Config};
use crate::dates::Date;
use crate::error::{Error, Location, Result, Warning};
use crate::feeds::{Feed, FeedBody, FeedMemo, Sink};
use crate::memo::{Key, KeyHasher, Reuse};
use crate::model::Site;
use crate::output::{self, Body, Outputs, Spool, SpoolFile, WriteReport};
use crate::render::{Templates, Views};
use crate::report::ContentReport;
use crate::source::{self, SourceFile};
use crate::taxonomy::Taxonomies;
use crate::urls::Urls;
use content::{Content, read_content};
use pages::PageKeys;

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
    /// What the build took from its memo (all misses without one).
    pub memo: MemoReport,
    /// How long each stage took.
    pub stages: Stages,
    /// New entries of `mdfeed.lock`, written by `build` after `out/`.
    lock: Option<lock::LockUpdate>,
}

/// Builds the site described by `opts`. On any error nothing is written. When no
/// input changed since the last build into the same `out/`, nothing is redone.
pub fn build(opts: &BuildOptions) -> Result<BuildReport> {
    build_with(opts, &mut Memo::once())
}

/// Builds like `build`, taking from `memo` what an earlier build made from the same
/// inputs (`mdfeed build --watch` keeps one memo across rebuilds). The files still go
/// through the spool, so the memo holds no page or feed bytes, only the work behind
/// them: parsed and rendered articles, template values, feed entry texts.
pub fn build_with(opts: &BuildOptions, memo: &mut Memo) -> Result<BuildReport> {
    // Taken before reading anything (a first build takes the articles' hashes from the
    // bytes the read stage builds from): a file saved during the build makes the next
    // build differ from this fingerprint, so it is never missed.
    let started = Instant::now();
    // A memo that read files already would keep some from the read stage's hashes.
    let defer = memo.read.is_empty();
    let (mut inputs, pending) = match opts
        .write
        .then(|| fresh::fingerprint(opts, defer))
        .flatten()
    {
        Some(fresh::Survey::Hashed(inputs)) => (Some(inputs), None),
        Some(fresh::Survey::Pending(pending)) => (None, Some(pending)),
        None => (None, None),
    };
    if let Some(report) = inputs
        .as_ref()
        .and_then(|i| fresh::unchanged(opts, &i.finish()))
    {
        return Ok(report);
    }
    // The read stage takes the hashes of files unchanged since the check, or (with
    // nothing to compare with) hashes the files it reads for the check.
    memo.checked = inputs
        .as_ref()
        .map(fresh::Inputs::hashes)
        .unwrap_or_default();
    memo.read_hashes = pending.as_ref().map(|_| Vec::new());
    let mut fingerprinted = started.elapsed();
    // A build with nothing rendered in memory takes what the last one left in out/.
    let loading = Instant::now();
    if opts.write && memo.rendered.is_empty() {
        cached::load(&opts.out_dir(), memo);
    }
    let loaded = loading.elapsed();
    let planned = plan_with(opts, memo);
    memo.checked = fresh::Checked::default();
    let read_hashes = memo.read_hashes.take();
    let mut for_next = cached::ForNext::take(memo, planned.is_ok());
    let (mut report, outputs) = planned?;
    if let (Some(pending), Some(read)) = (pending, read_hashes) {
        let completing = Instant::now();
        inputs = pending.complete(&read);
        fingerprinted += completing.elapsed();
    }
    report.stages.0.splice(
        0..0,
        [
            ("up-to-date check", fingerprinted),
            ("records of the last build", loaded),
        ],
    );
    if opts.write {
        let started = Instant::now();
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
        report.stages.0.push(("write", started.elapsed()));
        let started = Instant::now();
        if let Some(i) = &inputs {
            fresh::record(&out_dir, i, &report)?;
        }
        // The site is in place: records that cannot be written only cost the next
        // build time, so they are a warning (said once: the state file is written).
        let hashes = inputs.map_or(Ok(()), |i| fresh::save_hashes(&out_dir, &i));
        let saved = for_next.save(&out_dir);
        memo.discard(for_next);
        if let Err(e) = hashes.and(saved) {
            report.warnings.push(Warning {
                at: Location::file(out_dir.join(output::CACHE_DIR)),
                msg: format!("not written, so the next build will redo more: {e}"),
            });
        }
        report
            .stages
            .0
            .push(("records for the next build", started.elapsed()));
    }
    Ok(report)
}

/// Makes every file of the site in memory, as `build` would write it, and writes
/// nothing (`mdfeed serve` serves these bytes straight from memory).
pub fn plan(opts: &BuildOptions) -> Result<(BuildReport, Outputs)> {
    plan_with(opts, &mut Memo::once())
}

/// Plans like `plan`, taking from `memo` whatever an earlier build made from the same
/// inputs, and leaving in it what this build made (`mdfeed serve` keeps one memo
/// across rebuilds). Every check still runs on the whole site.
pub fn plan_with(opts: &BuildOptions, memo: &mut Memo) -> Result<(BuildReport, Outputs)> {
    memo.begin();
    let planned = plan_memo(opts, memo);
    memo.end(planned.is_ok());
    let mut planned = planned?;
    planned.0.memo = memo.reuse;
    planned.0.stages = memo.stages();
    Ok(planned)
}

fn plan_memo(opts: &BuildOptions, memo: &mut Memo) -> Result<(BuildReport, Outputs)> {
    let (config, urls) = setup(opts)?;
    let overrides = source::read_templates(
        &opts.root.join("templates"),
        &config::display_path(&opts.root).join("templates"),
    )?;
    let mut templates_key = KeyHasher::new("templates");
    for t in &overrides {
        templates_key.str(&t.name).str(&t.text);
    }
    let templates = Templates::new(overrides)?;
    memo.lap("config and templates");
    let content = read_content(opts, (&config, &urls), false, memo)?;
    let Content {
        mut articles,
        keys,
        assets,
        mut report,
        mut warnings,
    } = content;
    let now = opts
        .now
        .unwrap_or_else(|| chrono::Utc::now().fixed_offset());
    let shown_root = config::display_path(&opts.root);
    let last_ids = (!memo.read.is_forgetful()).then_some(&mut memo.last_ids);
    let (lock, given) = lock::pin_ids(
        opts,
        (&shown_root, &urls),
        &mut articles,
        (now, &mut memo.lock, last_ids),
        &mut warnings,
    )?;
    for i in given {
        memo.repinned(&keys[i], &articles[i]);
    }
    memo.lap("feed IDs");
    let last_terms = (!memo.read.is_forgetful()).then_some(&mut memo.last_terms);
    let (site, tax, tax_warnings) = terms::order_and_group(config, articles, last_terms);
    warnings.extend(tax_warnings);
    memo.lap("order and terms");
    let (outputs, feed_count) = plan_outputs(
        opts,
        (&site, &urls, &tax),
        (&templates, &templates_key.finish()),
        &assets,
        memo,
    )?;
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
        memo: MemoReport::default(),
        stages: Stages::default(),
    };
    memo.discard((site, tax));
    Ok((report, outputs))
}

/// Makes every file of `out/` in memory: pages, listings, feeds (each new one read
/// back and checked by `validate`) and assets; returns them with the number of feed
/// documents, or every error (collisions and duplicate IDs included).
fn plan_outputs(
    opts: &BuildOptions,
    (site, urls, tax): (&Site, &Urls, &Arc<Taxonomies>),
    (templates, templates_key): (&Templates, &Key),
    assets: &[SourceFile],
    memo: &mut Memo,
) -> Result<(Outputs, usize)> {
    let view_keys = pages::view_keys(site, tax, memo);
    let tax: &Taxonomies = tax;
    let values = pages::article_values((site, urls, tax), &view_keys, memo);
    let views = Views::new(site, urls, tax, &values);
    let keys = PageKeys::new(view_keys, (&views, &site.config), templates_key);
    memo.lap("template values");
    let with = (templates, &views, &keys);
    // A writing build puts each file in out/'s spool as soon as it is made (and its
    // memo, thrown away after, keeps none of their bytes).
    let spooled = opts
        .write
        .then(|| Spool::new(&opts.out_dir()))
        .transpose()?;
    let spool = spooled.as_ref();
    let generation = memo.generation();
    let (mut page_memo, mut listing_memo, feed_memo, reuse, seen) = memo.split(spool);
    let progress = opts.progress.as_deref();
    // Three at once: the home page is one long template run, the article pages are
    // many lookups, and new feed documents are serialised and read back.
    let (listed, (pages, feeds)) = rayon::join(
        || {
            let memo = (&mut listing_memo, seen);
            pages::listings(with, (site, urls, tax), memo, &values)
        },
        || {
            rayon::join(
                || {
                    let mut outputs = Outputs::default();
                    let errors =
                        pages::add_pages(&mut outputs, with, (site, urls), &mut page_memo, opts);
                    (outputs, errors)
                },
                || {
                    progress::stage(progress, "feeds", 1);
                    let feeds = plan_feeds((site, urls, tax), (feed_memo, generation), spool);
                    progress::advance(progress);
                    feeds
                },
            )
        },
    );
    let (mut outputs, mut errors) = pages;
    for (file, page) in listed? {
        errors.extend(outputs.add(file, page, pages::generated()).err());
    }
    let (feeds, feed_reuse) = feeds?;
    *reuse = feed_reuse;
    memo.reuse.feed_parts = memo.feeds.take_part_reuse();
    memo.lap("pages and feeds");
    let feed_count = feeds.len();
    errors.extend(add_the_rest(&mut outputs, feeds, assets));
    let last_unique = (!memo.read.is_forgetful()).then_some(&mut memo.last_unique);
    errors.extend(check_unique_ids(site, last_unique));
    errors.extend(outputs.check_tree().err());
    memo.lap("checks");
    drop(views);
    memo.discard(values);
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

/// Adds the feed documents (with the self-check's errors) and the assets to the
/// outputs; returns the errors.
fn add_the_rest(outputs: &mut Outputs, feeds: Vec<Sealed>, assets: &[SourceFile]) -> Vec<Error> {
    let mut errors = Vec::new();
    for feed in feeds {
        errors.extend(feed.checked.err().into_iter().flatten());
        let added = feed
            .body
            .and_then(|b| outputs.add(feed.file, b, pages::generated()));
        errors.extend(added.err());
    }
    for f in assets {
        let body = Body::Copy(f.abs.clone());
        errors.extend(outputs.add(f.rel.clone(), body, &f.shown).err());
    }
    errors
}

/// A feed document as the build keeps it: checked (when new) and stored.
struct Sealed {
    file: PathBuf,
    checked: std::result::Result<(), Vec<Error>>,
    body: Result<Body>,
}

/// Where a writing build puts a new feed document as it is made (the spool), and where
/// a build that keeps its output in memory does.
enum Store {
    Spool(SpoolFile),
    Memory(Vec<u8>),
}

impl Sink for Store {
    fn put(&mut self, bytes: &[u8]) -> Result<()> {
        match self {
            Store::Spool(f) => f.put(bytes),
            Store::Memory(v) => v.put(bytes),
        }
    }

    fn put_file(&mut self, file: &mut std::fs::File, len: u64, path: &Path) -> Result<u64> {
        match self {
            Store::Spool(f) => f.put_file(file, len),
            Store::Memory(v) => v.put_file(file, len, path),
        }
    }
}

/// Makes every feed document; each new one is checked by `validate` as it is made,
/// and stored (in the spool when the build writes), and remembered by the memo if it
/// passed and is held in memory.
fn plan_feeds(
    (site, urls, tax): (&Site, &Urls, &Taxonomies),
    (memo, generation): (&mut FeedMemo, u64),
    spool: Option<&Spool>,
) -> Result<(Vec<Sealed>, Reuse)> {
    let open = || match spool {
        Some(s) => s.open().map(Store::Spool),
        None => Ok(Store::Memory(Vec::new())),
    };
    let seal = |f: Feed<Store>| {
        let (checked, keep, body) = match f.body {
            FeedBody::Held(bytes) => (Ok(()), None, pages::store(spool, &f.file, bytes)),
            FeedBody::Made(Store::Spool(file), verdict) => {
                (verdict, None, Ok(Body::Spooled(file.done())))
            }
            FeedBody::Made(Store::Memory(bytes), verdict) => {
                let bytes = Arc::new(bytes);
                let keep = verdict.is_ok().then(|| bytes.clone());
                (verdict, keep, Ok(Body::Bytes(bytes)))
            }
        };
        let sealed = Sealed {
            file: f.file,
            checked,
            body,
        };
        (f.key, keep, sealed)
    };
    let memo_now = (&mut *memo, generation);
    let (made, reuse) = crate::feeds::build_with(site, urls, tax, memo_now, &open, seal)?;
    let mut sealed = Vec::with_capacity(made.len());
    for (key, keep, s) in made {
        if let Some(bytes) = keep {
            memo.checked(key, s.file.clone(), bytes, generation);
        }
        sealed.push(s);
    }
    Ok((sealed, reuse))
}

/// Reads the content folder and reports what it made of it, without rendering pages
/// or writing anything. Errors in articles are counted, not returned; only a bad
/// config or an unreadable folder fails.
pub fn survey(opts: &BuildOptions) -> Result<ContentReport> {
    let (config, urls) = setup(opts)?;
    read_content(opts, (&config, &urls), true, &mut Memo::once()).map(|c| c.report)
}

fn setup(opts: &BuildOptions) -> Result<(Config, Urls)> {
    let config = config::load(&opts.root, opts.base_url.as_deref())?;
    let urls = Urls::new(config.base_url.clone());
    check_out_dir(&opts.root.join("content"), &opts.out_dir())?;
    Ok((config, urls))
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
