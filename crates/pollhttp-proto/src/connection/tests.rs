use super::*;
use crate::connect_request;
use crate::test_prelude::*;
use crate::Method;

// ----- time -----------------------------------------------------------------------------

/// The epoch of these tests is not zero, so that a deadline computed from the wrong origin
/// shows.
const T0: Timestamp = Timestamp::from_duration(Duration::from_secs(1000));

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// `n` milliseconds after [`T0`].
fn t(n: u64) -> Timestamp {
    T0 + ms(n)
}

/// One nanosecond before `ts`.
fn just_before(ts: Timestamp) -> Timestamp {
    Timestamp::from_duration(ts.as_duration() - Duration::from_nanos(1))
}

fn timeout(phase: TimeoutPhase, after: Duration) -> Option<Expiry> {
    Some(Expiry::Failed(ConnError::Timeout { phase, after }))
}

/// `poll_timeout` says `deadline`; nothing expires one nanosecond before it; `phase`
/// expires at it exactly, and the connection is closed with no clock left.
fn assert_expires_at(c: &mut Connection, deadline: Timestamp, phase: TimeoutPhase) {
    let after = c.timeouts().get(phase).unwrap_or_default();
    assert_expires_at_after(c, deadline, phase, after);
}

fn assert_expires_at_after(
    c: &mut Connection,
    deadline: Timestamp,
    phase: TimeoutPhase,
    after: Duration,
) {
    assert_eq!(c.poll_timeout(), Some(deadline), "poll_timeout");
    assert_eq!(c.handle_timeout(just_before(deadline), false), None);
    assert_ne!(c.phase(), Phase::Closed);
    assert_eq!(c.handle_timeout(deadline, false), timeout(phase, after));
    assert_eq!(c.phase(), Phase::Closed);
    assert_eq!(c.poll_timeout(), None);
    assert_eq!(c.handle_timeout(deadline + ms(1_000_000), false), None);
}

// ----- connections in a given phase -----------------------------------------------------

const NO_HEADERS: &[&str] = &[];

fn route() -> Route {
    Route {
        host_header: "example.com".into(),
        ..Route::default()
    }
}

/// A connection whose connect pipeline started at `start` (now `Resolving`).
fn connecting(timeouts: Timeouts, start: Timestamp) -> Connection {
    let mut c = Connection::new(Limits::default(), timeouts);
    c.start_connect(route(), start);
    c
}

/// A connection that connected instantly at `at` (nothing is charged to `total`).
fn connected_at(timeouts: Timeouts, at: Timestamp) -> Connection {
    let mut c = connecting(timeouts, at);
    c.handle_attempt_started(0, false, at);
    c.handle_connected(at);
    assert_eq!(c.phase(), Phase::Idle);
    c
}

fn connected(timeouts: Timeouts) -> Connection {
    connected_at(timeouts, T0)
}

fn get(c: &mut Connection, now: Timestamp) {
    c.send_request(Method::Get, "/", NO_HEADERS, RequestBody::EMPTY, now)
        .unwrap();
}

/// Everything `transmit` gives, concatenated.
fn pending(c: &Connection) -> Vec<u8> {
    let (head, body) = c.transmit();
    [head, body].concat()
}

/// Writes and flushes the whole request at `now`; returns its bytes.
fn write_all(c: &mut Connection, now: Timestamp) -> Vec<u8> {
    let bytes = pending(c);
    c.handle_sent(bytes.len(), now);
    c.handle_flushed(now);
    assert_eq!(c.phase(), Phase::AwaitingHead);
    bytes
}

/// A `GET /` sent and flushed at `now` on a connection that connected at `now`.
fn awaiting_head(timeouts: Timeouts, now: Timestamp) -> Connection {
    let mut c = connected_at(timeouts, now);
    get(&mut c, now);
    write_all(&mut c, now);
    c
}

/// Passes `bytes` (received at `now`) to `handle_head`.
fn head(c: &mut Connection, bytes: &[u8], now: Timestamp) -> Result<HeadEvent, ConnError> {
    c.handle_received(now);
    c.handle_head(bytes, now)
}

fn complete(bytes: &[u8]) -> Result<HeadEvent, ConnError> {
    Ok(HeadEvent::Complete {
        consumed: bytes.len(),
    })
}

/// A connection in `Body`, its head (announcing `Content-Length: 10`) received at `now`.
fn in_body(timeouts: Timeouts, now: Timestamp) -> Connection {
    let mut c = awaiting_head(timeouts, now);
    let h = b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n";
    assert_eq!(head(&mut c, h, now), complete(h));
    assert_eq!(c.phase(), Phase::Body);
    c
}

fn only_idle(idle: u64) -> Timeouts {
    Timeouts {
        idle: Some(ms(idle)),
        ..Timeouts::NONE
    }
}

// ----- a response driven through the connection as a driver does ----------------------

/// What became of a response.
#[derive(Debug, PartialEq)]
struct Outcome {
    phase: Phase,
    /// The final status code, once the final head is in.
    code: Option<u16>,
    body: Vec<u8>,
    trailer: Option<Vec<u8>>,
    complete: bool,
    error: Option<ConnError>,
    /// The bytes left to the other protocol after a switch.
    after_switch: Vec<u8>,
}

/// A minimal driver: a receive buffer fed in pieces, bodies read in runs of `max_data`.
struct Feeder {
    conn: Connection,
    buf: Vec<u8>,
    body: Vec<u8>,
    error: Option<ConnError>,
    max_data: usize,
}

impl Feeder {
    fn new(method: Method, target: &str, headers: &[&str], max_data: usize) -> Feeder {
        let mut conn = connected(Timeouts::default());
        conn.send_request(method, target, headers, RequestBody::EMPTY, t(0))
            .unwrap();
        write_all(&mut conn, t(0));
        Feeder {
            conn,
            buf: Vec::new(),
            body: Vec::new(),
            error: None,
            max_data,
        }
    }

    fn push(&mut self, piece: &[u8]) {
        if self.error.is_some() || piece.is_empty() {
            return;
        }
        self.buf.extend_from_slice(piece);
        self.conn.handle_received(t(1));
        self.pump();
    }

    fn pump(&mut self) {
        loop {
            match self.conn.phase() {
                Phase::Sending | Phase::AwaitingHead => {
                    match self.conn.handle_head(&self.buf, t(1)) {
                        Ok(HeadEvent::NeedMore { consumed }) => {
                            assert!(consumed <= self.buf.len());
                            self.buf.drain(..consumed);
                            return;
                        }
                        Ok(HeadEvent::Complete { consumed }) => {
                            assert!(consumed <= self.buf.len());
                            self.buf.drain(..consumed);
                        }
                        Err(e) => {
                            assert_eq!(self.conn.phase(), Phase::Closed);
                            self.error = Some(e);
                            return;
                        }
                    }
                }
                Phase::Body => match self.conn.read_body(&self.buf, self.max_data) {
                    Ok(d) => {
                        assert!(d.data.end <= d.consumed && d.consumed <= self.buf.len());
                        assert!(d.data.len() <= self.max_data);
                        self.body.extend_from_slice(&self.buf[d.data.clone()]);
                        self.buf.drain(..d.consumed);
                        if d.consumed == 0 {
                            return;
                        }
                    }
                    Err(e) => {
                        // Sticky: the phase stays, every later call repeats the error.
                        assert_eq!(self.conn.phase(), Phase::Body);
                        assert_eq!(self.conn.read_body(b"", self.max_data), Err(e.clone()));
                        self.conn.drop_transport();
                        self.error = Some(e);
                        return;
                    }
                },
                Phase::Idle if !self.buf.is_empty() => {
                    self.error = Some(self.conn.handle_idle_input());
                    return;
                }
                _ => return,
            }
        }
    }

    fn eof(&mut self) {
        if self.error.is_none() {
            if let Err(e) = self.conn.handle_eof() {
                self.error = Some(e);
            }
        }
        assert_eq!(
            self.conn.phase(),
            if self.conn.response().is_switched() && self.error.is_none() {
                Phase::Switched
            } else {
                Phase::Closed
            }
        );
    }

    fn outcome(&self) -> Outcome {
        let response = self.conn.response();
        let phase = self.conn.phase();
        Outcome {
            phase,
            code: response.framing().map(|_| response.head().code()),
            body: self.body.clone(),
            trailer: response.trailers().get("x-trailer").map(<[u8]>::to_vec),
            complete: self.conn.is_response_complete(),
            error: self.error.clone(),
            after_switch: if phase == Phase::Switched {
                self.buf.clone()
            } else {
                Vec::new()
            },
        }
    }
}

/// One request and the server's answer to it.
struct Case {
    method: Method,
    target: &'static str,
    headers: &'static [&'static str],
    wire: &'static [u8],
    eof: bool,
    expect: fn() -> Outcome,
}

fn run(case: &Case, pieces: &[&[u8]], max_data: usize) -> Outcome {
    let mut f = Feeder::new(case.method, case.target, case.headers, max_data);
    for p in pieces {
        f.push(p);
    }
    if case.eof {
        f.eof();
    }
    f.outcome()
}

fn outcome(phase: Phase, code: Option<u16>, body: &[u8], complete: bool) -> Outcome {
    Outcome {
        phase,
        code,
        body: body.to_vec(),
        trailer: None,
        complete,
        error: None,
        after_switch: Vec::new(),
    }
}

fn failed(code: Option<u16>, body: &[u8], error: ConnError) -> Outcome {
    Outcome {
        error: Some(error),
        ..outcome(Phase::Closed, code, body, false)
    }
}

const CASES: &[Case] = &[
    Case {
        method: Method::Get,
        target: "/",
        headers: &[],
        wire: b"HTTP/1.1 200 OK\r\nContent-Length: 11\r\nX-A: 1\r\n\r\nhello world",
        eof: false,
        expect: || outcome(Phase::Idle, Some(200), b"hello world", true),
    },
    Case {
        method: Method::Get,
        target: "/",
        headers: &[],
        wire: b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\n\
                HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=1\r\nhello\r\n\
                6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n",
        eof: false,
        expect: || Outcome {
            trailer: Some(b"t".to_vec()),
            ..outcome(Phase::Idle, Some(200), b"hello world", true)
        },
    },
    Case {
        method: Method::Get,
        target: "/",
        headers: &[],
        wire: b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n",
        eof: false,
        expect: || outcome(Phase::Closed, Some(204), b"", true),
    },
    Case {
        method: Method::Get,
        target: "/",
        headers: &[],
        wire: b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\nConnection: close\r\n\r\nbye!",
        eof: false,
        expect: || outcome(Phase::Closed, Some(200), b"bye!", true),
    },
    Case {
        method: Method::Get,
        target: "/",
        headers: &[],
        wire: b"HTTP/1.0 200 OK\r\n\r\nuntil the end",
        eof: true,
        expect: || outcome(Phase::Closed, Some(200), b"until the end", true),
    },
    Case {
        method: Method::Head,
        target: "/",
        headers: &[],
        wire: b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n",
        eof: false,
        expect: || outcome(Phase::Idle, Some(200), b"", true),
    },
    Case {
        method: Method::Get,
        target: "/",
        headers: &[],
        wire: b"HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\nshort",
        eof: true,
        expect: || {
            failed(
                Some(200),
                b"short",
                ProtoError::TruncatedBody { remaining: 15 }.into(),
            )
        },
    },
    Case {
        method: Method::Get,
        target: "/",
        headers: &[],
        wire: b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel",
        eof: true,
        expect: || failed(Some(200), b"hel", ProtoError::TruncatedChunked.into()),
    },
    Case {
        method: Method::Get,
        target: "/",
        headers: &[],
        wire: b"HTTP/1.1 200 OK\r\nContent-Le",
        eof: true,
        expect: || failed(None, b"", ProtoError::TruncatedHead.into()),
    },
    Case {
        method: Method::Get,
        target: "/",
        headers: &[],
        wire: b"",
        eof: true,
        expect: || failed(None, b"", ProtoError::EmptyReply.into()),
    },
    Case {
        method: Method::Get,
        target: "/",
        headers: &[],
        wire: b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX",
        eof: false,
        expect: || {
            failed(
                Some(200),
                b"hello",
                ProtoError::InvalidChunkTerminator.into(),
            )
        },
    },
    Case {
        method: Method::Get,
        target: "/",
        headers: &["Upgrade: websocket", "Connection: Upgrade"],
        wire: b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\
                Connection: Upgrade\r\n\r\n\x81\x02hi",
        eof: false,
        expect: || Outcome {
            after_switch: b"\x81\x02hi".to_vec(),
            ..outcome(Phase::Switched, Some(101), b"", true)
        },
    },
    Case {
        method: Method::Get,
        target: "/",
        headers: &[],
        wire: b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n",
        eof: false,
        expect: || Outcome {
            // Like any broken head, it is no response.
            error: Some(ProtoError::UnsolicitedSwitch.into()),
            ..outcome(Phase::Closed, None, b"", false)
        },
    },
    Case {
        method: Method::Connect,
        target: "origin.example:443",
        headers: &[],
        wire: b"HTTP/1.1 200 Connection established\r\n\r\n\x16\x03\x01",
        eof: false,
        expect: || Outcome {
            after_switch: b"\x16\x03\x01".to_vec(),
            ..outcome(Phase::Switched, Some(200), b"", true)
        },
    },
];

// ----- the limits themselves ------------------------------------------------------------

#[test]
fn default_limits_are_the_documented_values() {
    let c: Connection = Connection::new(Limits::default(), Timeouts::default());
    let t = c.timeouts();
    assert_eq!(t.resolve, Some(Duration::from_secs(30)));
    assert_eq!(t.connect, Some(Duration::from_secs(30)));
    assert_eq!(t.connect_total, Some(Duration::from_secs(90)));
    assert_eq!(t.tls_handshake, Some(Duration::from_secs(30)));
    assert_eq!(t.response_head, Some(Duration::from_secs(120)));
    assert_eq!(t.idle, Some(Duration::from_secs(120)));
    assert_eq!(t.total, None);
    assert_eq!(t.get(TimeoutPhase::Idle), t.idle);
    assert_eq!(t.get(TimeoutPhase::ConnectTotal), t.connect_total);
}

#[test]
fn timeout_messages_name_the_limit() {
    let mut c = awaiting_head(
        Timeouts {
            response_head: Some(ms(300)),
            ..Timeouts::NONE
        },
        t(0),
    );
    let Some(Expiry::Failed(e)) = c.handle_timeout(t(300), false) else {
        panic!("the head limit expires");
    };
    assert_eq!(
        e.to_string(),
        "timed out after 300ms waiting for the response head (timeouts.response_head)"
    );
    let mut c = connecting(
        Timeouts {
            connect_total: Some(ms(2500)),
            ..Timeouts::NONE
        },
        t(0),
    );
    let Some(Expiry::Failed(e)) = c.handle_timeout(t(2500), false) else {
        panic!("connect_total expires");
    };
    assert_eq!(
        e.to_string(),
        "timed out after 2.5s waiting for the connection to be ready (timeouts.connect_total)"
    );
    assert_eq!(TimeoutPhase::ConnectTotal.to_string(), "connect_total");
}

// ----- connect-stage limits -----------------------------------------------------------

#[test]
fn resolve_expires_at_its_limit() {
    let mut c = connecting(
        Timeouts {
            resolve: Some(ms(30)),
            ..Timeouts::NONE
        },
        t(0),
    );
    assert_eq!(c.phase(), Phase::Connecting(ConnectStage::Resolving));
    assert_expires_at(&mut c, t(30), TimeoutPhase::Resolve);
}

/// No attempt delay: one address at a time, as before Happy Eyeballs.
fn sequential(connect: u64) -> Timeouts {
    Timeouts {
        connect: Some(ms(connect)),
        attempt_delay: None,
        ..Timeouts::NONE
    }
}

fn attempt_expired(attempt: usize, after: Duration) -> Option<Expiry> {
    Some(Expiry::AttemptExpired {
        attempt,
        error: ConnError::Timeout {
            phase: TimeoutPhase::Connect,
            after,
        },
    })
}

#[test]
fn each_tcp_attempt_has_its_own_connect_limit_and_the_last_one_fails() {
    let mut c = connecting(sequential(30), t(0));
    assert_eq!(c.poll_timeout(), None, "no resolve limit");
    c.handle_connect_stage(ConnectStage::Tcp, t(2));
    assert_eq!(c.phase(), Phase::Connecting(ConnectStage::Tcp));
    assert_eq!(c.poll_timeout(), None, "no attempt yet");
    c.handle_attempt_started(0, true, t(5));
    assert_eq!(c.poll_timeout(), Some(t(35)));
    // Reporting the same stage again changes nothing.
    c.handle_connect_stage(ConnectStage::Tcp, t(20));
    assert_eq!(c.poll_timeout(), Some(t(35)));
    assert_eq!(c.handle_timeout(just_before(t(35)), false), None);
    assert_eq!(c.handle_timeout(t(35), false), attempt_expired(0, ms(30)));
    assert_eq!(
        c.phase(),
        Phase::Connecting(ConnectStage::Tcp),
        "the connection goes on"
    );
    assert_eq!(c.poll_timeout(), None, "the core forgot the attempt");
    assert_eq!(c.handle_timeout(t(35), false), None, "reported once");
    // The driver closes it and starts the next address, which gets a clock of its own.
    c.handle_attempt_failed(0);
    c.handle_attempt_started(1, true, t(36));
    assert_eq!(c.poll_timeout(), Some(t(66)));
    assert_eq!(c.handle_timeout(t(66), false), attempt_expired(1, ms(30)));
    c.handle_attempt_started(2, false, t(66));
    // The last hope's expiry ends the connection.
    assert_expires_at(&mut c, t(96), TimeoutPhase::Connect);
}

#[test]
fn a_failed_attempt_stops_its_clock() {
    let mut c = connecting(sequential(30), t(0));
    c.handle_attempt_started(7, true, t(0));
    c.handle_attempt_failed(7);
    assert_eq!(c.poll_timeout(), None);
    c.handle_attempt_started(8, false, t(1));
    c.handle_attempt_failed(99); // not one of ours: ignored
    assert_expires_at(&mut c, t(31), TimeoutPhase::Connect);
}

#[test]
fn reporting_an_attempt_while_resolving_enters_the_tcp_stage() {
    let mut c = connecting(
        Timeouts {
            resolve: Some(ms(10)),
            connect: Some(ms(30)),
            ..Timeouts::NONE
        },
        t(0),
    );
    assert_eq!(c.poll_timeout(), Some(t(10)));
    c.handle_attempt_started(0, false, t(4));
    assert_eq!(c.phase(), Phase::Connecting(ConnectStage::Tcp));
    assert_eq!(c.poll_timeout(), Some(t(34)), "no resolve clock any more");
    // A late report in a later stage is ignored.
    c.handle_connect_stage(ConnectStage::Tls, t(5));
    c.handle_attempt_started(1, true, t(6));
    assert_eq!(c.phase(), Phase::Connecting(ConnectStage::Tls));
    assert_eq!(c.poll_timeout(), None, "no TLS limit, no attempt clock");
}

// ----- Happy Eyeballs: the attempt delay ------------------------------------------------

#[test]
fn a_new_attempt_is_due_every_attempt_delay_while_addresses_remain() {
    let limits = Timeouts {
        connect: Some(ms(1000)),
        attempt_delay: Some(ms(250)),
        ..Timeouts::NONE
    };
    let mut c = connecting(limits, t(0));
    c.handle_attempt_started(0, true, t(10));
    assert_eq!(c.poll_timeout(), Some(t(260)), "the delay comes first");
    assert_eq!(c.handle_timeout(just_before(t(260)), false), None);
    assert_eq!(c.handle_timeout(t(260), false), Some(Expiry::NextAttempt));
    // Asked once: the delay runs again from there even before the driver reports.
    assert_eq!(c.handle_timeout(t(260), false), None);
    assert_eq!(c.poll_timeout(), Some(t(510)));
    // The driver starts the next address a little late: the delay counts from its start.
    c.handle_attempt_started(1, true, t(270));
    assert_eq!(c.poll_timeout(), Some(t(520)));
    assert_eq!(c.handle_timeout(t(520), false), Some(Expiry::NextAttempt));
    c.handle_attempt_started(2, false, t(520));
    // No address left: no delay; the attempts' own limits remain, oldest first.
    assert_eq!(c.poll_timeout(), Some(t(1010)));
    assert_eq!(
        c.handle_timeout(t(1010), false),
        attempt_expired(0, ms(1000))
    );
    assert_eq!(c.poll_timeout(), Some(t(1270)));
    assert_eq!(
        c.handle_timeout(t(1270), false),
        attempt_expired(1, ms(1000))
    );
    assert_expires_at_after(&mut c, t(1520), TimeoutPhase::Connect, ms(1000));
}

#[test]
fn the_first_to_connect_wins_and_no_clock_runs_after() {
    let mut c = connecting(Timeouts::default(), t(0));
    c.handle_attempt_started(0, true, t(0));
    assert_eq!(c.handle_timeout(t(250), false), Some(Expiry::NextAttempt));
    c.handle_attempt_started(1, true, t(250));
    // The second answered first: the driver closes the first and is connected.
    c.handle_connected(t(251));
    assert_eq!(c.phase(), Phase::Idle);
    assert_eq!(c.poll_timeout(), None);
    assert_eq!(c.handle_timeout(t(100_000), false), None);
}

#[test]
fn an_expired_attempt_with_others_in_progress_goes_quietly() {
    // The last address is being tried, an older attempt's limit expires: not a failure.
    let limits = Timeouts {
        connect: Some(ms(300)),
        attempt_delay: Some(ms(250)),
        ..Timeouts::NONE
    };
    let mut c = connecting(limits, t(0));
    c.handle_attempt_started(0, true, t(0));
    assert_eq!(c.handle_timeout(t(250), false), Some(Expiry::NextAttempt));
    c.handle_attempt_started(1, false, t(250));
    assert_eq!(c.poll_timeout(), Some(t(300)));
    assert_eq!(c.handle_timeout(t(300), false), attempt_expired(0, ms(300)));
    assert_expires_at(&mut c, t(550), TimeoutPhase::Connect);
}

#[test]
fn both_clocks_due_at_once_expire_the_attempt_first() {
    let limits = Timeouts {
        connect: Some(ms(250)),
        attempt_delay: Some(ms(250)),
        ..Timeouts::NONE
    };
    let mut c = connecting(limits, t(0));
    c.handle_attempt_started(0, true, t(0));
    assert_eq!(c.handle_timeout(t(250), false), attempt_expired(0, ms(250)));
    // The driver has nothing in progress now: it starts the next address at once, which
    // also restarts the delay.
    c.handle_attempt_started(1, true, t(250));
    assert_eq!(c.handle_timeout(t(250), false), None);
    assert_eq!(c.poll_timeout(), Some(t(500)));
}

#[test]
fn attempt_delays_below_the_floor_count_as_ten_milliseconds() {
    for delay in [Duration::ZERO, ms(3), ms(10)] {
        let mut c = connecting(
            Timeouts {
                attempt_delay: Some(delay),
                ..Timeouts::NONE
            },
            t(0),
        );
        c.handle_attempt_started(0, true, t(0));
        assert_eq!(c.poll_timeout(), Some(t(10)), "{delay:?}");
        assert_eq!(c.handle_timeout(just_before(t(10)), false), None);
        assert_eq!(c.handle_timeout(t(10), false), Some(Expiry::NextAttempt));
    }
}

#[test]
fn without_an_attempt_delay_one_address_at_a_time() {
    let mut c = connecting(sequential(30_000), t(0));
    c.handle_attempt_started(0, true, t(0));
    assert_eq!(
        c.poll_timeout(),
        Some(t(30_000)),
        "only the attempt's limit"
    );
    assert_eq!(c.handle_timeout(t(29_999), false), None);
    // Refused: the driver starts the next at once.
    c.handle_attempt_failed(0);
    c.handle_attempt_started(1, false, t(5));
    assert_eq!(c.poll_timeout(), Some(t(30_005)));
}

#[test]
fn timeouts_none_still_staggers_attempts() {
    let mut c = connecting(Timeouts::NONE, t(0));
    c.handle_attempt_started(0, true, t(0));
    assert_eq!(c.poll_timeout(), Some(t(250)));
    assert_eq!(c.handle_timeout(t(250), false), Some(Expiry::NextAttempt));
    c.handle_attempt_started(1, false, t(250));
    assert_eq!(c.poll_timeout(), None, "no limit at all");
}

#[test]
fn a_new_stage_forgets_the_attempts() {
    let mut c = connecting(Timeouts::default(), t(0));
    c.handle_attempt_started(0, true, t(0));
    c.handle_connect_stage(ConnectStage::Tls, t(1));
    // The TLS limit alone (30 s from t(1)), no attempt delay.
    assert_eq!(c.poll_timeout(), Some(t(30_001)));
}

#[test]
fn connect_total_bounds_the_pipeline_even_with_addresses_left() {
    let limits = Timeouts {
        resolve: Some(ms(30)),
        connect: Some(ms(30)),
        connect_total: Some(ms(45)),
        ..Timeouts::NONE
    };
    let mut c = connecting(limits, t(0));
    assert_eq!(c.poll_timeout(), Some(t(30)), "resolve first");
    c.handle_attempt_started(0, true, t(20));
    // The attempt's own limit (t(50)) is later than connect_total: no AttemptExpired.
    assert_expires_at(&mut c, t(45), TimeoutPhase::ConnectTotal);

    // When both expire at once, connect_total wins over the attempt's limit.
    let mut c = connecting(limits, t(0));
    c.handle_attempt_started(0, true, t(15));
    assert_expires_at(&mut c, t(45), TimeoutPhase::ConnectTotal);
}

#[test]
fn tls_handshake_expires_at_its_limit() {
    let mut c = connecting(
        Timeouts {
            connect: Some(ms(10)),
            tls_handshake: Some(ms(30)),
            connect_total: Some(ms(100)),
            ..Timeouts::NONE
        },
        t(0),
    );
    c.handle_attempt_started(0, false, t(0));
    assert_eq!(c.poll_timeout(), Some(t(10)));
    c.handle_connect_stage(ConnectStage::Tls, t(8));
    assert_eq!(c.phase(), Phase::Connecting(ConnectStage::Tls));
    assert_expires_at(&mut c, t(38), TimeoutPhase::TlsHandshake);
}

#[test]
fn the_tunnel_stage_is_bounded_by_connect_total_alone() {
    let limits = Timeouts {
        resolve: Some(ms(10)),
        connect: Some(ms(10)),
        tls_handshake: Some(ms(10)),
        connect_total: Some(ms(100)),
        ..Timeouts::NONE
    };
    let mut c = connecting(limits, t(0));
    c.handle_connect_stage(ConnectStage::Tunnel, t(5));
    assert_eq!(c.phase(), Phase::Connecting(ConnectStage::Tunnel));
    assert_eq!(c.handle_timeout(t(50), false), None);
    assert_expires_at(&mut c, t(100), TimeoutPhase::ConnectTotal);

    // Without connect_total (and total) no clock runs in the tunnel stage.
    let mut c = connecting(
        Timeouts {
            connect_total: None,
            ..limits
        },
        t(0),
    );
    c.handle_connect_stage(ConnectStage::Tunnel, t(5));
    assert_eq!(c.poll_timeout(), None);
    assert_eq!(c.handle_timeout(t(1_000_000), false), None);
    assert_eq!(c.phase(), Phase::Connecting(ConnectStage::Tunnel));
}

#[test]
fn total_runs_while_connecting_and_is_checked_first() {
    // total, connect_total and resolve all end at t(40): total is named.
    let mut c = connecting(
        Timeouts {
            resolve: Some(ms(40)),
            connect_total: Some(ms(40)),
            total: Some(ms(40)),
            ..Timeouts::NONE
        },
        t(0),
    );
    assert_expires_at(&mut c, t(40), TimeoutPhase::Total);

    // connect_total and resolve at once: connect_total.
    let mut c = connecting(
        Timeouts {
            resolve: Some(ms(40)),
            connect_total: Some(ms(40)),
            total: Some(ms(100)),
            ..Timeouts::NONE
        },
        t(0),
    );
    assert_expires_at(&mut c, t(40), TimeoutPhase::ConnectTotal);

    // total alone, shorter than the stage limits.
    let mut c = connecting(
        Timeouts {
            connect: Some(ms(60)),
            total: Some(ms(25)),
            ..Timeouts::NONE
        },
        t(0),
    );
    c.handle_attempt_started(0, true, t(10));
    assert_expires_at(&mut c, t(25), TimeoutPhase::Total);
}

#[test]
fn poll_timeout_is_the_earliest_connect_clock_in_each_stage() {
    let mut c = connecting(
        Timeouts {
            resolve: Some(ms(20)),
            connect: Some(ms(30)),
            tls_handshake: Some(ms(40)),
            connect_total: Some(ms(100)),
            total: Some(ms(90)),
            ..Timeouts::NONE
        },
        t(0),
    );
    assert_eq!(c.poll_timeout(), Some(t(20)));
    c.handle_attempt_started(0, false, t(15));
    assert_eq!(c.poll_timeout(), Some(t(45)));
    c.handle_connect_stage(ConnectStage::Tls, t(30));
    assert_eq!(c.poll_timeout(), Some(t(70)));
    c.handle_connect_stage(ConnectStage::Tls, t(60));
    assert_eq!(c.poll_timeout(), Some(t(70)), "same stage, same clock");
    c.handle_connect_stage(ConnectStage::Tunnel, t(60));
    assert_eq!(c.poll_timeout(), Some(t(90)), "total");
    c.handle_connected(t(80));
    assert_eq!(c.phase(), Phase::Idle);
    assert_eq!(c.poll_timeout(), None, "no clock while idle");
    assert_eq!(c.handle_timeout(t(1_000_000), false), None);
}

#[test]
fn eof_while_connecting_closes() {
    let mut c = connecting(Timeouts::default(), t(0));
    assert_eq!(
        c.handle_eof(),
        Err(ConnError::PeerClosed("while connecting"))
    );
    assert_eq!(c.phase(), Phase::Closed);
    assert_eq!(c.handle_eof(), Ok(()), "nothing more to say once closed");
}

// ----- total across connect and requests -----------------------------------------------

fn total_limits() -> Timeouts {
    Timeouts {
        response_head: Some(ms(100)),
        idle: Some(ms(50)),
        total: Some(ms(1000)),
        ..Timeouts::NONE
    }
}

#[test]
fn total_is_charged_with_the_connect_time_once() {
    let mut c = connecting(total_limits(), t(0));
    assert_eq!(c.poll_timeout(), Some(t(1000)));
    c.handle_attempt_started(0, false, t(10));
    c.handle_connected(t(300));
    assert_eq!(c.poll_timeout(), None, "no clock while idle");
    // The caller waits 5 s before its request: that time is not charged.
    let t1 = t(5300);
    get(&mut c, t1);
    assert_eq!(c.poll_timeout(), Some(t1 + ms(50)), "idle while sending");
    write_all(&mut c, t1);
    assert_eq!(c.poll_timeout(), Some(t1 + ms(50)));
    let h = b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n";
    assert_eq!(head(&mut c, h, t1 + ms(10)), complete(h));
    c.handle_received(t1 + ms(690));
    assert_eq!(c.poll_timeout(), Some(t1 + ms(700)), "1000 - 300 left");
    assert_eq!(c.handle_timeout(just_before(t1 + ms(700)), false), None);
    let d = c.read_body(b"abc", 16).unwrap();
    assert_eq!((d.consumed, d.data), (3, 0..3));
    assert_eq!(c.phase(), Phase::Idle);

    // The next request on the connection gets the whole budget.
    let t2 = t1 + ms(2000);
    get(&mut c, t2);
    write_all(&mut c, t2);
    let h = b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n";
    assert_eq!(head(&mut c, h, t2), complete(h));
    c.handle_received(t2 + ms(990));
    assert_expires_at(&mut c, t2 + ms(1000), TimeoutPhase::Total);
}

#[test]
fn the_first_request_expires_at_total_minus_the_connect_time() {
    let mut c = connecting(total_limits(), t(0));
    c.handle_connected(t(300));
    let t1 = t(400);
    get(&mut c, t1);
    // Keep idle from expiring: progress every 40 ms.
    let mut now = t1;
    while now < t1 + ms(680) {
        now = now + ms(40);
        c.handle_sent(1, now);
    }
    assert_eq!(c.phase(), Phase::Sending);
    assert_expires_at_after(&mut c, t1 + ms(700), TimeoutPhase::Total, ms(1000));
}

#[test]
fn a_refused_request_keeps_the_connect_charge() {
    let mut c = connecting(total_limits(), t(0));
    c.handle_connected(t(300));
    assert_eq!(
        c.send_request(
            Method::Get,
            "/",
            &["Bad Header"],
            RequestBody::EMPTY,
            t(400)
        ),
        Err(SendError::Invalid(ProtoError::InvalidHeader {
            index: 0,
            why: "expected \"Name: value\" with a non-empty name before ':'"
        }))
    );
    assert_eq!(c.phase(), Phase::Idle);
    get(&mut c, t(500));
    // Keep idle from expiring: progress every 40 ms.
    let mut now = t(500);
    while now < t(1160) {
        now = now + ms(40);
        c.handle_sent(1, now);
    }
    assert_eq!(c.phase(), Phase::Sending);
    assert_expires_at_after(&mut c, t(1200), TimeoutPhase::Total, ms(1000));
}

#[test]
fn an_adopted_stream_gets_the_whole_total() {
    let mut c = Connection::new(Limits::default(), total_limits());
    c.adopt("example.org");
    assert_eq!(c.phase(), Phase::Idle);
    assert_eq!(c.poll_timeout(), None);
    get(&mut c, t(0));
    assert!(pending(&c).starts_with(b"GET / HTTP/1.1\r\nHost: example.org\r\n"));
    write_all(&mut c, t(0));
    let h = b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n";
    assert_eq!(head(&mut c, h, t(10)), complete(h));
    c.handle_received(t(990));
    assert_expires_at(&mut c, t(1000), TimeoutPhase::Total);
}

// ----- exchange limits -------------------------------------------------------------------

#[test]
fn idle_runs_while_sending_and_moves_with_written_bytes() {
    let mut c = connected(Timeouts {
        idle: Some(ms(50)),
        response_head: Some(ms(100)),
        ..Timeouts::NONE
    });
    c.send_request(
        Method::Post,
        "/",
        NO_HEADERS,
        RequestBody::from("0123456789"),
        t(0),
    )
    .unwrap();
    assert_eq!(c.phase(), Phase::Sending);
    assert_eq!(c.poll_timeout(), Some(t(50)), "no head clock while sending");
    c.handle_sent(0, t(40));
    assert_eq!(
        c.poll_timeout(),
        Some(t(50)),
        "no byte written, no progress"
    );
    c.handle_sent(10, t(40));
    assert_eq!(c.phase(), Phase::Sending);
    assert_expires_at(&mut c, t(90), TimeoutPhase::Idle);
}

#[test]
fn response_head_starts_when_the_request_is_flushed() {
    let mut c = connected(Timeouts {
        response_head: Some(ms(100)),
        ..Timeouts::NONE
    });
    get(&mut c, t(0));
    assert_eq!(c.poll_timeout(), None, "no clock while sending");
    let n = pending(&c).len();
    c.handle_sent(n, t(10));
    assert_eq!(c.poll_timeout(), None, "not flushed yet");
    c.handle_flushed(t(20));
    assert_eq!(c.phase(), Phase::AwaitingHead);
    assert_eq!(c.poll_timeout(), Some(t(120)));
    // A later flush report does not move it.
    c.handle_flushed(t(60));
    // Nor do bytes of the head.
    c.handle_received(t(70));
    assert_eq!(
        c.handle_head(b"HTTP/1.1 200", t(70)),
        Ok(HeadEvent::NeedMore { consumed: 0 })
    );
    assert_expires_at(&mut c, t(120), TimeoutPhase::ResponseHead);
}

#[test]
fn a_silent_server_trips_idle_before_response_head_when_idle_is_shorter() {
    let mut c = awaiting_head(
        Timeouts {
            response_head: Some(ms(100)),
            idle: Some(ms(50)),
            ..Timeouts::NONE
        },
        t(0),
    );
    assert_expires_at(&mut c, t(50), TimeoutPhase::Idle);
}

#[test]
fn a_head_trickled_within_idle_keeps_the_exchange_alive() {
    let mut c = awaiting_head(
        Timeouts {
            response_head: Some(ms(200)),
            idle: Some(ms(50)),
            ..Timeouts::NONE
        },
        t(0),
    );
    let wire = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
    let mut buf = Vec::new();
    let mut now = t(0);
    for piece in wire.chunks(10) {
        assert_eq!(c.handle_timeout(now + ms(40), false), None);
        now = now + ms(40);
        buf.extend_from_slice(piece);
        c.handle_received(now);
        assert_eq!(c.poll_timeout(), Some((now + ms(50)).min(t(200))));
        match c.handle_head(&buf, now).unwrap() {
            HeadEvent::NeedMore { consumed } => buf.drain(..consumed),
            HeadEvent::Complete { consumed } => buf.drain(..consumed),
        };
    }
    assert_eq!(now, t(160));
    assert_eq!(c.phase(), Phase::Idle);
    assert!(c.is_response_complete());
    assert_eq!(c.poll_timeout(), None);
}

#[test]
fn progress_does_not_extend_response_head() {
    let mut c = awaiting_head(
        Timeouts {
            response_head: Some(ms(200)),
            idle: Some(ms(50)),
            ..Timeouts::NONE
        },
        t(0),
    );
    let mut now = t(0);
    let mut buf = Vec::new();
    for &b in b"HTTP/1.1 200 OK\r\nX-Slow: 1" {
        if now >= t(180) {
            break;
        }
        now = now + ms(30);
        buf.push(b);
        c.handle_received(now);
        assert_eq!(
            c.handle_head(&buf, now),
            Ok(HeadEvent::NeedMore { consumed: 0 })
        );
    }
    assert_eq!(now, t(180));
    assert_expires_at(&mut c, t(200), TimeoutPhase::ResponseHead);
}

#[test]
fn idle_runs_in_the_body_and_unread_input_suspends_it() {
    let mut c = in_body(only_idle(50), t(0));
    assert_eq!(c.poll_timeout(), Some(t(50)));
    let d = c.read_body(b"01234", 64).unwrap();
    assert_eq!((d.consumed, d.data), (5, 0..5));
    c.handle_received(t(30));
    assert_eq!(c.poll_timeout(), Some(t(80)));
    // The caller has not read what arrived: not a stall, however long.
    assert_eq!(c.handle_timeout(t(80), true), None);
    assert_eq!(c.handle_timeout(t(10_000), true), None);
    assert_eq!(c.phase(), Phase::Body);
    assert_eq!(c.poll_timeout(), Some(t(80)));
    assert_expires_at(&mut c, t(80), TimeoutPhase::Idle);
}

#[test]
fn the_body_idle_clock_starts_when_the_head_is_complete() {
    let mut c = awaiting_head(
        Timeouts {
            response_head: Some(ms(100)),
            idle: Some(ms(50)),
            ..Timeouts::NONE
        },
        t(0),
    );
    // The bytes arrived at t(10); the driver parsed them at t(30).
    c.handle_received(t(10));
    assert_eq!(c.poll_timeout(), Some(t(60)));
    let h = b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n";
    assert_eq!(c.handle_head(h, t(30)), complete(h));
    assert_eq!(c.phase(), Phase::Body);
    assert_expires_at(&mut c, t(80), TimeoutPhase::Idle);
}

#[test]
fn unread_input_does_not_suspend_total_or_response_head() {
    let mut c = in_body(
        Timeouts {
            idle: Some(ms(10)),
            total: Some(ms(100)),
            ..Timeouts::NONE
        },
        t(0),
    );
    assert_eq!(c.handle_timeout(t(99), true), None);
    assert_eq!(
        c.handle_timeout(t(100), true),
        timeout(TimeoutPhase::Total, ms(100))
    );
    assert_eq!(c.phase(), Phase::Closed);

    let mut c = awaiting_head(
        Timeouts {
            response_head: Some(ms(20)),
            ..Timeouts::NONE
        },
        t(0),
    );
    assert_eq!(
        c.handle_timeout(t(20), true),
        timeout(TimeoutPhase::ResponseHead, ms(20))
    );
}

#[test]
fn consume_direct_counts_as_progress_and_can_end_the_body() {
    let mut c = in_body(only_idle(50), t(0));
    assert_eq!(c.direct_window(), 10);
    c.consume_direct(4, t(40)).unwrap();
    assert_eq!(c.poll_timeout(), Some(t(90)));
    assert_eq!(c.direct_window(), 6);
    assert_eq!(c.response().body_received(), 4);
    c.consume_direct(6, t(45)).unwrap();
    assert_eq!(c.phase(), Phase::Idle);
    assert!(c.is_response_complete());
    assert_eq!(c.direct_window(), 0);
    assert_eq!(c.poll_timeout(), None);
}

#[test]
fn consume_direct_past_the_body_limit_is_a_sticky_error() {
    let mut c = awaiting_head(Timeouts::NONE, t(0));
    c.set_limits(Limits {
        max_body_bytes: Some(5),
        ..Limits::default()
    });
    let h = b"HTTP/1.0 200 OK\r\n\r\n";
    assert_eq!(head(&mut c, h, t(1)), complete(h));
    c.consume_direct(5, t(2)).unwrap();
    let err = Err(ConnError::Protocol(ProtoError::BodyTooLarge { limit: 5 }));
    assert_eq!(c.consume_direct(1, t(3)), err);
    assert_eq!(c.phase(), Phase::Body, "sticky, as in read_body");
    assert_eq!(c.consume_direct(0, t(4)), err);
    assert_eq!(c.read_body(b"x", 8).map(|_| ()), err);
    assert!(!c.is_response_complete());
    c.drop_transport();
    assert_eq!(c.phase(), Phase::Closed);
}

#[test]
fn in_an_exchange_total_then_response_head_then_idle() {
    let all = Timeouts {
        response_head: Some(ms(100)),
        idle: Some(ms(100)),
        total: Some(ms(100)),
        ..Timeouts::NONE
    };
    let mut c = awaiting_head(all, t(0));
    assert_expires_at(&mut c, t(100), TimeoutPhase::Total);
    let mut c = awaiting_head(Timeouts { total: None, ..all }, t(0));
    assert_expires_at(&mut c, t(100), TimeoutPhase::ResponseHead);
    let mut c = awaiting_head(
        Timeouts {
            total: None,
            response_head: Some(ms(101)),
            ..all
        },
        t(0),
    );
    assert_expires_at(&mut c, t(100), TimeoutPhase::Idle);
}

#[test]
fn poll_timeout_in_each_exchange_step() {
    let limits = Timeouts {
        response_head: Some(ms(100)),
        idle: Some(ms(30)),
        total: Some(ms(500)),
        ..Timeouts::NONE
    };
    let mut c = connected(limits);
    get(&mut c, t(0));
    assert_eq!(c.poll_timeout(), Some(t(30)), "sending: idle, total");
    c.handle_sent(pending(&c).len(), t(20));
    c.handle_flushed(t(20));
    assert_eq!(c.poll_timeout(), Some(t(50)), "awaiting: head, idle, total");
    let mut c = connected(Timeouts {
        idle: Some(ms(1000)),
        ..limits
    });
    get(&mut c, t(0));
    write_all(&mut c, t(0));
    assert_eq!(c.poll_timeout(), Some(t(100)), "head before idle");
    let h = b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n";
    assert_eq!(head(&mut c, h, t(90)), complete(h));
    assert_eq!(c.poll_timeout(), Some(t(500)), "body: total before idle");
    c.read_body(b"x", 8).unwrap();
    assert_eq!(c.phase(), Phase::Idle);
    assert_eq!(c.poll_timeout(), None);
}

// ----- limit values ------------------------------------------------------------------------

#[test]
fn zero_limits_expire_at_the_first_check() {
    let zero = Some(Duration::ZERO);
    for (limits, phase) in [
        (
            Timeouts {
                resolve: zero,
                ..Timeouts::NONE
            },
            TimeoutPhase::Resolve,
        ),
        (
            Timeouts {
                connect_total: zero,
                ..Timeouts::NONE
            },
            TimeoutPhase::ConnectTotal,
        ),
        (
            Timeouts {
                total: zero,
                ..Timeouts::NONE
            },
            TimeoutPhase::Total,
        ),
    ] {
        let mut c = connecting(limits, t(0));
        assert_eq!(c.poll_timeout(), Some(t(0)));
        assert_eq!(
            c.handle_timeout(t(0), false),
            timeout(phase, Duration::ZERO)
        );
        assert_eq!(c.phase(), Phase::Closed);
    }

    let limits = Timeouts {
        connect: zero,
        ..Timeouts::NONE
    };
    let mut c = connecting(limits, t(0));
    c.handle_attempt_started(0, true, t(3));
    assert_eq!(
        c.handle_timeout(t(3), false),
        attempt_expired(0, Duration::ZERO)
    );
    c.handle_attempt_started(1, false, t(3));
    assert_eq!(
        c.handle_timeout(t(3), false),
        timeout(TimeoutPhase::Connect, Duration::ZERO)
    );

    let mut c = connecting(
        Timeouts {
            tls_handshake: zero,
            ..Timeouts::NONE
        },
        t(0),
    );
    c.handle_connect_stage(ConnectStage::Tls, t(7));
    assert_eq!(c.poll_timeout(), Some(t(7)));
    assert_eq!(
        c.handle_timeout(t(7), false),
        timeout(TimeoutPhase::TlsHandshake, Duration::ZERO)
    );

    // In an exchange: idle while sending, total from the request, response_head at flush.
    for (limits, phase) in [
        (
            Timeouts {
                idle: zero,
                ..Timeouts::NONE
            },
            TimeoutPhase::Idle,
        ),
        (
            Timeouts {
                total: zero,
                ..Timeouts::NONE
            },
            TimeoutPhase::Total,
        ),
    ] {
        let mut c = connected(limits);
        get(&mut c, t(5));
        assert_eq!(c.poll_timeout(), Some(t(5)));
        assert_eq!(
            c.handle_timeout(t(5), false),
            timeout(phase, Duration::ZERO)
        );
    }
    let mut c = connected(Timeouts {
        response_head: zero,
        ..Timeouts::NONE
    });
    get(&mut c, t(5));
    assert_eq!(c.handle_timeout(t(9), false), None, "not flushed");
    write_all(&mut c, t(9));
    assert_eq!(c.poll_timeout(), Some(t(9)));
    assert_eq!(
        c.handle_timeout(t(9), false),
        timeout(TimeoutPhase::ResponseHead, Duration::ZERO)
    );
}

#[test]
fn no_limit_never_expires() {
    let far = t(1_000_000_000);
    let mut c = connecting(Timeouts::NONE, t(0));
    for stage in [
        ConnectStage::Resolving,
        ConnectStage::Tcp,
        ConnectStage::Tunnel,
        ConnectStage::Tls,
    ] {
        c.handle_connect_stage(stage, t(1));
        assert_eq!(c.poll_timeout(), None, "{stage:?}");
        assert_eq!(c.handle_timeout(far, false), None, "{stage:?}");
        assert_eq!(c.phase(), Phase::Connecting(stage));
    }
    c.handle_connected(t(2));
    c.send_request(
        Method::Put,
        "/x",
        NO_HEADERS,
        RequestBody::from("abc"),
        t(3),
    )
    .unwrap();
    assert_eq!(
        (c.poll_timeout(), c.handle_timeout(far, false)),
        (None, None)
    );
    write_all(&mut c, t(4));
    assert_eq!(
        (c.poll_timeout(), c.handle_timeout(far, false)),
        (None, None)
    );
    let h = b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n";
    assert_eq!(head(&mut c, h, t(5)), complete(h));
    assert_eq!(
        (c.poll_timeout(), c.handle_timeout(far, false)),
        (None, None)
    );
    assert_eq!(c.phase(), Phase::Body);
}

#[test]
fn a_limit_past_the_last_instant_is_no_limit() {
    let max = Some(Duration::MAX);
    let limits = Timeouts {
        resolve: max,
        connect: max,
        attempt_delay: max,
        connect_total: max,
        tls_handshake: max,
        response_head: max,
        idle: max,
        total: max,
    };
    let mut c = connecting(limits, t(0));
    assert_eq!(c.poll_timeout(), None);
    c.handle_attempt_started(0, true, t(0));
    assert_eq!(c.poll_timeout(), None, "no attempt clock either");
    c.handle_connected(t(1));
    get(&mut c, t(1));
    assert_eq!(c.poll_timeout(), None);
    write_all(&mut c, t(2));
    assert_eq!(c.poll_timeout(), None);
    let end = Timestamp::from_duration(Duration::MAX);
    assert_eq!(c.handle_timeout(end, false), None);
    assert_eq!(c.phase(), Phase::AwaitingHead);
}

#[test]
fn no_clock_runs_when_closed_idle_or_switched() {
    let limits = Timeouts {
        total: Some(ms(1)),
        ..Timeouts::default()
    };
    let mut c = Connection::new(Limits::default(), limits);
    assert_eq!(c.phase(), Phase::Closed);
    assert_eq!(
        (c.poll_timeout(), c.handle_timeout(t(10), false)),
        (None, None)
    );

    let mut c = connected(limits);
    assert_eq!(
        (c.poll_timeout(), c.handle_timeout(t(10), false)),
        (None, None)
    );
    assert_eq!(c.phase(), Phase::Idle);
    c.close();
    assert_eq!(
        (c.poll_timeout(), c.handle_timeout(t(10), false)),
        (None, None)
    );

    let mut c = connected(limits);
    c.send_request(
        Method::Get,
        "/chat",
        &["Upgrade: websocket"],
        RequestBody::EMPTY,
        t(0),
    )
    .unwrap();
    write_all(&mut c, t(0));
    let h = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n";
    assert_eq!(head(&mut c, h, t(0)), complete(h));
    assert_eq!(c.phase(), Phase::Switched);
    assert_eq!(
        (c.poll_timeout(), c.handle_timeout(t(10), false)),
        (None, None)
    );
    assert_eq!(c.phase(), Phase::Switched);
}

#[test]
fn new_timeouts_apply_to_the_next_clock_only() {
    let first = Timeouts {
        resolve: Some(ms(30)),
        response_head: Some(ms(100)),
        idle: Some(ms(50)),
        ..Timeouts::NONE
    };
    // A running connect pipeline keeps its limits.
    let mut c = connecting(first, t(0));
    c.set_timeouts(Timeouts::NONE);
    assert_eq!(c.timeouts(), &Timeouts::NONE);
    assert_expires_at_after(&mut c, t(30), TimeoutPhase::Resolve, ms(30));

    // A running exchange keeps its limits, including the head clock that starts later.
    let mut c = connected(first);
    get(&mut c, t(0));
    c.set_timeouts(Timeouts::NONE);
    c.handle_sent(pending(&c).len(), t(10));
    c.handle_flushed(t(10));
    assert_eq!(c.poll_timeout(), Some(t(60)));
    let h = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
    assert_eq!(head(&mut c, h, t(20)), complete(h));
    assert_eq!(c.phase(), Phase::Idle);
    // The next request runs on the new limits.
    get(&mut c, t(30));
    write_all(&mut c, t(30));
    assert_eq!(c.poll_timeout(), None);
    assert_eq!(c.handle_timeout(t(1_000_000), false), None);

    // And the next connect pipeline.
    let mut c = connecting(Timeouts::NONE, t(0));
    c.set_timeouts(first);
    assert_eq!(c.poll_timeout(), None);
    c.start_connect(route(), t(5));
    assert_eq!(c.poll_timeout(), Some(t(35)));
}

// ----- the request queue --------------------------------------------------------------

#[test]
fn transmit_gives_head_then_body_without_copying_the_body() {
    let mut c = connected(Timeouts::NONE);
    let body = b"hello world".to_vec();
    let body_ptr = body.as_ptr();
    c.send_request(
        Method::Post,
        "/submit",
        &["Content-Type: text/plain"],
        RequestBody::from(body),
        t(0),
    )
    .unwrap();
    assert_eq!(c.phase(), Phase::Sending);
    assert!(c.wants_write());
    let (head, body) = c.transmit();
    assert_eq!(
        head,
        b"POST /submit HTTP/1.1\r\nHost: example.com\r\nContent-Type: text/plain\r\n\
          Content-Length: 11\r\nAccept: */*\r\n\r\n"
    );
    assert_eq!(body, b"hello world");
    assert_eq!(body.as_ptr(), body_ptr, "the body is not copied");
}

#[test]
fn partial_writes_cross_the_head_body_boundary() {
    let mut c = connected(Timeouts::NONE);
    c.send_request(
        Method::Put,
        "/f",
        NO_HEADERS,
        RequestBody::from_static(b"hello"),
        t(0),
    )
    .unwrap();
    let head = c.transmit().0.to_vec();
    assert_eq!(
        head,
        b"PUT /f HTTP/1.1\r\nHost: example.com\r\nContent-Length: 5\r\nAccept: */*\r\n\r\n"
    );
    let h = head.len();
    c.handle_sent(h - 2, t(1));
    assert_eq!(c.transmit(), (&b"\r\n"[..], &b"hello"[..]));
    c.handle_sent(4, t(2));
    assert_eq!(c.transmit(), (&b""[..], &b"llo"[..]));
    // A flush before everything is written changes nothing.
    c.handle_flushed(t(3));
    assert_eq!(c.phase(), Phase::Sending);
    assert_eq!(c.transmit(), (&b""[..], &b"llo"[..]));
    c.handle_sent(3, t(4));
    assert_eq!(c.transmit(), (&b""[..], &b""[..]));
    assert_eq!(c.phase(), Phase::Sending, "written, not yet flushed");
    assert!(c.wants_write(), "the flush is due");
    c.handle_flushed(t(5));
    assert_eq!(c.phase(), Phase::AwaitingHead);
    assert!(!c.wants_write());
    assert_eq!(c.transmit(), (&b""[..], &b""[..]));
}

#[test]
fn the_head_clock_waits_for_the_whole_request_to_be_flushed() {
    let mut c = connected(Timeouts {
        response_head: Some(ms(100)),
        ..Timeouts::NONE
    });
    c.send_request(
        Method::Post,
        "/",
        NO_HEADERS,
        RequestBody::from("body"),
        t(0),
    )
    .unwrap();
    let head_len = c.transmit().0.len();
    c.handle_sent(head_len, t(1));
    c.handle_flushed(t(2));
    assert_eq!(c.phase(), Phase::Sending);
    assert_eq!(c.poll_timeout(), None);
    c.handle_sent(4, t(3));
    c.handle_flushed(t(4));
    assert_eq!(c.phase(), Phase::AwaitingHead);
    assert_eq!(c.poll_timeout(), Some(t(104)));
}

#[test]
fn an_empty_body_is_one_buffer_and_methods_with_content_send_a_length() {
    let mut c = connected(Timeouts::NONE);
    c.send_request(Method::Post, "/", NO_HEADERS, RequestBody::EMPTY, t(0))
        .unwrap();
    let (head, body) = c.transmit();
    assert_eq!(
        head,
        b"POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: 0\r\nAccept: */*\r\n\r\n"
    );
    assert!(body.is_empty());
}

#[test]
fn host_comes_first_and_the_user_agent_follows_the_user_headers() {
    let mut c = connected(Timeouts::NONE);
    c.set_user_agent("pollhttp/test");
    assert_eq!(c.user_agent(), "pollhttp/test");
    c.send_request(
        Method::Get,
        "/a?b=c",
        &["  Accept-Language: en ", "X-B: 2"],
        RequestBody::EMPTY,
        t(0),
    )
    .unwrap();
    assert_eq!(
        pending(&c),
        b"GET /a?b=c HTTP/1.1\r\nHost: example.com\r\nAccept-Language: en\r\nX-B: 2\r\n\
          User-Agent: pollhttp/test\r\nAccept: */*\r\n\r\n"
    );

    // A Host of the caller's replaces the automatic one, where the caller put it.
    let mut c = connected(Timeouts::NONE);
    c.send_request(
        Method::Get,
        "/",
        &["X-A: 1", "host: other.example"],
        RequestBody::EMPTY,
        t(0),
    )
    .unwrap();
    assert_eq!(
        pending(&c),
        b"GET / HTTP/1.1\r\nX-A: 1\r\nhost: other.example\r\nAccept: */*\r\n\r\n"
    );
}

fn proxied(authorization: Option<&str>) -> Connection {
    let mut c = Connection::new(Limits::default(), Timeouts::NONE);
    c.start_connect(
        Route {
            host_header: "example.com:8080".into(),
            proxy_form: Some(ProxyForm::new("example.com:8080", authorization)),
            tunnel: None,
        },
        t(0),
    );
    c.handle_connected(t(0));
    c
}

#[test]
fn through_a_proxy_targets_are_absolute_and_credentials_are_added() {
    let mut c = proxied(Some("Basic dTpw"));
    c.send_request(Method::Get, "/a?b", &["X-A: 1"], RequestBody::EMPTY, t(0))
        .unwrap();
    assert_eq!(
        pending(&c),
        b"GET http://example.com:8080/a?b HTTP/1.1\r\nHost: example.com:8080\r\nX-A: 1\r\n\
          Proxy-Authorization: Basic dTpw\r\nAccept: */*\r\n\r\n"
    );

    // The caller's own Proxy-Authorization is kept, and not doubled.
    let mut c = proxied(Some("Basic dTpw"));
    c.send_request(
        Method::Get,
        "/",
        &["proxy-authorization: Bearer tok"],
        RequestBody::EMPTY,
        t(0),
    )
    .unwrap();
    assert_eq!(
        pending(&c),
        b"GET http://example.com:8080/ HTTP/1.1\r\nHost: example.com:8080\r\n\
          proxy-authorization: Bearer tok\r\nAccept: */*\r\n\r\n"
    );

    // OPTIONS * becomes the bare origin; absolute targets stay as given; no credentials,
    // no field.
    let mut c = proxied(None);
    c.send_request(Method::Options, "*", NO_HEADERS, RequestBody::EMPTY, t(0))
        .unwrap();
    assert_eq!(
        pending(&c),
        b"OPTIONS http://example.com:8080 HTTP/1.1\r\nHost: example.com:8080\r\nAccept: */*\r\n\r\n"
    );
    let mut c = proxied(None);
    c.send_request(
        Method::Get,
        "http://elsewhere.example/x",
        NO_HEADERS,
        RequestBody::EMPTY,
        t(0),
    )
    .unwrap();
    assert!(pending(&c).starts_with(b"GET http://elsewhere.example/x HTTP/1.1\r\n"));
}

#[test]
fn bad_proxy_credentials_are_not_blamed_on_the_callers_headers() {
    let mut c = proxied(Some("Basic x\r\nEvil: 1"));
    let r = c.send_request(Method::Get, "/", &["X-A: 1"], RequestBody::EMPTY, t(0));
    assert_eq!(c.phase(), Phase::Idle);
    assert!(pending(&c).is_empty());
    assert!(
        !matches!(
            r,
            Err(SendError::Invalid(ProtoError::InvalidHeader {
                index: 1,
                ..
            }))
        ),
        "{r:?}: the caller gave one header"
    );
    assert!(matches!(
        r,
        Err(SendError::Invalid(ProtoError::InvalidAutomaticHeader {
            name: "Proxy-Authorization",
            ..
        }))
    ));
}

#[test]
fn send_request_is_refused_unless_idle() {
    let refused = |c: &mut Connection| {
        let before = pending(c);
        let phase = c.phase();
        assert_eq!(
            c.send_request(Method::Get, "/", NO_HEADERS, RequestBody::EMPTY, t(50)),
            Err(SendError::NotReady),
            "{phase:?}"
        );
        assert_eq!(c.phase(), phase);
        assert_eq!(pending(c), before);
    };
    let mut c = Connection::new(Limits::default(), Timeouts::NONE);
    refused(&mut c);
    let mut c = connecting(Timeouts::NONE, t(0));
    refused(&mut c);
    let mut c = connected(Timeouts::NONE);
    get(&mut c, t(0));
    refused(&mut c);
    write_all(&mut c, t(0));
    refused(&mut c);
    let h = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n";
    assert_eq!(head(&mut c, h, t(1)), complete(h));
    refused(&mut c);
    c.read_body(b"12345", 16).unwrap();
    assert_eq!(c.phase(), Phase::Idle);
    get(&mut c, t(2));
    c.drop_transport();
    refused(&mut c);
}

#[test]
fn the_target_is_checked_before_readiness_and_headers_after() {
    // Godot's order: a bad target is reported even on a closed connection...
    let mut c = Connection::new(Limits::default(), Timeouts::NONE);
    assert_eq!(
        c.send_request(
            Method::Get,
            "/a\r\nX: y",
            NO_HEADERS,
            RequestBody::EMPTY,
            t(0)
        ),
        Err(SendError::Invalid(ProtoError::InvalidTarget {
            why: "space or control character in target"
        }))
    );
    assert_eq!(
        c.send_request(Method::Get, "a", NO_HEADERS, RequestBody::EMPTY, t(0)),
        Err(SendError::Invalid(ProtoError::InvalidTarget {
            why: "target must start with '/', 'http://' or 'https://'"
        }))
    );
    // ...a bad header only on a ready one.
    let bad = ["X-A: 1", "X-B: 2\r\nX-Evil: 3"];
    assert_eq!(
        c.send_request(Method::Get, "/", &bad, RequestBody::EMPTY, t(0)),
        Err(SendError::NotReady)
    );
    let mut c = connected(Timeouts::NONE);
    assert_eq!(
        c.send_request(Method::Get, "/", &bad, RequestBody::EMPTY, t(0)),
        Err(SendError::Invalid(ProtoError::InvalidHeader {
            index: 1,
            why: "control character (CR, LF, NUL...) in header value"
        }))
    );
    assert_eq!(
        c.send_request(Method::Get, "/\n", NO_HEADERS, RequestBody::EMPTY, t(0)),
        Err(SendError::Invalid(ProtoError::InvalidTarget {
            why: "space or control character in target"
        }))
    );
    assert_eq!(c.phase(), Phase::Idle, "nothing was queued");
    assert!(pending(&c).is_empty());
    assert_eq!(c.poll_timeout(), None);
    get(&mut c, t(1));
    assert_eq!(
        pending(&c),
        b"GET / HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n"
    );
}

// ----- the response -----------------------------------------------------------------------

#[test]
fn a_keep_alive_response_returns_to_idle_and_the_next_request_goes_out() {
    let mut c = awaiting_head(Timeouts::default(), t(0));
    let h = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: 1\r\n\r\n";
    let wire = [&h[..], b"hello"].concat();
    assert_eq!(head(&mut c, &wire, t(1)), complete(h));
    assert_eq!(c.phase(), Phase::Body);
    assert!(!c.is_response_complete());
    assert_eq!(c.response().head().code(), 200);
    assert_eq!(c.response().head().headers().get("x-a"), Some(&b"1"[..]));
    let d = c.read_body(&wire[h.len()..], 3).unwrap();
    assert_eq!((d.consumed, d.data), (3, 0..3));
    assert_eq!(c.phase(), Phase::Body);
    let d = c.read_body(b"lo", 3).unwrap();
    assert_eq!((d.consumed, d.data), (2, 0..2));
    assert_eq!(c.phase(), Phase::Idle);
    assert!(c.is_response_complete());
    assert_eq!(c.response().body_received(), 5);
    // Outside the body, read_body and handle_head do nothing.
    assert_eq!(c.read_body(b"xyz", 3), Ok(Decoded::nothing()));
    assert_eq!(
        c.handle_head(b"HTTP/1.1 200 OK\r\n\r\n", t(2)),
        Ok(HeadEvent::NeedMore { consumed: 0 })
    );
    assert_eq!(c.phase(), Phase::Idle);

    get(&mut c, t(3));
    assert!(!c.is_response_complete(), "a new request forgets the last");
    write_all(&mut c, t(3));
    let h2 = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";
    assert_eq!(head(&mut c, h2, t(4)), complete(h2));
    assert_eq!(c.response().head().code(), 404);
    assert_eq!(c.phase(), Phase::Idle);
}

#[test]
fn responses_that_forbid_reuse_close_the_connection() {
    for (wire, body) in [
        (
            &b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok"[..],
            &b"ok"[..],
        ),
        (b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok", b"ok"),
        (
            b"HTTP/1.1 200 OK\r\nConnection: keep-alive, close\r\nContent-Length: 0\r\n\r\n",
            b"",
        ),
        (b"HTTP/1.0 304 Not Modified\r\n\r\n", b""),
    ] {
        let text = String::from_utf8_lossy(wire);
        let mut f = Feeder::new(Method::Get, "/", &[], 64);
        f.push(wire);
        assert_eq!(f.error, None, "{text}");
        assert_eq!(f.body, body, "{text}");
        assert_eq!(f.conn.phase(), Phase::Closed, "{text}");
        assert!(f.conn.is_response_complete(), "{text}");
        assert_eq!(
            f.conn
                .send_request(Method::Get, "/", NO_HEADERS, RequestBody::EMPTY, t(5)),
            Err(SendError::NotReady)
        );
    }
}

#[test]
fn a_bodiless_response_with_connection_close_is_complete_and_closed() {
    let mut c = awaiting_head(Timeouts::default(), t(0));
    let h = b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n";
    assert_eq!(head(&mut c, h, t(1)), complete(h));
    assert_eq!(c.phase(), Phase::Closed);
    assert!(c.is_response_complete());
    assert_eq!(c.response().head().code(), 204);
    assert_eq!(c.handle_eof(), Ok(()));
    assert!(c.is_response_complete());
}

#[test]
fn stray_bytes_after_the_response_close_the_connection() {
    // After a body.
    let mut c = awaiting_head(Timeouts::default(), t(0));
    let h = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n";
    assert_eq!(head(&mut c, h, t(1)), complete(h));
    let d = c.read_body(b"okHTTP/1.1 200 OK\r\n", 64).unwrap();
    assert_eq!((d.consumed, d.data), (2, 0..2));
    assert_eq!(c.phase(), Phase::Closed);
    assert!(c.is_response_complete());

    // After a head without body, in the same buffer.
    let mut c = awaiting_head(Timeouts::default(), t(0));
    let h = b"HTTP/1.1 204 No Content\r\n\r\n";
    let wire = [&h[..], b"X"].concat();
    assert_eq!(head(&mut c, &wire, t(1)), complete(h));
    assert_eq!(c.phase(), Phase::Closed);
    assert!(c.is_response_complete());

    // The same response without the stray byte keeps the connection.
    let mut c = awaiting_head(Timeouts::default(), t(0));
    assert_eq!(head(&mut c, h, t(1)), complete(h));
    assert_eq!(c.phase(), Phase::Idle);
}

#[test]
fn a_close_delimited_body_ends_at_eof() {
    let mut c = awaiting_head(Timeouts::default(), t(0));
    let h = b"HTTP/1.1 200 OK\r\n\r\n";
    assert_eq!(head(&mut c, h, t(1)), complete(h));
    assert_eq!(c.phase(), Phase::Body);
    let d = c.read_body(b"all of it", 64).unwrap();
    assert_eq!((d.consumed, d.data), (9, 0..9));
    assert_eq!(c.phase(), Phase::Body);
    assert!(!c.is_response_complete());
    assert_eq!(c.handle_eof(), Ok(()));
    assert_eq!(c.phase(), Phase::Closed);
    assert!(c.is_response_complete());
    assert_eq!(c.response().body_received(), 9);
}

#[test]
fn eof_inside_a_response_is_an_error() {
    let cases: [(&[u8], ProtoError); 4] = [
        (b"", ProtoError::EmptyReply),
        (b"HTTP/1.1 200 O", ProtoError::TruncatedHead),
        (
            b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab",
            ProtoError::TruncatedBody { remaining: 3 },
        ),
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab",
            ProtoError::TruncatedChunked,
        ),
    ];
    for (wire, error) in cases {
        let mut f = Feeder::new(Method::Get, "/", &[], 64);
        f.push(wire);
        assert_eq!(f.error, None);
        assert_eq!(f.conn.handle_eof(), Err(ConnError::Protocol(error)));
        assert_eq!(f.conn.phase(), Phase::Closed);
        assert!(!f.conn.is_response_complete());
        assert_eq!(f.conn.handle_eof(), Ok(()), "closed: nothing more");
    }
}

#[test]
fn eof_while_sending_is_an_empty_reply() {
    let mut c = connected(Timeouts::default());
    get(&mut c, t(0));
    assert_eq!(c.handle_eof(), Err(ProtoError::EmptyReply.into()));
    assert_eq!(c.phase(), Phase::Closed);
    assert_eq!(c.transmit(), (&b""[..], &b""[..]));
    assert!(!c.wants_write());
}

#[test]
fn bytes_or_eof_while_idle_end_the_connection() {
    let mut c = connected(Timeouts::default());
    assert_eq!(
        c.handle_eof(),
        Err(ConnError::PeerClosed("while the connection was idle"))
    );
    assert_eq!(c.phase(), Phase::Closed);

    let mut c = connected(Timeouts::default());
    assert_eq!(c.handle_idle_input(), ConnError::UnexpectedData);
    assert_eq!(c.phase(), Phase::Closed);

    // After a complete keep-alive response too; the response stays readable.
    let mut f = Feeder::new(Method::Get, "/", &[], 64);
    f.push(b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx");
    assert_eq!(f.conn.phase(), Phase::Idle);
    f.push(b"?");
    assert_eq!(f.error, Some(ConnError::UnexpectedData));
    assert_eq!(f.conn.phase(), Phase::Closed);
    assert!(f.conn.is_response_complete());
    assert_eq!(f.conn.response().head().code(), 200);
}

#[test]
fn a_broken_head_closes_and_a_broken_body_is_sticky() {
    let mut c = awaiting_head(Timeouts::default(), t(0));
    assert_eq!(
        head(
            &mut c,
            b"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n",
            t(1)
        ),
        Err(ProtoError::InvalidContentLength.into())
    );
    assert_eq!(c.phase(), Phase::Closed);
    assert!(!c.is_response_complete());

    let mut c = awaiting_head(Timeouts::default(), t(0));
    let h = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    assert_eq!(head(&mut c, h, t(1)), complete(h));
    let err = Err(ConnError::Protocol(ProtoError::InvalidChunkSize));
    assert_eq!(c.read_body(b"zz\r\n", 64), err);
    // A body error is sticky: repeated by every later call until the transport is dropped.
    assert_eq!(c.phase(), Phase::Body);
    assert_eq!(c.read_body(b"0\r\n\r\n", 64), err);
    assert_eq!(c.consume_direct(1, t(2)), err.clone().map(|_| ()));
    assert_eq!(c.direct_window(), 0);
    assert!(!c.is_response_complete());
    assert_eq!(c.phase(), Phase::Body);
    assert_eq!(c.handle_eof(), err.map(|_| ()));
    assert_eq!(c.phase(), Phase::Closed);
    assert_eq!(c.poll_timeout(), None);

    // Dropping the transport closes it.
    let mut c = awaiting_head(Timeouts::default(), t(0));
    assert_eq!(head(&mut c, h, t(1)), complete(h));
    assert!(
        c.read_body(b"5\r\nhelloXX", 64).is_ok(),
        "the data before the error"
    );
    assert_eq!(
        c.read_body(b"XX", 64),
        Err(ProtoError::InvalidChunkTerminator.into())
    );
    c.drop_transport();
    assert_eq!(c.phase(), Phase::Closed);
    assert_eq!(c.read_body(b"XX", 64), Ok(Decoded::nothing()));
}

#[test]
fn a_head_request_is_answered_without_a_body() {
    let mut c = connected(Timeouts::default());
    c.send_request(Method::Head, "/", NO_HEADERS, RequestBody::EMPTY, t(0))
        .unwrap();
    write_all(&mut c, t(0));
    let h = b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n";
    assert_eq!(head(&mut c, h, t(1)), complete(h));
    assert_eq!(c.phase(), Phase::Idle);
    assert!(c.is_response_complete());
}

#[test]
fn close_forgets_the_response_and_drop_transport_keeps_it() {
    let mut c = awaiting_head(Timeouts::default(), t(0));
    let h = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
    assert_eq!(head(&mut c, h, t(1)), complete(h));
    c.drop_transport();
    assert_eq!(c.phase(), Phase::Closed);
    assert!(c.is_response_complete());
    assert!(c.response().framing().is_some());
    c.close();
    assert_eq!(c.phase(), Phase::Closed);
    assert!(!c.is_response_complete());
    assert!(c.response().framing().is_none());
}

#[test]
fn an_early_response_to_a_request_still_being_sent_is_not_reused() {
    // A body-less answer while the request body is still going out.
    let mut c = connected(Timeouts::default());
    c.send_request(
        Method::Post,
        "/upload",
        NO_HEADERS,
        RequestBody::from(vec![b'x'; 1000]),
        t(0),
    )
    .unwrap();
    let head_len = c.transmit().0.len();
    c.handle_sent(head_len + 10, t(1));
    let h = b"HTTP/1.1 413 Content Too Large\r\nContent-Length: 0\r\n\r\n";
    assert_eq!(head(&mut c, h, t(2)), complete(h));
    assert!(c.is_response_complete());
    // 990 body bytes were never written: the server would take the next request for them.
    assert_eq!(c.phase(), Phase::Closed);

    // The same with a body in the answer.
    let mut c = connected(Timeouts::default());
    c.send_request(
        Method::Post,
        "/upload",
        NO_HEADERS,
        RequestBody::from(vec![b'x'; 1000]),
        t(0),
    )
    .unwrap();
    c.handle_sent(10, t(1));
    let h = b"HTTP/1.1 403 Forbidden\r\nContent-Length: 2\r\n\r\n";
    assert_eq!(head(&mut c, h, t(2)), complete(h));
    c.read_body(b"no", 64).unwrap();
    assert!(c.is_response_complete());
    assert_eq!(c.phase(), Phase::Closed);
}

#[test]
fn an_early_response_stops_the_request_and_its_head_clock() {
    let mut c = connected(Timeouts {
        response_head: Some(ms(10)),
        ..Timeouts::NONE
    });
    c.send_request(
        Method::Post,
        "/upload",
        NO_HEADERS,
        RequestBody::from(vec![b'x'; 1000]),
        t(0),
    )
    .unwrap();
    c.handle_sent(10, t(1));
    let h = b"HTTP/1.1 403 Forbidden\r\nContent-Length: 2\r\n\r\n";
    assert_eq!(head(&mut c, h, t(2)), complete(h));
    assert_eq!(c.phase(), Phase::Body);
    assert_eq!(c.transmit(), (&b""[..], &b""[..]));
    assert!(!c.wants_write());
    c.handle_flushed(t(3));
    assert_eq!(c.phase(), Phase::Body);
    assert_eq!(c.poll_timeout(), None);
}

// ----- protocol switches ----------------------------------------------------------------

#[test]
fn a_101_to_a_requested_upgrade_switches_and_leaves_the_rest_to_the_driver() {
    let mut c = connected(Timeouts::default());
    c.send_request(
        Method::Get,
        "/chat",
        &["Upgrade: websocket", "Connection: Upgrade"],
        RequestBody::EMPTY,
        t(0),
    )
    .unwrap();
    write_all(&mut c, t(0));
    let h =
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n";
    let wire = [&h[..], b"\x81\x05hello"].concat();
    assert_eq!(
        head(&mut c, &wire, t(1)),
        complete(h),
        "the frame is not consumed"
    );
    assert_eq!(c.phase(), Phase::Switched);
    assert!(c.is_response_complete());
    assert!(c.response().is_switched());
    assert_eq!(c.response().head().code(), 101);
    assert_eq!(c.poll_timeout(), None);
    assert_eq!(c.transmit(), (&b""[..], &b""[..]));
    assert_eq!(c.read_body(b"\x81\x05hello", 64), Ok(Decoded::nothing()));
    assert_eq!(c.handle_eof(), Ok(()));
    assert_eq!(c.phase(), Phase::Switched);
    assert_eq!(
        c.send_request(Method::Get, "/", NO_HEADERS, RequestBody::EMPTY, t(2)),
        Err(SendError::NotReady)
    );
}

#[test]
fn a_101_without_upgrade_is_a_protocol_error() {
    let mut c = awaiting_head(Timeouts::default(), t(0));
    assert_eq!(
        head(
            &mut c,
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n",
            t(1)
        ),
        Err(ConnError::Protocol(ProtoError::UnsolicitedSwitch))
    );
    assert_eq!(c.phase(), Phase::Closed);
    assert!(c.response().framing().is_none() && !c.is_response_complete());
    // A header that merely mentions the word is no Upgrade request.
    let mut c = connected(Timeouts::default());
    c.send_request(
        Method::Get,
        "/",
        &["X-Upgrade: websocket", "Connection: Upgrade"],
        RequestBody::EMPTY,
        t(0),
    )
    .unwrap();
    write_all(&mut c, t(0));
    assert_eq!(
        head(&mut c, b"HTTP/1.1 101 Switching Protocols\r\n\r\n", t(1)),
        Err(ProtoError::UnsolicitedSwitch.into())
    );
    assert_eq!(c.phase(), Phase::Closed);
}

#[test]
fn a_2xx_to_a_connect_request_switches() {
    let mut c = connected(Timeouts::default());
    c.send_request(
        Method::Connect,
        "origin.example:443",
        NO_HEADERS,
        RequestBody::EMPTY,
        t(0),
    )
    .unwrap();
    assert!(
        pending(&c).starts_with(b"CONNECT origin.example:443 HTTP/1.1\r\nHost: example.com\r\n")
    );
    write_all(&mut c, t(0));
    let h = b"HTTP/1.1 200 Connection established\r\n\r\n";
    let wire = [&h[..], b"\x16\x03\x01"].concat();
    assert_eq!(head(&mut c, &wire, t(1)), complete(h));
    assert_eq!(c.phase(), Phase::Switched);
    assert!(c.is_response_complete());

    // A refusal is an ordinary response.
    let mut c = connected(Timeouts::default());
    c.send_request(
        Method::Connect,
        "origin.example:443",
        NO_HEADERS,
        RequestBody::EMPTY,
        t(0),
    )
    .unwrap();
    write_all(&mut c, t(0));
    let h = b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n";
    assert_eq!(head(&mut c, h, t(1)), complete(h));
    assert_eq!(c.phase(), Phase::Idle);
}

#[test]
fn interim_heads_are_skipped() {
    // While awaiting the head: the 100 is consumed, the head clock keeps running.
    let mut c = awaiting_head(
        Timeouts {
            response_head: Some(ms(100)),
            ..Timeouts::NONE
        },
        t(0),
    );
    let interim = b"HTTP/1.1 100 Continue\r\n\r\n";
    assert_eq!(
        head(&mut c, interim, t(10)),
        Ok(HeadEvent::NeedMore {
            consumed: interim.len()
        })
    );
    assert_eq!(c.phase(), Phase::AwaitingHead);
    assert_eq!(c.poll_timeout(), Some(t(100)));
    let h = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
    assert_eq!(head(&mut c, h, t(20)), complete(h));
    assert_eq!(c.response().head().code(), 200);
    assert_eq!(c.phase(), Phase::Idle);

    // While sending (a server answering Expect: 100-continue), and in one buffer with the
    // final head.
    let mut c = connected(Timeouts::default());
    c.send_request(
        Method::Post,
        "/",
        &["Expect: 100-continue"],
        RequestBody::from("data"),
        t(0),
    )
    .unwrap();
    let head_len = c.transmit().0.len();
    c.handle_sent(head_len, t(1));
    assert_eq!(
        head(&mut c, interim, t(2)),
        Ok(HeadEvent::NeedMore {
            consumed: interim.len()
        })
    );
    assert_eq!(c.phase(), Phase::Sending);
    assert_eq!(c.transmit(), (&b""[..], &b"data"[..]));
    c.handle_sent(4, t(3));
    c.handle_flushed(t(3));
    let h = b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n";
    let wire = [&interim[..], &interim[..], &h[..]].concat();
    assert_eq!(head(&mut c, &wire, t(4)), complete(&wire));
    assert_eq!(c.response().head().code(), 201);
    assert_eq!(c.phase(), Phase::Idle);
}

// ----- the HTTPS proxy tunnel -------------------------------------------------------------

fn connect_bytes() -> Vec<u8> {
    connect_request("origin.example", 443, Some("Basic dTpw"), "pollhttp/test").unwrap()
}

/// A connection that reached the tunnel stage at `t(10)`.
fn tunnelling(timeouts: Timeouts) -> Connection {
    let mut c = Connection::new(Limits::default(), timeouts);
    c.start_connect(
        Route {
            host_header: "origin.example".into(),
            proxy_form: None,
            tunnel: Some(connect_bytes()),
        },
        t(0),
    );
    assert!(c.wants_tunnel());
    c.handle_attempt_started(0, false, t(1));
    assert_eq!(
        c.transmit(),
        (&b""[..], &b""[..]),
        "nothing before the stage"
    );
    assert!(!c.wants_write());
    c.handle_connect_stage(ConnectStage::Tunnel, t(10));
    c
}

#[test]
fn the_tunnel_stage_queues_the_connect_request() {
    let mut c = tunnelling(Timeouts::default());
    let request = connect_bytes();
    assert!(request.starts_with(b"CONNECT origin.example:443 HTTP/1.1\r\n"));
    assert!(c.wants_tunnel());
    assert!(c.wants_write());
    assert_eq!(c.transmit(), (&request[..], &b""[..]));
    c.handle_sent(7, t(11));
    assert_eq!(c.transmit(), (&request[7..], &b""[..]));
    c.handle_sent(request.len() - 7, t(12));
    assert_eq!(c.transmit(), (&b""[..], &b""[..]));
    assert!(!c.wants_write());
    assert_eq!(c.phase(), Phase::Connecting(ConnectStage::Tunnel));
    // Re-entering the stage does not queue it again.
    c.handle_connect_stage(ConnectStage::Tunnel, t(13));
    assert_eq!(c.transmit(), (&b""[..], &b""[..]));
}

#[test]
fn a_2xx_opens_the_tunnel() {
    let mut c = tunnelling(Timeouts::default());
    let n = pending(&c).len();
    c.handle_sent(n, t(11));
    let answer = b"HTTP/1.1 200 Connection established\r\nProxy-Agent: p\r\n\r\n";
    let (last, rest) = answer.split_last().unwrap();
    for b in rest {
        assert_eq!(c.handle_tunnel_input(core::slice::from_ref(b)), Ok(false));
    }
    assert_eq!(c.handle_tunnel_input(&[*last]), Ok(true));
    assert!(!c.wants_tunnel());
    assert_eq!(c.phase(), Phase::Connecting(ConnectStage::Tunnel));
    c.handle_connect_stage(ConnectStage::Tls, t(20));
    c.handle_connected(t(30));
    assert_eq!(c.phase(), Phase::Idle);
    assert!(
        !c.is_response_complete(),
        "the proxy's answer is no response"
    );
    get(&mut c, t(31));
    assert!(pending(&c).starts_with(b"GET / HTTP/1.1\r\nHost: origin.example\r\n"));
}

#[test]
fn a_refused_tunnel_keeps_the_proxys_code_and_reason() {
    let mut c = tunnelling(Timeouts::default());
    assert_eq!(
        c.handle_tunnel_input(
            b"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\n\
              Content-Length: 6\r\n\r\ndenied"
        ),
        Err(ConnError::ProxyRefused {
            code: 407,
            reason: "Proxy Authentication Required".into()
        })
    );
    assert_eq!(c.phase(), Phase::Closed);
    assert!(!c.wants_tunnel());
    assert_eq!(c.poll_timeout(), None);
}

#[test]
fn bytes_after_the_proxys_2xx_are_unexpected() {
    let mut c = tunnelling(Timeouts::default());
    assert_eq!(
        c.handle_tunnel_input(b"HTTP/1.1 200 OK\r\n\r\n\x16"),
        Err(ConnError::UnexpectedData)
    );
    assert_eq!(c.phase(), Phase::Closed);
}

#[test]
fn bytes_from_the_proxy_in_a_later_read_close_the_connection() {
    let mut c = tunnelling(Timeouts::default());
    assert_eq!(c.handle_tunnel_input(b"HTTP/1.1 200 OK\r\n\r\n"), Ok(true));
    assert_eq!(
        c.handle_tunnel_input(b"\x16"),
        Err(ConnError::UnexpectedData)
    );
    assert_eq!(c.phase(), Phase::Closed);
}

#[test]
fn a_broken_proxy_answer_is_a_protocol_error() {
    let mut c = tunnelling(Timeouts::default());
    assert!(matches!(
        c.handle_tunnel_input(b"SSH-2.0-OpenSSH_9.6\r\n\r\n"),
        Err(ConnError::Protocol(ProtoError::InvalidHead { .. }))
    ));
    assert_eq!(c.phase(), Phase::Closed);
}

#[test]
fn eof_before_or_inside_the_proxys_answer() {
    let mut c = tunnelling(Timeouts::default());
    assert_eq!(
        c.handle_eof(),
        Err(ConnError::PeerClosed("before the proxy answered CONNECT"))
    );
    assert_eq!(c.phase(), Phase::Closed);

    let mut c = tunnelling(Timeouts::default());
    assert_eq!(c.handle_tunnel_input(b"HTTP/1.1 2"), Ok(false));
    assert_eq!(
        c.handle_eof(),
        Err(ConnError::PeerClosed(
            "in the middle of the proxy's answer to CONNECT"
        ))
    );
    assert_eq!(c.phase(), Phase::Closed);

    // Once the tunnel is open, an end is an end while connecting.
    let mut c = tunnelling(Timeouts::default());
    assert_eq!(c.handle_tunnel_input(b"HTTP/1.1 200 OK\r\n\r\n"), Ok(true));
    assert_eq!(
        c.handle_eof(),
        Err(ConnError::PeerClosed("while connecting"))
    );
}

#[test]
fn tunnel_input_outside_the_handshake_is_unexpected() {
    let ok = b"HTTP/1.1 200 OK\r\n\r\n";
    // A route without a tunnel.
    let mut c = connecting(Timeouts::default(), t(0));
    assert!(!c.wants_tunnel());
    c.handle_connect_stage(ConnectStage::Tunnel, t(1));
    assert_eq!(c.transmit(), (&b""[..], &b""[..]));
    assert_eq!(c.handle_tunnel_input(ok), Err(ConnError::UnexpectedData));
    // Before the tunnel stage: the CONNECT request is not even queued.
    let mut c = Connection::new(Limits::default(), Timeouts::default());
    c.start_connect(
        Route {
            host_header: "origin.example".into(),
            proxy_form: None,
            tunnel: Some(connect_bytes()),
        },
        t(0),
    );
    assert_eq!(c.handle_tunnel_input(ok), Err(ConnError::UnexpectedData));
    // While idle.
    let mut c = connected(Timeouts::default());
    assert_eq!(c.handle_tunnel_input(ok), Err(ConnError::UnexpectedData));
}

#[test]
fn the_proxys_answer_split_anywhere_gives_the_same_result() {
    let answers: [(&[u8], Result<bool, ConnError>); 3] = [
        (
            b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n\r\n",
            Ok(true),
        ),
        (
            b"HTTP/1.0 403 Forbidden\r\n\r\n",
            Err(ConnError::ProxyRefused {
                code: 403,
                reason: "Forbidden".into(),
            }),
        ),
        (b"HTTP/1.1 200 OK\r\n\r\nX", Err(ConnError::UnexpectedData)),
    ];
    // Every piece is passed on, also after the tunnel opened; the first error ends it.
    let feed = |pieces: &[&[u8]]| {
        let mut c = tunnelling(Timeouts::default());
        let mut result = Ok(false);
        for piece in pieces.iter().filter(|p| !p.is_empty()) {
            result = c.handle_tunnel_input(piece);
            if result.is_err() {
                break;
            }
        }
        result
    };
    for (wire, expect) in answers {
        let text = String::from_utf8_lossy(wire);
        assert_eq!(feed(&[wire]), expect, "{text}");
        for split in 0..=wire.len() {
            let (a, b) = wire.split_at(split);
            assert_eq!(feed(&[a, b]), expect, "{text} split at {split}");
        }
        let bytewise: Vec<&[u8]> = wire.chunks(1).collect();
        assert_eq!(feed(&bytewise), expect, "{text} byte by byte");
    }
}

// ----- split invariance -------------------------------------------------------------------

#[test]
fn each_response_whole_gives_the_expected_outcome() {
    for case in CASES {
        let text = String::from_utf8_lossy(case.wire);
        for max_data in [1, 3, 4096] {
            assert_eq!(run(case, &[case.wire], max_data), (case.expect)(), "{text}");
        }
    }
}

#[test]
fn any_split_of_a_response_gives_the_same_outcome() {
    for case in CASES {
        let text = String::from_utf8_lossy(case.wire);
        let expect = (case.expect)();
        let bytewise: Vec<&[u8]> = case.wire.chunks(1).collect();
        assert_eq!(run(case, &bytewise, 4096), expect, "{text} byte by byte");
        assert_eq!(run(case, &bytewise, 1), expect, "{text} byte by byte");
        for i in 0..=case.wire.len() {
            let (a, b) = case.wire.split_at(i);
            assert_eq!(run(case, &[a, b], 5), expect, "{text} split at {i}");
            for j in (i..=case.wire.len()).step_by(7) {
                let (b1, b2) = b.split_at(j - i);
                assert_eq!(
                    run(case, &[a, b1, b2], 4096),
                    expect,
                    "{text} split at {i} and {j}"
                );
            }
        }
    }
}

#[test]
fn stray_bytes_never_leave_the_connection_reusable_however_split() {
    for (wire, body) in [
        (
            &b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokX"[..],
            &b"ok"[..],
        ),
        (
            b"HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 200 OK\r\n\r\n",
            b"",
        ),
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n\r\n",
            b"ok",
        ),
    ] {
        let text = String::from_utf8_lossy(wire);
        for i in 0..=wire.len() {
            let (a, b) = wire.split_at(i);
            let mut f = Feeder::new(Method::Get, "/", &[], 4096);
            f.push(a);
            f.push(b);
            assert_eq!(f.conn.phase(), Phase::Closed, "{text} split at {i}");
            assert!(f.conn.is_response_complete(), "{text} split at {i}");
            assert_eq!(f.body, body, "{text} split at {i}");
            assert!(
                matches!(f.error, None | Some(ConnError::UnexpectedData)),
                "{text} split at {i}: {:?}",
                f.error
            );
        }
    }
}

// ----- extension methods and automatic headers --------------------------------------------

#[test]
fn an_extension_method_is_written_as_given_and_its_response_has_a_body() {
    let mut c = connected(Timeouts::NONE);
    let method = RequestMethod::parse("PROPFIND").unwrap();
    c.send_request(method, "/", &["Depth: 1"], RequestBody::EMPTY, t(0))
        .unwrap();
    assert_eq!(
        write_all(&mut c, t(0)),
        b"PROPFIND / HTTP/1.1\r\nHost: example.com\r\nDepth: 1\r\nAccept: */*\r\n\r\n"
    );
    // Framed as a GET's response would be: the body follows.
    let h = b"HTTP/1.1 207 Multi-Status\r\nContent-Length: 5\r\n\r\n";
    assert_eq!(head(&mut c, h, t(1)), complete(h));
    assert_eq!(c.phase(), Phase::Body);
    let d = c.read_body(b"<x/>\n", 64).unwrap();
    assert_eq!(d.data, 0..5);
    assert!(c.is_response_complete());
    assert_eq!(c.phase(), Phase::Idle);

    // Lower case is another method, sent as such; a POST-like method gets no
    // `Content-Length: 0` of its own.
    c.send_request(
        RequestMethod::Other("purge"),
        "/",
        NO_HEADERS,
        RequestBody::EMPTY,
        t(2),
    )
    .unwrap();
    assert_eq!(
        write_all(&mut c, t(2)),
        b"purge / HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n"
    );
}

#[test]
fn an_extension_method_named_head_is_framed_as_head() {
    let mut c = connected(Timeouts::NONE);
    c.send_request(
        RequestMethod::Other("HEAD"),
        "/",
        NO_HEADERS,
        RequestBody::EMPTY,
        t(0),
    )
    .unwrap();
    write_all(&mut c, t(0));
    let h = b"HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n";
    assert_eq!(head(&mut c, h, t(1)), complete(h));
    assert!(c.is_response_complete());
    assert_eq!(c.phase(), Phase::Idle);
}

#[test]
fn a_method_that_is_not_a_token_is_refused_before_anything_is_queued() {
    for bad in [
        "",
        "BAD METHOD",
        "GET\r\nX: y",
        "GET /evil HTTP/1.1\r\n\r\nGET",
    ] {
        let mut c = connected(Timeouts::NONE);
        assert_eq!(
            c.send_request(
                RequestMethod::Other(bad),
                "/",
                NO_HEADERS,
                RequestBody::EMPTY,
                t(0)
            ),
            Err(SendError::Invalid(ProtoError::InvalidMethod)),
            "{bad:?}"
        );
        assert!(ProtoError::InvalidMethod.is_caller_error());
        assert_eq!(c.phase(), Phase::Idle, "nothing was queued");
        assert!(pending(&c).is_empty());
        assert_eq!(c.poll_timeout(), None);
    }
    // Checked before readiness, as the target is.
    let mut c = Connection::new(Limits::default(), Timeouts::NONE);
    assert_eq!(
        c.send_request(
            RequestMethod::Other("A B"),
            "/",
            NO_HEADERS,
            RequestBody::EMPTY,
            t(0)
        ),
        Err(SendError::Invalid(ProtoError::InvalidMethod))
    );
}

#[test]
fn without_automatic_headers_the_callers_headers_are_the_head() {
    let mut c = connected(Timeouts::NONE);
    c.set_user_agent("agent/1");
    assert!(c.automatic_headers());
    c.set_automatic_headers(false);
    assert!(!c.automatic_headers());
    c.send_request(
        Method::Post,
        "/",
        &["Accept: text/plain", "host: h.test"],
        RequestBody::EMPTY,
        t(0),
    )
    .unwrap();
    assert_eq!(
        write_all(&mut c, t(0)),
        b"POST / HTTP/1.1\r\nAccept: text/plain\r\nhost: h.test\r\n\r\n"
    );
    let mut c = connected(Timeouts::NONE);
    c.set_automatic_headers(false);
    // A body is still delimited...
    c.send_request(Method::Put, "/", NO_HEADERS, "abc".into(), t(0))
        .unwrap();
    assert_eq!(
        write_all(&mut c, t(0)),
        b"PUT / HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"
    );
    // ...unless the caller frames it.
    let mut c = connected(Timeouts::NONE);
    c.set_automatic_headers(false);
    c.send_request(
        Method::Post,
        "/",
        &["Transfer-Encoding: chunked"],
        "3\r\nabc\r\n0\r\n\r\n".into(),
        t(0),
    )
    .unwrap();
    assert_eq!(
        write_all(&mut c, t(0)),
        b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
    );
    // Through an HTTP proxy the credentials still go along.
    let mut c = proxied(Some("Basic dTpw"));
    c.set_automatic_headers(false);
    c.send_request(Method::Get, "/a", &["X-A: 1"], RequestBody::EMPTY, t(0))
        .unwrap();
    assert_eq!(
        pending(&c),
        b"GET http://example.com:8080/a HTTP/1.1\r\nX-A: 1\r\n\
          Proxy-Authorization: Basic dTpw\r\n\r\n"
    );
}
