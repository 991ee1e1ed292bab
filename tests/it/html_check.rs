//! The Nu HTML checker (vnu.jar, the W3C validator's engine) on every page:
//! the built example site, a site made by `init` + `new`, and pages as
//! `mdfeed serve` sends them (with the live-reload script, the 404 page and the
//! page shown before a first good build).

use std::path::Path;
use std::process::Command;

use crate::http::Served;
use crate::util::{Site, article, repo, stderr, tool};

fn build(root: &Path, out: &Path) {
    let run = Command::new(env!("CARGO_BIN_EXE_mdfeed"))
        .args(["-q", "build", "--root"])
        .arg(root)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", stderr(&run));
}

fn init_site(parent: &Path) -> std::path::PathBuf {
    let root = parent.join("fresh");
    for args in [
        &["init", "fresh"][..],
        &["new", "--root", "fresh", "Tables, code & footnotes"],
    ] {
        let run = Command::new(env!("CARGO_BIN_EXE_mdfeed"))
            .args(args)
            .current_dir(parent)
            .output()
            .unwrap();
        assert!(run.status.success(), "{}", stderr(&run));
    }
    root
}

/// Saves what the server sends for each path as an .html file in `dir`.
fn save_served(server: &Served, dir: &Path, paths: &[(&str, u16)]) {
    std::fs::create_dir_all(dir).unwrap();
    for (i, (path, status)) in paths.iter().enumerate() {
        let reply = server.get(path);
        assert_eq!(reply.status, *status, "{path}");
        std::fs::write(dir.join(format!("page{i}.html")), reply.body).unwrap();
    }
}

#[test]
fn every_page_passes_the_nu_html_checker() {
    let Some(java) = tool("MDFEED_JAVA", &["java"]) else {
        return;
    };
    let jar = repo().join("target/tools/node_modules/vnu-jar/build/dist/vnu.jar");
    let Some(jar) = tool("MDFEED_VNU_JAR", &[jar.to_str().unwrap()]) else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let w = work.path();

    build(repo(), &w.join("example"));
    let fresh = init_site(w);
    build(&fresh, &w.join("fresh-out"));

    let server = Served::start(&fresh, &[]);
    let pages = [
        ("/", 200),
        ("/posts/welcome/", 200),
        ("/posts/tables-code-footnotes/", 200),
        ("/nowhere/", 404),
    ];
    save_served(&server, &w.join("served"), &pages);
    let broken = Site::new();
    broken.write("content/a.md", "---\ntitle: [x\n---\n");
    let waiting = Served::start(broken.root(), &[]);
    save_served(&waiting, &w.join("served-broken"), &[("/", 503)]);

    // A planted mistake proves the checker runs and reports: it must be the only error.
    std::fs::create_dir_all(w.join("planted")).unwrap();
    std::fs::write(
        w.join("planted/bad.html"),
        "<!DOCTYPE html><html lang=en><title>x</title><p><li>stray</p>",
    )
    .unwrap();
    let ok = Site::new();
    ok.write("content/x.md", article("X", "2024-01-01", "", "| a | b |\n|---|---|\n| 1 | 2 |\n\n```rust\nfn main() {}\n```\n\nNote[^1].\n\n[^1]: Foot.\n"));
    build(ok.root(), &w.join("features"));

    let run = Command::new(java)
        .args(["-jar"])
        .arg(&jar)
        .args(["--errors-only", "--skip-non-html", "--format", "gnu"])
        .args(
            [
                "example",
                "fresh-out",
                "served",
                "served-broken",
                "features",
                "planted",
            ]
            .map(|d| w.join(d)),
        )
        .output()
        .unwrap();
    let report = stderr(&run) + &String::from_utf8_lossy(&run.stdout);
    let errors: Vec<&str> = report.lines().filter(|l| l.contains(": error:")).collect();
    assert!(
        errors.iter().any(|l| l.contains("planted/bad.html")),
        "the checker did not report the planted error:\n{report}"
    );
    let real: Vec<&&str> = errors
        .iter()
        .filter(|l| !l.contains("planted/bad.html"))
        .collect();
    assert!(real.is_empty(), "Nu HTML checker errors:\n{report}");
    let checked = walkdir::WalkDir::new(w)
        .into_iter()
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "html"))
        })
        .count();
    assert!(checked >= 12, "only {checked} pages checked");
}
