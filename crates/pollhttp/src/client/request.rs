//! Sending a request: validation, the head, and the first non-blocking write.

use super::*;
use crate::proto::{ProtoError, RequestBody, SendError};
use crate::RequestMethod;

impl HttpClient {
    /// Sends a request with a text body (Godot's `request`); see
    /// [`request_raw`](HttpClient::request_raw).
    pub fn request<'m>(
        &mut self,
        method: impl Into<RequestMethod<'m>>,
        url: &str,
        headers: &[&str],
        body: &str,
    ) -> Result<(), Error> {
        self.request_raw(method, url, headers, body)
    }

    /// Sends a request (Godot's `request_raw`). Allowed only in CONNECTED.
    ///
    /// `method` is one of Godot's [`Method`](crate::Method)s or any other method token
    /// as a [`RequestMethod`] (`PROPFIND`, `PURGE`: RFC 9110 section 9.1), written as
    /// given; the response to an extension method is read as a `GET`'s would be (see
    /// [`RequestMethod::framing_method`]). A method that is not a token is
    /// `ERR_INVALID_PARAMETER` with [`ProtoError::InvalidMethod`]: nothing is sent.
    ///
    /// `url` is the request target: a path such as `/index.html?x=1`, an absolute URL,
    /// `*` for OPTIONS or `host:port` for CONNECT. `headers` are `"Name: value"`
    /// strings, sent in order after `Host`; then `Content-Length` (for a non-empty body,
    /// and `0` for an empty POST, PUT or PATCH), `User-Agent` and `Accept: */*` are added
    /// unless a header of that name was given (a given `Host` replaces the automatic one),
    /// and none of them after
    /// [`set_automatic_headers(false)`](HttpClient::set_automatic_headers).
    /// CR, LF or NUL anywhere, a header without a name, or a `Content-Length` that does
    /// not match the body is `ERR_INVALID_PARAMETER`: nothing is sent.
    ///
    /// `body` is anything that converts into a [`RequestBody`]: an owned `Vec<u8>` or
    /// `String` is kept as it is and written after the head without being copied; a
    /// borrowed slice is copied once.
    ///
    /// Through an [HTTP proxy](HttpClient::set_http_proxy_config) a path is sent in
    /// absolute form, `http://host[:port]/path` (the port only when not 80; an absolute
    /// `url` is sent as given, and `*` becomes `http://host[:port]`), `Host` still names
    /// the origin, and `Proxy-Authorization` is added when the proxy has credentials,
    /// unless a header of that name was given. The proxy's own answers, such as `407`,
    /// are ordinary responses.
    ///
    /// A request with an `Upgrade` header may be answered with `101 Switching
    /// Protocols`: the exchange then ends at the head (status DISCONNECTED,
    /// [`is_response_complete`](HttpClient::is_response_complete) true) and
    /// [`take_connection`](HttpClient::take_connection) hands over the stream with the
    /// bytes that followed. A 101 to a request without `Upgrade` is a protocol error.
    ///
    /// The request is written without blocking; what the socket does not take at once
    /// is sent by [`poll`](HttpClient::poll). Status becomes REQUESTING.
    ///
    /// ```no_run
    /// # use pollhttp::{HttpClient, Method, RequestMethod};
    /// # let mut http = HttpClient::new();
    /// http.request(Method::Get, "/", &[], "")?;
    /// let propfind = RequestMethod::parse("PROPFIND")?;
    /// http.request(propfind, "/dav/", &["Depth: 1"], "")?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn request_raw<'m>(
        &mut self,
        method: impl Into<RequestMethod<'m>>,
        url: &str,
        headers: &[&str],
        body: impl Into<RequestBody>,
    ) -> Result<(), Error> {
        let now = self.now();
        // Godot's check order: URL form, then status, then headers (the core's too).
        if let Err(e) = self
            .conn
            .send_request(method, url, headers, body.into(), now)
        {
            return Err(match e {
                SendError::NotReady => self.wrong_status("request"),
                SendError::Invalid(e) => invalid_request(e),
                _ => self.wrong_status("request"),
            });
        }
        // Writing now saves a poll() round; a failure is reported by the next poll(),
        // as Godot reports it (request() itself still returns OK).
        if let Err(reason) = self.write_request(now) {
            self.deferred_error = Some(Error::new(GodotError::ConnectionError, reason));
        }
        Ok(())
    }
}

pub(super) fn invalid_request(e: ProtoError) -> Error {
    Error::new(GodotError::InvalidParameter, Reason::InvalidRequest(e))
}
