//! A build killed at any moment leaves a consistent `out/`: every file is the old or
//! the new version (never a mix), the manifest lists every file mdfeed made, and the
//! next complete build ends exactly where a build on an empty folder would.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::{CONFIG, snapshot, stderr};

const ARTICLES: usize = 2000;
/// The files of `out/` that record the stamps of its other files, or of the content's.
const RECORDS: [&str; 4] = [
    ".mdfeed-cache/feeds",
    ".mdfeed-cache/pages",
    ".mdfeed-cache/listings",
    ".mdfeed-cache/inputs",
];
const KILLS: usize = 40;
const TIME_LIMIT: Duration = Duration::from_secs(150);
/// A large asset takes long enough to write that kills land inside its write.
const ASSET_BYTES: usize = 8 << 20;
const TEMP_PREFIX: &str = ".mdfeed-tmp-";

/// SplitMix64: a fixed seed makes every run kill at the same moments (relative to
/// the measured build time), so a failure can be reproduced.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Writes a site root whose articles are `ids`, in one of two versions of their text.
fn generate(root: &Path, ids: std::ops::Range<usize>, version: u32) {
    fs::create_dir_all(root.join("content/posts")).unwrap();
    // One document per format holding every article, and no tag pages: the checks
    // below count three feeds and one page per article.
    let config = format!("{CONFIG}[feeds]\nlimit = 0\ntags = false\ncategories = false\n");
    fs::write(root.join("mdfeed.toml"), config).unwrap();
    let fill = if version == 1 { b'1' } else { b'2' };
    fs::write(root.join("content/big.bin"), vec![fill; ASSET_BYTES]).unwrap();
    for i in ids {
        // Only some articles change between versions, as in a real edit.
        let v = if i % 3 == 0 { version } else { 1 };
        let text = format!(
            "---\ntitle: \"Article {i} (v{v})\"\ndate: 2024-01-01T00:00:00+08:00\ntags: [t{}]\n---\n\
             Paragraph one of article {i}, version {v}, with *emphasis* and a [link](../{}/).\n\n\
             ## Details\n\n- point a\n- point b\n\n{}\n",
            i % 17,
            (i + 1) % ARTICLES,
            "Filler text so that pages have some weight. ".repeat(2),
        );
        let day = 1 + i % 28;
        let dated = text.replace("2024-01-01", &format!("2024-02-{day:02}"));
        fs::write(root.join(format!("content/posts/{i:05}.md")), dated).unwrap();
    }
}

fn mdfeed(root: &Path, out: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mdfeed"));
    cmd.arg("build")
        .arg("--root")
        .arg(root)
        .arg("--out")
        .arg(out);
    cmd.stdout(Stdio::null()).stderr(Stdio::piped());
    cmd
}

fn build_fully(root: &Path, out: &Path) {
    let run = mdfeed(root, out).output().unwrap();
    assert!(run.status.success(), "{}", stderr(&run));
}

/// Waits until the build replaces the manifest or `atom.xml` (the first file written
/// when the content changed) or exits; returns when that happened, if it did.
fn wait_for_writes(out: &Path, child: &mut std::process::Child) -> Option<Instant> {
    use std::os::unix::fs::MetadataExt;
    // Every write is a rename of a new file, so a new inode means "written".
    let stamp = || {
        [".mdfeed-manifest", "atom.xml"].map(|f| fs::metadata(out.join(f)).map(|m| m.ino()).ok())
    };
    let before = stamp();
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline && child.try_wait().unwrap().is_none() {
        if stamp() != before {
            return Some(Instant::now());
        }
        std::thread::sleep(Duration::from_micros(200));
    }
    None
}

type Tree = BTreeMap<PathBuf, Vec<u8>>;

fn tree(dir: &Path) -> Tree {
    snapshot(dir)
        .into_iter()
        .map(|(path, (bytes, _))| (path, bytes))
        .collect()
}

/// Checks `out` after a kill: every file is a person's (unchanged) or one version of a
/// file mdfeed makes, and listed in the manifest. Returns the number of temporary files.
fn check_consistent(out: &Path, refs: [&Tree; 2], person: &Tree) -> usize {
    let now = tree(out);
    let manifest: BTreeSet<PathBuf> = now
        .get(Path::new(".mdfeed-manifest"))
        .map(|m| {
            String::from_utf8_lossy(m)
                .lines()
                .map(PathBuf::from)
                .collect()
        })
        .unwrap_or_default();
    let mut temps = 0;
    for (rel, bytes) in &now {
        // A temporary file has the prefix, or lies in a folder that has it (the spool
        // where a writing build keeps rendered files until it commits).
        if rel
            .iter()
            .any(|part| part.to_string_lossy().starts_with(TEMP_PREFIX))
        {
            temps += 1;
            continue;
        }
        // A killed build leaves its marker on purpose: the next build then distrusts
        // the incremental cache's state file.
        if rel == Path::new(".mdfeed-manifest") || rel == Path::new(".mdfeed-building") {
            continue;
        }
        // The records hold stamps of this out/'s files (feed parts, pages) or of the
        // content's, so no two builds write the same ones; a stale one is never taken.
        if RECORDS.map(Path::new).contains(&rel.as_path()) {
            continue;
        }
        if let Some(mine) = person.get(rel) {
            assert_eq!(
                bytes,
                mine,
                "{}: a person's file was changed",
                rel.display()
            );
            continue;
        }
        assert!(
            refs.iter().any(|r| r.get(rel) == Some(bytes)),
            "{}: neither the old nor the new version ({} bytes)",
            rel.display(),
            bytes.len()
        );
        // The state file and the cache folder are bookkeeping like the manifest: each
        // file must be one build's version (checked above) but is not one of the site's.
        assert!(
            manifest.contains(rel)
                || rel == Path::new(".mdfeed-state")
                || rel.starts_with(".mdfeed-cache"),
            "{}: made but not in the manifest",
            rel.display()
        );
    }
    temps
}

/// Checks that every feed of a complete build parses and every page is whole: then a
/// file equal to one of its versions is, too.
fn check_complete(tree: &Tree) {
    let (mut feeds, mut pages) = (0, 0);
    for (rel, bytes) in tree {
        match rel.extension().and_then(|e| e.to_str()) {
            Some("xml" | "json") => {
                let feed = feed_rs::parser::parse(bytes.as_slice())
                    .unwrap_or_else(|e| panic!("{}: {e}", rel.display()));
                assert_eq!(feed.entries.len(), ARTICLES - 50, "{}", rel.display());
                feeds += 1;
            }
            Some("html") => {
                assert!(bytes.ends_with(b"</html>\n"), "{} is cut", rel.display());
                pages += 1;
            }
            _ => {}
        }
    }
    assert_eq!((feeds, pages), (3, ARTICLES - 50 + 1));
}

/// Builds one version after the other into `out`, killing each at a random moment of
/// its write phase; checks `out` after each. Returns (kills, kills that left temp files).
#[allow(clippy::print_stderr)] // prints the figures of the run
fn kill_repeatedly(roots: &[PathBuf; 2], refs: &[Tree], out: &Path, person: &Tree) -> (u32, u32) {
    // Measure the write phase of a switch to the other version, then switch back.
    let write_time = [&roots[1], &roots[0]].map(|root| {
        let mut child = mdfeed(root, out).spawn().unwrap();
        let began = wait_for_writes(out, &mut child).expect("the build wrote nothing");
        assert!(child.wait().unwrap().success());
        began.elapsed()
    });
    let write_time = write_time[0].max(write_time[1]);
    let mut rng = Rng(0x6d64_6665_6564);
    let started = Instant::now();
    let (mut killed, mut left_temps, mut version) = (0, 0, 0);
    for _ in 0..KILLS {
        if started.elapsed() > TIME_LIMIT {
            break;
        }
        // Mostly switch versions (so there is something to write); sometimes resume
        // the version a killed build was writing.
        if rng.below(4) != 0 {
            version = 1 - version;
        }
        let mut child = mdfeed(&roots[version], out).spawn().unwrap();
        // Only the write phase changes out/: wait for it, then kill at a random moment
        // of it (a little past its measured length, as machine load varies).
        if wait_for_writes(out, &mut child).is_some() {
            std::thread::sleep(write_time.mul_f64(rng.below(1200) as f64 / 1000.0));
            if child.try_wait().unwrap().is_none() {
                child.kill().unwrap();
                killed += 1;
            }
        }
        child.wait().unwrap();
        if check_consistent(out, [&refs[0], &refs[1]], person) > 0 {
            left_temps += 1;
        }
    }
    // The figures, for `cargo test kill -- --nocapture`.
    eprintln!(
        "write phase {write_time:?}; {killed} kills while writing, {left_temps} left temp files"
    );
    (killed, left_temps)
}

#[test]
fn a_build_killed_at_random_moments_leaves_a_consistent_out() {
    let dir = tempfile::tempdir().unwrap();
    let roots = [dir.path().join("v1"), dir.path().join("v2")];
    // The two versions share most articles; each also has some the other lacks.
    generate(&roots[0], 0..ARTICLES - 50, 1);
    generate(&roots[1], 50..ARTICLES, 2);
    let refs: Vec<Tree> = roots
        .iter()
        .map(|root| {
            let out = root.join("reference");
            build_fully(root, &out);
            let mut t = tree(&out);
            t.remove(Path::new(".mdfeed-manifest"));
            for r in RECORDS {
                t.remove(Path::new(r));
            }
            check_complete(&t);
            t
        })
        .collect();
    let out = dir.path().join("out");
    fs::create_dir_all(&out).unwrap();
    fs::write(out.join("CNAME"), "example.org\n").unwrap();
    let person = tree(&out);
    build_fully(&roots[0], &out);
    let (killed, _) = kill_repeatedly(&roots, &refs, &out, &person);
    // Under heavy load fewer builds fit in the time limit; a handful still proves the point.
    assert!(killed >= 8, "only {killed} kills landed during a build");

    // The next complete build of either version ends exactly like a fresh one.
    for (root, reference) in roots.iter().zip(&refs) {
        build_fully(root, &out);
        let mut now = tree(&out);
        now.remove(Path::new(".mdfeed-manifest"));
        for r in RECORDS {
            now.remove(Path::new(r));
        }
        assert_eq!(
            now.remove(Path::new("CNAME")).as_deref(),
            Some(&b"example.org\n"[..])
        );
        let extra: Vec<_> = now.keys().filter(|k| !reference.contains_key(*k)).collect();
        assert!(extra.is_empty(), "left behind: {extra:?}");
        assert!(now == *reference, "out/ differs from a fresh build");
    }
}
