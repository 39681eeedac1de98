//! Time limits on each phase of a request.

use alloc::format;
use alloc::string::String;
use core::fmt;
use core::time::Duration;

/// Time limits for the phases of a request, given to a [`Connection`](crate::Connection)
/// (pollhttp's `HttpClient::set_timeouts` passes them on).
///
/// Each limit is an `Option`: `None` means no limit, `Some(Duration::ZERO)` expires at the
/// first check. A limit that expires ends the attempt in the failure status of its phase,
/// with `Reason::Timeout` naming the limit:
///
/// | limit | runs while | status on expiry | error |
/// | --- | --- | --- | --- |
/// | `resolve` | RESOLVING | CANT_RESOLVE | `ERR_CANT_RESOLVE` |
/// | `connect` | each TCP connect attempt | that attempt is dropped; CANT_CONNECT after the last | `ERR_CANT_CONNECT` |
/// | `connect_total` | RESOLVING and CONNECTING | CANT_RESOLVE or CANT_CONNECT | as the status |
/// | `tls_handshake` | the TLS handshake | CANT_CONNECT | `ERR_CANT_CONNECT` |
/// | `response_head` | request sent → final head | CONNECTION_ERROR | `ERR_CONNECTION_ERROR` |
/// | `idle` | sending the request, waiting for the head, reading the body | CONNECTION_ERROR | `ERR_CONNECTION_ERROR` |
/// | `total` | connect and the whole exchange | the status of the phase it ends | as the status |
///
/// A TLS handshake that times out is CANT_CONNECT rather than TLS_HANDSHAKE_ERROR: the
/// server went silent, nothing about TLS was wrong.
///
/// One field is not a limit: [`attempt_delay`](Timeouts::attempt_delay), the pace at
/// which the resolved addresses are tried (Happy Eyeballs, RFC 8305). It never ends a
/// connection, so [`Timeouts::NONE`] keeps its default.
///
/// ```
/// use core::time::Duration;
/// use pollhttp_proto::{TimeoutPhase, Timeouts};
///
/// let t = Timeouts {
///     connect_total: Some(Duration::from_secs(10)),
///     total: Some(Duration::from_secs(60)),
///     ..Timeouts::default()
/// };
/// assert_eq!(t.get(TimeoutPhase::Idle), Some(Duration::from_secs(120)));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Timeouts {
    /// Name resolution. Default 30 s: the system resolver's own retries
    /// (`resolv.conf`: 5 s × 2 attempts per server) end well within it, and a resolver
    /// still silent after that is broken rather than slow.
    pub resolve: Option<Duration>,
    /// One TCP connect attempt; on expiry that attempt is dropped (and when no other one is
    /// in progress, the next resolved address is tried at once). Default 30 s, Godot's
    /// `network/limits/tcp/connect_timeout_seconds`.
    #[doc(alias = "connect_timeout_seconds")]
    pub connect: Option<Duration>,
    /// Happy Eyeballs (RFC 8305): while no attempt has connected, another resolved address
    /// is tried every `attempt_delay`, the earlier attempts going on meanwhile; the first to
    /// connect wins and the others are closed. An attempt that fails starts the next address
    /// at once. Default 250 ms, RFC 8305's recommendation, so a dead first address (an IPv6
    /// route that drops packets, say) costs a quarter of a second instead of the whole
    /// `connect` limit.
    ///
    /// Delays under [`MIN_ATTEMPT_DELAY`](Timeouts::MIN_ATTEMPT_DELAY) (10 ms, RFC 8305's
    /// floor) count as 10 ms. `None` tries one address at a time: the next starts only when
    /// the one before failed or its `connect` limit expired.
    #[doc(alias = "happy_eyeballs")]
    pub attempt_delay: Option<Duration>,
    /// From `connect_to_host` until CONNECTED:
    /// resolution, every address, an HTTPS proxy's answer to `CONNECT`, the TLS handshake
    /// (what curl's `--connect-timeout` bounds). Default 90 s: three addresses' worth of
    /// `connect`, so that even trying one address at a time (`attempt_delay: None`), one
    /// or two dead addresses (say, unrouted IPv6) still leave time for a working one.
    pub connect_total: Option<Duration>,
    /// The TLS handshake. Default 30 s, as `connect`: a handshake is a few round trips.
    pub tls_handshake: Option<Duration>,
    /// From the last request byte written until the final response head is in. Default
    /// 120 s: generous for servers that compute before answering, yet a dead server does
    /// not hold a request forever.
    pub response_head: Option<Duration>,
    /// The longest an exchange may make no progress: no request byte accepted while
    /// sending, no byte received while waiting for the response head or reading the body.
    /// Default 120 s, as `response_head`. Bytes that arrived but wait for the caller to
    /// read them do not count as a stall.
    pub idle: Option<Duration>,
    /// The whole request: from `connect_to_host` (for the first request on a connection)
    /// or `request` (for later ones) until the body ends.
    /// Time the connection sits in CONNECTED waiting for the caller's `request()` does not
    /// count. Default `None`, as in curl and Godot's `HTTPRequest`: a large download on a
    /// slow link may take any time while it makes progress, which `idle` watches.
    #[doc(alias = "timeout")]
    pub total: Option<Duration>,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            resolve: Some(Duration::from_secs(30)),
            connect: Some(Duration::from_secs(30)),
            attempt_delay: Some(Timeouts::DEFAULT_ATTEMPT_DELAY),
            connect_total: Some(Duration::from_secs(90)),
            tls_handshake: Some(Duration::from_secs(30)),
            response_head: Some(Duration::from_secs(120)),
            idle: Some(Duration::from_secs(120)),
            total: None,
        }
    }
}

impl Timeouts {
    /// The default [`attempt_delay`](Timeouts::attempt_delay): 250 ms, as RFC 8305
    /// recommends.
    pub const DEFAULT_ATTEMPT_DELAY: Duration = Duration::from_millis(250);

    /// The shortest [`attempt_delay`](Timeouts::attempt_delay) applied: 10 ms, below which
    /// RFC 8305 forbids going.
    pub const MIN_ATTEMPT_DELAY: Duration = Duration::from_millis(10);

    /// No limit at all, as Godot's `HTTPClient` (which has none but its TCP connect
    /// timeout): a silent server holds the client until the caller gives up.
    /// [`attempt_delay`](Timeouts::attempt_delay), which is no limit, keeps its default.
    pub const NONE: Timeouts = Timeouts {
        resolve: None,
        connect: None,
        attempt_delay: Some(Timeouts::DEFAULT_ATTEMPT_DELAY),
        connect_total: None,
        tls_handshake: None,
        response_head: None,
        idle: None,
        total: None,
    };

    /// The delay between the starts of two connect attempts, as applied:
    /// [`attempt_delay`](Timeouts::attempt_delay) raised to
    /// [`MIN_ATTEMPT_DELAY`](Timeouts::MIN_ATTEMPT_DELAY); `None` for one attempt at a time.
    ///
    /// ```
    /// use core::time::Duration;
    /// use pollhttp_proto::Timeouts;
    /// let t = Timeouts { attempt_delay: Some(Duration::ZERO), ..Timeouts::default() };
    /// assert_eq!(t.effective_attempt_delay(), Some(Duration::from_millis(10)));
    /// assert_eq!(Timeouts::default().effective_attempt_delay(), Some(Duration::from_millis(250)));
    /// ```
    pub fn effective_attempt_delay(&self) -> Option<Duration> {
        self.attempt_delay
            .map(|d| d.max(Timeouts::MIN_ATTEMPT_DELAY))
    }

    /// The limit for `phase`.
    pub fn get(&self, phase: TimeoutPhase) -> Option<Duration> {
        match phase {
            TimeoutPhase::Resolve => self.resolve,
            TimeoutPhase::Connect => self.connect,
            TimeoutPhase::ConnectTotal => self.connect_total,
            TimeoutPhase::TlsHandshake => self.tls_handshake,
            TimeoutPhase::ResponseHead => self.response_head,
            TimeoutPhase::Idle => self.idle,
            TimeoutPhase::Total => self.total,
        }
    }
}

/// Which limit of [`Timeouts`] expired, in `Reason::Timeout`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TimeoutPhase {
    /// [`Timeouts::resolve`].
    Resolve,
    /// [`Timeouts::connect`] (of the last attempt, with no address left).
    Connect,
    /// [`Timeouts::connect_total`].
    ConnectTotal,
    /// [`Timeouts::tls_handshake`].
    TlsHandshake,
    /// [`Timeouts::response_head`].
    ResponseHead,
    /// [`Timeouts::idle`].
    Idle,
    /// [`Timeouts::total`].
    Total,
}

impl TimeoutPhase {
    /// The name of the [`Timeouts`] field, such as `"response_head"`.
    pub fn name(self) -> &'static str {
        match self {
            TimeoutPhase::Resolve => "resolve",
            TimeoutPhase::Connect => "connect",
            TimeoutPhase::ConnectTotal => "connect_total",
            TimeoutPhase::TlsHandshake => "tls_handshake",
            TimeoutPhase::ResponseHead => "response_head",
            TimeoutPhase::Idle => "idle",
            TimeoutPhase::Total => "total",
        }
    }

    fn waiting_for(self) -> &'static str {
        match self {
            TimeoutPhase::Resolve => "the host name to resolve",
            TimeoutPhase::Connect => "a TCP connection",
            TimeoutPhase::ConnectTotal => "the connection to be ready",
            TimeoutPhase::TlsHandshake => "the TLS handshake",
            TimeoutPhase::ResponseHead => "the response head",
            TimeoutPhase::Idle => "the connection to make progress",
            TimeoutPhase::Total => "the request to finish",
        }
    }
}

impl fmt::Display for TimeoutPhase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The message of an expired limit: which limit, its value, and what was awaited.
pub fn describe(phase: TimeoutPhase, after: Duration) -> String {
    format!(
        "timed out after {after:?} waiting for {} (timeouts.{})",
        phase.waiting_for(),
        phase.name()
    )
}
