//! One HTTP/1.1 client connection's whole life as a state machine: connect deadlines, the
//! proxy's `CONNECT` tunnel, each request and its response, the reuse decision.

use crate::request::has_field;
use crate::tunnel::{TunnelEvent, TunnelHandshake};
use crate::{
    validate_method, write_request_head_checked_line, ConnError, Decoded, HeadEvent, Limits,
    ProtoError, RequestBody, RequestHead, RequestMethod, ResponseReader, SendError, Time,
    TimeoutPhase, Timeouts, Timestamp,
};
use alloc::borrow::Cow;
use alloc::boxed::Box;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::time::Duration;

/// Where the driver's connect pipeline is, as it reports it with
/// [`Connection::handle_connect_stage`]. Each stage has its own limit in [`Timeouts`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ConnectStage {
    /// Looking the name up ([`Timeouts::resolve`]).
    Resolving,
    /// TCP connect attempts to the resolved addresses, reported one by one with
    /// [`Connection::handle_attempt_started`] and [`Connection::handle_attempt_failed`]:
    /// each has its own [`Timeouts::connect`], and while addresses remain another one is
    /// due every [`Timeouts::attempt_delay`] (Happy Eyeballs, RFC 8305), the earlier ones
    /// going on meanwhile. A driver that reports no attempt is bounded by
    /// [`Timeouts::connect_total`] alone here.
    Tcp,
    /// Waiting for an HTTPS proxy's answer to `CONNECT` (bounded by
    /// [`Timeouts::connect_total`] alone).
    Tunnel,
    /// The TLS handshake ([`Timeouts::tls_handshake`]).
    Tls,
}

/// What a [`Connection`] is doing, for the driver to map to its own statuses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Phase {
    /// No connection: before the first connect, after [`close`](Connection::close), after a
    /// failure, or after a response whose connection cannot carry another request.
    Closed,
    /// The connect pipeline runs.
    Connecting(ConnectStage),
    /// Connected, ready for [`send_request`](Connection::send_request).
    Idle,
    /// Request bytes remain to be written ([`transmit`](Connection::transmit)).
    Sending,
    /// The request is sent; the final response head is due.
    AwaitingHead,
    /// The head is in; the body is being read.
    Body,
    /// A 101 to a requested `Upgrade`, or a 2xx to `CONNECT`: HTTP has ended here and the
    /// bytes after the head belong to the other protocol.
    Switched,
}

/// What expired in [`Connection::handle_timeout`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expiry {
    /// The [`Timeouts::connect`] limit of one TCP attempt expired while another attempt is
    /// in progress or addresses remain: the driver closes that attempt (`error` says why,
    /// to record as its failure) and, when no attempt is left in progress, starts the next
    /// address at once. The connection goes on. The core has already forgotten the
    /// attempt; reporting it failed as well does no harm.
    AttemptExpired {
        /// The attempt's number, as the driver gave it to
        /// [`handle_attempt_started`](Connection::handle_attempt_started).
        attempt: usize,
        /// The expired limit.
        error: ConnError,
    },
    /// [`Timeouts::attempt_delay`] has passed since the last attempt started, none has
    /// connected, and addresses remain: the driver starts the next one now, keeping the
    /// attempts in progress (RFC 8305), and reports it with
    /// [`handle_attempt_started`](Connection::handle_attempt_started). The delay runs again
    /// from here even if the driver starts nothing.
    NextAttempt,
    /// A limit ended the connection; it is [`Closed`](Phase::Closed) now.
    Failed(ConnError),
}

/// Requests through an HTTP proxy: the absolute-form target and the proxy's credentials
/// (RFC 9112 section 3.2.2).
///
/// ```
/// use pollhttp_proto::ProxyForm;
/// let form = ProxyForm::new("example.com:8080", Some("Basic dTpw"));
/// assert_eq!(form.target("/a?b"), "http://example.com:8080/a?b");
/// assert_eq!(form.target("*"), "http://example.com:8080");
/// assert_eq!(form.target("http://other/x"), "http://other/x");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProxyForm {
    /// `http://host[:port]`, put before origin-form targets.
    origin: String,
    /// The `Proxy-Authorization: ...` field line, when the proxy has credentials.
    authorization: Option<String>,
}

impl ProxyForm {
    /// Requests to the origin whose `Host` value is `host_header`, through a proxy that
    /// wants `authorization` (the field's value, such as `Basic ...`) when given.
    pub fn new(host_header: &str, authorization: Option<&str>) -> ProxyForm {
        ProxyForm {
            origin: format!("http://{host_header}"),
            authorization: authorization.map(|a| format!("Proxy-Authorization: {a}")),
        }
    }

    /// The request target as the proxy must see it: origin-form paths become absolute.
    pub fn target<'a>(&'a self, target: &'a str) -> Cow<'a, str> {
        if target.starts_with('/') {
            Cow::Owned(format!("{}{target}", self.origin))
        } else if target == "*" {
            // RFC 9112 section 3.2.4: an absolute form without a path stands for
            // `OPTIONS *` at the origin.
            Cow::Borrowed(&self.origin)
        } else {
            Cow::Borrowed(target)
        }
    }
}

/// Whom a connection talks to, given to [`Connection::start_connect`].
#[derive(Clone, Debug, Default)]
pub struct Route {
    /// The value of the automatic `Host` header (see [`host_header`](crate::host_header)).
    pub host_header: String,
    /// Set when requests go through an HTTP proxy.
    pub proxy_form: Option<ProxyForm>,
    /// The `CONNECT` request (from [`connect_request`](crate::connect_request)) when the
    /// connection is a tunnel through an HTTPS proxy.
    pub tunnel: Option<Vec<u8>>,
}

/// The request bytes not yet written: the head, then the body, as two buffers.
#[derive(Debug, Default)]
struct Outgoing {
    head: Vec<u8>,
    body: RequestBody,
    /// Bytes of head and body written so far.
    written: usize,
}

impl Outgoing {
    fn pending(&self) -> (&[u8], &[u8]) {
        let head = self.head.get(self.written..).unwrap_or_default();
        let into_body = self.written.saturating_sub(self.head.len());
        let body = self.body.as_bytes().get(into_body..).unwrap_or_default();
        (head, body)
    }

    fn is_written(&self) -> bool {
        self.written >= self.head.len() + self.body.len()
    }

    /// Drops what was sent; a large head's buffer is not kept for the connection's life.
    fn clear(&mut self) {
        if self.head.capacity() > 64 * 1024 {
            self.head = Vec::new();
        } else {
            self.head.clear();
        }
        self.body = RequestBody::EMPTY;
        self.written = 0;
    }
}

/// The TCP stage's attempts, as the driver reports them.
#[derive(Debug)]
struct Attempts<T> {
    /// The attempts in progress: the driver's number for each, and when it started.
    pending: Vec<(usize, T)>,
    /// When the last attempt started, or the attempt delay last passed.
    last_start: Option<T>,
    /// Addresses remain that no attempt has tried yet.
    more: bool,
}

impl<T> Default for Attempts<T> {
    fn default() -> Self {
        Attempts {
            pending: Vec::new(),
            last_start: None,
            more: false,
        }
    }
}

impl<T: Time> Attempts<T> {
    /// When the oldest attempt's `connect` limit expires.
    fn first_expiry(&self, connect: Option<Duration>) -> Option<T> {
        let limit = connect?;
        self.pending
            .iter()
            .filter_map(|&(_, started)| started.checked_add(limit))
            .min()
    }

    /// When the next attempt is due, if one is.
    fn next_due(&self, delay: Option<Duration>) -> Option<T> {
        if !self.more {
            return None;
        }
        at(self.last_start?, delay)
    }
}

/// The connect pipeline's clocks and, through an HTTPS proxy, the tunnel handshake.
#[derive(Debug)]
struct Connecting<T> {
    limits: Timeouts,
    started: T,
    stage: ConnectStage,
    stage_since: T,
    /// The TCP attempts (in the `Tcp` stage).
    attempts: Attempts<T>,
    tunnel: Option<Box<TunnelHandshake>>,
    /// The `CONNECT` request, until the tunnel stage starts.
    tunnel_request: Option<Vec<u8>>,
}

/// Where an exchange is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    /// Request bytes remain, or are written but not yet flushed.
    Sending,
    AwaitingHead,
    Body,
}

/// One request and its response, with their clocks.
#[derive(Debug)]
struct Exchange<T> {
    step: Step,
    limits: Timeouts,
    total_deadline: Option<T>,
    head_deadline: Option<T>,
    /// When bytes last moved, for `idle`.
    last_progress: T,
    /// The request asked for `Upgrade`, so a 101 is an answer rather than a violation.
    upgrade: bool,
}

#[derive(Debug)]
enum State<T> {
    Closed,
    Connecting(Connecting<T>),
    Idle {
        /// Time the connect phase took, charged to the first request's `total`.
        connect_spent: Duration,
    },
    Exchange(Exchange<T>),
    Switched,
}

/// One HTTP/1.1 client connection, free of IO and clocks: the driver moves bytes between
/// it and a socket and tells it the time; it says what to send, what the bytes received
/// mean, when the next deadline is, and whether the connection may carry the next request.
///
/// The driver's loop, per phase ([`phase`](Self::phase)):
///
/// - **Connecting**: report each stage of its pipeline with
///   [`handle_connect_stage`](Self::handle_connect_stage); in the
///   [`Tcp`](ConnectStage::Tcp) stage, each connect attempt with
///   [`handle_attempt_started`](Self::handle_attempt_started) and
///   [`handle_attempt_failed`](Self::handle_attempt_failed), starting another address when
///   [`handle_timeout`](Self::handle_timeout) says [`Expiry::NextAttempt`] and closing one
///   at [`Expiry::AttemptExpired`]; in the [`Tunnel`](ConnectStage::Tunnel) stage, write [`transmit`](Self::transmit) and feed the
///   proxy's bytes to [`handle_tunnel_input`](Self::handle_tunnel_input); when the stream is
///   ready, [`handle_connected`](Self::handle_connected).
/// - **Idle**: [`send_request`](Self::send_request). A byte arriving now is a fault
///   ([`handle_idle_input`](Self::handle_idle_input)).
/// - **Sending**: write [`transmit`](Self::transmit) (head and body, two buffers for one
///   vectored write), report with [`handle_sent`](Self::handle_sent), then
///   [`handle_flushed`](Self::handle_flushed) once the stream has pushed them out.
/// - **AwaitingHead** (also while sending: a server may answer early): after each read,
///   [`handle_received`](Self::handle_received), then [`handle_head`](Self::handle_head) with
///   the receive buffer.
/// - **Body**: [`read_body`](Self::read_body) with buffered bytes, or a read of at most
///   [`direct_window`](Self::direct_window) bytes straight into the caller's buffer reported
///   with [`consume_direct`](Self::consume_direct).
/// - End of stream in any phase: [`handle_eof`](Self::handle_eof).
/// - Always: [`poll_timeout`](Self::poll_timeout) says by when to call
///   [`handle_timeout`](Self::handle_timeout) at the latest.
///
/// When a response ends, the phase says what follows: `Idle` (the connection is reusable:
/// its framing allows it and no stray byte followed), `Closed` (drop the stream), or
/// `Switched`. Every error is final for the connection, which is `Closed` after it (a body
/// error is sticky instead, see [`read_body`](Self::read_body)); the response read so far
/// stays readable through [`response`](Self::response).
///
/// ```
/// use core::time::Duration;
/// use pollhttp_proto::*;
///
/// let t0 = Timestamp::ZERO;
/// let mut conn = Connection::new(Limits::default(), Timeouts::default());
/// conn.start_connect(Route { host_header: "example.com".into(), ..Route::default() }, t0);
/// conn.handle_attempt_started(0, false, t0);
/// conn.handle_connected(t0);
/// assert_eq!(conn.phase(), Phase::Idle);
///
/// conn.send_request(Method::Get, "/", &["Accept: text/plain"], RequestBody::EMPTY, t0)
///     .unwrap();
/// let (head, body) = conn.transmit();
/// assert!(head.starts_with(b"GET / HTTP/1.1\r\nHost: example.com\r\n"));
/// let n = head.len() + body.len();
/// conn.handle_sent(n, t0);
/// conn.handle_flushed(t0);
/// assert_eq!(conn.phase(), Phase::AwaitingHead);
///
/// // The server is silent: at the response_head limit the connection fails.
/// let late = t0 + Duration::from_secs(120);
/// assert_eq!(conn.poll_timeout(), Some(late));
/// let just_before = Timestamp::from_duration(Duration::from_millis(119_999));
/// assert!(conn.handle_timeout(just_before, false).is_none());
/// let expired = conn.handle_timeout(late, false);
/// assert!(matches!(
///     expired,
///     Some(Expiry::Failed(ConnError::Timeout { phase: TimeoutPhase::ResponseHead, .. }))
/// ));
/// assert_eq!(conn.phase(), Phase::Closed);
/// ```
#[derive(Debug)]
pub struct Connection<T = Timestamp> {
    limits: Timeouts,
    user_agent: String,
    automatic_headers: bool,
    host_header: String,
    proxy_form: Option<ProxyForm>,
    reader: ResponseReader,
    out: Outgoing,
    state: State<T>,
}

impl<T: Time> Connection<T> {
    /// A closed connection with these limits and no `User-Agent`.
    pub fn new(limits: Limits, timeouts: Timeouts) -> Connection<T> {
        Connection {
            limits: timeouts,
            user_agent: String::new(),
            automatic_headers: true,
            host_header: String::new(),
            proxy_form: None,
            reader: ResponseReader::new(limits),
            out: Outgoing::default(),
            state: State::Closed,
        }
    }

    // ----- settings --------------------------------------------------------------------

    /// The protocol limits for the responses from now on.
    pub fn set_limits(&mut self, limits: Limits) {
        self.reader.set_limits(limits);
    }

    /// The protocol limits in force.
    pub fn limits(&self) -> &Limits {
        self.reader.limits()
    }

    /// The time limits for the clocks started from now on; running clocks keep theirs.
    pub fn set_timeouts(&mut self, timeouts: Timeouts) {
        self.limits = timeouts;
    }

    /// The time limits that the next clock will use.
    pub fn timeouts(&self) -> &Timeouts {
        &self.limits
    }

    /// The automatic `User-Agent` value; empty sends none. Checked when a request is
    /// written.
    pub fn set_user_agent(&mut self, user_agent: &str) {
        self.user_agent.clear();
        self.user_agent.push_str(user_agent);
    }

    /// The automatic `User-Agent` value.
    pub fn user_agent(&self) -> &str {
        &self.user_agent
    }

    /// Whether requests from now on get the automatic headers their own headers do not
    /// replace: `Host`, `User-Agent` (unless empty), `Accept: */*` and `Content-Length: 0`
    /// for an empty POST, PUT or PATCH. On by default, as in Godot.
    ///
    /// Off, a request carries exactly the caller's headers, in the caller's order (a
    /// request without `Host` then has none), plus what cannot be left out: the
    /// `Content-Length` of a non-empty body that the caller frames neither with
    /// `Content-Length` nor with `Transfer-Encoding`, and through an HTTP proxy with
    /// credentials, `Proxy-Authorization`. The `CONNECT` request of a tunnel is not
    /// affected.
    ///
    /// ```
    /// use pollhttp_proto::*;
    /// let t0 = Timestamp::ZERO;
    /// let mut conn = Connection::new(Limits::default(), Timeouts::default());
    /// conn.set_user_agent("demo/1.0");
    /// conn.set_automatic_headers(false);
    /// conn.start_connect(Route { host_header: "example.com".into(), ..Route::default() }, t0);
    /// conn.handle_connected(t0);
    /// conn.send_request(Method::Post, "/", &["X-A: 1"], RequestBody::EMPTY, t0)?;
    /// assert_eq!(conn.transmit().0, b"POST / HTTP/1.1\r\nX-A: 1\r\n\r\n");
    /// # Ok::<(), SendError>(())
    /// ```
    pub fn set_automatic_headers(&mut self, on: bool) {
        self.automatic_headers = on;
    }

    /// Whether requests get the automatic headers (see
    /// [`set_automatic_headers`](Self::set_automatic_headers)).
    pub fn automatic_headers(&self) -> bool {
        self.automatic_headers
    }

    // ----- state -----------------------------------------------------------------------

    /// What the connection is doing.
    pub fn phase(&self) -> Phase {
        match &self.state {
            State::Closed => Phase::Closed,
            State::Connecting(c) => Phase::Connecting(c.stage),
            State::Idle { .. } => Phase::Idle,
            State::Exchange(x) => match x.step {
                Step::Sending => Phase::Sending,
                Step::AwaitingHead => Phase::AwaitingHead,
                Step::Body => Phase::Body,
            },
            State::Switched => Phase::Switched,
        }
    }

    /// The current or last response: head, framing, trailers.
    pub fn response(&self) -> &ResponseReader {
        &self.reader
    }

    /// Whether the last request's response arrived whole: its head and all of its body (or
    /// the head of a protocol switch). True from then until the next request or
    /// [`close`](Self::close), whatever became of the connection afterwards.
    pub fn is_response_complete(&self) -> bool {
        self.reader.is_complete()
    }

    /// Ends the connection and forgets the response.
    pub fn close(&mut self) {
        self.drop_transport();
        self.reader.reset();
        self.host_header.clear();
        self.proxy_form = None;
    }

    /// The transport is gone (closed, failed, or taken by the caller): `Closed`, with the
    /// response kept readable.
    pub fn drop_transport(&mut self) {
        self.out.clear();
        self.state = State::Closed;
    }

    // ----- connecting -------------------------------------------------------------------

    /// A connect pipeline starts now, towards `route`. Whatever ran before is dropped.
    pub fn start_connect(&mut self, route: Route, now: T) {
        self.close();
        self.host_header = route.host_header;
        self.proxy_form = route.proxy_form;
        self.state = State::Connecting(Connecting {
            limits: self.limits,
            started: now,
            stage: ConnectStage::Resolving,
            stage_since: now,
            attempts: Attempts::default(),
            tunnel: None,
            tunnel_request: route.tunnel,
        });
    }

    /// Takes over a stream connected by other means (Godot's `set_connection`): `Idle` at
    /// once, requests sent with `host_header`.
    pub fn adopt(&mut self, host_header: &str) {
        self.close();
        self.host_header.push_str(host_header);
        self.state = State::Idle {
            connect_spent: Duration::ZERO,
        };
    }

    /// The driver's pipeline is now at `stage`. A new stage starts its own clock (the TCP
    /// stage's clocks are its attempts'); entering [`ConnectStage::Tunnel`] queues the
    /// `CONNECT` request.
    pub fn handle_connect_stage(&mut self, stage: ConnectStage, now: T) {
        let State::Connecting(c) = &mut self.state else {
            return;
        };
        if c.stage == stage {
            return;
        }
        c.stage = stage;
        c.stage_since = now;
        c.attempts.pending.clear();
        c.attempts.last_start = None;
        c.attempts.more = false;
        if stage == ConnectStage::Tunnel {
            if let Some(request) = c.tunnel_request.take() {
                c.tunnel = Some(Box::new(TunnelHandshake::new(
                    request,
                    self.reader.limits().clone(),
                )));
            }
        }
    }

    /// A TCP connect attempt, numbered `attempt` by the driver (any numbers, each used
    /// once), started at `now`; `more` says whether addresses remain that no attempt has
    /// tried. The attempt's [`Timeouts::connect`] starts, and so does the
    /// [`Timeouts::attempt_delay`] after which [`handle_timeout`](Self::handle_timeout)
    /// asks for the next attempt ([`Expiry::NextAttempt`]).
    ///
    /// Reporting an attempt while resolving enters the [`ConnectStage::Tcp`] stage; in the
    /// tunnel or TLS stage (a late report) it is ignored. An attempt that fails at once is
    /// reported started, then failed.
    ///
    /// ```
    /// use core::time::Duration;
    /// use pollhttp_proto::*;
    ///
    /// let t = |ms| Timestamp::from_duration(Duration::from_millis(ms));
    /// let mut conn = Connection::new(Limits::default(), Timeouts::default());
    /// conn.start_connect(Route::default(), t(0));
    /// conn.handle_attempt_started(0, true, t(0)); // first of two addresses
    /// assert_eq!(conn.phase(), Phase::Connecting(ConnectStage::Tcp));
    /// assert_eq!(conn.poll_timeout(), Some(t(250))); // the attempt delay
    /// assert_eq!(conn.handle_timeout(t(250), false), Some(Expiry::NextAttempt));
    /// conn.handle_attempt_started(1, false, t(250)); // the first goes on
    /// assert_eq!(conn.poll_timeout(), Some(t(30_000))); // the first one's connect limit
    /// ```
    pub fn handle_attempt_started(&mut self, attempt: usize, more: bool, now: T) {
        let State::Connecting(c) = &mut self.state else {
            return;
        };
        match c.stage {
            ConnectStage::Tcp => {}
            ConnectStage::Resolving => {
                c.stage = ConnectStage::Tcp;
                c.stage_since = now;
                c.attempts.pending.clear();
            }
            ConnectStage::Tunnel | ConnectStage::Tls => return,
        }
        c.attempts.pending.push((attempt, now));
        c.attempts.last_start = Some(now);
        c.attempts.more = more;
    }

    /// The TCP attempt numbered `attempt` ended without a connection (refused, unreachable,
    /// or closed by the driver): its `connect` clock stops. The driver starts the next
    /// address at once, if any, and reports it.
    pub fn handle_attempt_failed(&mut self, attempt: usize) {
        if let State::Connecting(c) = &mut self.state {
            c.attempts.pending.retain(|&(n, _)| n != attempt);
        }
    }

    /// Whether the pipeline goes through an HTTPS proxy's tunnel that is not open yet.
    pub fn wants_tunnel(&self) -> bool {
        matches!(&self.state, State::Connecting(c) if c.tunnel_request.is_some() || c.tunnel.is_some())
    }

    /// Bytes from the proxy during the tunnel stage: `Ok(true)` once the tunnel is open
    /// (the driver goes on to TLS).
    ///
    /// # Errors
    ///
    /// The proxy's refusal or a broken answer; the connection is `Closed` after it.
    pub fn handle_tunnel_input(&mut self, bytes: &[u8]) -> Result<bool, ConnError> {
        let State::Connecting(Connecting {
            tunnel: Some(t), ..
        }) = &mut self.state
        else {
            return Err(self.fail(ConnError::UnexpectedData));
        };
        match t.received(bytes) {
            Ok(TunnelEvent::NeedMore) => Ok(false),
            Ok(TunnelEvent::Open) => {
                if let State::Connecting(c) = &mut self.state {
                    c.tunnel = None;
                }
                Ok(true)
            }
            Err(e) => Err(self.fail(e)),
        }
    }

    /// The stream is ready for HTTP: `Idle` (from `Connecting` only).
    pub fn handle_connected(&mut self, now: T) {
        if let State::Connecting(c) = &self.state {
            let connect_spent = now.saturating_since(c.started);
            self.state = State::Idle { connect_spent };
        }
    }

    // ----- sending ----------------------------------------------------------------------

    /// Queues a request: checks it (method and target first, then the connection's
    /// readiness, then the headers, Godot's order) and writes its head. Through an HTTP
    /// proxy the target takes the absolute form and `Proxy-Authorization` is added unless
    /// given.
    ///
    /// `method` is a [`Method`](crate::Method) or any [`RequestMethod`]; an extension
    /// method ([`RequestMethod::Other`]) is written as given and its response is framed
    /// as [`RequestMethod::framing_method`] says (as a `GET`'s: a body unless the status
    /// rules one out).
    ///
    /// # Errors
    ///
    /// [`SendError::Invalid`] for a request that must not be sent (see
    /// [`write_request_head`](crate::write_request_head); [`ProtoError::InvalidMethod`]
    /// for an extension method that is not a token), [`SendError::NotReady`] unless
    /// `Idle`. Nothing is queued.
    pub fn send_request<'m, H: AsRef<str>>(
        &mut self,
        method: impl Into<RequestMethod<'m>>,
        target: &str,
        headers: &[H],
        body: RequestBody,
        now: T,
    ) -> Result<(), SendError> {
        let method: RequestMethod<'m> = method.into();
        if let RequestMethod::Other(token) = method {
            validate_method(token).map_err(SendError::Invalid)?;
        }
        crate::validate_target(method.as_str(), target).map_err(SendError::Invalid)?;
        let State::Idle { connect_spent } = self.state else {
            return Err(SendError::NotReady);
        };
        // Every way into Idle leaves the request buffers empty.
        let written = match &self.proxy_form {
            // The request line was checked above.
            None => write_request_head_checked_line(
                &mut self.out.head,
                &RequestHead {
                    method: method.as_str(),
                    target,
                    host: &self.host_header,
                    headers,
                    body_len: body.len(),
                    content_length_if_empty: method.expects_body(),
                    user_agent: &self.user_agent,
                },
                self.automatic_headers,
            ),
            Some(form) => {
                let absolute = form.target(target);
                let authorization = form
                    .authorization
                    .as_deref()
                    .filter(|_| !has_field(headers, "proxy-authorization"));
                let headers: Vec<&str> = headers
                    .iter()
                    .map(AsRef::as_ref)
                    .chain(authorization)
                    .collect();
                // The absolute target is new text: checked before it is written.
                let request = RequestHead {
                    method: method.as_str(),
                    target: &absolute,
                    host: &self.host_header,
                    headers: &headers,
                    body_len: body.len(),
                    content_length_if_empty: method.expects_body(),
                    user_agent: &self.user_agent,
                };
                crate::validate_target(request.method, request.target).and_then(|()| {
                    write_request_head_checked_line(
                        &mut self.out.head,
                        &request,
                        self.automatic_headers,
                    )
                })
            }
        };
        if let Err(e) = written {
            self.out.clear();
            return Err(SendError::Invalid(match e {
                // The proxy's credentials come after the caller's headers: their fault is
                // the setting's, not a header the caller gave.
                ProtoError::InvalidHeader { index, why } if index >= headers.len() => {
                    ProtoError::InvalidAutomaticHeader {
                        name: "Proxy-Authorization",
                        why,
                    }
                }
                e => e,
            }));
        }
        self.out.body = body;
        self.reader.start(method.framing_method());
        let limits = self.limits;
        let budget = limits.total.map(|t| t.saturating_sub(connect_spent));
        self.state = State::Exchange(Exchange {
            step: Step::Sending,
            limits,
            total_deadline: budget.and_then(|b| now.checked_add(b)),
            head_deadline: None,
            last_progress: now,
            upgrade: !headers.is_empty() && has_field(headers, "upgrade"),
        });
        Ok(())
    }

    /// The bytes to write now, as two buffers (for one vectored write): the request head
    /// and body while sending, the `CONNECT` request in the tunnel stage; empty otherwise.
    pub fn transmit(&self) -> (&[u8], &[u8]) {
        match &self.state {
            State::Exchange(Exchange {
                step: Step::Sending,
                ..
            }) => self.out.pending(),
            State::Connecting(Connecting {
                tunnel: Some(t), ..
            }) => (t.to_send(), &[]),
            _ => (&[], &[]),
        }
    }

    /// Whether the driver should wait for the stream to take bytes: request or `CONNECT`
    /// bytes remain, or a flush is due.
    pub fn wants_write(&self) -> bool {
        match &self.state {
            State::Exchange(x) => x.step == Step::Sending,
            State::Connecting(Connecting {
                tunnel: Some(t), ..
            }) => !t.to_send().is_empty(),
            _ => false,
        }
    }

    /// `n` bytes of [`transmit`](Self::transmit) were written at `now`.
    pub fn handle_sent(&mut self, n: usize, now: T) {
        match &mut self.state {
            State::Exchange(x) if x.step == Step::Sending => {
                self.out.written = self.out.written.saturating_add(n);
                if n > 0 {
                    x.last_progress = now;
                }
            }
            State::Connecting(Connecting {
                tunnel: Some(t), ..
            }) => t.sent(n),
            _ => {}
        }
    }

    /// The stream has pushed out everything written (its flush succeeded) at `now`: once
    /// the whole request is out, the wait for the response head begins and the request's
    /// buffers are released.
    pub fn handle_flushed(&mut self, now: T) {
        if let State::Exchange(x) = &mut self.state {
            if x.step == Step::Sending && self.out.is_written() {
                x.step = Step::AwaitingHead;
                x.last_progress = now;
                x.head_deadline = x.limits.response_head.and_then(|l| now.checked_add(l));
                self.out.clear();
            }
        }
    }

    // ----- receiving --------------------------------------------------------------------

    /// Bytes arrived from the peer at `now` (they count as progress for `idle`).
    pub fn handle_received(&mut self, now: T) {
        if let State::Exchange(x) = &mut self.state {
            x.last_progress = now;
        }
    }

    /// Looks for the final response head at the start of `buf`, the driver's receive buffer
    /// (see [`ResponseReader::feed_head`]); call it while sending too, since a server may
    /// answer before the request is complete. When the head is complete, the phase moves
    /// on: to `Body`, or, for a response without body, to `Idle` (or `Closed` when the
    /// connection cannot be reused, including when bytes follow the head), or `Switched`.
    ///
    /// # Errors
    ///
    /// The reader's errors, and [`ProtoError::UnsolicitedSwitch`] for a 101 to a request
    /// without `Upgrade`. The connection is `Closed` after an error.
    pub fn handle_head(&mut self, buf: &[u8], now: T) -> Result<HeadEvent, ConnError> {
        let State::Exchange(x) = &mut self.state else {
            return Ok(HeadEvent::NeedMore { consumed: 0 });
        };
        let upgrade = x.upgrade;
        let event = match self.reader.feed_head(buf) {
            Ok(e) => e,
            Err(e) => return Err(self.fail(e.into())),
        };
        let HeadEvent::Complete { consumed } = event else {
            return Ok(event);
        };
        if self.reader.is_switched() {
            if self.reader.head().code() == 101 && !upgrade {
                // Like any other broken head, it is no response.
                self.reader.reset();
                return Err(self.fail(ProtoError::UnsolicitedSwitch.into()));
            }
            // The bytes after the head are the other protocol's: they stay in the
            // driver's buffer for whoever takes the stream.
            self.out.clear();
            self.state = State::Switched;
            return Ok(event);
        }
        if let State::Exchange(x) = &mut self.state {
            x.step = Step::Body;
            x.head_deadline = None;
            x.last_progress = now;
        }
        if self.reader.is_complete() {
            self.finish(buf.len() > consumed);
        }
        Ok(event)
    }

    /// Decodes body bytes from the start of `input` (bytes the driver buffered after the
    /// head): at most one run of at most `max_data` bytes (see
    /// [`ResponseReader::read_body`]). When the body ends here, the phase moves on to `Idle`
    /// or `Closed` (also when bytes follow the body).
    ///
    /// # Errors
    ///
    /// The reader's errors. A body error is sticky rather than closing: every later call
    /// repeats it until [`drop_transport`](Self::drop_transport), so that a driver may
    /// first hand out the bytes decoded before it and report the failure on its next read.
    pub fn read_body(&mut self, input: &[u8], max_data: usize) -> Result<Decoded, ConnError> {
        if !matches!(&self.state, State::Exchange(x) if x.step == Step::Body) {
            return Ok(Decoded::nothing());
        }
        let d = self.reader.read_body(input, max_data)?;
        if self.reader.is_complete() {
            self.finish(input.len() > d.consumed);
        }
        Ok(d)
    }

    /// How many body bytes may be read straight into the caller's buffer (see
    /// [`ResponseReader::direct_window`]); only while the driver's own buffer is empty.
    pub fn direct_window(&self) -> u64 {
        self.reader.direct_window()
    }

    /// Records `n` body bytes read straight into the caller's buffer at `now`.
    ///
    /// # Errors
    ///
    /// [`ProtoError::BodyTooLarge`] past the body limit, sticky as in
    /// [`read_body`](Self::read_body).
    pub fn consume_direct(&mut self, n: usize, now: T) -> Result<(), ConnError> {
        self.handle_received(now);
        self.reader.consume_direct(n)?;
        if self.reader.is_complete() && matches!(self.state, State::Exchange(_)) {
            self.finish(false);
        }
        Ok(())
    }

    /// The stream reached its end (after every buffered byte was passed on). A
    /// close-delimited body ends well here (the phase becomes `Closed`); anywhere else it
    /// is an error.
    ///
    /// # Errors
    ///
    /// Why this end is not valid: an empty reply, a truncated head or body, a proxy that
    /// closed before the tunnel opened, a server that closed an idle connection. The
    /// connection is `Closed` after it.
    pub fn handle_eof(&mut self) -> Result<(), ConnError> {
        let err = match &self.state {
            State::Closed | State::Switched => return Ok(()),
            State::Connecting(Connecting {
                tunnel: Some(t), ..
            }) => t.closed(),
            State::Connecting(_) => ConnError::PeerClosed("while connecting"),
            State::Idle { .. } => ConnError::PeerClosed("while the connection was idle"),
            State::Exchange(_) => match self.reader.on_eof() {
                Ok(()) => {
                    self.drop_transport();
                    return Ok(());
                }
                Err(e) => ConnError::Protocol(e),
            },
        };
        Err(self.fail(err))
    }

    /// Bytes arrived while no response was due: the connection cannot be trusted with
    /// another request. Returns the error; the connection is `Closed`.
    pub fn handle_idle_input(&mut self) -> ConnError {
        self.fail(ConnError::UnexpectedData)
    }

    /// The response is complete: keep the connection for the next request only when its
    /// framing allows it and no stray byte follows.
    fn finish(&mut self, stray: bool) {
        // A server may answer before the whole request is written (a 413 to an upload):
        // the rest was never sent, and the server would read the next request as its body.
        let unsent = !self.out.is_written();
        self.out.clear();
        self.state = if self.reader.can_reuse() && !stray && !unsent {
            State::Idle {
                connect_spent: Duration::ZERO,
            }
        } else {
            State::Closed
        };
    }

    fn fail(&mut self, err: ConnError) -> ConnError {
        self.drop_transport();
        err
    }

    // ----- time -------------------------------------------------------------------------

    /// The earliest deadline of the clocks running now: call
    /// [`handle_timeout`](Self::handle_timeout) by then even if nothing else happens.
    /// `None` when no clock runs (closed, idle, switched).
    #[must_use]
    pub fn poll_timeout(&self) -> Option<T> {
        match &self.state {
            State::Connecting(c) => earliest(
                earliest(
                    at(c.started, c.limits.total),
                    at(c.started, c.limits.connect_total),
                ),
                match c.stage {
                    ConnectStage::Tcp => earliest(
                        c.attempts.first_expiry(c.limits.connect),
                        c.attempts.next_due(c.limits.effective_attempt_delay()),
                    ),
                    stage => at(c.stage_since, stage_limit(stage, &c.limits).map(|(_, l)| l)),
                },
            ),
            State::Exchange(x) => earliest(
                earliest(x.total_deadline, x.head_deadline),
                at(x.last_progress, x.limits.idle),
            ),
            State::Closed | State::Idle { .. } | State::Switched => None,
        }
    }

    /// Checks the clocks at `now`. `unread_input` says the driver holds received bytes the
    /// caller has not read yet: then the connection is not stalled, whatever the time
    /// since bytes last arrived, and `idle` does not expire.
    ///
    /// Limits expire at their instant exactly (`now == deadline` expires). The order of
    /// checks, when several have expired: `total`, `connect_total`, the stage's own limit
    /// (in the TCP stage: the oldest attempt's `connect`, then the attempt delay); in an
    /// exchange `total`, `response_head`, `idle`. One call reports one thing: a driver
    /// that acted on [`Expiry::AttemptExpired`] or [`Expiry::NextAttempt`] calls again.
    pub fn handle_timeout(&mut self, now: T, unread_input: bool) -> Option<Expiry> {
        let (phase, limits) = match &mut self.state {
            State::Connecting(c) => {
                let l = c.limits;
                if expired(at(c.started, l.total), now) {
                    (TimeoutPhase::Total, l)
                } else if expired(at(c.started, l.connect_total), now) {
                    (TimeoutPhase::ConnectTotal, l)
                } else if c.stage == ConnectStage::Tcp {
                    return tcp_timeout(&mut c.attempts, &l, now).map(|e| match e {
                        Expiry::Failed(e) => Expiry::Failed(self.fail(e)),
                        other => other,
                    });
                } else {
                    let (phase, limit) = stage_limit(c.stage, &l)?;
                    if !expired(at(c.stage_since, Some(limit)), now) {
                        return None;
                    }
                    (phase, l)
                }
            }
            State::Exchange(x) => {
                let l = x.limits;
                if expired(x.total_deadline, now) {
                    (TimeoutPhase::Total, l)
                } else if expired(x.head_deadline, now) {
                    (TimeoutPhase::ResponseHead, l)
                } else if !unread_input && expired(at(x.last_progress, l.idle), now) {
                    (TimeoutPhase::Idle, l)
                } else {
                    return None;
                }
            }
            State::Closed | State::Idle { .. } | State::Switched => return None,
        };
        let after = limits.get(phase).unwrap_or_default();
        Some(Expiry::Failed(
            self.fail(ConnError::Timeout { phase, after }),
        ))
    }
}

/// The limit of a connect stage, if it has one of its own (the TCP stage's are its
/// attempts': see [`tcp_timeout`]).
fn stage_limit(stage: ConnectStage, l: &Timeouts) -> Option<(TimeoutPhase, Duration)> {
    let (phase, limit) = match stage {
        ConnectStage::Resolving => (TimeoutPhase::Resolve, l.resolve),
        ConnectStage::Tls => (TimeoutPhase::TlsHandshake, l.tls_handshake),
        // A proxy's answer to CONNECT is bounded by `connect_total` alone.
        ConnectStage::Tunnel | ConnectStage::Tcp => return None,
    };
    limit.map(|l| (phase, l))
}

/// The TCP stage's clocks at `now`: the oldest attempt's `connect` limit first (the last
/// hope's expiry fails the connection), then the attempt delay.
fn tcp_timeout<T: Time>(a: &mut Attempts<T>, l: &Timeouts, now: T) -> Option<Expiry> {
    if let Some(limit) = l.connect {
        let oldest = a
            .pending
            .iter()
            .enumerate()
            .filter(|(_, &(_, started))| expired(started.checked_add(limit), now))
            .min_by_key(|(_, &(_, started))| started)
            .map(|(i, _)| i);
        if let Some(i) = oldest {
            let (attempt, _) = a.pending.remove(i);
            let error = ConnError::Timeout {
                phase: TimeoutPhase::Connect,
                after: limit,
            };
            if a.pending.is_empty() && !a.more {
                return Some(Expiry::Failed(error));
            }
            return Some(Expiry::AttemptExpired { attempt, error });
        }
    }
    if expired(a.next_due(l.effective_attempt_delay()), now) {
        a.last_start = Some(now);
        return Some(Expiry::NextAttempt);
    }
    None
}

fn at<T: Time>(start: T, limit: Option<Duration>) -> Option<T> {
    limit.and_then(|l| start.checked_add(l))
}

/// The earlier of two optional instants (`None` is no limit).
fn earliest<T: Time>(a: Option<T>, b: Option<T>) -> Option<T> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn expired<T: Time>(deadline: Option<T>, now: T) -> bool {
    deadline.is_some_and(|d| now >= d)
}

#[cfg(test)]
mod tests;
