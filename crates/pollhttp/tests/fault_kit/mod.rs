//! Shared by the fault suites: short timeouts, a client driven as the tutorial's loop
//! does, assertions on how an exchange ended, and clients on a manual clock whose limits
//! expire when a test moves the clock.
#![allow(dead_code, unused_imports)]

pub use pollhttp::proto::Limits;
pub use pollhttp::proto::ProtoError;
pub use pollhttp::{GodotError, HttpClient, Method, Reason, Status, TimeoutPhase, Timeouts};
pub use pollhttp_testserver::{fill_pattern, response, ScriptedServer, Step};
pub use std::time::{Duration, Instant};

/// A broken exchange that has not ended by then is a hang, not a slow machine.
pub const GUARD: Duration = Duration::from_secs(10);
pub const SHORT: Duration = Duration::from_millis(300);
/// Longer than any deadline here: a server that sleeps this long is "silent".
pub const SILENCE: Duration = Duration::from_secs(5);

pub fn short_timeouts() -> Timeouts {
    Timeouts {
        resolve: Some(SHORT),
        connect: Some(SHORT),
        attempt_delay: Some(Timeouts::DEFAULT_ATTEMPT_DELAY),
        connect_total: Some(Duration::from_secs(5)),
        tls_handshake: Some(SHORT),
        response_head: Some(SHORT),
        idle: Some(SHORT),
        total: None,
    }
}

pub fn client(timeouts: Timeouts, limits: Limits) -> HttpClient {
    let mut c = HttpClient::new();
    c.set_timeouts(timeouts);
    c.set_limits(limits);
    c
}

pub fn active(s: Status) -> bool {
    matches!(
        s,
        Status::Resolving | Status::Connecting | Status::Requesting | Status::Body
    )
}

/// Drives the client as the tutorial's loop does (poll, read, `wait(None)`) until the
/// exchange leaves the active statuses; returns the body bytes read. `wait(None)` returns
/// only thanks to the deadlines (or the server's own end).
pub fn drive(c: &mut HttpClient) -> Vec<u8> {
    let start = Instant::now();
    let mut body = Vec::new();
    while active(c.status()) {
        assert!(
            start.elapsed() < GUARD,
            "did not end: stuck in {:?}",
            c.status()
        );
        let _ = c.poll();
        if c.status() == Status::Body {
            body.extend(c.read_response_body_chunk());
        }
        if active(c.status()) {
            c.wait(None).unwrap();
        }
    }
    body
}

/// Connects to the server and sends a GET; returns the client after the exchange ended,
/// with the body read.
pub fn exchange(
    server: &ScriptedServer,
    timeouts: Timeouts,
    limits: Limits,
) -> (HttpClient, Vec<u8>) {
    let mut c = client(timeouts, limits);
    c.connect_to_host("127.0.0.1", Some(server.port()), None)
        .unwrap();
    drive(&mut c);
    assert_eq!(c.status(), Status::Connected, "{:?}", c.last_error());
    c.request(Method::Get, "/", &[] as &[&str], "").unwrap();
    let body = drive(&mut c);
    (c, body)
}

pub fn reason(c: &HttpClient) -> Reason {
    c.last_error()
        .unwrap_or_else(|| panic!("no error in {:?}", c.status()))
        .reason()
        .clone()
}

pub fn assert_connection_error(c: &HttpClient, expected: Reason) {
    assert_eq!(c.status(), Status::ConnectionError);
    let err = c.last_error().unwrap();
    assert_eq!(err.godot(), GodotError::ConnectionError);
    assert_eq!(err.reason(), &expected, "{err}");
    assert_eq!(err.godot_code(), 27);
}

pub fn timed_out(phase: TimeoutPhase) -> Reason {
    Reason::Timeout {
        phase,
        after: SHORT,
    }
}

pub fn protocol(e: ProtoError) -> Reason {
    Reason::Protocol(e)
}

pub fn pattern(len: usize) -> Vec<u8> {
    let mut v = vec![0u8; len];
    fill_pattern(0, &mut v);
    v
}

// ----- virtual time ------------------------------------------------------------------
//
// A client given a `ManualClock` judges every limit by that clock, which stands still
// unless the test moves it: the loops below wait on real sockets for real bytes, but no
// limit can expire meanwhile, and a test crosses a limit with `clock.advance(..)`.

pub use pollhttp::{Clock, ManualClock};

/// Every limit of [`virtual_timeouts`]: a minute of the manual clock. The clock does not
/// move while a test waits on a socket, and no real wait here comes near a minute, so a
/// limit expires only when the test moves the clock past it.
pub const LONG: Duration = Duration::from_secs(60);
/// The smallest step of the clock: one nanosecond before a limit is not the limit.
pub const NS: Duration = Duration::from_nanos(1);
/// How long a loop below waits on the socket between two polls (real time).
const NAP: Duration = Duration::from_millis(20);

/// [`short_timeouts`] for a client on a manual clock: every limit [`LONG`], and
/// `connect_total` five times that.
pub fn virtual_timeouts() -> Timeouts {
    Timeouts {
        resolve: Some(LONG),
        connect: Some(LONG),
        attempt_delay: Some(Timeouts::DEFAULT_ATTEMPT_DELAY),
        connect_total: Some(5 * LONG),
        tls_handshake: Some(LONG),
        response_head: Some(LONG),
        idle: Some(LONG),
        total: None,
    }
}

/// The timeout of `phase` after [`LONG`].
pub fn timed_out_long(phase: TimeoutPhase) -> Reason {
    Reason::Timeout { phase, after: LONG }
}

/// A client that reads the time from a new manual clock, and that clock.
pub fn virtual_client(timeouts: Timeouts, limits: Limits) -> (HttpClient, ManualClock) {
    let clock = ManualClock::new();
    let mut c = client(timeouts, limits);
    c.set_clock(clock.clone());
    (c, clock)
}

/// Moves `clock` forward to `at`.
pub fn advance_to(clock: &ManualClock, at: Instant) {
    let now = clock.now();
    assert!(at >= now, "{at:?} is in the clock's past ({now:?})");
    clock.advance(at - now);
}

/// Polls while the status is one of `while_in`, waiting on the socket between polls; the
/// clock stands still meanwhile, so this ends by the peer's doing, not by a limit.
pub fn run_while(c: &mut HttpClient, while_in: &[Status]) {
    let start = Instant::now();
    while while_in.contains(&c.status()) {
        assert!(start.elapsed() < GUARD, "stuck in {:?}", c.status());
        let _ = c.poll();
        if while_in.contains(&c.status()) {
            c.wait(Some(NAP)).unwrap();
        }
    }
}

/// A client on a manual clock, connected to 127.0.0.1:`port`.
pub fn virtual_connect(port: u16, timeouts: Timeouts) -> (HttpClient, ManualClock) {
    let (mut c, clock) = virtual_client(timeouts, Limits::default());
    c.connect_to_host("127.0.0.1", Some(port), None).unwrap();
    run_while(&mut c, &[Status::Resolving, Status::Connecting]);
    assert_eq!(c.status(), Status::Connected, "{:?}", c.last_error());
    (c, clock)
}

/// [`virtual_connect`], then a GET of "/" whose response head is in (BODY, or wherever
/// the exchange ended).
pub fn virtual_get(port: u16, timeouts: Timeouts) -> (HttpClient, ManualClock) {
    let (mut c, clock) = virtual_connect(port, timeouts);
    c.request(Method::Get, "/", &[] as &[&str], "").unwrap();
    run_while(&mut c, &[Status::Requesting]);
    (c, clock)
}

/// Reads the body with `read_response_body_chunk` until at least `len` bytes are in,
/// waiting on the socket between reads.
pub fn read_at_least(c: &mut HttpClient, len: usize) -> Vec<u8> {
    let start = Instant::now();
    let mut got = Vec::new();
    while got.len() < len {
        assert!(start.elapsed() < GUARD, "{} of {len} bytes came", got.len());
        assert_eq!(c.status(), Status::Body, "{:?}", c.last_error());
        let piece = c.read_response_body_chunk();
        if piece.is_empty() {
            c.wait(Some(NAP)).unwrap();
        }
        got.extend(piece);
    }
    got
}

/// A server for one connection that reads the request head, then writes what the test
/// hands it when the test hands it (so that a test knows which bytes have been sent
/// before it moves the clock), then waits for the client to close.
pub struct FedServer {
    port: u16,
    feed: Option<std::sync::mpsc::Sender<Vec<u8>>>,
    thread: Option<std::thread::JoinHandle<Result<Vec<u8>, String>>>,
}

impl FedServer {
    pub fn start() -> FedServer {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let (feed, fed) = std::sync::mpsc::channel::<Vec<u8>>();
        let thread = std::thread::spawn(move || {
            use std::io::{Read, Write};
            let io = |what: &str, e: std::io::Error| format!("{what}: {e}");
            listener
                .set_nonblocking(true)
                .map_err(|e| io("listen", e))?;
            let start = Instant::now();
            let mut s = loop {
                match listener.accept() {
                    Ok((s, _)) => break s,
                    Err(_) if start.elapsed() < GUARD => std::thread::sleep(NAP),
                    Err(e) => return Err(io("no connection came", e)),
                }
            };
            s.set_nonblocking(false).map_err(|e| io("accept", e))?;
            s.set_read_timeout(Some(GUARD))
                .map_err(|e| io("accept", e))?;
            let (mut head, mut buf) = (Vec::new(), [0u8; 4096]);
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match s.read(&mut buf) {
                    Ok(0) => return Err("closed before a request came".into()),
                    Ok(n) => head.extend_from_slice(&buf[..n]),
                    Err(e) => return Err(io("reading the request", e)),
                }
            }
            // Until the test drops its end of the channel; a client gone meanwhile is
            // the test's business.
            for bytes in fed {
                let _ = s.write_all(&bytes);
            }
            loop {
                match s.read(&mut buf) {
                    Ok(0) => return Ok(head),
                    Ok(_) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return Ok(head),
                    Err(e) => return Err(io("waiting for the client to close", e)),
                }
            }
        });
        FedServer {
            port,
            feed: Some(feed),
            thread: Some(thread),
        }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Writes `bytes` to the client (from the server's thread, at once).
    pub fn send(&self, bytes: &[u8]) {
        self.feed.as_ref().unwrap().send(bytes.to_vec()).unwrap();
    }

    /// Stops writing, waits for the client to close the connection and returns the
    /// request head the server read.
    pub fn finish(mut self) -> Vec<u8> {
        self.feed = None;
        let thread = self.thread.take().unwrap();
        thread
            .join()
            .unwrap()
            .unwrap_or_else(|e| panic!("fed server: {e}"))
    }
}

impl Drop for FedServer {
    fn drop(&mut self) {
        // The thread ends once the client closes (or after GUARD); nobody waits for it.
        self.feed = None;
    }
}
