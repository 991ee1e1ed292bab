//! The `mdfeed` command: parses the command line, runs the library and maps
//! errors to exit codes. What is printed, and how, lives in `term`.

#![allow(clippy::print_stderr, clippy::print_stdout)]

mod term;

use std::io::Write;
use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, CommandFactory, Parser, Subcommand};
use clap_complete::Shell;
use clap_mangen::Man;
use mdfeed::{BuildOptions, Error, scaffold, serve, watch};
use mimalloc::MiMalloc;

use term::Term;

/// mimalloc instead of the system's allocator: a build allocates and frees millions
/// of small strings from both cores, and glibc's malloc spent a sixth of a build's
/// time on it (see BENCHMARKS.md for the figures with and without).
#[global_allocator]
static ALLOCATOR: MiMalloc = MiMalloc;

const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  content, config or template errors (each printed as path:line:col: error: …)
  2  usage errors (an unknown command or flag)
  3  I/O errors (a file could not be read or written, a port could not be opened)
  4  `diff`: an item keeps its link but changed its ID (readers would show it as new)";

/// Builds RSS, Atom and JSON feeds and HTML pages from Markdown articles.
#[derive(Parser)]
#[command(version, about, after_help = EXIT_CODES)]
struct Cli {
    /// Print errors only.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    quiet: bool,
    /// Print more: how long each stage of a build took, the files whose change caused a
    /// rebuild, every request served.
    #[arg(short, long, global = true)]
    verbose: bool,
    #[command(subcommand)]
    command: Command,
    /// How to print errors and warnings: `human` (path:line:col: error: message) or
    /// `github` (GitHub Actions annotations).
    #[arg(long, global = true, value_enum, default_value_t = Format::Human)]
    message_format: Format,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    Human,
    Github,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site into the output folder.
    Build {
        #[command(flatten)]
        common: Common,
        /// Keep running and rebuild whenever content/, templates/ or mdfeed.toml change.
        #[arg(long)]
        watch: bool,
    },
    /// Check the config and every article; write nothing.
    Check(Common),
    /// Serve the site on this computer; rebuild and reload open pages on every change.
    ///
    /// The site is built in memory with the server's address as base URL; nothing
    /// is written, so out/ keeps what `mdfeed build` made.
    Serve(ServeArgs),
    /// Create a new site: mdfeed.toml, an example article and .gitignore.
    Init {
        /// The folder of the new site (made if missing).
        #[arg(default_value = ".")]
        dir: PathBuf,
    },
    /// Start an article: writes content/FOLDER/SLUG.md and prints its path.
    New {
        /// The article's title; the file name is made from it.
        title: String,
        /// The folder under content/.
        #[arg(long, default_value = scaffold::DEFAULT_FOLDER)]
        folder: PathBuf,
        /// Mark the article as a draft (left out of builds without --drafts).
        #[arg(long)]
        draft: bool,
        /// Site root, holding mdfeed.toml.
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// Print a shell completion script.
    ///
    /// For example: mdfeed completions bash > ~/.local/share/bash-completion/completions/mdfeed
    Completions {
        /// The shell.
        shell: Shell,
    },
    /// Manage the feed IDs pinned in mdfeed.lock.
    #[command(subcommand)]
    Ids(IdsCommand),
    /// Compare the feeds of two builds (folders) or two feed files: items added,
    /// removed, changed, and items whose ID changed (exit 4 if any did).
    Diff {
        /// The published output folder or feed file.
        old: PathBuf,
        /// The new output folder or feed file.
        new: PathBuf,
    },
    /// Print the man page (roff).
    ///
    /// For example: mdfeed man > ~/.local/share/man/man1/mdfeed.1
    Man,
}

#[derive(Subcommand)]
enum IdsCommand {
    /// Give the article now at NEW the ID pinned for OLD (after moving its file).
    Mv {
        /// The article's old path (under content/).
        old: String,
        /// The article's new path (under content/).
        new: String,
        /// Site root, holding mdfeed.lock.
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
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
    #[command(flatten)]
    include: Include,
    /// Print what was made of content/: articles, skipped files and why, and where
    /// each field came from (for blogs moved from Jekyll, Hugo, Zola, Eleventy).
    #[arg(long)]
    report: bool,
    /// Fail instead of adding new articles' IDs to mdfeed.lock (for CI).
    #[arg(long)]
    locked: bool,
}

/// Which articles besides the published ones a build takes (build, check, serve).
#[derive(Args)]
struct Include {
    /// Include articles marked as drafts.
    #[arg(long)]
    drafts: bool,
    /// Include articles dated in the future.
    #[arg(long)]
    future: bool,
}

#[derive(Args)]
struct ServeArgs {
    /// Site root, holding mdfeed.toml and content/.
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// The port; 0 picks a free one.
    #[arg(long, short, default_value_t = 1111)]
    port: u16,
    /// The address to listen on. The default is this computer only; 0.0.0.0
    /// lets other devices on your network in.
    #[arg(long, default_value = "127.0.0.1")]
    bind: IpAddr,
    /// Use this root URL in links instead of the server's address (for a phone
    /// on your network, say `--bind 0.0.0.0 --base-url http://laptop.local:1111/`).
    #[arg(long)]
    base_url: Option<String>,
    #[command(flatten)]
    include: Include,
}

impl Common {
    fn options(self, write: bool) -> BuildOptions {
        BuildOptions {
            root: self.root,
            out: self.out,
            base_url: self.base_url,
            drafts: self.include.drafts,
            future: self.include.future,
            now: None,
            write,
            locked: self.locked,
            progress: None,
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let term = Term::new(cli.quiet, cli.verbose).with_format(match cli.message_format {
        Format::Human => mdfeed::MessageFormat::Human,
        Format::Github => mdfeed::MessageFormat::Github,
    });
    let code = match cli.command {
        Command::Build { common, watch } => {
            let report = common.report;
            build(&term, common.options(true), watch, report)
        }
        Command::Check(common) => {
            let report = common.report;
            build(&term, common.options(false), false, report)
        }
        Command::Serve(args) => run_server(&term, args),
        Command::Init { dir } => {
            let zone = iana_time_zone::get_timezone().unwrap_or_else(|_| "UTC".into());
            match scaffold::init(&dir, &zone, chrono::Utc::now()) {
                Ok(files) => term.initialised(&dir, &files),
                Err(e) => term.failed(e),
            }
        }
        Command::New {
            title,
            folder,
            draft,
            root,
        } => match scaffold::new_article(&root, &title, &folder, draft, chrono::Utc::now()) {
            Ok(path) => {
                println!("{}", path.display());
                0
            }
            Err(e) => term.failed(e),
        },
        Command::Ids(IdsCommand::Mv { old, new, root }) => ids_mv(&term, &root, &old, &new),
        Command::Diff { old, new } => diff(&term, &old, &new),
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "mdfeed", &mut std::io::stdout());
            0
        }
        Command::Man => {
            let mut out = std::io::stdout().lock();
            match Man::new(Cli::command()).render(&mut out) {
                Ok(()) => out.flush().map_or(3, |()| 0),
                Err(_) => 3,
            }
        }
    };
    ExitCode::from(code)
}

/// Builds once, or (with `watch`) again after every change until the watcher fails.
/// With `report`, also prints what was made of content/ (on stdout).
fn build(term: &Term, mut opts: BuildOptions, watch: bool, report: bool) -> u8 {
    opts.progress = term.progress();
    let mut watcher = match watch.then(|| watch::Watch::new(&opts.root)).transpose() {
        Ok(w) => w,
        Err(e) => return term.failed(e),
    };
    // A watching build keeps what it made for the next one; a single build keeps nothing.
    let mut memo = match watch {
        true => mdfeed::Memo::default(),
        false => mdfeed::Memo::once(),
    };
    let code = term.build(&opts, &[], report, &mut memo);
    let Some(watcher) = watcher.as_mut() else {
        // The process exits next, and the system takes its memory back at once.
        memo.leave_discarded();
        return code;
    };
    term.watching(&opts.root);
    loop {
        match watcher.changes() {
            Ok(changed) => {
                memo.changed(&changed);
                term.build(&opts, &changed, report, &mut memo);
            }
            Err(e) => return term.failed(e),
        }
    }
}

fn run_server(term: &Term, args: ServeArgs) -> u8 {
    let opts = serve::ServeOptions {
        build: BuildOptions {
            root: args.root,
            base_url: args.base_url,
            drafts: args.include.drafts,
            future: args.include.future,
            progress: term.progress(),
            ..BuildOptions::default()
        },
        bind: args.bind,
        port: args.port,
    };
    let server = match serve::bind(opts) {
        Ok(s) => s,
        Err(e) => return term.failed(e),
    };
    // On stdout, alone on its line: scripts (and tests) read the address there.
    println!("serving {}", server.url());
    let _ = std::io::stdout().flush();
    match server.run(&|event| term.serve_event(&event)) {
        Ok(()) => 0,
        Err(e) => term.failed(e),
    }
}

/// Moves a pinned feed ID to an article's new path (`mdfeed ids mv`).
fn ids_mv(term: &Term, root: &std::path::Path, old: &str, new: &str) -> u8 {
    match mdfeed::pipeline::move_id(root, old, new) {
        Ok(moved) => {
            eprintln!("mdfeed: {} now has the ID `{}`", moved.new, moved.id);
            if let Some(replaced) = moved.replaced {
                eprintln!("mdfeed: (it replaces `{replaced}`, pinned for it by an earlier build)");
            }
            0
        }
        Err(e) => term.failed(e),
    }
}

/// Compares the feeds of two builds; exit 4 when an item changed its ID.
fn diff(term: &Term, old: &std::path::Path, new: &std::path::Path) -> u8 {
    match mdfeed::diff::compare(old, new) {
        Ok(report) => {
            print!("{report}");
            if report.ids_changed() {
                eprintln!(
                    "mdfeed: {} item(s) changed their ID: readers will show them again as new",
                    report.id_changes()
                );
                4
            } else {
                0
            }
        }
        Err(e) => term.failed(e),
    }
}

/// Returns the exit code for a failed run: 3 when any problem is I/O, else 1.
fn exit_code(errors: &[Error]) -> u8 {
    if errors.iter().any(|e| matches!(e, Error::Io { .. })) {
        3
    } else {
        1
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
