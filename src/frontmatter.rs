//! Splits a Markdown file into front matter and body, and parses the front matter.
//!
//! Owns: fence detection (`---` YAML, `+++` TOML; BOM, CRLF and leading blank
//! lines accepted) and mapping parser positions to file lines.
//! Does not: read files, apply defaults or validate fields (see `model`).

use std::collections::BTreeMap;

use serde_json::Value;
use serde_saphyr::Spanned;

/// One front matter key's value and where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// The value; TOML dates become RFC 3339 strings.
    pub value: Value,
    /// File line of the value (1-based).
    pub line: u32,
    /// Column of the value (1-based).
    pub col: u32,
    /// The file it was written in when that is not the article itself (a folder
    /// defaults file), as shown in messages.
    pub file: Option<std::path::PathBuf>,
}

/// Front matter keys in sorted order.
pub type Fields = BTreeMap<String, Field>;

/// A file split at its front matter fences.
#[derive(Debug, PartialEq)]
pub struct Split<'a> {
    /// The parsed keys.
    pub fields: Fields,
    /// Everything after the closing fence.
    pub body: &'a str,
    /// File line on which the body starts.
    pub body_line: u32,
}

/// A problem at `line:col` of the file.
#[derive(Debug, PartialEq)]
pub struct FrontMatterError {
    /// 1-based file line.
    pub line: u32,
    /// 1-based column.
    pub col: u32,
    /// What is wrong.
    pub msg: String,
}

#[derive(Clone, Copy)]
enum Format {
    Yaml,
    Toml,
}

/// Splits `text`; `Ok(None)` when the file has no front matter (not an article).
pub fn split(text: &str) -> Result<Option<Split<'_>>, FrontMatterError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = lines_with_offsets(text);
    let Some((open_line, _, open)) = lines.find(|(_, _, l)| !l.trim().is_empty()) else {
        return Ok(None);
    };
    let format = match open.trim_end() {
        "---" => Format::Yaml,
        "+++" => Format::Toml,
        _ => return Ok(None),
    };
    let fm_start = lines.clone().next().map_or(text.len(), |(_, off, _)| off);
    let closing = lines.find(|(_, _, l)| {
        let l = l.trim_end();
        l == open.trim_end() || (matches!(format, Format::Yaml) && l == "...")
    });
    let Some((close_line, close_off, _)) = closing else {
        return Err(FrontMatterError {
            line: open_line,
            col: 1,
            msg: format!(
                "front matter opened with `{}` is never closed",
                open.trim_end()
            ),
        });
    };
    let fm = &text[fm_start..close_off];
    let body_start = lines.next().map_or(text.len(), |(_, off, _)| off);
    let fields = match format {
        Format::Yaml => yaml(fm, open_line + 1)?,
        Format::Toml => toml_fields(fm, open_line + 1)?,
    };
    Ok(Some(Split {
        fields,
        body: &text[body_start..],
        body_line: close_line + 1,
    }))
}

/// Yields (1-based line, byte offset, line without its `\n` / `\r\n`).
/// Returns `fields` as YAML front matter between `---` fences (`mdfeed new`).
/// The YAML comes from the parser crate's serializer, so any title round-trips.
pub fn compose<T: serde::Serialize>(fields: &T) -> Result<String, String> {
    let yaml = serde_saphyr::to_string(fields).map_err(|e| e.to_string())?;
    let newline = if yaml.ends_with('\n') { "" } else { "\n" };
    Ok(format!("---\n{yaml}{newline}---\n"))
}

fn lines_with_offsets(text: &str) -> impl Iterator<Item = (u32, usize, &str)> + Clone {
    text.split_inclusive('\n')
        .scan(0usize, |off, raw| {
            let start = *off;
            *off += raw.len();
            Some((start, raw))
        })
        .enumerate()
        .map(|(i, (start, raw))| {
            let line = raw.strip_suffix('\n').unwrap_or(raw);
            (i as u32 + 1, start, line.strip_suffix('\r').unwrap_or(line))
        })
}

/// The most values (after expanding aliases) a YAML front matter may hold.
const MAX_NODES: usize = 10_000;

fn yaml(fm: &str, first_line: u32) -> Result<Fields, FrontMatterError> {
    if fm.trim().is_empty() {
        return Ok(Fields::new());
    }
    // Front matter is a few dozen keys: budgets far below the crate's defaults (250,000
    // nodes, 1,000,000 replayed alias events) refuse an alias bomb in milliseconds.
    let budget = serde_saphyr::budget! {
        max_nodes: MAX_NODES,
        max_events: 4 * MAX_NODES,
        max_aliases: MAX_NODES,
        max_depth: 32,
        max_total_scalar_bytes: 4 << 20,
    };
    let alias_limits = serde_saphyr::alias_limits! { max_total_replayed_events: MAX_NODES };
    let options = serde_saphyr::options! {
        with_snippet: false,
        budget: budget,
        alias_limits: alias_limits,
    };
    let parsed: Result<BTreeMap<String, Spanned<Value>>, _> =
        serde_saphyr::from_str_with_options(fm, options);
    match parsed {
        Ok(map) => Ok(map
            .into_iter()
            .map(|(k, v)| {
                let field = Field {
                    value: v.value,
                    line: first_line + v.referenced.line().saturating_sub(1) as u32,
                    col: v.referenced.column() as u32,
                    file: None,
                };
                (k, field)
            })
            .collect()),
        Err(e) => {
            let (line, col) = e
                .location()
                .map_or((1, 1), |l| (l.line() as u32, l.column() as u32));
            let detail = strip_location(&e.to_string()).to_owned();
            let msg = if matches!(e, serde_saphyr::Error::Budget { .. }) {
                format!(
                    "YAML front matter is too large or too deeply nested (more than {MAX_NODES} values \
                     after expanding aliases, or 32 levels): {detail}"
                )
            } else {
                format!("invalid YAML front matter: {detail}")
            };
            Err(FrontMatterError {
                line: first_line + line.saturating_sub(1),
                col,
                msg,
            })
        }
    }
}

fn toml_fields(fm: &str, first_line: u32) -> Result<Fields, FrontMatterError> {
    let at = |offset: usize| {
        let loc = crate::error::Location::in_text("", fm, offset, first_line);
        (loc.line, loc.col)
    };
    let map: BTreeMap<String, toml::Spanned<toml::Value>> = toml::from_str(fm).map_err(|e| {
        let (line, col) = at(e.span().map_or(0, |s| s.start));
        FrontMatterError {
            line,
            col,
            msg: format!("invalid TOML front matter: {}", e.message().trim()),
        }
    })?;
    Ok(map
        .into_iter()
        .map(|(k, v)| {
            let (line, col) = at(v.span().start);
            let value = toml_to_json(v.into_inner());
            let file = None;
            (
                k,
                Field {
                    value,
                    line,
                    col,
                    file,
                },
            )
        })
        .collect())
}

/// The formats of a whole data file (a folder defaults file).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataFormat {
    /// `_defaults.yaml`.
    Yaml,
    /// `_defaults.toml`.
    Toml,
    /// Eleventy's `<folder>/<folder>.json`.
    Json,
}

/// Parses a whole file of keys (not fenced); positions are file positions.
pub fn parse_data(text: &str, format: DataFormat) -> Result<Fields, FrontMatterError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    match format {
        DataFormat::Yaml => yaml(text, 1),
        DataFormat::Toml => toml_fields(text, 1),
        DataFormat::Json => {
            let map: BTreeMap<String, Value> =
                serde_json::from_str(text).map_err(|e| FrontMatterError {
                    line: e.line().max(1) as u32,
                    col: e.column().max(1) as u32,
                    msg: format!("invalid JSON: {}", strip_location(&e.to_string())),
                })?;
            // serde_json keeps no positions: values are reported at the file's start.
            Ok(map
                .into_iter()
                .map(|(k, value)| {
                    let field = Field {
                        value,
                        line: 1,
                        col: 1,
                        file: None,
                    };
                    (k, field)
                })
                .collect())
        }
    }
}

fn toml_to_json(v: toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => Value::from(f),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => {
            Value::Object(t.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect())
        }
    }
}

/// The YAML crate appends " at line X column Y" in front-matter-relative terms; we
/// report file positions ourselves, so drop it.
fn strip_location(msg: &str) -> &str {
    msg.find(" at line ").map_or(msg, |i| &msg[..i]).trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_and_toml_give_the_same_fields() {
        let y = split("---\ntitle: Hi\ndraft: true\n---\nBody\n")
            .unwrap()
            .unwrap();
        let t = split("+++\ntitle = \"Hi\"\ndraft = true\n+++\nBody\n")
            .unwrap()
            .unwrap();
        let values = |s: &Split<'_>| {
            s.fields
                .iter()
                .map(|(k, f)| (k.clone(), f.value.clone(), f.line))
                .collect::<Vec<_>>()
        };
        assert_eq!(values(&y), values(&t));
        assert_eq!(y.body, "Body\n");
        assert_eq!(y.body_line, 5);
        assert_eq!(y.fields["draft"].line, 3);
    }

    #[test]
    fn composed_front_matter_reads_back() {
        #[derive(serde::Serialize)]
        struct New<'a> {
            title: &'a str,
            draft: bool,
            tags: Vec<String>,
        }
        let title = "Colons: \"quotes\" # not a comment\n--- and 'more'";
        let text = compose(&New {
            title,
            draft: true,
            tags: vec![],
        })
        .unwrap();
        let s = split(&text).unwrap().unwrap();
        assert_eq!(s.fields["title"].value, Value::String(title.into()));
        assert_eq!(s.fields["draft"].value, Value::Bool(true));
        assert_eq!(s.fields["tags"].value, Value::Array(vec![]));
        assert_eq!(s.body, "");
    }

    #[test]
    fn bom_crlf_and_blank_lines_are_accepted() {
        let s = split("\u{feff}\r\n---\r\ntitle: Hi\r\n---\r\nBody\r\n")
            .unwrap()
            .unwrap();
        assert_eq!(s.fields["title"].value, Value::String("Hi".into()));
        assert_eq!(s.fields["title"].line, 3);
        assert_eq!(s.body, "Body\r\n");
    }

    #[test]
    fn toml_dates_become_strings() {
        let s = split("+++\ndate = 2024-05-30T13:46:00+08:00\n+++\n")
            .unwrap()
            .unwrap();
        assert_eq!(
            s.fields["date"].value,
            Value::String("2024-05-30T13:46:00+08:00".into())
        );
    }

    #[test]
    fn no_front_matter_is_not_an_article() {
        assert_eq!(split("# README\n").unwrap(), None);
        assert_eq!(split("").unwrap(), None);
    }

    #[test]
    fn errors_carry_file_lines() {
        let e = split("---\ntitle: Hi\n---\n\n---\n").err();
        assert!(e.is_none());
        let e = split("---\ntitle: Hi\n").unwrap_err();
        assert_eq!((e.line, e.col), (1, 1));
        let e = split("---\ntitle: Hi\ntags: [a\n---\n").unwrap_err();
        assert!(e.line >= 3, "{e:?}");
        let e = split("+++\ntitle = \"Hi\"\ndate = \n+++\n").unwrap_err();
        assert_eq!(e.line, 3, "{e:?}");
        let e = split("---\ntitle: a\ntitle: b\n---\n").unwrap_err();
        assert_eq!(e.line, 3, "{e:?}");
    }
}
