//! `HttpClient` in the browser: Godot's `HTTPClient` contract over `fetch`.

use super::fetch::{BodyState, BrowserError, Fetch, FetchRequest};
use super::forbidden::{header_refusal, method_refusal};
use super::TlsOptions;
use crate::clock::ClientClock;
use crate::net::host::parse_target;
use crate::proto::{host_header, validate_headers, validate_method, validate_target};
use crate::proto::{HeadParse, HeadParser, HeaderList, Limits, ProtoError, ResponseHead};
use crate::{Clock, Error, GodotError, Instant, Reason, RequestMethod, Status};
use crate::{TimeoutPhase, Timeouts};
use std::io;
use std::time::Duration;
use web_sys::ResponseType;

/// A poll-driven HTTP client in the browser, with the API of Godot's `HTTPClient`, over
/// the page's (or worker's) `fetch`.
///
/// It works as Godot's web export does, so a loop written for the native client runs
/// unchanged: [`connect_to_host`](HttpClient::connect_to_host) does no network work and
/// `poll()` steps RESOLVING (or CONNECTING for an IP address) to CONNECTED;
/// [`request`](HttpClient::request) starts a `fetch` (REQUESTING); once its promise
/// resolves, the status code and the headers the browser shows are there and the status
/// is BODY; [`read_response_body_chunk`](HttpClient::read_response_body_chunk) hands out
/// the body stream's bytes, with at most one read of the stream in flight, and the end of
/// the body is DISCONNECTED: every request starts with `connect_to_host` again, which
/// costs nothing here (the browser keeps its own connections alive).
///
/// There is no executor and no callback to register: `poll()` looks at the promises'
/// state. The browser settles them only between the page's tasks, so a loop must give
/// control back to the browser between polls (one poll per animation frame, as a game
/// does); polling twice in one task makes no progress.
///
/// What differs from the native client (see the manual's chapter
/// [In the browser](crate::manual::web)):
///
/// - Every failure is CONNECTION_ERROR with the browser's message: a page is not told
///   whether a name did not resolve, a connection was refused, a certificate was bad, or
///   CORS kept the response from it.
/// - A cross-origin response is readable only when the server allows the page's origin
///   (`Access-Control-Allow-Origin`), and shows only the CORS-safelisted headers unless
///   the server lists others in `Access-Control-Expose-Headers`.
/// - The browser follows redirects (see [`set_follow_redirects`](HttpClient::set_follow_redirects))
///   and decodes `Content-Encoding` itself, so [`response_body_length`](HttpClient::response_body_length)
///   is the `Content-Length` only for a same-origin response that was not encoded.
/// - Blocking mode and proxies fail with `ERR_UNAVAILABLE`; headers the browser forbids
///   (`Host`, `Content-Length`, `Accept-Encoding`, `Cookie`, `Origin`, `Referer`,
///   `Proxy-*`, `Sec-*`...) and the methods TRACE, CONNECT and TRACK are refused by
///   [`request`](HttpClient::request) with an error that names them.
/// - [`close`](HttpClient::close), a new request and every timeout abort the transfer
///   with an `AbortController`: the browser stops downloading.
///
/// ```no_run
/// use pollhttp::{HttpClient, Method, Status};
///
/// // Called once per animation frame.
/// fn frame(http: &mut HttpClient, body: &mut Vec<u8>) -> Result<(), pollhttp::Error> {
///     http.poll()?;
///     match http.status() {
///         Status::Connected => http.request(Method::Get, "/data.json", &[], "")?,
///         Status::Body => body.extend(http.read_response_body_chunk()),
///         _ => {}
///     }
///     Ok(())
/// }
///
/// let mut http = HttpClient::new();
/// http.connect_to_host("https://example.com", None, None)?;
/// # Ok::<(), pollhttp::Error>(())
/// ```
pub struct HttpClient {
    pub(super) status: Status,
    /// `scheme://authority` of the last `connect_to_host`.
    pub(super) origin: Option<String>,
    pub(super) fetch: Option<Fetch>,
    /// The final response's head as the browser shows it.
    pub(super) head: Option<ResponseHead>,
    /// Always empty: the browser does not show trailers.
    pub(super) trailers: HeaderList,
    /// What the browser says of the response beyond its head.
    pub(super) shown: Shown,
    pub(super) complete: bool,
    pub(super) failure: Option<Error>,
    pub(super) body_bytes: u64,
    pub(super) clock: ClientClock,
    pub(super) timeouts: Timeouts,
    pub(super) limits: Limits,
    pub(super) read_chunk_size: usize,
    pub(super) blocking: bool,
    pub(super) automatic_headers: bool,
    pub(super) follow_redirects: bool,
    /// Whether a proxy was set for http or https: a page cannot use one.
    pub(super) proxy_set: [bool; 2],
    /// When `connect_to_host` was called: the start of `total`.
    pub(super) started: Option<Instant>,
    /// When the request was made: the start of `response_head`.
    pub(super) requested: Option<Instant>,
    /// When the last progress was seen (the response, a piece of the body): the start of
    /// `idle`, counted only while the client waits on the browser.
    pub(super) progressed: Option<Instant>,
}

/// What the browser says of a response beyond its status and headers.
#[derive(Clone, Debug, Default)]
pub(super) struct Shown {
    pub(super) url: Option<String>,
    pub(super) redirected: bool,
    pub(super) same_origin: bool,
}

impl Default for HttpClient {
    fn default() -> Self {
        HttpClient::new()
    }
}

impl std::fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpClient")
            .field("status", &self.status)
            .field("origin", &self.origin)
            .field("last_error", &self.failure)
            .finish_non_exhaustive()
    }
}

impl HttpClient {
    /// A client in DISCONNECTED, with the default [`Timeouts`] and [`Limits`].
    pub fn new() -> HttpClient {
        HttpClient {
            status: Status::Disconnected,
            origin: None,
            fetch: None,
            head: None,
            trailers: HeaderList::new(),
            shown: Shown::default(),
            complete: false,
            failure: None,
            body_bytes: 0,
            clock: ClientClock::default(),
            timeouts: Timeouts::default(),
            limits: Limits::default(),
            read_chunk_size: crate::DEFAULT_READ_CHUNK_SIZE,
            blocking: false,
            automatic_headers: true,
            follow_redirects: true,
            proxy_set: [false; 2],
            started: None,
            requested: None,
            progressed: None,
        }
    }

    pub(crate) fn now(&self) -> Instant {
        self.clock.now()
    }

    /// Reads the time from `clock` instead of the page's `performance.now()`, for tests
    /// of the timeouts in virtual time.
    pub fn set_clock(&mut self, clock: impl Clock + 'static) {
        self.clock.set(clock);
    }

    /// Remembers the origin for the next requests (Godot's `connect_to_host`); no network
    /// work happens. `host` may carry `http://` or `https://`; with neither, `tls` picks
    /// HTTPS. The status becomes RESOLVING for a name and CONNECTING for an IP address;
    /// `poll()` goes on to CONNECTED.
    ///
    /// # Errors
    ///
    /// `ERR_INVALID_PARAMETER` for a host that is not one, or port 0;
    /// `ERR_UNAVAILABLE` with blocking mode on or a proxy set: a page can do neither.
    pub fn connect_to_host(
        &mut self,
        host: &str,
        port: Option<u16>,
        tls: Option<TlsOptions>,
    ) -> Result<(), Error> {
        self.close();
        if self.blocking {
            return Err(unavailable(
                "blocking mode: a browser page cannot block; poll() once per frame instead",
            ));
        }
        if self.proxy_set.contains(&true) {
            return Err(unavailable(
                "proxies: the browser picks the proxy, a page cannot set one",
            ));
        }
        let target = parse_target(host)?;
        let tls = match target.scheme_tls {
            Some(t) => t,
            None => tls.is_some(),
        };
        let port = port.unwrap_or(if tls { 443 } else { 80 });
        if port == 0 {
            return Err(Error::invalid("port 0 cannot be connected to"));
        }
        let scheme = if tls { "https" } else { "http" };
        self.origin = Some(format!(
            "{scheme}://{}",
            host_header(&target.host, port, tls)
        ));
        self.started = Some(self.now());
        self.status = if target.ip.is_some() {
            Status::Connecting
        } else {
            Status::Resolving
        };
        Ok(())
    }

    /// Drops the connection (Godot's `close`): a transfer in flight is aborted, so the
    /// browser stops it. The status becomes DISCONNECTED and the response is forgotten.
    pub fn close(&mut self) {
        self.fetch = None;
        self.origin = None;
        self.head = None;
        self.shown = Shown::default();
        self.complete = false;
        self.failure = None;
        self.body_bytes = 0;
        self.started = None;
        self.requested = None;
        self.progressed = None;
        self.status = Status::Disconnected;
    }

    /// The client's status (Godot's `get_status`).
    #[doc(alias = "get_status")]
    pub fn status(&self) -> Status {
        self.status
    }

    /// The error behind the current failure status (CONNECTION_ERROR): the browser's
    /// message, or the timeout that aborted the transfer.
    pub fn last_error(&self) -> Option<&Error> {
        self.failure.as_ref()
    }

    /// Moves the client on (Godot's `poll`): RESOLVING to CONNECTING to CONNECTED, one
    /// step per call; while REQUESTING, takes the response if the browser has it; while
    /// BODY, takes the result of the body read in flight and starts the next one when the
    /// caller has taken every byte. Checks the timeouts, aborting the transfer when one
    /// expires.
    ///
    /// # Errors
    ///
    /// The failure that put the client into CONNECTION_ERROR during this call.
    pub fn poll(&mut self) -> Result<(), Error> {
        match self.status {
            Status::Resolving => self.status = Status::Connecting,
            Status::Connecting => self.status = Status::Connected,
            Status::Requesting => self.poll_response()?,
            Status::Body => self.poll_body()?,
            _ => {}
        }
        Ok(())
    }

    /// Sends a request with a text body (Godot's `request`); see
    /// [`request_raw`](HttpClient::request_raw).
    pub fn request<'m>(
        &mut self,
        method: impl Into<RequestMethod<'m>>,
        url: &str,
        headers: &[&str],
        body: &str,
    ) -> Result<(), Error> {
        self.request_raw(method, url, headers, body.as_bytes())
    }

    /// Starts a `fetch` for `url` on the connected origin (Godot's `request_raw`). Allowed
    /// only in CONNECTED; the status becomes REQUESTING.
    ///
    /// `url` is a path such as `/index.html?x=1` or an absolute `http(s)://` URL, as for
    /// the native client. `headers` are `"Name: value"` strings; the browser adds its own
    /// (`Host`, `User-Agent`, `Accept-Encoding`, `Origin`...), and nothing is added here.
    /// A header the browser forbids a page to send, or TRACE, CONNECT or TRACK, is refused
    /// by name instead of being dropped by the browser unseen. Note that Chromium still
    /// drops `User-Agent`, which the standard allows (Firefox sends it).
    ///
    /// # Errors
    ///
    /// `ERR_INVALID_PARAMETER` for a bad method, target or header, a forbidden header, a
    /// body on GET or HEAD (the browser refuses one), or a call outside CONNECTED;
    /// `ERR_UNAVAILABLE` for TRACE, CONNECT and TRACK. Nothing is sent then.
    pub fn request_raw<'m>(
        &mut self,
        method: impl Into<RequestMethod<'m>>,
        url: &str,
        headers: &[&str],
        body: impl Into<crate::proto::RequestBody>,
    ) -> Result<(), Error> {
        let method = method.into();
        let body = body.into();
        let method = method.as_str();
        let invalid =
            |e: ProtoError| Error::new(GodotError::InvalidParameter, Reason::InvalidRequest(e));
        validate_method(method).map_err(invalid)?;
        validate_target(method, url).map_err(invalid)?;
        if self.status != Status::Connected {
            return Err(Error::new(
                GodotError::InvalidParameter,
                Reason::WrongStatus {
                    call: "request",
                    status: self.status,
                },
            ));
        }
        validate_headers(headers).map_err(invalid)?;
        if let Some(why) = method_refusal(method) {
            return Err(unavailable(format!("{method}: {why}")));
        }
        let mut fields = Vec::with_capacity(headers.len());
        for line in headers {
            let (name, value) = line.split_once(':').unwrap_or((line, ""));
            let (name, value) = (name.trim(), value.trim());
            if let Some(why) = header_refusal(name, value) {
                return Err(Error::invalid(format!("header {name}: {why}")));
            }
            fields.push((name, value));
        }
        let Some(origin) = self.origin.as_deref() else {
            return Err(Error::new(
                GodotError::InvalidParameter,
                Reason::NotConnected,
            ));
        };
        let full;
        let url = if url.starts_with('/') {
            full = format!("{origin}{url}");
            full.as_str()
        } else if url.starts_with("http://") || url.starts_with("https://") {
            url
        } else {
            // `*` (OPTIONS) has no URL form: the browser would resolve it against the page.
            return Err(Error::invalid(format!(
                "target {url:?}: the browser fetches only a path or an absolute URL"
            )));
        };
        let request = FetchRequest {
            url,
            method,
            headers: &fields,
            body: body.as_bytes(),
            follow_redirects: self.follow_redirects,
        };
        let fetch = Fetch::start(&request).map_err(|e| {
            Error::new(
                GodotError::InvalidParameter,
                Reason::Io(io::Error::new(io::ErrorKind::InvalidInput, e).into()),
            )
        })?;
        let now = self.now();
        self.fetch = Some(fetch);
        self.head = None;
        self.shown = Shown::default();
        self.complete = false;
        self.body_bytes = 0;
        self.requested = Some(now);
        self.progressed = Some(now);
        self.status = Status::Requesting;
        Ok(())
    }

    fn poll_response(&mut self) -> Result<(), Error> {
        let Some(fetch) = self.fetch.as_mut() else {
            return Ok(());
        };
        let Some(outcome) = fetch.poll_response() else {
            return self.check_deadline();
        };
        let response = outcome.map_err(|e| self.fail_browser(e))?;
        let now = self.now();
        self.progressed = Some(now);
        if response.type_() == ResponseType::Opaqueredirect {
            let why = "the server redirected and following redirects is off; a page is \
                       shown neither the redirect's status nor its Location";
            return Err(self.fail(
                GodotError::ConnectionError,
                Reason::RedirectRefused {
                    location: String::new(),
                    why,
                },
            ));
        }
        let head = match head_of(&response, &self.limits) {
            Ok(head) => head,
            Err(e) => return Err(self.fail(GodotError::ConnectionError, Reason::Protocol(e))),
        };
        self.shown = Shown {
            url: Some(response.url()).filter(|u| !u.is_empty()),
            redirected: response.redirected(),
            same_origin: response.type_() == ResponseType::Basic,
        };
        self.head = Some(head);
        self.status = Status::Body;
        // Start reading at once, so the first piece is on its way.
        self.poll_body()
    }

    fn poll_body(&mut self) -> Result<(), Error> {
        let Some(fetch) = self.fetch.as_mut() else {
            return Ok(());
        };
        let was_reading = fetch.is_reading();
        match fetch.poll_body() {
            Ok(BodyState::Ready) => {
                self.progressed = Some(self.now());
                Ok(())
            }
            Ok(BodyState::Waiting) => {
                if !was_reading {
                    // A read just started: the idle limit counts from now.
                    self.progressed = Some(self.now());
                }
                self.check_deadline()
            }
            Ok(BodyState::End) => {
                self.fetch = None;
                self.complete = true;
                self.status = Status::Disconnected;
                Ok(())
            }
            Err(e) => Err(self.fail_browser(e)),
        }
    }

    /// The nearest instant at which a timeout expires, for a loop that sleeps between
    /// frames; `None` when no limit runs.
    pub fn next_deadline(&self) -> Option<Instant> {
        self.deadlines().map(|(at, _, _)| at).min()
    }

    /// Every running limit: when it expires, which it is, and its value.
    fn deadlines(&self) -> impl Iterator<Item = (Instant, TimeoutPhase, Duration)> + '_ {
        let waiting = match self.status {
            Status::Requesting => true,
            Status::Body => self.fetch.as_ref().is_some_and(Fetch::is_reading),
            _ => false,
        };
        let t = &self.timeouts;
        let active = matches!(self.status, Status::Requesting | Status::Body);
        let limits = [
            (
                self.started.filter(|_| active),
                t.total,
                TimeoutPhase::Total,
            ),
            (
                self.requested.filter(|_| self.status == Status::Requesting),
                t.response_head,
                TimeoutPhase::ResponseHead,
            ),
            (
                self.progressed.filter(|_| waiting),
                t.idle,
                TimeoutPhase::Idle,
            ),
        ];
        limits
            .into_iter()
            .filter_map(|(from, limit, phase)| Some((from? + limit?, phase, limit?)))
    }

    fn check_deadline(&mut self) -> Result<(), Error> {
        let now = self.now();
        let expired = self
            .deadlines()
            .filter(|(at, _, _)| *at <= now)
            .min_by_key(|(at, _, _)| *at);
        match expired {
            Some((_, phase, after)) => Err(self.fail(
                GodotError::ConnectionError,
                Reason::Timeout { phase, after },
            )),
            None => Ok(()),
        }
    }

    /// Aborts the transfer and enters CONNECTION_ERROR.
    pub(super) fn fail(&mut self, godot: GodotError, reason: Reason) -> Error {
        self.fetch = None;
        let e = Error::new(godot, reason);
        self.failure = Some(e.clone());
        self.status = Status::ConnectionError;
        e
    }

    fn fail_browser(&mut self, e: BrowserError) -> Error {
        let io = io::Error::other(e);
        self.fail(GodotError::ConnectionError, Reason::Io(io.into()))
    }

    /// Godot's `query_string_from_dict`, as a method for ported code; see
    /// [`query_string_from_dict`](crate::query_string_from_dict).
    pub fn query_string_from_dict<I>(&self, fields: I) -> String
    where
        I: IntoIterator,
        I::Item: crate::QueryField,
    {
        crate::query_string_from_dict(fields)
    }
}

pub(super) fn unavailable(what: impl Into<String>) -> Error {
    Error::new(GodotError::Unavailable, Reason::Unsupported(what.into()))
}

/// The response's status line and visible headers, read as a head with the same parser
/// and limits as a native response.
fn head_of(response: &web_sys::Response, limits: &Limits) -> Result<ResponseHead, ProtoError> {
    let mut text = format!(
        "HTTP/1.1 {} {}\r\n",
        response.status(),
        response.status_text()
    );
    if let Ok(Some(entries)) = js_sys::try_iter(&response.headers()) {
        for entry in entries.flatten() {
            let pair = js_sys::Array::from(&entry);
            let (Some(name), Some(value)) = (pair.get(0).as_string(), pair.get(1).as_string())
            else {
                continue;
            };
            text.push_str(&name);
            text.push_str(": ");
            text.push_str(&value);
            text.push_str("\r\n");
        }
    }
    text.push_str("\r\n");
    let mut head = ResponseHead::new();
    match HeadParser::new().parse(text.as_bytes(), limits, &mut head)? {
        HeadParse::Complete { .. } => Ok(head),
        _ => Err(ProtoError::InvalidHead {
            why: "the browser's status and headers do not make a head",
        }),
    }
}
