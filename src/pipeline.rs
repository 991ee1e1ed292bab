//! Runs the stages in order: discover → parse → model → render → feeds → write.
//!
//! Owns: the order of the stages, parallelism (the only `rayon` user), gathering
//! every error in path order, and the rule that nothing touches `out/` until
//! every earlier stage has succeeded. Does not: know any format detail.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::config::{self, Config};
use crate::dates::Date;
use crate::error::{Error, Location, Result, Warning};
use crate::frontmatter;
use crate::markdown;
use crate::model::{self, Article, Image, Meta, Site};
use crate::output::{Body, Outputs, WriteReport};
use crate::render::Templates;
use crate::source::{self, Kind, SourceFile};
use crate::urls::{Target, Urls};

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
    /// What was written (`None` for `check`).
    pub write: Option<WriteReport>,
    /// Problems that did not stop the build.
    pub warnings: Vec<Warning>,
}

/// A Markdown file with front matter, before its body is rendered.
struct Parsed {
    meta: Meta,
    text: String,
    body_start: usize,
}

/// Builds the site described by `opts`. On any error nothing is written.
pub fn build(opts: &BuildOptions) -> Result<BuildReport> {
    let config = config::load(&opts.root, opts.base_url.as_deref())?;
    let urls = Urls::new(config.base_url.clone());
    let shown_root = config::display_path(&opts.root);
    let content_dir = opts.root.join("content");
    let out_dir = opts.out.clone().unwrap_or_else(|| opts.root.join("out"));
    check_out_dir(&content_dir, &out_dir)?;
    let (files, mut warnings) = source::discover(&content_dir, &shown_root.join("content"))?;
    let templates = Templates::new(source::read_templates(
        &opts.root.join("templates"),
        &shown_root.join("templates"),
    )?)?;

    let parsed = parse_all(&files, &config, &mut warnings)?;
    let now = opts
        .now
        .unwrap_or_else(|| chrono::Utc::now().fixed_offset());
    let parsed: Vec<Parsed> = parsed
        .into_iter()
        .filter(|p| (opts.drafts || !p.meta.draft) && (opts.future || p.meta.date <= now))
        .collect();
    let targets = link_targets(&files, &parsed);
    let articles = render_all(parsed, &urls, &targets)?;
    let site = Site::new(config, articles);

    let mut outputs = Outputs::default();
    let mut errors = Vec::new();
    let pages: Vec<Result<(PathBuf, Vec<u8>)>> = site
        .articles
        .par_iter()
        .map(|a| {
            let html = templates.article(&site, &urls, a)?;
            Ok((urls.page_file(&a.meta.page), html.into_bytes()))
        })
        .collect();
    for (page, article) in pages.into_iter().zip(&site.articles) {
        match page
            .and_then(|(file, bytes)| outputs.add(file, Body::Bytes(bytes), &article.meta.shown))
        {
            Ok(()) => {}
            Err(e) => errors.push(e),
        }
    }
    let index = templates.index(&site, &urls)?;
    let generated = Path::new("(generated)");
    errors.extend(
        outputs
            .add(
                urls.index_file(),
                Body::Bytes(index.into_bytes()),
                generated,
            )
            .err(),
    );
    let feeds = crate::feeds::build(&site, &urls)?;
    let feed_count = feeds.len();
    for (file, bytes) in feeds {
        errors.extend(outputs.add(file, Body::Bytes(bytes), generated).err());
    }
    for f in files.iter().filter(|f| f.kind == Kind::Asset) {
        errors.extend(
            outputs
                .add(f.rel.clone(), Body::Copy(f.abs.clone()), &f.shown)
                .err(),
        );
    }
    errors.extend(check_unique_ids(&site, &urls));
    errors.extend(outputs.check_tree().err());
    if let Some(e) = Error::gather(errors) {
        return Err(e);
    }
    let write = if opts.write {
        Some(outputs.commit(&out_dir)?)
    } else {
        None
    };
    warnings.sort();
    Ok(BuildReport {
        articles: site.articles.len(),
        feeds: feed_count,
        files: outputs.len(),
        write,
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

fn parse_all(
    files: &[SourceFile],
    config: &Config,
    warnings: &mut Vec<Warning>,
) -> Result<Vec<Parsed>> {
    let results: Vec<Result<Option<Parsed>, Vec<Error>>> = files
        .par_iter()
        .filter(|f| f.kind == Kind::Markdown)
        .map(|f| parse_one(f, config))
        .collect();
    let mut parsed = Vec::new();
    let mut errors = Vec::new();
    let markdown = files.iter().filter(|f| f.kind == Kind::Markdown);
    for (result, file) in results.into_iter().zip(markdown) {
        match result {
            Ok(Some(p)) => parsed.push(p),
            Ok(None) => warnings.push(Warning {
                at: Location::file(&file.shown),
                msg: "no front matter: not an article, skipped".into(),
            }),
            Err(e) => errors.extend(e),
        }
    }
    match Error::gather(errors) {
        Some(e) => Err(e),
        None => Ok(parsed),
    }
}

fn parse_one(file: &SourceFile, config: &Config) -> Result<Option<Parsed>, Vec<Error>> {
    let text = source::read_text(file).map_err(|e| vec![e])?;
    let split =
        frontmatter::split(&text).map_err(|e| vec![Error::at(file.at(e.line, e.col), e.msg)])?;
    let Some(split) = split else { return Ok(None) };
    let body_start = text.len() - split.body.len();
    let meta = model::resolve(split.fields, &file.rel, &file.shown, config)?;
    Ok(Some(Parsed {
        meta,
        text,
        body_start,
    }))
}

/// Maps every source file a link may name to what it becomes.
fn link_targets(files: &[SourceFile], parsed: &[Parsed]) -> HashMap<PathBuf, Target> {
    let mut targets: HashMap<PathBuf, Target> = files
        .iter()
        .filter(|f| f.kind == Kind::Asset)
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
) -> Result<Vec<Article>> {
    let results: Vec<Result<Article>> = parsed
        .into_par_iter()
        .map(|p| render_one(p, urls, targets))
        .collect();
    let mut articles = Vec::with_capacity(results.len());
    let mut errors = Vec::new();
    for r in results {
        match r {
            Ok(a) => articles.push(a),
            Err(e) => errors.push(e),
        }
    }
    match Error::gather(errors) {
        Some(e) => Err(e),
        None => Ok(articles),
    }
}

fn render_one(p: Parsed, urls: &Urls, targets: &HashMap<PathBuf, Target>) -> Result<Article> {
    let Parsed {
        meta,
        text,
        body_start,
    } = p;
    let from = meta.source.as_path();
    let resolve = |dest: &str| urls.resolve_link(from, dest, targets);
    let body = &text[body_start..];
    let rendered = markdown::render(
        &markdown::Body {
            text: body,
            ..Default::default()
        },
        &resolve,
    );
    let (summary_html, summary_text) = match &meta.summary {
        Some(s) => markdown::render_short(s, &[]),
        None => (rendered.summary_html, rendered.summary_text),
    };
    let image = match &meta.image {
        None => None,
        Some(img) => {
            let url = if url::Url::parse(&img.src).is_ok() {
                img.src.clone()
            } else {
                urls.resolve_file(from, &img.src, targets).ok_or_else(|| {
                    Error::at(
                        img.at.clone(),
                        format!("image `{}` not found under content/", img.src),
                    )
                })?
            };
            Some(Image {
                url,
                caption: img.caption.clone(),
                credit: img.credit.clone(),
            })
        }
    };
    Ok(Article {
        url: urls.page(&meta.page),
        image,
        html: rendered.html,
        summary_html,
        summary_text,
        meta,
    })
}

/// Two articles with the same feed ID would look like one item to every reader.
/// (Two equal permalinks are already reported as a page collision.)
fn check_unique_ids(site: &Site, urls: &Urls) -> Vec<Error> {
    let mut seen: HashMap<String, (&Path, bool)> = HashMap::new();
    let mut errors = Vec::new();
    let mut by_path: Vec<&Article> = site.articles.iter().collect();
    by_path.sort_by(|a, b| a.meta.shown.cmp(&b.meta.shown));
    for a in by_path {
        let (id, _) = urls.item_id(a.meta.id.as_deref(), &a.url, &a.meta.date);
        let explicit = a.meta.id.is_some();
        if let Some((first, first_explicit)) = seen.insert(id.clone(), (&a.meta.shown, explicit)) {
            if !(explicit || first_explicit) {
                continue;
            }
            errors.push(Error::at(
                Location::file(&a.meta.shown),
                format!("feed ID `{id}` is also used by {}", first.display()),
            ));
        }
    }
    errors
}
