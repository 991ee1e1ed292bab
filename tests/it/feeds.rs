//! The `[feeds]` features, read back with real parsers: the three formats agree item
//! by item, archives link up, and every `[feeds]` key does what the README says.

use std::collections::BTreeSet;

use crate::util::{CONFIG, Site, article, stderr};

/// (id, title, published, link) of every entry, in feed order.
type Items = Vec<(String, String, String, String)>;

fn items(site: &Site, rel: &str) -> Items {
    site.feed(rel)
        .entries
        .iter()
        .map(|e| {
            (
                e.id.clone(),
                e.title
                    .as_ref()
                    .map(|t| t.content.clone())
                    .unwrap_or_default(),
                e.published.map(|d| d.to_rfc3339()).unwrap_or_default(),
                e.links[0].href.clone(),
            )
        })
        .collect()
}

fn site_with(feeds: &str, count: usize) -> Site {
    let site = Site::with_config(&format!("{CONFIG}[feeds]\n{feeds}"));
    for i in 0..count {
        let tags = if i % 2 == 0 {
            "tags: [Even, Café]\n"
        } else {
            "tags: [odd]\n"
        };
        site.write(
            &format!("content/p{i:02}.md"),
            article(
                &format!("Post {i}"),
                &format!("2024-01-{:02}", i + 1),
                tags,
                "Text.\n",
            ),
        );
    }
    site
}

#[test]
fn the_three_formats_agree_item_by_item_for_the_site_and_a_tag() {
    let site = site_with("", 5);
    site.build();
    for dir in ["", "tags/even/"] {
        let rss = items(&site, &format!("{dir}rss.xml"));
        assert!(!rss.is_empty(), "{dir}");
        assert_eq!(rss, items(&site, &format!("{dir}atom.xml")), "{dir}");
        assert_eq!(rss, items(&site, &format!("{dir}feed.json")), "{dir}");
    }
    let even = items(&site, "tags/even/atom.xml");
    let titles: Vec<&str> = even.iter().map(|i| i.1.as_str()).collect();
    assert_eq!(titles, ["Post 4", "Post 2", "Post 0"]);
}

/// Follows prev-archive links from the current Atom/RSS document, checking each link
/// back (next-archive, current), and returns every item ID seen.
fn walk_archives(site: &Site, current: &str) -> Vec<String> {
    let base = "https://example.org/site/";
    let mut ids = Vec::new();
    let mut rel = current.to_owned();
    let mut newer: Option<String> = None;
    loop {
        let text = site.read(&rel);
        let doc = roxmltree::Document::parse(&text).unwrap();
        let link = |r: &str| {
            doc.descendants()
                .find(|n| n.tag_name().name() == "link" && n.attribute("rel") == Some(r))
                .and_then(|n| n.attribute("href"))
                .map(|h| h.strip_prefix(base).unwrap().to_owned())
        };
        let archived = doc.descendants().any(|n| n.tag_name().name() == "archive");
        assert_eq!(
            archived,
            newer.is_some(),
            "{rel}: fh:archive only on archive pages"
        );
        if newer.is_some() {
            assert_eq!(link("current").as_deref(), Some(current), "{rel}");
        }
        match &newer {
            Some(n) if n != current => assert_eq!(link("next-archive").as_ref(), Some(n), "{rel}"),
            _ => assert_eq!(link("next-archive"), None, "{rel}"),
        }
        ids.extend(site.feed(&rel).entries.iter().map(|e| e.id.clone()));
        match link("prev-archive") {
            Some(older) => {
                newer = Some(rel.clone());
                rel = older;
            }
            None => return ids,
        }
    }
}

#[test]
fn archives_link_up_and_hold_every_item_exactly_once() {
    let site = site_with("limit = 3\n", 10);
    site.build();
    for feed in ["atom.xml", "rss.xml"] {
        let ids = walk_archives(&site, feed);
        assert_eq!(ids.len(), 10, "{feed}: {ids:?}");
        assert_eq!(ids.iter().collect::<BTreeSet<_>>().len(), 10, "{feed}");
    }
    assert_eq!(site.feed("atom.xml").entries.len(), 3);
    assert_eq!(
        site.feed("atom-archive-1.xml").entries[0]
            .title
            .as_ref()
            .unwrap()
            .content,
        "Post 2"
    );
    // JSON Feed pages back with next_url.
    let json: serde_json::Value = serde_json::from_str(&site.read("feed.json")).unwrap();
    assert_eq!(
        json["next_url"],
        "https://example.org/site/feed-archive-3.json"
    );
    // A new article changes the current feed and the newest archive, not older ones.
    let old1 = site.read("rss-archive-1.xml");
    let old2 = site.read("atom-archive-2.xml");
    site.write("content/new.md", article("New", "2024-02-01", "", "x\n"));
    site.build();
    assert_eq!(old1, site.read("rss-archive-1.xml"));
    assert_eq!(old2, site.read("atom-archive-2.xml"));
    assert_eq!(walk_archives(&site, "atom.xml").len(), 11);
}

#[test]
fn limit_zero_means_one_document() {
    let site = site_with("limit = 0\n", 25);
    site.build();
    assert_eq!(site.feed("rss.xml").entries.len(), 25);
    assert!(!site.out().join("rss-archive-1.xml").exists());
    let default = site_with("", 25);
    default.build();
    assert_eq!(default.feed("rss.xml").entries.len(), 20);
    assert_eq!(default.feed("rss-archive-1.xml").entries.len(), 5);
}

#[test]
fn formats_choose_the_files_and_the_links() {
    let site = site_with("formats = [\"atom\"]\n", 2);
    site.build();
    assert!(site.out().join("atom.xml").exists());
    assert!(site.out().join("tags/even/atom.xml").exists());
    for gone in ["rss.xml", "feed.json", "tags/even/rss.xml"] {
        assert!(!site.out().join(gone).exists(), "{gone}");
    }
    let page = site.read("p00/index.html");
    assert!(
        page.contains("application&#x2f;atom+xml") && !page.contains("application&#x2f;rss+xml")
    );
}

#[test]
fn content_policy_applies_to_every_format_and_articles_override_it() {
    let site = Site::with_config(&format!("{CONFIG}[feeds]\ncontent = \"summary\"\n"));
    site.write(
        "content/a.md",
        article("A", "2024-01-02", "", "First.\n\nSecond.\n"),
    );
    site.write(
        "content/b.md",
        article("B", "2024-01-01", "feed_content: full\n", "One.\n\nTwo.\n"),
    );
    site.build();
    let atom = site.feed("atom.xml");
    assert!(atom.entries[0].content.is_none());
    assert!(
        atom.entries[0]
            .summary
            .as_ref()
            .unwrap()
            .content
            .contains("First.")
    );
    let full = atom.entries[1]
        .content
        .as_ref()
        .unwrap()
        .body
        .clone()
        .unwrap();
    assert!(
        full.contains("Two.") && atom.entries[1].summary.is_none(),
        "{full}"
    );
    let rss = site.read("rss.xml");
    assert!(!rss.contains("Second.") && rss.contains("Two.") && !rss.contains("content:encoded>"));
    let json: serde_json::Value = serde_json::from_str(&site.read("feed.json")).unwrap();
    assert_eq!(json["items"][0]["summary"], "First.");
    assert!(
        !json["items"][0]["content_html"]
            .as_str()
            .unwrap()
            .contains("Second.")
    );
    assert!(json["items"][1].get("summary").is_none());
    let both = site_with("content = \"both\"\n", 1);
    both.write(
        "content/p00.md",
        article("A", "2024-01-02", "", "First.\n\nSecond.\n"),
    );
    both.build();
    let rss = both.read("rss.xml");
    assert!(rss.contains("<content:encoded>") && rss.contains("Second."));
    let e = Site::new();
    e.write(
        "content/a.md",
        article("A", "2024-01-01", "feed_content: most\n", "x\n"),
    );
    let out = e.run(&["build"]);
    assert!(
        stderr(&out).contains("content/a.md:4:15: error: `feed_content` must be"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn hub_adds_websub_links_everywhere() {
    let site = site_with("hub = \"https://hub.example.net/\"\n", 1);
    site.build();
    for feed in ["rss.xml", "atom.xml", "tags/even/rss.xml"] {
        assert!(
            site.read(feed)
                .contains("<atom:link href=\"https://hub.example.net/\" rel=\"hub\"/>")
                || site
                    .read(feed)
                    .contains("<link href=\"https://hub.example.net/\" rel=\"hub\"/>"),
            "{feed}"
        );
    }
    let json: serde_json::Value = serde_json::from_str(&site.read("feed.json")).unwrap();
    assert_eq!(json["hubs"][0]["type"], "WebSub");
    let none = site_with("", 1);
    none.build();
    assert!(!none.read("atom.xml").contains("rel=\"hub\""));
}

#[test]
fn tags_and_categories_get_pages_and_feeds_and_folded_slugs_merge() {
    let site = site_with("", 3);
    site.write(
        "content/x.md",
        article(
            "X",
            "2024-03-01",
            "tags: [cafe]\ncategories: [\"Grüße & Co.\"]\n",
            "x\n",
        ),
    );
    let out = site.build();
    assert!(
        stderr(&out).contains(
            "content/x.md:1:1: warning: tag `cafe` becomes `cafe` like `Café`: merged into `Café`"
        ),
        "{}",
        stderr(&out)
    );
    let cafe = site.feed("tags/cafe/atom.xml");
    assert_eq!(cafe.entries.len(), 3);
    assert!(cafe.title.unwrap().content.ends_with("Café"));
    assert_eq!(site.feed("categories/grusse-co/rss.xml").entries.len(), 1);
    let index = site.read("tags/index.html");
    for want in [
        "href=\"https:&#x2f;&#x2f;example.org&#x2f;site&#x2f;tags&#x2f;cafe&#x2f;\"",
        ">Café<",
        ">Even<",
        ">odd<",
    ] {
        assert!(index.contains(want), "{want}");
    }
    let page = site.read("tags/even/index.html");
    assert!(page.contains("Post 2") && !page.contains("Post 1"));
    assert!(page.contains("type=\"application&#x2f;rss+xml\" title=\"Test Site – Even (RSS)\" href=\"https:&#x2f;&#x2f;example.org&#x2f;site&#x2f;tags&#x2f;even&#x2f;rss.xml\""), "{page}");
    assert!(
        site.read("p00/index.html")
            .contains("<a href=\"&#x2f;site&#x2f;tags&#x2f;even&#x2f;\">Even</a>")
    );
    let off = site_with("tags = false\ncategories = false\n", 2);
    off.build();
    assert!(!off.out().join("tags").exists() && !off.out().join("categories").exists());
}

#[test]
fn term_feeds_false_keeps_the_term_pages_without_feeds() {
    let site = site_with("term_feeds = false\n", 3);
    site.build();
    let page = site.read("tags/even/index.html");
    assert!(page.contains("Post 2") && page.contains("Post 0"), "{page}");
    // Only the site's feeds are linked: no subscribe line, no autodiscovery of a tag feed.
    assert!(!page.contains("subscribe:") && !page.contains("tags&#x2f;even&#x2f;rss.xml"));
    assert!(page.contains("&#x2f;site&#x2f;rss.xml"), "{page}");
    let tags = site.out().join("tags");
    let files: Vec<String> = walkdir::WalkDir::new(&tags)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.path().strip_prefix(&tags).unwrap().display().to_string())
        .collect();
    assert!(files.iter().all(|f| f.ends_with("index.html")), "{files:?}");
    assert_eq!(items(&site, "atom.xml").len(), 3);
}

#[test]
fn stylesheet_is_referenced_and_can_be_turned_off() {
    let site = site_with("", 1);
    site.build();
    for feed in ["rss.xml", "atom.xml", "tags/even/atom.xml"] {
        let text = site.read(feed);
        let second = text.lines().nth(1).unwrap();
        assert_eq!(
            second, "<?xml-stylesheet type=\"text/xsl\" href=\"/site/feed.xsl\"?>",
            "{feed}"
        );
    }
    let xsl = site.read("feed.xsl");
    roxmltree::Document::parse(&xsl).expect("feed.xsl is well-formed XML");
    assert!(xsl.contains("How to subscribe") || xsl.contains("To subscribe"));
    assert!(!site.read("feed.json").contains("xml-stylesheet"));
    // Whatever the site's title, the stylesheet stays well-formed XML.
    let odd = Site::with_config(&CONFIG.replace("Test Site", "A -- B & <C> \\\"D\\\""));
    odd.write("content/a.md", article("A", "2024-01-01", "", "x\n"));
    odd.build();
    roxmltree::Document::parse(&odd.read("feed.xsl")).expect("feed.xsl stays well-formed");
    let off = site_with("stylesheet = false\n", 1);
    off.build();
    assert!(!off.read("rss.xml").contains("xml-stylesheet"));
    assert!(!off.out().join("feed.xsl").exists());
}

#[test]
fn enclosures_images_and_languages_reach_every_format() {
    let site = Site::new();
    site.write("content/ep/one.mp3", vec![7u8; 4321]);
    site.write("content/ep/pic.png", vec![1u8; 99]);
    site.write(
        "content/ep/one.md",
        article(
            "Episode",
            "2024-01-01",
            "enclosure: one.mp3\nimage: pic.png\nimage_caption: The studio\nimage_credit: Ann\nlang: ar\n",
            "x\n",
        ),
    );
    site.write(
        "content/ep/two.md",
        article(
            "Remote",
            "2024-01-02",
            "enclosure: {url: \"https://cdn.example.net/two.ogg\", length: 555}\n",
            "y\n",
        ),
    );
    site.build();
    let rss = site.read("rss.xml");
    assert!(rss.contains("<enclosure url=\"https://example.org/site/ep/one.mp3\" length=\"4321\" type=\"audio/mpeg\"/>"), "{rss}");
    assert!(
        rss.contains(
            "<enclosure url=\"https://cdn.example.net/two.ogg\" length=\"555\" type=\"audio/ogg\"/>"
        ),
        "{rss}"
    );
    assert!(rss.contains("<media:content fileSize=\"99\" medium=\"image\" type=\"image/png\" url=\"https://example.org/site/ep/pic.png\"><media:credit>Ann</media:credit><media:description type=\"plain\">The studio</media:description></media:content>"), "{rss}");
    assert!(rss.contains("<dc:language>ar</dc:language>"));
    let atom = site.feed("atom.xml");
    let one = &atom.entries[1];
    let enclosure = one
        .links
        .iter()
        .find(|l| l.href.ends_with("one.mp3"))
        .unwrap();
    assert_eq!(
        (enclosure.rel.as_deref(), enclosure.length),
        (Some("enclosure"), Some(4321))
    );
    assert!(
        site.read("atom.xml")
            .contains("<title xml:lang=\"ar\">Episode</title>")
    );
    let json: serde_json::Value = serde_json::from_str(&site.read("feed.json")).unwrap();
    assert_eq!(json["items"][1]["attachments"][0]["size_in_bytes"], 4321);
    assert_eq!(
        json["items"][1]["image"],
        "https://example.org/site/ep/pic.png"
    );
    assert_eq!(json["items"][1]["language"], "ar");
    let page = site.read("ep/one/index.html");
    assert!(
        page.starts_with("<!DOCTYPE html>\n<html lang=\"ar\" dir=\"rtl\">"),
        "{page}"
    );
}
