//! `HttpClient`: Godot's `HTTPClient` contract, driving the core's
//! [`Connection`](crate::proto::Connection) over a stream.

use crate::conn::{Connector, Progress, RecvBuf};
use crate::net::host::parse_target;
use crate::proto::{
    host_header, ConnError, ConnectStage, Connection, Expiry, HeadEvent, Limits, Phase, Timestamp,
};
use crate::tls::TlsOptions;
use crate::{Error, GodotError, Interest, ProxyConfig, Reason, StreamPeer, Timeouts};
use std::io;
use std::time::{Duration, Instant};

mod proxy;
mod query_string;
mod request;
mod response;
mod response_code;
mod response_view;
mod settings;
mod status;

pub use query_string::{query_string_from_dict, QueryValue};
pub use response_code::ResponseCode;
pub use response_view::{Headers, Response};
pub use status::Status;

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

/// Bytes read from an HTTPS proxy per read while the tunnel opens.
const TUNNEL_READ_SIZE: usize = 4096;

/// What carries the connection's bytes.
enum Transport {
    None,
    /// The connect pipeline: resolving, connecting, tunnelling, the TLS handshake.
    Connecting(Connector),
    /// A stream ready for HTTP (or, after a protocol switch, for whoever takes it).
    Stream(Box<dyn StreamPeer>),
}

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
/// Whether an exchange ended well is [`is_response_complete`](HttpClient::is_response_complete):
/// a response whose connection cannot carry another request (`Connection: close`, HTTP/1.0,
/// a body that ran to the end of the connection) ends in DISCONNECTED, complete all the same.
///
/// The protocol itself (what to send, what the bytes mean, every deadline, whether the
/// connection may be reused) is the sans-IO [`Connection`](crate::proto::Connection) of
/// the core crate; this type moves bytes between it and the socket, reads the clock, and
/// speaks Godot's statuses and errors.
///
/// A server that goes silent or sends too much cannot hold the client: every phase has a
/// deadline ([`Timeouts`], checked by `poll`, the reads and [`wait`](HttpClient::wait)) and
/// everything the server sends is bounded by [`Limits`].
///
/// The [manual](crate::manual) walks through all of it, and
/// [its Godot chapter](crate::manual::godot) maps every name of Godot's `HTTPClient` to
/// this type.
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
    /// The protocol: the exchange, the response, every deadline.
    conn: Connection,
    transport: Transport,
    /// Bytes received and not yet taken by the core.
    recv: RecvBuf,
    /// A sticky failure status and the error behind it.
    failure: Option<(Status, Error)>,
    /// A socket error met outside `poll()` (a write in `request()`, a read in `wait()`),
    /// reported by the next `poll()` as Godot reports a failed request write.
    deferred_error: Option<Error>,
    blocking: bool,
    read_chunk_size: usize,
    http_proxy: Option<ProxyConfig>,
    https_proxy: Option<ProxyConfig>,
    tls_in_use: bool,
    /// Whether closing the stream calls its `shutdown` first: TLS sends `close_notify`
    /// there, and a caller's own stream gets what it was promised; for plain TCP the
    /// close alone ends the connection the same way, one system call fewer.
    shutdown_on_close: bool,
    /// Changes whenever the transport is dropped, so that a poller can tell a new socket
    /// from an old one that happens to get the same descriptor number.
    connection_serial: u64,
    /// The origin of the core's [`Timestamp`]s.
    epoch: Instant,
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
        self.drop_transport();
    }
}

impl std::fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpClient")
            .field("status", &self.status())
            .field("phase", &self.conn.phase())
            .field("tls", &self.tls_in_use)
            .field("blocking", &self.blocking)
            .field("http_proxy", &self.http_proxy)
            .field("https_proxy", &self.https_proxy)
            .field("last_error", &self.last_error())
            .finish_non_exhaustive()
    }
}

impl HttpClient {
    /// A disconnected client with Godot's defaults (`read_chunk_size` 65536,
    /// non-blocking) and the default [`Limits`] and [`Timeouts`].
    pub fn new() -> HttpClient {
        let mut conn = Connection::new(Limits::default(), Timeouts::default());
        conn.set_user_agent(USER_AGENT);
        HttpClient {
            conn,
            transport: Transport::None,
            recv: RecvBuf::new(),
            failure: None,
            deferred_error: None,
            blocking: false,
            read_chunk_size: DEFAULT_READ_CHUNK_SIZE,
            http_proxy: None,
            https_proxy: None,
            tls_in_use: false,
            shutdown_on_close: false,
            connection_serial: 0,
            epoch: Instant::now(),
        }
    }

    /// The one place the client reads the clock: the core is given this instant.
    fn now(&self) -> Timestamp {
        Timestamp::from_duration(self.epoch.elapsed())
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
        let host_header = host_header(&target.host, port, tls_in_use);
        let (route, via) = self.proxy_route(&target, port, host_header, tls_in_use)?;
        self.tls_in_use = tls_in_use;
        let connector = Connector::start(&target, port, tls, via);
        let now = self.now();
        self.conn.start_connect(route, now);
        self.conn.handle_connect_stage(connector.stage(), now);
        self.transport = Transport::Connecting(connector);
        Ok(())
    }

    /// Uses `peer` as the connection (Godot's `set_connection`): closes the current one
    /// and enters CONNECTED. The stream must be non-blocking (see [`StreamPeer`]).
    ///
    /// The client knows no host for such a stream, so the automatic `Host` header of its
    /// requests is empty: pass a `Host` header to [`request`](HttpClient::request).
    #[doc(alias = "connection")]
    pub fn set_connection(&mut self, peer: Box<dyn StreamPeer>) {
        self.close();
        self.conn.adopt("");
        self.transport = Transport::Stream(peer);
        self.shutdown_on_close = true;
    }

    /// The stream in use, if connected (Godot's `get_connection`).
    #[doc(alias = "get_connection")]
    pub fn connection(&mut self) -> Option<&mut dyn StreamPeer> {
        self.stream()
    }

    /// Takes the stream out of the client, with any bytes already received past the
    /// response head (after `101 Switching Protocols` to a request that asked for an
    /// `Upgrade`, or a 2xx to a `CONNECT` request, those are the other protocol's first
    /// bytes). The client is left DISCONNECTED.
    pub fn take_connection(&mut self) -> Option<(Box<dyn StreamPeer>, Vec<u8>)> {
        let Transport::Stream(stream) = std::mem::replace(&mut self.transport, Transport::None)
        else {
            return None;
        };
        let leftover = self.recv.filled().to_vec();
        self.close();
        Some((stream, leftover))
    }

    /// Closes the connection and forgets the response (Godot's `close`). Settings
    /// (blocking mode, chunk size, proxies, limits) are kept.
    pub fn close(&mut self) {
        self.drop_transport();
        self.conn.close();
        self.failure = None;
        self.tls_in_use = false;
    }

    /// Ends the transport but keeps the response visible.
    fn drop_transport(&mut self) {
        if let Transport::Stream(mut s) = std::mem::replace(&mut self.transport, Transport::None) {
            if self.shutdown_on_close {
                s.shutdown();
            }
        }
        self.conn.drop_transport();
        self.deferred_error = None;
        self.recv.clear();
        self.connection_serial = self.connection_serial.wrapping_add(1);
    }

    /// Enters a sticky failure status, dropping the transport; returns `err` for the caller.
    fn fail(&mut self, status: Status, err: Error) -> Error {
        self.drop_transport();
        self.failure = Some((status, err.clone()));
        err
    }

    /// `ERR_INVALID_PARAMETER` for `call` made in a status that does not allow it.
    fn wrong_status(&self, call: &'static str) -> Error {
        Error::new(
            GodotError::InvalidParameter,
            Reason::WrongStatus {
                call,
                status: self.status(),
            },
        )
    }

    fn connection_error(&mut self, reason: Reason) -> Error {
        self.fail(
            Status::ConnectionError,
            Error::new(GodotError::ConnectionError, reason),
        )
    }

    /// The stream, when there is one ready for HTTP.
    fn stream(&mut self) -> Option<&mut dyn StreamPeer> {
        match &mut self.transport {
            Transport::Stream(s) => Some(s.as_mut()),
            _ => None,
        }
    }

    // ----- poll ---------------------------------------------------------------------

    /// Advances the connection (Godot's `poll`).
    ///
    /// Per status: RESOLVING and CONNECTING drive the connect pipeline; CONNECTED checks
    /// that the server has not closed the idle connection; REQUESTING sends what is left
    /// of the request and reads the response head; BODY checks the deadlines (the body is
    /// read by [`read_response_body_chunk`](HttpClient::read_response_body_chunk)).
    /// DISCONNECTED gives `ERR_UNCONFIGURED`; the failure statuses give their error
    /// again on every call.
    ///
    /// In [blocking mode](HttpClient::set_blocking_mode) a call does not return until
    /// its phase is over (connected, or the whole response head received).
    pub fn poll(&mut self) -> Result<(), Error> {
        if let Some((status, err)) = &self.failure {
            // Godot's sticky statuses answer with their own error constant.
            let godot = match status {
                Status::CantResolve => GodotError::CantResolve,
                Status::CantConnect => GodotError::CantConnect,
                _ => GodotError::ConnectionError,
            };
            return Err(Error::new(godot, err.reason().clone()));
        }
        match self.conn.phase() {
            Phase::Closed | Phase::Switched => {
                Err(Error::new(GodotError::Unconfigured, Reason::NotConnected))
            }
            Phase::Connecting(_) => self.poll_connect(),
            Phase::Idle => self.poll_idle(),
            Phase::Sending | Phase::AwaitingHead => self.poll_requesting(),
            Phase::Body => self.poll_body(),
        }
    }

    fn poll_connect(&mut self) -> Result<(), Error> {
        let mut now = self.now();
        loop {
            let Transport::Connecting(connector) = &mut self.transport else {
                return Err(self.connection_error(Reason::NotConnected));
            };
            match connector.poll() {
                Progress::Ready(stream) => {
                    self.conn.handle_connected(now);
                    self.transport = Transport::Stream(stream);
                    self.shutdown_on_close = self.tls_in_use;
                    return Ok(());
                }
                Progress::Failed(status, err) => return Err(self.fail(status, err)),
                Progress::Pending => {}
            }
            let stage = connector.stage();
            self.conn.handle_connect_stage(stage, now);
            if stage == ConnectStage::Tunnel {
                match self.drive_tunnel(now) {
                    Ok(true) => continue,
                    Ok(false) => {}
                    Err(err) => return Err(self.fail(Status::CantConnect, err)),
                }
            }
            match self.conn.handle_timeout(now, false) {
                Some(Expiry::NextAddress) => {
                    if let Transport::Connecting(c) = &mut self.transport {
                        let limit = self.conn.timeouts().connect.unwrap_or_default();
                        let why = crate::proto::ConnError::Timeout {
                            phase: crate::TimeoutPhase::Connect,
                            after: limit,
                        };
                        c.skip_attempt(io::Error::new(io::ErrorKind::TimedOut, why.to_string()));
                    }
                    continue;
                }
                Some(Expiry::Failed(e)) => {
                    let (status, godot) = match stage {
                        ConnectStage::Resolving => (Status::CantResolve, GodotError::CantResolve),
                        _ => (Status::CantConnect, GodotError::CantConnect),
                    };
                    return Err(self.fail(status, Error::new(godot, e.into())));
                }
                None => {}
            }
            if !self.blocking {
                return Ok(());
            }
            let limit = self.wait_limit(now);
            let interest = self.tunnel_interest();
            if let Transport::Connecting(c) = &mut self.transport {
                if let Err(e) = c.wait(limit, interest) {
                    let err = Error::io(GodotError::CantConnect, &e);
                    return Err(self.fail(Status::CantConnect, err));
                }
            }
            now = self.now();
        }
    }

    /// What the tunnel stage waits for: room for the `CONNECT` request, then the answer.
    fn tunnel_interest(&self) -> Interest {
        if self.conn.wants_write() {
            Interest::Write
        } else {
            Interest::Read
        }
    }

    /// Moves the `CONNECT` exchange between the core and the proxy's stream: `Ok(true)`
    /// once the tunnel is open and TLS has started (or the stream is ready).
    fn drive_tunnel(&mut self, now: Timestamp) -> Result<bool, Error> {
        let Transport::Connecting(connector) = &mut self.transport else {
            return Ok(false);
        };
        let Some(stream) = connector.tunnel_stream() else {
            return Ok(false);
        };
        let cant_connect = |reason: Reason| Error::new(GodotError::CantConnect, reason);
        loop {
            let (pending, _) = self.conn.transmit();
            if pending.is_empty() {
                break;
            }
            match stream.write(pending) {
                Ok(0) => return Err(cant_connect(self.conn.handle_eof().err().into_reason())),
                Ok(n) => self.conn.handle_sent(n, now),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(false),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(cant_connect(Reason::io(&e))),
            }
        }
        let mut chunk = [0u8; TUNNEL_READ_SIZE];
        loop {
            match stream.read(&mut chunk) {
                Ok(0) => return Err(cant_connect(self.conn.handle_eof().err().into_reason())),
                Ok(n) => match self.conn.handle_tunnel_input(&chunk[..n]) {
                    Ok(false) => {}
                    Ok(true) => {
                        if let Some(Progress::Failed(_, err)) = connector.tunnel_open() {
                            return Err(err);
                        }
                        return Ok(true);
                    }
                    Err(e) => return Err(cant_connect(e.into())),
                },
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(false),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(cant_connect(Reason::io(&e))),
            }
        }
    }

    /// Detects a server that closed (or wrote to) an idle keep-alive connection.
    fn poll_idle(&mut self) -> Result<(), Error> {
        let Some(stream) = self.stream() else {
            return Err(self.connection_error(Reason::NotConnected));
        };
        let mut probe = [0u8; 1];
        match stream.read(&mut probe) {
            Ok(0) => {
                let reason = self.conn.handle_eof().err().into_reason();
                Err(self.connection_error(reason))
            }
            Ok(_) => {
                let reason = self.conn.handle_idle_input().into();
                Err(self.connection_error(reason))
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Ok(()),
            Err(e) => Err(self.connection_error(Reason::io(&e))),
        }
    }

    /// BODY: the body is read by the read calls; `poll` only checks the deadlines. A
    /// stalled body is one with nothing to read: bytes waiting for the caller are not the
    /// server's delay.
    fn poll_body(&mut self) -> Result<(), Error> {
        if let Some(err) = self.deferred_error.take() {
            return Err(self.fail(Status::ConnectionError, err));
        }
        let now = self.now();
        self.check_deadlines(now, Self::body_readable)
    }

    /// Checks the core's clocks; an expired one ends the connection (CONNECTION_ERROR).
    /// `unread` says whether received bytes wait for the caller (asked only when a
    /// deadline has passed, since it may cost a system call).
    fn check_deadlines(
        &mut self,
        now: Timestamp,
        unread: impl FnOnce(&mut Self) -> bool,
    ) -> Result<(), Error> {
        match self.expired(now, unread) {
            Some(e) => Err(self.connection_error(e.into())),
            None => Ok(()),
        }
    }

    /// The limit of an exchange that has expired at `now`, if any (the core is closed
    /// then).
    fn expired(
        &mut self,
        now: Timestamp,
        unread: impl FnOnce(&mut Self) -> bool,
    ) -> Option<ConnError> {
        if !self.conn.poll_timeout().is_some_and(|d| d <= now) {
            return None;
        }
        let unread = unread(self);
        match self.conn.handle_timeout(now, unread) {
            Some(Expiry::Failed(e)) => Some(e),
            Some(Expiry::NextAddress) | None => None,
        }
    }

    fn body_readable(&mut self) -> bool {
        if !self.recv.is_empty() {
            return true;
        }
        match self.stream() {
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
        let mut now = self.now();
        loop {
            if let Err(reason) = self.write_request(now) {
                return Err(self.connection_error(reason));
            }
            // Blocking mode waits before reading: every complete head in the receive
            // buffer has been taken, so a read now (just after sending) would only find
            // nothing and cost a system call. The wait ends by the next deadline; with
            // the request sent, the stream waits and reads in one go.
            let mut first_read = FirstRead::Now;
            if self.blocking && !self.has_pending_input() {
                let limit = self.wait_limit(now);
                if !self.conn.wants_write() {
                    first_read = FirstRead::WaitUpTo(limit);
                } else if let Some(stream) = self.stream() {
                    if let Err(e) = stream.wait(Interest::ReadWrite, limit) {
                        return Err(self.connection_error(Reason::io(&e)));
                    }
                }
            }
            if self.read_head(first_read)? {
                return Ok(());
            }
            now = self.now();
            self.check_deadlines(now, |_| false)?;
            if !self.blocking {
                return Ok(());
            }
        }
    }

    /// Writes pending request bytes until done or the socket is full, then flushes; the
    /// error says why the connection cannot go on.
    pub(super) fn write_request(&mut self, now: Timestamp) -> Result<(), Reason> {
        if !self.conn.wants_write() {
            return Ok(());
        }
        let Transport::Stream(stream) = &mut self.transport else {
            return Err(Reason::NotConnected);
        };
        loop {
            let (head, body) = self.conn.transmit();
            if head.is_empty() && body.is_empty() {
                break;
            }
            let res = if head.is_empty() {
                stream.write(body)
            } else if body.is_empty() {
                stream.write(head)
            } else {
                stream.write_vectored(&[io::IoSlice::new(head), io::IoSlice::new(body)])
            };
            match res {
                Ok(0) => return Err(Reason::PeerClosed("while sending the request")),
                Ok(n) => self.conn.handle_sent(n, now),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(()),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(Reason::io(&e)),
            }
        }
        match stream.flush() {
            Ok(()) => {
                self.conn.handle_flushed(now);
                Ok(())
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(()),
            Err(e) => Err(Reason::io(&e)),
        }
    }

    /// Reads until the final response head is parsed (true) or the socket has no more
    /// bytes for now (false). `first_read` says whether the first socket read may wait.
    fn read_head(&mut self, mut first_read: FirstRead) -> Result<bool, Error> {
        // When this call last received bytes: also when the head arrived, if they end it.
        let mut received: Option<Timestamp> = None;
        loop {
            if !self.recv.is_empty() {
                let now = received.unwrap_or_else(|| self.now());
                match self.conn.handle_head(self.recv.filled(), now) {
                    Ok(HeadEvent::Complete { consumed }) => {
                        self.recv.consume(consumed);
                        self.head_complete();
                        return Ok(true);
                    }
                    Ok(HeadEvent::NeedMore { consumed }) => self.recv.consume(consumed),
                    Err(e) => return Err(self.connection_error(e.into())),
                }
            }
            let max = self.head_read_limit();
            let Transport::Stream(stream) = &mut self.transport else {
                return Err(self.connection_error(Reason::NotConnected));
            };
            let res = match std::mem::replace(&mut first_read, FirstRead::Now) {
                FirstRead::Now => self.recv.fill_from(stream.as_mut(), max),
                FirstRead::WaitUpTo(limit) => self.recv.fill_waiting(stream.as_mut(), max, limit),
            };
            match res {
                Ok(0) => {
                    let reason = self.conn.handle_eof().err().into_reason();
                    return Err(self.connection_error(reason));
                }
                Ok(_) => {
                    let now = self.now();
                    self.conn.handle_received(now);
                    received = Some(now);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(false),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(self.connection_error(Reason::io(&e))),
            }
        }
    }

    /// The final head is in: a response that ended with it may have closed the
    /// connection.
    fn head_complete(&mut self) {
        if self.conn.phase() == Phase::Closed {
            self.drop_transport();
        }
    }

    // ----- status and waiting -------------------------------------------------------

    /// The current status (Godot's `get_status`).
    #[doc(alias = "get_status")]
    pub fn status(&self) -> Status {
        if let Some((status, _)) = &self.failure {
            return *status;
        }
        match self.conn.phase() {
            Phase::Closed | Phase::Switched => Status::Disconnected,
            Phase::Connecting(ConnectStage::Resolving) => Status::Resolving,
            Phase::Connecting(_) => Status::Connecting,
            Phase::Idle => Status::Connected,
            Phase::Sending | Phase::AwaitingHead => Status::Requesting,
            Phase::Body => Status::Body,
        }
    }

    /// The TLS version negotiated on the current connection, `None` for plain TCP or
    /// while not connected.
    pub fn tls_version(&self) -> Option<crate::TlsVersion> {
        match &self.transport {
            Transport::Stream(s) => s.tls_version(),
            _ => None,
        }
    }

    /// The error behind the current failure status (CANT_RESOLVE, CANT_CONNECT,
    /// CONNECTION_ERROR, TLS_HANDSHAKE_ERROR): which check failed and why.
    pub fn last_error(&self) -> Option<&Error> {
        self.failure.as_ref().map(|(_, e)| e)
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
        let (timeout, deadline) = self.clamp_wait(timeout, self.now());
        let res = match self.status() {
            Status::Resolving | Status::Connecting => {
                let interest = self.tunnel_interest();
                match &mut self.transport {
                    Transport::Connecting(c) => c.wait(timeout, interest),
                    _ => Ok(true),
                }
            }
            Status::Requesting | Status::Body | Status::Connected => {
                if self.has_pending_input() {
                    return Ok(true);
                }
                if self.conn.phase() == Phase::AwaitingHead
                    && self.recv.is_empty()
                    && self.deferred_error.is_none()
                {
                    return Ok(self.wait_for_head(timeout) || deadline);
                }
                let interest = self.interest().unwrap_or(Interest::Read);
                match self.stream() {
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
        self.conn.limits().max_head_bytes.saturating_add(1)
    }

    /// Waits for the response head by reading it: the bytes wait in the receive buffer
    /// for the next `poll()`, which then needs no system call, and a stream that can wait
    /// and read in one call does. A read error is kept for that `poll()` to report.
    fn wait_for_head(&mut self, timeout: Option<Duration>) -> bool {
        let max = self.head_read_limit();
        let Transport::Stream(stream) = &mut self.transport else {
            return true;
        };
        match self.recv.fill_waiting(stream.as_mut(), max, timeout) {
            Ok(n) => {
                if n > 0 {
                    let now = self.now();
                    self.conn.handle_received(now);
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

    /// How long a wait may last so that it ends by the next deadline: `None` when no
    /// clock runs. Rounded up to whole milliseconds so that a wait never ends just short
    /// of the deadline and turns into a spin.
    fn wait_limit(&self, now: Timestamp) -> Option<Duration> {
        let left = self.conn.poll_timeout()?.saturating_since(now);
        let ms = left.as_nanos().div_ceil(1_000_000);
        Some(Duration::from_millis(u64::try_from(ms).unwrap_or(u64::MAX)))
    }

    /// Shortens a caller's wait of `timeout` to the next deadline; the flag says the
    /// deadline is what ends the wait (so there is something for `poll` to report).
    fn clamp_wait(&self, timeout: Option<Duration>, now: Timestamp) -> (Option<Duration>, bool) {
        match (self.wait_limit(now), timeout) {
            (Some(limit), Some(t)) if limit <= t => (Some(limit), true),
            (Some(limit), None) => (Some(limit), true),
            _ => (timeout, false),
        }
    }

    /// The instant by which [`poll`](HttpClient::poll) must be called even if the socket
    /// shows no readiness, so that an expired [timeout](Timeouts) is noticed; for callers
    /// that wait on [`raw_fd`](HttpClient::raw_fd) in their own poller. `None` when no
    /// clock runs.
    pub fn next_deadline(&self) -> Option<Instant> {
        self.conn
            .poll_timeout()
            .and_then(|t| self.epoch.checked_add(t.as_duration()))
    }

    /// True when the client already holds received input that [`poll`](HttpClient::poll)
    /// or a body read can act on without the socket becoming readable: body bytes that
    /// arrived with the head, or data (or a close) already taken in by the TLS layer.
    ///
    /// A caller that waits on [`raw_fd`](HttpClient::raw_fd) with its own poller must not
    /// wait while this is true: the socket may stay silent although there is work.
    /// ([`Poller`](crate::Poller) handles this.)
    pub fn has_pending_input(&self) -> bool {
        let stream_buffered = || match &self.transport {
            Transport::Stream(s) => s.has_buffered_read(),
            _ => false,
        };
        match self.status() {
            // A partial head in the receive buffer needs more bytes from the socket.
            Status::Body if !self.recv.is_empty() => true,
            Status::Requesting | Status::Body | Status::Connected => stream_buffered(),
            _ => false,
        }
    }

    /// Changes every time the transport is dropped (see [`Poller`](crate::Poller)).
    #[cfg_attr(not(unix), allow(dead_code))]
    pub(crate) fn connection_serial(&self) -> u64 {
        self.connection_serial
    }

    /// What the client waits for on its socket now, for callers that register
    /// [`raw_fd`](HttpClient::raw_fd) with their own poller. `None` while resolving
    /// (the resolver thread has no socket) and in statuses with nothing to wait for.
    pub fn interest(&self) -> Option<Interest> {
        match self.status() {
            Status::Resolving | Status::Connecting => match &self.transport {
                Transport::Connecting(c) => c.interest(self.tunnel_interest()),
                _ => None,
            },
            Status::Requesting if self.conn.wants_write() => Some(Interest::ReadWrite),
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
        match &self.transport {
            Transport::Stream(s) => s.raw_fd(),
            Transport::Connecting(c) => c.raw_fd(),
            Transport::None => None,
        }
    }

    /// Godot's `query_string_from_dict`, as a method for ported code; see
    /// [`query_string_from_dict`](crate::query_string_from_dict).
    pub fn query_string_from_dict<I, K, V>(&self, fields: I) -> String
    where
        I: IntoIterator<Item = (K, V)>,
        K: std::fmt::Display,
        V: Into<crate::QueryValue>,
    {
        crate::query_string_from_dict(fields)
    }
}

/// Whether the first socket read of [`HttpClient::read_head`] may wait for bytes.
enum FirstRead {
    /// Read what is there now.
    Now,
    /// Wait up to this long (`None`: no limit) for bytes, then read them.
    WaitUpTo(Option<Duration>),
}

/// The reason behind an end of stream the core judged: its error, or (when it found the
/// end valid where the driver did not expect one) a plain close.
trait IntoReason {
    fn into_reason(self) -> Reason;
}

impl IntoReason for Option<ConnError> {
    fn into_reason(self) -> Reason {
        match self {
            Some(e) => e.into(),
            None => Reason::PeerClosed("unexpectedly"),
        }
    }
}
