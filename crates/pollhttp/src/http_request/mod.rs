//! [`HttpRequest`]: one URL in, one response out (Godot's `HTTPRequest` node), driven by
//! `poll()` like [`HttpClient`], with redirects, decompression and downloads to a file.

mod body;
mod completion;
mod download;
mod exchange;
mod head;
mod method;
mod progress;
mod redirect;
mod result;
mod target;

pub use completion::Completion;
pub use head::ResponseHead;
pub use progress::Progress;
pub use result::HttpRequestResult;

use crate::Instant;
use crate::{Clock, Error, HttpClient, Limits, ProxyConfig, Timeouts, TlsOptions};
use exchange::Job;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Godot's default `download_chunk_size`: the size of each read from the connection.
pub const DEFAULT_DOWNLOAD_CHUNK_SIZE: usize = 65536;

/// Godot's default `max_redirects`.
pub const DEFAULT_MAX_REDIRECTS: u32 = 8;

/// A whole request: give it a URL, [`poll`](HttpRequest::poll) until it hands back a
/// [`Completion`] (Godot's `HTTPRequest` node and its `request_completed` signal).
///
/// It owns an [`HttpClient`] and keeps its connection open between requests to the same
/// origin (scheme, host and port), redirects included. Beyond Godot's node it follows
/// every redirect of RFC 9110 (301, 302, 303, 307, 308) with the method rules browsers
/// and curl use, never sends credentials on to another origin, decodes gzip, deflate,
/// br and zstd as the body streams in, writes downloads to a temporary file that is
/// moved into place only when complete (and can be resumed), and keeps every failure's
/// cause in [`Completion::error`].
///
/// ```no_run
/// use pollhttp::{HttpRequest, HttpRequestResult, Method};
///
/// let mut http = HttpRequest::new();
/// http.request("https://example.com/data.json", &[], Method::Get, "")?;
/// let done = loop {
///     if let Some(done) = http.poll() {
///         break done;
///     }
///     http.wait(None)?; // or do a frame's work
/// };
/// assert_eq!(done.result, HttpRequestResult::Success);
/// println!("{} {}", done.response_code, done.text());
/// # Ok::<(), pollhttp::Error>(())
/// ```
///
/// One request runs at a time: [`request`](HttpRequest::request) while one is in
/// progress is `ERR_BUSY`, as in Godot. Many `HttpRequest`s can share one thread through
/// the [`Poller`](crate::Poller), which watches each one's client: register
/// [`client()`](HttpRequest::client) (or the `HttpRequest` itself, which is
/// `AsRef<HttpClient>`), and after each `poll()` call [`Poller::update`](crate::Poller::update).
#[doc(alias = "HTTPRequest")]
pub struct HttpRequest {
    client: HttpClient,
    settings: Settings,
    job: Option<Job>,
    progress: Progress,
    /// The final response's head, once it has arrived (kept after completion).
    head: Option<ResponseHead>,
    /// The final response's headers as delivered (without `Content-Encoding` and
    /// `Content-Length` when the body is decoded).
    delivered_headers: Vec<String>,
    /// The redirects followed by the current request.
    redirects: Vec<ResponseHead>,
    final_url: Option<String>,
    /// The origin the client's connection (open or being opened) goes to.
    connected_origin: Option<target::Origin>,
    /// A failure seen by `read_body`, reported by the next `poll()`.
    pending_failure: Option<Error>,
    /// The caller's per-step limits; `total` is narrowed to the request's timeout.
    timeouts: Timeouts,
}

/// The properties of the node.
#[derive(Clone)]
pub(crate) struct Settings {
    pub accept_gzip: bool,
    pub body_size_limit: Option<u64>,
    pub download_chunk_size: usize,
    pub download_file: Option<PathBuf>,
    pub keep_partial_download: bool,
    pub max_redirects: Option<u32>,
    pub timeout: Option<Duration>,
    pub tls: Option<TlsOptions>,
    pub allow_https_downgrade: bool,
    pub stream_body: bool,
    pub follow_redirects: bool,
}

impl Default for HttpRequest {
    fn default() -> Self {
        HttpRequest::new()
    }
}

impl AsRef<HttpClient> for HttpRequest {
    fn as_ref(&self) -> &HttpClient {
        &self.client
    }
}

impl HttpRequest {
    /// A request node with Godot's defaults: `accept_gzip` on, no body size limit,
    /// 64 KiB download chunks, at most 8 redirects, no timeout.
    pub fn new() -> HttpRequest {
        HttpRequest {
            client: HttpClient::new(),
            settings: Settings {
                accept_gzip: true,
                body_size_limit: None,
                download_chunk_size: DEFAULT_DOWNLOAD_CHUNK_SIZE,
                download_file: None,
                keep_partial_download: false,
                max_redirects: Some(DEFAULT_MAX_REDIRECTS),
                timeout: None,
                tls: None,
                allow_https_downgrade: false,
                stream_body: false,
                follow_redirects: true,
            },
            job: None,
            progress: Progress::default(),
            head: None,
            delivered_headers: Vec::new(),
            redirects: Vec::new(),
            final_url: None,
            connected_origin: None,
            pending_failure: None,
            timeouts: Timeouts::default(),
        }
    }

    /// The client underneath: for its socket ([`raw_fd`](HttpClient::raw_fd)), its
    /// [`interest`](HttpClient::interest) and [`next_deadline`](HttpClient::next_deadline)
    /// in a caller's own event loop, and for registering with a
    /// [`Poller`](crate::Poller).
    pub fn client(&self) -> &HttpClient {
        &self.client
    }

    /// Whether a request is in progress (its completion not yet returned by `poll()`).
    pub fn is_busy(&self) -> bool {
        self.job.is_some()
    }

    /// Godot's `get_http_client_status`: the status of the client underneath.
    #[doc(alias = "get_http_client_status")]
    pub fn http_client_status(&self) -> crate::Status {
        self.client.status()
    }

    /// Body bytes received so far for the current response, as sent (compressed ones
    /// count as received); Godot's `get_downloaded_bytes`.
    #[doc(alias = "get_downloaded_bytes")]
    pub fn downloaded_bytes(&self) -> u64 {
        self.progress.wire_bytes
    }

    /// The current response's `Content-Length`, or -1 when unknown or before the
    /// response; Godot's `get_body_size`.
    #[doc(alias = "get_body_size")]
    pub fn body_size(&self) -> i64 {
        self.progress
            .expected_wire
            .map_or(-1, |n| i64::try_from(n).unwrap_or(i64::MAX))
    }

    /// Progress of the current (or last) response's body, wire and decoded.
    pub fn progress(&self) -> Progress {
        self.progress
    }

    /// The final response's status code, once its head has arrived (0 before).
    /// With [`set_stream_body`](HttpRequest::set_stream_body) this is how a caller knows
    /// that it can start reading.
    pub fn response_code(&self) -> u16 {
        self.head.as_ref().map_or(0, |h| h.code)
    }

    /// The final response's header lines, once its head has arrived; without
    /// `Content-Encoding` and `Content-Length` when the body is decoded.
    pub fn response_headers(&self) -> &[String] {
        &self.delivered_headers
    }

    /// The final response's head (status line and headers as received), once it has
    /// arrived.
    pub fn response_head(&self) -> Option<&ResponseHead> {
        self.head.as_ref()
    }

    /// The heads of the redirects the request in progress has met so far, in order (the
    /// one being followed included): what a caller streaming the body
    /// ([`set_stream_body`](HttpRequest::set_stream_body)) prints before the final head,
    /// as `curl -i -L` does. When the request completes they move to
    /// [`Completion::redirects`].
    pub fn redirects(&self) -> &[ResponseHead] {
        &self.redirects
    }

    /// The URL of the current or last response, after redirects, without credentials.
    pub fn final_url(&self) -> Option<&str> {
        self.final_url.as_deref()
    }

    /// Godot's `accept_gzip` (default on): send `Accept-Encoding: gzip, deflate, br,
    /// zstd` unless the request has its own `Accept-Encoding` or a `Range`, and decode
    /// a body in any of those codings (stacked ones too). Off, bodies are delivered as
    /// sent.
    #[doc(alias = "accept_gzip")]
    pub fn set_accept_gzip(&mut self, on: bool) {
        self.settings.accept_gzip = on;
    }

    /// Whether bodies are decoded; see [`set_accept_gzip`](HttpRequest::set_accept_gzip).
    pub fn is_accepting_gzip(&self) -> bool {
        self.settings.accept_gzip
    }

    /// Godot's `body_size_limit` (default none): a response whose `Content-Length` is
    /// larger fails before any of its body is read, and a body that grows larger while
    /// it is decoded stops there, so a compression bomb costs no more than the limit.
    /// The result is [`BodySizeLimitExceeded`](HttpRequestResult::BodySizeLimitExceeded).
    #[doc(alias = "body_size_limit")]
    pub fn set_body_size_limit(&mut self, limit: Option<u64>) {
        self.settings.body_size_limit = limit;
    }

    /// The body size limit.
    #[doc(alias = "get_body_size_limit")]
    pub fn body_size_limit(&self) -> Option<u64> {
        self.settings.body_size_limit
    }

    /// Godot's `download_chunk_size` (default 65536): the size of each read from the
    /// connection and of the decoder's buffers. At least 256 bytes, at most 16 MiB.
    #[doc(alias = "download_chunk_size")]
    pub fn set_download_chunk_size(&mut self, size: usize) -> Result<(), Error> {
        if !(256..=16 << 20).contains(&size) {
            return Err(Error::invalid(format!(
                "download_chunk_size {size} is outside 256..=16777216"
            )));
        }
        self.settings.download_chunk_size = size;
        Ok(())
    }

    /// The download chunk size.
    #[doc(alias = "get_download_chunk_size")]
    pub fn download_chunk_size(&self) -> usize {
        self.settings.download_chunk_size
    }

    /// Godot's `download_file` (default none): write the decoded body to this file
    /// instead of memory ([`Completion::body`] is then empty). The body goes to a
    /// temporary file beside it that is renamed into place only once complete; after a
    /// failure or a cancel no partial file is left, unless
    /// [`set_keep_partial_download`](HttpRequest::set_keep_partial_download) asks for a
    /// resume. Like Godot and curl, any status code's body is written (a 404 page too).
    #[doc(alias = "download_file")]
    pub fn set_download_file(&mut self, path: Option<impl AsRef<Path>>) {
        self.settings.download_file = path.map(|p| p.as_ref().to_path_buf());
    }

    /// The download file.
    #[doc(alias = "get_download_file")]
    pub fn download_file(&self) -> Option<&Path> {
        self.settings.download_file.as_deref()
    }

    /// Keep a partial download (`<file>.part`) after a failure or cancel, and resume it
    /// on the next request for the same file: `Range: bytes=<size>-` is sent, with
    /// `If-Range` when the server gave a strong `ETag` or a `Last-Modified`. A 206 answer
    /// is appended, a 200 starts the file over, a 416 whose `Content-Range` says the kept
    /// part is the whole resource completes it, and any other 416 (a part longer than the
    /// resource) drops the part and asks for the whole body again.
    pub fn set_keep_partial_download(&mut self, keep: bool) {
        self.settings.keep_partial_download = keep;
    }

    /// Godot's `max_redirects` (default 8): how many redirects are followed; -1 is
    /// unlimited, 0 makes the first redirect
    /// [`RedirectLimitReached`](HttpRequestResult::RedirectLimitReached). (Godot's
    /// inspector offers -1..=64; any value from -1 up is taken here.)
    #[doc(alias = "max_redirects")]
    pub fn set_max_redirects(&mut self, max: i32) -> Result<(), Error> {
        self.settings.max_redirects = match max {
            -1 => None,
            _ => Some(
                u32::try_from(max)
                    .map_err(|_| Error::invalid(format!("max_redirects {max} is below -1")))?,
            ),
        };
        Ok(())
    }

    /// The redirect limit, -1 for unlimited.
    #[doc(alias = "get_max_redirects")]
    pub fn max_redirects(&self) -> i32 {
        self.settings
            .max_redirects
            .map_or(-1, |m| i32::try_from(m).unwrap_or(i32::MAX))
    }

    /// Whether redirects are followed at all (default on). Off, a 3xx is the answer, as
    /// curl does without `-L`.
    pub fn set_follow_redirects(&mut self, follow: bool) {
        self.settings.follow_redirects = follow;
    }

    /// Godot's `timeout` (default none): one deadline for the whole request from
    /// [`request`](HttpRequest::request), name resolution, connections and every
    /// redirect included. When it passes the result is
    /// [`Timeout`](HttpRequestResult::Timeout). The client's own
    /// [limits](HttpRequest::set_timeouts) still apply to each step.
    #[doc(alias = "timeout")]
    pub fn set_timeout(&mut self, timeout: Option<Duration>) {
        self.settings.timeout = timeout.filter(|t| !t.is_zero());
    }

    /// The whole-request timeout.
    #[doc(alias = "get_timeout")]
    pub fn timeout(&self) -> Option<Duration> {
        self.settings.timeout
    }

    /// Godot's `set_tls_options`: the TLS settings for `https://` URLs (trusted roots,
    /// pins, versions, revocation lists, a client certificate). Default: the platform's
    /// roots. A kept-alive connection made with the earlier settings is closed (unless a
    /// request is under way), so that the next request connects with these.
    pub fn set_tls_options(&mut self, options: Option<TlsOptions>) {
        self.settings.tls = options;
        self.forget_connection();
    }

    /// Follow redirects from `https://` to `http://` (default: refused, with
    /// [`RequestFailed`](HttpRequestResult::RequestFailed)).
    pub fn set_allow_https_downgrade(&mut self, allow: bool) {
        self.settings.allow_https_downgrade = allow;
    }

    /// Hand the body to the caller instead of collecting it: once
    /// [`response_code`](HttpRequest::response_code) is set, the caller takes the
    /// decoded body with [`read_body`](HttpRequest::read_body) as it arrives, so that
    /// a response of any size needs neither a file nor memory of its size; `poll()` then
    /// returns the completion after the last byte has been read.
    pub fn set_stream_body(&mut self, stream: bool) {
        self.settings.stream_body = stream;
    }

    /// Godot's `set_http_proxy`: the proxy for `http://` URLs (`None` for none).
    pub fn set_http_proxy(&mut self, proxy: Option<ProxyConfig>) {
        self.client.set_http_proxy_config(proxy);
        self.forget_connection();
    }

    /// Godot's `set_https_proxy`: the proxy for `https://` URLs (`None` for none).
    pub fn set_https_proxy(&mut self, proxy: Option<ProxyConfig>) {
        self.client.set_https_proxy_config(proxy);
        self.forget_connection();
    }

    /// Who is asked for host names' addresses (the system's resolver by default); see
    /// [`HttpClient::set_resolver`]. An open connection is closed, so that the next
    /// request connects where the new resolver says.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn set_resolver(&mut self, resolver: std::sync::Arc<dyn crate::Resolver>) {
        self.client.set_resolver(resolver);
        self.forget_connection();
    }

    /// The client's per-step limits (connect, response head, idle...); see
    /// [`Timeouts`]. The whole-request [`timeout`](HttpRequest::set_timeout) comes on top.
    pub fn set_timeouts(&mut self, timeouts: Timeouts) {
        self.client.set_timeouts(timeouts);
        self.timeouts = timeouts;
    }

    /// The client's protocol limits (head size, header count...); see [`Limits`].
    pub fn set_limits(&mut self, limits: Limits) {
        self.client.set_limits(limits);
    }

    /// Whether `Host`, `User-Agent`, `Accept` and (with
    /// [`set_accept_gzip`](HttpRequest::set_accept_gzip)) `Accept-Encoding` are added to
    /// requests that lack them; see [`HttpClient::set_automatic_headers`]. Off, the caller
    /// spells out every header (bodies it asked to be compressed are still decoded); a
    /// caller's `Host` is rewritten for a redirect to another origin. Credentials in the
    /// URL still become `Authorization`, and a resume still sends `Range`.
    pub fn set_automatic_headers(&mut self, on: bool) {
        self.client.set_automatic_headers(on);
    }

    /// The `User-Agent` sent unless a request has its own.
    pub fn set_user_agent(&mut self, user_agent: &str) -> Result<(), Error> {
        self.client.set_user_agent(user_agent)
    }

    /// Blocking mode: every `poll()` runs the request to its end (or, with
    /// [`set_stream_body`](HttpRequest::set_stream_body), until the body can be read).
    pub fn set_blocking_mode(&mut self, enabled: bool) {
        self.client.set_blocking_mode(enabled);
    }

    /// The clock for the timeouts; see [`HttpClient::set_clock`].
    pub fn set_clock(&mut self, clock: impl Clock + 'static) {
        self.client.set_clock(clock);
    }

    /// Waits until the request can make progress (socket readiness or a deadline), at
    /// most `timeout`; see [`HttpClient::wait`]. Returns at once when no request is in
    /// progress, and with `true` when `poll()` has work that needs no socket (the body
    /// has been read to its end, or a read failed).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn wait(&mut self, timeout: Option<Duration>) -> Result<bool, Error> {
        if self.job.is_none() {
            return Ok(false);
        }
        if self.ready_without_io() {
            return Ok(true);
        }
        let timeout = match (timeout, self.job_deadline()) {
            (t, None) => t,
            (None, Some(d)) => Some(d.saturating_duration_since(self.client.now())),
            (Some(t), Some(d)) => Some(t.min(d.saturating_duration_since(self.client.now()))),
        };
        self.client.wait(timeout)
    }

    /// The earliest instant at which `poll()` has work even if the socket stays quiet.
    pub fn next_deadline(&self) -> Option<Instant> {
        match (self.client.next_deadline(), self.job_deadline()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Runs the request to its end, waiting on the socket in between: the one-call form
    /// for scripts and tools. `None` when no request is in progress. With
    /// [`set_stream_body`](HttpRequest::set_stream_body) on, what the caller has not read
    /// yet is collected into [`Completion::body`].
    ///
    /// ```no_run
    /// let mut http = pollhttp::HttpRequest::new();
    /// http.request("http://127.0.0.1:8080/", &[], pollhttp::Method::Get, "")?;
    /// let done = http.wait_for_completion().expect("a request was started");
    /// println!("{}", done.response_code);
    /// # Ok::<(), pollhttp::Error>(())
    /// ```
    #[cfg(not(target_arch = "wasm32"))]
    pub fn wait_for_completion(&mut self) -> Option<Completion> {
        if let Some(job) = self.job.as_mut() {
            job.collect = true;
        }
        loop {
            if let Some(done) = self.poll() {
                return Some(done);
            }
            self.job.as_ref()?;
            if let Err(e) = self.wait(None) {
                return Some(self.fail(e));
            }
        }
    }

    fn job_deadline(&self) -> Option<Instant> {
        self.job.as_ref().and_then(|j| j.deadline)
    }

    /// Forgets which origin the connection is for, so that the next request connects
    /// anew (after settings that change how connections are made).
    fn forget_connection(&mut self) {
        if self.job.is_none() {
            self.client.close();
            self.connected_origin = None;
        }
    }
}

/// Fetches `url` with a GET and returns when done: [`HttpRequest`] in one call, with
/// its defaults (redirects followed, bodies decoded).
///
/// ```no_run
/// let done = pollhttp::fetch("http://127.0.0.1:8080/")?;
/// println!("{} {}", done.response_code, done.text());
/// # Ok::<(), pollhttp::Error>(())
/// ```
#[cfg(not(target_arch = "wasm32"))]
pub fn fetch(url: &str) -> Result<Completion, Error> {
    let mut http = HttpRequest::new();
    http.request(url, &[], crate::Method::Get, "")?;
    http.wait_for_completion()
        .ok_or_else(|| Error::invalid("no request in progress"))
}
