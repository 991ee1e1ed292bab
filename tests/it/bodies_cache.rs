//! The cache of rendered bodies (`out/.mdfeed-cache`): a build that takes bodies from
//! it makes, byte for byte, the site and the warnings a build without it makes, and
//! renders again exactly the articles whose file or linked files changed.

use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;

use crate::util::{Site, article, snapshot, stderr};

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

/// Builds with `-v`; returns how many articles were rendered anew, of how many, and
/// the warnings about files of `content/`.
fn build(site: &Site, out: &str) -> ((usize, usize), Vec<String>) {
    let run = site.run(&["-v", "build", "--out", out]);
    let text = stderr(&run);
    assert!(run.status.success(), "{text}");
    let line = text
        .lines()
        .find(|l| l.contains("rendered anew: "))
        .unwrap_or_else(|| panic!("no render count in:\n{text}"));
    let words: Vec<&str> = line.split_whitespace().collect();
    let at = words.iter().position(|w| *w == "anew:").unwrap();
    let count = |i: usize| words[at + i].parse::<usize>().unwrap();
    let warnings = text
        .lines()
        // The lock file's warnings come with the build that pins an ID, not each build.
        .filter(|l| l.starts_with("content/") && l.contains("warning"))
        .map(str::to_owned)
        .collect();
    ((count(1), count(3)), warnings)
}

/// The files of a build, by path, but the state file (it repeats the warnings, and
/// the lock file's come only with the build that pins an ID).
fn bytes(site: &Site, out: &str) -> BTreeMap<PathBuf, Vec<u8>> {
    snapshot(&site.root().join(out))
        .into_iter()
        .filter(|(path, _)| path.as_os_str() != ".mdfeed-state")
        .map(|(path, (bytes, _))| (path, bytes))
        .collect()
}

/// Builds `out/` with the cache, and a fresh folder without it; both must agree.
fn same_as_fresh(site: &Site, step: &str) -> (usize, usize) {
    let (rendered, warnings) = build(site, "out");
    let fresh = format!("fresh-{step}");
    let (all, fresh_warnings) = build(site, &fresh);
    assert_eq!(all.0, all.1, "{step}: the fresh build had a cache");
    assert_eq!(warnings, fresh_warnings, "{step}");
    let (cached, fresh_files) = (bytes(site, "out"), bytes(site, &fresh));
    let differ: Vec<_> = cached
        .keys()
        .chain(fresh_files.keys())
        .filter(|p| cached.get(*p) != fresh_files.get(*p))
        .collect();
    assert!(differ.is_empty(), "{step}: {differ:?} differ");
    fs::remove_dir_all(site.root().join(fresh)).unwrap();
    rendered
}

#[test]
fn cached_bodies_make_the_site_a_fresh_build_makes() {
    let site = site();
    assert_eq!(same_as_fresh(&site, "first"), (5, 5));
    assert!(site.out().join(".mdfeed-cache").is_file());
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
    assert_eq!(same_as_fresh(&site, "edit"), (1, 5));

    // B moves: A and E, unchanged themselves, link to a file that is gone, so their
    // cached bodies must not be taken; the new B2 is rendered too.
    fs::rename(
        site.root().join("content/b.md"),
        site.root().join("content/b2.md"),
    )
    .unwrap();
    assert_eq!(same_as_fresh(&site, "move"), (3, 5));

    // A changed config renders everything again (its key is part of every body's).
    let config = fs::read_to_string(site.root().join("mdfeed.toml")).unwrap();
    site.write("mdfeed.toml", config.replace("Test Site", "Renamed"));
    assert_eq!(same_as_fresh(&site, "config"), (5, 5));
    // A new article: the only one rendered.
    site.write("content/f.md", article("F", "2024-01-06", "", "Zeta\n"));
    assert_eq!(same_as_fresh(&site, "new"), (1, 6));
}

#[test]
fn a_damaged_cache_only_costs_time() {
    let site = site();
    build(&site, "out");
    let cache = site.out().join(".mdfeed-cache");
    let full = fs::read(&cache).unwrap();
    for (n, damaged) in [
        full[..full.len() / 2].to_vec(),
        b"not a cache at all".to_vec(),
        Vec::new(),
    ]
    .into_iter()
    .enumerate()
    {
        fs::write(&cache, damaged).unwrap();
        // Something must change, or the build is up to date and reads nothing.
        site.write(
            "content/d.md",
            article("D", "2024-01-04", "", &format!("Delta {n}\n")),
        );
        assert_eq!(same_as_fresh(&site, &format!("damaged-{n}")), (5, 5));
        assert!(
            fs::read(&cache).unwrap().len() > 100,
            "the cache was not written again"
        );
    }
}
