//! Old URLs of an article (Hugo's `aliases`, Jekyll's `redirect_from`) as files
//! under `out/`.

use std::path::PathBuf;

use url::Url;

use super::{Urls, check_segment};

impl Urls {
    /// Returns the file under `out/` that serves an old URL of an article (Hugo's
    /// `aliases`, Jekyll's `redirect_from`). `/a/b/` and `/a/b` become `a/b/index.html`,
    /// `/a/b.html` stays a file; a relative alias is read against `folder`, the article's
    /// folder. Every segment is checked, so no alias can leave `out/`.
    pub fn alias_file(&self, alias: &str, folder: &[String]) -> Result<PathBuf, String> {
        let alias = alias.trim();
        let path = match Url::parse(alias) {
            Ok(u) if u.host_str() == self.base.host_str() && u.scheme().starts_with("http") => {
                let path = u.path().to_owned();
                match path.strip_prefix(self.base.path()) {
                    Some(rest) => format!("/{rest}"),
                    None => return Err(format!("`{alias}` is outside the site's base_url")),
                }
            }
            Ok(_) => return Err(format!("`{alias}` is on another site")),
            Err(_) => alias
                .split(['?', '#'])
                .next()
                .unwrap_or_default()
                .to_owned(),
        };
        let mut segments: Vec<String> = if path.starts_with('/') {
            Vec::new()
        } else {
            folder.to_vec()
        };
        for seg in path.split('/').filter(|s| !s.is_empty()) {
            let seg = percent_encoding::percent_decode_str(seg)
                .decode_utf8()
                .map_err(|_| format!("`{alias}` is not valid UTF-8 once decoded"))?;
            check_segment(&seg).map_err(|why| format!("a segment of `{alias}` {why}"))?;
            segments.push(seg.into_owned());
        }
        let is_file = !path.ends_with('/') && segments.last().is_some_and(|s| s.contains('.'));
        let mut file: PathBuf = segments.iter().collect();
        if !is_file {
            file.push("index.html");
        }
        Ok(file)
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn urls() -> Urls {
        Urls::new(Url::parse("https://example.org/blog/").unwrap())
    }

    #[test]
    fn alias_files_stay_inside_out() {
        let u = urls();
        let folder = vec!["posts".to_owned()];
        let file = |a: &str| u.alias_file(a, &folder);
        assert_eq!(
            file("/2019/03/old/").unwrap(),
            Path::new("2019/03/old/index.html")
        );
        assert_eq!(file("/2019/old").unwrap(), Path::new("2019/old/index.html"));
        assert_eq!(file("/old.html").unwrap(), Path::new("old.html"));
        assert_eq!(
            file("old-name/").unwrap(),
            Path::new("posts/old-name/index.html")
        );
        assert_eq!(file("/a%20b/?x=1#f").unwrap(), Path::new("a b/index.html"));
        assert_eq!(
            file("https://example.org/blog/x/").unwrap(),
            Path::new("x/index.html")
        );
        for bad in [
            "/../etc/",
            "/a/%2e%2e/b",
            "/a%2Fb/",
            "https://other.org/x/",
            "https://example.org/x/",
        ] {
            assert!(file(bad).is_err(), "{bad}");
        }
    }
}
