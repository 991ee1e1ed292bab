//! Errors and warnings that point at a place in a file.
//!
//! Owns: `Location` (`path:line:col`, lines and columns counted from 1 at the
//! start of the file) and the `Error` type every stage returns.
//! Does not: print anything or choose exit codes (that is the binary's job).

use std::fmt;
use std::path::{Path, PathBuf};

/// A place in a source file. `line` and `col` are 1-based; 0 means "unknown".
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct Location {
    /// The file as the user names it (relative to the working folder where possible).
    pub path: PathBuf,
    /// 1-based line, 0 when the problem concerns the whole file.
    pub line: u32,
    /// 1-based column, 0 when unknown.
    pub col: u32,
}

impl Location {
    /// Returns a location at `line:col` of `path`.
    pub fn new(path: impl Into<PathBuf>, line: u32, col: u32) -> Self {
        Location {
            path: path.into(),
            line,
            col,
        }
    }

    /// Returns the location of byte `offset` in `text`, which starts at file line `first_line`.
    pub fn in_text(path: impl Into<PathBuf>, text: &str, offset: usize, first_line: u32) -> Self {
        let before = text.get(..offset).unwrap_or(text);
        let line = before.matches('\n').count() as u32;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = before[line_start..].chars().count() as u32 + 1;
        Location::new(path, first_line + line, col)
    }

    /// Returns a location that names the file only (reported as line 1, column 1).
    pub fn file(path: impl Into<PathBuf>) -> Self {
        Location::new(path, 1, 1)
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}",
            self.path.display(),
            self.line.max(1),
            self.col.max(1)
        )
    }
}

/// Everything that can make a build fail.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad input at a known place: content, config or templates.
    #[error("{at}: error: {msg}")]
    At {
        /// Where the problem is.
        at: Location,
        /// What was expected and what was found.
        msg: String,
    },
    /// A file or folder could not be read or written.
    #[error("{}: error: {source}", .path.display())]
    Io {
        /// The file or folder concerned.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// Several problems, in a stable order (by file, then line).
    #[error("{} error(s)", .0.len())]
    Many(Vec<Error>),
}

impl Error {
    /// Returns an error at `at` with message `msg`.
    pub fn at(at: Location, msg: impl Into<String>) -> Self {
        Error::At {
            at,
            msg: msg.into(),
        }
    }

    /// Returns an I/O error about `path`.
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        Error::Io {
            path: path.to_owned(),
            source,
        }
    }

    /// Returns every single error, flattening `Many`.
    pub fn flatten(self) -> Vec<Error> {
        match self {
            Error::Many(errors) => errors.into_iter().flat_map(Error::flatten).collect(),
            other => vec![other],
        }
    }

    /// Returns the location, for sorting and for tests.
    pub fn location(&self) -> Option<&Location> {
        match self {
            Error::At { at, .. } => Some(at),
            _ => None,
        }
    }

    /// Merges a list of errors into one, sorted by place; `None` when the list is empty.
    pub fn gather(errors: Vec<Error>) -> Option<Error> {
        let mut all: Vec<Error> = errors.into_iter().flat_map(Error::flatten).collect();
        all.sort_by(|a, b| a.location().cmp(&b.location()));
        match all.len() {
            0 => None,
            1 => all.pop(),
            _ => Some(Error::Many(all)),
        }
    }
}

/// A problem that does not stop the build (a skipped file, a removed character).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct Warning {
    /// Where it is.
    pub at: Location,
    /// What happened.
    pub msg: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: warning: {}", self.at, self.msg)
    }
}

/// How the binary prints errors and warnings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum MessageFormat {
    /// `path:line:col: error: message`, the form editors and compilers use.
    #[default]
    Human,
    /// GitHub Actions workflow commands: `::error file=…,line=…,col=…::message`, shown
    /// as annotations on the pull request.
    Github,
}

impl MessageFormat {
    /// Formats one error (not `Many`: flatten first) or warning.
    fn line(self, level: &str, at: Option<&Location>, msg: &str, human: String) -> String {
        match (self, at) {
            (MessageFormat::Human, _) => human,
            (MessageFormat::Github, Some(at)) => format!(
                "::{level} file={},line={},col={}::{}",
                github_property(&at.path.display().to_string()),
                at.line.max(1),
                at.col.max(1),
                github_data(msg)
            ),
            (MessageFormat::Github, None) => format!("::{level}::{}", github_data(&human)),
        }
    }

    /// Formats an error for printing.
    pub fn error(self, e: &Error) -> String {
        match e {
            Error::At { at, msg } => self.line("error", Some(at), msg, e.to_string()),
            Error::Io { path, source } => {
                let at = Location::file(path);
                self.line("error", Some(&at), &source.to_string(), e.to_string())
            }
            Error::Many(_) => self.line("error", None, "", e.to_string()),
        }
    }

    /// Formats a warning for printing.
    pub fn warning(self, w: &Warning) -> String {
        self.line("warning", Some(&w.at), &w.msg, w.to_string())
    }
}

/// Escapes a workflow command's message: `%`, CR and LF would end or garble it.
fn github_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command's property value, where `:` and `,` are separators too.
fn github_property(s: &str) -> String {
    github_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// The result type of every stage.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_format_escapes_what_would_break_the_command() {
        let e = Error::at(Location::new("content/a,b:c.md", 3, 7), "50% off\nnext");
        assert_eq!(
            MessageFormat::Github.error(&e),
            "::error file=content/a%2Cb%3Ac.md,line=3,col=7::50%25 off%0Anext"
        );
        assert_eq!(MessageFormat::Human.error(&e), e.to_string());
        let w = Warning {
            at: Location::file("content/r.md"),
            msg: "skipped".into(),
        };
        assert_eq!(
            MessageFormat::Github.warning(&w),
            "::warning file=content/r.md,line=1,col=1::skipped"
        );
    }
}
