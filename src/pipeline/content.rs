//! Reads `content/` into articles: finds the files, reads and parses each one, leaves
//! out drafts and future articles, and renders the rest.
//!
//! With the memo, a file whose bytes and inputs are those of an earlier build is not
//! parsed again (nor read, while its stamp is unchanged), and an article whose inputs
//! and linked files are unchanged is not rendered again; their warnings are reported
//! as before. Files with errors are never remembered: their errors come every time.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use rayon::prelude::*;

use super::article::render_one;
use super::memo::{Kept, Memo, ReadEntry, Rendered};
use super::read::{self, Outcome, Parsed, read_defaults, skipped, tally};
use super::{BuildOptions, Progress, progress};
use crate::compat::defaults;
use crate::compat::skip::{self, SkipReason};
use crate::config::{self, Config};
use crate::error::{Error, Result, Warning};
use crate::memo::{Key, KeyHasher, Stamp, Table};
use crate::model::{Article, Failure};
use crate::report::{ContentReport, Skipped};
use crate::source::{self, Kind, SourceFile};
use crate::urls::{Target, Urls};

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
type Published = (Arc<Parsed>, Key);

/// Reads, validates and renders every article; sorts out assets and skipped files.
/// With `survey`, errors in articles are counted in the report instead of returned.
pub(super) fn read_content(
    opts: &BuildOptions,
    (config, urls): (&Config, &Urls),
    survey: bool,
    memo: &mut Memo,
) -> Result<Content> {
    let shown_root = config::display_path(&opts.root);
    let (files, mut warnings) =
        source::discover(&opts.root.join("content"), &shown_root.join("content"))?;
    memo.lap("find files");
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
    // Everything but the file itself that reading it depends on.
    let inputs = KeyHasher::new("read")
        .debug(config)
        .debug(&folder_defaults)
        .str(&opts.root.to_string_lossy())
        .finish();
    let progress = opts.progress.as_deref();
    progress::stage(progress, "reading", candidates.len());
    let gots = read_all(&candidates, &ctx, &inputs, memo, progress);
    memo.lap("read");
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
                    Kept::Article(p) => parsed.push((p.clone(), key)),
                    Kept::Skipped(reason) => {
                        skipped(&mut report, &mut warnings, file, reason.clone())
                    }
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
    if !survey && let Some(e) = Error::gather(std::mem::take(&mut errors)) {
        return Err(e);
    }
    let published = publishable(parsed, opts, &mut report);
    assets.sort_by(|a, b| a.rel.cmp(&b.rel));
    let targets = link_targets(&assets, &published);
    let content_dir = opts.root.join("content");
    memo.lap("sort out");
    let separator = config.content.excerpt_separator.as_deref();
    progress::stage(progress, "markdown", published.len());
    let (articles, keys, render_errors) = render_all(
        published,
        (urls, &targets),
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

/// What reading one file gave: something the memo may keep, or errors.
enum Got {
    Kept(Arc<ReadEntry>, Key),
    Failed(Failure, Vec<Warning>),
}

/// Returns the key of a file read with `inputs`: its bytes, names and place.
fn read_key(inputs: &Key, f: &SourceFile, digest: &[u8; 32], ctx: &read::Context<'_>) -> Key {
    let kind = match f.kind {
        Kind::Markdown => 0,
        Kind::Html => 1,
        Kind::Asset => 2,
    };
    let mut h = KeyHasher::new("file");
    h.key(inputs)
        .str(&f.rel.to_string_lossy())
        .str(&f.shown.to_string_lossy())
        .num(kind)
        .num(u64::from(ctx.sections.contains(&f.rel)))
        .bytes(digest);
    h.finish()
}

/// Reads and parses every candidate, in order, taking from the memo what it has:
/// a file whose stamp is unchanged is not even read.
fn read_all(
    candidates: &[&SourceFile],
    ctx: &read::Context<'_>,
    inputs: &Key,
    memo: &mut Memo,
    progress: Option<&dyn Progress>,
) -> Vec<Got> {
    let generation = memo.generation();
    let stamps: Vec<Option<Stamp>> = candidates.par_iter().map(|f| source::stamp(f)).collect();
    let mut gots: Vec<Option<Got>> = Vec::with_capacity(candidates.len());
    for (f, stamp) in candidates.iter().zip(&stamps) {
        let hit = stamp
            .as_ref()
            .and_then(|s| memo.digests.known(&f.abs, s, generation))
            .map(|digest| read_key(inputs, f, &digest, ctx))
            .and_then(|key| Some(Got::Kept(memo.read.get(&key, generation)?, key)));
        if hit.is_some() {
            memo.reuse.read.count(true);
            progress::advance(progress);
        }
        gots.push(hit);
    }
    let missing: Vec<usize> = (0..gots.len()).filter(|&i| gots[i].is_none()).collect();
    let known = &memo.read;
    let fresh: Vec<(usize, Fresh)> = missing
        .into_par_iter()
        .map(|i| {
            let fresh = read_fresh(candidates[i], stamps[i], (inputs, known), ctx);
            progress::advance(progress);
            (i, fresh)
        })
        .collect();
    for (i, fresh) in fresh {
        if let Some((stamp, hashed, digest)) = fresh.digest {
            let path = candidates[i].abs.clone();
            memo.digests
                .remember(path, stamp, hashed, digest, generation);
        }
        let (outcome, warnings) = match fresh.made {
            Some(made) => made,
            None => {
                // Read again, and the same as before: counts as a hit.
                if let Some(entry) = memo.read.get(&fresh.key, generation) {
                    memo.reuse.read.count(true);
                    gots[i] = Some(Got::Kept(entry, fresh.key));
                }
                continue;
            }
        };
        memo.reuse.read.count(false);
        let kept = match outcome {
            Outcome::Failed(f) => {
                gots[i] = Some(Got::Failed(f, warnings));
                continue;
            }
            Outcome::Article(p) => Kept::Article(Arc::new(*p)),
            Outcome::Skipped(reason) => Kept::Skipped(reason),
            Outcome::Asset => Kept::Asset,
        };
        let entry = Arc::new(ReadEntry { kept, warnings });
        memo.read.insert(fresh.key, entry.clone(), generation);
        gots[i] = Some(Got::Kept(entry, fresh.key));
    }
    gots.into_iter().flatten().collect()
}

/// A file read from disk: what it is, its key, and its hash with the stamp taken
/// before reading it (a write during the read then changes the stamp).
struct Fresh {
    key: Key,
    digest: Option<(Stamp, SystemTime, [u8; 32])>,
    /// What the file is, unless the memo knew its key already (a file saved again
    /// unchanged, or one whose stamp was too recent to trust).
    made: Option<(Outcome, Vec<Warning>)>,
}

fn read_fresh(
    f: &SourceFile,
    stamp: Option<Stamp>,
    (inputs, known): (&Key, &Table<Key, Arc<ReadEntry>>),
    ctx: &read::Context<'_>,
) -> Fresh {
    let failed = |e: Error, key: Key| Fresh {
        key,
        digest: None,
        made: Some((read::failed(e), Vec::new())),
    };
    let no_key = KeyHasher::new("unread").finish();
    let bytes = match source::read_bytes(f) {
        Ok(bytes) => bytes,
        Err(e) => return failed(e, no_key),
    };
    let hashed = SystemTime::now();
    let digest = crate::cache::digest(&bytes);
    let key = read_key(inputs, f, &digest, ctx);
    let digest = stamp.map(|s| (s, hashed, digest));
    if known.peek(&key).is_some() {
        return Fresh {
            key,
            digest,
            made: None,
        };
    }
    let text = match source::decode_text(bytes, &f.shown) {
        Ok(text) => text,
        Err(e) => return failed(e, key),
    };
    Fresh {
        key,
        digest,
        made: Some(read::parse_one(text, f, ctx)),
    }
}

/// Renders every published article (in parallel), taking from the memo each one whose
/// linked files and media are what they were.
fn render_all(
    published: Vec<Published>,
    (urls, targets): (&Urls, &HashMap<PathBuf, Target>),
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
            .filter(|r| r.looked.still(targets, &size));
        memo.reuse.rendered.count(hit.is_some());
        if hit.is_some() {
            progress::advance(progress);
        }
        slots.push(hit);
    }
    // Each job owns its file's text, so a build that keeps nothing frees the text as
    // soon as the article is rendered: the sources and the rendered HTML of every
    // article are not held at once.
    let mut keys_in_order = Vec::with_capacity(published.len());
    let mut jobs = Vec::new();
    for (i, (parsed, key)) in published.into_iter().enumerate() {
        keys_in_order.push(key);
        if slots[i].is_none() {
            jobs.push((i, parsed, key));
        }
    }
    let made: Vec<(usize, Result<Rendered>)> = jobs
        .into_par_iter()
        .map(|(i, parsed, key)| {
            let made = render_one(&parsed, &key, urls, targets, (separator, content_dir));
            progress::advance(progress);
            let made = made.map(|(article, warnings, looked)| Rendered {
                article: Arc::new(article),
                warnings,
                looked,
            });
            (i, made)
        })
        .collect();
    let mut errors = Vec::new();
    for (i, made) in made {
        match made {
            Ok(r) => {
                let r = Arc::new(r);
                memo.rendered
                    .insert(keys_in_order[i], r.clone(), generation);
                slots[i] = Some(r);
            }
            Err(e) => errors.push(e),
        }
    }
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

/// Maps every source file a link may name to what it becomes.
fn link_targets(assets: &[SourceFile], published: &[Published]) -> HashMap<PathBuf, Target> {
    let mut targets: HashMap<PathBuf, Target> = assets
        .iter()
        .map(|f| (f.rel.clone(), Target::Asset(f.rel.clone())))
        .collect();
    for (p, _) in published {
        targets.insert(p.meta.source.clone(), Target::Page(p.meta.page.clone()));
    }
    targets
}
