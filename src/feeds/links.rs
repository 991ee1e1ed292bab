//! Absolute URLs in feed content, on the parsed HTML.
//!
//! Owns: rewriting every URL attribute of an article's HTML against its page URL, and
//! finding any that is still relative (for `validate`). The only user of `lol_html`.

use std::cell::Cell;

use lol_html::html_content::Element;
use lol_html::{RewriteStrSettings, element, rewrite_str};
use memchr::memchr;
use url::Url;

use crate::urls::Urls;

/// Makes every URL in `html` absolute (see `Urls::absolute_link`), by rewriting the
/// attributes of the parsed HTML, so the content works in every feed reader. Also says
/// whether every URL it left is absolute (a value that cannot be joined stays as it
/// is), which spares `validate` parsing the same HTML a second time.
///
/// `rendered` says the HTML is all the Markdown renderer's own (`Rendered::raw_html`
/// is false): then its simple shape is rewritten directly, which gives the same
/// bytes as `lol_html` at a fraction of the cost (it was a sixth of a build).
pub(crate) fn absolutize(
    html: &str,
    page: &str,
    urls: &Urls,
    rendered: bool,
) -> Result<(String, bool), String> {
    let page = Url::parse(page).map_err(|e| format!("bad article URL `{page}`: {e}"))?;
    if let Some(done) = rendered
        .then(|| absolutize_rendered(html, &page, urls))
        .flatten()
    {
        return Ok(done);
    }
    let all_absolute = Cell::new(true);
    let join = |v: &str| urls.absolute_link(&page, v).unwrap_or_else(|| v.to_owned());
    let set = |el: &mut Element<'_, '_>, attr: &str, value: String| {
        if relative_in(attr, &value).next().is_some() {
            all_absolute.set(false);
        }
        el.set_attribute(attr, &value)
    };
    let rewrite = |attr: &'static str| {
        element!(format!("[{attr}]"), move |el| {
            if let Some(v) = el.get_attribute(attr) {
                set(el, attr, join(&v))?;
            }
            Ok(())
        })
    };
    let srcset = element!("[srcset]", |el| {
        if let Some(v) = el.get_attribute("srcset") {
            let joined: Vec<String> = v
                .split(',')
                .map(|candidate| {
                    let candidate = candidate.trim();
                    match candidate.split_once(char::is_whitespace) {
                        Some((u, descriptor)) => format!("{} {}", join(u), descriptor.trim()),
                        None => join(candidate),
                    }
                })
                .collect();
            set(el, "srcset", joined.join(", "))?;
        }
        Ok(())
    });
    let settings = RewriteStrSettings::new()
        .append_element_content_handler(rewrite("href"))
        .append_element_content_handler(rewrite("src"))
        .append_element_content_handler(rewrite("poster"))
        .append_element_content_handler(srcset);
    let out = rewrite_str(html, settings).map_err(|e| format!("cannot rewrite HTML: {e}"))?;
    Ok((out, all_absolute.get()))
}

/// The fast path of `absolutize` for HTML in which a `<` always opens a tag, a `>`
/// always closes one, and every URL is a double-quoted `href` or `src` value (what
/// the Markdown renderer writes). `None` when a value holds `&` (an entity
/// `lol_html` would decode, or a query it would re-escape): the caller parses then.
fn absolutize_rendered(html: &str, page: &Url, urls: &Urls) -> Option<(String, bool)> {
    let mut out = String::with_capacity(html.len() + html.len() / 8);
    let mut all_absolute = true;
    let mut rest = html;
    // `memchr` searches a vector at a time, faster here than `str::find`.
    while let Some(open) = memchr(b'<', rest.as_bytes()) {
        let close = open + memchr(b'>', &rest.as_bytes()[open..])?;
        out.push_str(&rest[..open]);
        let mut tag = &rest[open..close];
        rest = &rest[close..];
        // Attribute by attribute: `name="value"`, where a value never holds `"`.
        while let Some(eq) = value_start(tag) {
            let start = eq + 2;
            let end = start + memchr(b'"', &tag.as_bytes()[start..])?;
            let name = tag[..eq].rsplit(|c: char| c.is_ascii_whitespace()).next();
            out.push_str(&tag[..start]);
            let value = &tag[start..end];
            if matches!(name, Some("href" | "src")) {
                // A joined URL is the url crate's own serialisation, which parses again.
                let (joined, parses) = match urls.absolute_link(page, value) {
                    Some(joined) => (joined, true),
                    None => (value.to_owned(), Url::parse(value.trim()).is_ok()),
                };
                if value.contains('&') || joined.contains('&') {
                    return None;
                }
                all_absolute &= parses;
                out.push_str(&joined);
            } else {
                out.push_str(value);
            }
            tag = &tag[end..];
        }
        out.push_str(tag);
    }
    out.push_str(rest);
    Some((out, all_absolute))
}

/// Returns where the next `="` is in a tag: a one-byte search for `=` (a value
/// may hold `=` without a quote after it), where a search for the pair would set
/// up a substring searcher for every tag.
fn value_start(tag: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(k) = memchr(b'=', &tag.as_bytes()[from..]) {
        let eq = from + k;
        if tag[eq + 1..].starts_with('"') {
            return Some(eq);
        }
        from = eq + 1;
    }
    None
}

/// The attributes that hold one URL each (`srcset` holds several).
const URL_ATTRS: [&str; 3] = ["href", "src", "poster"];

/// The URLs of one attribute value that are not absolute (a `srcset` holds several).
fn relative_in<'v>(attr: &str, value: &'v str) -> impl Iterator<Item = &'v str> {
    let urls: Vec<&str> = match attr {
        "srcset" => value
            .split(',')
            .filter_map(|c| c.split_whitespace().next())
            .collect(),
        _ => vec![value.trim()],
    };
    urls.into_iter().filter(|u| Url::parse(u).is_err())
}

/// Returns every URL in `html` (`href`, `src`, `poster`, `srcset` candidates) that is
/// not absolute, as `attr="value"`.
pub(crate) fn relative_urls(html: &str) -> Result<Vec<String>, String> {
    let found = std::cell::RefCell::new(Vec::new());
    let check = |attr: &'static str| {
        let found = &found;
        element!(format!("[{attr}]"), move |el| {
            if let Some(v) = el.get_attribute(attr) {
                for u in relative_in(attr, &v) {
                    found.borrow_mut().push(format!("{attr}=\"{u}\""));
                }
            }
            Ok(())
        })
    };
    let mut settings = RewriteStrSettings::new();
    for attr in URL_ATTRS.into_iter().chain(["srcset"]) {
        settings = settings.append_element_content_handler(check(attr));
    }
    rewrite_str(html, settings).map_err(|e| format!("cannot read HTML: {e}"))?;
    Ok(found.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_of_relative_url_becomes_absolute() {
        let html = r##"<a href="/x">a</a><a href="../y">b</a><a href="#f">c</a><img src="p.png" srcset="p1.png 1x, /p2.png 2x"><video poster="v.jpg"></video><a href="https://o.org/">d</a>"##;
        let urls = Urls::new(Url::parse("https://e.org/").unwrap());
        let (out, all_absolute) = absolutize(html, "https://e.org/news/a/", &urls, false).unwrap();
        assert!(all_absolute);
        for want in [
            r#"href="https://e.org/x""#,
            r#"href="https://e.org/news/y""#,
            r##"href="https://e.org/news/a/#f""##,
            r#"src="https://e.org/news/a/p.png""#,
            r#"srcset="https://e.org/news/a/p1.png 1x, https://e.org/p2.png 2x""#,
            r#"poster="https://e.org/news/a/v.jpg""#,
            r#"href="https://o.org/""#,
        ] {
            assert!(out.contains(want), "{want} not in {out}");
        }
    }

    #[test]
    fn relative_urls_are_found() {
        let html = r#"<a href="/x">a</a><img src="https://e.org/p.png" srcset="https://e.org/1.png 1x, p2.png 2x"><a href="https://o.org/">d</a>"#;
        assert_eq!(
            relative_urls(html).unwrap(),
            ["href=\"/x\"", "srcset=\"p2.png\""]
        );
        let urls = Urls::new(Url::parse("https://e.org/").unwrap());
        let (fixed, all_absolute) = absolutize(html, "https://e.org/a/", &urls, false).unwrap();
        assert!(all_absolute);
        assert!(relative_urls(&fixed).unwrap().is_empty());
    }

    #[test]
    fn a_url_that_cannot_be_joined_is_reported() {
        let urls = Urls::new(Url::parse("https://e.org/").unwrap());
        let html = r#"<a href="http://[bad">x</a><img src="/ok.png">"#;
        let (out, all_absolute) = absolutize(html, "https://e.org/a/", &urls, false).unwrap();
        assert!(!all_absolute, "{out}");
        assert_eq!(relative_urls(&out).unwrap(), ["href=\"http://[bad\""]);
    }

    /// Markdown of every shape the renderer gives a URL, and text that only looks like one.
    const SHAPES: &[&str] = &[
        "[a](/root) [b](../up/x.md) [c](#frag) [d](?q=1) [e](https://o.org/p?a=1&b=2)",
        "[f](https://o.org/ü/ä b) [g](<with space.png>) [h](//cdn.example/x) [i]()",
        "[j](mailto:x@y.org) <https://auto.example/x> <me@mail.example> [k](javascript:x)",
        "![alt src=\"x\" href=](pic.png \"title src=\") ![](/abs.png 'q \"x\"')",
        "[t](rel.html \"a href=\") and text src=\"nope\" href=\"nope\" = \"x\"",
        "Footnote[^1] and [^long name].\n\n[^1]: Note.\n\n[^long name]: Other.",
        "```html\n<a href=\"rel\">x</a>\n```\n\n`<img src=\"x\">`",
        "| a | b |\n|---|:-:|\n| [x](y) | ![z](w.png) |\n\n- [ ] task\n- [x] done",
        "# Head {#id}\n\n<!-- more -->\n\nafter [l](l/)",
        "[<](%3C) [q](a\"b) [sq](it's) [pct](%20x) [bad](http://[x)",
    ];

    #[test]
    fn the_fast_path_writes_what_lol_html_writes() {
        let urls = Urls::new(Url::parse("https://e.org/site/").unwrap());
        let page = "https://e.org/site/news/a/";
        let mut fast = 0;
        for (i, md) in SHAPES
            .iter()
            .map(|s| s.to_string())
            .chain([SHAPES.join("\n\n")])
            .enumerate()
        {
            let body = crate::markdown::Body {
                text: &md,
                ..Default::default()
            };
            let r = crate::markdown::render(&body, &|_| None);
            assert!(!r.raw_html, "{md}");
            for html in [&r.html, &r.summary_html] {
                let slow = absolutize(html, page, &urls, false).unwrap();
                let page = Url::parse(page).unwrap();
                if let Some(quick) = absolutize_rendered(html, &page, &urls) {
                    assert_eq!(quick, slow, "shape {i}: {html}");
                    fast += 1;
                }
            }
        }
        // Only values with `&` go the slow way.
        assert!(fast >= 14, "{fast}");
    }

    #[test]
    fn raw_html_is_told_from_a_plain_comment() {
        let raw = |md: &str| {
            let body = crate::markdown::Body {
                text: md,
                ..Default::default()
            };
            crate::markdown::render(&body, &|_| None).raw_html
        };
        assert!(!raw("a\n\n<!-- more -->\n\nb <!-- x -->"));
        for md in [
            "<div>x</div>",
            "a <span>b</span>",
            "<!-- <a href=x> -->",
            "<!-- src -->",
            "<!-- a --> <b>",
            "<!--",
            "<br>",
        ] {
            assert!(raw(md), "{md}");
        }
    }
}
