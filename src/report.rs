//! What the build made of the content folder, for people moving a blog in
//! (`mdfeed check --report`).
//!
//! Owns: the counts (articles, skipped files by reason, undated, untitled) and which
//! convention supplied each field, and their text form. Does not: print anything.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use crate::compat::dates::DateFrom;
use crate::compat::skip::SkipReason;
use crate::markdown::SummaryFrom;
use crate::model::AuthorsFrom;

/// A file that may have been an article but was left out.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Skipped {
    /// The file, as shown in messages.
    pub path: PathBuf,
    /// Why.
    pub reason: SkipReason,
}

/// What the build made of `content/`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContentReport {
    /// Files that may be articles: Markdown files, and HTML files with front matter.
    pub found: usize,
    /// Articles published.
    pub articles: usize,
    /// Files left out, and why, in path order.
    pub skipped: Vec<Skipped>,
    /// Files without a date anywhere (skipped or in error).
    pub undated: usize,
    /// Files without a title (in error).
    pub untitled: usize,
    /// Files with errors (`check` fails on them).
    pub failed: usize,
    /// The earliest date of an article left out because it lies in the future.
    pub next_due: Option<crate::dates::Date>,
    /// Where published articles' dates came from.
    pub dates: BTreeMap<DateFrom, usize>,
    /// Which `title_keys` entry published articles' titles came from.
    pub titles: BTreeMap<String, usize>,
    /// Where published articles' summaries came from.
    pub summaries: BTreeMap<SummaryFrom, usize>,
    /// Where published articles' authors came from.
    pub authors: BTreeMap<AuthorsFrom, usize>,
    /// Template tags shown as text, and in how many files.
    pub template_tags: (usize, usize),
    /// Redirect pages made for old URLs.
    pub redirects: usize,
}

fn date_from(d: DateFrom) -> &'static str {
    match d {
        DateFrom::FrontMatter => "front matter",
        DateFrom::FileName => "file name",
        DateFrom::FolderName => "folder name",
        DateFrom::PathKey => "path key",
    }
}

fn summary_from(s: SummaryFrom) -> &'static str {
    match s {
        SummaryFrom::Key => "key",
        SummaryFrom::Separator => "separator",
        SummaryFrom::FirstParagraph => "first paragraph",
        SummaryFrom::None => "none",
    }
}

fn authors_from(a: AuthorsFrom) -> &'static str {
    match a {
        AuthorsFrom::FrontMatter => "front matter",
        AuthorsFrom::FolderDefaults => "folder defaults",
        AuthorsFrom::Site => "site author",
        AuthorsFrom::None => "none",
    }
}

/// Writes `label: a 3, b 1` (or `label: -` when empty).
fn counts<K: Ord>(
    f: &mut fmt::Formatter<'_>,
    label: &str,
    map: &BTreeMap<K, usize>,
    name: impl Fn(&K) -> String,
) -> fmt::Result {
    let parts: Vec<String> = map
        .iter()
        .map(|(k, n)| format!("{} {n}", name(k)))
        .collect();
    let shown = if parts.is_empty() {
        "-".to_owned()
    } else {
        parts.join(", ")
    };
    writeln!(f, "{label:<15}{shown}")
}

/// Paths listed per skip reason; more are counted.
const LISTED: usize = 10;

impl fmt::Display for ContentReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{:<15}{}", "found:", self.found)?;
        writeln!(f, "{:<15}{}", "articles:", self.articles)?;
        writeln!(f, "{:<15}{}", "skipped:", self.skipped.len())?;
        let mut by_reason: BTreeMap<&SkipReason, Vec<&PathBuf>> = BTreeMap::new();
        for s in &self.skipped {
            by_reason.entry(&s.reason).or_default().push(&s.path);
        }
        for (reason, paths) in by_reason {
            writeln!(f, "  {reason}: {}", paths.len())?;
            for p in paths.iter().take(LISTED) {
                writeln!(f, "    {}", p.display())?;
            }
            if paths.len() > LISTED {
                writeln!(f, "    … and {} more", paths.len() - LISTED)?;
            }
        }
        writeln!(f, "{:<15}{}", "undated:", self.undated)?;
        writeln!(f, "{:<15}{}", "untitled:", self.untitled)?;
        writeln!(f, "{:<15}{}", "with errors:", self.failed)?;
        counts(f, "date from:", &self.dates, |d| date_from(*d).to_owned())?;
        counts(f, "title from:", &self.titles, |k| format!("`{k}`"))?;
        counts(f, "summary from:", &self.summaries, |s| {
            summary_from(*s).to_owned()
        })?;
        counts(f, "authors from:", &self.authors, |a| {
            authors_from(*a).to_owned()
        })?;
        let (tags, files) = self.template_tags;
        writeln!(
            f,
            "{:<15}{tags} in {files} file(s), shown as text",
            "template tags:"
        )?;
        writeln!(f, "{:<15}{}", "redirects:", self.redirects)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_form_groups_skips_by_reason() {
        let mut r = ContentReport {
            found: 3,
            articles: 1,
            ..ContentReport::default()
        };
        r.skipped.push(Skipped {
            path: "content/README.md".into(),
            reason: SkipReason::NoFrontMatter,
        });
        r.dates.insert(DateFrom::FileName, 1);
        r.summaries.insert(SummaryFrom::Separator, 1);
        let text = r.to_string();
        assert!(
            text.contains("skipped:       1\n  no front matter: 1\n    content/README.md\n"),
            "{text}"
        );
        assert!(text.contains("date from:     file name 1\n"), "{text}");
        assert!(text.contains("authors from:  -\n"), "{text}");
    }
}
