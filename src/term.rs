//! What the `mdfeed` binary prints, and how (part of the binary, not the library).
//!
//! Owns: colour (through `anstream`, which drops it when stderr is not a
//! terminal or `NO_COLOR` is set), the progress bar (the only user of
//! `indicatif`; shown only on a terminal and only once a build has taken a
//! moment), `--quiet` and `--verbose`, `--message-format`, and the one-line summaries.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anstream::{eprintln, print, println};
use anstyle::{AnsiColor, Style};
use indicatif::{HumanCount, ProgressBar, ProgressDrawTarget, ProgressStyle};
use mdfeed::pipeline::Progress;
use mdfeed::serve::Event;
use mdfeed::{BuildOptions, BuildReport, Error, MessageFormat, Warning};

const BOLD: Style = Style::new().bold();
const RED: Style = AnsiColor::Red.on_default().bold();
const YELLOW: Style = AnsiColor::Yellow.on_default().bold();
const GREEN: Style = AnsiColor::Green.on_default();
const DIM: Style = Style::new().dimmed();

/// A build that ends sooner than this shows no progress bar: it would only flicker.
const BAR_AFTER: Duration = Duration::from_millis(300);

/// How much to say, and the progress bar when there may be one.
pub struct Term {
    quiet: bool,
    verbose: bool,
    format: MessageFormat,
    bar: Option<Arc<Bar>>,
}

impl Term {
    pub fn new(quiet: bool, verbose: bool) -> Term {
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| Arc::new(Bar::new()));
        Term {
            quiet,
            verbose,
            format: MessageFormat::Human,
            bar,
        }
    }

    /// Prints errors and warnings in `format` (GitHub annotations are never coloured).
    pub fn with_format(self, format: MessageFormat) -> Term {
        Term { format, ..self }
    }

    /// Returns the progress bar to hand to builds, when one may be shown.
    pub fn progress(&self) -> Option<Arc<dyn Progress>> {
        self.bar.clone().map(|b| b as Arc<dyn Progress>)
    }

    fn end_progress(&self) {
        if let Some(bar) = &self.bar {
            bar.finish();
        }
    }

    /// Runs one build and reports it; returns its exit code. With `content_report`,
    /// also prints what the build made of content/ (on stdout, even after errors).
    pub fn build(
        &self,
        opts: &BuildOptions,
        changed: &[PathBuf],
        content_report: bool,
        memo: &mut mdfeed::Memo,
    ) -> u8 {
        if self.verbose && !changed.is_empty() {
            self.changed(changed);
        }
        let started = Instant::now();
        let result = mdfeed::build_with(opts, memo);
        self.end_progress();
        match result {
            Ok(report) => {
                self.warnings(&report.warnings);
                if content_report {
                    print!("{}", report.content);
                }
                self.built(&report, started.elapsed());
                0
            }
            Err(e) => {
                // The report counts what could be read, errors included.
                if content_report && let Ok(content) = mdfeed::survey(opts) {
                    print!("{content}");
                }
                self.failed(e)
            }
        }
    }

    fn built(&self, report: &BuildReport, took: Duration) {
        if self.quiet {
            return;
        }
        let secs = took.as_secs_f64();
        let (articles, feeds) = (
            count(report.articles, "article"),
            count(report.feeds, "feed"),
        );
        if report.pinned > 0 && report.write.is_some() {
            eprintln!(
                "mdfeed: pinned the feed IDs of {} in mdfeed.lock; commit it",
                count(report.pinned, "new article")
            );
        }
        match report.write {
            Some(_) if report.up_to_date => eprintln!(
                "mdfeed: built {articles}, {feeds} in {secs:.2} s (up to date: no input changed since the last build)"
            ),
            Some(w) => eprintln!(
                "mdfeed: built {articles}, {feeds} in {secs:.2} s ({} written, {} unchanged, {} removed)",
                HumanCount(w.written as u64),
                HumanCount(w.unchanged as u64),
                HumanCount(w.removed as u64)
            ),
            None => eprintln!("mdfeed: checked {articles}: no errors"),
        }
        if self.verbose && !report.up_to_date {
            let m = &report.memo;
            let (read, r, pages, lists, p) =
                (m.read, m.rendered, m.pages, m.listings, m.feed_parts);
            let parts = match p.hits + p.misses {
                0 => String::new(),
                all => format!(", {} of {all} feed parts", p.misses),
            };
            eprintln!(
                "{DIM}made anew: {} of {} files read, {} of {} articles rendered, {} of {} pages, {} of {} listings{parts} (the others as an earlier build made them){DIM:#}",
                read.misses,
                read.hits + read.misses,
                r.misses,
                r.hits + r.misses,
                pages.misses,
                pages.hits + pages.misses,
                lists.misses,
                lists.hits + lists.misses
            );
            eprintln!("{DIM}took: {}{DIM:#}", report.stages);
        }
    }

    fn warnings(&self, warnings: &[Warning]) {
        if self.quiet {
            return;
        }
        for w in warnings {
            match self.format {
                MessageFormat::Github => eprintln!("{}", self.format.warning(w)),
                MessageFormat::Human => eprintln!(
                    "{BOLD}{}:{BOLD:#} {YELLOW}warning:{YELLOW:#} {}",
                    w.at, w.msg
                ),
            }
        }
    }

    /// Prints every problem, one per line; returns the exit code.
    pub fn failed(&self, error: Error) -> u8 {
        let errors = error.flatten();
        match self.format {
            MessageFormat::Github => errors
                .iter()
                .for_each(|e| eprintln!("{}", self.format.error(e))),
            MessageFormat::Human => errors.iter().for_each(print_error),
        }
        let code = super::exit_code(&errors);
        eprintln!(
            "mdfeed: {} error(s); nothing was written",
            HumanCount(errors.len() as u64)
        );
        code
    }

    fn changed(&self, changed: &[PathBuf]) {
        let names: Vec<String> = changed.iter().map(|p| p.display().to_string()).collect();
        eprintln!("{DIM}changed: {}{DIM:#}", names.join(", "));
    }

    pub fn watching(&self, root: &Path) {
        if !self.quiet {
            eprintln!(
                "mdfeed: watching {} for changes (Ctrl-C to stop)",
                mdfeed::config::display_path(root).display()
            );
        }
    }

    /// Reports a new site and what to do next.
    pub fn initialised(&self, dir: &Path, files: &[PathBuf]) -> u8 {
        if self.quiet {
            return 0;
        }
        let dir = mdfeed::config::display_path(dir);
        for f in files {
            eprintln!("{GREEN}created{GREEN:#} {}", dir.join(f).display());
        }
        let cd = if dir.as_os_str().is_empty() || dir == Path::new(".") {
            String::new()
        } else {
            format!("cd {} && ", dir.display())
        };
        eprintln!("\nNext: {BOLD}{cd}mdfeed serve{BOLD:#} and open the address it prints.");
        0
    }

    /// Reports what the dev server did.
    pub fn serve_event(&self, event: &Event<'_>) {
        match event {
            Event::Built {
                report,
                took,
                changed,
            } => {
                self.end_progress();
                if self.verbose && !changed.is_empty() {
                    self.changed(changed);
                }
                self.warnings(&report.warnings);
                if !self.quiet {
                    let what = if changed.is_empty() {
                        "built"
                    } else {
                        "rebuilt"
                    };
                    eprintln!(
                        "mdfeed: {what} {}, {} in {} ms",
                        count(report.articles, "article"),
                        count(report.feeds, "feed"),
                        took.as_millis()
                    );
                }
                if self.verbose && !changed.is_empty() {
                    let m = &report.memo;
                    let made =
                        |r: mdfeed::memo::Reuse| format!("{} of {}", r.misses, r.hits + r.misses);
                    eprintln!(
                        "{DIM}made anew: {} files read, {} articles rendered, {} pages, {} listings, {} feeds{DIM:#}",
                        made(m.read),
                        made(m.rendered),
                        made(m.pages),
                        made(m.listings),
                        made(m.feeds)
                    );
                    eprintln!("{DIM}took: {}{DIM:#}", report.stages);
                }
            }
            Event::Failed { error, changed } => {
                self.end_progress();
                if self.verbose && !changed.is_empty() {
                    self.changed(changed);
                }
                print_error(error);
                eprintln!("mdfeed: the last good build is still served");
            }
            Event::Served {
                method,
                target,
                status,
            } => {
                if self.verbose {
                    println!("{DIM}{status} {method} {target}{DIM:#}");
                }
            }
        }
    }
}

/// Returns `1 article`, `1,234 articles`.
fn count(n: usize, noun: &str) -> String {
    let s = if n == 1 { "" } else { "s" };
    format!("{} {noun}{s}", HumanCount(n as u64))
}

/// Prints `path:line:col: error: message`, one line per problem.
fn print_error(error: &Error) {
    match error {
        Error::Many(all) => all.iter().for_each(print_error),
        Error::At { at, msg } => eprintln!("{BOLD}{at}:{BOLD:#} {RED}error:{RED:#} {msg}"),
        Error::Io { path, source } => eprintln!(
            "{BOLD}{}:{BOLD:#} {RED}error:{RED:#} {source}",
            path.display()
        ),
    }
}

/// A progress bar that appears only once a build has run for `BAR_AFTER`.
#[derive(Debug)]
pub struct Bar {
    bar: ProgressBar,
    /// When the current build began; `None` between builds.
    started: Mutex<Option<Instant>>,
    shown: AtomicBool,
}

impl Progress for Bar {
    fn stage(&self, name: &'static str, total: usize) {
        self.lock().get_or_insert_with(Instant::now);
        self.bar.reset();
        self.bar.set_message(name);
        self.bar.set_length(total as u64);
        self.reveal();
    }

    fn advance(&self, n: usize) {
        self.bar.inc(n as u64);
        self.reveal();
    }
}

impl Bar {
    fn new() -> Bar {
        let bar = ProgressBar::hidden();
        if let Ok(style) =
            ProgressStyle::with_template("{msg:>10} [{bar:30}] {human_pos}/{human_len}")
        {
            bar.set_style(style.progress_chars("=> "));
        }
        Bar {
            bar,
            started: Mutex::new(None),
            shown: AtomicBool::new(false),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Instant>> {
        self.started.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn reveal(&self) {
        let late = self.lock().is_some_and(|t| t.elapsed() >= BAR_AFTER);
        if late && !self.shown.swap(true, Ordering::Relaxed) {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }

    /// Clears the bar after a build, ready for the next one.
    fn finish(&self) {
        if self.shown.swap(false, Ordering::Relaxed) {
            self.bar.finish_and_clear();
            self.bar.set_draw_target(ProgressDrawTarget::hidden());
        }
        *self.lock() = None;
    }
}
