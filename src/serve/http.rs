//! Speaks HTTP for the dev server. The only user of `tiny_http`: a small,
//! synchronous server that needs no async runtime for a tool that answers one
//! writer's browser.
//!
//! Owns: the listening socket, answering requests with what `route` decides,
//! and the live-reload event streams. Does not: decide what a path means.

use std::io::{self, Write};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::Duration;

use tiny_http::{Header, Method, Request, Response, Server};

use super::route::{self, Answer};
use super::{Event, Live, Notice};
use crate::error::{Error, Result};

/// An idle event stream sends a comment this often, so a closed page is noticed
/// (the write fails) and its thread ends.
const KEEPALIVE: Duration = Duration::from_secs(15);

/// The dev server's socket.
pub(super) struct Listener {
    server: Server,
    addr: SocketAddr,
}

impl Listener {
    /// Listens on `addr`; port 0 picks a free port.
    pub(super) fn open(addr: SocketAddr) -> Result<Listener> {
        let shown = addr.to_string();
        let server = Server::http(addr).map_err(|e| {
            let source = match e.downcast::<io::Error>() {
                Ok(io) => *io,
                Err(other) => io::Error::other(other.to_string()),
            };
            Error::io(Path::new(&shown), source)
        })?;
        let addr = server.server_addr().to_ip().unwrap_or(addr);
        Ok(Listener { server, addr })
    }

    /// Returns the address actually listened on (with the chosen port).
    pub(super) fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Answers requests until `stop`.
    pub(super) fn serve(&self, live: &Live, on_event: &(dyn Fn(Event<'_>) + Sync)) {
        while let Ok(request) = self.server.recv() {
            let method = request.method().to_string();
            let target = request.url().to_owned();
            let status = answer(request, live);
            on_event(Event::Served {
                method: &method,
                target: &target,
                status,
            });
        }
    }

    /// Makes `threads` threads blocked in `serve` return.
    pub(super) fn stop(&self, threads: usize) {
        for _ in 0..threads {
            self.server.unblock();
        }
    }
}

/// Answers one request; returns the status sent.
fn answer(request: Request, live: &Live) -> u16 {
    if !matches!(request.method(), Method::Get | Method::Head) {
        let response = Response::from_string("405 Method Not Allowed\n").with_status_code(405);
        let response = with(response, "Allow", "GET, HEAD");
        // A client that hung up needs no answer.
        let _ = request.respond(response);
        return 405;
    }
    let site = live.lock().site.clone();
    match route::answer(request.url(), site.as_deref()) {
        Answer::Reply {
            status,
            media_type,
            body,
        } => {
            let response = Response::from_data(body).with_status_code(status);
            let response = with(response, "Content-Type", &media_type);
            let response = with(response, "Cache-Control", "no-store");
            let _ = request.respond(response);
            status
        }
        Answer::Redirect(location) => {
            let response = with(Response::empty(301), "Location", &location);
            let _ = request.respond(response);
            301
        }
        Answer::Events => {
            open_stream(request, live);
            200
        }
    }
}

/// Adds a header; a value that is not ASCII (only a client's own odd path could
/// be) leaves the header out rather than the whole response.
fn with<R: io::Read>(response: Response<R>, name: &str, value: &str) -> Response<R> {
    match Header::from_bytes(name.as_bytes(), value.as_bytes()) {
        Ok(h) => response.with_header(h),
        Err(()) => response,
    }
}

/// Subscribes the page to news and streams it from a thread of its own.
fn open_stream(request: Request, live: &Live) {
    let (tx, rx) = channel();
    let first = {
        let mut state = live.lock();
        state.pages.push(tx);
        state.error.clone()
    };
    let instance = live.instance.clone();
    std::thread::spawn(move || {
        // The page has gone when a write fails; nothing more to do then.
        let _ = stream(request.into_writer(), &instance, first, &rx);
    });
}

/// Writes server-sent events (HTML Living Standard, "Server-sent events") until
/// the page goes away. tiny_http buffers the bodies it sends, so the stream
/// takes the raw connection and writes its own response head.
fn stream(
    mut w: Box<dyn Write + Send>,
    instance: &str,
    error: Option<Arc<str>>,
    news: &Receiver<Notice>,
) -> io::Result<()> {
    w.write_all(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: close\r\n\r\nretry: 500\n\n",
    )?;
    send(&mut w, "hello", instance)?;
    if let Some(text) = error {
        send(&mut w, "build-error", &text)?;
    }
    loop {
        match news.recv_timeout(KEEPALIVE) {
            Ok(Notice::Reload) => send(&mut w, "reload", "")?,
            Ok(Notice::Failed(text)) => send(&mut w, "build-error", &text)?,
            Err(RecvTimeoutError::Timeout) => {
                w.write_all(b": still here\n\n")?;
                w.flush()?;
            }
            Err(RecvTimeoutError::Disconnected) => return Ok(()),
        }
    }
}

/// Sends one event; every line of `data` becomes a `data:` line.
fn send(w: &mut dyn Write, event: &str, data: &str) -> io::Result<()> {
    let mut text = format!("event: {event}\n");
    for line in data.split('\n') {
        text.push_str("data: ");
        text.push_str(line.trim_end_matches('\r'));
        text.push('\n');
    }
    text.push('\n');
    w.write_all(text.as_bytes())?;
    w.flush()
}
