//! Conventions of other site generators (Jekyll, Hugo, Zola, Eleventy), so that a
//! blog folder written for one of them builds unchanged.
//!
//! Each file owns one family of conventions and feeds the raw → model step:
//! `dates` (dates from file, folder and path names), `defaults` (folder defaults
//! files), `skip` (what is not an article, and why), `template_syntax` (template
//! tags in bodies). `model` stays the owner of the validated article.

pub mod dates;
pub mod defaults;
pub mod skip;
pub mod template_syntax;
