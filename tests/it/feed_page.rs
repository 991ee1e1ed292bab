//! The feed stylesheet in a real browser: the example site is served over loopback and
//! headless Chromium opens its feeds; the page it builds (after XSLT) must explain how
//! to subscribe and list the articles. A screenshot is kept when
//! MDFEED_SCREENSHOT_DIR is set, to look at by eye.
//!
//! Needs `chromium` (scripts/test installs it; a plain `cargo test` skips it loudly).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::thread;

use crate::util::stderr;

/// Serves `root` on a free loopback port until the test ends; returns the port.
fn serve(root: PathBuf) -> u16 {
    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let port = server.server_addr().to_ip().unwrap().port();
    thread::spawn(move || {
        for request in server.incoming_requests() {
            let rel = request.url().trim_start_matches('/').to_owned();
            let path = root.join(&rel);
            let kind = match path.extension().and_then(|e| e.to_str()) {
                Some("xml") => "application/xml",
                Some("xsl") => "text/xsl",
                Some("html") => "text/html; charset=utf-8",
                _ => "application/octet-stream",
            };
            let _ = match std::fs::read(&path) {
                Ok(bytes) => {
                    let header = tiny_http::Header::from_bytes("Content-Type", kind).unwrap();
                    request.respond(tiny_http::Response::from_data(bytes).with_header(header))
                }
                Err(_) => request.respond(tiny_http::Response::empty(404)),
            };
        }
    });
    port
}

fn chromium() -> Option<PathBuf> {
    crate::util::tool("MDFEED_CHROMIUM", &["chromium", "chromium-browser"])
}

fn browse(exe: &Path, args: &[&str], url: &str) -> std::process::Output {
    let profile = tempfile::tempdir().unwrap();
    Command::new(exe)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(url)
        .output()
        .unwrap()
}

#[test]
fn feeds_read_well_in_a_browser() {
    let Some(exe) = chromium() else { return };
    let out = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // A server on a free port is known only now; the base URL must match it, since
    // browsers apply a stylesheet only from the feed's own origin.
    let port = serve(out.path().to_owned());
    let base = format!("http://127.0.0.1:{port}/");
    let run = Command::new(env!("CARGO_BIN_EXE_mdfeed"))
        .args(["build", "--locked", "--root"])
        .arg(root)
        .arg("--out")
        .arg(out.path())
        .args(["--base-url", &base])
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", stderr(&run));
    for feed in ["rss.xml", "atom.xml", "tags/local/atom.xml"] {
        let url = format!("{base}{feed}");
        let dom = browse(&exe, &["--dump-dom"], &url);
        let html = String::from_utf8_lossy(&dom.stdout);
        assert!(
            html.contains("This is a web feed."),
            "{feed}: no explanation in\n{html}"
        );
        assert!(
            html.contains(&format!("<code class=\"feed-url\">{url}</code>")),
            "{feed}:\n{html}"
        );
        assert!(
            html.contains("Central Library to stay open until 9 p.m. on weekdays</a>"),
            "{feed}: the items are not listed:\n{html}"
        );
        assert!(
            !html.contains("<rss") && !html.contains("<feed"),
            "{feed}: shown as raw XML"
        );
    }
    let shots = std::env::var_os("MDFEED_SCREENSHOT_DIR").map(PathBuf::from);
    let dir = tempfile::tempdir().unwrap();
    let shot = shots
        .unwrap_or_else(|| dir.path().to_owned())
        .join("rss.png");
    let arg = format!("--screenshot={}", shot.display());
    let taken = browse(
        &exe,
        &[&arg, "--window-size=1000,1200"],
        &format!("{base}rss.xml"),
    );
    let png = std::fs::read(&shot).unwrap_or_else(|e| panic!("{e}: {}", stderr(&taken)));
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 10_000,
        "{} bytes",
        png.len()
    );
}
