//! `/gzip`: a body sent with `Content-Encoding: gzip`, for tests of decoding (or of the
//! browser decoding it before the page sees it).

use super::page::demo_page;
use super::routes::Responder;
use flate2::write::GzEncoder;
use flate2::Compression;
use std::io::{self, Write};

/// [`demo_page`] compressed with gzip: the same bytes on every call (flate2 writes no
/// time stamp), so a test can compare lengths as well as the decoded text.
pub fn gzipped_demo_page() -> io::Result<Vec<u8>> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(demo_page().as_bytes())?;
    encoder.finish()
}

impl Responder<'_> {
    /// `/gzip`: `body` ([`gzipped_demo_page`]) with a `Content-Length` of the compressed
    /// bytes, whatever the request's `Accept-Encoding` says.
    pub(super) fn gzip(&self, body: &[u8]) -> io::Result<bool> {
        self.fixed_with(
            200,
            &[("Content-Encoding", "gzip".to_string())],
            "text/html; charset=utf-8",
            body,
        )
    }
}
