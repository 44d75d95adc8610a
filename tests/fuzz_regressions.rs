//! The fuzz targets' inputs in plain `cargo test` (issue 9 item 3): every
//! crasher the fuzzers found, kept in `tests/data/fuzz-regressions/<target>/`
//! after its fix, and the committed minimized corpora in
//! `fuzz/corpus/<target>/`, replayed through the same harness code the
//! fuzz binaries run (`fuzz/harness/`, included by path). A panic here is a
//! regression of a fixed finding or a broken invariant.

#[allow(dead_code)]
#[path = "../fuzz/harness/mod.rs"]
mod harness;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::Instant;

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// Runs every kept input of `target`; returns how many ran.
fn replay(target: &str) -> usize {
    let Some((_, run)) = harness::TARGETS.iter().find(|(name, _)| *name == target) else {
        panic!("unknown fuzz target {target}");
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dirs = [
        root.join("tests/data/fuzz-regressions").join(target),
        root.join("fuzz/corpus").join(target),
    ];
    let start = Instant::now();
    let mut failures = Vec::new();
    let mut count = 0;
    for dir in &dirs {
        for path in files(dir) {
            let data = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            count += 1;
            if catch_unwind(AssertUnwindSafe(|| run(&data))).is_err() {
                failures.push(path.display().to_string());
            }
        }
    }
    println!("{target}: {count} inputs in {:.2?}", start.elapsed());
    assert!(
        failures.is_empty(),
        "{target} failed on:\n{}",
        failures.join("\n")
    );
    count
}

#[test]
fn extension_xml() {
    assert!(replay("extension_xml") > 0);
}

#[test]
fn extension_set() {
    assert!(replay("extension_set") > 0);
}

#[test]
fn newrelic_config() {
    assert!(replay("newrelic_config") > 0);
}

#[test]
fn il_body() {
    assert!(replay("il_body") > 0);
}

#[test]
fn il_wrap() {
    assert!(replay("il_wrap") > 0);
}

#[test]
fn signature() {
    assert!(replay("signature") > 0);
}
