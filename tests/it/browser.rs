//! A real browser (Debian's headless `chromium`) on pages served by
//! `mdfeed serve`, driven over the DevTools protocol: what a reader sees, that
//! no script fails, and that live reload and the error overlay work.

use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tungstenite::{Message, WebSocket};

use crate::http::Served;
use crate::util::{Site, article, repo, tool};

/// A headless Chromium with one tab, killed when dropped.
struct Browser {
    child: Child,
    _profile: tempfile::TempDir,
    ws: WebSocket<TcpStream>,
    session: String,
    next_id: u64,
    /// Every event received so far (console messages, exceptions, loads).
    events: Vec<Value>,
}

fn chromium() -> Option<PathBuf> {
    tool("MDFEED_CHROMIUM", &["chromium", "chromium-browser"])
}

impl Browser {
    fn launch(exe: &Path) -> Browser {
        let profile = tempfile::tempdir().unwrap();
        let child = Command::new(exe)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--remote-debugging-port=0",
                "--window-size=1024,768",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            // Its own process group, so every helper process it starts can be ended.
            .process_group(0)
            .spawn()
            .unwrap();
        // Chromium writes the port it chose and the browser's endpoint here.
        let port_file = profile.path().join("DevToolsActivePort");
        let started = Instant::now();
        let endpoint = loop {
            let text = std::fs::read_to_string(&port_file).unwrap_or_default();
            if let [port, path] = text.lines().collect::<Vec<_>>()[..] {
                break format!("127.0.0.1:{port}{path}");
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "chromium did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        let addr = endpoint.split('/').next().unwrap().to_owned();
        let stream = TcpStream::connect(&addr).unwrap();
        let (ws, _) = tungstenite::client(format!("ws://{endpoint}"), stream).unwrap();
        // From now on reads time out, so waiting loops can check their deadline.
        ws.get_ref()
            .set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        let mut b = Browser {
            child,
            _profile: profile,
            ws,
            session: String::new(),
            next_id: 0,
            events: Vec::new(),
        };
        let target = b.call("Target.createTarget", json!({"url": "about:blank"}));
        let target_id = target["targetId"].clone();
        let attached = b.call(
            "Target.attachToTarget",
            json!({"targetId": target_id, "flatten": true}),
        );
        b.session = attached["sessionId"].as_str().unwrap().to_owned();
        b.call("Page.enable", json!({}));
        b.call("Runtime.enable", json!({}));
        b
    }

    /// Sends a command (to the tab once attached) and returns its result.
    fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut msg = json!({"id": id, "method": method, "params": params});
        if !self.session.is_empty() {
            msg["sessionId"] = json!(self.session);
        }
        self.ws.send(Message::text(msg.to_string())).unwrap();
        let started = Instant::now();
        loop {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "{method}: no answer"
            );
            let Some(v) = self.read() else { continue };
            if v["id"] == json!(id) {
                assert!(v.get("error").is_none(), "{method}: {v}");
                return v["result"].clone();
            }
            self.events.push(v);
        }
    }

    fn read(&mut self) -> Option<Value> {
        match self.ws.read() {
            Ok(Message::Text(t)) => serde_json::from_str(t.as_str()).ok(),
            Ok(_) => None,
            Err(tungstenite::Error::Io(e))
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                None
            }
            Err(e) => panic!("DevTools connection: {e}"),
        }
    }

    /// Loads `url` and waits for its load event.
    fn open(&mut self, url: &str) {
        let seen = self.events.len();
        self.call("Page.navigate", json!({"url": url}));
        self.wait_for_event("Page.loadEventFired", seen);
    }

    fn wait_for_event(&mut self, method: &str, after: usize) {
        let started = Instant::now();
        while !self.events[after..].iter().any(|e| e["method"] == method) {
            assert!(started.elapsed() < Duration::from_secs(30), "no {method}");
            if let Some(v) = self.read() {
                self.events.push(v);
            }
        }
    }

    /// Evaluates a JavaScript expression in the page and returns its value.
    fn eval(&mut self, expr: &str) -> Value {
        let r = self.call(
            "Runtime.evaluate",
            json!({"expression": expr, "returnByValue": true}),
        );
        r["result"]["value"].clone()
    }

    /// Waits until `expr` is true in the page (it may reload meanwhile).
    fn wait_until(&mut self, expr: &str, limit: Duration) -> Duration {
        let started = Instant::now();
        loop {
            if self.eval(expr) == json!(true) {
                return started.elapsed();
            }
            let body = self.eval("document.body && document.body.innerText");
            assert!(
                started.elapsed() < limit,
                "never true: {expr}\npage: {body}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Returns the uncaught exceptions and console errors/warnings seen so far.
    fn console_problems(&self) -> Vec<String> {
        self.events
            .iter()
            .filter_map(|e| match e["method"].as_str() {
                Some("Runtime.exceptionThrown") => {
                    Some(e["params"]["exceptionDetails"].to_string())
                }
                Some("Runtime.consoleAPICalled")
                    if matches!(
                        e["params"]["type"].as_str(),
                        Some("error" | "warning" | "assert")
                    ) =>
                {
                    Some(e["params"]["args"].to_string())
                }
                _ => None,
            })
            .collect()
    }
}

impl Drop for Browser {
    /// Closes the browser the way DevTools clients do; if it is still there after
    /// a few seconds, kills its whole process group (killing only the main
    /// process leaves its helper processes running).
    fn drop(&mut self) {
        let close = json!({"id": 0, "method": "Browser.close", "params": {}});
        let _ = self.ws.send(Message::text(close.to_string()));
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(5) {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn the_example_site_renders_with_feeds_landmarks_and_no_script_errors() {
    let Some(exe) = chromium() else { return };
    // Serving writes nothing, so the repository's own example site is safe to use.
    let server = Served::start(repo(), &[]);
    let mut b = Browser::launch(&exe);
    b.open(&server.url);
    assert_eq!(b.eval("document.title"), json!("Example News"));
    assert_eq!(
        b.eval("document.querySelector('h1').innerText"),
        json!("Example News")
    );
    let feeds = b.eval(
        "[...document.querySelectorAll('link[rel=alternate]')].map(l => l.type + ' ' + new URL(l.href).pathname).join(',')",
    );
    assert_eq!(
        feeds,
        json!(
            "application/rss+xml /rss.xml,application/atom+xml /atom.xml,application/feed+json /feed.json"
        )
    );
    let landmarks = "['header','nav','main','footer'].every(t => document.querySelector(t))";
    assert_eq!(b.eval(landmarks), json!(true));
    let first = b.eval("document.querySelector('.articles h2 a').href");
    let heading = b.eval("document.querySelector('.articles h2 a').innerText");

    b.open(first.as_str().unwrap());
    assert_eq!(
        b.eval("document.querySelector('article h1').innerText"),
        heading
    );
    let title = b.eval("document.title").as_str().unwrap().to_owned();
    assert!(title.starts_with(heading.as_str().unwrap()), "{title}");
    assert_eq!(
        b.eval("document.querySelectorAll('link[rel=alternate]').length"),
        json!(3)
    );
    assert_eq!(b.eval(landmarks), json!(true));
    // Every image has a text alternative (empty only when decorative, by choice).
    assert_eq!(
        b.eval("[...document.images].every(i => i.hasAttribute('alt'))"),
        json!(true)
    );
    // The live-reload script ran and subscribed; nothing failed.
    assert!(
        server.log().contains("200 GET /__mdfeed/events"),
        "{}",
        server.log()
    );
    assert_eq!(b.console_problems(), Vec::<String>::new());
}

#[test]
fn an_open_page_reloads_after_a_save_and_shows_build_errors() {
    let Some(exe) = chromium() else { return };
    let site = Site::new();
    site.write(
        "content/a.md",
        article("Live", "2024-05-01", "", "Before.\n"),
    );
    let server = Served::start(site.root(), &[]);
    let mut b = Browser::launch(&exe);
    b.open(&format!("{}a/", server.url));
    b.eval("window.stillTheSamePage = true");

    site.write(
        "content/a.md",
        article("Live", "2024-05-01", "", "After the save.\n"),
    );
    b.wait_until(
        "document.body.innerText.includes('After the save.') && !window.stillTheSamePage",
        Duration::from_secs(5),
    );

    site.write("content/a.md", "---\ntitle: [unclosed\n---\n");
    b.wait_until(
        "!!document.getElementById('mdfeed-build-error') && document.getElementById('mdfeed-build-error').innerText.includes('content/a.md:2:')",
        Duration::from_secs(5),
    );
    // The last good build is still what the page shows under the overlay.
    assert_eq!(
        b.eval("document.body.innerText.includes('After the save.')"),
        json!(true)
    );

    site.write(
        "content/a.md",
        article("Live", "2024-05-01", "", "Fixed.\n"),
    );
    b.wait_until(
        "document.body.innerText.includes('Fixed.') && !document.getElementById('mdfeed-build-error')",
        Duration::from_secs(5),
    );
    assert_eq!(b.console_problems(), Vec::<String>::new());
}

#[test]
fn the_console_check_catches_a_failing_script() {
    let Some(exe) = chromium() else { return };
    let site = Site::new();
    site.write("content/a.md", article("A", "2024-05-01", "", "x\n"));
    let base = include_str!("../../src/templates/base.html");
    site.write(
        "templates/base.html",
        base.replace(
            "</body>",
            "<script>throw new Error('planted failure')</script>\n</body>",
        ),
    );
    let server = Served::start(site.root(), &[]);
    let mut b = Browser::launch(&exe);
    b.open(&server.url);
    let problems = b.console_problems();
    assert!(
        problems.iter().any(|p| p.contains("planted failure")),
        "{problems:?}"
    );
}
