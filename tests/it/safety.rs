//! Nothing escapes and nothing breaks: names with spaces and other scripts, symbolic
//! links, characters XML forbids, UTF-16, pathological Markdown and YAML, and the
//! GitHub Actions message format.

use std::io::Read;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::util::{Site, article, snapshot, stderr};

/// Runs `mdfeed ARGS` in the site, killing it (and failing) past `limit`.
fn run_bounded(site: &Site, args: &[&str], limit: Duration) -> (Output, Duration) {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_mdfeed"))
        .args(args)
        .current_dir(site.root())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        err.read_to_end(&mut buf).unwrap();
        buf
    });
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > limit {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("mdfeed {args:?} ran for more than {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let status = child.wait().unwrap();
    let stderr = reader.join().unwrap();
    let elapsed = started.elapsed();
    let out = Output {
        status,
        stdout: Vec::new(),
        stderr,
    };
    (out, elapsed)
}

/// Parses a feed as strict XML (roxmltree rejects what XML 1.0 forbids).
fn strict_xml(site: &Site, rel: &str) -> String {
    let text = site.read(rel);
    roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{rel}: {e}"));
    text
}

#[test]
fn names_with_spaces_and_other_scripts_work() {
    let site = Site::new();
    site.write(
        "content/Grüße aus 東京/mein Artikel.md",
        article(
            "Spaces",
            "2024-01-01",
            "image: Bild 1 ü.png\n",
            "See ![the picture](Bild%201%20ü.png) and [the other](<../a b.md>).\n",
        ),
    )
    .write("content/Grüße aus 東京/Bild 1 ü.png", "png")
    .write("content/a b.md", article("Other", "2024-01-02", "", "x\n"));
    site.build();
    let page = site.read("Grüße aus 東京/mein Artikel/index.html");
    let pic =
        "https://example.org/site/Gr%C3%BC%C3%9Fe%20aus%20%E6%9D%B1%E4%BA%AC/Bild%201%20%C3%BC.png";
    assert!(page.contains(&format!("src=\"{pic}\"")), "{page}");
    assert!(
        page.contains("href=\"https://example.org/site/a%20b/\""),
        "{page}"
    );
    assert_eq!(site.read("Grüße aus 東京/Bild 1 ü.png"), "png");
    let atom = site.feed("atom.xml");
    let links: Vec<&str> = atom
        .entries
        .iter()
        .map(|e| e.links[0].href.as_str())
        .collect();
    assert_eq!(
        links,
        [
            "https://example.org/site/a%20b/",
            "https://example.org/site/Gr%C3%BC%C3%9Fe%20aus%20%E6%9D%B1%E4%BA%AC/mein%20Artikel/"
        ]
    );
}

#[test]
fn symbolic_links_out_of_content_are_not_followed_and_loops_do_not_hang() {
    use std::os::unix::fs::symlink;
    let site = Site::new();
    site.write("content/a.md", article("A", "2024-01-01", "", "x\n"))
        .write("private/secret.txt", "secret")
        .write(
            "private/notes.md",
            article("Secret", "2024-01-01", "", "x\n"),
        )
        .write("content/inside/real.txt", "fine");
    let root = site.root();
    symlink(
        root.join("private/secret.txt"),
        root.join("content/leak.txt"),
    )
    .unwrap();
    symlink(root.join("private"), root.join("content/leakdir")).unwrap();
    symlink(
        root.join("content/inside"),
        root.join("content/inside/loop"),
    )
    .unwrap();
    symlink(
        root.join("content/inside/real.txt"),
        root.join("content/alias.txt"),
    )
    .unwrap();
    let (out, elapsed) = run_bounded(&site, &["build"], Duration::from_secs(30));
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(elapsed < Duration::from_secs(30));
    for want in [
        "content/leak.txt:1:1: warning: symbolic link leads outside content/; skipped",
        "content/leakdir:1:1: warning: symbolic link leads outside content/; skipped",
        "content/inside/loop:1:1: warning: symbolic link loops back to content/inside; skipped",
    ] {
        assert!(err.contains(want), "missing {want:?} in:\n{err}");
    }
    let files = snapshot(&site.out());
    assert!(
        files.values().all(|(bytes, _)| bytes != b"secret"),
        "the secret was copied"
    );
    assert!(!site.out().join("leakdir").exists() && !site.out().join("leak.txt").exists());
    // A link that stays inside content/ is followed.
    assert_eq!(site.read("alias.txt"), "fine");
    assert_eq!(site.read("inside/real.txt"), "fine");
}

#[test]
fn characters_xml_forbids_are_removed_with_a_warning() {
    let site = Site::new();
    site.write(
        "content/raw.md",
        "---\ntitle: Raw\ndate: 2024-01-01\n---\nline one\nab\u{1}c\u{b} and \u{FFFE}\n",
    )
    .write(
        "content/escaped.md",
        "---\ntitle: \"Esc\\x01aped\"\ndate: 2024-01-02\nauthor: {name: \"N\\x02\", email: \"e\\x03@x.org\"}\n---\nbody\n",
    )
    .write("content/clean.md", article("Clean", "2024-01-03", "", "x\n"));
    let out = site.build();
    let err = stderr(&out);
    let warnings: Vec<&str> = err
        .lines()
        .filter(|l| l.contains("XML 1.0 forbids"))
        .collect();
    assert_eq!(
        warnings,
        [
            "content/escaped.md:1:1: warning: U+0001 is a character XML 1.0 forbids; it is removed from the feeds",
            "content/raw.md:6:3: warning: U+0001 is a character XML 1.0 forbids; it is removed from the feeds",
        ],
        "{err}"
    );
    for rel in ["rss.xml", "atom.xml"] {
        let text = strict_xml(&site, rel);
        for c in ['\u{1}', '\u{2}', '\u{3}', '\u{b}', '\u{FFFE}'] {
            assert!(!text.contains(c), "{rel} holds U+{:04X}", u32::from(c));
        }
        assert!(
            text.contains("Escaped") && text.contains("abc and"),
            "{rel}"
        );
    }
    let titles: Vec<String> = site
        .feed("feed.json")
        .entries
        .iter()
        .map(|e| e.title.clone().unwrap().content)
        .collect();
    assert_eq!(titles, ["Clean", "Escaped", "Raw"]);
}

fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
    let mut bytes = if big_endian {
        vec![0xFE, 0xFF]
    } else {
        vec![0xFF, 0xFE]
    };
    for unit in text.encode_utf16() {
        let pair = if big_endian {
            unit.to_be_bytes()
        } else {
            unit.to_le_bytes()
        };
        bytes.extend(pair);
    }
    bytes
}

#[test]
fn utf16_files_with_a_byte_order_mark_are_read() {
    let site = Site::new();
    let text = article("Grüße 😀", "2024-01-01", "", "Text ✓\n");
    site.write("content/le.md", utf16(&text.replace("Grüße", "LE"), false))
        .write("content/be.md", utf16(&text.replace("Grüße", "BE"), true));
    site.build();
    assert!(site.read("le/index.html").contains("LE 😀"));
    assert!(site.read("be/index.html").contains("Text ✓"));
    // An unpaired surrogate is an error at its place.
    let mut bad = utf16("---\ntitle: A\ndate: 2024-01-01\n---\nok\nx", false);
    bad.extend([0x00, 0xD8, b'y', 0]);
    site.write("content/bad.md", bad);
    let out = site.run(&["build"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("content/bad.md:6:2: error: invalid UTF-16"),
        "{}",
        stderr(&out)
    );
}

/// (name, front matter and body, `None` for success or text the error must contain)
fn pathological() -> Vec<(&'static str, String, Option<&'static str>)> {
    let fm = "---\ntitle: T\ndate: 2024-01-01\n---\n";
    let md = |body: String| format!("{fm}{body}");
    let bomb: String = (1..10)
        .map(|i| {
            format!(
                "a{i}: &a{i} [{}]\n",
                vec![format!("*a{}", i - 1); 9].join(",")
            )
        })
        .collect();
    vec![
        ("100k nested quotes", md("> ".repeat(100_000) + "x\n"), None),
        ("100k open brackets", md("[".repeat(100_000)), None),
        ("50k link openers", md("[a](".repeat(50_000)), None),
        (
            "50k nested list items",
            md("- ".repeat(50_000) + "x\n"),
            None,
        ),
        (
            "3k indented lists",
            md((0..3000).map(|i| "  ".repeat(i) + "- x\n").collect()),
            None,
        ),
        (
            "100k nested spans",
            md("x ".to_owned() + &"<span>".repeat(100_000)),
            None,
        ),
        ("100k emphasis openers", md("*a _b ".repeat(50_000)), None),
        ("20k equal headings", md("# a\n\n".repeat(20_000)), None),
        (
            "10k footnotes",
            md((0..10_000)
                .map(|i| format!("[^{i}]\n\n[^{i}]: n\n\n"))
                .collect()),
            None,
        ),
        ("2 MB line", md("a".repeat(2_000_000)), None),
        ("500k '<'", md("<".repeat(500_000)), None),
        (
            "4 MB file",
            md("Text with *emphasis* and [a link](x.md).\n\n".repeat(100_000)),
            None,
        ),
        (
            "17 MB file",
            md("x".repeat(17 << 20)),
            Some("content/a.md:1:1: error: the file has"),
        ),
        (
            "YAML alias bomb",
            format!(
                "---\ntitle: T\ndate: 2024-01-01\na0: &a0 [lol,lol,lol,lol,lol,lol,lol,lol,lol]\n{bomb}---\n"
            ),
            Some("error: invalid YAML front matter: alias replay limit exceeded"),
        ),
        (
            "YAML 10k nested lists",
            format!(
                "---\ntitle: T\ndate: 2024-01-01\nx: {}{}\n---\n",
                "[".repeat(10_000),
                "]".repeat(10_000)
            ),
            Some("content/a.md:4:"),
        ),
        (
            "YAML 2k nested maps",
            format!(
                "---\ntitle: T\ndate: 2024-01-01\n{}---\n",
                (0..2000)
                    .map(|i| " ".repeat(i) + "a:\n")
                    .collect::<String>()
            ),
            Some("YAML front matter is too large or too deeply nested"),
        ),
        (
            "TOML 10k nested arrays",
            format!(
                "+++\ntitle = \"T\"\ndate = 2024-01-01\nx = {}{}\n+++\n",
                "[".repeat(10_000),
                "]".repeat(10_000)
            ),
            Some("content/a.md:4:"),
        ),
    ]
}

#[test]
fn pathological_input_finishes_in_bounded_time_or_is_refused() {
    // Generous for a debug build on a busy machine; each case takes seconds at most.
    let limit = Duration::from_secs(60);
    for (name, text, want) in pathological() {
        let site = Site::new();
        site.write("content/a.md", text);
        let (out, elapsed) = run_bounded(&site, &["build"], limit);
        let err = stderr(&out);
        match want {
            None => {
                assert!(out.status.success(), "{name}: {err}");
                for rel in ["rss.xml", "atom.xml"] {
                    strict_xml(&site, rel);
                }
                assert!(site.read("a/index.html").ends_with("</html>\n"), "{name}");
            }
            Some(want) => {
                assert_eq!(out.status.code(), Some(1), "{name}: {err}");
                assert!(err.contains(want), "{name}: want {want:?} in:\n{err}");
                assert!(!site.out().exists(), "{name}: out/ was written");
            }
        }
        assert!(elapsed < limit, "{name}: {elapsed:?}");
    }
}

#[test]
fn github_message_format_prints_annotations() {
    let site = Site::new();
    site.write("content/a.md", "---\ntitle: A\ndate: 30/05/2024\n---\n")
        .write("content/README.md", "# Read me\n");
    let out = site.run(&["build", "--message-format", "github"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.lines()
            .any(|l| l
                .starts_with("::error file=content/a.md,line=3,col=7::`date`: cannot read date")),
        "{err}"
    );
    let human = stderr(&site.run(&["check"]));
    assert!(
        human.contains("content/a.md:3:7: error: `date`: cannot read date"),
        "{human}"
    );
    site.write("content/a.md", article("A", "2024-01-01", "", "x\n"));
    let out = site.run(&["check", "--message-format=github"]);
    assert!(out.status.success());
    assert!(
        stderr(&out).contains("::warning file=content/README.md,line=1,col=1::no front matter"),
        "{}",
        stderr(&out)
    );
}
