//! Blogs written for other generators build unchanged (issue 7): one fixture site per
//! generator style in `tests/fixtures/`, built by the real binary, read back with
//! feed-rs, serde_json and scraper.

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{DateTime, NaiveDate};
use feed_rs::model::{Entry, Feed};
use scraper::{Html, Selector};

use crate::util::{Site, article, snapshot, stderr};

/// A fixture built into a temporary `out/`.
struct Built {
    out: tempfile::TempDir,
    stderr: String,
}

fn fixture(case: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(case)
}

fn build(case: &str) -> Built {
    let out = tempfile::tempdir().unwrap();
    let run = Command::new(env!("CARGO_BIN_EXE_mdfeed"))
        // --locked: each fixture commits its mdfeed.lock; tests never write one there.
        .args(["build", "--locked", "--root"])
        .arg(fixture(case))
        .arg("--out")
        .arg(out.path())
        .output()
        .unwrap();
    assert!(run.status.success(), "{case}: {}", stderr(&run));
    let built = Built {
        out,
        stderr: stderr(&run),
    };
    built.check_every_feed();
    built
}

/// Runs `mdfeed check --report` on a fixture; returns stdout.
fn report(case: &str) -> String {
    let run = Command::new(env!("CARGO_BIN_EXE_mdfeed"))
        .args(["check", "--report", "--root"])
        .arg(fixture(case))
        .output()
        .unwrap();
    assert!(run.status.success(), "{case}: {}", stderr(&run));
    String::from_utf8(run.stdout).unwrap()
}

impl Built {
    fn path(&self, rel: &str) -> PathBuf {
        self.out.path().join(rel)
    }

    fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    fn feed(&self, rel: &str) -> Feed {
        let bytes = std::fs::read(self.path(rel)).unwrap();
        feed_rs::parser::parse(bytes.as_slice()).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.read("feed.json")).unwrap()
    }

    /// Titles of the Atom entries, newest first; RSS and JSON Feed must agree.
    fn titles(&self) -> Vec<String> {
        let titles = |f: &Feed| -> Vec<String> {
            f.entries
                .iter()
                .map(|e| e.title.as_ref().unwrap().content.clone())
                .collect()
        };
        let atom = titles(&self.feed("atom.xml"));
        assert_eq!(atom, titles(&self.feed("rss.xml")));
        assert_eq!(atom, titles(&self.feed("feed.json")));
        atom
    }

    fn entry(&self, feed: &str, title: &str) -> Entry {
        self.feed(feed)
            .entries
            .into_iter()
            .find(|e| e.title.as_ref().is_some_and(|t| t.content == title))
            .unwrap_or_else(|| panic!("{feed}: no entry {title:?}"))
    }

    /// In every feed: summaries carry no template syntax, and every URL in content
    /// and summaries is absolute.
    fn check_every_feed(&self) {
        let sel = Selector::parse("[href], [src]").unwrap();
        for name in ["rss.xml", "atom.xml", "feed.json"] {
            for e in self.feed(name).entries {
                let summary = e.summary.map(|s| s.content).unwrap_or_default();
                for syntax in ["{{", "{%", "{#", "%}", "}}"] {
                    assert!(
                        !summary.contains(syntax),
                        "{name}: {syntax} in summary {summary}"
                    );
                }
                let content = e.content.and_then(|c| c.body).unwrap_or_default();
                for html in [summary, content] {
                    for el in Html::parse_fragment(&html).select(&sel) {
                        for attr in ["href", "src"] {
                            if let Some(v) = el.value().attr(attr) {
                                assert!(v.starts_with("https://"), "{name}: {attr}={v}");
                            }
                        }
                    }
                }
            }
        }
    }

    /// Checks that `rel` is a redirect page to `target`: refresh, canonical and a link.
    fn redirect(&self, rel: &str, target: &str) {
        let page = Html::parse_document(&self.read(rel));
        let attr = |css: &str, attr: &str| {
            let sel = Selector::parse(css).unwrap();
            let el = page.select(&sel).next();
            el.and_then(|e| e.value().attr(attr)).map(str::to_owned)
        };
        assert_eq!(
            attr("meta[http-equiv=refresh]", "content").as_deref(),
            Some(format!("0; url={target}").as_str()),
            "{rel}"
        );
        assert_eq!(attr("link[rel=canonical]", "href").as_deref(), Some(target));
        assert_eq!(attr("body a", "href").as_deref(), Some(target));
    }
}

fn names(e: &Entry) -> Vec<&str> {
    e.authors
        .iter()
        .map(|p| p.name.as_deref().unwrap())
        .collect()
}

fn terms(e: &Entry) -> Vec<&str> {
    e.categories.iter().map(|c| c.term.as_str()).collect()
}

fn day_in(e: &Entry, zone: chrono_tz::Tz) -> NaiveDate {
    e.published.unwrap().with_timezone(&zone).date_naive()
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn rfc3339(s: &str) -> DateTime<chrono::Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().to_utc()
}

fn summary(e: &Entry) -> String {
    e.summary.as_ref().unwrap().content.trim().to_owned()
}

#[test]
fn jekyll_blog() {
    let b = build("jekyll_blog");
    assert_eq!(
        b.titles(),
        [
            "A great article elsewhere",
            "An HTML post",
            "A date nobody can read",
            "Unpadded date",
            "Hello, Jekyll",
            "Pi day"
        ]
    );
    let base = "https://jekyll.example.org/notes";
    let hello = b.entry("atom.xml", "Hello, Jekyll");
    // 22:30 in New York is the next morning in Tokyo, the site zone: the URL says so.
    assert_eq!(hello.published.unwrap(), rfc3339("2023-03-06T03:30:00Z"));
    assert_eq!(day_in(&hello, chrono_tz::Asia::Tokyo), ymd(2023, 3, 6));
    assert_eq!(
        hello.links[0].href,
        format!("{base}/2023/03/06/hello-jekyll/")
    );
    assert_eq!(names(&hello), ["Smith, Jane and Co"]);
    assert_eq!(terms(&hello), ["ruby", "release", "notes"]);
    assert_eq!(
        summary(&hello),
        "<p>Welcome to the  blog. See the docs and\na shot.</p>"
    );
    let content = hello.content.unwrap().body.unwrap();
    for want in [
        "<p>Welcome to the {{ site.title }} blog. See the docs and\na shot.</p>",
        "<code class=\"language-ruby\">def greet",
        "escape it: {{ page.title }}.",
        "<p>{% include note.html content=\"Remember\" %}</p>",
        &format!("<a href=\"{base}/about/\">root-relative link</a>"),
        &format!("<img src=\"{base}/assets/shot.svg\""),
    ] {
        assert!(content.contains(want), "{want} not in {content}");
    }
    let unpadded = b.entry("atom.xml", "Unpadded date");
    assert_eq!(unpadded.published.unwrap(), rfc3339("2023-04-08T15:00:00Z"));
    assert_eq!(names(&unpadded), ["Ann Lee", "Bob and Carol"]);
    assert_eq!(terms(&unpadded), ["News"]);
    assert_eq!(
        summary(&unpadded),
        "<p>A short <em>excerpt</em> from the key</p>"
    );
    let bad = b.entry("atom.xml", "A date nobody can read");
    assert_eq!(day_in(&bad, chrono_tz::Asia::Tokyo), ymd(2023, 5, 1));
    assert!(
        b.stderr
            .contains("_posts/2023-05-01-bad-date.md:4:7: warning: `date`: cannot read date"),
        "{}",
        b.stderr
    );
    assert!(
        b.stderr
            .contains("2023-03-05-hello-jekyll.md:12:1: warning: 4 template tag(s)")
    );
    let html_post = b.entry("atom.xml", "An HTML post");
    let html = html_post.content.clone().unwrap().body.unwrap();
    assert!(
        html.contains("<p>Written in <em>HTML</em> for {{ site.title }}.</p>"),
        "{html}"
    );
    assert!(
        html.contains("&lt;a href=\"{{ site.url }}/x\"&gt;a templated link"),
        "{html}"
    );
    // The summary of an HTML body is the HTML before `<!--more-->`, template spans dropped.
    assert_eq!(
        summary(&html_post).trim(),
        "<p>Written in <em>HTML</em> for .</p>"
    );
    let pi = b.entry("rss.xml", "Pi day");
    assert_eq!(pi.links[0].href, format!("{base}/2019/03/14/pi-day/"));
    b.redirect(
        "2019/03/14/pi-day.html",
        &format!("{base}/2019/03/14/pi-day/"),
    );
    b.redirect(
        "old/hello.html",
        &format!("{base}/2023/03/06/hello-jekyll/"),
    );
    b.redirect(
        "2023/hello/index.html",
        &format!("{base}/2023/03/06/hello-jekyll/"),
    );
    // A link post: the item points at the linked page; its own page is kept beside.
    let own = format!("{base}/2023/09/01/link-post/");
    let link = b.entry("atom.xml", "A great article elsewhere");
    let rels: Vec<(&str, &str)> = link
        .links
        .iter()
        .map(|l| (l.rel.as_deref().unwrap(), l.href.as_str()))
        .collect();
    assert_eq!(
        rels,
        [
            ("alternate", "https://example.net/great-article"),
            ("related", own.as_str())
        ]
    );
    assert_eq!(
        b.entry("rss.xml", "A great article elsewhere").links[0].href,
        "https://example.net/great-article"
    );
    let item = &b.json()["items"][0];
    assert_eq!(item["url"], own.as_str());
    assert_eq!(item["external_url"], "https://example.net/great-article");
    assert!(b.path("2023/09/01/link-post/index.html").exists());
    for gone in [
        "_drafts",
        "_layouts",
        "README.md",
        "about",
        "2023/06/01",
        "2023/07/01",
    ] {
        assert!(!b.path(gone).exists(), "{gone} was written");
    }
    assert!(b.path("assets/shot.svg").exists());
    let r = report("jekyll_blog");
    for want in [
        "found:         13\n",
        "articles:      6\n",
        "skipped:       7\n",
        "  redirect stub (`redirect:` and no body): 1\n",
        "  in `_drafts/`, a folder of templates, data or drafts: 1\n",
        "  matches skip glob `README.md`: 1\n",
        "  section page listing other pages, no date: 1\n    ",
        "undated:       1\n",
        "date from:     front matter 1, file name 4, path key 1\n",
        "summary from:  key 1, separator 2, first paragraph 3\n",
        "template tags: 6 in 2 file(s), shown as text\n",
        "redirects:     3\n",
    ] {
        assert!(r.contains(want), "{want:?} not in report:\n{r}");
    }
}

#[test]
fn hugo_blog() {
    let b = build("hugo_blog");
    assert_eq!(
        b.titles(),
        [
            "Publish date",
            "Dated bundle",
            "A page bundle",
            "Windows line ends",
            "First post"
        ]
    );
    let base = "https://hugo.example.com";
    let first = b.entry("atom.xml", "First post");
    // Dots and case in a slug are kept.
    assert_eq!(first.links[0].href, format!("{base}/posts/First.Post/"));
    assert_eq!(first.published.unwrap(), rfc3339("2024-02-10T08:00:00Z"));
    assert_eq!(first.updated.unwrap(), rfc3339("2024-02-11T23:00:00Z"));
    assert_eq!(names(&first), ["Posts Desk"]);
    assert_eq!(terms(&first), ["go", "2024", "field-notes"]);
    assert_eq!(
        summary(&first),
        "<p>The opening paragraph, with a shortcode inline in it.</p>"
    );
    let content = first.content.unwrap().body.unwrap();
    assert!(
        content.contains("<p>{{&lt; figure src=\"/img/a.png\" caption=\"A figure\" &gt;}}</p>"),
        "{content}"
    );
    assert!(!content.contains("<figure"), "{content}");
    assert!(
        content.contains("To show a shortcode: {{&lt; youtube id &gt;}}."),
        "{content}"
    );
    b.redirect("old/first/index.html", &format!("{base}/posts/First.Post/"));
    b.redirect("posts/first.html", &format!("{base}/posts/First.Post/"));
    let crlf = b.entry("atom.xml", "Windows line ends");
    assert_eq!(names(&crlf), ["Doe, John", "Team Blue and Green"]);
    let bundle = b.entry("atom.xml", "A page bundle");
    assert_eq!(bundle.links[0].href, format!("{base}/posts/my-bundle/"));
    assert_eq!(
        summary(&bundle),
        "<p>Bundles keep their pictures beside them.</p>"
    );
    let html = bundle.content.unwrap().body.unwrap();
    assert!(
        html.contains(&format!("src=\"{base}/posts/my-bundle/pic.svg\"")),
        "{html}"
    );
    assert!(
        html.contains("<code class=\"language-go\">fmt.Println(\"{{ not a tag }}\")"),
        "{html}"
    );
    let dated = b.entry("atom.xml", "Dated bundle");
    assert_eq!(dated.links[0].href, format!("{base}/posts/dated-bundle/"));
    assert_eq!(dated.published.unwrap(), rfc3339("2024-03-31T22:00:00Z"));
    let publish = b.entry("rss.xml", "Publish date");
    assert_eq!(publish.links[0].href, format!("{base}/special/place/"));
    assert_eq!(publish.published.unwrap(), rfc3339("2024-05-05T08:00:00Z"));
    for gone in [
        "posts/draft",
        "about",
        "posts/_defaults.toml",
        "posts/index.html",
    ] {
        assert!(!b.path(gone).exists(), "{gone} was written");
    }
    let r = report("hugo_blog");
    for want in [
        "articles:      5\n",
        "  draft (`draft: true` or `published: false`): 1\n",
        "  no date (`undated = \"skip\"`): 1\n",
        "date from:     front matter 4, folder name 1\n",
        "authors from:  front matter 1, folder defaults 4\n",
    ] {
        assert!(r.contains(want), "{want:?} not in report:\n{r}");
    }
}

#[test]
fn zola_blog() {
    let b = build("zola_blog");
    assert_eq!(
        b.titles(),
        [
            "Shortcodes",
            "A dated bundle",
            "With a path",
            "Dates in file names"
        ]
    );
    let base = "https://zola.example.net/garden";
    let path = b.entry("atom.xml", "With a path");
    assert_eq!(path.links[0].href, format!("{base}/articles/with-path/"));
    let bundle = b.entry("atom.xml", "A dated bundle");
    assert_eq!(bundle.links[0].href, format!("{base}/blog/bundle/"));
    assert_eq!(bundle.published.unwrap(), rfc3339("2024-03-03T00:00:00Z"));
    // An empty description is no summary: the first paragraph of prose is.
    assert_eq!(summary(&bundle), "<p>This is the first real paragraph.</p>");
    b.redirect(
        "blog/old-bundle/index.html",
        &format!("{base}/blog/bundle/"),
    );
    let dates = b.entry("atom.xml", "Dates in file names");
    assert_eq!(dates.published.unwrap(), rfc3339("2024-01-15T00:00:00Z"));
    assert_eq!(terms(&dates), ["rust", "ssg", "dev"]);
    let shortcodes = b.entry("feed.json", "Shortcodes");
    assert_eq!(
        shortcodes.published.unwrap(),
        rfc3339("2024-05-05T23:30:00Z")
    );
    assert!(
        b.stderr
            .contains("blog/shortcodes.md:5:1: warning: 2 template tag(s)"),
        "{}",
        b.stderr
    );
    let r = report("zola_blog");
    assert!(
        r.contains("date from:     front matter 2, file name 1, folder name 1\n"),
        "{r}"
    );
}

#[test]
fn eleventy_blog() {
    let b = build("eleventy_blog");
    assert_eq!(b.titles(), ["Late at night", "A note", "First entry"]);
    let base = "https://eleventy.example.dev";
    let late = b.entry("atom.xml", "Late at night");
    assert_eq!(
        day_in(&late, chrono_tz::America::Los_Angeles),
        ymd(2024, 2, 29)
    );
    assert_eq!(names(&late), ["Dana"]);
    assert_eq!(
        late.authors[0].uri.as_deref(),
        Some("https://dana.example/")
    );
    let first = b.entry("atom.xml", "First entry");
    // The directory data file's permalink holds a template: ignored, with a warning.
    assert_eq!(first.links[0].href, format!("{base}/posts/first/"));
    assert!(
        b.stderr
            .contains("posts/posts.json:1:1: warning: `permalink`"),
        "{}",
        b.stderr
    );
    assert_eq!(names(&first), ["Eleventy Crew"]);
    assert_eq!(terms(&first), ["intro", "posts"]);
    assert_eq!(summary(&first), "<p>Hello , this is the first entry.</p>");
    assert_eq!(terms(&b.entry("atom.xml", "A note")), ["notes"]);
    for gone in [
        "posts/posts.json",
        "notes/notes.11tydata.json",
        "index.njk",
        "_includes",
        "posts/hidden",
        "posts/unwritten",
    ] {
        assert!(!b.path(gone).exists(), "{gone} was written");
    }
    let r = report("eleventy_blog");
    for want in [
        "  `eleventyExcludeFromCollections: true`: 1\n",
        "  `permalink: false`: 1\n",
        "authors from:  front matter 1, folder defaults 1, none 1\n",
    ] {
        assert!(r.contains(want), "{want:?} not in report:\n{r}");
    }
}

#[test]
fn plain_blog() {
    let b = build("plain_blog");
    let code_title = "Using `Vec<T>` & friends";
    assert_eq!(
        b.titles(),
        [
            "Read this elsewhere",
            "Summary before more",
            "Saved as UTF-16",
            code_title
        ]
    );
    let page = b.read("news/code-title/index.html");
    assert!(
        page.contains("<h1>Using `Vec&lt;T&gt;` &amp; friends</h1>"),
        "{page}"
    );
    assert!(!page.contains("<code>Vec"));
    let utf16 = b.entry("atom.xml", "Saved as UTF-16");
    assert_eq!(names(&utf16), ["Zhang, Wei"]);
    assert!(
        utf16
            .content
            .unwrap()
            .body
            .unwrap()
            .contains("Grüße aus 上海")
    );
    let more = b.entry("atom.xml", "Summary before more");
    assert_eq!(summary(&more), "<p>Part one.</p>");
    assert_eq!(names(&more), ["Plain Desk"]);
    assert_eq!(terms(&more), ["plain"]);
    let ext = b.entry("atom.xml", "Read this elsewhere");
    assert_eq!(ext.links[0].href, "https://news.example.com/story");
    assert_eq!(
        ext.links[1].href,
        "https://plain.example.org/news/external/"
    );
    assert!(
        b.stderr
            .contains("content/README.md:1:1: warning: no front matter")
    );
    let r = report("plain_blog");
    assert!(
        r.contains("title from:    `headline` 1, `title` 3\n"),
        "{r}"
    );
    assert!(r.contains("  no front matter: 1\n"), "{r}");
}

#[test]
fn undated_is_an_error_by_default_and_report_counts_problems() {
    let site = Site::new();
    site.write("content/ok.md", article("Fine", "2024-01-01", "", "Body\n"))
        .write("content/no-date.md", "---\ntitle: No date\n---\nBody\n")
        .write("content/no-title.md", "---\ndate: 2024-01-02\n---\nBody\n");
    site.build_fails_with(&[
        "content/no-date.md:1:1: error: missing required key `date`",
        "content/no-title.md:1:1: error: missing required key `title`",
    ]);
    let out = site.run(&["check", "--report"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    for want in [
        "found:         3\n",
        "articles:      1\n",
        "undated:       1\n",
        "untitled:      1\n",
        "with errors:   2\n",
    ] {
        assert!(text.contains(want), "{want:?} not in:\n{text}");
    }
}

#[test]
fn aliases_never_leave_out_and_collisions_are_reported() {
    let site = Site::new();
    site.write("content/a.md", article("A", "2024-01-01", "", "A\n"));
    site.build();
    let before = snapshot(&site.out());
    site.write(
        "content/b.md",
        article("B", "2024-01-02", "aliases:\n  - /../../escape/\n", "B\n"),
    );
    site.build_fails_with(&["content/b.md:5:3: error: `aliases`: a segment of `/../../escape/`"]);
    site.write(
        "content/b.md",
        article("B", "2024-01-02", "redirect_from: /a/\n", "B\n"),
    );
    site.build_fails_with(&[
        "error: out/a/index.html would be made by both content/a.md and content/b.md",
    ]);
    assert_eq!(before, snapshot(&site.out()));
}

impl Site {
    /// Runs a build that must fail with every one of `wants` in its error lines.
    fn build_fails_with(&self, wants: &[&str]) {
        let out = self.run(&["build"]);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        let err = stderr(&out);
        for want in wants {
            assert!(err.contains(want), "{want:?} not in:\n{err}");
        }
    }
}
