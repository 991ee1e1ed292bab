//! Reads every file of `content/` that may be an article, taking from the memo what
//! it has: a file whose stamp is unchanged is not read again, one a file watcher saw no
//! change to is not even looked at, and when no file came or went since the last build
//! the last build's results are taken as they are, in order. Without a memo, a file
//! whose stamp is the one the up-to-date check trusted, and whose front matter the
//! cache in `out/` keeps, is left unread (`Text::InFile`).

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;

use super::cached::Bodies;
use super::memo::{Kept, Memo, ReadEntry};
use super::read::{self, Outcome, Text};
use super::{Progress, progress};
use crate::cache::bodies::Read;
use crate::error::{Error, Warning};
use crate::memo::{Hashed, Key, KeyHasher, Stamp, Table};
use crate::model::Failure;
use crate::source::{self, Kind, SourceFile};

/// What reading one file gave: something the memo may keep, or errors.
pub(super) enum Got {
    Kept(Arc<ReadEntry>, Key),
    Failed(Failure, Vec<Warning>),
}

/// Returns the key of a file read with `inputs`: its bytes, names and place.
fn read_key(inputs: &Key, f: &SourceFile, digest: &[u8; 32], ctx: &read::Context<'_>) -> Key {
    let kind = match f.kind {
        Kind::Markdown => 0,
        Kind::Html => 1,
        Kind::Asset => 2,
    };
    let mut h = KeyHasher::new("file");
    h.key(inputs)
        .str(&f.rel.to_string_lossy())
        .str(&f.shown.to_string_lossy())
        .num(kind)
        .num(u64::from(ctx.sections.contains(&f.rel)))
        .bytes(digest);
    h.finish()
}

/// What the last build read, in order, and under which inputs.
pub(super) struct LastRead {
    inputs: Key,
    /// The version of the list of files read (`walk::Listed::version`).
    version: u64,
    got: Vec<(Key, Arc<ReadEntry>)>,
}

/// Reads and parses every candidate, in order, taking from the memo what it has:
/// a file whose stamp is unchanged is not even read, and one the watcher saw no
/// change to (not in `changed`, when given) not even looked at. `version` names the
/// list of files: when it is the last build's, so is every file not in `changed`.
pub(super) fn read_all(
    candidates: &[&SourceFile],
    (ctx, changed, version): (&read::Context<'_>, Option<&BTreeSet<PathBuf>>, u64),
    inputs: &Key,
    memo: &mut Memo,
    progress: Option<&dyn Progress>,
) -> Vec<Got> {
    let generation = memo.generation();
    let seen = seen(candidates, changed);
    // A file the up-to-date check looked at moments ago has the stamp it saw (one stat
    // per file less; one changed since is refused where its text is read, see
    // `read::Text`, or found by the next build).
    let checked = &memo.checked;
    let stamps: Vec<Option<Stamp>> = (0..candidates.len())
        .into_par_iter()
        .map(|i| {
            let f = candidates[i];
            let stamp = || {
                checked
                    .get(&f.rel)
                    .map(Hashed::stamp)
                    .or_else(|| source::stamp(f))
            };
            seen[i].then(stamp).flatten()
        })
        .collect();
    if stamps.iter().flatten().any(Stamp::linked) {
        memo.walk.distrust();
    }
    let last = memo.last_read.take().filter(|l| {
        changed.is_some()
            && (l.inputs, l.version) == (*inputs, version)
            && l.got.len() == candidates.len()
    });
    if last.is_some() {
        // Every file is still there: what the memo knows of them stays.
        memo.digests.keep_all(generation);
    }
    let mut gots = from_memo(
        candidates,
        (ctx, inputs),
        (&seen, &stamps),
        last.as_ref(),
        memo,
    );
    for _ in gots.iter().flatten() {
        memo.reuse.read.count(true);
        progress::advance(progress);
    }
    read_missing(
        candidates,
        (ctx, inputs),
        &stamps,
        memo,
        (&mut gots, progress),
    );
    let gots: Vec<Got> = gots.into_iter().flatten().collect();
    let got: Option<Vec<(Key, Arc<ReadEntry>)>> = gots
        .iter()
        .map(|g| match g {
            Got::Kept(entry, key) => Some((*key, Arc::clone(entry))),
            Got::Failed(..) => None,
        })
        .collect();
    // Kept only by a memo that keeps what it reads (it holds every article's text).
    if !memo.read.is_forgetful() {
        memo.last_read = got.map(|got| LastRead {
            inputs: *inputs,
            version,
            got,
        });
    }
    gots
}

/// Takes from the memo each candidate it has: by place from the last build's reading
/// when the file is unchanged and the list is the same, else by the file's hash.
fn from_memo(
    candidates: &[&SourceFile],
    (ctx, inputs): (&read::Context<'_>, &Key),
    (seen, stamps): (&[bool], &[Option<Stamp>]),
    last: Option<&LastRead>,
    memo: &mut Memo,
) -> Vec<Option<Got>> {
    let generation = memo.generation();
    let mut gots: Vec<Option<Got>> = Vec::with_capacity(candidates.len());
    for (i, f) in candidates.iter().enumerate() {
        let hit = match (last, seen[i]) {
            (Some(last), false) => {
                let (key, entry) = &last.got[i];
                memo.read.get(key, generation);
                Some(Got::Kept(Arc::clone(entry), *key))
            }
            _ => {
                let digest = match (seen[i], &stamps[i]) {
                    (false, _) => memo.digests.unchanged(&f.abs, generation),
                    (true, Some(s)) => memo.digests.known(&f.abs, s, generation),
                    (true, None) => None,
                };
                digest
                    .map(|digest| read_key(inputs, f, &digest, ctx))
                    .and_then(|key| Some(Got::Kept(memo.read.get(&key, generation)?, key)))
            }
        };
        gots.push(hit);
    }
    gots
}

/// Returns, for each candidate, whether it may have changed: all of them without a
/// watcher's word, else those it named.
fn seen(candidates: &[&SourceFile], changed: Option<&BTreeSet<PathBuf>>) -> Vec<bool> {
    let Some(changed) = changed else {
        return vec![true; candidates.len()];
    };
    let mut seen = vec![false; candidates.len()];
    for rel in changed {
        if let Ok(i) = candidates.binary_search_by(|f| f.rel.as_path().cmp(rel)) {
            seen[i] = true;
        }
    }
    seen
}

/// Reads the candidates the memo did not have (in parallel) into their `gots` slot.
fn read_missing(
    candidates: &[&SourceFile],
    (ctx, inputs): (&read::Context<'_>, &Key),
    stamps: &[Option<Stamp>],
    memo: &mut Memo,
    (gots, progress): (&mut [Option<Got>], Option<&dyn Progress>),
) {
    let generation = memo.generation();
    let missing: Vec<usize> = (0..gots.len()).filter(|&i| gots[i].is_none()).collect();
    let (known, stored, checked) = (&memo.read, &memo.bodies, &memo.checked);
    let fresh: Vec<(usize, Fresh)> = missing
        .into_par_iter()
        .map(|i| {
            let stamp = stamps[i].or_else(|| source::stamp(candidates[i]));
            let checked = checked.get(&candidates[i].rel);
            let fresh = read_fresh(
                candidates[i],
                (stamp, checked),
                (inputs, known, stored),
                ctx,
            );
            progress::advance(progress);
            (i, fresh)
        })
        .collect();
    for (i, fresh) in fresh {
        if let Some(hashed) = fresh.digest {
            if let Some(read) = &mut memo.read_hashes {
                read.push((candidates[i].rel.clone(), hashed));
            }
            let path = candidates[i].abs.clone();
            memo.digests.remember(path, hashed, generation);
        }
        let (outcome, warnings) = match fresh.made {
            Some(made) => made,
            None => {
                // Read again, and the same as before: counts as a hit.
                if let Some(entry) = memo.read.get(&fresh.key, generation) {
                    memo.reuse.read.count(true);
                    gots[i] = Some(Got::Kept(entry, fresh.key));
                }
                continue;
            }
        };
        memo.reuse.read.count(fresh.from_cache);
        let kept = match outcome {
            Outcome::Failed(f) => {
                gots[i] = Some(Got::Failed(f, warnings));
                continue;
            }
            Outcome::Article(p) => Kept::Article(Arc::new(*p)),
            Outcome::Skipped(reason) => Kept::Skipped(reason),
            Outcome::Asset => Kept::Asset,
        };
        let entry = Arc::new(ReadEntry { kept, warnings });
        memo.read.insert(fresh.key, entry.clone(), generation);
        gots[i] = Some(Got::Kept(entry, fresh.key));
    }
}

/// A file read from disk: what it is, its key, and its hash with the stamp taken
/// before reading it (a write during the read then changes the stamp).
struct Fresh {
    key: Key,
    digest: Option<Hashed>,
    /// What the file is, unless the memo knew its key already (a file saved again
    /// unchanged, or one whose stamp was too recent to trust).
    made: Option<(Outcome, Vec<Warning>)>,
    /// `made` came from the cache in `out/`, not from parsing the file.
    from_cache: bool,
}

fn read_fresh(
    f: &SourceFile,
    (stamp, checked): (Option<Stamp>, Option<&Hashed>),
    (inputs, known, stored): (&Key, &Table<Key, Arc<ReadEntry>>, &Bodies),
    ctx: &read::Context<'_>,
) -> Fresh {
    // Hashed by this build's up-to-date check, and unchanged since: when the cache
    // in out/ has its front matter, the file is not read (its text is read only if
    // its body must be rendered again).
    let trusted = stamp.zip(checked).filter(|(s, h)| h.still(s).is_some());
    if let Some((_, hashed)) = trusted {
        let digest = *hashed.digest();
        let key = read_key(inputs, f, &digest, ctx);
        let text = || Text::InFile {
            abs: f.abs.clone(),
            digest,
        };
        match (known.peek(&key), stored.read(&key)) {
            (Some(_), _) => return Fresh::known(key, *hashed),
            (None, Some(r)) => return Fresh::stored(key, Some(*hashed), r, text()),
            (None, None) => {}
        }
    }
    let failed = |e: Error, key: Key| Fresh {
        key,
        digest: None,
        made: Some((read::failed(e), Vec::new())),
        from_cache: false,
    };
    let no_key = KeyHasher::new("unread").finish();
    let bytes = match source::read_bytes(f) {
        Ok(bytes) => bytes,
        Err(e) => return failed(e, no_key),
    };
    let digest = crate::cache::digest(&bytes);
    let key = read_key(inputs, f, &digest, ctx);
    let hashed = stamp.map(|stamp| Hashed::new(stamp, digest));
    if known.peek(&key).is_some() {
        return Fresh {
            key,
            digest: hashed,
            made: None,
            from_cache: false,
        };
    }
    let text = match source::decode_text(bytes, &f.shown) {
        Ok(text) => text,
        Err(e) => return failed(e, key),
    };
    // The same bytes read with the same inputs by an earlier build: its front matter.
    match stored
        .read(&key)
        .filter(|r| text.is_char_boundary(r.body_start))
    {
        Some(r) => Fresh::stored(key, hashed, r, Text::Held(text)),
        None => Fresh {
            key,
            digest: hashed,
            made: Some(read::parse_one(text, f, ctx)),
            from_cache: false,
        },
    }
}

impl Fresh {
    /// A file whose key the memo knows.
    fn known(key: Key, hashed: Hashed) -> Fresh {
        Fresh {
            key,
            digest: Some(hashed),
            made: None,
            from_cache: false,
        }
    }

    /// A file read by an earlier build with the same bytes and inputs: what the cache
    /// in `out/` keeps of that reading, with `text`.
    fn stored(key: Key, hashed: Option<Hashed>, r: &Read<'_>, text: Text) -> Fresh {
        let parsed = read::Parsed {
            meta: r.meta.clone().into_owned(),
            text,
            body_start: r.body_start,
            body_line: r.body_line,
            forbidden: r.forbidden,
        };
        Fresh {
            key,
            digest: hashed,
            made: Some((Outcome::Article(Box::new(parsed)), r.warnings.to_vec())),
            from_cache: true,
        }
    }
}
