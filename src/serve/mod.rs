//! The writer's dev server (`mdfeed serve`): builds the site in memory, serves
//! it over HTTP, rebuilds when a source changes and reloads open pages.
//!
//! Owns: the last good build and the current error, the rebuild loop, and what
//! open pages are told (reload, or the error to show over the page). A failed
//! rebuild keeps the last good build online.
//! Does not: write anything to disk (the build lives in memory, so `out/` keeps
//! what `mdfeed build` made, with the real `base_url`), or print (the caller
//! gets `Event`s).

mod http;
mod route;

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::output::Outputs;
use crate::pipeline::{self, BuildOptions, BuildReport, Memo};
use crate::urls;
use crate::watch::Watch;

/// How many requests are answered at once. Live-reload streams do not count:
/// each has its own thread.
const WORKERS: usize = 4;

/// What the user asked for.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The build; its `base_url` is replaced by the server's address unless set,
    /// and `write` is ignored (nothing is written).
    pub build: BuildOptions,
    /// The address to listen on (loopback unless the user says otherwise).
    pub bind: IpAddr,
    /// The port; 0 picks a free one.
    pub port: u16,
}

/// What happened, for the caller to show.
#[derive(Debug)]
pub enum Event<'a> {
    /// A build succeeded and is being served.
    Built {
        /// What the build made.
        report: &'a BuildReport,
        /// How long it took, from the end of the burst of changes.
        took: Duration,
        /// The changed files that caused it (empty for the first build).
        changed: &'a [PathBuf],
    },
    /// A build failed; the last good build is still served.
    Failed {
        /// Every problem.
        error: &'a Error,
        /// The changed files that caused it.
        changed: &'a [PathBuf],
    },
    /// A request was answered (for `--verbose`).
    Served {
        /// `GET`, `HEAD`, …
        method: &'a str,
        /// The request target as sent.
        target: &'a str,
        /// The HTTP status sent.
        status: u16,
    },
}

/// Something open pages are told over their live-reload stream.
#[derive(Debug, Clone)]
enum Notice {
    /// A new build is online: reload.
    Reload,
    /// The last build failed: show this text over the page.
    Failed(Arc<str>),
}

/// What the server shares between the rebuild loop and the request threads.
#[derive(Default)]
struct State {
    /// The last good build; `None` until one succeeds.
    site: Option<Arc<Outputs>>,
    /// The problems of the latest build, if it failed.
    error: Option<Arc<str>>,
    /// One sender per open page.
    pages: Vec<Sender<Notice>>,
}

/// The state behind a lock that a panicking thread cannot poison for the others.
#[derive(Default)]
struct Live {
    state: Mutex<State>,
    /// Changes on every server start, so a page reloads after a restart.
    instance: String,
}

impl Live {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn publish(&self, site: Outputs) {
        let mut s = self.lock();
        let old = s.site.replace(Arc::new(site));
        s.error = None;
        s.pages.retain(|p| p.send(Notice::Reload).is_ok());
        drop(s);
        // The last build (thousands of files) is dropped with no request waiting.
        drop(old);
    }

    fn fail(&self, text: String) {
        let text: Arc<str> = text.into();
        let mut s = self.lock();
        s.error = Some(text.clone());
        s.pages
            .retain(|p| p.send(Notice::Failed(text.clone())).is_ok());
    }
}

/// A server whose port is open; `run` starts building and answering.
pub struct Server {
    http: http::Listener,
    url: String,
    opts: ServeOptions,
}

/// Opens the port. Fails (an I/O error) when it is taken.
pub fn bind(opts: ServeOptions) -> Result<Server> {
    let http = http::Listener::open(SocketAddr::new(opts.bind, opts.port))?;
    let url = urls::local_base(http.addr());
    Ok(Server { http, url, opts })
}

impl Server {
    /// Returns the address pages are served at (`http://127.0.0.1:1111/`).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Builds, serves, and rebuilds after every change, until the file watcher
    /// fails (returned as an error). Build errors are events, not errors.
    pub fn run(self, on_event: &(dyn Fn(Event<'_>) + Sync)) -> Result<()> {
        let mut build = self.opts.build.clone();
        build.base_url.get_or_insert_with(|| self.url.clone());
        // Watch before the first build, so a save during it is not missed.
        let mut watch = Watch::new(&build.root)?;
        let started = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        let live = Live {
            instance: format!("{}-{}", std::process::id(), started.as_nanos()),
            ..Live::default()
        };
        // Kept across rebuilds, so each redoes only what the change touched.
        let mut memo = Memo::default();
        rebuild(&build, &mut memo, &live, &[], on_event);
        std::thread::scope(|scope| {
            for _ in 0..WORKERS {
                scope.spawn(|| self.http.serve(&live, on_event));
            }
            let stopped = loop {
                match watch.changes() {
                    Ok(changed) => {
                        // The watcher hears every change: the rebuild need not look
                        // at the files it did not name.
                        memo.changed(&changed);
                        rebuild(&build, &mut memo, &live, &changed, on_event)
                    }
                    Err(e) => break e,
                }
            };
            self.http.stop(WORKERS);
            Err(stopped)
        })
    }
}

fn rebuild(
    opts: &BuildOptions,
    memo: &mut Memo,
    live: &Live,
    changed: &[PathBuf],
    on_event: &(dyn Fn(Event<'_>) + Sync),
) {
    let started = Instant::now();
    match pipeline::plan_with(opts, memo) {
        Ok((report, site)) => {
            live.publish(site);
            on_event(Event::Built {
                report: &report,
                took: started.elapsed(),
                changed,
            });
        }
        Err(error) => {
            let mut lines = Vec::new();
            one_per_line(&error, &mut lines);
            live.fail(lines.join("\n"));
            on_event(Event::Failed {
                error: &error,
                changed,
            });
        }
    }
}

/// Returns each problem as the terminal shows it, without colour.
fn one_per_line(error: &Error, lines: &mut Vec<String>) {
    match error {
        Error::Many(all) => all.iter().for_each(|e| one_per_line(e, lines)),
        one => lines.push(one.to_string()),
    }
}
