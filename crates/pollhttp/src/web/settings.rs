//! Settings of the browser client: those that mean something in a page, and those that
//! are refused with a clear error because a page cannot have them.

use super::HttpClient;
use crate::{Error, Limits, ProxyConfig, Timeouts};

impl HttpClient {
    /// Blocking mode cannot work in a browser page: with it on, the next
    /// [`connect_to_host`](HttpClient::connect_to_host) fails with `ERR_UNAVAILABLE`.
    #[doc(alias = "blocking_mode_enabled")]
    pub fn set_blocking_mode(&mut self, enabled: bool) {
        self.blocking = enabled;
    }

    /// Whether blocking mode was asked for (it then makes the client fail).
    #[doc(alias = "blocking_mode_enabled")]
    pub fn is_blocking_mode_enabled(&self) -> bool {
        self.blocking
    }

    /// Sets the largest piece [`read_response_body_chunk`](HttpClient::read_response_body_chunk)
    /// returns (Godot's `read_chunk_size`): 256 to 16 MiB, else `ERR_INVALID_PARAMETER`.
    /// The browser picks the size of the pieces it reads; a larger one is handed out in
    /// several calls.
    #[doc(alias = "read_chunk_size")]
    pub fn set_read_chunk_size(&mut self, size: usize) -> Result<(), Error> {
        self.read_chunk_size = crate::read_chunk_size::checked(size)?;
        Ok(())
    }

    /// The largest piece `read_response_body_chunk` returns (default 65536).
    #[doc(alias = "get_read_chunk_size")]
    pub fn read_chunk_size(&self) -> usize {
        self.read_chunk_size
    }

    /// Sets the limits. In the browser only [`Limits::max_body_bytes`] and the head's
    /// limits (applied to the headers the browser shows) matter: the browser parses the
    /// wire itself.
    pub fn set_limits(&mut self, limits: Limits) {
        self.limits = limits;
    }

    /// The limits in force.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Sets the timeouts. In the browser `response_head` (from `request` to the
    /// response), `idle` (a body read that brings nothing) and `total` (from
    /// `connect_to_host` to the end of the body) apply, and each aborts the transfer when
    /// it expires; the connect limits have nothing to time, the browser connects.
    pub fn set_timeouts(&mut self, timeouts: Timeouts) {
        self.timeouts = timeouts;
    }

    /// The timeouts in force.
    pub fn timeouts(&self) -> &Timeouts {
        &self.timeouts
    }

    /// Kept for the same code on every target; the browser client adds no header of its
    /// own either way (the browser adds its own).
    pub fn set_automatic_headers(&mut self, on: bool) {
        self.automatic_headers = on;
    }

    /// Whether automatic headers are on (see [`set_automatic_headers`](HttpClient::set_automatic_headers)).
    pub fn automatic_headers(&self) -> bool {
        self.automatic_headers
    }

    /// A page cannot choose its `User-Agent` in every browser (Chromium drops it): this is
    /// `ERR_UNAVAILABLE`.
    pub fn set_user_agent(&mut self, _user_agent: &str) -> Result<(), Error> {
        Err(super::client::unavailable(
            "User-Agent: the browser sends its own",
        ))
    }

    /// Whether the browser follows redirects (on by default, up to its own limit of 20).
    /// Off, a redirect fails the request with
    /// [`Reason::RedirectRefused`](crate::Reason::RedirectRefused): the browser shows a
    /// page neither the redirect's status nor its `Location` (an opaque redirect).
    pub fn set_follow_redirects(&mut self, follow: bool) {
        self.follow_redirects = follow;
    }

    /// A page cannot use a proxy of its own: after this the next
    /// [`connect_to_host`](HttpClient::connect_to_host) fails with `ERR_UNAVAILABLE`
    /// (Godot's web client only warns).
    pub fn set_http_proxy(&mut self, _host: &str, _port: Option<u16>) {
        self.proxy_set[0] = true;
    }

    /// As [`set_http_proxy`](HttpClient::set_http_proxy), for HTTPS.
    pub fn set_https_proxy(&mut self, _host: &str, _port: Option<u16>) {
        self.proxy_set[1] = true;
    }

    /// As [`set_http_proxy`](HttpClient::set_http_proxy); `None` clears it.
    pub fn set_http_proxy_config(&mut self, proxy: Option<ProxyConfig>) {
        self.proxy_set[0] = proxy.is_some();
    }

    /// As [`set_http_proxy_config`](HttpClient::set_http_proxy_config), for HTTPS.
    pub fn set_https_proxy_config(&mut self, proxy: Option<ProxyConfig>) {
        self.proxy_set[1] = proxy.is_some();
    }
}
