//! The rest of the bad-input table (run by `errors.rs` with the same checks), and odd
//! inputs that must succeed, each with what the output must then show.

use crate::util::{Site, stderr};

use super::errors::Files;

/// More bad inputs: (name, files to write over a good site, text an error line must
/// contain). A name containing "utf-8" writes each NUL as a 0xFF byte.
pub const MORE_BAD: &[(&str, Files, &str)] = &[
    (
        "year before 1",
        &[("content/a.md", "---\ntitle: A\ndate: -0001-01-01\n---\n")],
        "content/a.md:3:7: error: `date`: `-0001-01-01` is out of range",
    ),
    (
        "five-digit year",
        &[("content/a.md", "---\ntitle: A\ndate: 10000-01-01\n---\n")],
        "content/a.md:3:7: error: `date`: cannot read date",
    ),
    (
        "empty date",
        &[("content/a.md", "---\ntitle: A\ndate: \"\"\n---\n")],
        "content/a.md:3:7: error: `date`: cannot read date",
    ),
    (
        "front matter is a list",
        &[("content/a.md", "---\n- a\n- b\n---\n")],
        "content/a.md:2:1: error: invalid YAML front matter",
    ),
    (
        "duplicate toml key",
        &[("content/a.md", "+++\ntitle = \"A\"\ntitle = \"B\"\n+++\n")],
        "content/a.md:3:1: error: invalid TOML front matter: duplicate key",
    ),
    (
        "title of the wrong type",
        &[("content/a.md", "---\ntitle: [1]\ndate: 2024-01-01\n---\n")],
        "content/a.md:2:8: error: `title` must be a string, found a list",
    ),
    (
        "slug of the wrong type",
        &[(
            "content/a.md",
            "---\ntitle: A\ndate: 2024-01-01\nslug: {a: 1}\n---\n",
        )],
        "content/a.md:4:7: error: `slug` must be a string, found a table",
    ),
    (
        "image of the wrong type",
        &[(
            "content/a.md",
            "---\ntitle: A\ndate: 2024-01-01\nimage: [a]\n---\n",
        )],
        "content/a.md:4:8: error: `image` must be a string, found a list",
    ),
    (
        "author of the wrong type",
        &[(
            "content/a.md",
            "---\ntitle: A\ndate: 2024-01-01\nauthor: {email: x@e.org}\n---\n",
        )],
        "content/a.md:4:9: error: `author` must be a name",
    ),
    (
        "slug like a drive letter",
        &[(
            "content/a.md",
            "---\ntitle: A\ndate: 2024-01-01\nslug: \"c:evil\"\n---\n",
        )],
        "content/a.md:4:7: error: `slug` cannot be a page path",
    ),
    (
        "backslash in a file name",
        &[("content/a\\b.md", "---\ntitle: A\ndate: 2024-01-01\n---\n")],
        "content/a\\b.md:1:1: error: the name cannot be a path under out/",
    ),
    (
        "folder named like a drive",
        &[("content/C:x/a.png", "png")],
        "content/C:x/a.png:1:1: error: the name cannot be a path under out/",
    ),
    (
        "asset over the home page",
        &[("content/index.html", "<p>mine</p>")],
        "content/index.html:1:1: error: out/index.html would be made by both (generated) and content/index.html",
    ),
    (
        "asset over a feed",
        &[("content/atom.xml", "<feed/>")],
        "content/atom.xml:1:1: error: out/atom.xml would be made by both",
    ),
    (
        "YAML alias bomb",
        &[(
            "content/a.md",
            "---\ntitle: A\ndate: 2024-01-01\na: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n---\n",
        )],
        "error: invalid YAML front matter: alias replay limit exceeded",
    ),
    (
        "unknown template filter",
        &[
            ("content/a.md", "---\ntitle: A\ndate: 2024-01-01\n---\n"),
            (
                "templates/article.html",
                "<p>\n{{ article.title | nosuchfilter }}\n",
            ),
        ],
        "templates/article.html:2:1: error: template: filter nosuchfilter is unknown",
    ),
    (
        "config invalid utf-8",
        &[(
            "mdfeed.toml",
            "title = \"T\0\"\nbase_url = \"https://e.org/\"\n",
        )],
        "mdfeed.toml:1:11: error: invalid UTF-8",
    ),
    (
        "config unknown author key",
        &[(
            "mdfeed.toml",
            "title = \"T\"\nbase_url = \"https://e.org/\"\n[author]\nname = \"N\"\nmail = \"m@e.org\"\n",
        )],
        "mdfeed.toml:5:1: error: unknown field `mail`",
    ),
    (
        "config title of the wrong type",
        &[("mdfeed.toml", "title = 5\nbase_url = \"https://e.org/\"\n")],
        "mdfeed.toml:1:9: error: invalid type",
    ),
];

/// (name, files to write over an empty site, what the successful build must show)
type Check = fn(&Site, &str);
const OK: &[(&str, Files, Check)] = &[
    ("empty file", &[("content/empty.md", "")], |site, err| {
        assert!(
            err.contains("content/empty.md:1:1: warning: no front matter"),
            "{err}"
        );
        assert!(!site.out().join("empty").exists());
        assert!(site.feed("atom.xml").entries.is_empty());
    }),
    (
        "only a byte order mark",
        &[("content/bom.md", "\u{feff}")],
        |site, err| {
            assert!(
                err.contains("content/bom.md:1:1: warning: no front matter"),
                "{err}"
            );
            assert!(!site.out().join("bom").exists());
        },
    ),
    (
        "front matter only",
        &[("content/only.md", "---\ntitle: Only\ndate: 2024-01-01\n---")],
        |site, _| {
            assert!(site.read("only/index.html").contains("<h1>Only</h1>"));
            let atom = site.feed("atom.xml");
            assert_eq!(atom.entries[0].title.as_ref().unwrap().content, "Only");
        },
    ),
    (
        "names with spaces and non-ASCII",
        &[
            (
                "content/Ünïcode folder/my post.md",
                "---\ntitle: U\ndate: 2024-01-01\n---\n![p](pic%20ü.png)\n",
            ),
            ("content/Ünïcode folder/pic ü.png", "png"),
        ],
        |site, _| {
            assert!(
                site.read("Ünïcode folder/my post/index.html")
                    .contains("pic%20%C3%BC.png")
            );
            assert_eq!(site.read("Ünïcode folder/pic ü.png"), "png");
            let link = &site.feed("rss.xml").entries[0].links[0].href;
            assert_eq!(
                link,
                "https://example.org/site/%C3%9Cn%C3%AFcode%20folder/my%20post/"
            );
        },
    ),
    (
        "title with markup and ]]>",
        &[(
            "content/t.md",
            "---\ntitle: \"<b>Bold</b> & ]]> end\"\ndate: 2024-01-01\nsummary: \"a ]]> b\"\n---\nRaw <![CDATA[ x ]]> and `]]>`\n\n```\n]]>]]>\n```\n",
        )],
        |site, _| {
            for rel in ["rss.xml", "atom.xml", "feed.json"] {
                let feed = site.feed(rel);
                let e = &feed.entries[0];
                assert_eq!(
                    e.title.as_ref().unwrap().content,
                    "<b>Bold</b> & ]]> end",
                    "{rel}"
                );
                let body = e.content.as_ref().unwrap().body.as_ref().unwrap();
                for want in ["<![CDATA[ x ]]>", "<code>]]&gt;</code>", "]]&gt;]]&gt;"] {
                    assert!(body.contains(want), "{rel}: {want} not in {body}");
                }
                let summary = &e.summary.as_ref().unwrap().content;
                assert!(
                    summary.contains("a ]]&gt; b") || summary.contains("a ]]> b"),
                    "{rel}: {summary}"
                );
            }
            // The page shows the title as text, not as markup.
            let page = scraper::Html::parse_document(&site.read("t/index.html"));
            let h1 = scraper::Selector::parse("h1").unwrap();
            let shown: String = page.select(&h1).next().unwrap().text().collect();
            assert_eq!(shown, "<b>Bold</b> & ]]> end");
        },
    ),
    (
        "front matter keys mdfeed does not know",
        &[(
            "content/k.md",
            "---\ntitle: K\ndate: 2024-01-01\nlayout: post\nmood: calm\n---\n",
        )],
        |site, _| assert!(site.out().join("k/index.html").exists()),
    ),
    (
        "YAML end marker, CRLF, BOM and blank lines first",
        &[(
            "content/c.md",
            "\u{feff}\r\n\r\n---\r\ntitle: C\r\ndate: 2024-01-01\r\n...\r\nBody\r\n",
        )],
        |site, _| assert!(site.read("c/index.html").contains("Body")),
    ),
    (
        "Jekyll date prefix and a name with spaces",
        &[(
            "content/2024-01-05-hello world.md",
            "---\ntitle: J\n---\nx\n",
        )],
        |site, _| {
            assert!(site.out().join("hello world/index.html").exists());
            let d = site.feed("atom.xml").entries[0].published.unwrap();
            assert_eq!(d.to_rfc3339(), "2024-01-04T16:00:00+00:00");
        },
    ),
    (
        "duplicate tags are merged",
        &[(
            "content/d.md",
            "---\ntitle: D\ndate: 2024-01-01\ntags: [a, a, b, \" a \"]\n---\n",
        )],
        |site, _| {
            let e = &site.feed("atom.xml").entries[0];
            let terms: Vec<&str> = e.categories.iter().map(|c| c.term.as_str()).collect();
            assert_eq!(terms, ["a", "b"]);
        },
    ),
];

#[test]
fn odd_inputs_build_and_show_what_they_should() {
    for (name, files, check) in OK {
        let site = Site::new();
        for (path, text) in *files {
            site.write(path, text);
        }
        let out = site.run(&["build"]);
        let err = stderr(&out);
        assert!(out.status.success(), "{name}: {err}");
        check(&site, &err);
    }
}
