//! The build's memo (`pipeline::plan_with`), through the library: what each kind of
//! change makes anew, that a memoised build always equals a fresh one, and that the
//! memo does not grow from edit to edit.

use std::collections::BTreeMap;
use std::path::PathBuf;

use mdfeed::BuildOptions;
use mdfeed::output::{Body, Outputs};
use mdfeed::pipeline::{Memo, MemoReport, plan, plan_with};

use crate::util::{CONFIG, Site, article};

fn site() -> Site {
    let site = Site::with_config(&format!("{CONFIG}[feeds]\nlimit = 2\n"));
    for (name, day, tags) in [
        ("a", 1, "[rust, web]"),
        ("b", 2, "[rust]"),
        ("c", 3, "[web]"),
    ] {
        let body = format!("Body of {name}, see [b](b.md).\n");
        let extra = format!("tags: {tags}\n");
        let date = format!("2024-05-0{day}");
        site.write(
            &format!("content/posts/{name}.md"),
            article(&format!("Post {name}"), &date, &extra, &body),
        );
    }
    site.write(
        "content/posts/lone.md",
        article("Lone", "2024-04-01", "", "Links to nothing.\n"),
    );
    site
}

fn opts(site: &Site) -> BuildOptions {
    BuildOptions {
        root: site.root().to_owned(),
        now: Some(chrono::DateTime::parse_from_rfc3339("2025-01-01T00:00:00Z").unwrap()),
        ..BuildOptions::default()
    }
}

fn files(outputs: &Outputs) -> BTreeMap<PathBuf, Vec<u8>> {
    outputs
        .files()
        .map(|(rel, body)| {
            let bytes = match body {
                Body::Bytes(b) => b.to_vec(),
                Body::Copy(src) => std::fs::read(src).unwrap(),
                Body::Spooled(s) => std::fs::read(s.path()).unwrap(),
            };
            (rel.to_owned(), bytes)
        })
        .collect()
}

/// Rebuilds with `memo`, checks the result equals a fresh build's, and returns what
/// the rebuild made anew.
fn rebuild(site: &Site, memo: &mut Memo) -> MemoReport {
    rebuild_as(&opts(site), memo)
}

/// Rebuilds like `rebuild`, with these options.
fn rebuild_as(opts: &BuildOptions, memo: &mut Memo) -> MemoReport {
    let (report, memoised) = plan_with(opts, memo).unwrap();
    let (_, fresh) = plan(opts).unwrap();
    let (memoised, fresh) = (files(&memoised), files(&fresh));
    assert_eq!(
        memoised.keys().collect::<Vec<_>>(),
        fresh.keys().collect::<Vec<_>>()
    );
    for (rel, bytes) in &fresh {
        assert!(memoised[rel] == *bytes, "{} differs", rel.display());
    }
    report.memo
}

#[test]
fn unchanged_inputs_are_all_taken_from_the_memo() {
    let site = site();
    let mut memo = Memo::default();
    let first = rebuild(&site, &mut memo);
    assert_eq!(
        (first.read.hits, first.rendered.hits, first.pages.hits),
        (0, 0, 0)
    );
    let again = rebuild(&site, &mut memo);
    for (stage, r) in [
        ("read", again.read),
        ("rendered", again.rendered),
        ("pages", again.pages),
        ("listings", again.listings),
        ("feeds", again.feeds),
    ] {
        assert!(r.misses == 0 && r.hits > 0, "{stage}: {r:?}");
    }
}

#[test]
fn an_edit_makes_anew_only_what_shows_the_article() {
    let site = site();
    let mut memo = Memo::default();
    rebuild(&site, &mut memo);
    site.write(
        "content/posts/c.md",
        article("Post c", "2024-05-03", "tags: [web]\n", "New body.\n"),
    );
    let m = rebuild(&site, &mut memo);
    assert_eq!((m.read.misses, m.rendered.misses), (1, 1), "{m:?}");
    // Its page; the home page and its tag's page; its feeds, not the others.
    assert_eq!((m.pages.misses, m.listings.misses), (1, 2), "{m:?}");
    assert!(m.feeds.misses > 0 && m.feeds.hits > 0, "{m:?}");
}

#[test]
fn config_templates_and_link_targets_are_part_of_the_keys() {
    let site = site();
    let mut memo = Memo::default();
    rebuild(&site, &mut memo);

    // A template: every page again (templates may include one another), no article
    // rendered again, no feed made again.
    site.write("templates/article.html", "<p>{{ article.title }}</p>\n");
    let m = rebuild(&site, &mut memo);
    assert_eq!((m.read.misses, m.rendered.misses), (0, 0), "{m:?}");
    assert_eq!(
        (m.pages.hits, m.listings.hits, m.feeds.misses),
        (0, 0, 0),
        "{m:?}"
    );

    // A link target: `b.md` moves; the articles linking to it are rendered again,
    // the one that links to nothing is not.
    std::fs::rename(
        site.root().join("content/posts/b.md"),
        site.root().join("content/posts/b2.md"),
    )
    .unwrap();
    let m = rebuild(&site, &mut memo);
    assert_eq!(m.read.misses, 1, "only b2.md is new: {m:?}");
    assert_eq!(
        m.rendered.misses, 3,
        "b2, and a and c that link to b: {m:?}"
    );
    assert_eq!(m.rendered.hits, 1, "lone.md: {m:?}");

    // The config: everything is read again.
    let config = format!(
        "{}[feeds]\nlimit = 2\n",
        CONFIG.replace("Test Site", "Renamed")
    );
    site.write("mdfeed.toml", config);
    let m = rebuild(&site, &mut memo);
    assert_eq!(
        (m.read.hits, m.rendered.hits, m.pages.hits),
        (0, 0, 0),
        "{m:?}"
    );
}

#[test]
fn the_memo_keeps_only_what_the_last_build_used() {
    let site = site();
    let mut memo = Memo::default();
    rebuild(&site, &mut memo);
    let size = memo.len();
    for i in 0..6 {
        site.write(
            "content/posts/a.md",
            article(
                "Post a",
                "2024-05-01",
                "tags: [rust, web]\n",
                &format!("Edit {i}.\n"),
            ),
        );
        rebuild(&site, &mut memo);
        assert_eq!(memo.len(), size, "after edit {i}");
    }
}

#[test]
fn a_failed_build_reports_its_errors_and_keeps_the_good_build_memo() {
    let site = site();
    let mut memo = Memo::default();
    rebuild(&site, &mut memo);
    site.write(
        "content/posts/a.md",
        "---\ntitle: [unclosed\n---\nBroken.\n",
    );
    for _ in 0..2 {
        let e = plan_with(&opts(&site), &mut memo).unwrap_err();
        assert!(e.to_string().contains("a.md:2:"), "{e}");
    }
    site.write(
        "content/posts/a.md",
        article("Post a", "2024-05-01", "tags: [rust, web]\n", "Fixed.\n"),
    );
    let m = rebuild(&site, &mut memo);
    assert_eq!((m.read.misses, m.rendered.misses), (1, 1), "{m:?}");
}

#[test]
fn ids_from_the_lock_file_come_and_go_with_it() {
    let site = site();
    let mut memo = Memo::default();
    rebuild(&site, &mut memo);
    site.write("mdfeed.lock", "[ids]\n\"posts/a.md\" = \"urn:x:a\"\n");
    let m = rebuild(&site, &mut memo);
    assert_eq!(m.rendered.misses, 0, "{m:?}");
    assert!(m.feeds.misses > 0, "a's entries carry the pinned ID: {m:?}");
    let m = rebuild(&site, &mut memo);
    assert_eq!(m.feeds.misses, 0, "{m:?}");
    std::fs::remove_file(site.root().join("mdfeed.lock")).unwrap();
    let m = rebuild(&site, &mut memo);
    assert!(m.feeds.misses > 0, "{m:?}");
}

/// A feed of more than 200 items is made in parts, and a memoised rebuild takes the
/// parts an edit did not touch from the memo (`feeds::parts`): whatever the edit, the
/// feeds must be those of a fresh build, byte for byte.
#[test]
fn large_feeds_rebuilt_from_kept_parts_equal_a_fresh_build() {
    let site = Site::with_config(&format!("{CONFIG}[feeds]\nlimit = 0\n"));
    let post = |n: usize, day: &str, body: &str| {
        let extra = format!("tags: [t{}]\n", n % 3);
        article(&format!("Post {n}"), day, &extra, body)
    };
    let day = |n: usize| format!("2023-{:02}-{:02}", n / 28 % 12 + 1, n % 28 + 1);
    for n in 0..450 {
        let body = format!("Body {n}, see [the one before](p{:03}.md).\n", n.max(1) - 1);
        site.write(
            &format!("content/posts/p{n:03}.md"),
            post(n, &day(n), &body),
        );
    }
    let mut memo = Memo::default();
    rebuild(&site, &mut memo);
    // An edit in the oldest part, one in the newest, a move between parts, and an
    // article added at the top: each rebuild is compared with a fresh build.
    let edits = [
        (10, day(10), "Edited old body.\n"),
        (440, day(440), "Edited new body.\n"),
        (20, "2023-12-28".to_owned(), "Moved to the top.\n"),
        (450, "2024-01-05".to_owned(), "A new article.\n"),
    ];
    for (n, date, body) in edits {
        site.write(&format!("content/posts/p{n:03}.md"), post(n, &date, body));
        rebuild(&site, &mut memo);
    }
}

/// Rebuilds like `rebuild`, first telling the memo what changed, as `serve` does.
fn rebuild_told(site: &Site, memo: &mut Memo, changed: &[&str]) -> MemoReport {
    let changed: Vec<PathBuf> = changed.iter().map(PathBuf::from).collect();
    memo.changed(&changed);
    rebuild(site, memo)
}

#[test]
fn a_build_told_what_changed_looks_only_at_those_files_and_equals_a_fresh_one() {
    let site = site();
    site.write("content/posts/pic.png", "12345");
    site.write(
        "content/posts/lone.md",
        article(
            "Lone",
            "2024-04-01",
            "image: pic.png\n",
            "Links to nothing.\n",
        ),
    );
    let mut memo = Memo::default();
    rebuild(&site, &mut memo);

    // A file nobody told of is not looked at: the watcher's word is trusted...
    let edit = |body: &str| article("Post c", "2024-05-03", "tags: [web]\n", body);
    site.write("content/posts/c.md", edit("Unreported.\n"));
    memo.changed(&[]);
    let (report, planned) = plan_with(&opts(&site), &mut memo).unwrap();
    assert_eq!(report.memo.read.misses, 0, "{:?}", report.memo);
    let page = &files(&planned)[&PathBuf::from("posts/c/index.html")];
    assert!(!String::from_utf8_lossy(page).contains("Unreported."));
    // ...and one it names is read again.
    let m = rebuild_told(&site, &mut memo, &["content/posts/c.md"]);
    assert_eq!((m.read.misses, m.rendered.misses), (1, 1), "{m:?}");

    // A new article, then one deleted (a links to b: rendered again).
    site.write(
        "content/posts/d.md",
        article("Post d", "2024-05-04", "tags: [rust]\n", "New d.\n"),
    );
    let m = rebuild_told(&site, &mut memo, &["content/posts/d.md"]);
    assert_eq!((m.read.misses, m.rendered.misses), (1, 1), "{m:?}");
    std::fs::remove_file(site.root().join("content/posts/b.md")).unwrap();
    let m = rebuild_told(&site, &mut memo, &["content/posts/b.md"]);
    assert_eq!(m.rendered.misses, 1, "{m:?}");

    // An image grows: the article showing it is rendered again (its feed entries
    // carry the length).
    site.write("content/posts/pic.png", "1234567890");
    let m = rebuild_told(&site, &mut memo, &["content/posts/pic.png"]);
    assert_eq!(m.rendered.misses, 1, "{m:?}");

    // A new folder, an editor's temporary file gone before the build, and a hidden
    // file: the folder makes the build walk content/ again.
    site.write(
        "content/notes/e.md",
        article("Note e", "2024-05-05", "", "In a new folder.\n"),
    );
    let m = rebuild_told(
        &site,
        &mut memo,
        &["content/notes", "content/notes/e.md", "content/posts/4913"],
    );
    assert_eq!(m.read.misses, 1, "{m:?}");

    // A build that fails on one file, then one told only of that file: the other
    // change the failed build was told of is still taken in.
    site.write(
        "content/posts/a.md",
        article("Post a", "2024-05-01", "tags: [rust, web]\n", "Edited a.\n"),
    );
    site.write(
        "content/posts/c.md",
        "---\ntitle: [unclosed\n---\nBroken.\n",
    );
    memo.changed(&[
        PathBuf::from("content/posts/a.md"),
        PathBuf::from("content/posts/c.md"),
    ]);
    plan_with(&opts(&site), &mut memo).unwrap_err();
    site.write("content/posts/c.md", edit("Fixed.\n"));
    rebuild_told(&site, &mut memo, &["content/posts/c.md"]);
}

#[test]
fn a_preview_keeps_the_pinned_ids_through_edits_and_takes_new_ones() {
    let site = site();
    site.write("mdfeed.lock", "[ids]\n\"posts/a.md\" = \"urn:x:a\"\n");
    // A preview (`serve`): its IDs come from the lock file, and it pins nothing.
    let preview = BuildOptions {
        base_url: Some("http://127.0.0.1:1111/".into()),
        ..opts(&site)
    };
    let atom = |memo: &mut Memo| {
        let (_, planned) = plan_with(&preview, memo).unwrap();
        String::from_utf8(files(&planned)[&PathBuf::from("atom.xml")].clone()).unwrap()
    };
    let mut memo = Memo::default();
    rebuild_as(&preview, &mut memo);
    for (i, name) in ["a", "b", "a"].iter().enumerate() {
        site.write(
            &format!("content/posts/{name}.md"),
            article(
                &format!("Post {name}"),
                "2024-05-09",
                "",
                &format!("Edit {i}.\n"),
            ),
        );
        memo.changed(&[PathBuf::from(format!("content/posts/{name}.md"))]);
        let m = rebuild_as(&preview, &mut memo);
        assert_eq!(m.rendered.misses, 1, "{m:?}");
        let atom = atom(&mut memo);
        assert!(atom.contains("<id>urn:x:a</id>"), "{atom}");
    }
    site.write("mdfeed.lock", "[ids]\n\"posts/a.md\" = \"urn:x:a2\"\n");
    rebuild_as(&preview, &mut memo);
    assert!(atom(&mut memo).contains("<id>urn:x:a2</id>"));
}

#[test]
fn a_listing_is_rendered_again_only_when_a_field_it_shows_changed() {
    // Articles with a summary of their own: their text does not show on the home page
    // or the tag pages of the built-in theme.
    let site = site();
    let summed = |body: &str| {
        let extra = "tags: [web]\nsummary: \"About c.\"\n";
        article("Post c", "2024-05-03", extra, body)
    };
    site.write("content/posts/c.md", summed("First.\n"));
    let mut memo = Memo::default();
    rebuild(&site, &mut memo);
    site.write("content/posts/c.md", summed("Second.\n"));
    let m = rebuild(&site, &mut memo);
    assert_eq!((m.pages.misses, m.listings.misses), (1, 0), "{m:?}");

    // A home page that shows the text: it is rendered again when the text changes.
    site.write(
        "templates/index.html",
        "{% for article in articles %}{{ article.content }}{% endfor %}\n",
    );
    rebuild(&site, &mut memo);
    site.write("content/posts/c.md", summed("Third.\n"));
    let m = rebuild(&site, &mut memo);
    assert_eq!(m.listings.misses, 1, "{m:?}");

    // One that prints whole articles looks at every field.
    site.write("templates/index.html", "{{ articles }}\n");
    rebuild(&site, &mut memo);
    site.write("content/posts/c.md", summed("Fourth.\n"));
    let m = rebuild(&site, &mut memo);
    assert_eq!(m.listings.misses, 1, "{m:?}");
    site.write("content/posts/c.md", summed("Fourth.\n"));
    let m = rebuild(&site, &mut memo);
    assert_eq!(m.listings.misses, 0, "{m:?}");
}

#[test]
fn an_edit_that_gives_two_articles_one_id_fails_as_in_a_fresh_build() {
    let site = site();
    let mut memo = Memo::default();
    rebuild(&site, &mut memo);
    let with_id = |name: &str, day: u32| {
        let extra = "id: \"urn:x:1\"\n";
        article(
            &format!("Post {name}"),
            &format!("2024-05-0{day}"),
            extra,
            "Body.\n",
        )
    };
    site.write("content/posts/c.md", with_id("c", 3));
    rebuild_told(&site, &mut memo, &["content/posts/c.md"]);
    site.write("content/posts/a.md", with_id("a", 1));
    memo.changed(&[PathBuf::from("content/posts/a.md")]);
    let e = plan_with(&opts(&site), &mut memo).unwrap_err().to_string();
    assert!(e.contains("feed ID `urn:x:1` is also used by"), "{e}");
    assert_eq!(e, plan(&opts(&site)).unwrap_err().to_string());
}
