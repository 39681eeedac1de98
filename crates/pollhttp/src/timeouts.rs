//! Time limits on each phase of a request, and the deadlines the client checks.
//!
//! The protocol core has no clock, and no timer thread runs: the client compares
//! [`Instant::now`] with its deadlines whenever it is called (`poll`, the body reads,
//! `wait`), and every wait it makes (blocking mode, [`HttpClient::wait`]) ends by the next
//! deadline, so a timeout is noticed by the caller's ordinary loop.
//!
//! [`HttpClient::wait`]: crate::HttpClient::wait

use crate::conn::{ConnectStage, Connector};
use crate::{Error, GodotError, Reason, Status};
use std::fmt;
use std::io;
use std::time::{Duration, Instant};

/// Time limits for the phases of a request, set with
/// [`HttpClient::set_timeouts`](crate::HttpClient::set_timeouts).
///
/// Each limit is an `Option`: `None` means no limit, `Some(Duration::ZERO)` expires at the
/// first check. A limit that expires ends the attempt in the failure status of its phase,
/// with [`Reason::Timeout`] naming the limit:
///
/// | limit | runs while | status on expiry | error |
/// | --- | --- | --- | --- |
/// | `resolve` | RESOLVING | CANT_RESOLVE | `ERR_CANT_RESOLVE` |
/// | `connect` | each TCP connect attempt | next address; CANT_CONNECT after the last | `ERR_CANT_CONNECT` |
/// | `connect_total` | RESOLVING and CONNECTING | CANT_RESOLVE or CANT_CONNECT | as the status |
/// | `tls_handshake` | the TLS handshake | CANT_CONNECT | `ERR_CANT_CONNECT` |
/// | `response_head` | request sent → final head | CONNECTION_ERROR | `ERR_CONNECTION_ERROR` |
/// | `idle` | sending the request; reading the body | CONNECTION_ERROR | `ERR_CONNECTION_ERROR` |
/// | `total` | connect and the whole exchange | the status of the phase it ends | as the status |
///
/// A TLS handshake that times out is CANT_CONNECT rather than TLS_HANDSHAKE_ERROR: the
/// server went silent, nothing about TLS was wrong.
///
/// ```
/// use pollhttp::{HttpClient, Timeouts};
/// use std::time::Duration;
///
/// let mut http = HttpClient::new();
/// http.set_timeouts(Timeouts {
///     connect_total: Some(Duration::from_secs(10)),
///     total: Some(Duration::from_secs(60)),
///     ..Timeouts::default()
/// });
/// assert_eq!(http.timeouts().idle, Some(Duration::from_secs(120)));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Timeouts {
    /// Name resolution. Default 30 s: the system resolver's own retries
    /// (`resolv.conf`: 5 s × 2 attempts per server) end well within it, and a resolver
    /// still silent after that is broken rather than slow.
    pub resolve: Option<Duration>,
    /// One TCP connect attempt; on expiry the next resolved address is tried. Default 30 s,
    /// Godot's `network/limits/tcp/connect_timeout_seconds`.
    pub connect: Option<Duration>,
    /// From [`connect_to_host`](crate::HttpClient::connect_to_host) until CONNECTED:
    /// resolution, every address, an HTTPS proxy's answer to `CONNECT`, the TLS handshake
    /// (what curl's `--connect-timeout` bounds). Default 90 s: three addresses' worth of `connect`, so one or two dead
    /// addresses (say, unrouted IPv6) still leave time for a working one.
    pub connect_total: Option<Duration>,
    /// The TLS handshake. Default 30 s, as `connect`: a handshake is a few round trips.
    pub tls_handshake: Option<Duration>,
    /// From the last request byte written until the final response head is in. Default
    /// 120 s: generous for servers that compute before answering, yet a dead server does
    /// not hold a request forever.
    pub response_head: Option<Duration>,
    /// The longest the connection may make no progress: no request byte accepted while
    /// sending, no byte received while reading the body. Default 120 s, as
    /// `response_head`. Bytes that arrived but wait for the caller to read them do not
    /// count as a stall.
    pub idle: Option<Duration>,
    /// The whole request: from `connect_to_host` (for the first request on a connection)
    /// or [`request`](crate::HttpClient::request) (for later ones) until the body ends.
    /// Time the connection sits in CONNECTED waiting for the caller's `request()` does not
    /// count. Default `None`, as in curl and Godot's `HTTPRequest`: a large download on a
    /// slow link may take any time while it makes progress, which `idle` watches.
    pub total: Option<Duration>,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            resolve: Some(Duration::from_secs(30)),
            connect: Some(Duration::from_secs(30)),
            connect_total: Some(Duration::from_secs(90)),
            tls_handshake: Some(Duration::from_secs(30)),
            response_head: Some(Duration::from_secs(120)),
            idle: Some(Duration::from_secs(120)),
            total: None,
        }
    }
}

impl Timeouts {
    /// No limit at all, as Godot's `HTTPClient` (which has none but its TCP connect
    /// timeout): a silent server holds the client until the caller gives up.
    pub const NONE: Timeouts = Timeouts {
        resolve: None,
        connect: None,
        connect_total: None,
        tls_handshake: None,
        response_head: None,
        idle: None,
        total: None,
    };

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

/// Which limit of [`Timeouts`] expired, in [`Reason::Timeout`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TimeoutPhase {
    /// [`Timeouts::resolve`].
    Resolve,
    /// [`Timeouts::connect`] (on the last address).
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

/// The message of [`Reason::Timeout`].
pub(crate) fn describe(phase: TimeoutPhase, after: Duration) -> String {
    format!(
        "timed out after {after:?} waiting for {} (timeouts.{})",
        phase.waiting_for(),
        phase.name()
    )
}

/// The connect pipeline's clock.
#[derive(Debug)]
struct ConnectClock {
    started: Instant,
    /// The stage last seen and when it was first seen.
    stage: Option<(ConnectStage, Instant)>,
}

/// One request's clock.
#[derive(Debug)]
struct RequestClock {
    total_deadline: Option<Instant>,
    /// Set once the last request byte is written, cleared when the head is in.
    head_deadline: Option<Instant>,
    /// When bytes last moved, for `idle`.
    last_progress: Instant,
    /// Request bytes are still to be written.
    sending: bool,
    /// The head is in; the body is being read.
    in_body: bool,
}

/// The client's deadlines: which clocks run, and what has expired.
#[derive(Debug, Default)]
pub(crate) struct Deadlines {
    /// The limits set, used by the next clock started.
    limits: Timeouts,
    /// The limits of the clocks running now.
    active: Timeouts,
    connect: Option<ConnectClock>,
    request: Option<RequestClock>,
    /// Time the connect phase took, charged to the first request's `total`.
    connect_spent: Duration,
}

fn at(start: Instant, limit: Option<Duration>) -> Option<Instant> {
    limit.and_then(|l| start.checked_add(l))
}

/// The earlier of two optional instants (`None` is no limit).
fn earliest(a: Option<Instant>, b: Option<Instant>) -> Option<Instant> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn expired(deadline: Option<Instant>, now: Instant) -> bool {
    deadline.is_some_and(|d| now >= d)
}

fn timeout(godot: GodotError, phase: TimeoutPhase, limits: &Timeouts) -> Error {
    Error::new(
        godot,
        Reason::Timeout {
            phase,
            after: limits.get(phase).unwrap_or_default(),
        },
    )
}

impl Deadlines {
    pub(crate) fn limits(&self) -> &Timeouts {
        &self.limits
    }

    /// New limits for the clocks started from now on; running clocks keep theirs.
    pub(crate) fn set_limits(&mut self, limits: Timeouts) {
        self.limits = limits;
    }

    /// Stops every clock (connection closed or failed).
    pub(crate) fn clear(&mut self) {
        self.connect = None;
        self.request = None;
        self.connect_spent = Duration::ZERO;
    }

    pub(crate) fn start_connect(&mut self, now: Instant) {
        self.clear();
        self.active = self.limits;
        self.connect = Some(ConnectClock {
            started: now,
            stage: None,
        });
    }

    pub(crate) fn connected(&mut self, now: Instant) {
        if let Some(c) = self.connect.take() {
            self.connect_spent = now.saturating_duration_since(c.started);
        }
    }

    /// Checks the connect limits after a `poll` of the pipeline left it pending. A
    /// per-address timeout moves the pipeline to the next address; `Some` is the failure
    /// to enter.
    pub(crate) fn check_connect(
        &mut self,
        connector: &mut Connector,
        now: Instant,
    ) -> Option<(Status, Error)> {
        let limits = self.active;
        let clock = self.connect.as_mut()?;
        loop {
            let stage = connector.stage();
            let since = match clock.stage {
                Some((s, t)) if s == stage => t,
                _ => {
                    clock.stage = Some((stage, now));
                    now
                }
            };
            let (status, godot) = match stage {
                ConnectStage::Resolving => (Status::CantResolve, GodotError::CantResolve),
                _ => (Status::CantConnect, GodotError::CantConnect),
            };
            let fail = |phase| Some((status, timeout(godot, phase, &limits)));
            if expired(at(clock.started, limits.total), now) {
                return fail(TimeoutPhase::Total);
            }
            if expired(at(clock.started, limits.connect_total), now) {
                return fail(TimeoutPhase::ConnectTotal);
            }
            let (phase, limit) = match stage {
                ConnectStage::Resolving => (TimeoutPhase::Resolve, limits.resolve),
                ConnectStage::Tcp { .. } => (TimeoutPhase::Connect, limits.connect),
                ConnectStage::Tls => (TimeoutPhase::TlsHandshake, limits.tls_handshake),
                // A proxy's answer to CONNECT is bounded by `connect_total` alone.
                ConnectStage::Tunnel | ConnectStage::Finished => return None,
            };
            if !expired(at(since, limit), now) {
                return None;
            }
            if phase == TimeoutPhase::Connect {
                let why = io::Error::new(
                    io::ErrorKind::TimedOut,
                    describe(phase, limit.unwrap_or_default()),
                );
                if connector.skip_attempt(why) {
                    // The next address has its own clock, started on the next turn.
                    continue;
                }
            }
            return fail(phase);
        }
    }

    /// A request was handed to the connection; `sent` when all of it is written already.
    pub(crate) fn start_request(&mut self, now: Instant, sent: bool) {
        self.active = self.limits;
        let budget = self
            .active
            .total
            .map(|t| t.saturating_sub(std::mem::take(&mut self.connect_spent)));
        self.request = Some(RequestClock {
            total_deadline: at(now, budget),
            head_deadline: None,
            last_progress: now,
            sending: true,
            in_body: false,
        });
        if sent {
            self.request_sent(now);
        }
    }

    /// True while the request is still being sent (its head clock not yet running).
    pub(crate) fn sending(&self) -> bool {
        self.request.as_ref().is_some_and(|r| r.sending)
    }

    /// Every request byte is written: the wait for the head begins.
    pub(crate) fn request_sent(&mut self, now: Instant) {
        let limit = self.active.response_head;
        if let Some(r) = self.request.as_mut().filter(|r| r.sending) {
            r.sending = false;
            r.head_deadline = at(now, limit);
        }
    }

    /// Bytes moved on the connection.
    pub(crate) fn progress(&mut self, now: Instant) {
        if let Some(r) = self.request.as_mut() {
            r.last_progress = now;
        }
    }

    /// The final head is in: the body phase begins.
    pub(crate) fn head_received(&mut self, now: Instant) {
        if let Some(r) = self.request.as_mut() {
            r.head_deadline = None;
            r.in_body = true;
            r.last_progress = now;
        }
    }

    /// The response is complete.
    pub(crate) fn request_finished(&mut self) {
        self.request = None;
    }

    /// The request limit that has expired, if any: the error to fail with
    /// (`ERR_CONNECTION_ERROR`).
    pub(crate) fn check_request(&self, now: Instant) -> Option<Error> {
        let r = self.request.as_ref()?;
        let fail = |phase| Some(timeout(GodotError::ConnectionError, phase, &self.active));
        if expired(r.total_deadline, now) {
            return fail(TimeoutPhase::Total);
        }
        if expired(r.head_deadline, now) {
            return fail(TimeoutPhase::ResponseHead);
        }
        if expired(self.idle_deadline(r), now) {
            return fail(TimeoutPhase::Idle);
        }
        None
    }

    fn idle_deadline(&self, r: &RequestClock) -> Option<Instant> {
        if r.sending || r.in_body {
            at(r.last_progress, self.active.idle)
        } else {
            None
        }
    }

    /// The earliest deadline of the clocks running now.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        let mut next = None;
        if let Some(c) = &self.connect {
            // A running request's `total` replaces the connect phase's.
            if self.request.is_none() {
                next = at(c.started, self.active.total);
            }
            next = earliest(next, at(c.started, self.active.connect_total));
            next = earliest(
                next,
                c.stage.and_then(|(stage, since)| match stage {
                    ConnectStage::Resolving => at(since, self.active.resolve),
                    ConnectStage::Tcp { .. } => at(since, self.active.connect),
                    ConnectStage::Tls => at(since, self.active.tls_handshake),
                    ConnectStage::Tunnel | ConnectStage::Finished => None,
                }),
            );
        }
        if let Some(r) = &self.request {
            next = earliest(next, r.total_deadline);
            next = earliest(next, r.head_deadline);
            next = earliest(next, self.idle_deadline(r));
        }
        next
    }

    /// How long a wait may last so that it ends by the next deadline: `None` when no
    /// clock runs. Rounded up to whole milliseconds so that a wait never ends just short
    /// of the deadline and turns into a spin.
    pub(crate) fn wait_limit(&self, now: Instant) -> Option<Duration> {
        let left = self.next_deadline()?.saturating_duration_since(now);
        let ms = left.as_nanos().div_ceil(1_000_000);
        Some(Duration::from_millis(u64::try_from(ms).unwrap_or(u64::MAX)))
    }

    /// Shortens a caller's wait of `timeout` to the next deadline; the flag says the
    /// deadline is what ends the wait (so there is something for `poll` to report).
    pub(crate) fn clamp_wait(
        &self,
        timeout: Option<Duration>,
        now: Instant,
    ) -> (Option<Duration>, bool) {
        match (self.wait_limit(now), timeout) {
            (Some(limit), Some(t)) if limit <= t => (Some(limit), true),
            (Some(limit), None) => (Some(limit), true),
            _ => (timeout, false),
        }
    }
}

#[cfg(test)]
mod tests;
