//! Folder defaults: keys that apply to every article below a folder, like Hugo's
//! `cascade`. Read from `_defaults.toml` / `_defaults.yaml` (mdfeed's own) and from
//! Eleventy's directory data files (`posts/posts.json`, `posts/posts.11tydata.json`).
//!
//! Owns: which files are defaults files (they are never copied to `out/`), and the
//! cascade: a nearer folder wins over a farther one, the article's own front matter
//! over both (see `model`, which also merges tags instead of replacing them).
//! Does not: read files (the pipeline hands over their text) or validate values.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::{Error, Warning};
use crate::frontmatter::{self, DataFormat, Fields};

/// Keys that name one article; in a defaults file they would give every article
/// the same URL or title, so they are ignored there.
const PER_ARTICLE: &[&str] = &[
    "title",
    "slug",
    "path",
    "permalink",
    "url",
    "id",
    "aliases",
    "redirect_from",
    "external_url",
    "link",
    "date",
];

/// Returns the format of a defaults file, and its rank among the defaults files of
/// one folder (a higher rank wins); `None` for any other file.
pub fn defaults_file(rel: &Path) -> Option<(DataFormat, u8)> {
    let name = rel.file_name()?.to_str()?;
    match name {
        "_defaults.toml" => return Some((DataFormat::Toml, 3)),
        "_defaults.yaml" | "_defaults.yml" => return Some((DataFormat::Yaml, 2)),
        _ => {}
    }
    let folder = rel.parent()?.file_name()?.to_str()?;
    let stem = name.strip_suffix(".json")?;
    if stem == format!("{folder}.11tydata") {
        Some((DataFormat::Json, 1))
    } else if stem == folder {
        Some((DataFormat::Json, 0))
    } else {
        None
    }
}

/// The defaults of every folder that has some.
#[derive(Debug, Default)]
pub struct FolderDefaults {
    /// By folder (relative to `content/`): (rank, keys), in rank order.
    by_folder: BTreeMap<PathBuf, Vec<(u8, Fields)>>,
}

impl FolderDefaults {
    /// Adds the defaults file `rel` (shown as `shown`) with text `text`.
    pub fn add(&mut self, rel: &Path, shown: &Path, text: &str) -> Result<Vec<Warning>, Error> {
        let Some((format, rank)) = defaults_file(rel) else {
            return Ok(Vec::new());
        };
        let mut fields = frontmatter::parse_data(text, format)
            .map_err(|e| Error::at(crate::error::Location::new(shown, e.line, e.col), e.msg))?;
        let mut warnings = Vec::new();
        let ignored: Vec<String> = fields
            .keys()
            .filter(|k| PER_ARTICLE.contains(&k.as_str()))
            .cloned()
            .collect();
        for k in &ignored {
            if let Some(f) = fields.remove(k) {
                warnings.push(Warning {
                    at: crate::error::Location::new(shown, f.line, f.col),
                    msg: format!("`{k}` names one article; ignored in a folder defaults file"),
                });
            }
        }
        for f in fields.values_mut() {
            f.file = Some(shown.to_owned());
        }
        let folder = rel.parent().unwrap_or(Path::new("")).to_owned();
        let list = self.by_folder.entry(folder).or_default();
        list.push((rank, fields));
        list.sort_by_key(|(rank, _)| *rank);
        Ok(warnings)
    }

    /// Returns the defaults that apply to the article at `rel`: every folder from
    /// `content/` down to the article's own, the nearer winning.
    pub fn for_article(&self, rel: &Path) -> Fields {
        let mut out = Fields::new();
        let mut folders: Vec<&Path> = rel.ancestors().skip(1).collect();
        folders.reverse();
        for folder in folders {
            for (_, fields) in self.by_folder.get(folder).into_iter().flatten() {
                out.extend(fields.iter().map(|(k, v)| (k.clone(), v.clone())));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn recognises_defaults_files() {
        assert_eq!(
            defaults_file(Path::new("a/_defaults.toml")),
            Some((DataFormat::Toml, 3))
        );
        assert_eq!(
            defaults_file(Path::new("_defaults.yaml")),
            Some((DataFormat::Yaml, 2))
        );
        assert_eq!(
            defaults_file(Path::new("posts/posts.json")),
            Some((DataFormat::Json, 0))
        );
        assert_eq!(
            defaults_file(Path::new("posts/posts.11tydata.json")),
            Some((DataFormat::Json, 1))
        );
        assert_eq!(defaults_file(Path::new("posts/other.json")), None);
        assert_eq!(defaults_file(Path::new("posts.json")), None);
    }

    #[test]
    fn nearer_folders_win_and_per_article_keys_are_ignored() {
        let mut d = FolderDefaults::default();
        let w = d
            .add(
                Path::new("_defaults.toml"),
                Path::new("content/_defaults.toml"),
                "author = \"Root\"\ntags = [\"all\"]\ntitle = \"No\"\n",
            )
            .unwrap();
        assert_eq!(w.len(), 1);
        assert!(
            w[0].to_string()
                .starts_with("content/_defaults.toml:3:9: warning: `title`"),
            "{}",
            w[0]
        );
        d.add(
            Path::new("blog/blog.json"),
            Path::new("content/blog/blog.json"),
            "{\"author\": \"Eleventy\", \"layout\": \"post.njk\"}",
        )
        .unwrap();
        d.add(
            Path::new("blog/_defaults.yaml"),
            Path::new("content/blog/_defaults.yaml"),
            "author: Blog\n",
        )
        .unwrap();
        let f = d.for_article(Path::new("blog/x/a.md"));
        assert_eq!(f["author"].value, json!("Blog"));
        assert_eq!(f["layout"].value, json!("post.njk"));
        assert_eq!(f["tags"].value, json!(["all"]));
        assert_eq!(
            f["tags"].file.as_deref(),
            Some(Path::new("content/_defaults.toml"))
        );
        assert!(!f.contains_key("title"));
        assert_eq!(
            d.for_article(Path::new("other.md"))["author"].value,
            json!("Root")
        );
        let e = d
            .add(
                Path::new("x/x.json"),
                Path::new("content/x/x.json"),
                "{\n  \"a\": ,\n}",
            )
            .unwrap_err();
        assert!(e.to_string().starts_with("content/x/x.json:2:"), "{e}");
    }
}
