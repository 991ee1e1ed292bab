//! One article built on its own, in memory: the same stages as a build, for
//! previews and for fuzzing the whole path from bytes to feeds.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use super::article::render_one;
use super::read::{self, Outcome};
use crate::compat::defaults::FolderDefaults;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::feeds::FeedBody;
use crate::memo::KeyHasher;
use crate::model::Site;
use crate::render::{ArticleValue, Templates, TermPaths, Views};
use crate::source::{self, Kind, SourceFile};
use crate::taxonomy::Taxonomies;
use crate::urls::Urls;
use crate::validate;

/// One article built on its own: its page, and each feed holding only it.
#[derive(Debug)]
pub struct Single {
    /// The article's HTML page.
    pub page: String,
    /// RSS 2.0, Atom 1.0 and JSON Feed files, in [`crate::urls::FeedKind::ALL`] order.
    pub feeds: Vec<Vec<u8>>,
}

/// Builds one Markdown file, given as bytes at `rel` under `content/`, into its page and
/// feeds through the same stages as [`super::build`], without touching the disk: for
/// previews and fuzzing. `Ok(None)` when the file is not an article (no front matter,
/// or skipped). Drafts and future dates are kept; links to other files stay as written.
pub fn build_single(
    config: &Config,
    templates: &Templates,
    rel: &Path,
    bytes: &[u8],
) -> Result<Option<Single>> {
    let file = SourceFile {
        rel: rel.to_owned(),
        shown: Path::new("content").join(rel),
        abs: rel.to_owned(),
        kind: Kind::Markdown,
    };
    let text = source::decode_text(bytes.to_vec(), &file.shown)?;
    let urls = Urls::new(config.base_url.clone());
    let ctx = read::Context {
        config,
        urls: &urls,
        defaults: &FolderDefaults::default(),
        sections: &BTreeSet::new(),
    };
    let parsed = match read::parse_one(text, &file, &ctx).0 {
        Outcome::Article(p) => *p,
        Outcome::Failed(f) => {
            let e = Error::gather(f.errors);
            return Err(e.unwrap_or_else(|| Error::at(file.at(1, 1), "not an article")));
        }
        Outcome::Skipped(_) | Outcome::Asset => return Ok(None),
    };
    let separator = config.content.excerpt_separator.as_deref();
    // No other files exist here: local images and enclosures are "not found".
    let no_files = Path::new("content");
    let key = KeyHasher::new("single").finish();
    let files = (separator, no_files);
    let made = render_one(&parsed, &key, &urls, &HashMap::new(), files, None)?;
    let site = Site::new(config.clone(), vec![made.article]);
    let Some(article) = site.articles.first() else {
        return Ok(None);
    };
    // No tag or category feeds: the site's feeds alone.
    let tax = Taxonomies::default();
    let values = [ArticleValue::new(
        article,
        &urls,
        &TermPaths::new(&urls, &tax),
    )];
    let page = templates.article(&Views::new(&site, &urls, &tax, &values), 0)?;
    let gather =
        |errors| Error::gather(errors).unwrap_or_else(|| Error::at(file.at(1, 1), "invalid feed"));
    let mut docs = Vec::new();
    for f in crate::feeds::build(&site, &urls, &tax)? {
        let bytes = match f.body {
            FeedBody::Held(bytes) => bytes.to_vec(),
            FeedBody::Made(bytes, verdict) => verdict.map(|()| bytes).map_err(gather)?,
        };
        // Checked again with nothing vouched for, so fuzzing the whole path also finds
        // invalid feeds: the content's URLs are parsed again too.
        validate::check(&f.file, f.kind, &bytes).map_err(gather)?;
        docs.push(bytes);
    }
    Ok(Some(Single { page, feeds: docs }))
}
