//! Groups the site's articles by tag and by category.
//!
//! Owns: term slugs (lowercase, ASCII-folded, stable) and the rule for two spellings
//! that fold to the same slug: they are one term, named by the spelling most articles
//! use, and the build warns about it (`Café` and `cafe` are almost always meant as
//! one tag; two pages fighting over `out/tags/cafe/` would be worse).
//! Does not: format URLs (see `urls`) or render anything. The only user of `deunicode`.

use std::collections::BTreeMap;

use deunicode::deunicode_with_tofu;

use crate::config::FeedsConfig;
use crate::error::{Location, Warning};
use crate::model::Site;
use crate::urls::TermKind;

/// One tag or category and its articles.
#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    /// Tag or category.
    pub kind: TermKind,
    /// Path segment under `tags/` or `categories/`.
    pub slug: String,
    /// The name shown to readers.
    pub name: String,
    /// Indices into `Site::articles`, in the site's canonical order (newest first).
    pub articles: Vec<usize>,
}

/// Every term of the site, sorted by kind, then slug.
#[derive(Debug, Default)]
pub struct Taxonomies {
    /// The terms.
    pub terms: Vec<Term>,
    /// Slugs by kind, then by spelling (looked up without copying the name).
    by_name: BTreeMap<TermKind, BTreeMap<String, String>>,
}

impl Taxonomies {
    /// Returns the slug of a tag or category as written in an article (`None` when that
    /// kind of term pages is turned off).
    pub fn slug_of(&self, kind: TermKind, name: &str) -> Option<&str> {
        self.by_name
            .get(&kind)
            .and_then(|names| names.get(name))
            .map(String::as_str)
    }

    /// Returns every spelling articles use, with its kind and the slug of its term.
    pub fn spellings(&self) -> impl Iterator<Item = (TermKind, &str, &str)> {
        self.by_name.iter().flat_map(|(kind, names)| {
            names
                .iter()
                .map(|(name, slug)| (*kind, name.as_str(), slug.as_str()))
        })
    }

    /// Returns the terms of one kind.
    pub fn of(&self, kind: TermKind) -> impl Iterator<Item = &Term> {
        self.terms.iter().filter(move |t| t.kind == kind)
    }
}

/// Collects the tags and categories the config asks for; merged spellings become warnings.
pub fn collect(site: &Site, feeds: &FeedsConfig) -> (Taxonomies, Vec<Warning>) {
    let mut tax = Taxonomies::default();
    let mut warnings = Vec::new();
    for kind in TermKind::ALL {
        let wanted = match kind {
            TermKind::Tag => feeds.tags,
            TermKind::Category => feeds.categories,
        };
        if wanted {
            collect_kind(site, kind, &mut tax, &mut warnings);
        }
    }
    (tax, warnings)
}

/// Articles by slug, then by spelling; every article once per slug.
type Groups = BTreeMap<String, BTreeMap<String, Vec<usize>>>;

fn collect_kind(site: &Site, kind: TermKind, tax: &mut Taxonomies, warnings: &mut Vec<Warning>) {
    let mut groups: Groups = BTreeMap::new();
    // A site uses few names many times: fold each one once.
    let mut slugs: std::collections::HashMap<&str, String> = std::collections::HashMap::new();
    for (i, a) in site.articles.iter().enumerate() {
        let names = match kind {
            TermKind::Tag => &a.meta.tags,
            TermKind::Category => &a.meta.categories,
        };
        for name in names {
            let slug = slugs.entry(name).or_insert_with(|| slug(name));
            let spellings = match groups.get_mut(slug.as_str()) {
                Some(s) => s,
                None => groups.entry(slug.clone()).or_default(),
            };
            // Two spellings of one term in the same article count once.
            if !spellings.values().any(|list| list.last() == Some(&i)) {
                match spellings.get_mut(name) {
                    Some(list) => list.push(i),
                    None => {
                        spellings.insert(name.clone(), vec![i]);
                    }
                }
            }
        }
    }
    for (slug, spellings) in groups {
        let name = spellings
            .iter()
            .max_by(|a, b| a.1.len().cmp(&b.1.len()).then_with(|| b.0.cmp(a.0)))
            .map(|(n, _)| n.clone())
            .unwrap_or_default();
        for (other, list) in spellings.iter().filter(|(n, _)| **n != name) {
            let first = list.iter().min_by_key(|&&i| &site.articles[i].meta.shown);
            let at = first.map_or_else(
                || Location::file("content"),
                |&i| Location::file(&site.articles[i].meta.shown),
            );
            warnings.push(Warning {
                at,
                msg: format!(
                    "{} `{other}` becomes `{slug}` like `{name}`: merged into `{name}`",
                    kind.label().to_lowercase()
                ),
            });
        }
        let mut articles: Vec<usize> = spellings.values().flatten().copied().collect();
        articles.sort_unstable();
        articles.dedup();
        for n in spellings.keys() {
            tax.by_name
                .entry(kind)
                .or_default()
                .insert(n.clone(), slug.clone());
        }
        tax.terms.push(Term {
            kind,
            slug,
            name,
            articles,
        });
    }
}

/// Returns the slug of a term: ASCII-folded (`Grüße` → `grusse`, `日本` → `ri-ben`),
/// lowercase, runs of anything else turned into one `-`. A name with nothing foldable
/// gets its code points in hex, so it still has a stable, unique slug.
pub fn slug(name: &str) -> String {
    let folded = deunicode_with_tofu(name, "-");
    let mut out = String::with_capacity(folded.len());
    for c in folded.chars().flat_map(|c| c.to_lowercase()) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let trimmed = out.trim_end_matches('-');
    if !trimmed.is_empty() {
        return trimmed.to_owned();
    }
    let hex: Vec<String> = name
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| format!("u{:x}", c as u32))
        .collect();
    match hex.is_empty() {
        true => "untitled".to_owned(),
        false => hex.join("-"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_folded_lowercase_ascii() {
        assert_eq!(slug("Rust Lang"), "rust-lang");
        assert_eq!(slug("Grüße & Co."), "grusse-co");
        assert_eq!(slug("China / Politics"), "china-politics");
        assert_eq!(slug("Café"), slug("cafe"));
        assert_eq!(slug("日本"), "ri-ben");
        assert_eq!(slug("C++"), "c");
        assert_eq!(slug("---"), "u2d-u2d-u2d");
        for s in ["Ελλάδα", "Москва", "🦀", "a\u{0}b", " "] {
            let got = slug(s);
            assert!(
                !got.is_empty() && got.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'),
                "{s:?} → {got:?}"
            );
            assert!(crate::urls::check_segment(&got).is_ok());
        }
    }
}
