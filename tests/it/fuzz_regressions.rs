//! Every input the fuzzers found a bug with (`fuzz/regressions/<target>/`) and every
//! seed (`fuzz/seeds/<target>/`), run through the same checks as the fuzz targets.
//! The fuzzing itself is not run here: see `fuzz/README.md`.

use std::path::Path;

#[path = "../../fuzz/checks.rs"]
mod checks;

fn run_all(target: &str, check: fn(&[u8])) {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut count = 0;
    for dir in ["regressions", "seeds"] {
        let Ok(entries) = std::fs::read_dir(fuzz.join(dir).join(target)) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            let bytes = std::fs::read(&path).unwrap();
            let result = std::panic::catch_unwind(|| check(&bytes));
            assert!(result.is_ok(), "{} fails {target}", path.display());
            count += 1;
        }
    }
    assert!(count >= 3, "{target}: only {count} inputs found");
}

#[test]
fn front_matter_inputs() {
    run_all("front_matter", checks::front_matter);
}

#[test]
fn date_inputs() {
    run_all("dates", checks::dates);
}

#[test]
fn article_inputs() {
    run_all("article", checks::article);
}
