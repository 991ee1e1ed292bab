//! Absolute URLs in feed content, on the parsed HTML.
//!
//! Owns: rewriting every URL attribute of an article's HTML against its page URL, and
//! finding any that is still relative (for `validate`). The only user of `lol_html`.

use lol_html::{RewriteStrSettings, element, rewrite_str};
use url::Url;

use crate::urls::Urls;

/// Makes every URL in `html` absolute (see `Urls::absolute_link`), by rewriting the
/// attributes of the parsed HTML, so the content works in every feed reader.
pub(crate) fn absolutize(html: &str, page: &str, urls: &Urls) -> Result<String, String> {
    let page = Url::parse(page).map_err(|e| format!("bad article URL `{page}`: {e}"))?;
    let join = |v: &str| urls.absolute_link(&page, v).unwrap_or_else(|| v.to_owned());
    let rewrite = |attr: &'static str| {
        element!(format!("[{attr}]"), move |el| {
            if let Some(v) = el.get_attribute(attr) {
                el.set_attribute(attr, &join(&v))?;
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
            el.set_attribute("srcset", &joined.join(", "))?;
        }
        Ok(())
    });
    let settings = RewriteStrSettings::new()
        .append_element_content_handler(rewrite("href"))
        .append_element_content_handler(rewrite("src"))
        .append_element_content_handler(rewrite("poster"))
        .append_element_content_handler(srcset);
    rewrite_str(html, settings).map_err(|e| format!("cannot rewrite HTML: {e}"))
}

/// The attributes that hold one URL each (`srcset` holds several).
const URL_ATTRS: [&str; 3] = ["href", "src", "poster"];

/// Returns every URL in `html` (`href`, `src`, `poster`, `srcset` candidates) that is
/// not absolute, as `attr="value"`.
pub(crate) fn relative_urls(html: &str) -> Result<Vec<String>, String> {
    let found = std::cell::RefCell::new(Vec::new());
    let check = |attr: &'static str| {
        let found = &found;
        element!(format!("[{attr}]"), move |el| {
            if let Some(v) = el.get_attribute(attr) {
                let urls: Vec<String> = if attr == "srcset" {
                    v.split(',')
                        .filter_map(|c| c.split_whitespace().next().map(str::to_owned))
                        .collect()
                } else {
                    vec![v.trim().to_owned()]
                };
                for u in urls.into_iter().filter(|u| Url::parse(u).is_err()) {
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
        let out = absolutize(html, "https://e.org/news/a/", &urls).unwrap();
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
        let fixed = absolutize(html, "https://e.org/a/", &urls).unwrap();
        assert!(relative_urls(&fixed).unwrap().is_empty());
    }
}
