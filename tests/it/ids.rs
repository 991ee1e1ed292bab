//! Feed IDs that survive renames: `mdfeed.lock`, `build --locked`, `ids mv`, and
//! `mdfeed diff` catching an ID change.

use crate::util::{Site, article, stderr};

fn ids(site: &Site) -> Vec<(String, String)> {
    let feed = site.feed("atom.xml");
    feed.entries
        .iter()
        .map(|e| (e.links[0].href.clone(), e.id.clone()))
        .collect()
}

#[test]
fn the_lock_keeps_an_id_when_the_slug_changes() {
    let site = Site::new();
    site.write("content/news/a.md", article("A", "2024-01-01", "", "x\n"));
    let out = site.build();
    assert!(stderr(&out).contains("pinned the feed IDs of 1 new article"));
    let lock = std::fs::read_to_string(site.root().join("mdfeed.lock")).unwrap();
    assert!(
        lock.contains("\"news/a.md\" = \"https://example.org/site/news/a/\""),
        "{lock}"
    );
    site.write(
        "content/news/a.md",
        article("A", "2024-01-01", "slug: renamed\n", "x\n"),
    );
    let out = site.build();
    assert!(!stderr(&out).contains("pinned"), "{}", stderr(&out));
    assert_eq!(
        ids(&site),
        [(
            "https://example.org/site/news/renamed/".to_owned(),
            "https://example.org/site/news/a/".to_owned()
        )]
    );
    // The ID is no longer the permalink, so RSS must say so.
    assert!(
        site.read("rss.xml")
            .contains("<guid isPermaLink=\"false\">https://example.org/site/news/a/</guid>")
    );
    // An unchanged lock file is not rewritten.
    assert_eq!(
        lock,
        std::fs::read_to_string(site.root().join("mdfeed.lock")).unwrap()
    );
}

#[test]
fn a_moved_file_keeps_its_id_after_ids_mv() {
    let site = Site::new();
    site.write("content/a.md", article("A", "2024-01-01", "", "x\n"));
    site.build();
    std::fs::rename(
        site.root().join("content/a.md"),
        site.root().join("content/b.md"),
    )
    .unwrap();
    let mv = site.run(&["ids", "mv", "content/a.md", "content/b.md"]);
    assert!(mv.status.success(), "{}", stderr(&mv));
    let out = site.build();
    assert!(!stderr(&out).contains("pinned"), "{}", stderr(&out));
    assert_eq!(ids(&site)[0].1, "https://example.org/site/a/");
    assert_eq!(ids(&site)[0].0, "https://example.org/site/b/");
    let again = site.run(&["ids", "mv", "a.md", "c.md"]);
    assert_eq!(again.status.code(), Some(1));
    assert!(stderr(&again).contains("`a.md` has no ID in mdfeed.lock"));
}

#[test]
fn a_moved_file_without_ids_mv_gets_a_warning() {
    let site = Site::new();
    site.write("content/a.md", article("A", "2024-01-01", "", "x\n"));
    site.build();
    std::fs::rename(
        site.root().join("content/a.md"),
        site.root().join("content/b.md"),
    )
    .unwrap();
    let out = site.build();
    assert!(
        stderr(&out).contains("mdfeed.lock:1:1: warning: `a.md` has an ID but no article; if a new article is that file moved, run `mdfeed ids mv a.md NEW`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn locked_builds_fail_on_new_articles_and_write_nothing() {
    let site = Site::new();
    site.write("content/a.md", article("A", "2024-01-01", "", "x\n"));
    site.build();
    site.write("content/b.md", article("B", "2024-01-02", "", "x\n"));
    let lock_before = std::fs::read(site.root().join("mdfeed.lock")).unwrap();
    let before = crate::util::snapshot(&site.out());
    let out = site.run(&["build", "--locked"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out)
            .contains("content/b.md:1:1: error: new article has no ID in mdfeed.lock (--locked)"),
        "{}",
        stderr(&out)
    );
    assert_eq!(before, crate::util::snapshot(&site.out()));
    assert_eq!(
        lock_before,
        std::fs::read(site.root().join("mdfeed.lock")).unwrap()
    );
}

#[test]
fn drafts_and_previews_pin_nothing() {
    let site = Site::new();
    site.write(
        "content/d.md",
        article("D", "2024-01-01", "draft: true\n", "x\n"),
    );
    site.write("content/a.md", article("A", "2024-01-01", "", "x\n"));
    let out = site.run(&["build", "--drafts", "--base-url", "http://127.0.0.1:9/"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!site.root().join("mdfeed.lock").exists());
    site.run(&["build", "--drafts"]);
    let lock = std::fs::read_to_string(site.root().join("mdfeed.lock")).unwrap();
    assert!(
        lock.contains("\"a.md\"") && !lock.contains("\"d.md\""),
        "{lock}"
    );
}

#[test]
fn an_old_url_reused_by_a_new_article_is_a_duplicate_id() {
    let site = Site::new();
    site.write("content/a.md", article("A", "2024-01-01", "", "x\n"));
    site.build();
    site.write(
        "content/a.md",
        article("A", "2024-01-01", "slug: a2\n", "x\n"),
    );
    site.write(
        "content/b.md",
        article("B", "2024-01-02", "slug: a\n", "x\n"),
    );
    let out = site.run(&["build"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("error: feed ID `https://example.org/site/a/` is also used by"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn diff_flags_an_id_change_and_exits_4() {
    let site = Site::new();
    site.write("content/a.md", article("A", "2024-01-01", "", "x\n"));
    site.write("content/b.md", article("B", "2024-01-02", "", "x\n"));
    site.build();
    let old = site.root().join("published");
    std::fs::rename(site.out(), &old).unwrap();
    // Losing the lock file re-derives IDs from URLs; an explicit `id` changes one.
    site.write(
        "content/a.md",
        article("A", "2024-01-01", "id: urn:x:new\n", "x\n"),
    );
    site.write("content/c.md", article("C", "2024-01-03", "", "x\n"));
    site.build();
    let out = site.run(&["diff", "published", "out"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(4), "{text}{}", stderr(&out));
    assert!(
        text.contains(
            "ID CHANGED  https://example.org/site/a/  `https://example.org/site/a/` -> `urn:x:new`"
        ),
        "{text}"
    );
    assert!(
        text.contains("atom: 1 added, 0 removed, 0 changed, 1 ID changed"),
        "{text}"
    );
    assert!(
        text.contains("rss: 1 added") && text.contains("json: 1 added"),
        "{text}"
    );
    let same = site.run(&["diff", "out", "out"]);
    assert_eq!(same.status.code(), Some(0));
    let file = site.run(&["diff", "published/rss.xml", "out/rss.xml"]);
    assert_eq!(file.status.code(), Some(4));
}

#[test]
fn a_build_that_pins_ids_leaves_the_next_one_up_to_date() {
    let site = Site::new();
    site.write("content/a.md", article("A", "2024-01-01", "", "x\n"));
    let first = site.build();
    assert!(stderr(&first).contains("pinned"), "{}", stderr(&first));
    // The lock file this build wrote is an input of the next one: recorded as written.
    let second = site.build();
    assert!(
        stderr(&second).contains("up to date"),
        "{}",
        stderr(&second)
    );
    site.write("content/b.md", article("B", "2024-01-02", "", "y\n"));
    let third = site.build();
    assert!(stderr(&third).contains("pinned the feed IDs of 1 new article"));
    assert!(stderr(&site.build()).contains("up to date"));
}
