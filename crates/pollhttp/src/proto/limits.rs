//! Size and count limits applied to everything a server sends.

/// Bounds on what the protocol core accepts from a server.
///
/// Every limit turns an oversized or endless reply into a [`ProtoError`](super::ProtoError)
/// naming the limit, instead of unbounded memory use. The defaults fit ordinary servers with a
/// wide margin; raise a limit only for a server known to need it.
///
/// ```
/// use pollhttp::proto::Limits;
/// let limits = Limits { max_headers: 200, ..Limits::default() };
/// assert_eq!(limits.max_head_bytes, 64 * 1024);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Bytes in one response head: status line, header lines and the blank line, plus any
    /// empty lines before the status line. Default 64 KiB.
    pub max_head_bytes: usize,
    /// Header fields in one response head, and trailer fields after a chunked body.
    /// Default 100. Up to 128 the parser works on the stack; above, each parse allocates a
    /// table of this many slots.
    pub max_headers: usize,
    /// Bytes in one chunk-size line, extensions and line ending included. Default 4096.
    pub max_chunk_line_bytes: usize,
    /// Bytes in all trailer lines of a chunked body (the final blank line not counted).
    /// Default 16 KiB.
    pub max_trailer_bytes: usize,
    /// Interim (1xx) responses skipped before the final response. Default 16.
    pub max_interim_responses: usize,
    /// Decoded body bytes in one response; `None` (the default) means no limit.
    pub max_body_bytes: Option<u64>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_head_bytes: 64 * 1024,
            max_headers: 100,
            max_chunk_line_bytes: 4096,
            max_trailer_bytes: 16 * 1024,
            max_interim_responses: 16,
            max_body_bytes: None,
        }
    }
}
