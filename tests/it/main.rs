//! The single integration-test binary: runs the real `mdfeed` binary on small
//! sites and reads its output back with real parsers (feed-rs, scraper, serde_json).

#![allow(clippy::print_stderr)] // tests say which external validators they skipped

mod build;
mod compat;
mod errors;
mod golden;
mod util;
mod validators;
