//! The benchmarks' inputs: the bench corpus's first articles (`examples/gen_corpus.rs`,
//! the generator behind BENCHMARKS.md, compiled in so nothing is read from disk), and
//! a `Site` made of them through the library's public stages, as the pipeline does.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use mdfeed::config::{self, Config};
use mdfeed::frontmatter::{self, Fields};
use mdfeed::markdown::{self, Body, SummaryFrom};
use mdfeed::memo::KeyHasher;
use mdfeed::model::{self, Article, Input, Meta, Resolved, Site};
use mdfeed::urls::{Target, Urls};

#[allow(dead_code, unreachable_pub)]
#[path = "../../examples/gen_corpus.rs"]
mod gen_corpus;

/// The seed of every figure in BENCHMARKS.md.
const SEED: u64 = 42;

/// Generated articles with their front matter validated, before rendering.
pub struct Corpus {
    pub config: Config,
    pub urls: Urls,
    /// Each article's source text and validated front matter (drafts left out).
    pub articles: Vec<(String, Meta)>,
    /// What each article's `.md` path becomes, for relative links.
    pub targets: HashMap<PathBuf, Target>,
}

/// The corpus's `mdfeed.toml` (every article in full in the site's RSS, Atom and
/// JSON feeds, no term feeds), or with `default_feeds` mdfeed's own `[feeds]`
/// defaults (20 items a document, archive pages, tag and category feeds).
pub fn config(default_feeds: bool) -> Config {
    let text = match gen_corpus::MDFEED_TOML.split_once("[feeds]") {
        Some((head, _)) if default_feeds => head.to_owned(),
        _ => format!("{}term_feeds = false\n", gen_corpus::MDFEED_TOML),
    };
    config::parse(Path::new("mdfeed.toml"), &text, None).expect("the corpus config parses")
}

impl Corpus {
    /// The first `count` generated articles (drafts then left out).
    pub fn new(count: usize, config: Config) -> Corpus {
        let urls = Urls::new(config.base_url.clone());
        let (mut metas, mut articles, mut targets) = (Vec::new(), Vec::new(), HashMap::new());
        for i in 0..count {
            let (generated, text) = gen_corpus::article(SEED, i, &metas);
            let source = PathBuf::from(&generated.rel);
            metas.push(generated);
            let Some(meta) = validate(&text, &source, &config, &urls) else {
                continue;
            };
            targets.insert(source, Target::Page(meta.page.clone()));
            if !meta.draft {
                articles.push((text, meta));
            }
        }
        Corpus {
            config,
            urls,
            articles,
            targets,
        }
    }

    /// Renders every article (as the pipeline's `render_one` does for a Markdown
    /// file without media) and sorts them into a site.
    pub fn site(&self) -> Site {
        let articles = self
            .articles
            .iter()
            .map(|(text, meta)| Arc::new(self.article(text, meta)))
            .collect();
        Site::new(self.config.clone(), articles)
    }

    /// The body of `text` (after its front matter).
    pub fn body<'t>(&self, text: &'t str) -> &'t str {
        let split = frontmatter::split(text).expect("front matter parses");
        split.expect("an article has front matter").body
    }

    /// Renders one body, links to other articles' `.md` files resolved as a build does.
    pub fn render(&self, body: &str, meta: &Meta) -> markdown::Rendered {
        let from = meta.source.as_path();
        let resolve = |dest: &str| self.urls.resolve_link(from, dest, &self.targets);
        let body = Body {
            text: body,
            literals: &[],
            separator: None,
        };
        markdown::render(&body, &resolve)
    }

    fn article(&self, text: &str, meta: &Meta) -> Article {
        let rendered = self.render(self.body(text), meta);
        let (summary_html, summary_text, summary_from, raw_summary_html) = match &meta.summary {
            Some(s) => {
                let (html, text, raw) = markdown::render_short(s, &[]);
                (html, text, SummaryFrom::Key, raw)
            }
            None => (
                rendered.summary_html,
                rendered.summary_text,
                rendered.summary_from,
                rendered.raw_html,
            ),
        };
        let url = self.urls.page(&meta.page);
        let (id, id_is_permalink) = self.urls.item_id(meta.id.as_deref(), &url, &meta.date);
        Article {
            url,
            id,
            id_is_permalink,
            image: None,
            enclosure: None,
            summary_html,
            summary_text,
            summary_from,
            template_tags: 0,
            raw_html: rendered.raw_html,
            raw_summary_html,
            html: rendered.html.into(),
            key: KeyHasher::new("bench article").str(text).finish(),
            meta: meta.clone(),
        }
    }
}

fn validate(text: &str, source: &Path, config: &Config, urls: &Urls) -> Option<Meta> {
    let split = frontmatter::split(text).expect("front matter parses")?;
    let shown = Path::new("content").join(source);
    let input = Input {
        fields: split.fields,
        defaults: Fields::new(),
        source,
        shown: &shown,
        html: false,
        body_is_empty: split.body.trim().is_empty(),
        section_page: false,
    };
    match model::resolve(input, config, urls, &mut Vec::new()) {
        Ok(Resolved::Article(meta)) => Some(*meta),
        Ok(Resolved::Skipped(_)) => None,
        Err(f) => panic!("{}: {:?}", source.display(), f.errors),
    }
}
