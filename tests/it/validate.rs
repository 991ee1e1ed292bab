//! The build's own feed check (`mdfeed::validate`) on hand-made documents: it accepts a
//! good feed and names each kind of broken one, with its line.

use std::path::Path;

use mdfeed::urls::FeedKind;
use mdfeed::validate::check;

const RSS: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>T</title><link>https://e.org/</link><description>D</description>
<pubDate>Mon, 1 Jan 2024 00:00:00 +0000</pubDate>
<atom:link href="https://e.org/rss.xml" rel="self" type="application/rss+xml"/>
<item><title>A</title><link>https://e.org/a/</link><description>&lt;a href="https://e.org/x"&gt;x&lt;/a&gt;</description>
<guid>https://e.org/a/</guid><pubDate>Mon, 1 Jan 2024 00:00:00 +0000</pubDate>
<enclosure url="https://e.org/a.mp3" length="12" type="audio/mpeg"/><content:encoded>&lt;p&gt;full&lt;/p&gt;</content:encoded></item>
<item><title>B</title><link>https://e.org/b/</link><guid isPermaLink="false">urn:x:b</guid><pubDate>Mon, 1 Jan 2024 00:00:00 +0000</pubDate></item>
</channel></rss>
"#;

const ATOM: &str = r#"<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><id>https://e.org/</id><updated>2024-01-01T00:00:00+00:00</updated>
<link href="https://e.org/atom.xml" rel="self"/>
<entry><title>A</title><id>https://e.org/a/</id><updated>2024-01-01T00:00:00+00:00</updated>
<link href="https://e.org/a/" rel="alternate"/><link href="https://e.org/a.mp3" rel="enclosure" length="12" type="audio/mpeg"/>
<content type="html">&lt;img src="https://e.org/p.png"&gt;</content></entry>
</feed>
"#;

const JSON: &str = r#"{"version": "https://jsonfeed.org/version/1.1", "title": "T",
"home_page_url": "https://e.org/", "feed_url": "https://e.org/feed.json",
"items": [{"id": "1", "url": "https://e.org/a/", "title": "A", "content_html": "<p>x</p>",
"date_published": "2024-01-01T00:00:00+00:00",
"attachments": [{"url": "https://e.org/a.mp3", "mime_type": "audio/mpeg", "size_in_bytes": 12}]}]}"#;

/// Returns the error lines for `text` with `from` replaced by `to` (which must occur).
fn broken(kind: FeedKind, good: &str, from: &str, to: &str) -> String {
    assert!(good.contains(from), "{from}");
    let bad = good.replacen(from, to, 1);
    match check(Path::new("x"), kind, bad.as_bytes()) {
        Ok(()) => panic!("accepted a broken feed: {from} -> {to}"),
        Err(errors) => errors
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

#[test]
fn good_feeds_pass() {
    check(Path::new("rss.xml"), FeedKind::Rss, RSS.as_bytes()).unwrap();
    check(Path::new("atom.xml"), FeedKind::Atom, ATOM.as_bytes()).unwrap();
    check(Path::new("feed.json"), FeedKind::Json, JSON.as_bytes()).unwrap();
}

#[test]
fn broken_rss_is_caught() {
    let rss = |from, to| broken(FeedKind::Rss, RSS, from, to);
    let e = rss("<title>A</title>", "<title>A</titel>");
    assert!(
        e.starts_with("out/x:6:") && e.contains("not well-formed"),
        "{e}"
    );
    let e = rss(
        " xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"",
        "",
    );
    assert!(
        e.contains("not well-formed") || e.contains("namespace"),
        "{e}"
    );
    let e = rss("<channel><title>T</title>", "<channel><title> </title>");
    assert!(
        e.contains("out/x:3:") && e.contains("<title> is empty"),
        "{e}"
    );
    let e = rss("<description>D</description>", "");
    assert!(e.contains("<channel> has no <description>"), "{e}");
    let e = rss(
        "<pubDate>Mon, 1 Jan 2024 00:00:00 +0000</pubDate>\n<atom",
        "<pubDate>2024-01-01</pubDate>\n<atom",
    );
    assert!(
        e.contains("out/x:4:1: error: self-check: <pubDate> `2024-01-01` is not an RFC 822 date"),
        "{e}"
    );
    let e = rss(
        "<guid isPermaLink=\"false\">urn:x:b</guid>",
        "<guid>https://e.org/a/</guid>",
    );
    assert!(
        e.contains("item ID `https://e.org/a/` appears twice"),
        "{e}"
    );
    let e = rss(
        "<guid isPermaLink=\"false\">urn:x:b</guid>",
        "<guid>urn:x:b</guid>",
    );
    assert!(
        e.contains("permalink guid `urn:x:b` is not an absolute http(s) URL"),
        "{e}"
    );
    let e = rss("href=\"https://e.org/x\"", "href=\"/x\"");
    assert!(
        e.contains("URL(s) that are not absolute left in content: href=\"/x\""),
        "{e}"
    );
    let e = rss("length=\"12\"", "length=\"\"");
    assert!(
        e.contains("enclosure length `` is not a number of bytes"),
        "{e}"
    );
    let e = rss(" type=\"audio/mpeg\"", "");
    assert!(e.contains("enclosure has no media type"), "{e}");
    let e = rss(
        "<atom:link href=\"https://e.org/rss.xml\" rel=\"self\"",
        "<atom:link href=\"https://e.org/rss.xml\" rel=\"alternate\"",
    );
    assert!(e.contains("no atom:link rel=\"self\""), "{e}");
    let e = rss("<link>https://e.org/b/</link>", "<link>b/</link>");
    assert!(
        e.contains("item link `b/` is not an absolute http(s) URL"),
        "{e}"
    );
}

#[test]
fn broken_atom_is_caught() {
    let atom = |from, to| broken(FeedKind::Atom, ATOM, from, to);
    let e = atom("<id>https://e.org/a/</id>", "<id>a</id>");
    assert!(e.contains("entry id `a` is not an absolute URL"), "{e}");
    let e = atom(
        "<updated>2024-01-01T00:00:00+00:00</updated>\n<link",
        "<updated>Mon, 1 Jan 2024</updated>\n<link",
    );
    assert!(e.contains("is not an RFC 3339 date"), "{e}");
    let e = atom("<title>A</title>", "");
    assert!(e.contains("<entry> has no <title>"), "{e}");
    let e = atom("src=\"https://e.org/p.png\"", "src=\"p.png\"");
    assert!(
        e.contains("URL(s) that are not absolute left in content: src=\"p.png\""),
        "{e}"
    );
    let e = atom(" length=\"12\"", " length=\"big\"");
    assert!(e.contains("enclosure length `big`"), "{e}");
    let e = atom("xmlns=\"http://www.w3.org/2005/Atom\"", "");
    assert!(e.contains("not an Atom <feed>"), "{e}");
    let e = atom("<entry>", "<x:entry>");
    assert!(e.contains("not well-formed"), "{e}");
    // HTML content must be escaped text; markup in it is refused, where it starts.
    let e = atom(
        "&lt;img src=\"https://e.org/p.png\"&gt;",
        "<img src=\"https://e.org/p.png\"/>",
    );
    assert!(e.contains("<content> holds markup, not only text"), "{e}");
    assert!(e.contains("out/x:6:"), "{e}");
    let e = atom("&lt;img src", "<img src");
    assert!(
        e.contains("out/x:6:") && e.contains("not well-formed"),
        "{e}"
    );
}

#[test]
fn broken_json_feed_is_caught() {
    let json = |from, to| broken(FeedKind::Json, JSON, from, to);
    let e = json("\"id\": \"1\"", "\"id\": \"\"");
    assert!(e.contains("items[0]: `id` is missing or empty"), "{e}");
    let e = json(
        "\"date_published\": \"2024-01-01T00:00:00+00:00\"",
        "\"date_published\": \"yesterday\"",
    );
    assert!(
        e.contains("`date_published` `yesterday` is not an RFC 3339 date"),
        "{e}"
    );
    let e = json("<p>x</p>", "<a href='/r'>x</a>");
    assert!(
        e.contains("URL(s) that are not absolute left in content"),
        "{e}"
    );
    let e = json("\"mime_type\": \"audio/mpeg\"", "\"mime_type\": \"\"");
    assert!(e.contains("needs an absolute url and a mime_type"), "{e}");
    let e = json(
        "\"feed_url\": \"https://e.org/feed.json\"",
        "\"feed_url\": \"feed.json\"",
    );
    assert!(
        e.contains("`feed_url` `feed.json` is not an absolute URL"),
        "{e}"
    );
    let e = json("\"title\": \"T\",", "");
    assert!(e.contains("`title` is missing"), "{e}");
    let e = json("]}]}", "]}]");
    assert!(e.contains("not JSON"), "{e}");
}

#[test]
fn a_build_whose_feed_fails_the_check_writes_nothing() {
    let site = crate::util::Site::new();
    site.write(
        "content/a.md",
        crate::util::article(
            "A",
            "2024-01-01",
            "",
            "See <a href=\"http://[oops/\">this</a>.\n",
        ),
    );
    let out = site.run(&["build"]);
    let err = crate::util::stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("out/rss.xml:") && err.contains("error: self-check: https://example.org/site/a/: URL(s) that are not absolute left in content: href=\"http://[oops/\""),
        "{err}"
    );
    assert!(!site.out().exists());
}
