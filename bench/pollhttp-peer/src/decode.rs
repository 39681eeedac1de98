//! The decode workloads (`gzip`, `br`, `zstd`): one GET of the large text file served
//! precompressed with that `Content-Encoding`, decoded by the library as a stream.
//!
//! Decoding belongs to the library's request type, which this revision does not have:
//! [`decode_workload`] exits with status 4, which `scripts/bench.sh` shows as n/a.

/// Fetches `url` once with `Accept-Encoding: <coding>`, lets the library decode the
/// body, and returns the number of decoded bytes, counted chunk by chunk as they come
/// (the body is never held whole). Fails the run (`crate::Peer::fail`, exit status 1)
/// on an error, a status other than 200, or a response whose `Content-Encoding` is not
/// `coding`.
///
/// Everything in this function is timed, connect included, as in `bulk`.
pub fn decode_workload(url: &str, coding: &str) -> u64 {
    eprintln!("peer-pollhttp: {coding} ({url}): not built in this revision");
    std::process::exit(4)
}
