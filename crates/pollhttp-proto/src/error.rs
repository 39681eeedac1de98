//! Why a request could not be written or a response could not be read.

use core::fmt;

/// Why the caller's request or the server's bytes are not acceptable HTTP/1.1.
///
/// The request-side variants ([`is_caller_error`](ProtoError::is_caller_error)) come from
/// [`write_request_head`](crate::write_request_head) and the `validate_*` functions: nothing
/// was sent. Every other variant means the server's reply cannot be read safely; the
/// connection must then be closed, since its framing is lost.
///
/// The value is `Copy` and its message names the limit or rule that failed:
///
/// ```
/// use pollhttp_proto::ProtoError;
/// let e = ProtoError::HeadTooLarge { limit: 65536 };
/// assert_eq!(e.to_string(), "response head exceeds max_head_bytes (65536)");
/// ```
///
/// The `why` fields explain the failure to a person; they are not identifiers and may
/// be reworded. Code that branches on an error matches the variant and its other fields
/// (`index`, `name`, `limit`), never the text.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProtoError {
    // ---- request side (caller errors) ----
    /// The method is not an RFC 9110 token.
    InvalidMethod,
    /// The request target is not acceptable for the method.
    InvalidTarget {
        /// What is wrong with it, in words for people (see the type's notes).
        why: &'static str,
    },
    /// User header number `index` (counting from 0) is not acceptable.
    InvalidHeader {
        /// Position of the header in the caller's list.
        index: usize,
        /// What is wrong with it, in words for people (see the type's notes).
        why: &'static str,
    },
    /// The value given for an automatic header (`Host`, `User-Agent`) is not acceptable.
    InvalidAutomaticHeader {
        /// The header name.
        name: &'static str,
        /// What is wrong with it, in words for people (see the type's notes).
        why: &'static str,
    },

    // ---- response head ----
    /// The response head did not end within `max_head_bytes`.
    HeadTooLarge {
        /// The configured [`Limits::max_head_bytes`](crate::Limits::max_head_bytes).
        limit: usize,
    },
    /// The response head (or trailer section) has more than `max_headers` fields.
    TooManyHeaders {
        /// The configured [`Limits::max_headers`](crate::Limits::max_headers).
        limit: usize,
    },
    /// The bytes are not an HTTP/1.x response head.
    InvalidHead {
        /// What is wrong with it, in words for people (see the type's notes).
        why: &'static str,
    },
    /// More than `max_interim_responses` 1xx responses arrived before the final one.
    TooManyInterimResponses {
        /// The configured [`Limits::max_interim_responses`](crate::Limits::max_interim_responses).
        limit: usize,
    },

    // ---- framing ----
    /// A `Content-Length` value is not a plain decimal number that fits in 64 bits.
    InvalidContentLength,
    /// Several `Content-Length` values disagree.
    ConflictingContentLength,
    /// The `Transfer-Encoding` list cannot be used for framing.
    InvalidTransferEncoding {
        /// What is wrong with it, in words for people (see the type's notes).
        why: &'static str,
    },

    // ---- chunked body ----
    /// A chunk-size line is longer than `max_chunk_line_bytes`.
    ChunkLineTooLong {
        /// The configured [`Limits::max_chunk_line_bytes`](crate::Limits::max_chunk_line_bytes).
        limit: usize,
    },
    /// A chunk-size line is malformed.
    InvalidChunkSize,
    /// A chunk size does not fit in 64 bits.
    ChunkSizeOverflow,
    /// Chunk data is not followed by CRLF.
    InvalidChunkTerminator,
    /// The trailer section is larger than `max_trailer_bytes`.
    TrailersTooLarge {
        /// The configured [`Limits::max_trailer_bytes`](crate::Limits::max_trailer_bytes).
        limit: usize,
    },
    /// A trailer line is malformed.
    InvalidTrailer,

    // ---- body size and early end ----
    /// The body is larger than `max_body_bytes`.
    BodyTooLarge {
        /// The configured [`Limits::max_body_bytes`](crate::Limits::max_body_bytes).
        limit: u64,
    },
    /// The connection closed before any byte of a response arrived.
    EmptyReply,
    /// The connection closed in the middle of a response head.
    TruncatedHead,
    /// The connection closed before the `Content-Length` body was complete.
    TruncatedBody {
        /// Body bytes still missing.
        remaining: u64,
    },
    /// The connection closed inside a chunked body.
    TruncatedChunked,
    /// A `101 Switching Protocols` answered a request that asked for no `Upgrade`: a 1xx
    /// response never has a body, and nothing was agreed to switch to (RFC 9110 sections
    /// 7.8 and 15.2.2).
    UnsolicitedSwitch,
}

impl ProtoError {
    /// Whether the error is about the caller's request (nothing was sent; Godot reports
    /// these as `ERR_INVALID_PARAMETER`) rather than about the server's reply.
    ///
    /// ```
    /// use pollhttp_proto::ProtoError;
    /// assert!(ProtoError::InvalidMethod.is_caller_error());
    /// assert!(!ProtoError::EmptyReply.is_caller_error());
    /// ```
    pub fn is_caller_error(&self) -> bool {
        matches!(
            self,
            ProtoError::InvalidMethod
                | ProtoError::InvalidTarget { .. }
                | ProtoError::InvalidHeader { .. }
                | ProtoError::InvalidAutomaticHeader { .. }
        )
    }
}

impl fmt::Display for ProtoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProtoError::InvalidMethod => f.write_str(
                "invalid request method (only letters, digits and !#$%&'*+-.^_`|~ are allowed)",
            ),
            ProtoError::InvalidTarget { why } => write!(f, "invalid request target: {why}"),
            ProtoError::InvalidHeader { index, why } => {
                write!(f, "invalid request header at index {index}: {why}")
            }
            ProtoError::InvalidAutomaticHeader { name, why } => {
                write!(f, "invalid value for the {name} header: {why}")
            }
            ProtoError::HeadTooLarge { limit } => {
                write!(f, "response head exceeds max_head_bytes ({limit})")
            }
            ProtoError::TooManyHeaders { limit } => {
                write!(f, "response has more header fields than max_headers ({limit})")
            }
            ProtoError::InvalidHead { why } => write!(f, "invalid response head: {why}"),
            ProtoError::TooManyInterimResponses { limit } => write!(
                f,
                "server sent more 1xx interim responses than max_interim_responses ({limit})"
            ),
            ProtoError::InvalidContentLength => f.write_str(
                "invalid Content-Length in response (must be decimal digits that fit in 64 bits)",
            ),
            ProtoError::ConflictingContentLength => {
                f.write_str("response has conflicting Content-Length values")
            }
            ProtoError::InvalidTransferEncoding { why } => {
                write!(f, "invalid Transfer-Encoding in response: {why}")
            }
            ProtoError::ChunkLineTooLong { limit } => {
                write!(f, "chunk-size line exceeds max_chunk_line_bytes ({limit})")
            }
            ProtoError::InvalidChunkSize => f.write_str(
                "invalid chunk-size line (expected hex digits, optional ;extensions, CRLF)",
            ),
            ProtoError::ChunkSizeOverflow => f.write_str("chunk size does not fit in 64 bits"),
            ProtoError::InvalidChunkTerminator => {
                f.write_str("chunk data is not followed by CRLF")
            }
            ProtoError::TrailersTooLarge { limit } => {
                write!(f, "chunked trailer section exceeds max_trailer_bytes ({limit})")
            }
            ProtoError::InvalidTrailer => f.write_str("invalid trailer field after chunked body"),
            ProtoError::BodyTooLarge { limit } => {
                write!(f, "response body exceeds max_body_bytes ({limit})")
            }
            ProtoError::EmptyReply => {
                f.write_str("server closed the connection without sending a response")
            }
            ProtoError::TruncatedHead => {
                f.write_str("connection closed in the middle of the response head")
            }
            ProtoError::TruncatedBody { remaining } => write!(
                f,
                "connection closed with {remaining} bytes of the response body (Content-Length) missing"
            ),
            ProtoError::TruncatedChunked => {
                f.write_str("connection closed inside the chunked response body")
            }
            ProtoError::UnsolicitedSwitch => {
                f.write_str("101 Switching Protocols to a request that asked for no Upgrade")
            }
        }
    }
}

impl core::error::Error for ProtoError {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_prelude::*;

    #[test]
    fn messages_name_the_limit() {
        assert_eq!(
            ProtoError::TooManyHeaders { limit: 100 }.to_string(),
            "response has more header fields than max_headers (100)"
        );
        assert_eq!(
            ProtoError::BodyTooLarge { limit: 10 }.to_string(),
            "response body exceeds max_body_bytes (10)"
        );
        assert_eq!(
            ProtoError::InvalidHeader {
                index: 2,
                why: "empty header"
            }
            .to_string(),
            "invalid request header at index 2: empty header"
        );
        assert_eq!(
            ProtoError::TruncatedBody { remaining: 7 }.to_string(),
            "connection closed with 7 bytes of the response body (Content-Length) missing"
        );
    }
}
