//! Size and count limits applied to everything a server sends.

/// Bounds on what the protocol core accepts from a server.
///
/// Every limit turns an oversized or endless reply into a [`ProtoError`](crate::ProtoError)
/// naming the limit, instead of unbounded memory use. The defaults fit ordinary servers with a
/// wide margin; raise a limit only for a server known to need it.
///
/// | limit | default | exceeded |
/// | --- | --- | --- |
/// | `max_head_bytes` | 64 KiB | `HeadTooLarge` |
/// | `max_headers` | 100 | `TooManyHeaders` |
/// | `max_chunk_line_bytes` | 4096 | `ChunkLineTooLong` |
/// | `max_trailer_bytes` | 16 KiB | `TrailersTooLarge` |
/// | `max_interim_responses` | 16 | `TooManyInterimResponses` |
/// | `max_body_bytes` | none | `BodyTooLarge` |
///
/// What stays bounded whatever a server sends: a head costs at most `max_head_bytes` of
/// buffer and is scanned once; chunk data is handed out in pieces, never buffered whole, so
/// a chunk of any size costs no memory; trailers are copied into at most
/// `max_trailer_bytes`; a body of any length streams through a fixed buffer.
///
/// There is deliberately no separate limit on one header line: `max_head_bytes` already
/// bounds the memory and the parsing work of the whole head, and a single long line inside a
/// head that fits costs no more than many short ones. A per-line limit would only refuse
/// heads that fit (long `Content-Security-Policy`, `Link` or `Set-Cookie` fields reach
/// 8-16 KiB in the wild) and add a second knob to tune; for comparison curl's per-line limit
/// (100 KiB) is above this whole-head default, and hyper and Go bound only the whole head.
///
/// `max_body_bytes` is enforced for every framing, as early as the bytes allow: a
/// `Content-Length` above it fails as soon as the head is parsed, before any body byte is
/// read; a chunked body fails at the chunk-size line that would pass it; a body read until
/// the connection closes fails when the bytes pass it.
///
/// ```
/// use pollhttp_proto::Limits;
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
    /// Decoded body bytes in one response; `None` (the default, as in curl and Godot's
    /// `HTTPRequest`) means no limit, since a body streams through a fixed buffer and its
    /// size is the caller's business (set it when the body is kept in memory).
    #[doc(alias = "body_size_limit")]
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
