//! A successful build, read back with real feed and HTML parsers.

use chrono::{DateTime, FixedOffset};
use scraper::{Html, Selector};

use crate::util::{Site, article, snapshot, stderr};

fn fixture() -> Site {
    let site = Site::new();
    site.write(
        "content/news/a.md",
        article(
            "Rare <earths> & spies",
            "2024-05-30T13:46:00+08:00",
            "categories: [\"China / Politics\"]\ntags: [security, china]\nimage: photo.svg\nimage_caption: A tile\nimage_credit: VCG\nauthors: [\"Doe, Jane and Co\", {name: Bob, email: bob@example.org}]\n",
            "First paragraph with a note[^1].\n\nSee [the guide](../guides/b.md#setup), [top](#top), [root](/about/) and ![p](photo.svg).\n\n<img src=\"raw.png\" srcset=\"raw.png 1x, raw2.png 2x\">\n\n[^1]: The note.\n",
        ),
    )
    .write("content/news/photo.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>")
    .write(
        "content/guides/b.md",
        "+++\ntitle = \"Guide\"\ndate = 2024-01-02\nupdated = \"2024-02-03 10:00:00 +0100\"\nslug = \"the-guide\"\nid = \"urn:uuid:6f0c3f9e-1111-4c2a-9a5e-000000000001\"\n[taxonomies]\ntags = [\"howto\"]\n+++\nIntro.\n<!-- more -->\n## Setup\n\nMore text.\n",
    )
    .write("content/2023-07-08-jekyll-style.md", "---\ntitle: Jekyll\n---\nBody.\n")
    .write("content/draft.md", article("Draft", "2024-01-01", "draft: true\n", "x\n"))
    .write("content/future.md", article("Future", "2999-01-01", "", "x\n"))
    .write("content/README.md", "# Not an article\n")
    .write("content/.hidden/secret.md", article("Hidden", "2024-01-01", "", "x\n"));
    site
}

fn offset_date(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).unwrap()
}

#[test]
fn feeds_carry_titles_dates_links_ids_and_categories() {
    let site = fixture();
    let out = site.build();
    assert!(
        stderr(&out).contains("README.md:1:1: warning: no front matter"),
        "{}",
        stderr(&out)
    );
    for feed in ["rss.xml", "atom.xml", "feed.json"] {
        let f = site.feed(feed);
        let titles: Vec<String> = f
            .entries
            .iter()
            .map(|e| e.title.as_ref().unwrap().content.clone())
            .collect();
        assert_eq!(
            titles,
            ["Rare <earths> & spies", "Guide", "Jekyll"],
            "{feed}"
        );
        let a = &f.entries[0];
        assert_eq!(
            a.published.unwrap(),
            offset_date("2024-05-30T13:46:00+08:00"),
            "{feed}"
        );
        assert_eq!(a.id, "https://example.org/site/news/a/", "{feed}");
        assert_eq!(
            a.links[0].href, "https://example.org/site/news/a/",
            "{feed}"
        );
        let terms: Vec<&str> = a.categories.iter().map(|c| c.term.as_str()).collect();
        assert_eq!(terms, ["security", "china", "China / Politics"], "{feed}");
        let g = &f.entries[1];
        assert_eq!(
            g.id, "urn:uuid:6f0c3f9e-1111-4c2a-9a5e-000000000001",
            "{feed}"
        );
        assert_eq!(
            g.links[0].href, "https://example.org/site/guides/the-guide/",
            "{feed}"
        );
        assert_eq!(
            g.published.unwrap(),
            offset_date("2024-01-02T00:00:00+08:00"),
            "{feed}"
        );
        assert_eq!(
            f.entries[2].published.unwrap(),
            offset_date("2023-07-08T00:00:00+08:00"),
            "{feed}"
        );
    }
    let atom = site.feed("atom.xml");
    assert_eq!(
        atom.entries[1].updated.unwrap(),
        offset_date("2024-02-03T10:00:00+01:00")
    );
    let names: Vec<&str> = atom.entries[0]
        .authors
        .iter()
        .map(|p| p.name.as_deref().unwrap())
        .collect();
    assert_eq!(names, ["Doe, Jane and Co", "Bob"]);
    // The feed's own date is the newest article's, never the clock.
    assert_eq!(
        atom.updated.unwrap(),
        offset_date("2024-05-30T13:46:00+08:00")
    );
    let rss = site.read("rss.xml");
    assert!(rss.contains("<guid isPermaLink=\"false\">urn:uuid:"));
    assert!(rss.contains("<guid>https://example.org/site/news/a/</guid>"));
    assert!(rss.contains("rel=\"self\""));
}

#[test]
fn every_url_in_feed_content_is_absolute() {
    let site = fixture();
    site.build();
    let sel = Selector::parse("[href], [src], [srcset]").unwrap();
    for feed in ["rss.xml", "atom.xml", "feed.json"] {
        let f = site.feed(feed);
        let mut seen = 0;
        for e in &f.entries {
            let html = e.content.as_ref().and_then(|c| c.body.clone()).unwrap();
            for el in Html::parse_fragment(&html).select(&sel) {
                for attr in ["href", "src", "srcset"] {
                    if let Some(v) = el.value().attr(attr) {
                        for part in v.split(", ") {
                            assert!(part.starts_with("https://"), "{feed}: relative {attr}={v}");
                            seen += 1;
                        }
                    }
                }
            }
        }
        assert!(seen >= 8, "{feed}: only {seen} URLs checked");
        let content = f.entries[0].content.as_ref().unwrap().body.clone().unwrap();
        for want in [
            "https://example.org/site/guides/the-guide/#setup",
            "https://example.org/site/news/a/#top",
            "https://example.org/site/about/",
            "https://example.org/site/news/photo.svg",
            "https://example.org/site/news/a/raw2.png 2x",
        ] {
            assert!(
                content.contains(want),
                "{feed}: {want} missing in {content}"
            );
        }
    }
}

#[test]
fn summaries_and_full_content() {
    let site = fixture();
    site.build();
    let atom = site.feed("atom.xml");
    let guide = &atom.entries[1];
    assert_eq!(
        guide.summary.as_ref().unwrap().content.trim(),
        "<p>Intro.</p>"
    );
    assert!(
        guide
            .content
            .as_ref()
            .unwrap()
            .body
            .as_ref()
            .unwrap()
            .contains("More text.")
    );
    let a = &atom.entries[0];
    let summary = &a.summary.as_ref().unwrap().content;
    assert!(
        summary.contains("First paragraph") && !summary.contains("footnote"),
        "{summary}"
    );
}

#[test]
fn drafts_future_hidden_and_readme_are_left_out_unless_asked() {
    let site = fixture();
    site.build();
    let out = site.out();
    assert!(!out.join("draft").exists());
    assert!(!out.join("future").exists());
    assert!(!out.join(".hidden").exists());
    assert!(!out.join("README").exists() && !out.join("README.md").exists());
    let more = site.run(&["build", "--drafts", "--future"]);
    assert!(more.status.success(), "{}", stderr(&more));
    assert!(out.join("draft/index.html").exists());
    assert!(out.join("future/index.html").exists());
    assert_eq!(site.feed("atom.xml").entries.len(), 5);
    // Back to a normal build: the draft's page is removed again.
    site.build();
    assert!(!out.join("draft").exists());
}

#[test]
fn pages_show_what_the_article_says() {
    let site = fixture();
    site.build();
    let page = Html::parse_document(&site.read("news/a/index.html"));
    let one = |css: &str| {
        let sel = Selector::parse(css).unwrap();
        page.select(&sel)
            .next()
            .unwrap_or_else(|| panic!("no {css}"))
            .html()
    };
    assert!(one("h1").contains("Rare &lt;earths&gt; &amp; spies"));
    assert!(one("time").contains("datetime=\"2024-05-30T13:46:00+08:00\""));
    assert!(one("link[rel=canonical]").contains("https://example.org/site/news/a/"));
    assert!(one("figure").contains("A tile") && one("figure").contains("VCG"));
    assert!(one("figure img").contains("src=\"https://example.org/site/news/photo.svg\""));
    assert!(one(".meta").contains("Doe, Jane and Co"));
    assert!(one(".tags").contains("security"));
    let alternates = Selector::parse("link[rel=alternate]").unwrap();
    let types: Vec<&str> = page
        .select(&alternates)
        .filter_map(|l| l.value().attr("type"))
        .collect();
    assert_eq!(
        types,
        [
            "application/rss+xml",
            "application/atom+xml",
            "application/feed+json"
        ]
    );
    // Links to other articles and assets resolve the way the editor sees them.
    let html = site.read("news/a/index.html");
    assert!(
        html.contains("href=\"https://example.org/site/guides/the-guide/#setup\""),
        "{html}"
    );
    assert!(html.contains("src=\"https://example.org/site/news/photo.svg\""));
    assert!(site.out().join("news/photo.svg").exists());
    let index = site.read("index.html");
    let a = index.find("Rare &lt;earths&gt;").unwrap();
    let g = index.find("Guide").unwrap();
    assert!(a < g, "index is newest first");
}

#[test]
fn same_input_gives_identical_bytes_and_rebuilds_touch_nothing() {
    let site = fixture();
    site.build();
    let first = snapshot(&site.out());
    let other = site.root().join("elsewhere");
    let out = site.run(&["build", "--out", other.to_str().unwrap()]);
    assert!(out.status.success());
    let second = snapshot(&other);
    type Snap = std::collections::BTreeMap<std::path::PathBuf, (Vec<u8>, std::time::SystemTime)>;
    // The records of pages and feed parts hold the stamps of their own out/'s files,
    // and that of the content's hashes says which stamps were old enough to trust.
    let records = [
        ".mdfeed-cache/pages",
        ".mdfeed-cache/listings",
        ".mdfeed-cache/feeds",
        ".mdfeed-cache/inputs",
    ]
    .map(std::path::Path::new);
    let bytes = |s: &Snap| {
        s.iter()
            .filter(|(k, _)| !records.contains(&k.as_path()))
            .map(|(k, v)| (k.clone(), v.0.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(bytes(&first), bytes(&second));
    std::thread::sleep(std::time::Duration::from_millis(20));
    site.build();
    assert_eq!(
        first,
        snapshot(&site.out()),
        "an unchanged rebuild rewrote files"
    );
}

#[test]
fn deleted_articles_are_pruned_but_other_files_are_kept() {
    let site = fixture();
    site.build();
    std::fs::write(site.out().join("CNAME"), "example.org").unwrap();
    std::fs::remove_file(site.root().join("content/2023-07-08-jekyll-style.md")).unwrap();
    site.build();
    assert!(!site.out().join("jekyll-style").exists());
    assert!(site.out().join("CNAME").exists());
    assert_eq!(site.feed("rss.xml").entries.len(), 2);
}

#[test]
fn base_url_override_and_check_writes_nothing() {
    let site = fixture();
    let out = site.run(&["check"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!site.out().exists(), "check wrote out/");
    let out = site.run(&["build", "--base-url", "https://preview.example.net/"]);
    assert!(out.status.success());
    assert_eq!(
        site.feed("atom.xml").entries[0].id,
        "https://preview.example.net/news/a/"
    );
}

#[test]
fn templates_folder_overrides_built_in_templates() {
    let site = fixture();
    site.write(
        "templates/article.html",
        "<!DOCTYPE html><title>{{ article.title }}</title><p>custom {{ article.extra.mood }}</p>\n",
    );
    site.write(
        "content/news/a.md",
        article("T", "2024-01-01", "mood: happy\n", "x\n"),
    );
    site.build();
    assert!(site.read("news/a/index.html").contains("custom happy"));
}

/// A template sees every field of an article, whether it reads it or walks them all.
#[test]
fn a_template_reads_and_lists_the_article_fields() {
    let site = fixture();
    site.write(
        "templates/article.html",
        "{% for k in article %}{{ k }} {% endfor %}|{{ article.content | safe }}|{{ article.summary_text }}|{{ article.missing is undefined }}\n",
    );
    site.write(
        "content/news/a.md",
        article("T", "2024-01-01", "", "Body & more.\n"),
    );
    site.build();
    let page = site.read("news/a/index.html");
    let (keys, rest) = page.split_once('|').unwrap();
    for k in [
        "title",
        "url",
        "date",
        "tags",
        "extra",
        "content",
        "summary",
        "summary_text",
    ] {
        assert!(keys.split(' ').any(|x| x == k), "{k} not listed in {keys}");
    }
    // Text is escaped as any value is; the HTML goes in as it is, marked safe.
    assert_eq!(rest, "<p>Body &amp; more.</p>\n|Body &amp; more.|True\n");
}

#[test]
fn the_example_site_builds() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = tempfile::tempdir().unwrap();
    // --locked: the committed mdfeed.lock must hold every article, and the test must
    // not write into the source tree.
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_mdfeed"))
        .args(["build", "--locked", "--root"])
        .arg(root)
        .arg("--out")
        .arg(out.path())
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", stderr(&run));
    let bytes = std::fs::read(out.path().join("atom.xml")).unwrap();
    let feed = feed_rs::parser::parse(bytes.as_slice()).unwrap();
    let digest = feed
        .entries
        .iter()
        .find(|e| {
            e.links[0]
                .href
                .ends_with("/news/rare-earth-espionage-warning/")
        })
        .expect("the news digest is in the feed");
    assert_eq!(
        digest.published.unwrap(),
        offset_date("2024-05-30T13:46:00+08:00")
    );
    assert!(
        digest
            .categories
            .iter()
            .any(|c| c.term == "China / Politics")
    );
}

#[test]
fn an_atom_feed_always_has_an_author() {
    // RFC 4287 4.1.1: without a site author and with an entry that has none, the
    // feed itself needs one; the site stands in.
    let config = crate::util::CONFIG.replace("[author]\nname = \"Site Author\"\n", "");
    let site = Site::with_config(&config);
    site.write("content/a.md", article("A", "2024-01-01", "", "x\n"));
    site.build();
    let atom = site.feed("atom.xml");
    assert!(atom.entries[0].authors.is_empty());
    let names: Vec<String> = atom.authors.iter().filter_map(|p| p.name.clone()).collect();
    assert_eq!(names, ["Test Site"]);
}
