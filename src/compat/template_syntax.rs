//! Template syntax in article bodies: Liquid and Nunjucks `{% … %}`, `{{ … }}` and
//! `{# … #}`, Hugo shortcodes `{{< … >}}` / `{{% … %}}`, Go template actions.
//!
//! Owns: finding these spans and hiding each behind a marker
//! (`markdown::literal_marker`), so the Markdown parser sees neither `<` nor a URL
//! in them; honouring the escapes (`{% raw %}…{% endraw %}`, Hugo's `{{</* … */>}}`);
//! turning `{% highlight %}` / `{{< highlight >}}` blocks into fenced code.
//! Does not: run templates (mdfeed cannot), or render: `markdown` puts each span
//! back as escaped text, keeps it out of `href`/`src`, and out of summaries.

use memchr::memchr2;

use crate::markdown::{LITERAL_CLOSE, LITERAL_OPEN, literal_marker};

/// A body with its template spans replaced by markers.
#[derive(Debug, Default, PartialEq)]
pub struct Masked {
    /// The body, each span replaced by `literal_marker(index)`.
    pub text: String,
    /// The text each marker stands for, by index.
    pub literals: Vec<String>,
    /// The markers that are template tags (not escapes), with their 0-based line.
    pub tags: Vec<(usize, u32)>,
}

/// Replaces every template span in `body` by a marker.
pub fn mask(body: &str) -> Masked {
    let mut m = Masker {
        src: body,
        out: Masked {
            text: String::with_capacity(body.len()),
            ..Masked::default()
        },
    };
    m.scan(0, body.len(), false);
    m.out
}

struct Masker<'a> {
    src: &'a str,
    out: Masked,
}

impl Masker<'_> {
    /// Copies `src[from..to]` into the output; inside `{% raw %}` (`raw`) spans are
    /// still hidden (so they cannot become HTML) but are not counted as tags.
    fn scan(&mut self, from: usize, to: usize, raw: bool) {
        let mut i = from;
        while i < to {
            let rest = &self.src[i..to];
            let Some(k) = next_special(rest) else {
                self.out.text.push_str(rest);
                return;
            };
            self.out.text.push_str(&rest[..k]);
            i += k;
            let rest = &self.src[i..to];
            if let Some(c) = rest.chars().next().filter(|c| *c != '{') {
                // A stray marker character in the source is hidden like a span, so it can
                // never be mistaken for one of ours.
                self.literal(i, c.len_utf8(), c.to_string(), false);
                i += c.len_utf8();
                continue;
            }
            // Every template span and block starts so; most `{` (code) go straight on.
            let tagged = ["{{", "{%", "{#"].iter().any(|t| rest.starts_with(t));
            let used = if !tagged {
                None
            } else if raw {
                span_len(rest).map(|len| self.literal(i, len, rest[..len].into(), false))
            } else {
                self.hugo_escape(i, rest)
                    .or_else(|| self.raw_block(i, to))
                    .or_else(|| self.highlight(i, to))
                    .or_else(|| {
                        span_len(rest).map(|len| self.literal(i, len, rest[..len].into(), true))
                    })
            };
            match used {
                Some(len) => i += len,
                None => {
                    self.out.text.push('{');
                    i += 1;
                }
            }
        }
    }

    /// Emits a marker for `text`, which stands for `src[at..at + len]`; returns `len`.
    fn literal(&mut self, at: usize, len: usize, text: String, tag: bool) -> usize {
        let index = self.out.literals.len();
        self.out.text.push_str(&literal_marker(index));
        self.out.literals.push(text);
        if tag {
            let line = self.src[..at].matches('\n').count() as u32;
            self.out.tags.push((index, line));
        }
        len
    }

    /// Hugo's way to show a shortcode without running it: `{{</* x */>}}` is `{{< x >}}`.
    fn hugo_escape(&mut self, at: usize, rest: &str) -> Option<usize> {
        for (open, close, shown_open, shown_close) in [
            ("{{</*", "*/>}}", "{{<", ">}}"),
            ("{{%/*", "*/%}}", "{{%", "%}}"),
        ] {
            if let Some(body) = rest.strip_prefix(open) {
                let end = body.find(close)?;
                let text = format!("{shown_open}{}{shown_close}", &body[..end]);
                return Some(self.literal(at, open.len() + end + close.len(), text, false));
            }
        }
        None
    }

    /// `{% raw %}…{% endraw %}` (Liquid, Nunjucks, Tera) and Nunjucks' `{% verbatim %}`:
    /// the markers go, the text between them is shown as written.
    fn raw_block(&mut self, at: usize, to: usize) -> Option<usize> {
        let (word, _, open_len) = tag_words(&self.src[at..to], "{%", "%}")?;
        let end_word = match word.as_str() {
            "raw" => "endraw",
            "verbatim" => "endverbatim",
            _ => return None,
        };
        let inner = at + open_len;
        let (close_at, close_len) = find_tag(self.src, inner, to, ("{%", "%}"), end_word)?;
        self.scan(inner, close_at, true);
        Some(close_at + close_len - at)
    }

    /// A `{% highlight lang %}` or `{{< highlight lang >}}` block alone on its lines
    /// becomes a fenced code block, which is what it means.
    fn highlight(&mut self, at: usize, to: usize) -> Option<usize> {
        let at_line_start = self.src[..at]
            .rsplit('\n')
            .next()
            .is_some_and(|l| l.trim().is_empty());
        let (open, close) = if self.src[at..].starts_with("{{<") {
            ("{{<", ">}}")
        } else {
            ("{%", "%}")
        };
        let (word, args, open_len) = tag_words(&self.src[at..to], open, close)?;
        if word != "highlight"
            || !at_line_start
            || !rest_of_line_blank(&self.src[at + open_len..to])
        {
            return None;
        }
        let end_word = if open == "{%" {
            "endhighlight"
        } else {
            "/highlight"
        };
        let inner = at + open_len;
        let (close_at, close_len) = find_tag(self.src, inner, to, (open, close), end_word)?;
        let code = &self.src[inner..close_at];
        let longest = code.split(|c| c != '`').map(str::len).max().unwrap_or(0);
        let fence = "`".repeat(longest.max(2) + 1);
        let lang = args
            .split_whitespace()
            .next()
            .unwrap_or("")
            .trim_matches('"');
        self.out.text.push_str(&fence);
        self.out.text.push_str(lang);
        self.scan(inner, close_at, false);
        if !self.out.text.ends_with('\n') {
            self.out.text.push('\n');
        }
        self.out.text.push_str(&fence);
        Some(close_at + close_len - at)
    }
}

/// Returns where the next `{` or marker character is in `rest`. Every article body goes
/// through here: the bytes are searched with `memchr` (a marker character's first byte
/// is 0xEE), not the characters.
fn next_special(rest: &str) -> Option<usize> {
    let bytes = rest.as_bytes();
    let mut from = 0;
    while let Some(k) = memchr2(b'{', 0xEE, &bytes[from..]) {
        let at = from + k;
        if bytes[at] == b'{' || rest[at..].starts_with([LITERAL_OPEN, LITERAL_CLOSE]) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// Returns the length of the template span at the start of `rest`, if one is there.
/// A span never holds a blank line, so a stray `{{` in prose does not swallow the text.
fn span_len(rest: &str) -> Option<usize> {
    let close = if rest.starts_with("{{<") {
        ">}}"
    } else if rest.starts_with("{{%") {
        "%}}"
    } else if rest.starts_with("{{") {
        "}}"
    } else if rest.starts_with("{%") {
        "%}"
    } else if rest.starts_with("{#") && rest[2..].starts_with([' ', '-', '\n', '\r', '\t']) {
        // `{#id}` is a Markdown heading attribute; a Nunjucks comment has a space.
        "#}"
    } else {
        return None;
    };
    let end = rest[2..].find(close)?;
    let inner = &rest[2..2 + end];
    if inner.contains("\n\n") || inner.contains("\n\r\n") {
        return None;
    }
    Some(2 + end + close.len())
}

/// Reads the tag at the start of `rest` (`{%- highlight ruby -%}`): its first word
/// (`/highlight` for Hugo's `{{< / highlight >}}`), its other words, and its length.
fn tag_words<'a>(rest: &'a str, open: &str, close: &str) -> Option<(String, &'a str, usize)> {
    let body = rest.strip_prefix(open)?;
    let end = body.find(close)?;
    let inner = body[..end].trim_matches('-').trim();
    if inner.contains('\n') {
        return None;
    }
    let (slash, inner) = match inner.strip_prefix('/') {
        Some(after) => ("/", after.trim_start()),
        None => ("", inner),
    };
    let (word, args) = inner.split_once(char::is_whitespace).unwrap_or((inner, ""));
    Some((
        format!("{slash}{word}"),
        args.trim(),
        open.len() + end + close.len(),
    ))
}

/// Finds the first tag named `word` in `src[from..to]`; returns its offset and length.
fn find_tag(
    src: &str,
    from: usize,
    to: usize,
    (open, close): (&str, &str),
    word: &str,
) -> Option<(usize, usize)> {
    let mut i = from;
    while let Some(k) = src[i..to].find(open) {
        let at = i + k;
        match tag_words(&src[at..to], open, close) {
            Some((w, _, len)) if w == word => return Some((at, len)),
            _ => i = at + open.len(),
        }
    }
    None
}

fn rest_of_line_blank(rest: &str) -> bool {
    rest.split('\n').next().is_some_and(|l| l.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Shows the masked text with each marker replaced by `[n]`.
    fn shown(m: &Masked) -> String {
        let mut s = m.text.clone();
        for i in (0..m.literals.len()).rev() {
            s = s.replace(&literal_marker(i), &format!("[{i}]"));
        }
        s
    }

    #[test]
    fn every_kind_of_span_is_hidden_and_counted() {
        let m = mask(
            "A {{ site.url }} b {% include x.html %}\n{{< figure src=\"/a.png\" >}} {{% note %}}\n{# c #} {{- .Title -}}\n",
        );
        assert_eq!(shown(&m), "A [0] b [1]\n[2] [3]\n[4] [5]\n");
        assert_eq!(m.literals[2], "{{< figure src=\"/a.png\" >}}");
        let lines: Vec<u32> = m.tags.iter().map(|t| t.1).collect();
        assert_eq!(lines, [0, 0, 1, 1, 2, 2]);
    }

    #[test]
    fn prose_braces_and_heading_ids_are_left_alone() {
        for text in [
            "## Title {#id}\n",
            "a {{ b\n\nc }} d\n",
            "set {a, b}\n",
            "x {{ y",
        ] {
            let m = mask(text);
            assert_eq!(m.text, text);
            assert!(m.literals.is_empty(), "{text}");
        }
    }

    #[test]
    fn escapes_are_shown_as_written_and_not_counted() {
        let m = mask("{{</* figure src=\"x\" */>}} and {{%/* n */%}}\n");
        assert_eq!(m.literals, ["{{< figure src=\"x\" >}}", "{{% n %}}"]);
        assert!(m.tags.is_empty());
        let m = mask("{% raw %}\n```\n{{ page.title }}\n```\n{%- endraw -%} {{ x }}\n");
        assert_eq!(shown(&m), "\n```\n[0]\n```\n [1]\n");
        assert_eq!(m.literals[0], "{{ page.title }}");
        assert_eq!(m.tags, [(1, 4)]);
    }

    #[test]
    fn highlight_blocks_become_fenced_code() {
        let m = mask(
            "Intro\n\n{% highlight ruby linenos %}\nputs 1 # {{ x }}\n{% endhighlight %}\nafter\n",
        );
        assert_eq!(shown(&m), "Intro\n\n```ruby\nputs 1 # [0]\n```\nafter\n");
        let m = mask(
            "{{< highlight go \"linenos=table\" >}}\nfmt.Println(\"```\")\n{{< / highlight >}}\n",
        );
        assert_eq!(shown(&m), "````go\nfmt.Println(\"```\")\n````\n");
        // Not alone on its line: an ordinary tag.
        let m = mask("see {% highlight ruby %}x{% endhighlight %}\n");
        assert_eq!(m.tags.len(), 2);
    }

    #[test]
    fn stray_marker_characters_are_hidden_too() {
        let text = format!("a{LITERAL_OPEN}0{LITERAL_CLOSE}b");
        let m = mask(&text);
        assert_eq!(m.literals.len(), 2);
        assert!(m.tags.is_empty());
    }
}
