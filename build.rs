//! Gives the binary an ID of the sources it was built from (`MDFEED_BUILD_ID`), so
//! that what one build of mdfeed left in `out/` (the state file, the cache of rendered
//! bodies) is never taken by a build of other code that carries the same version
//! number, as happens between releases.

use std::collections::hash_map::DefaultHasher;
use std::fs;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

fn main() {
    let mut files = Vec::new();
    collect(Path::new("src"), &mut files);
    files.push(PathBuf::from("Cargo.lock"));
    files.sort();
    // Only the ID's stability within one toolchain matters: another compiler gives
    // another ID, and the next build just starts afresh.
    let mut h = DefaultHasher::new();
    for f in &files {
        f.hash(&mut h);
        fs::read(f).unwrap_or_default().hash(&mut h);
    }
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=Cargo.lock");
    println!("cargo:rustc-env=MDFEED_BUILD_ID={:016x}", h.finish());
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, files);
        } else {
            files.push(path);
        }
    }
}
