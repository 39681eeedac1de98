//! Godot's `HTTPRequest.Result`: how a request ended, and how a client failure maps onto it.

use crate::proto::ProtoError;
use crate::{Error, Reason, Status};

/// How a request ended: Godot's `HTTPRequest.Result`, with the same numbers.
///
/// A response with any status code (404 included) is [`Success`](Self::Success): the code
/// says what the server answered, the result only whether the exchange worked.
///
/// ```
/// use pollhttp::HttpRequestResult;
/// assert_eq!(HttpRequestResult::Timeout as i32, 13);
/// assert_eq!(HttpRequestResult::from_i32(8), Some(HttpRequestResult::BodyDecompressFailed));
/// ```
#[doc(alias = "Result")]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(i32)]
pub enum HttpRequestResult {
    /// The request completed (`RESULT_SUCCESS` = 0).
    #[doc(alias = "RESULT_SUCCESS")]
    Success = 0,
    /// The body ended before its declared length or its chunked framing was broken
    /// (`RESULT_CHUNKED_BODY_SIZE_MISMATCH` = 1).
    #[doc(alias = "RESULT_CHUNKED_BODY_SIZE_MISMATCH")]
    ChunkedBodySizeMismatch = 1,
    /// No connection could be made (`RESULT_CANT_CONNECT` = 2).
    #[doc(alias = "RESULT_CANT_CONNECT")]
    CantConnect = 2,
    /// The host name could not be resolved (`RESULT_CANT_RESOLVE` = 3).
    #[doc(alias = "RESULT_CANT_RESOLVE")]
    CantResolve = 3,
    /// The connection failed during the exchange (`RESULT_CONNECTION_ERROR` = 4).
    #[doc(alias = "RESULT_CONNECTION_ERROR")]
    ConnectionError = 4,
    /// The TLS handshake or certificate check failed (`RESULT_TLS_HANDSHAKE_ERROR` = 5).
    #[doc(alias = "RESULT_TLS_HANDSHAKE_ERROR")]
    TlsHandshakeError = 5,
    /// The server closed the connection without a response (`RESULT_NO_RESPONSE` = 6).
    #[doc(alias = "RESULT_NO_RESPONSE")]
    NoResponse = 6,
    /// The body is larger than the limit (`RESULT_BODY_SIZE_LIMIT_EXCEEDED` = 7).
    #[doc(alias = "RESULT_BODY_SIZE_LIMIT_EXCEEDED")]
    BodySizeLimitExceeded = 7,
    /// The body could not be decompressed (`RESULT_BODY_DECOMPRESS_FAILED` = 8).
    #[doc(alias = "RESULT_BODY_DECOMPRESS_FAILED")]
    BodyDecompressFailed = 8,
    /// The request could not be made: a redirect refused for safety, or a request the
    /// server's answer made impossible to continue (`RESULT_REQUEST_FAILED` = 9; Godot
    /// never produces it).
    #[doc(alias = "RESULT_REQUEST_FAILED")]
    RequestFailed = 9,
    /// The download file could not be opened (`RESULT_DOWNLOAD_FILE_CANT_OPEN` = 10).
    #[doc(alias = "RESULT_DOWNLOAD_FILE_CANT_OPEN")]
    DownloadFileCantOpen = 10,
    /// Writing the download file failed (`RESULT_DOWNLOAD_FILE_WRITE_ERROR` = 11).
    #[doc(alias = "RESULT_DOWNLOAD_FILE_WRITE_ERROR")]
    DownloadFileWriteError = 11,
    /// More redirects than allowed (`RESULT_REDIRECT_LIMIT_REACHED` = 12).
    #[doc(alias = "RESULT_REDIRECT_LIMIT_REACHED")]
    RedirectLimitReached = 12,
    /// The request's timeout, or one of the client's limits, expired
    /// (`RESULT_TIMEOUT` = 13).
    #[doc(alias = "RESULT_TIMEOUT")]
    Timeout = 13,
}

impl HttpRequestResult {
    /// Every result in Godot's order.
    pub const ALL: [HttpRequestResult; 14] = [
        HttpRequestResult::Success,
        HttpRequestResult::ChunkedBodySizeMismatch,
        HttpRequestResult::CantConnect,
        HttpRequestResult::CantResolve,
        HttpRequestResult::ConnectionError,
        HttpRequestResult::TlsHandshakeError,
        HttpRequestResult::NoResponse,
        HttpRequestResult::BodySizeLimitExceeded,
        HttpRequestResult::BodyDecompressFailed,
        HttpRequestResult::RequestFailed,
        HttpRequestResult::DownloadFileCantOpen,
        HttpRequestResult::DownloadFileWriteError,
        HttpRequestResult::RedirectLimitReached,
        HttpRequestResult::Timeout,
    ];

    /// The result with Godot's number `n` (0..=13).
    pub fn from_i32(n: i32) -> Option<HttpRequestResult> {
        usize::try_from(n)
            .ok()
            .and_then(|i| HttpRequestResult::ALL.get(i).copied())
    }

    /// Godot's constant name, such as `"RESULT_TIMEOUT"`.
    pub fn godot_name(self) -> &'static str {
        match self {
            HttpRequestResult::Success => "RESULT_SUCCESS",
            HttpRequestResult::ChunkedBodySizeMismatch => "RESULT_CHUNKED_BODY_SIZE_MISMATCH",
            HttpRequestResult::CantConnect => "RESULT_CANT_CONNECT",
            HttpRequestResult::CantResolve => "RESULT_CANT_RESOLVE",
            HttpRequestResult::ConnectionError => "RESULT_CONNECTION_ERROR",
            HttpRequestResult::TlsHandshakeError => "RESULT_TLS_HANDSHAKE_ERROR",
            HttpRequestResult::NoResponse => "RESULT_NO_RESPONSE",
            HttpRequestResult::BodySizeLimitExceeded => "RESULT_BODY_SIZE_LIMIT_EXCEEDED",
            HttpRequestResult::BodyDecompressFailed => "RESULT_BODY_DECOMPRESS_FAILED",
            HttpRequestResult::RequestFailed => "RESULT_REQUEST_FAILED",
            HttpRequestResult::DownloadFileCantOpen => "RESULT_DOWNLOAD_FILE_CANT_OPEN",
            HttpRequestResult::DownloadFileWriteError => "RESULT_DOWNLOAD_FILE_WRITE_ERROR",
            HttpRequestResult::RedirectLimitReached => "RESULT_REDIRECT_LIMIT_REACHED",
            HttpRequestResult::Timeout => "RESULT_TIMEOUT",
        }
    }

    /// The result for a failure `error` that ended the request, `status` being the
    /// client's status at that moment.
    pub(crate) fn of_failure(error: &Error, status: Status) -> HttpRequestResult {
        match error.reason() {
            Reason::Timeout { .. } => HttpRequestResult::Timeout,
            Reason::Resolve { .. } => HttpRequestResult::CantResolve,
            Reason::Connect { .. } | Reason::ProxyRefused { .. } => HttpRequestResult::CantConnect,
            #[cfg(not(target_arch = "wasm32"))]
            Reason::Tls(_) => HttpRequestResult::TlsHandshakeError,
            Reason::RedirectLimit { .. } => HttpRequestResult::RedirectLimitReached,
            Reason::RedirectRefused { .. } | Reason::RangeMismatch { .. } => {
                HttpRequestResult::RequestFailed
            }
            Reason::BodySizeLimit { .. } => HttpRequestResult::BodySizeLimitExceeded,
            Reason::Decode(_) => HttpRequestResult::BodyDecompressFailed,
            Reason::DownloadFile { op: "open", .. } => HttpRequestResult::DownloadFileCantOpen,
            Reason::DownloadFile { .. } => HttpRequestResult::DownloadFileWriteError,
            Reason::Protocol(p) => match p {
                ProtoError::EmptyReply => HttpRequestResult::NoResponse,
                ProtoError::BodyTooLarge { .. } => HttpRequestResult::BodySizeLimitExceeded,
                ProtoError::TruncatedBody { .. }
                | ProtoError::TruncatedChunked
                | ProtoError::InvalidChunkSize
                | ProtoError::ChunkSizeOverflow
                | ProtoError::InvalidChunkTerminator => HttpRequestResult::ChunkedBodySizeMismatch,
                _ => HttpRequestResult::ConnectionError,
            },
            _ => match status {
                Status::CantResolve => HttpRequestResult::CantResolve,
                Status::CantConnect => HttpRequestResult::CantConnect,
                Status::TlsHandshakeError => HttpRequestResult::TlsHandshakeError,
                _ => HttpRequestResult::ConnectionError,
            },
        }
    }
}
