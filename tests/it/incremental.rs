//! The no-change fast path: it must skip only when nothing that matters changed.

use std::fs;

use crate::util::{Site, article, snapshot, stderr};

fn site() -> Site {
    let site = Site::new();
    site.write("content/a.md", article("A", "2024-01-01", "", "Alpha\n"))
        .write("content/b.md", article("B", "2024-01-02", "", "Beta\n"))
        .write(
            "content/pic.svg",
            "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
        );
    site.build();
    site
}

/// Builds and returns the summary line; `up to date` means the fast path was taken.
fn built(site: &Site) -> String {
    let out = site.build();
    stderr(&out)
}

fn rebuilt(site: &Site) {
    let summary = built(site);
    assert!(
        summary.contains(" written"),
        "expected a real build: {summary}"
    );
}

#[test]
fn nothing_changed_means_nothing_written() {
    let site = site();
    let before = snapshot(&site.out());
    std::thread::sleep(std::time::Duration::from_millis(20));
    // A new modification time alone is not a change: inputs are compared by content.
    let a = site.root().join("content/a.md");
    fs::write(&a, fs::read(&a).unwrap()).unwrap();
    assert!(built(&site).contains("up to date"));
    assert_eq!(before, snapshot(&site.out()));
}

#[test]
fn every_kind_of_input_change_rebuilds() {
    let site = site();
    // Same length, different bytes.
    site.write("content/a.md", article("A", "2024-01-01", "", "Alphb\n"));
    assert!(site.read("a/index.html").contains("Alpha"));
    rebuilt(&site);
    assert!(site.read("a/index.html").contains("Alphb"));
    site.write(
        "content/pic.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"><g/></svg>",
    );
    rebuilt(&site);
    assert!(site.read("pic.svg").contains("<g/>"));
    site.write(
        "templates/article.html",
        "<!DOCTYPE html><title>{{ article.title }}</title>\n",
    );
    rebuilt(&site);
    assert!(
        site.read("a/index.html")
            .starts_with("<!DOCTYPE html><title>A</title>")
    );
    let config = fs::read_to_string(site.root().join("mdfeed.toml")).unwrap();
    site.write("mdfeed.toml", config.replace("Test Site", "Renamed Site"));
    rebuilt(&site);
    assert!(site.read("atom.xml").contains("Renamed Site"));
}

#[test]
fn a_damaged_out_folder_is_rebuilt() {
    let site = site();
    fs::remove_file(site.out().join("b/index.html")).unwrap();
    rebuilt(&site);
    assert!(site.out().join("b/index.html").exists());
    assert!(built(&site).contains("up to date"));
    // A build stopped half-way leaves its marker: the next build must not trust the state.
    fs::write(site.out().join(".mdfeed-building"), "").unwrap();
    rebuilt(&site);
    assert!(!site.out().join(".mdfeed-building").exists());
    assert!(built(&site).contains("up to date"));
    // A build killed while rendering leaves its spool folder: never published, and
    // the next build is a full one, which removes it.
    let spool = site.out().join(".mdfeed-tmp-spool-4242");
    fs::create_dir(&spool).unwrap();
    fs::write(spool.join("0"), "half a page").unwrap();
    rebuilt(&site);
    assert!(!spool.exists());
    assert!(built(&site).contains("up to date"));
}

#[test]
fn a_failed_build_leaves_no_spool_and_no_new_out_folder() {
    // Two articles at one URL: found after the pages were rendered and spooled.
    let clash = article("B", "2024-01-02", "slug: a\n", "Beta\n");
    let site = Site::new();
    site.write("content/a.md", article("A", "2024-01-01", "", "Alpha\n"))
        .write("content/b.md", &clash);
    let failed = site.run(&["build"]);
    assert!(!failed.status.success());
    assert!(
        stderr(&failed).contains("would be made by both"),
        "{}",
        stderr(&failed)
    );
    assert!(!site.out().exists(), "a failed first build made out/");
    site.write("content/b.md", article("B", "2024-01-02", "", "Beta\n"));
    site.build();
    let before = snapshot(&site.out());
    site.write("content/b.md", &clash);
    assert!(!site.run(&["build"]).status.success());
    assert_eq!(before, snapshot(&site.out()));
}

#[test]
fn options_are_part_of_the_fingerprint() {
    let site = site();
    site.write(
        "content/d.md",
        article("D", "2024-01-03", "draft: true\n", "x\n"),
    );
    rebuilt(&site);
    assert!(!site.out().join("d").exists());
    let out = site.run(&["build", "--drafts"]);
    assert!(out.status.success());
    assert!(site.out().join("d/index.html").exists());
}

/// A first build (no state in `out/`) hashes the articles' files as it reads them
/// rather than reading them twice: what it records must be what the next build finds,
/// for files it read, files it copied and files it skipped by name alike.
#[test]
fn a_first_build_records_what_the_next_finds() {
    let site = Site::with_config(&format!(
        "{}\n[content]\nskip = [\"drafts/**\"]\n",
        crate::util::CONFIG
    ));
    site.write("content/a.md", article("A", "2024-01-01", "", "Alpha\n"))
        .write(
            "content/drafts/z.md",
            article("Z", "2024-01-03", "", "Zeta\n"),
        )
        .write("content/plain.html", "<!DOCTYPE html><title>P</title>\n")
        .write("content/_defaults.yaml", "authors: [\"Ann\"]\n")
        .write(
            "content/pic.svg",
            "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
        );
    rebuilt(&site);
    assert!(built(&site).contains("up to date"));
    // Each kind of file, changed, is seen: the record holds each one's hash.
    for (file, text) in [
        ("content/drafts/z.md", "still skipped\n"),
        ("content/plain.html", "<!DOCTYPE html><title>Q</title>\n"),
        (
            "content/a.md",
            "---\ntitle: A\ndate: 2024-01-01\n---\nAlphb\n",
        ),
    ] {
        site.write(file, text);
        rebuilt(&site);
        assert!(built(&site).contains("up to date"), "{file}");
    }
    assert!(site.read("a/index.html").contains("Alphb"));
    assert!(site.read("plain.html").contains("<title>Q</title>"));
}

/// The record of the inputs' hashes is a cache like the others: damaged, cut short or
/// gone, it only costs the next check a read of every file.
#[test]
fn a_damaged_record_of_hashes_only_costs_time() {
    let site = site();
    let record = site.out().join(".mdfeed-cache/inputs");
    let whole = fs::read(&record).unwrap();
    for damaged in [&b"not a record"[..], &whole[..whole.len() / 2], b""] {
        fs::write(&record, damaged).unwrap();
        assert!(built(&site).contains("up to date"));
    }
    fs::remove_file(&record).unwrap();
    assert!(built(&site).contains("up to date"));
    // Still seen: an edit, with the record gone.
    site.write("content/a.md", article("A", "2024-01-01", "", "Alphb\n"));
    rebuilt(&site);
    assert!(site.read("a/index.html").contains("Alphb"));
    assert!(
        record.is_file(),
        "written again by a build that did something"
    );
}
