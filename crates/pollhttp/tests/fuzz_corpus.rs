//! Replays the fuzzers' seed corpus and every input that ever crashed them
//! (`fuzz/corpus/<target>/`, `fuzz/regressions/<target>/`) through the same harnesses the
//! fuzz targets run, so that a fixed crash stays fixed without a fuzzer installed.

use std::path::{Path, PathBuf};

fn inputs(target: &str) -> Vec<PathBuf> {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut files = Vec::new();
    for dir in ["corpus", "regressions"] {
        let Ok(entries) = std::fs::read_dir(fuzz.join(dir).join(target)) else {
            continue;
        };
        for e in entries.flatten() {
            let path = e.path();
            if path.is_file() && path.file_name().is_some_and(|n| n != ".gitkeep") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

fn replay(target: &str, harness: fn(&[u8])) {
    let files = inputs(target);
    assert!(!files.is_empty(), "no inputs for {target}");
    for path in files {
        let data = std::fs::read(&path).unwrap();
        let outcome = std::panic::catch_unwind(|| harness(&data));
        assert!(outcome.is_ok(), "{} fails", path.display());
    }
}

#[test]
fn response_head_corpus() {
    replay("response_head", pollhttp::fuzzing::response_head);
}

#[test]
fn chunked_corpus() {
    replay("chunked", pollhttp::fuzzing::chunked);
}

#[test]
fn exchange_corpus() {
    replay("exchange", pollhttp::fuzzing::exchange);
}
