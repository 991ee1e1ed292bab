//! Decides how a request is answered: a file of the build, a redirect to a
//! folder's `/`, the live-reload script or stream, a 404, or a refusal.
//!
//! Owns: media types (feeds get their own: `application/rss+xml`, …), the 404
//! page, and adding the live-reload script to HTML as it is served (never to a
//! built file). Does not: speak HTTP (see `http`).

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use crate::media;
use crate::output::{Body, Outputs};
use crate::urls::{self, FeedKind};

/// Where pages load the live-reload script from. `__mdfeed` is not a name a
/// site is likely to use; the README reserves it.
const SCRIPT_PATH: &str = "/__mdfeed/live.js";
/// Where the script listens for news (server-sent events).
pub(super) const EVENTS_PATH: &str = "/__mdfeed/events";
const SCRIPT: &str = include_str!("live.js");
const SCRIPT_TAG: &str = "<script src=\"/__mdfeed/live.js\"></script>\n";

/// A file a site may provide for requests that match nothing.
const NOT_FOUND_FILE: &str = "404.html";

const NOT_FOUND_PAGE: &str = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>Not found</title>\n</head>\n<body>\n<main>\n<h1>Not found</h1>\n<p>Nothing is built at this address (yet). This page reloads when the site is rebuilt. <a href=\"/\">Home</a></p>\n</main>\n</body>\n</html>\n";

const NO_BUILD_PAGE: &str = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Waiting for a good build</title>\n</head>\n<body>\n<main>\n<h1>Waiting for a good build</h1>\n<p>The site has not built yet. Fix the problems shown in the terminal; this page reloads when it builds.</p>\n</main>\n</body>\n</html>\n";

/// How to answer a request.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Answer {
    /// Send a body.
    Reply {
        /// HTTP status.
        status: u16,
        /// `Content-Type`.
        media_type: Cow<'static, str>,
        /// The bytes (the live-reload script already added to HTML).
        body: Vec<u8>,
    },
    /// Send `301` to this location (a folder asked for without its `/`).
    Redirect(String),
    /// Open a live-reload event stream.
    Events,
}

/// Answers `target` (the request's path and query) from `site`, the last good
/// build (`None` before the first one).
pub(super) fn answer(target: &str, site: Option<&Outputs>) -> Answer {
    let Some(request) = urls::request_path(target) else {
        return reply(
            400,
            "text/plain; charset=utf-8".into(),
            b"400 Bad Request: the path leaves the site\n".to_vec(),
        );
    };
    match target.split(['?', '#']).next() {
        Some(SCRIPT_PATH) => {
            return reply(200, "text/javascript; charset=utf-8".into(), SCRIPT.into());
        }
        Some(EVENTS_PATH) => return Answer::Events,
        _ => {}
    }
    let Some(site) = site else {
        return reply(503, html_type(), with_script(NO_BUILD_PAGE.into()));
    };
    let file: PathBuf = request.segments.iter().collect();
    let folder_index = file.join("index.html");
    let wanted = if request.folder { &folder_index } else { &file };
    if let Some(body) = site.get(wanted)
        && let Some(bytes) = read(body)
    {
        return found(wanted, bytes);
    }
    if !request.folder && site.get(&folder_index).is_some() {
        let path = target.split(['?', '#']).next().unwrap_or("/");
        return Answer::Redirect(format!("{path}/"));
    }
    let page = site
        .get(Path::new(NOT_FOUND_FILE))
        .and_then(read)
        .unwrap_or_else(|| NOT_FOUND_PAGE.into());
    reply(404, html_type(), with_script(page))
}

fn found(file: &Path, bytes: Vec<u8>) -> Answer {
    let media_type = media_type(file);
    let body = if media_type.starts_with("text/html") {
        with_script(bytes)
    } else {
        bytes
    };
    reply(200, media_type, body)
}

fn reply(status: u16, media_type: Cow<'static, str>, body: Vec<u8>) -> Answer {
    Answer::Reply {
        status,
        media_type,
        body,
    }
}

fn read(body: &Body) -> Option<Vec<u8>> {
    match body {
        Body::Bytes(b) => Some(b.to_vec()),
        // An asset is read when asked for: it may have changed since the build,
        // and then a rebuild is on its way anyway.
        Body::Copy(src) => std::fs::read(src).ok(),
        // `serve` plans without a spool; read one back all the same.
        Body::Spooled(s) => std::fs::read(s.path()).ok(),
    }
}

fn html_type() -> Cow<'static, str> {
    "text/html; charset=utf-8".into()
}

/// Returns the `Content-Type` of a built file. Feeds get their registered types
/// (a browser shows `application/json` as a raw tree and some readers check).
fn media_type(file: &Path) -> Cow<'static, str> {
    if let Some(kind) = FeedKind::ALL
        .iter()
        .find(|k| file == Path::new(k.file_name()))
    {
        return kind.media_type().into();
    }
    media::content_type(file).into()
}

/// Adds the live-reload script before the last `</body>` (or at the end).
fn with_script(mut html: Vec<u8>) -> Vec<u8> {
    let end = b"</body>";
    let at = html
        .windows(end.len())
        .rposition(|w| w.eq_ignore_ascii_case(end))
        .unwrap_or(html.len());
    html.splice(at..at, SCRIPT_TAG.bytes());
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> Outputs {
        let mut o = Outputs::default();
        let page = b"<html><body><p>A</p></BODY></html>".to_vec();
        for (path, bytes) in [
            ("index.html", b"<body>home</body>".to_vec()),
            ("news/a/index.html", page),
            ("rss.xml", b"<rss/>".to_vec()),
            ("feed.json", b"{}".to_vec()),
            ("news/pic.png", b"\x89PNG".to_vec()),
        ] {
            o.add(path.into(), Body::Bytes(bytes.into()), Path::new("t"))
                .unwrap();
        }
        o
    }

    fn reply_of(a: Answer) -> (u16, String, String) {
        match a {
            Answer::Reply {
                status,
                media_type,
                body,
            } => (
                status,
                media_type.into_owned(),
                String::from_utf8_lossy(&body).into_owned(),
            ),
            other => panic!("not a reply: {other:?}"),
        }
    }

    #[test]
    fn files_get_their_types_and_html_gets_the_script() {
        let site = site();
        let (status, ty, body) = reply_of(answer("/news/a/?utm=x", Some(&site)));
        assert_eq!((status, ty.as_str()), (200, "text/html; charset=utf-8"));
        assert_eq!(
            body,
            "<html><body><p>A</p><script src=\"/__mdfeed/live.js\"></script>\n</BODY></html>"
        );
        let (_, ty, body) = reply_of(answer("/rss.xml", Some(&site)));
        assert_eq!(
            (ty.as_str(), body.as_str()),
            ("application/rss+xml", "<rss/>")
        );
        assert_eq!(
            reply_of(answer("/feed.json", Some(&site))).1,
            "application/feed+json"
        );
        assert_eq!(
            reply_of(answer("/news/pic.png", Some(&site))).1,
            "image/png"
        );
        assert_eq!(
            answer("/news/a", Some(&site)),
            Answer::Redirect("/news/a/".into())
        );
        assert_eq!(answer("/__mdfeed/events", Some(&site)), Answer::Events);
        assert!(
            reply_of(answer("/__mdfeed/live.js", None))
                .2
                .contains("EventSource")
        );
    }

    #[test]
    fn misses_are_404_and_escapes_are_refused() {
        let site = site();
        let (status, _, body) = reply_of(answer("/nope/", Some(&site)));
        assert_eq!(status, 404);
        assert!(body.contains("Not found") && body.contains("live.js"));
        assert_eq!(reply_of(answer("/news/a/index.html/x", Some(&site))).0, 404);
        for bad in ["/../mdfeed.toml", "/news/%2e%2e/%2e%2e/mdfeed.toml"] {
            assert_eq!(reply_of(answer(bad, Some(&site))).0, 400, "{bad}");
        }
        assert_eq!(reply_of(answer("/", None)).0, 503);
    }
}
