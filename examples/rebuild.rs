//! Times the rebuilds `mdfeed serve` makes, in one process and without HTTP: builds a
//! site in memory, then appends a line to one article and rebuilds with the same memo,
//! again and again. For profiling (`perf record -D MS` to skip the first build).
//!
//! `cargo run --release --example rebuild -- SITE content/ARTICLE.md [REBUILDS]`

#![allow(clippy::print_stderr)] // a tool run by hand: it reports on stderr

use std::time::Instant;

use mdfeed::BuildOptions;
use mdfeed::pipeline::{Memo, plan_with};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [site, article, rest @ ..] = args.as_slice() else {
        return Err("usage: rebuild SITE content/ARTICLE.md [REBUILDS]".into());
    };
    let rebuilds: usize = rest.first().map_or(Ok(10), |n| n.parse())?;
    let opts = BuildOptions {
        root: site.into(),
        base_url: Some("http://127.0.0.1:1111/".into()),
        ..BuildOptions::default()
    };
    let path = std::path::Path::new(site).join(article);
    let original = std::fs::read(&path)?;
    let mut memo = Memo::default();
    let started = Instant::now();
    plan_with(&opts, &mut memo)?;
    eprintln!("first build: {} ms", started.elapsed().as_millis());
    let mut times = Vec::new();
    let cpu_before = cpu_ms();
    for i in 0..rebuilds {
        let mut text = original.clone();
        text.extend_from_slice(format!("\nEdit {i}.\n").as_bytes());
        std::fs::write(&path, text)?;
        let started = Instant::now();
        // As `mdfeed serve` does: its watcher names the file.
        memo.changed(&[article.into()]);
        let (report, _) = plan_with(&opts, &mut memo)?;
        times.push(started.elapsed().as_millis());
        eprintln!("rebuild {i}: {} ms ({})", times[i], report.stages);
    }
    let cpu = cpu_ms()
        .zip(cpu_before)
        .map(|(after, before)| (after - before) / rebuilds.max(1) as u64);
    std::fs::write(&path, original)?;
    times.sort_unstable();
    if let Some(cpu) = cpu {
        eprintln!("CPU time per rebuild (all threads): {cpu} ms");
    }
    eprintln!(
        "median rebuild: {} ms",
        times.get(times.len() / 2).copied().unwrap_or(0)
    );
    Ok(())
}

/// Returns the CPU time this process used so far (Linux: user + system, from /proc).
fn cpu_ms() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which ends with `)`): utime and stime are 12 and 13.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(ticks * 10)
}
