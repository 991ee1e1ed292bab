//! What a build leaves in `out/.mdfeed-cache/` for the next: the cache of rendered
//! bodies and the records of feed parts and pages. A build
//! that takes from them makes, byte for byte, the site and the warnings a build
//! without them makes, and makes again exactly what changed.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::util::{CONFIG, Site, article, snapshot, stderr};

fn site() -> Site {
    let site = Site::new();
    site.write(
        "content/a.md",
        article(
            "A",
            "2024-01-01",
            "",
            "Alpha, see [B](b.md).\n\n![pic](pic.svg)\n",
        ),
    )
    .write("content/b.md", article("B", "2024-01-02", "", "Beta\n"))
    .write(
        "content/c.md",
        article(
            "C",
            "2024-01-03",
            "",
            "Gamma\n\nShown as text: {{ site.title }}\n",
        ),
    )
    .write(
        "content/d.md",
        article("D", "2024-01-04", "summary: \"A *short* one\"\n", "Delta\n"),
    )
    .write(
        "content/e.md",
        article("E", "2024-01-05", "", "Epsilon, after [B](b.md#top).\n"),
    )
    .write(
        "content/pic.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    );
    site
}

/// Builds with `-v`; returns what it says it made anew, and the warnings about files
/// of `content/`.
fn build(site: &Site, out: &str) -> (String, Vec<String>) {
    let run = site.run(&["-v", "build", "--out", out]);
    let text = stderr(&run);
    assert!(run.status.success(), "{text}");
    let line = text
        .lines()
        .find(|l| l.starts_with("made anew: "))
        .unwrap_or_else(|| panic!("no render count in:\n{text}"));
    let made = line.split(" (").next().unwrap_or_default().to_owned();
    let warnings = text
        .lines()
        // The lock file's warnings come with the build that pins an ID, not each build.
        .filter(|l| l.starts_with("content/") && l.contains("warning"))
        .map(str::to_owned)
        .collect();
    (made, warnings)
}

/// The files of a build, by path, but the state file (it repeats the warnings, and
/// the lock file's come only with the build that pins an ID) and the records of feed
/// parts and pages (they hold the stamps of the files of their own `out/`) and of the
/// content's hashes (which of them were old enough to trust depends on the time).
fn bytes(site: &Site, out: &str) -> BTreeMap<PathBuf, Vec<u8>> {
    snapshot(&site.root().join(out))
        .into_iter()
        .filter(|(path, _)| {
            ![
                ".mdfeed-state",
                ".mdfeed-cache/feeds",
                ".mdfeed-cache/pages",
                ".mdfeed-cache/listings",
                ".mdfeed-cache/inputs",
            ]
            .contains(&path.to_str().unwrap())
        })
        .map(|(path, (bytes, _))| (path, bytes))
        .collect()
}

/// Builds `out/` with the caches, and a fresh folder without them; both must agree.
/// Returns what the first said it made anew.
fn same_as_fresh(site: &Site, step: &str) -> String {
    let (made, warnings) = build(site, "out");
    let fresh = format!("fresh-{step}");
    let (all, fresh_warnings) = build(site, &fresh);
    let counts: Vec<&str> = all
        .split(' ')
        .filter(|w| w.parse::<usize>().is_ok())
        .collect();
    assert!(
        counts.chunks(2).all(|c| c[0] == c[1]),
        "{step}: the fresh build had a cache: {all}"
    );
    assert_eq!(warnings, fresh_warnings, "{step}");
    let (cached, fresh_files) = (bytes(site, "out"), bytes(site, &fresh));
    let differ: Vec<_> = cached
        .keys()
        .chain(fresh_files.keys())
        .filter(|p| cached.get(*p) != fresh_files.get(*p))
        .collect();
    assert!(differ.is_empty(), "{step}: {differ:?} differ");
    fs::remove_dir_all(site.root().join(fresh)).unwrap();
    made
}

/// Writes every file under `dir` but mdfeed's own (`.mdfeed-*`) again with its own
/// bytes, as a new file (a new inode and times, as a restored cache has); returns how
/// many.
fn rewrite_site_files(dir: &Path) -> usize {
    let mut n = 0;
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with(".mdfeed-")
        {
            continue;
        }
        if path.is_dir() {
            n += rewrite_site_files(&path);
        } else {
            let bytes = fs::read(&path).unwrap();
            fs::remove_file(&path).unwrap();
            fs::write(&path, bytes).unwrap();
            n += 1;
        }
    }
    n
}

/// Writes article D of `site()` again (its title and date) with `extra` front matter.
fn write_d(site: &Site, extra: &str, body: &str) {
    site.write("content/d.md", article("D", "2024-01-04", extra, body));
}

/// Moves `b.md` of `site()` to `b2.md`: A and E link to it.
fn move_b(site: &Site) {
    fs::rename(
        site.root().join("content/b.md"),
        site.root().join("content/b2.md"),
    )
    .unwrap();
}

/// The files of the cache of read and rendered articles (it is spread over several).
fn shards(site: &Site) -> Vec<PathBuf> {
    let dir = site.out().join(".mdfeed-cache/bodies");
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    files.sort();
    files
}

#[test]
fn cached_bodies_make_the_site_a_fresh_build_makes() {
    let site = site();
    assert_eq!(
        same_as_fresh(&site, "first"),
        "made anew: 5 of 5 files read, 5 of 5 articles rendered, 5 of 5 pages, 2 of 2 listings"
    );
    assert!(!shards(&site).is_empty());
    let (_, warnings) = build(&site, "fresh-check");
    assert!(
        warnings.iter().any(|w| w.contains("content/c.md:7:")),
        "the template tag's warning names its line: {warnings:?}"
    );

    // One body edited: only it is rendered again.
    site.write(
        "content/a.md",
        article(
            "A",
            "2024-01-01",
            "",
            "Alpha2, see [B](b.md).\n\n![pic](pic.svg)\n",
        ),
    );
    assert_eq!(
        same_as_fresh(&site, "edit"),
        "made anew: 1 of 5 files read, 1 of 5 articles rendered, 1 of 5 pages, 1 of 2 listings"
    );

    // A page changed behind mdfeed's back is rendered again, though its key is not.
    fs::write(site.out().join("c/index.html"), "defaced").unwrap();
    write_d(&site, "summary: \"A *short* one\"\n", "Delta2\n");
    assert_eq!(
        same_as_fresh(&site, "defaced"),
        "made anew: 1 of 5 files read, 1 of 5 articles rendered, 2 of 5 pages, 0 of 2 listings"
    );

    // Every file of the site and of content/ written again with its own bytes, as a
    // clean clone and a restored CI cache give them: new stamps, the same bytes, so no
    // body or page is made again but the edited one's.
    let rewritten = rewrite_site_files(&site.out());
    assert!(rewritten >= 7, "{rewritten}");
    assert!(rewrite_site_files(&site.root().join("content")) >= 5);
    write_d(&site, "summary: \"A *short* one\"\n", "Delta3\n");
    assert_eq!(
        same_as_fresh(&site, "restored"),
        "made anew: 1 of 5 files read, 1 of 5 articles rendered, 1 of 5 pages, 0 of 2 listings"
    );

    // B moves: A and E, unchanged themselves, link to a file that is gone, so their
    // cached bodies must not be taken; the new B2 is rendered too.
    move_b(&site);
    assert_eq!(
        same_as_fresh(&site, "move"),
        "made anew: 1 of 5 files read, 3 of 5 articles rendered, 3 of 5 pages, 1 of 2 listings"
    );

    // A changed config renders everything again (its key is part of every body's).
    let config = fs::read_to_string(site.root().join("mdfeed.toml")).unwrap();
    site.write("mdfeed.toml", config.replace("Test Site", "Renamed"));
    assert_eq!(
        same_as_fresh(&site, "config"),
        "made anew: 5 of 5 files read, 5 of 5 articles rendered, 5 of 5 pages, 2 of 2 listings"
    );
    // A new article: the only one rendered.
    site.write("content/f.md", article("F", "2024-01-06", "", "Zeta\n"));
    assert_eq!(
        same_as_fresh(&site, "new"),
        "made anew: 1 of 6 files read, 1 of 6 articles rendered, 1 of 6 pages, 1 of 2 listings"
    );
}

#[test]
fn a_damaged_cache_only_costs_time() {
    let site = site();
    build(&site, "out");
    for n in 0..3 {
        // Every file of the cache cut short, replaced, or emptied.
        for shard in shards(&site) {
            let full = fs::read(&shard).unwrap();
            let damaged = [&full[..full.len() / 2], b"not a cache at all", b""][n];
            fs::write(&shard, damaged).unwrap();
        }
        // Something must change, or the build is up to date and reads nothing.
        write_d(&site, "", &format!("Delta {n}\n"));
        let made = same_as_fresh(&site, &format!("damaged-{n}"));
        // Every file is read and every body rendered again; the pages' record is whole,
        // so only the edited article's page is made again.
        assert_eq!(
            made,
            "made anew: 5 of 5 files read, 5 of 5 articles rendered, 1 of 5 pages, 1 of 2 listings"
        );
        let sizes: Vec<u64> = shards(&site)
            .iter()
            .map(|s| fs::metadata(s).unwrap().len())
            .collect();
        assert!(
            sizes.iter().all(|&len| len > 50),
            "not written again: {sizes:?}"
        );
    }
}

/// A site of `n` articles, dated a day apart in order, all in its feeds; article `i`
/// is `content/pI.md`.
fn large_site(n: usize) -> Site {
    let site = Site::with_config(&format!("{CONFIG}[feeds]\nlimit = 0\n"));
    for i in 0..n {
        let date = format!(
            "{}-{:02}-{:02}",
            2000 + i / 300,
            1 + i % 300 / 25,
            1 + i % 25
        );
        let body = format!("Article {i}, after [the first](p0.md).\n");
        site.write(
            &format!("content/p{i}.md"),
            article(&format!("P{i}"), &date, "", &body),
        );
    }
    site
}

#[test]
fn feed_parts_are_taken_from_out_while_their_file_is_unchanged() {
    // 450 items: parts of 50 (the newest), 200 and 200 (the oldest) in each format.
    let site = large_site(450);
    let first = same_as_fresh(&site, "first");
    assert_eq!(
        first,
        "made anew: 450 of 450 files read, 450 of 450 articles rendered, 450 of 450 pages, 2 of 2 listings, 6 of 6 feed parts"
    );
    assert!(site.out().join(".mdfeed-cache/feeds").is_file());
    // Each step writes article `pN` dated `date`, then builds and compares.
    let write_and_build = |step: &str, n: usize, date: &str, body: &str| {
        let text = article(&format!("P{n}"), date, "", body);
        site.write(&format!("content/p{n}.md"), text);
        same_as_fresh(&site, step)
    };

    // The oldest article changes: only the oldest part of each format is made again.
    let edit = write_and_build("edit-oldest", 0, "2000-01-01", "First, edited.\n");
    assert_eq!(
        edit,
        "made anew: 1 of 450 files read, 1 of 450 articles rendered, 1 of 450 pages, 1 of 2 listings, 3 of 6 feed parts"
    );

    // A new article changes only the newest part, which is always made.
    let new = write_and_build("new", 450, "2002-01-01", "New.\n");
    assert_eq!(
        new,
        "made anew: 1 of 451 files read, 1 of 451 articles rendered, 1 of 451 pages, 1 of 2 listings, 0 of 6 feed parts"
    );

    // A feed file changed behind mdfeed's back: each of its parts is read again, and
    // the one whose bytes changed (the middle part of atom.xml, p200 to p399) is made
    // again with the oldest part of each format (p100 changed), and the file is whole.
    let atom = site.out().join("atom.xml");
    let text = fs::read_to_string(&atom).unwrap();
    fs::write(&atom, text.replace("Article 300,", "Articlf 300,")).unwrap();
    let tampered = write_and_build("tampered", 100, "2000-05-01", "Hundred.\n");
    assert_eq!(
        tampered,
        "made anew: 1 of 451 files read, 1 of 451 articles rendered, 1 of 451 pages, 1 of 2 listings, 4 of 6 feed parts"
    );
    assert!(site.read("atom.xml").contains("Article 300,"));

    // Every file of the site written again with its own bytes, as a CI cache restores
    // them: new stamps, so the feeds' parts are read again, and taken, being the same.
    assert!(rewrite_site_files(&site.out()) > 450);
    let restored = write_and_build("restored", 101, "2000-05-02", "Hundred and one.\n");
    assert_eq!(
        restored,
        "made anew: 1 of 451 files read, 1 of 451 articles rendered, 1 of 451 pages, 1 of 2 listings, 3 of 6 feed parts"
    );
}

/// Records that cannot be written (here a file stands where their folder goes) leave
/// the site built and say so; the next build that can write them does.
#[test]
fn records_that_cannot_be_written_are_a_warning_not_a_failure() {
    let site = site();
    build(&site, "out");
    let cache = site.out().join(".mdfeed-cache");
    fs::remove_dir_all(&cache).unwrap();
    fs::write(&cache, "in the way").unwrap();
    write_d(&site, "", "Delta again\n");
    let run = site.run(&["build"]);
    let text = stderr(&run);
    assert!(run.status.success(), "{text}");
    assert!(
        text.lines().any(|l| l.contains("out/.mdfeed-cache:")
            && l.contains("warning: not written, so the next build will redo more")),
        "{text}"
    );
    assert!(site.read("d/index.html").contains("Delta again"));
    assert_eq!(fs::read_to_string(&cache).unwrap(), "in the way");
    fs::remove_file(&cache).unwrap();
    write_d(&site, "", "Delta once more\n");
    assert_eq!(
        same_as_fresh(&site, "writable"),
        "made anew: 5 of 5 files read, 5 of 5 articles rendered, 5 of 5 pages, 2 of 2 listings"
    );
    assert!(!shards(&site).is_empty());
}

/// Sets every file of `content/` back an hour, as if written long before the build:
/// then a build takes their hashes from the record of the last one.
fn age_content(site: &Site) {
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    for entry in walkdir::WalkDir::new(site.root().join("content")) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let file = fs::File::options().write(true).open(entry.path()).unwrap();
            file.set_modified(hour_ago).unwrap();
        }
    }
}

/// Files unchanged since the last build are not read: their front matter comes from
/// the cache, and their text only when their body must be rendered again.
#[test]
fn files_left_unread_make_the_site_a_fresh_build_makes() {
    let site = site();
    // Its warning (at the character's line and column) comes from the cache once the
    // file is left unread: `same_as_fresh` compares it with a fresh build's.
    site.write(
        "content/f.md",
        article("F", "2024-01-06", "", "Zeta\n\nA bell: \u{7}.\n"),
    )
    // Not in the file as such: an escape in the front matter.
    .write(
        "content/g.md",
        article("G", "2024-01-07", "summary: \"Bell \\x07\"\n", "Eta\n"),
    );
    age_content(&site);
    same_as_fresh(&site, "first");
    write_d(&site, "summary: \"Changed\"\n", "Delta2\n");
    age_content(&site);
    assert_eq!(
        same_as_fresh(&site, "edit"),
        "made anew: 1 of 7 files read, 1 of 7 articles rendered, 1 of 7 pages, 1 of 2 listings"
    );
    // A and E, left unread, link to B, which moves: their bodies are rendered again
    // from their files, read now.
    move_b(&site);
    assert_eq!(
        same_as_fresh(&site, "move"),
        "made anew: 1 of 7 files read, 3 of 7 articles rendered, 3 of 7 pages, 1 of 2 listings"
    );
    assert!(site.read("a/index.html").contains("Alpha, see"));
}
