//! Bad input: every case names the file, line and column, exits 1 and leaves
//! `out/` exactly as it was.

use crate::util::{CONFIG, Site, article, snapshot, stderr};

/// Files to write over a good site: (path, text).
pub type Files = &'static [(&'static str, &'static str)];

/// (name, files to write, text an error line must contain)
const CASES: &[(&str, Files, &str)] = &[
    (
        "missing title",
        &[("content/a.md", "---\ndate: 2024-01-01\n---\n")],
        "content/a.md:1:1: error: missing required key `title`",
    ),
    (
        "empty title",
        &[(
            "content/a.md",
            "---\ntitle: \"  \"\ndate: 2024-01-01\n---\n",
        )],
        "content/a.md:2:8: error: `title` is empty",
    ),
    (
        "missing date",
        &[("content/a.md", "---\ntitle: A\n---\n")],
        "content/a.md:1:1: error: missing required key `date`",
    ),
    (
        "bad date",
        &[("content/a.md", "---\ntitle: A\ndate: 30/05/2024\n---\n")],
        "content/a.md:3:7: error: `date`: cannot read date",
    ),
    (
        "date out of range",
        &[("content/a.md", "---\ntitle: A\ndate: 2024-02-30\n---\n")],
        "content/a.md:3:7: error: `date`",
    ),
    (
        "bad updated",
        &[(
            "content/a.md",
            "---\ntitle: A\ndate: 2024-01-01\nlastmod: soon\n---\n",
        )],
        "content/a.md:4:10: error: `lastmod`",
    ),
    (
        "draft not a bool",
        &[(
            "content/a.md",
            "---\ntitle: A\ndate: 2024-01-01\ndraft: maybe\n---\n",
        )],
        "content/a.md:4:8: error: `draft` must be",
    ),
    (
        "tags of tables",
        &[(
            "content/a.md",
            "---\ntitle: A\ndate: 2024-01-01\ntags: [{a: 1}]\n---\n",
        )],
        "content/a.md:4:7: error: `tags` must be",
    ),
    (
        "bad yaml",
        &[(
            "content/a.md",
            "---\ntitle: A\ndate: 2024-01-01\ntags: [a, b\n---\n",
        )],
        "content/a.md:",
    ),
    (
        "duplicate yaml key",
        &[(
            "content/a.md",
            "---\ntitle: A\ntitle: B\ndate: 2024-01-01\n---\n",
        )],
        "content/a.md:3:",
    ),
    (
        "bad toml",
        &[("content/a.md", "+++\ntitle = \"A\"\ndate = \n+++\n")],
        "content/a.md:3:",
    ),
    (
        "unterminated front matter",
        &[("content/a.md", "---\ntitle: A\ndate: 2024-01-01\n")],
        "content/a.md:1:1: error: front matter opened with `---` is never closed",
    ),
    (
        "slug with a slash",
        &[(
            "content/a.md",
            "---\ntitle: A\ndate: 2024-01-01\nslug: ../../etc\n---\n",
        )],
        "content/a.md:4:7: error: `slug` cannot be a page path",
    ),
    (
        "slug dot-dot",
        &[(
            "content/a.md",
            "---\ntitle: A\ndate: 2024-01-01\nslug: \"..\"\n---\n",
        )],
        "content/a.md:4:7: error: `slug` cannot be a page path",
    ),
    (
        "duplicate page",
        &[
            (
                "content/a.md",
                "---\ntitle: A\ndate: 2024-01-01\nslug: x\n---\n",
            ),
            (
                "content/b.md",
                "---\ntitle: B\ndate: 2024-01-02\nslug: x\n---\n",
            ),
        ],
        "content/b.md:1:1: error: out/x/index.html would be made by both content/a.md and content/b.md",
    ),
    (
        "duplicate id",
        &[
            (
                "content/a.md",
                "---\ntitle: A\ndate: 2024-01-01\nid: urn:x:1\n---\n",
            ),
            (
                "content/b.md",
                "---\ntitle: B\ndate: 2024-01-02\nid: urn:x:1\n---\n",
            ),
        ],
        "content/b.md:1:1: error: feed ID `urn:x:1` is also used by content/a.md",
    ),
    (
        "asset and page collide",
        &[
            ("content/a.md", "---\ntitle: A\ndate: 2024-01-01\n---\n"),
            ("content/a/index.html", "<p>x</p>"),
        ],
        "would be made by both",
    ),
    (
        "image not found",
        &[(
            "content/a.md",
            "---\ntitle: A\ndate: 2024-01-01\nimage: nope.png\n---\n",
        )],
        "content/a.md:4:8: error: image `nope.png` not found",
    ),
    (
        "remote enclosure without length",
        &[(
            "content/a.md",
            "---\ntitle: A\ndate: 2024-01-01\nenclosure: https://cdn.example.net/a.mp3\n---\n",
        )],
        "content/a.md:4:12: error: enclosure `https://cdn.example.net/a.mp3` is a remote file without `length`",
    ),
    (
        "enclosure not found",
        &[(
            "content/a.md",
            "---\ntitle: A\ndate: 2024-01-01\nenclosure: {url: ep.mp3, type: audio/mpeg}\n---\n",
        )],
        "content/a.md:4:12: error: enclosure `ep.mp3` not found under content/",
    ),
    (
        "bad lang",
        &[(
            "content/a.md",
            "---\ntitle: A\ndate: 2024-01-01\nlang: english language\n---\n",
        )],
        "content/a.md:4:7: error: `lang` must be a language tag",
    ),
    (
        "config unknown feeds key",
        &[(
            "mdfeed.toml",
            "title = \"T\"\nbase_url = \"https://e.org/\"\n[feeds]\nlimits = 3\n",
        )],
        "mdfeed.toml:4:1: error: unknown field `limits`",
    ),
    (
        "invalid utf-8",
        &[(
            "content/a.md",
            "---\ntitle: A\ndate: 2024-01-01\n---\nok\nbad \u{0}\u{0}",
        )],
        "content/a.md:6:5: error: invalid UTF-8",
    ),
    (
        "template syntax error",
        &[
            ("content/a.md", "---\ntitle: A\ndate: 2024-01-01\n---\n"),
            ("templates/article.html", "<p>\n{% if %}\n"),
        ],
        "templates/article.html:2:1: error: template:",
    ),
    (
        "config missing base_url",
        &[("mdfeed.toml", "title = \"T\"\n")],
        "mdfeed.toml:1:1: error: missing required key `base_url`",
    ),
    (
        "config bad base_url",
        &[("mdfeed.toml", "title = \"T\"\nbase_url = \"example.org\"\n")],
        "mdfeed.toml:2:12: error: `base_url`",
    ),
    (
        "config unknown key",
        &[(
            "mdfeed.toml",
            "title = \"T\"\nbase_url = \"https://e.org/\"\nbase_uri = 1\n",
        )],
        "mdfeed.toml:3:1: error: unknown field `base_uri`",
    ),
    (
        "config bad zone",
        &[(
            "mdfeed.toml",
            "title = \"T\"\nbase_url = \"https://e.org/\"\ntimezone = \"Mars\"\n",
        )],
        "mdfeed.toml:3:12: error: unknown time zone",
    ),
    (
        "config bad toml",
        &[("mdfeed.toml", "title = \"T\"\nbase_url = [\n")],
        "mdfeed.toml:",
    ),
];

/// Is `line` of the form `path:LINE:COL: error: …`?
fn located(line: &str) -> bool {
    let Some((head, _)) = line.split_once(": error: ") else {
        return false;
    };
    let mut parts = head.rsplitn(3, ':');
    let (col, line_no, path) = (parts.next(), parts.next(), parts.next());
    let number = |s: Option<&str>| s.is_some_and(|s| s.parse::<u32>().is_ok_and(|n| n > 0));
    number(col) && number(line_no) && path.is_some_and(|p| !p.is_empty())
}

fn good_site() -> Site {
    let site = Site::new();
    site.write("content/ok.md", article("Fine", "2024-01-01", "", "Body\n"));
    site.build();
    site
}

#[test]
fn every_bad_input_is_reported_at_its_place_and_changes_nothing() {
    let cases: Vec<_> = CASES.iter().chain(crate::odd_inputs::MORE_BAD).collect();
    assert!(cases.len() >= 40, "{} cases", cases.len());
    for (name, files, want) in cases {
        let site = good_site();
        let before = snapshot(&site.out());
        for (path, text) in *files {
            // Invalid UTF-8 cannot be written in a &str literal: NULs stand for 0xFF bytes.
            let bytes: Vec<u8> = if name.contains("utf-8") {
                text.bytes()
                    .map(|b| if b == 0 { 0xff } else { b })
                    .collect()
            } else {
                text.as_bytes().to_vec()
            };
            site.write(path, bytes);
        }
        let out = site.run(&["build"]);
        let err = stderr(&out);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{name}: exit code; stderr:\n{err}"
        );
        assert!(
            err.lines().any(|l| located(l) && l.contains(want)),
            "{name}: want a `path:line:col: error:` line with {want:?}, got:\n{err}"
        );
        assert!(err.contains("nothing was written"), "{name}");
        assert_eq!(before, snapshot(&site.out()), "{name}: out/ changed");
        let check = site.run(&["check"]);
        assert_eq!(check.status.code(), Some(1), "{name}: check exit code");
    }
}

#[test]
fn all_errors_of_a_build_are_reported_in_path_order() {
    let site = Site::new();
    site.write("content/b.md", "---\ntitle: B\ndate: never\n---\n")
        .write("content/a.md", "---\ndate: 2024-01-01\n---\n")
        .write(
            "content/c.md",
            "---\ntitle: C\ndate: 2024-01-01\ndraft: 3\n---\n",
        );
    let out = site.run(&["build"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    let lines: Vec<&str> = err.lines().filter(|l| l.contains(": error: ")).collect();
    assert_eq!(lines.len(), 3, "{err}");
    assert!(lines[0].starts_with("content/a.md:"));
    assert!(lines[1].starts_with("content/b.md:3:"));
    assert!(lines[2].starts_with("content/c.md:4:"));
    assert!(!site.out().exists());
}

#[test]
fn usage_errors_exit_2() {
    let site = Site::with_config(CONFIG);
    let out = site.run(&["build", "--no-such-flag"]);
    assert_eq!(out.status.code(), Some(2));
}
