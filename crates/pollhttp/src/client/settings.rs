//! Settings that outlive a connection: blocking mode, chunk size, limits, timeouts.

use super::*;

impl HttpClient {
    /// Blocking mode (Godot's `blocking_mode_enabled`, off by default): `poll()` and body
    /// reads wait on the socket (poll(2), no busy loop) until their phase is done.
    #[doc(alias = "blocking_mode_enabled")]
    pub fn set_blocking_mode(&mut self, enabled: bool) {
        self.blocking = enabled;
    }

    /// Whether blocking mode is on.
    #[doc(alias = "blocking_mode_enabled")]
    pub fn is_blocking_mode_enabled(&self) -> bool {
        self.blocking
    }

    /// Sets the largest piece [`read_response_body_chunk`] returns (Godot's
    /// `read_chunk_size`): 256 to 16 MiB, else `ERR_INVALID_PARAMETER` and the value is
    /// unchanged.
    ///
    /// [`read_response_body_chunk`]: HttpClient::read_response_body_chunk
    #[doc(alias = "read_chunk_size")]
    #[doc(alias = "download_chunk_size")]
    pub fn set_read_chunk_size(&mut self, size: usize) -> Result<(), Error> {
        self.read_chunk_size = crate::read_chunk_size::checked(size)?;
        Ok(())
    }

    /// The largest piece [`read_response_body_chunk`](HttpClient::read_response_body_chunk)
    /// returns (default 65536).
    #[doc(alias = "get_read_chunk_size")]
    pub fn read_chunk_size(&self) -> usize {
        self.read_chunk_size
    }

    /// Sets the protocol limits (head size, header count, chunk line, trailers, body
    /// size). Applies from the next request.
    pub fn set_limits(&mut self, limits: Limits) {
        self.conn.set_limits(limits);
    }

    /// The protocol limits in force.
    pub fn limits(&self) -> &Limits {
        self.conn.limits()
    }

    /// Sets the time limits (see [`Timeouts`] for each and its default). They apply from
    /// the next [`connect_to_host`](HttpClient::connect_to_host) or
    /// [`request`](HttpClient::request); clocks already running keep their deadlines.
    pub fn set_timeouts(&mut self, timeouts: Timeouts) {
        self.conn.set_timeouts(timeouts);
    }

    /// The time limits in force.
    pub fn timeouts(&self) -> &Timeouts {
        self.conn.timeouts()
    }

    /// Replaces the automatic `User-Agent` value (default `pollhttp/<version>`).
    pub fn set_user_agent(&mut self, user_agent: &str) -> Result<(), Error> {
        if user_agent
            .bytes()
            .any(|b| b < b' ' && b != b'\t' || b == 0x7f)
        {
            return Err(Error::invalid("user agent contains control characters"));
        }
        self.conn.set_user_agent(user_agent);
        Ok(())
    }

    /// Whether requests get the automatic headers that their own headers do not replace:
    /// `Host`, `User-Agent` (unless [`set_user_agent`](HttpClient::set_user_agent) made it
    /// empty), `Accept: */*`, and `Content-Length: 0` for an empty POST, PUT or PATCH. On
    /// by default, as in Godot.
    ///
    /// Off (for a caller that spells out every header, as the `pollhttp` command line
    /// does), a request carries exactly the headers given, in their order, plus only what
    /// cannot be left out: the `Content-Length` of a non-empty body that the headers frame
    /// neither with `Content-Length` nor with `Transfer-Encoding`, and `Proxy-Authorization`
    /// through an [HTTP proxy](HttpClient::set_http_proxy_config) with credentials. A
    /// request without a `Host` header then has none. The `CONNECT` request to an HTTPS
    /// proxy is not affected. Applies from the next request.
    pub fn set_automatic_headers(&mut self, on: bool) {
        self.conn.set_automatic_headers(on);
    }

    /// Whether requests get the automatic headers (see
    /// [`set_automatic_headers`](HttpClient::set_automatic_headers)).
    pub fn automatic_headers(&self) -> bool {
        self.conn.automatic_headers()
    }
}
