//! Golden tests: build `tests/fixtures/<case>` and compare the whole `out/` tree with
//! `tests/fixtures/<case>/expected/`. Set `MDFEED_BLESS=1` to rewrite `expected/`.

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::util::{snapshot, stderr};

fn check_fixture(case: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(case);
    let out = tempfile::tempdir().unwrap();
    let run = Command::new(env!("CARGO_BIN_EXE_mdfeed"))
        .args(["build", "--locked", "--root"])
        .arg(&dir)
        .arg("--out")
        .arg(out.path())
        .output()
        .unwrap();
    assert!(run.status.success(), "{case}: {}", stderr(&run));
    let expected = dir.join("expected");
    if std::env::var_os("MDFEED_BLESS").is_some() {
        let _ = fs::remove_dir_all(&expected);
        for (rel, (bytes, _)) in snapshot(out.path())
            .into_iter()
            .filter(|(rel, _)| !versioned(rel))
        {
            let dest = expected.join(rel);
            fs::create_dir_all(dest.parent().unwrap()).unwrap();
            fs::write(dest, bytes).unwrap();
        }
        return;
    }
    let mut got = snapshot(out.path());
    got.retain(|rel, _| !versioned(rel));
    let want = snapshot(&expected);
    let names = |s: &std::collections::BTreeMap<std::path::PathBuf, _>| {
        s.keys().cloned().collect::<Vec<_>>()
    };
    assert_eq!(
        names(&got),
        names(&want),
        "{case}: file lists differ (MDFEED_BLESS=1 to update)"
    );
    for (rel, (bytes, _)) in &got {
        let w = &want[rel].0;
        if bytes != w {
            panic!(
                "{case}: {} differs (MDFEED_BLESS=1 to update)\n--- expected\n{}\n--- got\n{}",
                rel.display(),
                String::from_utf8_lossy(w),
                String::from_utf8_lossy(bytes)
            );
        }
    }
}

/// The state file, the cache of rendered bodies and the records of feed parts and
/// pages name the build of mdfeed that made them (the records also hold stamps), so
/// they change with every change to its code.
fn versioned(rel: &std::path::Path) -> bool {
    rel == std::path::Path::new(".mdfeed-state") || rel.starts_with(".mdfeed-cache")
}

#[test]
fn basic_blog() {
    check_fixture("basic_blog");
}

/// Archives (limit 2), a tag in two spellings, enclosures, an image, languages,
/// per-article content policies and a WebSub hub.
#[test]
fn feeds_blog() {
    check_fixture("feeds_blog");
}
