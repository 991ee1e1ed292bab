//! Puts the articles in the site's order and groups them by tag and category, or,
//! when no article's path, date, tags or categories changed since the last build,
//! takes both from it (an edit to an article's text changes neither).

use std::sync::Arc;

use crate::config::{Config, FeedsConfig};
use crate::error::Warning;
use crate::model::{Article, Site};
use crate::taxonomy::{self, Taxonomies};

/// The last build's articles (in the order read), their order, and their terms.
pub(super) struct LastTerms {
    read: Vec<Arc<Article>>,
    wanted: (bool, bool),
    order: Vec<usize>,
    tax: Arc<Taxonomies>,
    warnings: Vec<Warning>,
}

/// Returns the site and its terms (with the warnings of merged spellings); `last` is
/// the memo's (`None` for a build that runs once: it keeps nothing).
pub(super) fn order_and_group(
    config: Config,
    articles: Vec<Arc<Article>>,
    last: Option<&mut Option<LastTerms>>,
) -> (Site, Arc<Taxonomies>, Vec<Warning>) {
    let wanted = wanted(&config.feeds);
    let held = last
        .as_deref()
        .and_then(Option::as_ref)
        .filter(|l| l.wanted == wanted && same_terms(&l.read, &articles));
    if let Some(l) = held {
        let site = Site::in_order(config, &articles, &l.order);
        return (site, Arc::clone(&l.tax), l.warnings.clone());
    }
    let order = Site::order(&articles);
    let site = Site::in_order(config, &articles, &order);
    let (tax, warnings) = taxonomy::collect(&site, &site.config.feeds);
    let tax = Arc::new(tax);
    if let Some(last) = last {
        *last = Some(LastTerms {
            read: articles,
            wanted,
            order,
            tax: Arc::clone(&tax),
            warnings: warnings.clone(),
        });
    }
    (site, tax, warnings)
}

fn wanted(feeds: &FeedsConfig) -> (bool, bool) {
    (feeds.tags, feeds.categories)
}

/// Would these articles be ordered and grouped as `last` were? Everything the order
/// and the grouping look at is compared (the path shown is where a merged spelling
/// is reported).
fn same_terms(last: &[Arc<Article>], articles: &[Arc<Article>]) -> bool {
    last.len() == articles.len()
        && last.iter().zip(articles).all(|(a, b)| {
            Arc::ptr_eq(a, b)
                || (a.meta.source == b.meta.source
                    && a.meta.shown == b.meta.shown
                    && a.meta.date == b.meta.date
                    && a.meta.tags == b.meta.tags
                    && a.meta.categories == b.meta.categories)
        })
}
