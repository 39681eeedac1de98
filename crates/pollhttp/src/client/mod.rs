//! `HttpClient`: Godot's `HTTPClient` contract, driving the core's
//! [`Connection`](crate::proto::Connection) over a stream.

use crate::clock::ClientClock;
use crate::conn::{Connector, Progress, RecvBuf};
use crate::net::host::parse_target;
use crate::proto::{
    host_header, ConnError, ConnectStage, Connection, Expiry, HeadEvent, Limits, Phase,
};
use crate::tls::{TlsErrorKind, TlsOptions};
use crate::Clock;
use crate::{AttemptOutcome, ConnectAttempt, Resolver};
use crate::{Error, GodotError, Interest, ProxyConfig, Reason, StreamPeer, Timeouts};
use crate::{Response, Status};
use std::io;
use std::sync::Arc;
use std::time::{Duration, Instant};

mod poll;
mod proxy;
mod request;
mod response;
mod settings;
#[cfg(windows)]
mod shared_sockets;
mod wait;

#[cfg(windows)]
pub(crate) use shared_sockets::SocketId;

/// The `User-Agent` sent unless the caller gives one.
pub const USER_AGENT: &str = concat!("pollhttp/", env!("CARGO_PKG_VERSION"));

use crate::read_chunk_size::DEFAULT_READ_CHUNK_SIZE;

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
    Connecting(Box<Connector>),
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
    conn: Connection<Instant>,
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
    /// Where the time comes from.
    clock: ClientClock,
    /// Who is asked for a name's addresses; `None` is the system's resolver.
    resolver: Option<Arc<dyn Resolver>>,
    /// The TCP attempts of the last connect, once its pipeline is over.
    attempts: Vec<ConnectAttempt>,
    /// Duplicates of the sockets, for a [`Poller`](crate::Poller) to wait on (Windows).
    #[cfg(windows)]
    shared_sockets: std::cell::RefCell<shared_sockets::SharedSockets>,
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
            clock: ClientClock::default(),
            resolver: None,
            attempts: Vec::new(),
            #[cfg(windows)]
            shared_sockets: Default::default(),
        }
    }

    /// The one place the client reads the clock: the core is given this instant.
    pub(crate) fn now(&self) -> Instant {
        self.clock.now()
    }

    /// Reads the time from `clock` instead of the system's clock (see [`Clock`]); for
    /// tests and simulations that check timeouts without waiting for them. Closes the
    /// connection, since running deadlines belong to the old clock.
    pub fn set_clock(&mut self, clock: impl Clock + 'static) {
        self.close();
        self.clock.set(clock);
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
        self.attempts.clear();
        let now = self.now();
        let resolver: &dyn Resolver = match &self.resolver {
            Some(r) => r.as_ref(),
            None => &crate::SystemResolver,
        };
        let connector = Connector::start(&target, port, tls, via, resolver, now);
        self.conn.start_connect(route, now);
        self.conn.handle_connect_stage(connector.stage(), now);
        self.transport = Transport::Connecting(Box::new(connector));
        self.report_attempts();
        Ok(())
    }

    /// Passes the connect pipeline's news about its TCP attempts to the core, which keeps
    /// their clocks and the attempt delay.
    pub(super) fn report_attempts(&mut self) {
        let Transport::Connecting(connector) = &mut self.transport else {
            return;
        };
        let Some(events) = connector.drain_events() else {
            return;
        };
        for event in events {
            match event {
                crate::net::AttemptEvent::Started { attempt, more, at } => {
                    self.conn.handle_attempt_started(attempt, more, at)
                }
                crate::net::AttemptEvent::Failed { attempt } => {
                    self.conn.handle_attempt_failed(attempt)
                }
            }
        }
    }

    /// Asks `resolver` for the addresses of host names from the next
    /// [`connect_to_host`](HttpClient::connect_to_host) on (the host, or the proxy's
    /// name when a proxy is used), instead of the system's resolver
    /// ([`SystemResolver`](crate::SystemResolver), the default). IP literals are never
    /// looked up. One resolver may serve many clients.
    ///
    /// ```
    /// use pollhttp::{HttpClient, StaticResolver};
    /// use std::sync::Arc;
    ///
    /// let mut http = HttpClient::new();
    /// http.set_resolver(Arc::new(
    ///     StaticResolver::new().with_ips("service.test", ["127.0.0.1".parse().unwrap()]),
    /// ));
    /// ```
    pub fn set_resolver(&mut self, resolver: Arc<dyn Resolver>) {
        self.resolver = Some(resolver);
    }

    /// The TCP connect attempts of the current (or last) [`connect_to_host`]: one per
    /// address tried, in the order started, each with its address, when it started and
    /// ended, and how it went ([`AttemptOutcome`]): the one that connected, the ones
    /// refused, timed out, or closed unfinished when another connected first (Happy
    /// Eyeballs, see [`Timeouts::attempt_delay`]). For diagnostics, as curl's `-v` shows
    /// `Trying 127.0.0.1:8080...`.
    ///
    /// Kept until the next `connect_to_host` (a connection reused for more requests keeps
    /// the list of its connect, and `close` does not clear it); empty while resolving, for
    /// a stream given with [`set_connection`](HttpClient::set_connection), and when a proxy
    /// is used, the attempts are those to the proxy.
    ///
    /// [`connect_to_host`]: HttpClient::connect_to_host
    pub fn connect_attempts(&self) -> &[ConnectAttempt] {
        match &self.transport {
            Transport::Connecting(c) => c.attempts(),
            _ => &self.attempts,
        }
    }

    /// Uses `peer` as the connection (Godot's `set_connection`): closes the current one
    /// and enters CONNECTED. The stream must be non-blocking (see [`StreamPeer`]).
    ///
    /// The client knows no host for such a stream, so the automatic `Host` header of its
    /// requests is empty: pass a `Host` header to [`request`](HttpClient::request).
    #[doc(alias = "connection")]
    pub fn set_connection(&mut self, peer: Box<dyn StreamPeer>) {
        self.close();
        self.attempts.clear();
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
        match std::mem::replace(&mut self.transport, Transport::None) {
            Transport::Stream(mut s) => {
                if self.shutdown_on_close {
                    s.shutdown();
                }
            }
            Transport::Connecting(mut c) => {
                let now = self.now();
                self.attempts = c.take_attempts(now, AttemptOutcome::Abandoned);
            }
            Transport::None => {}
        }
        #[cfg(windows)]
        self.shared_sockets.get_mut().clear();
        self.conn.drop_transport();
        self.deferred_error = None;
        self.recv.clear();
        self.connection_serial = self.connection_serial.wrapping_add(1);
    }

    /// Enters a sticky failure status, dropping the transport; returns `err` for the caller.
    fn fail(&mut self, status: Status, err: Error) -> Error {
        // A TLS 1.3 server judges the client certificate after the client's handshake is
        // over, so its refusal comes with the first read: it is still a failed handshake.
        let (status, err) = match err.tls_error() {
            Some(tls)
                if status == Status::ConnectionError
                    && matches!(
                        tls.kind(),
                        TlsErrorKind::ClientCertificateRequired
                            | TlsErrorKind::ClientCertificateRejected
                    ) =>
            {
                let tls = Reason::Tls(tls.clone());
                (
                    Status::TlsHandshakeError,
                    Error::new(GodotError::CantConnect, tls),
                )
            }
            _ => (status, err),
        };
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
