//! The `mdfeed` command: parses the command line, runs the library, prints
//! errors and maps them to exit codes.

#![allow(clippy::print_stderr, clippy::print_stdout)]

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

/// Builds RSS, Atom and JSON feeds and HTML pages from Markdown articles.
///
/// Exit codes: 0 success, 1 content or config errors, 2 usage errors, 3 I/O errors.
#[derive(Parser)]
#[command(version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site into the output folder.
    Build(Common),
    /// Check the config and every article; write nothing.
    Check(Common),
}

#[derive(Args)]
struct Common {
    /// Site root, holding mdfeed.toml and content/.
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// Output folder [default: ROOT/out].
    #[arg(long)]
    out: Option<PathBuf>,
    /// Use this base URL instead of the config's (for preview deploys).
    #[arg(long)]
    base_url: Option<String>,
    /// Include articles marked as drafts.
    #[arg(long)]
    drafts: bool,
    /// Include articles dated in the future.
    #[arg(long)]
    future: bool,
    /// Print what was made of content/: articles, skipped files and why, and where
    /// each field came from (for blogs moved from Jekyll, Hugo, Zola, Eleventy).
    #[arg(long)]
    report: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let (common, write) = match cli.command {
        Command::Build(c) => (c, true),
        Command::Check(c) => (c, false),
    };
    let print_report = common.report;
    let opts = mdfeed::BuildOptions {
        root: common.root,
        out: common.out,
        base_url: common.base_url,
        drafts: common.drafts,
        future: common.future,
        now: None,
        write,
        progress: None,
    };
    let started = std::time::Instant::now();
    match mdfeed::build(&opts) {
        Ok(report) => {
            for w in &report.warnings {
                eprintln!("{w}");
            }
            if print_report {
                print!("{}", report.content);
            }
            let secs = started.elapsed().as_secs_f64();
            match report.write {
                Some(w) => eprintln!(
                    "mdfeed: built {} articles, {} feeds in {secs:.2} s ({} files written, {} unchanged, {} removed)",
                    report.articles, report.feeds, w.written, w.unchanged, w.removed
                ),
                None => eprintln!("mdfeed: checked {} articles: no errors", report.articles),
            }
            ExitCode::SUCCESS
        }
        Err(err) => {
            // The report counts what could be read, errors included.
            if let (true, Ok(content)) = (print_report, mdfeed::survey(&opts)) {
                print!("{content}");
            }
            let errors = err.flatten();
            let io = errors.iter().any(|e| matches!(e, mdfeed::Error::Io { .. }));
            for e in &errors {
                eprintln!("{e}");
            }
            eprintln!("mdfeed: {} error(s); nothing was written", errors.len());
            ExitCode::from(if io { 3 } else { 1 })
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_valid() {
        super::Cli::command().debug_assert();
    }
}
