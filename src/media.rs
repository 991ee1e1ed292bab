//! Featured images and enclosures: their absolute URL, media type and size.
//!
//! Owns: guessing a media type from a file name (the only user of `mime_guess`) and
//! the rules for files that are not under `content/` (a remote enclosure must say its
//! length: RSS requires it and mdfeed does not fetch anything).
//! Does not: read files or format URLs; the caller's `locate` does both.

use std::path::Path;

use mime_guess::{from_path, mime};
use url::Url;

use crate::error::{Error, Result};
use crate::model::{Enclosure, EnclosureRef, Image, ImageRef};

/// A file found under `content/`: its absolute URL and size in bytes.
pub struct Located {
    /// Absolute URL.
    pub url: String,
    /// Size in bytes.
    pub len: u64,
}

/// Returns the media type that the file name in `path_or_url` suggests.
pub fn guess_type(path_or_url: &str) -> Option<String> {
    let path =
        Url::parse(path_or_url).map_or_else(|_| path_or_url.to_owned(), |u| u.path().to_owned());
    from_path(path).first().map(|m| m.essence_str().to_owned())
}

/// Returns the `Content-Type` to serve a built file with (`mdfeed serve`): the media
/// type its name suggests, with `charset=utf-8` for text, JSON, XML and JavaScript
/// (everything mdfeed writes is UTF-8), `application/octet-stream` when unknown.
pub fn content_type(file: &Path) -> String {
    let guess = from_path(file).first_or_octet_stream();
    let textual = guess.type_() == mime::TEXT
        || (guess.type_() == mime::APPLICATION
            && (matches!(guess.subtype().as_str(), "json" | "xml" | "javascript")
                || guess.suffix().is_some_and(|s| s == "xml" || s == "json")));
    match textual {
        true => format!("{}; charset=utf-8", guess.essence_str()),
        false => guess.essence_str().to_owned(),
    }
}

/// Resolves a featured image; `locate` finds a relative path under `content/`.
pub fn image(img: &ImageRef, locate: &dyn Fn(&str) -> Result<Option<Located>>) -> Result<Image> {
    let (url, length) = if Url::parse(&img.src).is_ok() {
        (img.src.clone(), None)
    } else {
        let found = locate(&img.src)?.ok_or_else(|| {
            Error::at(
                img.at.clone(),
                format!("image `{}` not found under content/", img.src),
            )
        })?;
        (found.url, Some(found.len))
    };
    Ok(Image {
        mime_type: guess_type(&url).filter(|m| m.starts_with("image/")),
        url,
        length,
        caption: img.caption.clone(),
        credit: img.credit.clone(),
    })
}

/// Resolves an enclosure: a local file gets its size and a type from its name; a remote
/// URL must come with `length`.
pub fn enclosure(
    e: &EnclosureRef,
    locate: &dyn Fn(&str) -> Result<Option<Located>>,
) -> Result<Enclosure> {
    let err = |msg: String| Error::at(e.at.clone(), msg);
    let (url, length) = if Url::parse(&e.src).is_ok() {
        let length = e.length.ok_or_else(|| {
            err(format!(
                "enclosure `{}` is a remote file without `length`: give its size in bytes \
                 (enclosure: {{url: ..., length: 12345}}); feeds require it and mdfeed does not download it",
                e.src
            ))
        })?;
        (e.src.clone(), length)
    } else {
        let found = locate(&e.src)?
            .ok_or_else(|| err(format!("enclosure `{}` not found under content/", e.src)))?;
        (found.url, found.len)
    };
    let mime_type = match e.mime_type.clone().or_else(|| guess_type(&url)) {
        Some(m) => m,
        None => {
            return Err(err(format!(
                "cannot tell the media type of enclosure `{}` from its name: add `type` (for example audio/mpeg)",
                e.src
            )));
        }
    };
    if !mime_type.contains('/') {
        return Err(err(format!(
            "enclosure `type` must be a media type such as audio/mpeg, found `{mime_type}`"
        )));
    }
    Ok(Enclosure {
        url,
        mime_type,
        length,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Location;

    fn local(src: &str) -> Result<Option<Located>> {
        Ok((src == "ep1.mp3").then(|| Located {
            url: "https://e.org/ep1.mp3".into(),
            len: 1234,
        }))
    }

    fn enc(src: &str, length: Option<u64>, mime: Option<&str>) -> Result<Enclosure> {
        let r = EnclosureRef {
            src: src.into(),
            mime_type: mime.map(str::to_owned),
            length,
            at: Location::new("content/a.md", 4, 12),
        };
        enclosure(&r, &local)
    }

    #[test]
    fn local_files_get_size_and_type() {
        let e = enc("ep1.mp3", None, None).unwrap();
        assert_eq!((e.length, e.mime_type.as_str()), (1234, "audio/mpeg"));
        assert!(
            enc("missing.mp3", None, None)
                .unwrap_err()
                .to_string()
                .contains("not found")
        );
    }

    #[test]
    fn remote_files_need_a_length() {
        let e = enc("https://cdn.org/x.m4a", None, None)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("content/a.md:4:12: error: enclosure `https://cdn.org/x.m4a` is a remote file without `length`"), "{e}");
        let ok = enc("https://cdn.org/x.m4a", Some(9), None).unwrap();
        assert_eq!(ok.mime_type, "audio/m4a");
        let e = enc("https://cdn.org/stream", Some(9), None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("add `type`"), "{e}");
        assert_eq!(
            enc("https://cdn.org/stream", Some(9), Some("audio/ogg"))
                .unwrap()
                .mime_type,
            "audio/ogg"
        );
    }
}
