//! The decode workloads (`gzip`, `br`, `zstd`): one GET of the large text file served
//! precompressed with that `Content-Encoding`, decoded by the library as a stream.

use pollhttp::{HttpRequest, HttpRequestResult, Method};

/// The caller's buffer: what a program reading the body piece by piece would use.
const READ_BUFFER: usize = 64 * 1024;

/// Fetches `url` once with `Accept-Encoding: <coding>`, lets `HttpRequest` decode the
/// body, and returns the number of decoded bytes, read with
/// [`read_body`](HttpRequest::read_body) as they come (the body is never held whole).
/// Fails the run (exit status 1) on an error, a status other than 200, or a response
/// whose `Content-Encoding` is not `coding`.
///
/// Everything in this function is timed, connect included, as in `bulk`.
pub fn decode_workload(url: &str, coding: &str) -> u64 {
    let fail = |what: &str, e: &dyn std::fmt::Display| -> ! {
        eprintln!("peer-pollhttp: {coding} ({url}): {what}: {e}");
        std::process::exit(1)
    };
    let mut http = HttpRequest::new();
    http.set_stream_body(true);
    let accept = format!("Accept-Encoding: {coding}");
    if let Err(e) = http.request(url, &[&accept], Method::Get, "") {
        fail("request", &e);
    }
    let mut buf = vec![0u8; READ_BUFFER];
    let mut decoded = 0u64;
    let mut checked = false;
    let done = loop {
        if let Some(done) = http.poll() {
            break done;
        }
        if let Some(head) = http.response_head() {
            if !checked {
                checked = true;
                if head.code != 200 {
                    fail("status", &head.code);
                }
                let got = head.header("content-encoding").unwrap_or("none");
                if !got.eq_ignore_ascii_case(coding) {
                    fail("Content-Encoding", &got);
                }
            }
            let n = http.read_body(&mut buf);
            decoded += n as u64;
            if n > 0 {
                continue;
            }
        }
        if let Err(e) = http.wait(None) {
            fail("wait", &e);
        }
    };
    if done.result != HttpRequestResult::Success {
        let why = done
            .error
            .map_or_else(|| format!("{:?}", done.result), |e| e.to_string());
        fail("result", &why);
    }
    if http.progress().decoded_bytes != decoded {
        fail("count", &"decoded bytes and bytes read differ");
    }
    decoded
}
