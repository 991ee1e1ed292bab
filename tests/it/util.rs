//! A temporary site and helpers to run the built binary on it.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::SystemTime;

pub const CONFIG: &str = r#"title = "Test Site"
base_url = "https://example.org/site/"
description = "A site for tests"
language = "en"
timezone = "Asia/Shanghai"
[author]
name = "Site Author"
"#;

/// A site root in a temporary folder.
pub struct Site {
    dir: tempfile::TempDir,
}

impl Site {
    /// A site with the standard test config and no content.
    pub fn new() -> Site {
        Site::with_config(CONFIG)
    }

    pub fn with_config(config: &str) -> Site {
        let site = Site {
            dir: tempfile::tempdir().unwrap(),
        };
        site.write("mdfeed.toml", config);
        fs::create_dir_all(site.root().join("content")).unwrap();
        site
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn out(&self) -> PathBuf {
        self.root().join("out")
    }

    /// Writes a file relative to the site root.
    pub fn write(&self, rel: &str, text: impl AsRef<[u8]>) -> &Site {
        let path = self.root().join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
        self
    }

    /// Runs `mdfeed ARGS` in the site's folder (the default root), so messages name
    /// files as a user sees them: `content/a.md:3:1`.
    pub fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_mdfeed"))
            .args(args)
            .current_dir(self.root())
            .output()
            .unwrap()
    }

    /// Builds and asserts success.
    pub fn build(&self) -> Output {
        let out = self.run(&["build"]);
        assert!(out.status.success(), "build failed:\n{}", stderr(&out));
        out
    }

    /// Reads a file under `out/`.
    pub fn read(&self, rel: &str) -> String {
        let path = self.out().join(rel);
        fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    pub fn feed(&self, rel: &str) -> feed_rs::model::Feed {
        let bytes = fs::read(self.out().join(rel)).unwrap();
        feed_rs::parser::parse(bytes.as_slice()).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Every file under `dir` with its bytes and modification time.
pub fn snapshot(dir: &Path) -> BTreeMap<PathBuf, (Vec<u8>, SystemTime)> {
    let mut files = BTreeMap::new();
    if !dir.exists() {
        return files;
    }
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let meta = entry.metadata().unwrap();
            let rel = entry.path().strip_prefix(dir).unwrap().to_owned();
            files.insert(
                rel,
                (fs::read(entry.path()).unwrap(), meta.modified().unwrap()),
            );
        }
    }
    files
}

/// A small article with YAML front matter.
pub fn article(title: &str, date: &str, extra: &str, body: &str) -> String {
    format!("---\ntitle: \"{title}\"\ndate: {date}\n{extra}---\n{body}")
}

/// Returns the path of an external tool the checks need (`chromium`, `java`, the
/// Nu checker's jar): the variable `env` if set, else the first of `candidates`
/// that exists or is on PATH. When it is missing, `scripts/test` (which sets
/// MDFEED_REQUIRE_VALIDATORS=1 after installing everything) fails the test; a
/// plain `cargo test` says loudly that the check was skipped.
pub fn tool(env: &str, candidates: &[&str]) -> Option<PathBuf> {
    let found = std::env::var_os(env)
        .map(PathBuf::from)
        .into_iter()
        .chain(candidates.iter().flat_map(|c| on_path(c)))
        .find(|p| p.is_file());
    if found.is_none() {
        let why = format!(
            "{} not found (set {env} or run scripts/test)",
            candidates.join(" or ")
        );
        if std::env::var_os("MDFEED_REQUIRE_VALIDATORS").is_some() {
            panic!("{why}: scripts/test should have installed it");
        }
        eprintln!("\n!!!!!!!! SKIPPED: {why} !!!!!!!!\n");
    }
    found
}

fn on_path(name: &str) -> Vec<PathBuf> {
    let direct = PathBuf::from(name);
    if direct.is_absolute() || name.contains('/') {
        return vec![direct];
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path).map(|d| d.join(name)).collect()
}

/// The folder of this repository (its own example site lives here).
pub fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}
