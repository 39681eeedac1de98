//! Sending a request: validation, the head, and the first non-blocking write.

use super::*;

impl HttpClient {
    /// Sends a request with a text body (Godot's `request`); see
    /// [`request_raw`](HttpClient::request_raw).
    pub fn request<H: AsRef<str>>(
        &mut self,
        method: Method,
        url: &str,
        headers: &[H],
        body: &str,
    ) -> Result<(), Error> {
        self.request_raw(method, url, headers, body.as_bytes())
    }

    /// Sends a request (Godot's `request_raw`). Allowed only in CONNECTED.
    ///
    /// `url` is the request target: a path such as `/index.html?x=1`, an absolute URL,
    /// `*` for OPTIONS or `host:port` for CONNECT. `headers` are `"Name: value"`
    /// strings sent first, in order; then `Host`, `Content-Length` (for a non-empty
    /// body, and `0` for an empty POST, PUT or PATCH), `User-Agent` and `Accept: */*`
    /// are added unless a header of that name was given. CR, LF or NUL anywhere, a
    /// header without a name, or a `Content-Length` that does not match the body is
    /// `ERR_INVALID_PARAMETER`: nothing is sent.
    ///
    /// Through an [HTTP proxy](HttpClient::set_http_proxy_config) a path is sent in
    /// absolute form, `http://host[:port]/path` (the port only when not 80; an absolute
    /// `url` is sent as given, and `*` becomes `http://host[:port]`), `Host` still names
    /// the origin, and `Proxy-Authorization` is added when the proxy has credentials,
    /// unless a header of that name was given. The proxy's own answers, such as `407`,
    /// are ordinary responses.
    ///
    /// The request is written without blocking; what the socket does not take at once
    /// is sent by [`poll`](HttpClient::poll). Status becomes REQUESTING.
    pub fn request_raw<H: AsRef<str>>(
        &mut self,
        method: Method,
        url: &str,
        headers: &[H],
        body: &[u8],
    ) -> Result<(), Error> {
        // Godot's check order: URL form, then status, then connection, then headers.
        proto::validate_target(method.as_str(), url).map_err(invalid_request)?;
        if self.status != Status::Connected {
            return Err(self.wrong_status("request"));
        }
        if self.stream.is_none() {
            return Err(Error::new(GodotError::InvalidData, Reason::NotConnected));
        }
        self.out.clear();
        self.out_pos = 0;
        let written = match &self.forward {
            // The target is `url`, checked above, and the method a constant token: the
            // request line needs no second check.
            None => proto::write_request_head_checked_line(
                &mut self.out,
                &RequestHead {
                    method: method.as_str(),
                    target: url,
                    host: &self.host_header,
                    headers,
                    body_len: body.len(),
                    content_length_if_empty: method.expects_body(),
                    user_agent: &self.user_agent,
                },
            ),
            Some(fw) => {
                let target = fw.target(url);
                let headers: Vec<&str> = headers
                    .iter()
                    .map(AsRef::as_ref)
                    .chain(fw.authorization_for(headers))
                    .collect();
                // The absolute-form target is new text: checked as it is written.
                proto::write_request_head(
                    &mut self.out,
                    &RequestHead {
                        method: method.as_str(),
                        target: &target,
                        host: &self.host_header,
                        headers: &headers,
                        body_len: body.len(),
                        content_length_if_empty: method.expects_body(),
                        user_agent: &self.user_agent,
                    },
                )
            }
        };
        written.map_err(invalid_request)?;
        self.out.extend_from_slice(body);

        self.reader.start(method.as_str());
        self.status = Status::Requesting;
        // Writing now saves a poll() round; a failure is reported by the next poll(),
        // as Godot reports it (request() itself still returns OK).
        if let Err(reason) = self.write_request() {
            self.deferred_error = Some(Error::new(GodotError::ConnectionError, reason));
        }
        let sent = self.out_pos >= self.out.len();
        self.deadlines.start_request(Instant::now(), sent);
        Ok(())
    }
}

pub(super) fn invalid_request(e: proto::ProtoError) -> Error {
    Error::new(GodotError::InvalidParameter, Reason::InvalidRequest(e))
}
