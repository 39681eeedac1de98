//! Shared by the fault suites: short timeouts, a client driven as the tutorial's loop
//! does, and assertions on how an exchange ended.
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
