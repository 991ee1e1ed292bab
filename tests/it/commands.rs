//! The commands around `build`: init, new, completions, man, help, and how
//! the binary talks (exit codes, colour, quiet).

use std::path::Path;
use std::process::{Command, Output};

use scraper::{Html, Selector};

use crate::util::{Site, article, stderr};

fn mdfeed(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mdfeed"))
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .output()
        .unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn init_then_new_then_build_on_an_empty_folder_gives_a_valid_site() {
    let dir = tempfile::tempdir().unwrap();
    let out = mdfeed(dir.path(), &["init", "blog"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("cd blog && mdfeed serve"),
        "{}",
        stderr(&out)
    );
    let root = dir.path().join("blog");
    let config = std::fs::read_to_string(root.join("mdfeed.toml")).unwrap();
    assert!(config.contains("# [author]") && config.contains("timezone = "));
    assert_eq!(
        std::fs::read_to_string(root.join(".gitignore")).unwrap(),
        "/out/\n"
    );

    let out = mdfeed(&root, &["new", "Ünïcode & \"quotes\": a title"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "content/posts/unicode-quotes-a-title.md\n");
    let out = mdfeed(
        &root,
        &["new", "A draft", "--folder", "notes/2024", "--draft"],
    );
    assert_eq!(stdout(&out), "content/notes/2024/a-draft.md\n");

    let out = mdfeed(&root, &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("built 2 articles, 3 feeds"),
        "{}",
        stderr(&out)
    );
    let index = std::fs::read_to_string(root.join("out/index.html")).unwrap();
    let html = Html::parse_document(&index);
    let titles: Vec<String> = html
        .select(&Selector::parse(".articles h2 a").unwrap())
        .map(|a| a.text().collect())
        .collect();
    assert_eq!(titles.len(), 2, "{titles:?}");
    assert!(titles.contains(&"Welcome".to_owned()));
    assert!(titles.contains(&"Ünïcode & \"quotes\": a title".to_owned()));
    for feed in ["rss.xml", "atom.xml", "feed.json"] {
        let bytes = std::fs::read(root.join("out").join(feed)).unwrap();
        let f = feed_rs::parser::parse(bytes.as_slice()).unwrap();
        assert_eq!(f.entries.len(), 2, "{feed}: the draft must stay out");
    }
    assert!(
        root.join("out/posts/unicode-quotes-a-title/index.html")
            .is_file()
    );
    // The Nu checker reads this site too: see html_check.rs.
}

#[test]
fn init_and_new_never_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".gitignore"), "mine\n").unwrap();
    let out = mdfeed(dir.path(), &["init"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(".gitignore:1:1: error: already exists"),
        "{}",
        stderr(&out)
    );
    assert!(
        !dir.path().join("mdfeed.toml").exists(),
        "a refused init wrote a file"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join(".gitignore")).unwrap(),
        "mine\n"
    );

    let site = Site::new();
    assert!(site.run(&["new", "Same title"]).status.success());
    let again = site.run(&["new", "Same title"]);
    assert_eq!(again.status.code(), Some(1));
    assert!(stderr(&again).contains("content/posts/same-title.md:1:1: error: already exists"));
    assert_eq!(
        site.run(&["new", "x", "--folder", "../up"]).status.code(),
        Some(1)
    );
}

#[test]
fn completions_and_man_page_come_from_the_cli_definition() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = mdfeed(dir.path(), &["completions", shell]);
        assert!(out.status.success(), "{shell}");
        let text = stdout(&out);
        for word in ["serve", "--drafts", "completions"] {
            assert!(text.contains(word), "{shell} completions lack {word}");
        }
    }
    let man = stdout(&mdfeed(dir.path(), &["man"]));
    assert!(man.contains(".TH mdfeed 1"), "{man}");
    assert!(man.contains("serve") && man.contains("Exit codes"), "{man}");
    assert_eq!(
        mdfeed(dir.path(), &["completions", "tcsh"]).status.code(),
        Some(2)
    );
}

#[test]
fn help_documents_exit_codes_and_usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let help = stdout(&mdfeed(dir.path(), &["--help"]));
    for line in ["0  success", "1  content", "2  usage", "3  I/O"] {
        assert!(help.contains(line), "{help}");
    }
    assert_eq!(mdfeed(dir.path(), &["frobnicate"]).status.code(), Some(2));
    assert_eq!(
        mdfeed(dir.path(), &["build", "--nope"]).status.code(),
        Some(2)
    );
    assert_eq!(
        mdfeed(dir.path(), &["-q", "-v", "build"]).status.code(),
        Some(2)
    );
}

#[test]
fn colour_only_when_asked_or_on_a_terminal_and_never_with_no_color() {
    let site = Site::new();
    site.write("content/bad.md", "---\ntitle: [x\n---\n");
    let run = |env: &[(&str, &str)]| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_mdfeed"));
        cmd.arg("build").current_dir(site.root());
        cmd.env_remove("NO_COLOR").env_remove("CLICOLOR_FORCE");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(1));
        stderr(&out)
    };
    assert!(!run(&[]).contains('\x1b'), "colour on a pipe");
    let forced = run(&[("CLICOLOR_FORCE", "1")]);
    assert!(
        forced.contains("\x1b[") && forced.contains("error:"),
        "{forced:?}"
    );
    assert!(!run(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]).contains('\x1b'));
}

/// `-v build` says how long each stage took, from the up-to-date check to the write;
/// a build with nothing to do has no stages to tell.
#[test]
fn verbose_build_prints_its_stages() {
    let site = Site::new();
    site.write("content/a.md", article("A", "2024-01-01", "", "x\n"));
    let text = stderr(&site.run(&["-v", "build"]));
    let took = text
        .lines()
        .find(|l| l.contains("took: "))
        .unwrap_or_default();
    let stages = [
        "up-to-date check",
        "records of the last build",
        "render",
        "pages and feeds",
        "write",
        "records for the next build",
    ];
    for stage in stages {
        assert!(
            took.contains(&format!("{stage} ")),
            "{stage} missing in: {text}"
        );
    }
    let again = stderr(&site.run(&["-v", "build"]));
    assert!(
        again.contains("up to date") && !again.contains("took: "),
        "{again}"
    );
}

#[test]
fn quiet_prints_errors_only() {
    let site = Site::new();
    site.write("content/a.md", article("A", "2024-01-01", "", "x\n"));
    site.write("content/README.md", "no front matter\n");
    let out = site.run(&["-q", "build"]);
    assert!(out.status.success());
    assert_eq!(stderr(&out), "");
    let loud = site.run(&["build"]);
    let text = stderr(&loud);
    assert!(text.contains("warning: no front matter"), "{text}");
    assert_eq!(
        text.lines()
            .filter(|l| l.contains("built 1 article, 3 feeds"))
            .count(),
        1
    );
    site.write("content/b.md", "---\ndate: 2024-01-01\n---\n");
    let failed = site.run(&["-q", "build"]);
    assert_eq!(failed.status.code(), Some(1));
    assert!(
        stderr(&failed).contains("content/b.md:"),
        "{}",
        stderr(&failed)
    );
}

#[test]
fn build_watch_rewrites_out_after_a_save() {
    let site = Site::new();
    site.write("content/a.md", article("A", "2024-01-01", "", "First.\n"));
    struct Killed(std::process::Child);
    impl Drop for Killed {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let _watcher = Killed(
        Command::new(env!("CARGO_BIN_EXE_mdfeed"))
            .args(["build", "--watch"])
            .current_dir(site.root())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    let page = site.out().join("a/index.html");
    let wait_for = |text: &str| {
        let started = std::time::Instant::now();
        while !std::fs::read_to_string(&page).is_ok_and(|p| p.contains(text)) {
            assert!(
                started.elapsed().as_secs() < 10,
                "out/ never showed {text:?}"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    };
    wait_for("First.");
    site.write("content/a.md", article("A", "2024-01-01", "", "Second.\n"));
    wait_for("Second.");
    // A broken save leaves out/ as it was, and the watcher keeps going.
    site.write("content/a.md", "---\ntitle: [x\n---\n");
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert!(std::fs::read_to_string(&page).unwrap().contains("Second."));
    site.write("content/a.md", article("A", "2024-01-01", "", "Third.\n"));
    wait_for("Third.");
    // The watcher keeps what it made for the next build: its out/ must be what a
    // fresh build of the same sources makes, byte for byte.
    site.write(
        "content/b.md",
        article("B", "2024-01-02", "tags: [x]\n", "[a](a.md)\n"),
    );
    let index = site.out().join("index.html");
    let started = std::time::Instant::now();
    while !std::fs::read_to_string(&index).is_ok_and(|p| p.contains(">B<")) {
        assert!(started.elapsed().as_secs() < 10, "b.md never reached out/");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    std::thread::sleep(std::time::Duration::from_millis(300));
    let fresh = site.root().join("fresh");
    assert!(site.run(&["build", "--out", "fresh"]).status.success());
    let files = |dir: &std::path::Path| -> Vec<(std::path::PathBuf, Vec<u8>)> {
        let mut all: Vec<_> = walkdir::WalkDir::new(dir)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .map(|e| e.path().to_owned())
            // mdfeed's bookkeeping (state, manifest, .mdfeed-cache/) is not the site.
            .filter(|p| !p.strip_prefix(dir).unwrap().starts_with(".mdfeed-cache"))
            .filter(|p| {
                !p.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with(".mdfeed-")
            })
            .map(|p| {
                let rel = p.strip_prefix(dir).unwrap().to_owned();
                let bytes = std::fs::read(&p).unwrap();
                (rel, bytes)
            })
            .collect();
        all.sort();
        all
    };
    assert_eq!(files(&site.out()), files(&fresh));
}
