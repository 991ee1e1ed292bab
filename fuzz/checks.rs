#![allow(dead_code)] // each fuzz target uses one of these checks
//! What each fuzz target asserts, for any input: no panic, and every file the
//! article path makes is well formed. Shared with the regression tests
//! (`tests/it/fuzz_regressions.rs` runs every saved input through these).

use std::path::Path;
use std::sync::OnceLock;

use mdfeed::config::Config;
use mdfeed::render::Templates;

const CONFIG: &str = "title = \"Fuzz\"\nbase_url = \"https://example.org/blog/\"\n\
timezone = \"Asia/Shanghai\"\nlanguage = \"en\"\n[author]\nname = \"Site\"\n";

fn config() -> &'static Config {
    static CONFIG_CELL: OnceLock<Config> = OnceLock::new();
    CONFIG_CELL.get_or_init(|| {
        mdfeed::config::parse(Path::new("mdfeed.toml"), CONFIG, None).expect("fuzz config")
    })
}

fn templates() -> &'static Templates {
    static TEMPLATES: OnceLock<Templates> = OnceLock::new();
    TEMPLATES.get_or_init(|| Templates::new(Vec::new()).expect("built-in templates"))
}

/// Splits and validates front matter; the body must be the tail of the text.
pub fn front_matter(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(Some(split)) = mdfeed::frontmatter::split(text) else {
        return;
    };
    assert!(
        text.ends_with(split.body),
        "body is not the tail of the file"
    );
    let rel = Path::new("news/2024-01-02-a b.md");
    let shown = Path::new("content").join(rel);
    let input = mdfeed::model::Input {
        body_is_empty: split.body.trim().is_empty(),
        fields: split.fields,
        defaults: Default::default(),
        source: rel,
        shown: &shown,
        html: false,
        section_page: false,
    };
    let urls = mdfeed::urls::Urls::new(config().base_url.clone());
    let _ = mdfeed::model::resolve(input, config(), &urls, &mut Vec::new());
}

/// Reads `ZONE\nDATE`: a date that parses must read back the same from its RFC 3339
/// form, and must fit the formats feeds write (RFC 2822 and RFC 3339 need 4-digit years).
pub fn dates(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (zone, date) = text.split_once('\n').unwrap_or(("UTC", text));
    let zone = mdfeed::dates::Zone::parse(zone).unwrap_or_default();
    if let Ok(d) = mdfeed::dates::parse(date, &zone) {
        let again = mdfeed::dates::parse(&d.to_rfc3339(), &zone);
        assert_eq!(again, Ok(d), "{date:?} does not round-trip");
        assert_eq!(
            again.map(|a| a.offset().local_minus_utc()),
            Ok(d.offset().local_minus_utc())
        );
        let _ = d.to_rfc2822();
    }
    if let Some((d, rest)) = mdfeed::dates::from_file_prefix(date, &zone) {
        assert!(date.ends_with(rest));
        let _ = d.to_rfc2822();
    }
}

/// Builds one article into its page and feeds; each must be well formed.
pub fn article(data: &[u8]) {
    let rel = Path::new("news/a.md");
    let Ok(Some(single)) = mdfeed::pipeline::build_single(config(), templates(), rel, data) else {
        return;
    };
    assert!(single.page.ends_with("</html>\n"), "page is cut short");
    let [rss, atom, json] = single.feeds.as_slice() else {
        panic!("expected 3 feeds, got {}", single.feeds.len());
    };
    for (name, bytes, item) in [("rss", rss, "item"), ("atom", atom, "entry")] {
        let text = std::str::from_utf8(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        let doc = roxmltree::Document::parse(text)
            .unwrap_or_else(|e| panic!("{name} is not well-formed XML: {e}\n{text}"));
        let items = doc.descendants().filter(|n| n.has_tag_name(item)).count();
        assert_eq!(items, 1, "{name}: one article gives one {item}");
    }
    let json: serde_json::Value =
        serde_json::from_slice(json).unwrap_or_else(|e| panic!("feed.json: {e}"));
    assert_eq!(
        json["items"].as_array().map(Vec::len),
        Some(1),
        "feed.json items"
    );
}
