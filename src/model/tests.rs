//! Unit tests of front matter validation.

use super::*;
use crate::frontmatter::split;

fn config() -> Config {
    crate::config::parse(
        Path::new("mdfeed.toml"),
        "title=\"T\"\nbase_url=\"https://e.org/\"\ntimezone=\"Asia/Shanghai\"\n[author]\nname=\"Site\"\n",
        None,
    )
    .unwrap()
}

fn meta(name: &str, text: &str) -> Result<Meta, Vec<Error>> {
    match resolved(name, text, &config(), &mut Vec::new()) {
        Ok(Resolved::Article(m)) => Ok(*m),
        Ok(Resolved::Skipped(r)) => panic!("skipped: {r}"),
        Err(f) => Err(f.errors),
    }
}

fn resolved(
    name: &str,
    text: &str,
    config: &Config,
    warnings: &mut Vec<Warning>,
) -> Result<Resolved, Failure> {
    let fields = split(text).unwrap().unwrap().fields;
    let urls = Urls::new(config.base_url.clone());
    let shown = Path::new("content").join(name);
    let input = Input {
        fields,
        defaults: Fields::new(),
        source: Path::new(name),
        shown: &shown,
        html: false,
        body_is_empty: false,
        section_page: name.ends_with("index.md"),
    };
    resolve(input, config, &urls, warnings)
}

#[test]
fn aliases_and_defaults() {
    let m = meta(
        "news/2024-01-02-hello.md",
        "---\ntitle: \" Hi \"\nlastmod: 2024-02-01\ncategories: [China / Politics]\ntaxonomies: {tags: [a, b]}\ntags: [b, 3]\nlayout: post\n---\n",
    )
    .unwrap();
    assert_eq!(m.title, "Hi");
    assert_eq!(m.date.to_rfc3339(), "2024-01-02T00:00:00+08:00");
    assert_eq!(m.updated.unwrap().to_rfc3339(), "2024-02-01T00:00:00+08:00");
    assert_eq!(m.page, ["news", "hello"]);
    assert_eq!(m.tags, ["a", "b", "3"]);
    assert_eq!(m.categories, ["China / Politics"]);
    assert_eq!(m.authors[0].name, "Site");
    assert_eq!(m.extra["layout"], Value::String("post".into()));
}

#[test]
fn authors_are_never_split() {
    let m = meta("a.md", "---\ntitle: T\ndate: 2024-01-01\nauthors: [\"Smith, Jane and Co\", {name: X, email: x@e.org}]\n---\n").unwrap();
    let names: Vec<_> = m.authors.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["Smith, Jane and Co", "X"]);
}

#[test]
fn every_error_is_reported_with_its_line() {
    let errs = meta(
        "a.md",
        "---\ntitle: [1]\ndate: someday\ndraft: maybe\nslug: ../x\n---\n",
    )
    .unwrap_err();
    let msgs: Vec<String> = errs.iter().map(ToString::to_string).collect();
    assert!(
        msgs.iter()
            .any(|m| m.starts_with("content/a.md:2:") && m.contains("`title` must be a string")),
        "{msgs:?}"
    );
    assert!(
        msgs.iter()
            .any(|m| m.starts_with("content/a.md:3:") && m.contains("cannot read date")),
        "{msgs:?}"
    );
    assert!(
        msgs.iter()
            .any(|m| m.starts_with("content/a.md:4:") && m.contains("`draft`")),
        "{msgs:?}"
    );
    assert!(
        msgs.iter()
            .any(|m| m.starts_with("content/a.md:5:") && m.contains("`slug`")),
        "{msgs:?}"
    );
}

#[test]
fn missing_title_and_date() {
    let errs = meta("a.md", "---\nslug: x\n---\n").unwrap_err();
    assert_eq!(errs.len(), 2, "{errs:?}");
}

/// The cache of read articles keeps front matter in a binary form without field
/// names: every field must come back as it went, the unknown keys' JSON included.
#[test]
fn front_matter_comes_back_from_the_cache_whole() {
    let m = meta(
        "news/2024-05-30-rare-earths.md",
        "---\ntitle: Rare earths\ndate: 2024-05-30T13:46:00+08:00\nupdated: 2024-06-01\n\
         draft: true\ntags: [security, china]\ncategories: [China / Politics]\n\
         authors: [{name: Li Wei, email: li@example.org, uri: https://example.org/li}]\n\
         summary: A *short* one\nimage: photo.jpg\nimage_caption: A mine\nimage_credit: VCG\n\
         id: urn:x:1\nexternal_url: https://example.org/elsewhere\naliases: [/old/path/]\n\
         excerpt_separator: <!--cut-->\nfeed_content: summary\nlang: zh\n\
         enclosure: {src: talk.mp3, type: audio/mpeg, length: 1234}\n\
         layout: post\nseries: {name: Minerals, part: 2, tags: [a, b], ok: true, x: null}\n---\n",
    )
    .unwrap();
    assert!(m.image.is_some() && m.enclosure.is_some() && !m.aliases.is_empty());
    assert_eq!(m.extra.len(), 2, "{:?}", m.extra);
    assert_eq!(crate::cache::round_trip(&m), Some(m));
}
