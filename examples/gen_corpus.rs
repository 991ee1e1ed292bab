//! Deterministic Markdown corpus generator for mdfeed benchmarks (std only).
//!
//! `cargo run --release --example gen_corpus -- --articles N --out DIR [--seed S] [--hugo]`
//!
//! Writes `DIR/mdfeed.toml` and N articles under `DIR/content/`; with `--hugo`
//! also a minimal Hugo site with the same articles under `DIR/hugo/`, and the
//! mdfeed site again under `DIR/hugo-work/` with Hugo's feed work (one RSS feed,
//! see `HUGO_WORK_TOML`). Same arguments give a byte-identical tree, and the corpus for N is a prefix of
//! the corpus for any larger N (article i depends only on the seed, i and the
//! articles before it).

// A command-line tool: printing its result and errors is its job.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::LazyLock;

type Vocab = LazyLock<Vec<&'static str>>;
const VOCAB: &str = include_str!("../bench/vocab.txt");

static WORDS: Vocab = LazyLock::new(|| vocab("words"));
static TITLE_WORDS: Vocab = LazyLock::new(|| vocab("titles"));
static TAGS: Vocab = LazyLock::new(|| vocab("tags"));
static CATEGORIES: Vocab = LazyLock::new(|| vocab("categories"));
static AUTHORS: Vocab = LazyLock::new(|| vocab("authors"));
static TOPICS: Vocab = LazyLock::new(|| vocab("topics"));
const OFFSETS: &[i64] = &[0, 0, 60, 120, -300, -420, 330, 540, 600, -180];
const LANGS: &[&str] = &["rust", "toml", "sh", "python", "json", ""];
const DAY_2015: i64 = 16_436; // 2015-01-01 in days since 1970-01-01
const DAYS_TEN_YEARS: u64 = 3_653; // 2015-01-01 ..= 2024-12-31

/// Entries of `[section]` in bench/vocab.txt (comma-separated, over any number of lines).
fn vocab(section: &str) -> Vec<&'static str> {
    let header = format!("[{section}]");
    let lines = VOCAB.lines().skip_while(|l| *l != header).skip(1);
    let body = lines.take_while(|l| !l.starts_with('['));
    body.flat_map(|l| l.split(','))
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .collect()
}

/// splitmix64: tiny, fast and fully specified, so output never depends on a crate version.
struct Rng(u64);

impl Rng {
    fn new(seed: u64, stream: u64) -> Self {
        let mut mixer = Rng(stream.wrapping_mul(0xD1B5_4A32_D192_ED03));
        let mut rng = Rng(seed ^ mixer.next());
        rng.next();
        rng
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 1000 < percent * 10
    }
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

#[derive(Default)]
struct Args {
    articles: usize,
    out: PathBuf,
    seed: u64,
    hugo: bool,
    term_feeds: bool,
}

/// What later articles need to know about an earlier one to link to it.
pub(crate) struct Meta {
    pub(crate) rel: String,
    pub(crate) title: String,
    pub(crate) draft: bool,
}

/// Per-article state while writing the body.
struct Body<'a> {
    rng: Rng,
    dir: &'a str,
    earlier: &'a [Meta],
    footnotes: Vec<String>,
    /// A second-level heading came: a third-level one may follow.
    sectioned: bool,
}

fn parse_args() -> Result<Args, String> {
    let usage = "usage: gen_corpus --articles N --out DIR [--seed S] [--hugo] [--term-feeds]";
    let mut args = Args {
        seed: 42,
        ..Args::default()
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().ok_or(format!("{arg} needs a value\n{usage}"));
        match arg.as_str() {
            "--articles" => args.articles = value()?.parse().map_err(|e| format!("{arg}: {e}"))?,
            "--out" => args.out = PathBuf::from(value()?),
            "--seed" => args.seed = value()?.parse().map_err(|e| format!("{arg}: {e}"))?,
            "--hugo" => args.hugo = true,
            "--term-feeds" => args.term_feeds = true,
            _ => return Err(format!("unexpected argument {arg}\n{usage}")),
        }
    }
    if args.articles == 0 || args.out.as_os_str().is_empty() {
        return Err(usage.to_string());
    }
    Ok(args)
}

/// Howard Hinnant's civil_from_days: days since 1970-01-01 to (year, month, day).
fn civil(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

/// Local date-time `days`/`secs` with a UTC offset in minutes, as RFC 3339.
fn rfc3339(days: i64, secs: i64, offset: i64) -> String {
    let (y, m, d) = civil(days);
    let sign = if offset < 0 { '-' } else { '+' };
    let (oh, om) = (offset.abs() / 60, offset.abs() % 60);
    let (h, mi, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}{sign}{oh:02}:{om:02}")
}

fn slug(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

fn words(rng: &mut Rng, lo: usize, hi: usize) -> String {
    let n = rng.range(lo, hi);
    (0..n)
        .map(|_| rng.pick(&WORDS))
        .collect::<Vec<_>>()
        .join(" ")
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

/// Front matter and metadata of article `i`; its own stream, so bodies never shift it.
fn front_matter(seed: u64, i: usize) -> (Meta, String) {
    let r = &mut Rng::new(seed, 2 * i as u64);
    let day = DAY_2015 + r.below(DAYS_TEN_YEARS as usize) as i64;
    let (secs, offset) = (r.below(86_400) as i64, r.pick(OFFSETS));
    let joiner = if r.chance(15) { " & " } else { " " };
    let title = format!(
        "{}{joiner}{} #{i}",
        r.pick(&TITLE_WORDS),
        r.pick(&TITLE_WORDS)
    );
    let dir = match r.below(100) {
        0..60 => format!("posts/{}", civil(day).0),
        60..85 => format!("notes/{}", civil(day).0),
        _ => format!("guides/{}", r.pick(&TOPICS)),
    };
    let rel = format!("{dir}/{i:06}-{}.md", slug(&title));
    let mut fm = format!(
        "---\ntitle: \"{title}\"\ndate: {}\n",
        rfc3339(day, secs, offset)
    );
    if r.chance(25) {
        let later = day + r.range(1, 500) as i64;
        fm += &format!(
            "updated: {}\n",
            rfc3339(later, r.below(86_400) as i64, offset)
        );
    }
    let draft = r.chance(2);
    if draft {
        fm += "draft: true\n";
    }
    fm += &format!("author: \"{}\"\ntags:\n", r.pick(&AUTHORS));
    let (mut tags, count): (Vec<&str>, _) = (Vec::new(), r.range(1, 4));
    while tags.len() < count {
        let tag = r.pick(&TAGS);
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    tags.iter().for_each(|t| fm += &format!("  - {t}\n"));
    fm += &format!("categories: [{}]\n", r.pick(&CATEGORIES));
    if r.chance(40) {
        fm += &format!("summary: \"{}.\"\n", capitalize(&words(r, 10, 24)));
    }
    fm += "---\n\n";
    (Meta { rel, title, draft }, fm)
}

/// Relative link from a file in `from_dir` to the content-relative path `to`.
fn relative(from_dir: &str, to: &str) -> String {
    let from: Vec<&str> = from_dir.split('/').collect();
    let target: Vec<&str> = to.split('/').collect();
    let common = from
        .iter()
        .zip(&target[..target.len() - 1])
        .take_while(|(a, b)| a == b)
        .count();
    let mut parts = vec![".."; from.len() - common];
    parts.extend_from_slice(&target[common..]);
    parts.join("/")
}

impl Body<'_> {
    fn word(&mut self) -> String {
        let w = self.rng.pick(&WORDS);
        match self.rng.below(100) {
            0..3 => format!("`{w}_{}()`", self.rng.pick(&WORDS).len()),
            3..6 => format!("*{w}*"),
            6..8 => format!("**{w}**"),
            8 => format!("[{w}](https://example.com/{})", slug(w)),
            9 => self.link(w),
            _ => w.to_string(),
        }
    }
    fn link(&mut self, text: &str) -> String {
        let earlier = self.earlier;
        let pick = (!earlier.is_empty()).then(|| &earlier[self.rng.below(earlier.len())]);
        match pick {
            Some(t) if !t.draft && self.rng.chance(30) => format!("[{}]({})", t.title, self.rel(t)),
            Some(t) if !t.draft => format!("[{text}]({})", self.rel(t)),
            _ => text.to_string(),
        }
    }
    fn rel(&self, target: &Meta) -> String {
        relative(self.dir, &target.rel)
    }
    fn sentence(&mut self) -> String {
        let n = self.rng.range(6, 16);
        let mut s = capitalize(&(0..n).map(|_| self.word()).collect::<Vec<_>>().join(" "));
        if self.footnotes.len() < 4 && self.rng.chance(3) {
            let note = capitalize(&words(&mut self.rng, 5, 14));
            self.footnotes.push(note);
            s += &format!("[^{}]", self.footnotes.len());
        }
        s + "."
    }
    fn paragraph(&mut self) -> String {
        let n = self.rng.range(2, 6);
        (0..n)
            .map(|_| self.sentence())
            .collect::<Vec<_>>()
            .join(" ")
            + "\n\n"
    }
    fn code(&mut self) -> String {
        let lang = self.rng.pick(LANGS);
        let mut out = format!("```{lang}\n");
        for _ in 0..self.rng.range(3, 12) {
            let (a, b) = (self.rng.pick(&WORDS), self.rng.pick(&WORDS));
            let n = self.rng.below(1000);
            out += &match lang {
                "rust" => format!("let {a}: Vec<u8> = {b}(&input, {n})?; // a < b && b > a\n"),
                "toml" => format!("{}_{n} = \"{b}\"\n", slug(a)),
                "sh" => format!("grep -c '{a}' {b}.log | sort -n > /tmp/{n}.txt\n"),
                "python" => format!("{}_{n} = {{'{a}': {n}, \"{b}\": None}}\n", slug(a)),
                "json" => format!("{{\"{a}\": {n}, \"{b}\": [true, null]}}\n"),
                _ => format!("{a} {b} <{n}> & done\n"),
            };
        }
        out + "```\n\n"
    }
    fn table(&mut self) -> String {
        let cols = self.rng.range(2, 4);
        let row = |cells: Vec<String>| format!("| {} |\n", cells.join(" | "));
        let mut out = row((0..cols)
            .map(|_| capitalize(self.rng.pick(&WORDS)))
            .collect());
        let aligns = [":---", ":---:", "---:", "---"];
        out += &row((0..cols)
            .map(|_| self.rng.pick(&aligns).to_string())
            .collect());
        for _ in 0..self.rng.range(2, 6) {
            let cells = (0..cols).map(|c| match c {
                0 => self.word(),
                _ => format!("{}.{}", self.rng.below(10_000), self.rng.below(100)),
            });
            out += &row(cells.collect());
        }
        out + "\n"
    }
    fn list(&mut self) -> String {
        let ordered = self.rng.chance(40);
        let items = (1..=self.rng.range(3, 6)).map(|k| {
            let marker = if ordered { format!("{k}.") } else { "-".into() };
            format!("{marker} {}\n", self.sentence())
        });
        items.collect::<String>() + "\n"
    }
    fn block(&mut self) -> String {
        match self.rng.below(100) {
            0..12 => {
                self.sectioned = true;
                format!("## {}\n\n", capitalize(&words(&mut self.rng, 2, 6)))
            }
            // Under the page's h1, an h3 before any h2 skips a level (the HTML checker
            // flags it): such a heading is an h2, drawing the same random numbers.
            12..16 => {
                let level = if self.sectioned { "###" } else { "##" };
                self.sectioned = true;
                format!("{level} {}\n\n", capitalize(&words(&mut self.rng, 2, 5)))
            }
            16..28 => self.code(),
            28..35 => self.table(),
            35..45 => self.list(),
            45..50 => format!("> {}", self.paragraph()),
            _ => self.paragraph(),
        }
    }
}

/// Full text of article `i` (front matter and body): 2–8 KB.
pub(crate) fn article(seed: u64, i: usize, earlier: &[Meta]) -> (Meta, String) {
    let (meta, mut text) = front_matter(seed, i);
    let dir = meta.rel.rsplit_once('/').map_or("", |(d, _)| d);
    let mut body = Body {
        rng: Rng::new(seed, 2 * i as u64 + 1),
        dir,
        earlier,
        footnotes: vec![],
        sectioned: false,
    };
    let target = body.rng.range(2_100, 7_000);
    text += &body.paragraph();
    while text.len() < target {
        let block = body.block();
        if text.len() + block.len() > 7_600 {
            break;
        }
        text += &block;
    }
    for (n, note) in body.footnotes.iter().enumerate() {
        text += &format!("[^{}]: {note}.\n", n + 1);
    }
    (meta, text)
}

fn write(path: &Path, data: &str) -> Result<(), String> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    fs::write(path, data).map_err(|e| format!("{}: {e}", path.display()))
}

/// The Hugo twin of the corpus lives in bench/hugo/ as ordinary files.
const HUGO_FILES: [(&str, &str); 3] = [
    ("config.toml", include_str!("../bench/hugo/config.toml")),
    (
        "layouts/_default/single.html",
        include_str!("../bench/hugo/layouts/_default/single.html"),
    ),
    (
        "layouts/index.rss.xml",
        include_str!("../bench/hugo/layouts/index.rss.xml"),
    ),
];

/// The site part of every config the generator writes.
macro_rules! site_toml {
    () => {
        r#"title = "mdfeed bench corpus"
base_url = "https://example.org/"
description = "Generated articles for benchmarking mdfeed"
language = "en"
timezone = "UTC"

[author]
name = "Bench Writer"
"#
    };
}

pub(crate) const MDFEED_TOML: &str = concat!(
    site_toml!(),
    r#"
# What the benchmark measures: every article in the site's RSS, Atom and JSON
# feeds, with full content (more than Hugo's one RSS feed), plus one page per tag
# and per category. `gen_corpus --term-feeds` also gives each term its own feeds.
[feeds]
formats = ["rss", "atom", "json"]
limit = 0
content = "both"
"#
);

/// `DIR/hugo-work/mdfeed.toml`: the same site with Hugo's feed work, for a comparison
/// of equal feed work.
const HUGO_WORK_TOML: &str = concat!(
    site_toml!(),
    r#"
# The feed the Hugo site makes: one site-wide RSS feed with every article in full.
# mdfeed still makes its tag and category pages and checks the feed it writes.
[feeds]
formats = ["rss"]
limit = 0
content = "full"
term_feeds = false
"#
);

fn run() -> Result<(), String> {
    let args = parse_args()?;
    let hugo = args.out.join("hugo");
    let hugo_work = args.out.join("hugo-work");
    let content = args.out.join("content");
    if let Some(dir) = [&content, &hugo, &hugo_work]
        .into_iter()
        .find(|d| d.exists())
    {
        return Err(format!("{} exists; remove it first", dir.display()));
    }
    let config = format!("{MDFEED_TOML}term_feeds = {}\n", args.term_feeds);
    write(&args.out.join("mdfeed.toml"), &config)?;
    if args.hugo {
        for (rel, text) in HUGO_FILES {
            write(&hugo.join(rel), text)?;
        }
        write(&hugo_work.join("mdfeed.toml"), HUGO_WORK_TOML)?;
    }
    let (mut metas, mut drafts, mut bytes) = (Vec::with_capacity(args.articles), 0, 0);
    for i in 0..args.articles {
        let (meta, text) = article(args.seed, i, &metas);
        write(&content.join(&meta.rel), &text)?;
        if args.hugo {
            write(&hugo.join("content").join(&meta.rel), &text)?;
            write(&hugo_work.join("content").join(&meta.rel), &text)?;
        }
        drafts += usize::from(meta.draft);
        bytes += text.len();
        metas.push(meta);
    }
    println!(
        "articles={} drafts={drafts} bytes={bytes} hugo={}",
        args.articles, args.hugo
    );
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gen_corpus: {e}");
            ExitCode::FAILURE
        }
    }
}
