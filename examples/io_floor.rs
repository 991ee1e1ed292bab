//! I/O floor for the mdfeed benchmark (std only).
//!
//! `io_floor IN OUT` reads every file under IN and writes one file with the same
//! bytes at the same relative path (extension `.html`) under OUT, on as many
//! threads as there are cores: the least any static site generator has to do
//! for that input, so "ratio vs floor" shows the tool's own cost.

// A command-line tool: printing its result and errors is its job.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::thread;

fn walk(dir: &Path, files: &mut Vec<PathBuf>) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            walk(&entry.path(), files)?;
        } else {
            files.push(entry.path());
        }
    }
    Ok(())
}

/// Copies every `step`-th file starting at `first`; returns the bytes written.
fn copy_share(
    files: &[PathBuf],
    first: usize,
    step: usize,
    src: &Path,
    dst: &Path,
) -> io::Result<u64> {
    let mut bytes = 0;
    let mut made: Option<PathBuf> = None;
    for file in files.iter().skip(first).step_by(step) {
        let data = fs::read(file)?;
        let rel = file.strip_prefix(src).map_err(io::Error::other)?;
        let target = dst.join(rel).with_extension("html");
        let parent = target.parent().unwrap_or(dst);
        if made.as_deref() != Some(parent) {
            fs::create_dir_all(parent)?;
            made = Some(parent.to_path_buf());
        }
        fs::write(&target, &data)?;
        bytes += data.len() as u64;
    }
    Ok(bytes)
}

fn run(src: &Path, dst: &Path) -> io::Result<(usize, u64)> {
    let mut files = Vec::new();
    walk(src, &mut files)?;
    let threads = thread::available_parallelism().map_or(1, |n| n.get());
    let files = &files;
    let results: Vec<io::Result<u64>> = thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|k| s.spawn(move || copy_share(files, k, threads, src, dst)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("copy thread panicked"))
            .collect()
    });
    let mut bytes = 0;
    for result in results {
        bytes += result?;
    }
    Ok((files.len(), bytes))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [src, dst] = args.as_slice() else {
        eprintln!("usage: io_floor IN OUT");
        return ExitCode::FAILURE;
    };
    match run(Path::new(src), Path::new(dst)) {
        Ok((files, bytes)) => {
            println!("files={files} bytes={bytes}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("io_floor: {e}");
            ExitCode::FAILURE
        }
    }
}
