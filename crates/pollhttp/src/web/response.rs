//! The response in the browser: Godot's accessors over the head the browser shows, and
//! the body stream read into the caller's buffers.

use super::HttpClient;
use crate::proto::ProtoError;
use crate::{Error, GodotError, Reason, Response, Status};

impl HttpClient {
    /// True once the last request's response arrived whole: its head and the end of its
    /// body stream, until the next request or [`close`](HttpClient::close).
    pub fn is_response_complete(&self) -> bool {
        self.head.is_some() && self.complete
    }

    /// True once the response's status and headers are in (Godot's `has_response`).
    pub fn has_response(&self) -> bool {
        self.head.is_some()
    }

    /// The response's status code, 0 when there is no response (Godot's
    /// `get_response_code`).
    #[doc(alias = "get_response_code")]
    pub fn response_code(&self) -> u16 {
        self.head.as_ref().map_or(0, |h| h.code())
    }

    /// The headers the browser shows, as `"name: value"` strings (Godot's
    /// `get_response_headers`). The browser gives names in lower case and joins a
    /// repeated field's values with `", "`; a cross-origin response shows only the
    /// CORS-safelisted headers and those the server exposes.
    #[doc(alias = "get_response_headers")]
    pub fn response_headers(&self) -> Vec<String> {
        self.response()
            .map(|r| {
                r.headers()
                    .iter()
                    .map(|(n, v)| format!("{n}: {v}"))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The headers as `(name, value)` pairs (Godot's
    /// `get_response_headers_as_dictionary`).
    #[doc(alias = "get_response_headers_as_dictionary")]
    pub fn response_headers_as_dictionary(&self) -> Vec<(String, String)> {
        self.response()
            .map(|r| {
                r.headers()
                    .iter()
                    .map(|(n, v)| (n.to_string(), v.into_owned()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The current response, with typed status and a case-insensitive header view.
    pub fn response(&self) -> Option<Response<'_>> {
        self.head.as_ref().map(|h| Response::new(h, &self.trailers))
    }

    /// True when the response shows `Transfer-Encoding: chunked` (Godot's
    /// `is_response_chunked`). The browser has removed the chunk framing already.
    pub fn is_response_chunked(&self) -> bool {
        self.response()
            .and_then(|r| r.headers().get("transfer-encoding"))
            .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"))
    }

    /// The body's length when the browser's bytes are known to be the server's: the
    /// `Content-Length` of a same-origin response without `Content-Encoding`. Otherwise
    /// -1 (Godot's web client always says -1): the browser hands out decoded bytes, and a
    /// cross-origin response may hide the `Content-Encoding` that would tell.
    #[doc(alias = "get_response_body_length")]
    pub fn response_body_length(&self) -> i64 {
        let Some(r) = self.response() else {
            return -1;
        };
        if !self.shown.same_origin || r.headers().contains("content-encoding") {
            return -1;
        }
        r.headers()
            .get("content-length")
            .and_then(|v| v.trim().parse::<i64>().ok())
            .unwrap_or(-1)
    }

    /// The URL of the response, after the redirects the browser followed (`Response.url`).
    pub fn response_url(&self) -> Option<&str> {
        self.shown.url.as_deref()
    }

    /// Whether the browser followed at least one redirect to get the response
    /// (`Response.redirected`). How many, and their statuses, a page is not told.
    pub fn was_redirected(&self) -> bool {
        self.shown.redirected
    }

    /// Takes the next piece of the body, at most
    /// [`read_chunk_size`](HttpClient::read_chunk_size) bytes (Godot's
    /// `read_response_body_chunk`). Empty when nothing has arrived yet: the browser
    /// settles a read only between the page's tasks. At the end of the body the status
    /// becomes DISCONNECTED; a failed body read gives CONNECTION_ERROR.
    pub fn read_response_body_chunk(&mut self) -> Vec<u8> {
        if self.status != Status::Body {
            return Vec::new();
        }
        let _ = self.poll();
        let held = self.fetch.as_ref().map_or(0, |f| f.held());
        let mut out = vec![0; held.min(self.read_chunk_size)];
        let n = self.read_response_body_into(&mut out).unwrap_or(0);
        out.truncate(n);
        out
    }

    /// Copies body bytes into `buf` (no allocation), returning how many; `Ok(0)` when none
    /// are ready yet or the body is over. The next read of the body stream starts when
    /// every byte of the last one has been taken.
    ///
    /// # Errors
    ///
    /// The failure that put the client into CONNECTION_ERROR, now or before.
    pub fn read_response_body_into(&mut self, buf: &mut [u8]) -> Result<usize, Error> {
        if self.status != Status::Body {
            return match (&self.failure, self.status) {
                (Some(e), Status::ConnectionError) => Err(e.clone()),
                _ => Ok(0),
            };
        }
        let Some(fetch) = self.fetch.as_mut() else {
            return Ok(0);
        };
        let n = fetch.take(buf);
        if n == 0 {
            self.poll()?;
            return Ok(0);
        }
        self.body_bytes += n as u64;
        if let Some(limit) = self.limits.max_body_bytes {
            if self.body_bytes > limit {
                return Err(self.fail(
                    GodotError::ConnectionError,
                    Reason::Protocol(ProtoError::BodyTooLarge { limit }),
                ));
            }
        }
        if fetch_is_drained(self) {
            // Ask for the next piece now, so it is on its way by the next frame.
            self.poll()?;
        }
        Ok(n)
    }
}

fn fetch_is_drained(http: &HttpClient) -> bool {
    http.fetch.as_ref().is_some_and(|f| f.held() == 0)
}
