//! URL patterns such as `/news/:year/:month/:day/:slug/`, from `[content] permalink`
//! or from an article's own `path` / `permalink` / `url` key.
//!
//! Owns: the tokens (`:year :month :day :slug :folder`, and Jekyll's `:title` for
//! `:slug`) and turning a pattern into checked page path segments.
//! Does not: choose which pattern applies (see `model`).

use chrono::{Datelike, NaiveDate};

use super::check_segment;

/// One piece of a pattern segment.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Year,
    Month,
    Day,
    Slug,
    /// The article's folders under `content/`; always a whole segment.
    Folder,
}

/// A parsed URL pattern; its segments are checked when it is expanded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Permalink {
    segments: Vec<Vec<Piece>>,
}

/// What a pattern's tokens stand for, for one article.
#[derive(Debug, Clone, Copy)]
pub struct PermalinkValues<'a> {
    /// The publication day, in the site time zone.
    pub day: NaiveDate,
    /// The article's slug.
    pub slug: &'a str,
    /// The article's folders under `content/`.
    pub folder: &'a [String],
}

const TOKENS: &str = "`:year`, `:month`, `:day`, `:slug` (or `:title`) and `:folder`";

impl Permalink {
    /// Parses a pattern; a path without tokens (`/about/`, Zola's `blog/x`) is fine too.
    pub fn parse(s: &str) -> Result<Permalink, String> {
        let mut segments = Vec::new();
        for raw in s.trim().split('/').filter(|seg| !seg.is_empty()) {
            let pieces = pieces(raw)?;
            if pieces.len() > 1 && pieces.contains(&Piece::Folder) {
                return Err(format!("`:folder` must be a whole segment, found `{raw}`"));
            }
            segments.push(pieces);
        }
        if segments.is_empty() {
            return Err(format!("`{s}` has no path segments"));
        }
        Ok(Permalink { segments })
    }

    /// Returns the page path segments for one article; each one is checked.
    pub fn expand(&self, v: &PermalinkValues<'_>) -> Result<Vec<String>, String> {
        let mut out = Vec::new();
        for seg in &self.segments {
            if seg.as_slice() == [Piece::Folder] {
                out.extend(v.folder.iter().cloned());
                continue;
            }
            let mut s = String::new();
            for piece in seg {
                match piece {
                    Piece::Text(t) => s.push_str(t),
                    Piece::Year => s.push_str(&format!("{:04}", v.day.year())),
                    Piece::Month => s.push_str(&format!("{:02}", v.day.month())),
                    Piece::Day => s.push_str(&format!("{:02}", v.day.day())),
                    Piece::Slug => s.push_str(v.slug),
                    Piece::Folder => {}
                }
            }
            check_segment(&s).map_err(|why| format!("a path segment {why}"))?;
            out.push(s);
        }
        if out.is_empty() {
            return Err("the path is empty (that is the home page)".into());
        }
        Ok(out)
    }
}

fn pieces(raw: &str) -> Result<Vec<Piece>, String> {
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut rest = raw;
    while let Some(i) = rest.find(':') {
        text.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let len = after
            .find(|c: char| !c.is_ascii_alphabetic() && c != '_')
            .unwrap_or(after.len());
        let piece = match &after[..len] {
            "" => {
                text.push(':');
                rest = after;
                continue;
            }
            "year" => Piece::Year,
            "month" => Piece::Month,
            "day" => Piece::Day,
            "slug" | "title" => Piece::Slug,
            "folder" => Piece::Folder,
            other => return Err(format!("unknown token `:{other}`; known: {TOKENS}")),
        };
        if !text.is_empty() {
            pieces.push(Piece::Text(std::mem::take(&mut text)));
        }
        pieces.push(piece);
        rest = &after[len..];
    }
    text.push_str(rest);
    if !text.is_empty() {
        pieces.push(Piece::Text(text));
    }
    Ok(pieces)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values<'a>(slug: &'a str, folder: &'a [String]) -> PermalinkValues<'a> {
        PermalinkValues {
            day: NaiveDate::from_ymd_opt(2024, 4, 9).unwrap(),
            slug,
            folder,
        }
    }

    #[test]
    fn expands_tokens_and_folders() {
        let folder = vec!["blog".to_owned(), "2024".to_owned()];
        let p = Permalink::parse("/news/:year/:month/:day/:slug/").unwrap();
        assert_eq!(
            p.expand(&values("Hello.World", &folder)).unwrap(),
            ["news", "2024", "04", "09", "Hello.World"]
        );
        let p = Permalink::parse("/:folder/:year-:month-:title/").unwrap();
        assert_eq!(
            p.expand(&values("x", &folder)).unwrap(),
            ["blog", "2024", "2024-04-x"]
        );
        let p = Permalink::parse("/:folder/:slug/").unwrap();
        assert_eq!(p.expand(&values("x", &[])).unwrap(), ["x"]);
        let p = Permalink::parse("blog/plain path").unwrap();
        assert_eq!(p.expand(&values("x", &[])).unwrap(), ["blog", "plain path"]);
    }

    #[test]
    fn rejects_bad_patterns_and_segments() {
        assert!(Permalink::parse("/:categories/:slug/").is_err());
        assert!(Permalink::parse("/a-:folder/").is_err());
        assert!(Permalink::parse("/").is_err());
        let p = Permalink::parse("/x/:slug/").unwrap();
        assert!(p.expand(&values("..", &[])).is_err());
        let p = Permalink::parse("/../x/").unwrap();
        assert!(p.expand(&values("s", &[])).is_err());
        let p = Permalink::parse("/:folder/").unwrap();
        assert!(p.expand(&values("s", &[])).is_err());
    }
}
