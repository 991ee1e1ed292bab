//! The single integration-test binary: runs the real `mdfeed` binary on small
//! sites and reads its output back with real parsers (feed-rs, scraper,
//! serde_json), a real HTTP client, a real browser and the Nu HTML checker.

#![allow(clippy::print_stderr)] // tests say which external validators they skipped

mod browser;
mod build;
mod commands;
mod compat;
mod errors;
mod feed_page;
mod feeds;
mod fuzz_regressions;
mod golden;
mod html_check;
mod http;
mod ids;
mod incremental;
mod kill;
mod memo;
mod odd_inputs;
mod out_cache;
mod safety;
mod serve;
mod util;
mod validate;
mod validators;
