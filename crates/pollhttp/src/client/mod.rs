//! `HttpClient`: Godot's `HTTPClient` contract, driving the protocol core over a stream.

use crate::conn::RecvBuf;
use crate::conn::{Connector, Progress, Via};
use crate::net::host::{host_header, parse_target, Target};
use crate::proto::{self, BodyKind, HeadEvent, Limits, RequestHead, ResponseReader};
use crate::timeouts::Deadlines;
use crate::tls::TlsOptions;
use crate::{Error, GodotError, Interest, Method, ProxyConfig, Reason, StreamPeer, Timeouts};
use proxy::Forward;
use std::io;
use std::time::{Duration, Instant};

/// The `User-Agent` sent unless the caller gives one.
pub const USER_AGENT: &str = concat!("pollhttp/", env!("CARGO_PKG_VERSION"));

/// Default for [`HttpClient::read_chunk_size`], as in Godot 4.
pub const DEFAULT_READ_CHUNK_SIZE: usize = 65536;

const MIN_READ_CHUNK_SIZE: usize = 256;
const MAX_READ_CHUNK_SIZE: usize = 16 * 1024 * 1024;

/// For a caller's buffer smaller than this, body bytes go through the receive buffer;
/// into a larger one they are read from the socket straight, its tail included (the
/// receive buffer would take more than fits and cost a second copy of the rest).
const DIRECT_READ_MIN: usize = 8 * 1024;

/// A non-blocking HTTP/1.1 client driven by [`poll`](HttpClient::poll), with the API of
/// Godot's `HTTPClient`.
///
/// One client is one connection with at most one request in flight. Nothing blocks
/// unless [blocking mode](HttpClient::set_blocking_mode) is on: name resolution runs on
/// a resolver thread, connects and reads are non-blocking, and the caller's loop calls
/// `poll()` and watches [`status`](HttpClient::status):
///
/// ```text
/// DISCONNECTED -connect_to_host-> RESOLVING -> CONNECTING -> CONNECTED
///      CONNECTED -request-> REQUESTING -> BODY -(body read)-> CONNECTED (keep-alive)
///                                                         \-> DISCONNECTED (connection ends)
/// failures: CANT_RESOLVE, CANT_CONNECT, TLS_HANDSHAKE_ERROR, CONNECTION_ERROR (sticky)
/// ```
///
/// A server that goes silent or sends too much cannot hold the client: every phase has a
/// deadline ([`Timeouts`], checked by `poll`, the reads and [`wait`](HttpClient::wait)) and
/// everything the server sends is bounded by [`Limits`].
///
/// ```no_run
/// use pollhttp::{HttpClient, Method, Status};
/// let mut http = HttpClient::new();
/// http.connect_to_host("example.com", Some(80), None)?;
/// while matches!(http.status(), Status::Resolving | Status::Connecting) {
///     http.poll()?;
///     http.wait(Some(std::time::Duration::from_millis(100)))?;
/// }
/// http.request(Method::Get, "/", &["Accept: text/html"], "")?;
/// while http.status() == Status::Requesting {
///     http.wait(None)?; // sleep until the answer arrives, then take it
///     http.poll()?;
/// }
/// let mut body = Vec::new();
/// while http.status() == Status::Body {
///     body.extend(http.read_response_body_chunk());
///     http.wait(None)?;
/// }
/// println!("{} bytes, code {}", body.len(), http.response_code());
/// # Ok::<(), pollhttp::Error>(())
/// ```
pub struct HttpClient {
    status: Status,
    /// The error behind a sticky failure status.
    last_error: Option<Error>,
    blocking: bool,
    read_chunk_size: usize,
    user_agent: String,
    http_proxy: Option<ProxyConfig>,
    https_proxy: Option<ProxyConfig>,

    /// Value of the automatic `Host` header for this connection.
    host_header: String,
    /// Set while the connection goes through an HTTP proxy: requests then use the
    /// absolute form.
    forward: Option<Forward>,
    tls_in_use: bool,
    connector: Option<Connector>,
    stream: Option<Box<dyn StreamPeer>>,
    /// Whether closing the stream calls its `shutdown` first: TLS sends `close_notify`
    /// there, and a caller's own stream gets what it was promised; for plain TCP the
    /// close alone ends the connection the same way, one system call fewer.
    shutdown_on_close: bool,

    /// Request bytes not yet accepted by the stream.
    out: Vec<u8>,
    out_pos: usize,
    /// A socket error met outside `poll()` (a write in `request()`, a read in `wait()`),
    /// reported by the next `poll()` as Godot reports a failed request write.
    deferred_error: Option<Error>,

    reader: ResponseReader,
    recv: RecvBuf,
    /// Changes whenever the transport is dropped, so that a poller can tell a new socket
    /// from an old one that happens to get the same descriptor number.
    connection_serial: u64,
    deadlines: Deadlines,
}

impl Default for HttpClient {
    fn default() -> Self {
        HttpClient::new()
    }
}

impl Drop for HttpClient {
    /// Ends the connection the way [`close`](HttpClient::close) does, so that a TLS peer
    /// gets its close_notify also when the client is simply dropped.
    fn drop(&mut self) {
        self.drop_connection();
    }
}

impl std::fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpClient")
            .field("status", &self.status)
            .field("host", &self.host_header)
            .field("tls", &self.tls_in_use)
            .field("blocking", &self.blocking)
            .field("http_proxy", &self.http_proxy)
            .field("https_proxy", &self.https_proxy)
            .field("last_error", &self.last_error)
            .finish_non_exhaustive()
    }
}

impl HttpClient {
    /// A disconnected client with Godot's defaults (`read_chunk_size` 65536,
    /// non-blocking) and the default [`Limits`].
    pub fn new() -> HttpClient {
        HttpClient {
            status: Status::Disconnected,
            last_error: None,
            blocking: false,
            read_chunk_size: DEFAULT_READ_CHUNK_SIZE,
            user_agent: USER_AGENT.to_string(),
            http_proxy: None,
            https_proxy: None,
            host_header: String::new(),
            forward: None,
            tls_in_use: false,
            connector: None,
            stream: None,
            shutdown_on_close: false,
            out: Vec::new(),
            out_pos: 0,
            deferred_error: None,
            reader: ResponseReader::new(Limits::default()),
            recv: RecvBuf::new(),
            connection_serial: 0,
            deadlines: Deadlines::default(),
        }
    }

    // ----- connection ---------------------------------------------------------------

    /// Starts connecting to `host` (Godot's `connect_to_host`).
    ///
    /// Always closes the current connection first. A leading `http://` forces plain
    /// HTTP (any `tls` options are dropped); `https://` enables TLS with `tls` or, when
    /// `None`, [`TlsOptions::client()`] (full verification). `port` `None` means 443
    /// with TLS and 80 without. IPv6 literals may be given with or without brackets.
    ///
    /// With TLS and an [HTTPS proxy](HttpClient::set_https_proxy_config) set, or without
    /// TLS and an [HTTP proxy](HttpClient::set_http_proxy_config) set, the connection goes
    /// to the proxy instead (its name is resolved the same way; failures to resolve or
    /// reach it are CANT_RESOLVE / CANT_CONNECT). Through an HTTPS proxy the client
    /// opens a `CONNECT` tunnel (still CONNECTING) and runs TLS with `host` inside it,
    /// verifying `host`'s certificate, never the proxy's; a proxy that refuses the
    /// tunnel gives CANT_CONNECT with [`Reason::ProxyRefused`] and the proxy's status
    /// code in [`last_error`](HttpClient::last_error).
    ///
    /// Returns `Ok` once the attempt has started; the outcome shows in
    /// [`status`](HttpClient::status) as [`poll`](HttpClient::poll) drives it. A host
    /// that cannot be a host name (empty, containing a port, path or spaces) and port 0
    /// are `ERR_INVALID_PARAMETER`, and so are unusable proxy settings.
    pub fn connect_to_host(
        &mut self,
        host: &str,
        port: Option<u16>,
        tls: Option<TlsOptions>,
    ) -> Result<(), Error> {
        self.close();
        let target = parse_target(host)?;
        let tls = match target.scheme_tls {
            Some(false) => None,
            Some(true) => Some(tls.unwrap_or_default()),
            None => tls,
        };
        let tls_in_use = tls.is_some();
        let port = port.unwrap_or(if tls_in_use { 443 } else { 80 });
        if port == 0 {
            let err = Error::invalid("port 0 cannot be connected to");
            return Err(self.fail(Status::CantConnect, err));
        }
        let host_header = host_header(&target, port, tls_in_use);
        let via = self.proxy_route(&target, port, &host_header, tls_in_use)?;
        self.host_header = host_header;
        self.tls_in_use = tls_in_use;
        self.start_connector(&target, port, tls, via);
        Ok(())
    }

    fn start_connector(
        &mut self,
        target: &Target,
        port: u16,
        tls: Option<TlsOptions>,
        via: Option<Via>,
    ) {
        let connector = Connector::start(target, port, tls, via);
        self.deadlines.start_connect(Instant::now());
        self.status = connector.status();
        self.connector = Some(connector);
    }

    /// Uses `peer` as the connection (Godot's `set_connection`): closes the current one
    /// and enters CONNECTED. The stream must be non-blocking (see [`StreamPeer`]).
    pub fn set_connection(&mut self, peer: Box<dyn StreamPeer>) {
        self.close();
        self.stream = Some(peer);
        self.shutdown_on_close = true;
        self.status = Status::Connected;
    }

    /// The stream in use, if connected (Godot's `get_connection`).
    pub fn connection(&mut self) -> Option<&mut dyn StreamPeer> {
        match &mut self.stream {
            Some(s) => Some(s.as_mut()),
            None => None,
        }
    }

    /// Takes the stream out of the client, with any bytes already received past the
    /// response head (for example after `101 Switching Protocols` or a `CONNECT`
    /// tunnel). The client is left DISCONNECTED.
    pub fn take_connection(&mut self) -> Option<(Box<dyn StreamPeer>, Vec<u8>)> {
        let stream = self.stream.take()?;
        let leftover = self.recv.filled().to_vec();
        self.close();
        Some((stream, leftover))
    }

    /// Closes the connection and forgets the response (Godot's `close`). Settings
    /// (blocking mode, chunk size, proxies, limits) are kept.
    pub fn close(&mut self) {
        self.drop_connection();
        self.status = Status::Disconnected;
        self.last_error = None;
        self.host_header.clear();
        self.forward = None;
        self.tls_in_use = false;
        // No request: the response (and what `has_response` says) is forgotten.
        self.reader.start("GET");
    }

    /// Ends the transport but keeps the response visible.
    fn drop_connection(&mut self) {
        if let Some(mut s) = self.stream.take() {
            if self.shutdown_on_close {
                s.shutdown();
            }
        }
        self.connector = None;
        self.out.clear();
        self.out_pos = 0;
        self.deferred_error = None;
        self.recv.clear();
        self.deadlines.clear();
        self.connection_serial = self.connection_serial.wrapping_add(1);
    }

    /// Enters a sticky failure status, dropping the transport; returns `err` for the caller.
    fn fail(&mut self, status: Status, err: Error) -> Error {
        self.drop_connection();
        self.status = status;
        self.last_error = Some(err.clone());
        err
    }

    /// `ERR_INVALID_PARAMETER` for `call` made in a status that does not allow it.
    fn wrong_status(&self, call: &'static str) -> Error {
        Error::new(
            GodotError::InvalidParameter,
            Reason::WrongStatus {
                call,
                status: self.status,
            },
        )
    }

    fn connection_error(&mut self, reason: Reason) -> Error {
        self.fail(
            Status::ConnectionError,
            Error::new(GodotError::ConnectionError, reason),
        )
    }

    // ----- poll ---------------------------------------------------------------------

    /// Advances the connection (Godot's `poll`).
    ///
    /// Per status: RESOLVING and CONNECTING drive the connect pipeline; CONNECTED checks
    /// that the server has not closed the idle connection; REQUESTING sends what is left
    /// of the request and reads the response head; BODY does nothing (the body is read
    /// by [`read_response_body_chunk`](HttpClient::read_response_body_chunk)).
    /// DISCONNECTED gives `ERR_UNCONFIGURED`; the failure statuses give their error
    /// again on every call.
    ///
    /// In [blocking mode](HttpClient::set_blocking_mode) a call does not return until
    /// its phase is over (connected, or the whole response head received).
    pub fn poll(&mut self) -> Result<(), Error> {
        match self.status {
            Status::Disconnected => Err(Error::new(GodotError::Unconfigured, Reason::NotConnected)),
            Status::Resolving | Status::Connecting => self.poll_connect(),
            Status::Connected => self.poll_idle(),
            Status::Requesting => self.poll_requesting(),
            Status::Body => self.poll_body(),
            Status::CantResolve | Status::CantConnect => Err(self.sticky_error()),
            Status::ConnectionError | Status::TlsHandshakeError => Err(self.sticky_error()),
        }
    }

    fn sticky_error(&self) -> Error {
        let godot = match self.status {
            Status::CantResolve => GodotError::CantResolve,
            Status::CantConnect => GodotError::CantConnect,
            _ => GodotError::ConnectionError,
        };
        let reason = self
            .last_error
            .as_ref()
            .map(|e| e.reason().clone())
            .unwrap_or(Reason::NotConnected);
        Error::new(godot, reason)
    }

    fn poll_connect(&mut self) -> Result<(), Error> {
        loop {
            let Some(connector) = self.connector.as_mut() else {
                return Err(self.connection_error(Reason::NotConnected));
            };
            match connector.poll() {
                Progress::Pending(status) => {
                    self.status = status;
                    let now = Instant::now();
                    if let Some((status, err)) = self.deadlines.check_connect(connector, now) {
                        return Err(self.fail(status, err));
                    }
                    if !self.blocking {
                        return Ok(());
                    }
                    if let Err(e) = connector.wait(self.deadlines.wait_limit(now)) {
                        return Err(
                            self.fail(Status::CantConnect, Error::io(GodotError::CantConnect, &e))
                        );
                    }
                }
                Progress::Ready(stream) => {
                    self.deadlines.connected(Instant::now());
                    self.connector = None;
                    self.stream = Some(stream);
                    self.shutdown_on_close = self.tls_in_use;
                    self.status = Status::Connected;
                    return Ok(());
                }
                Progress::Failed(status, err) => return Err(self.fail(status, err)),
            }
        }
    }

    /// Detects a server that closed (or wrote to) an idle keep-alive connection.
    fn poll_idle(&mut self) -> Result<(), Error> {
        let Some(stream) = self.stream.as_mut() else {
            return Err(self.connection_error(Reason::NotConnected));
        };
        let mut probe = [0u8; 1];
        match stream.read(&mut probe) {
            Ok(0) => {
                Err(self.connection_error(Reason::PeerClosed("while the connection was idle")))
            }
            Ok(_) => Err(self.connection_error(Reason::UnexpectedData)),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Ok(()),
            Err(e) => Err(self.connection_error(Reason::io(&e))),
        }
    }

    /// BODY: the body is read by the read calls; `poll` only checks the deadlines. A
    /// stalled body is one with nothing to read: bytes waiting for the caller are not the
    /// server's delay.
    fn poll_body(&mut self) -> Result<(), Error> {
        let Some(err) = self.deadlines.check_request(Instant::now()) else {
            return Ok(());
        };
        if err.timeout_phase() == Some(crate::TimeoutPhase::Idle) && self.body_readable() {
            return Ok(());
        }
        Err(self.fail(Status::ConnectionError, err))
    }

    fn body_readable(&mut self) -> bool {
        if !self.recv.is_empty() {
            return true;
        }
        match self.stream.as_mut() {
            Some(s) => {
                s.has_buffered_read()
                    || s.wait(Interest::Read, Some(Duration::ZERO)).unwrap_or(true)
            }
            None => false,
        }
    }

    fn poll_requesting(&mut self) -> Result<(), Error> {
        if let Some(err) = self.deferred_error.take() {
            return Err(self.fail(Status::ConnectionError, err));
        }
        loop {
            self.flush_request()?;
            if self.out_pos >= self.out.len() && self.deadlines.sending() {
                self.deadlines.request_sent(Instant::now());
            }
            // Blocking mode waits before reading: every complete head in the receive
            // buffer has been taken, so a read now (just after sending) would only find
            // nothing and cost a system call. The wait ends by the next deadline; with
            // the request sent, the stream waits and reads in one go.
            let mut first_read = FirstRead::Now;
            if self.blocking && !self.has_pending_input() {
                let limit = self.deadlines.wait_limit(Instant::now());
                if self.out_pos >= self.out.len() {
                    first_read = FirstRead::WaitUpTo(limit);
                } else {
                    let Some(stream) = self.stream.as_mut() else {
                        return Err(self.connection_error(Reason::NotConnected));
                    };
                    if let Err(e) = stream.wait(Interest::ReadWrite, limit) {
                        return Err(self.connection_error(Reason::io(&e)));
                    }
                }
            }
            if self.read_head(first_read)? {
                return Ok(());
            }
            if let Some(err) = self.deadlines.check_request(Instant::now()) {
                return Err(self.fail(Status::ConnectionError, err));
            }
            if !self.blocking {
                return Ok(());
            }
        }
    }

    /// Writes pending request bytes until done or the socket is full; a failure ends
    /// the connection.
    fn flush_request(&mut self) -> Result<(), Error> {
        match self.write_request() {
            Ok(true) => {
                self.deadlines.progress(Instant::now());
                Ok(())
            }
            Ok(false) => Ok(()),
            Err(reason) => Err(self.connection_error(reason)),
        }
    }

    /// Writes pending request bytes until done or the socket is full, returning whether
    /// any went out; once all are out (and pushed through TLS), drops the copy. The
    /// error says why the connection cannot go on.
    pub(super) fn write_request(&mut self) -> Result<bool, Reason> {
        let Some(stream) = self.stream.as_mut() else {
            return Err(Reason::NotConnected);
        };
        if self.out.is_empty() {
            // Sent and pushed out already: the copy is dropped only after the flush.
            return Ok(false);
        }
        let mut wrote = false;
        while self.out_pos < self.out.len() {
            match stream.write(&self.out[self.out_pos..]) {
                Ok(0) => return Err(Reason::PeerClosed("while sending the request")),
                Ok(n) => {
                    self.out_pos += n;
                    wrote = true;
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(wrote),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(Reason::io(&e)),
            }
        }
        match stream.flush() {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(wrote),
            Err(e) => return Err(Reason::io(&e)),
        }
        if self.out.capacity() > 64 * 1024 {
            // A large upload's copy is not kept around for the connection's lifetime.
            self.out = Vec::new();
        } else {
            self.out.clear();
        }
        self.out_pos = 0;
        Ok(wrote)
    }

    /// Reads until the final response head is parsed (true) or the socket has no more
    /// bytes for now (false). `first_read` says whether the first socket read may wait.
    fn read_head(&mut self, mut first_read: FirstRead) -> Result<bool, Error> {
        // When this call last received bytes: also when the head arrived, if they end it.
        let mut received = None;
        loop {
            if !self.recv.is_empty() {
                match self.reader.feed_head(self.recv.filled()) {
                    Ok(HeadEvent::Complete { consumed }) => {
                        self.recv.consume(consumed);
                        self.head_complete(received.unwrap_or_else(Instant::now));
                        return Ok(true);
                    }
                    Ok(HeadEvent::NeedMore { consumed }) => self.recv.consume(consumed),
                    Err(e) => return Err(self.connection_error(Reason::Protocol(e))),
                }
            }
            let max = self.head_read_limit();
            let Some(stream) = self.stream.as_mut() else {
                return Err(self.connection_error(Reason::NotConnected));
            };
            let res = match std::mem::replace(&mut first_read, FirstRead::Now) {
                FirstRead::Now => self.recv.fill_from(stream.as_mut(), max),
                FirstRead::WaitUpTo(limit) => self.recv.fill_waiting(stream.as_mut(), max, limit),
            };
            match res {
                Ok(0) => {
                    let e = match self.reader.on_eof() {
                        Err(e) => Reason::Protocol(e),
                        Ok(()) => Reason::PeerClosed("before the response head was complete"),
                    };
                    return Err(self.connection_error(e));
                }
                Ok(_) => {
                    let now = Instant::now();
                    self.deadlines.progress(now);
                    received = Some(now);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(false),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(self.connection_error(Reason::io(&e))),
            }
        }
    }

    /// The final head is in: it arrived at `now`.
    fn head_complete(&mut self, now: Instant) {
        self.deadlines.head_received(now);
        if self.reader.is_complete() {
            self.body_finished();
        } else {
            self.status = Status::Body;
        }
    }

    /// The response is fully read: keep the connection for the next request only when
    /// its framing allows and no stray bytes follow; otherwise close it (DISCONNECTED).
    fn body_finished(&mut self) {
        self.deadlines.request_finished();
        if self.reader.can_reuse() && self.recv.is_empty() {
            self.status = Status::Connected;
        } else {
            self.drop_connection();
            self.status = Status::Disconnected;
        }
    }

    // ----- status and waiting -------------------------------------------------------

    /// The current status (Godot's `get_status`).
    pub fn status(&self) -> Status {
        self.status
    }

    /// The TLS version negotiated on the current connection, `None` for plain TCP or
    /// while not connected.
    pub fn tls_version(&self) -> Option<crate::TlsVersion> {
        self.stream.as_ref().and_then(|s| s.tls_version())
    }

    /// The error behind the current failure status (CANT_RESOLVE, CANT_CONNECT,
    /// CONNECTION_ERROR, TLS_HANDSHAKE_ERROR): which check failed and why.
    pub fn last_error(&self) -> Option<&Error> {
        self.last_error.as_ref()
    }

    /// Sleeps until this client has something to do, or `timeout` passes (`None`: no
    /// limit), so that a caller's loop need not spin. Returns `Ok(true)` when it is worth
    /// calling [`poll`](HttpClient::poll) or reading the body, `Ok(false)` on timeout.
    /// Returns at once in statuses with nothing to wait for.
    ///
    /// A wait also ends at the next deadline of [`Timeouts`] (returning `Ok(true)`), so
    /// that the caller's next `poll` reports the timeout.
    ///
    /// While a response head is due (REQUESTING, request sent) the wait takes in the
    /// bytes that end it, so the next `poll` finds them without another system call; on
    /// a connection used for several exchanges, waiting and reading are then one call.
    /// A socket error met here is reported by that `poll`.
    pub fn wait(&mut self, timeout: Option<Duration>) -> Result<bool, Error> {
        let (timeout, deadline) = self.deadlines.clamp_wait(timeout, Instant::now());
        let res = match self.status {
            Status::Resolving | Status::Connecting => match self.connector.as_mut() {
                Some(c) => c.wait(timeout),
                None => Ok(true),
            },
            Status::Requesting | Status::Body | Status::Connected => {
                if self.has_pending_input() {
                    return Ok(true);
                }
                if self.status == Status::Requesting
                    && self.out_pos >= self.out.len()
                    && self.recv.is_empty()
                    && self.deferred_error.is_none()
                {
                    return Ok(self.wait_for_head(timeout) || deadline);
                }
                let interest = self.interest().unwrap_or(Interest::Read);
                match self.stream.as_mut() {
                    Some(s) => s.wait(interest, timeout),
                    None => Ok(true),
                }
            }
            _ => Ok(true),
        };
        res.map(|ready| ready || deadline)
            .map_err(|e| Error::io(GodotError::ConnectionError, &e))
    }

    /// How large the receive buffer may grow while a head is read: one byte past the
    /// limit, so that the parser sees a head that breaks it.
    fn head_read_limit(&self) -> usize {
        self.reader.limits().max_head_bytes.saturating_add(1)
    }

    /// Waits for the response head by reading it: the bytes wait in the receive buffer
    /// for the next `poll()`, which then needs no system call, and a stream that can wait
    /// and read in one call does. A read error is kept for that `poll()` to report.
    fn wait_for_head(&mut self, timeout: Option<Duration>) -> bool {
        let max = self.head_read_limit();
        let Some(stream) = self.stream.as_mut() else {
            return true;
        };
        match self.recv.fill_waiting(stream.as_mut(), max, timeout) {
            Ok(n) => {
                if n > 0 {
                    self.deadlines.progress(Instant::now());
                }
                true
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => false,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => true,
            Err(e) => {
                self.deferred_error = Some(Error::io(GodotError::ConnectionError, &e));
                true
            }
        }
    }

    /// The instant by which [`poll`](HttpClient::poll) must be called even if the socket
    /// shows no readiness, so that an expired [timeout](Timeouts) is noticed; for callers
    /// that wait on [`raw_fd`](HttpClient::raw_fd) in their own poller. `None` when no
    /// clock runs.
    pub fn next_deadline(&self) -> Option<Instant> {
        self.deadlines.next_deadline()
    }

    /// True when the client already holds received input that [`poll`](HttpClient::poll)
    /// or a body read can act on without the socket becoming readable: body bytes that
    /// arrived with the head, or data (or a close) already taken in by the TLS layer.
    ///
    /// A caller that waits on [`raw_fd`](HttpClient::raw_fd) with its own poller must not
    /// wait while this is true: the socket may stay silent although there is work.
    /// ([`Poller`](crate::Poller) handles this.)
    pub fn has_pending_input(&self) -> bool {
        match self.status {
            // A partial head in the receive buffer needs more bytes from the socket.
            Status::Body if !self.recv.is_empty() => true,
            Status::Requesting | Status::Body | Status::Connected => {
                self.stream.as_ref().is_some_and(|s| s.has_buffered_read())
            }
            _ => false,
        }
    }

    /// Changes every time the transport is dropped (see [`Poller`](crate::Poller)).
    pub(crate) fn connection_serial(&self) -> u64 {
        self.connection_serial
    }

    /// What the client waits for on its socket now, for callers that register
    /// [`raw_fd`](HttpClient::raw_fd) with their own poller. `None` while resolving
    /// (the resolver thread has no socket) and in statuses with nothing to wait for.
    pub fn interest(&self) -> Option<Interest> {
        match self.status {
            Status::Resolving | Status::Connecting => {
                self.connector.as_ref().and_then(|c| c.interest())
            }
            Status::Requesting if self.out_pos < self.out.len() => Some(Interest::ReadWrite),
            Status::Requesting | Status::Body | Status::Connected => Some(Interest::Read),
            _ => None,
        }
    }

    /// The socket's file descriptor, to register with the caller's own poller (epoll,
    /// mio, an engine's event loop). Changes when the client reconnects.
    ///
    /// Use it for readiness only. Its `O_NONBLOCK` flag belongs to the client, which
    /// clears it on a connection that keeps waiting (blocking mode, [`wait`](Self::wait))
    /// so that a wait and a read are one system call; the client's own reads and writes
    /// pass `MSG_DONTWAIT` and never block.
    #[cfg(unix)]
    pub fn raw_fd(&self) -> Option<std::os::fd::RawFd> {
        match (&self.stream, &self.connector) {
            (Some(s), _) => s.raw_fd(),
            (None, Some(c)) => c.raw_fd(),
            _ => None,
        }
    }

    /// Godot's `query_string_from_dict`, as a method for ported code; see
    /// [`query_string_from_dict`](crate::query_string_from_dict).
    ///
    /// ```
    /// let http = pollhttp::HttpClient::new();
    /// let fields = vec![("q".to_string(), "rust poll".to_string())];
    /// assert_eq!(http.query_string_from_dict(&fields), "q=rust%20poll");
    /// ```
    pub fn query_string_from_dict<I>(&self, fields: I) -> String
    where
        I: IntoIterator,
        I::Item: crate::QueryField,
    {
        crate::query_string_from_dict(fields)
    }
}

mod proxy;
mod query_string;
mod request;
mod response;
mod response_code;
mod response_view;
mod settings;
mod status;

pub use query_string::{query_string_from_dict, QueryField, QueryValue};
pub use response_code::ResponseCode;
pub use response_view::{Headers, Response};
pub use status::Status;

/// Whether the first socket read of [`HttpClient::read_head`] may wait for bytes.
enum FirstRead {
    /// Read what is there now.
    Now,
    /// Wait up to this long (`None`: no limit) for bytes, then read them.
    WaitUpTo(Option<Duration>),
}
