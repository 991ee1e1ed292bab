//! Criterion micro-benchmarks of mdfeed's hot paths: front matter, Markdown, feeds.
//!
//! `cargo bench --bench hot_paths` (add `-- --quick` for a short run, or a filter such
//! as `-- feeds`). Inputs are made in memory before timing starts; `cargo test`
//! runs each benchmark once, untimed, to prove it still works.

mod site;

use std::hint::black_box;
use std::sync::LazyLock;
use std::time::Duration;

use criterion::{
    BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};
use mdfeed::feeds::{self, FeedBody};
use mdfeed::frontmatter::{self, DataFormat};
use mdfeed::model::Site;
use mdfeed::taxonomy;
use site::Corpus;

/// How many generated articles the Markdown inputs are picked from, and the site of
/// the feed benchmarks holds (before drafts are left out).
const ARTICLES: usize = 200;

/// Made once per process, when a benchmark that needs it runs (`cargo test` and
/// nextest run each benchmark in its own process).
static CORPUS: LazyLock<Corpus> = LazyLock::new(|| Corpus::new(ARTICLES, site::config(false)));

/// The same front matter in both formats: the keys a blog post typically carries.
const YAML: &str = r#"---
title: "Notes on incremental builds & caching"
date: 2023-06-14T09:30:00+02:00
updated: 2024-01-02T18:05:00+02:00
draft: false
author: "Ada Example"
tags:
  - rust
  - performance
  - static sites
  - feeds
categories: [engineering]
summary: "What a rebuild can skip when one file changes, and what it cannot."
aliases: ["/2023/06/incremental/"]
extra:
  toc: true
  series: "build speed"
---
"#;

const TOML: &str = r#"+++
title = "Notes on incremental builds & caching"
date = 2023-06-14T09:30:00+02:00
updated = 2024-01-02T18:05:00+02:00
draft = false
author = "Ada Example"
tags = ["rust", "performance", "static sites", "feeds"]
categories = ["engineering"]
summary = "What a rebuild can skip when one file changes, and what it cannot."
aliases = ["/2023/06/incremental/"]

[extra]
toc = true
series = "build speed"
+++
"#;

fn front_matter(c: &mut Criterion) {
    let corpus = Corpus::new(1, site::config(false));
    let body = corpus.body(&corpus.articles[0].0);
    let mut group = c.benchmark_group("frontmatter");
    for (name, fenced, format) in [
        ("yaml", YAML, DataFormat::Yaml),
        ("toml", TOML, DataFormat::Toml),
    ] {
        let file = format!("{fenced}\n{body}");
        let split = frontmatter::split(&file)
            .expect("parses")
            .expect("has front matter");
        assert_eq!(split.fields.len(), 10, "{name}: every key is read");
        group.bench_function(BenchmarkId::new("split", name), |b| {
            b.iter(|| frontmatter::split(black_box(&file)))
        });
        // The same keys without fences, as a folder defaults file: the parser alone.
        let inner = fenced.lines().filter(|l| !matches!(*l, "---" | "+++"));
        let data: String = inner.flat_map(|l| [l, "\n"]).collect();
        assert_eq!(
            frontmatter::parse_data(&data, format).map(|f| f.len()),
            Ok(10)
        );
        group.bench_function(BenchmarkId::new("parse_data", name), |b| {
            b.iter(|| frontmatter::parse_data(black_box(&data), format))
        });
    }
    group.finish();
}

fn markdown(c: &mut Criterion) {
    let corpus = &*CORPUS;
    // Bodies with every construct the renderer handles specially.
    let rich: Vec<_> = corpus
        .articles
        .iter()
        .filter(|(text, meta)| {
            let html = corpus.render(corpus.body(text), meta).html;
            ["<h2", "<pre><code", "<table>", "footnote-definition"]
                .iter()
                .all(|s| html.contains(s))
                && html.contains(&format!("href=\"{}", corpus.urls.home()))
        })
        .collect();
    let mut group = c.benchmark_group("markdown/render");
    // The bodies nearest 2.5, 5 and 7.5 KB: the corpus's range.
    for want in [2_500, 5_000, 7_500] {
        let (text, meta) = rich
            .iter()
            .min_by_key(|(text, _)| corpus.body(text).len().abs_diff(want))
            .expect("the corpus has rich articles");
        let body = corpus.body(text);
        group.throughput(Throughput::Bytes(body.len() as u64));
        group.bench_function(BenchmarkId::from_parameter(body.len()), |b| {
            b.iter(|| corpus.render(black_box(body), meta))
        });
    }
    group.finish();
}

fn feed_documents(c: &mut Criterion) {
    let mut group = c.benchmark_group("feeds/build");
    // One iteration serialises and self-checks every document (tens of ms): flat
    // sampling, so 20 samples fit the time without 1 + 2 + ... + 20 iterations.
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(20)
        .measurement_time(Duration::from_secs(8));
    let full = CORPUS.site();
    // The same articles: `[feeds]` changes no article, only what the feeds hold.
    let default = Site::new(site::config(true), full.articles.clone());
    for (name, site) in [("full_site", full), ("default_config", default)] {
        let urls = mdfeed::urls::Urls::new(site.config.base_url.clone());
        let (tax, _) = taxonomy::collect(&site, &site.config.feeds);
        let made = feeds::build(&site, &urls, &tax).expect("feeds build");
        let bytes: usize = made.iter().map(|f| checked_len(&f.body)).sum();
        assert!(bytes > 0, "{name}: feeds were made");
        group.throughput(Throughput::Elements(site.articles.len() as u64));
        group.bench_function(BenchmarkId::from_parameter(name), |b| {
            b.iter(|| feeds::build(black_box(&site), &urls, &tax))
        });
    }
    group.finish();
}

/// The length of a document the self-check passed (a benchmark of a failing build
/// would time its error path).
fn checked_len(body: &FeedBody<Vec<u8>>) -> usize {
    match body {
        FeedBody::Made(bytes, Ok(())) => bytes.len(),
        FeedBody::Made(_, Err(e)) => panic!("a feed failed its check: {e:?}"),
        FeedBody::Held(bytes) => bytes.len(),
    }
}

criterion_group!(benches, front_matter, markdown, feed_documents);
criterion_main!(benches);
