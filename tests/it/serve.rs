//! `mdfeed serve` over real HTTP on a free loopback port.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::time::Duration;

use crate::http::{Served, request};
use crate::util::{Site, article};

fn site() -> Site {
    let site = Site::new();
    site.write(
        "content/posts/a.md",
        article("First post", "2024-05-01", "", "Hello from A.\n"),
    )
    .write(
        "content/posts/b.md",
        article("Second post", "2024-05-02", "", "Hello from B.\n"),
    )
    .write(
        "content/posts/pic.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    );
    site
}

#[test]
fn serves_pages_and_feeds_with_their_types_and_refuses_traversal() {
    let site = site();
    let server = Served::start(site.root(), &[]);

    let index = server.get("/");
    assert_eq!(index.status, 200);
    assert_eq!(index.header("content-type"), "text/html; charset=utf-8");
    assert!(index.body.contains("First post") && index.body.contains("Second post"));
    // Links point at the server, and the live-reload script is added as served.
    let html = scraper::Html::parse_document(&index.body);
    let canonical = scraper::Selector::parse("link[rel=canonical]").unwrap();
    let canonical = html.select(&canonical).next().unwrap().attr("href");
    assert_eq!(canonical, Some(server.url.as_str()));
    assert!(
        index
            .body
            .contains("<script src=\"/__mdfeed/live.js\"></script>\n</body>")
    );

    let page = server.get("/posts/a/");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Hello from A."));
    assert_eq!(server.get("/posts/a").header("location"), "/posts/a/");
    assert_eq!(
        server.get("/posts/pic.svg").header("content-type"),
        "image/svg+xml"
    );

    for (path, media_type) in [
        ("/rss.xml", "application/rss+xml"),
        ("/atom.xml", "application/atom+xml"),
        ("/feed.json", "application/feed+json"),
    ] {
        let feed = server.get(path);
        assert_eq!(
            (feed.status, feed.header("content-type")),
            (200, media_type)
        );
        let parsed = feed_rs::parser::parse(feed.body.as_bytes()).unwrap();
        assert_eq!(parsed.entries.len(), 2, "{path}");
        assert!(
            !feed.body.contains("live.js"),
            "{path}: script added to a feed"
        );
    }

    let missing = server.get("/no/such/page/");
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("Not found"));

    for target in [
        "/../mdfeed.toml",
        "/posts/../../mdfeed.toml",
        "/%2e%2e/mdfeed.toml",
        "/posts/%2E%2E/%2e%2e/mdfeed.toml",
        "/..%5cmdfeed.toml",
    ] {
        let raw = format!("GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        let reply = request(server.addr, &raw);
        assert_eq!(reply.status, 400, "{target}");
        assert!(!reply.body.contains("base_url"), "{target}: {}", reply.body);
    }
    let post = request(
        server.addr,
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(post.status, 405);
    // Serving writes nothing: out/ is for `mdfeed build`.
    assert!(!site.out().exists());
}

#[test]
fn an_edit_is_served_with_its_page_index_and_feeds_within_two_seconds() {
    let site = site();
    let server = Served::start(site.root(), &[]);
    assert!(server.get("/posts/a/").body.contains("Hello from A."));

    site.write(
        "content/posts/a.md",
        article("First post, revised", "2024-05-01", "", "Edited text.\n"),
    );
    let limit = Duration::from_secs(2);
    let (_, took) = server.wait_for("/posts/a/", limit, |r| r.body.contains("Edited text."));
    for path in ["/", "/rss.xml", "/atom.xml", "/feed.json"] {
        server.wait_for(path, limit.saturating_sub(took), |r| {
            r.body.contains("First post, revised")
        });
    }
}

/// Reads server-sent events until one named `name` arrives; returns its data.
fn next_event(lines: &mut impl BufRead, name: &str) -> String {
    let mut current = String::new();
    let mut data = Vec::new();
    loop {
        let mut line = String::new();
        let n = lines.read_line(&mut line).expect("no event in time");
        assert!(n > 0, "event stream closed while waiting for {name}");
        let line = line.trim_end_matches(['\r', '\n']);
        if let Some(e) = line.strip_prefix("event: ") {
            current = e.to_owned();
        } else if let Some(d) = line.strip_prefix("data: ") {
            data.push(d.to_owned());
        } else if line.is_empty() {
            if current == name {
                return data.join("\n");
            }
            current.clear();
            data.clear();
        }
    }
}

#[test]
fn a_broken_edit_keeps_the_last_good_build_and_tells_open_pages() {
    let site = site();
    let server = Served::start(site.root(), &[]);
    let mut stream = TcpStream::connect(server.addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream
        .write_all(b"GET /__mdfeed/events HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let mut events = BufReader::new(stream);
    let mut head = String::new();
    events.read_line(&mut head).unwrap();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    next_event(&mut events, "hello");

    site.write(
        "content/posts/a.md",
        "---\ntitle: [unclosed\n---\nBroken.\n",
    );
    let error = next_event(&mut events, "build-error");
    // The root was given as an absolute path, so the message names the file that way.
    assert!(error.contains("content/posts/a.md:2:8: error:"), "{error}");
    let logged = std::time::Instant::now();
    while !server.log().contains("the last good build is still served") {
        assert!(
            logged.elapsed() < Duration::from_secs(5),
            "{}",
            server.log()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let page = server.get("/posts/a/");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Hello from A."));

    site.write(
        "content/posts/a.md",
        article("Fixed", "2024-05-01", "", "Fixed text.\n"),
    );
    next_event(&mut events, "reload");
    assert!(server.get("/posts/a/").body.contains("Fixed text."));
}

#[test]
fn a_taken_port_is_an_io_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let site = site();
    let out = site.run(&["serve", "--port", &port]);
    assert_eq!(out.status.code(), Some(3), "{}", crate::util::stderr(&out));
    assert!(crate::util::stderr(&out).contains(&format!("127.0.0.1:{port}: error:")));
}

/// A site whose feeds hold two items (so an edit can move an article between feed
/// documents), with tags, a category and links between articles.
fn paged_site() -> Site {
    let site = Site::with_config(&format!("{}[feeds]\nlimit = 2\n", crate::util::CONFIG));
    for (name, day, tags) in [
        ("a", 1, "[rust, web]"),
        ("b", 2, "[rust]"),
        ("c", 3, "[web]"),
        ("d", 4, "[rust, feeds]"),
        ("e", 5, "[feeds]"),
    ] {
        site.write(
            &format!("content/posts/{name}.md"),
            article(
                &format!("Post {name}"),
                &format!("2024-05-0{day}"),
                &format!("tags: {tags}\ncategories: [News]\n"),
                &format!("Body of {name}; see [b](b.md).\n"),
            ),
        );
    }
    site
}

/// Asserts that the server serves every file `mdfeed build` makes of the same sources
/// (with the server's address as base URL), byte for byte. The server may still be
/// rebuilding after a burst of changes: it gets a few seconds to settle.
fn assert_serves_a_fresh_build(server: &Served, site: &Site) {
    let out = tempfile::tempdir().unwrap();
    let out_dir = out.path().to_str().unwrap();
    let built = site.run(&["build", "--out", out_dir, "--base-url", &server.url]);
    assert!(built.status.success(), "{}", crate::util::stderr(&built));
    let files: Vec<_> = crate::util::snapshot(out.path())
        .into_iter()
        .filter(|(rel, _)| !rel.to_string_lossy().starts_with(".mdfeed-"))
        .collect();
    let script = "<script src=\"/__mdfeed/live.js\"></script>\n";
    let started = std::time::Instant::now();
    loop {
        let differ: Vec<String> = files
            .iter()
            .filter_map(|(rel, (bytes, _))| {
                let path = format!("/{}", rel.to_string_lossy());
                let served = server.get(&path);
                let body = served.body.replacen(script, "", 1);
                (served.status != 200 || body != String::from_utf8_lossy(bytes)).then_some(path)
            })
            .collect();
        if differ.is_empty() {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "served differently from a fresh build: {differ:?}\n--- server log:\n{}",
            server.log()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_memoised_rebuild_serves_exactly_what_a_fresh_build_makes() {
    let site = paged_site();
    let server = Served::start(site.root(), &[]);
    assert_serves_a_fresh_build(&server, &site);
    let limit = Duration::from_secs(10);

    // One article's text: only it is read and rendered again.
    site.write(
        "content/posts/c.md",
        article(
            "Post c",
            "2024-05-03",
            "tags: [web]\ncategories: [News]\n",
            "Edited c.\n",
        ),
    );
    server.wait_for("/posts/c/", limit, |r| r.body.contains("Edited c."));
    assert_serves_a_fresh_build(&server, &site);
    let log = server.log();
    assert!(
        log.contains("made anew: 1 of 5 files read, 1 of 5 articles rendered"),
        "{log}"
    );

    // Its date and tags: it moves to the front of the site's feed, out of `web` and
    // into a new tag, and the archive pages shift.
    site.write(
        "content/posts/a.md",
        article(
            "Post a",
            "2024-06-01",
            "tags: [feeds, new-tag]\n",
            "Moved a.\n",
        ),
    );
    server.wait_for("/tags/new-tag/", limit, |r| r.status == 200);
    assert_serves_a_fresh_build(&server, &site);
    assert!(!server.get("/tags/web/").body.contains("Post a"));

    // An article added and one deleted (the others link to it: their links change).
    site.write(
        "content/posts/f.md",
        article("Post f", "2024-05-06", "tags: [rust]\n", "New f.\n"),
    );
    std::fs::remove_file(site.root().join("content/posts/b.md")).unwrap();
    server.wait_for("/posts/b/", limit, |r| r.status == 404);
    server.wait_for("/posts/f/", limit, |r| r.status == 200);
    assert_serves_a_fresh_build(&server, &site);

    // A new folder with an article in it (the server walks content/ again), then an
    // edit the watcher alone tells of.
    site.write(
        "content/notes/g.md",
        article("Note g", "2024-05-07", "tags: [web]\n", "New g.\n"),
    );
    server.wait_for("/notes/g/", limit, |r| r.status == 200);
    assert_serves_a_fresh_build(&server, &site);
    site.write(
        "content/notes/g.md",
        article("Note g", "2024-05-07", "tags: [web]\n", "Edited g.\n"),
    );
    server.wait_for("/notes/g/", limit, |r| r.body.contains("Edited g."));
    assert_serves_a_fresh_build(&server, &site);
}
