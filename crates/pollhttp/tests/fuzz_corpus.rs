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
    let mut failing = Vec::new();
    for path in files {
        let data = std::fs::read(&path).unwrap();
        if std::panic::catch_unwind(|| harness(&data)).is_err() {
            failing.push(path.display().to_string());
        }
    }
    assert!(failing.is_empty(), "failing inputs: {failing:#?}");
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

#[test]
fn tls_records_corpus() {
    replay("tls_records", pollhttp::fuzzing::tls_records);
}

#[test]
fn request_head_corpus() {
    replay("request_head", pollhttp::fuzzing::request_head);
}

#[test]
fn connect_host_corpus() {
    replay("connect_host", pollhttp::fuzzing::connect_host);
}

#[test]
fn proxy_url_corpus() {
    replay("proxy_url", pollhttp::fuzzing::proxy_url);
}

#[test]
fn proxy_env_corpus() {
    replay("proxy_env", pollhttp::fuzzing::proxy_env);
}

#[test]
fn no_proxy_corpus() {
    replay("no_proxy", pollhttp::fuzzing::no_proxy);
}

#[test]
fn query_string_corpus() {
    replay("query_string", pollhttp::fuzzing::query_string);
}

/// Every fuzz target has a replay test above, so no target's inputs are left unreplayed.
#[test]
fn every_target_is_replayed() {
    let this = include_str!("fuzz_corpus.rs");
    let targets = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/fuzz_targets");
    let mut n = 0;
    for e in std::fs::read_dir(targets).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().replace(".rs", "");
        assert!(
            this.contains(&format!("replay(\"{name}\", pollhttp::fuzzing::{name})")),
            "fuzz target {name} has no replay test"
        );
        n += 1;
    }
    assert_eq!(n, 10);
}
