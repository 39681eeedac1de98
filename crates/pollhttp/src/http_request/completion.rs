//! What a finished request hands back: Godot's `request_completed` signal, plus the
//! cause of a failure and the final URL.

use super::{HttpRequestResult, ResponseHead};
use crate::Error;

/// The outcome of one request, as Godot's `request_completed(result, response_code,
/// headers, body)` signal carries it.
///
/// `body` holds the decoded body when it was collected in memory; it is empty when it
/// went to a [download file](crate::HttpRequest::set_download_file) or was
/// [read by the caller](crate::HttpRequest::set_stream_body). After a failure, `error`
/// says what happened in full (with its [`source`](std::error::Error::source) chain),
/// and `response_code` and `headers` are those of the last response received, if any.
#[derive(Debug)]
#[non_exhaustive]
pub struct Completion {
    /// How the request ended.
    pub result: HttpRequestResult,
    /// The final response's status code, 0 when none arrived.
    pub response_code: u16,
    /// The final response's header lines, `"Name: value"`. When the body was decoded,
    /// `Content-Encoding` and `Content-Length` are removed (they describe the bytes as
    /// sent, not the body delivered).
    pub headers: Vec<String>,
    /// The body, when collected in memory.
    pub body: Vec<u8>,
    /// The failure, when `result` is not [`Success`](HttpRequestResult::Success).
    pub error: Option<Error>,
    /// The URL of the final response, after redirects (without credentials).
    pub final_url: String,
    /// The final response's head, when one arrived: its status line, and its headers as
    /// received (`Content-Encoding` included).
    pub head: Option<ResponseHead>,
    /// The head of every redirect followed, in order.
    pub redirects: Vec<ResponseHead>,
}

impl Completion {
    /// Whether the exchange worked (whatever the status code).
    pub fn is_success(&self) -> bool {
        self.result == HttpRequestResult::Success
    }

    /// The body as text (invalid UTF-8 replaced), Godot's `get_string_from_utf8()`.
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.body)
    }
}
