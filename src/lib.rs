//! mdfeed builds valid RSS 2.0, Atom 1.0 and JSON Feed files, and one HTML page per
//! article, from a folder of Markdown files with front matter.
//!
//! The pipeline, one module per stage:
//!
//! ```text
//! source (discover, read) → frontmatter (split, parse) → model (validate)
//!   → markdown (HTML) → render (pages) + feeds (RSS, Atom, JSON) → output (write)
//! ```
//!
//! `pipeline` runs the stages; `urls` is the only place that knows the URL layout.
//! Nothing is written until every stage has succeeded.

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]
#![warn(missing_docs)]

pub mod cache;
pub mod compat;
pub mod config;
pub mod dates;
pub mod diff;
pub mod error;
pub mod feeds;
pub mod frontmatter;
pub mod ids;
pub mod markdown;
pub mod media;
pub mod memo;
pub mod model;
pub mod output;
pub mod pipeline;
pub mod render;
pub mod report;
pub mod scaffold;
pub mod serve;
pub mod source;
pub mod taxonomy;
pub mod urls;
pub mod validate;
pub mod watch;

pub use error::{Error, Location, MessageFormat, Result, Warning};
pub use pipeline::{BuildOptions, BuildReport, Memo, build, build_with, survey};
pub use report::ContentReport;
