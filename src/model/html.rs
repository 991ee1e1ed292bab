//! An article's body as HTML, which a build either made or found in the cache in
//! `out/`: there, the bodies of a shard of the cache are read as one buffer, and each
//! article's HTML is a stretch of it, looked at only where a page or a feed part that
//! holds the article is made. A build that changed one article copies none of the
//! others' HTML (70 MB at 10,000 articles).

use std::fmt;
use std::ops::{Deref, Range};
use std::sync::Arc;

/// An article's body as HTML (see the module).
#[derive(Clone)]
pub struct Html(Repr);

#[derive(Clone)]
enum Repr {
    Made(String),
    /// A stretch of the HTML of a cache file, which was checked to be UTF-8 once,
    /// whole.
    Kept {
        file: Arc<String>,
        at: Range<usize>,
    },
}

impl Html {
    /// The HTML at `at` in `file`, if it is there (on character boundaries).
    pub fn kept(file: &Arc<String>, at: Range<usize>) -> Option<Html> {
        file.get(at.clone())?;
        Some(Html(Repr::Kept {
            file: Arc::clone(file),
            at,
        }))
    }

    /// Returns the HTML.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Made(s) => s,
            // Checked in `kept`; the file is never changed after.
            Repr::Kept { file, at } => file.get(at.clone()).unwrap_or_default(),
        }
    }
}

impl From<String> for Html {
    fn from(s: String) -> Html {
        Html(Repr::Made(s))
    }
}

impl Default for Html {
    fn default() -> Html {
        Html::from(String::new())
    }
}

impl Deref for Html {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq for Html {
    fn eq(&self, other: &Html) -> bool {
        self.as_str() == other.as_str()
    }
}

impl fmt::Debug for Html {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_html_is_a_checked_stretch_of_its_file() {
        let file = Arc::new("xx<p>é</p>ü".to_owned());
        let html = Html::kept(&file, 2..11).unwrap();
        assert_eq!(html.as_str(), "<p>é</p>");
        assert_eq!(html, Html::from("<p>é</p>".to_owned()));
        assert!(Html::kept(&file, 2..12).is_none(), "half a character");
        assert!(Html::kept(&file, 2..14).is_none(), "past the end");
        assert!(
            Html::kept(&file, 12..14).is_none(),
            "past the end, after the start"
        );
    }
}
