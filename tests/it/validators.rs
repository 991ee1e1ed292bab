//! Independent validators on real output: every Atom feed against the RFC 4287
//! RELAX NG schema (jing), and every RSS/Atom feed through Python's feedparser
//! (bozo must be 0, every entry needs title, link, id and date).
//!
//! `scripts/test` installs both and sets `MDFEED_REQUIRE_VALIDATORS=1`, which turns a
//! missing tool into a failure; a plain `cargo test` skips them with a message.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::stderr;

fn required() -> bool {
    std::env::var_os("MDFEED_REQUIRE_VALIDATORS").is_some()
}

/// Returns the command if it can be started, or `None` (skip) outside `scripts/test`.
fn tool(program: &str) -> Option<String> {
    if Command::new(program).output().is_ok() {
        return Some(program.to_owned());
    }
    assert!(
        !required(),
        "{program} is missing; scripts/test installs it"
    );
    eprintln!("SKIPPED: {program} is not installed (scripts/test installs it)");
    None
}

fn python() -> Option<String> {
    let venv = std::env::var("MDFEED_VALIDATORS_PYTHON").unwrap_or_else(|_| "python3".into());
    let probe = Command::new(&venv)
        .args(["-c", "import feedparser"])
        .output();
    if probe.is_ok_and(|o| o.status.success()) {
        return Some(venv);
    }
    assert!(
        !required(),
        "feedparser is missing; scripts/test installs it"
    );
    eprintln!("SKIPPED: Python feedparser is not installed (scripts/test installs it)");
    None
}

/// Builds a site root into a fresh folder and returns every feed file in it.
fn build(root: &Path) -> (tempfile::TempDir, Vec<PathBuf>) {
    let out = tempfile::tempdir().unwrap();
    let run = Command::new(env!("CARGO_BIN_EXE_mdfeed"))
        .args(["build", "--drafts", "--locked", "--root"])
        .arg(root)
        .arg("--out")
        .arg(out.path())
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", stderr(&run));
    let feeds = walkdir::WalkDir::new(out.path())
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .filter(|p| p.extension().is_some_and(|e| e == "xml"))
        .collect();
    (out, feeds)
}

/// A site of 450 articles in one feed per format: more than a part holds, so each
/// site feed is made in three parts and joined (`feeds::parts`). The items that change
/// a feed's head (an image, an author of its own) stand in some parts only.
fn large_site() -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    let write = |rel: &str, text: &str| {
        let path = root.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write(
        "mdfeed.toml",
        "title = \"Many\"\nbase_url = \"https://example.org/\"\ndescription = \"d\"\n\
         [feeds]\nlimit = 0\ncontent = \"both\"\n",
    );
    for n in 0..450 {
        let image = match n % 170 {
            7 => "image: https://example.org/i.png\nimage_credit: VCG\n",
            _ => "",
        };
        let author = match n % 3 {
            0 => "author: Li Wei\n",
            _ => "",
        };
        let (day, month) = (n % 28 + 1, n / 28 % 12 + 1);
        let text = format!(
            "---\ntitle: Item {n} & <more>\ndate: 2023-{month:02}-{day:02}T{h:02}:00:00Z\n\
             tags: [t{t}]\n{image}{author}---\nFirst {n}, see [the one before](p{p:03}.md).\n\n\
             <!-- more -->\n\nThe rest[^1].\n\n[^1]: A note.\n",
            h = n % 24,
            t = n % 5,
            p = n.max(1) - 1,
        );
        write(&format!("content/posts/p{n:03}.md"), &text);
    }
    // Adds the articles' IDs to mdfeed.lock, so `build --locked` passes.
    let scratch = tempfile::tempdir().unwrap();
    let run = Command::new(env!("CARGO_BIN_EXE_mdfeed"))
        .args(["build", "--quiet", "--root"])
        .arg(root.path())
        .arg("--out")
        .arg(scratch.path())
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", stderr(&run));
    let atom = std::fs::read_to_string(scratch.path().join("atom.xml")).unwrap();
    assert_eq!(atom.matches("<entry>").count(), 450);
    root
}

fn sites() -> Vec<PathBuf> {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut roots = vec![repo.to_owned()];
    let fixtures = std::fs::read_dir(repo.join("tests/fixtures")).unwrap();
    let mut more: Vec<PathBuf> = fixtures
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("mdfeed.toml").exists())
        .collect();
    more.sort();
    roots.extend(more);
    roots
}

fn is_atom(path: &Path) -> bool {
    std::fs::read_to_string(path)
        .is_ok_and(|t| t.contains("<feed xmlns=\"http://www.w3.org/2005/Atom\""))
}

#[test]
fn atom_feeds_match_the_rfc_4287_schema() {
    let Some(jing) = tool("jing") else { return };
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schema/atom-rfc4287.rnc");
    let mut checked = 0;
    let large = large_site();
    for root in sites().into_iter().chain([large.path().to_owned()]) {
        let (_out, feeds) = build(&root);
        for feed in feeds.iter().filter(|f| is_atom(f)) {
            let run = Command::new(&jing)
                .arg("-c")
                .arg(&schema)
                .arg(feed)
                .output()
                .unwrap();
            let report = String::from_utf8_lossy(&run.stdout);
            assert!(
                run.status.success(),
                "{}: {report}{}",
                feed.display(),
                stderr(&run)
            );
            checked += 1;
        }
    }
    assert!(checked >= 2, "only {checked} Atom feeds checked");
}

const FEEDPARSER: &str = r#"
import sys, feedparser
bad = 0
for path in sys.argv[1:]:
    d = feedparser.parse(path)
    if d.bozo:
        print(f"{path}: bozo: {d.bozo_exception}"); bad += 1
    if not d.entries:
        print(f"{path}: no entries"); bad += 1
    for e in d.entries:
        for key in ("title", "link", "id"):
            if not e.get(key):
                print(f"{path}: entry without {key}: {e.get('title')}"); bad += 1
        if not (e.get("published_parsed") or e.get("updated_parsed")):
            print(f"{path}: entry without a parseable date: {e.get('title')}"); bad += 1
print(f"checked {len(sys.argv) - 1} feeds")
sys.exit(1 if bad else 0)
"#;

#[test]
fn every_feed_parses_cleanly_in_feedparser() {
    let Some(python) = python() else { return };
    let mut checked = 0;
    let large = large_site();
    for root in sites().into_iter().chain([large.path().to_owned()]) {
        let (_out, feeds) = build(&root);
        let run = Command::new(&python)
            .args(["-c", FEEDPARSER])
            .args(&feeds)
            .output()
            .unwrap();
        let report = String::from_utf8_lossy(&run.stdout);
        assert!(
            run.status.success(),
            "{}: {report}{}",
            root.display(),
            stderr(&run)
        );
        checked += feeds.len();
    }
    assert!(checked >= 4, "only {checked} feeds checked");
}
