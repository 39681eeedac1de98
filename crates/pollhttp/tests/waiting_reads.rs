//! Reads that wait (blocking mode, and `wait()` while a response is due) on a connection
//! used for many exchanges, where the socket waits and reads in one system call: answers,
//! timeouts and resets must come out exactly as on a fresh connection.
//!
//! Timeouts are crossed by moving a `ManualClock`, except in blocking mode, where the
//! client waits inside `poll()` and the reads: those tests run in real time.

use pollhttp::{Clock, HttpClient, ManualClock, Method, Reason, Status, TimeoutPhase, Timeouts};
use pollhttp_testserver::{response, ScriptedServer, Step};
use std::io::ErrorKind;
use std::time::{Duration, Instant};

/// A limit on the manual clock: no real wait in these tests comes near it, so it expires
/// only when a test moves the clock.
const LONG: Duration = Duration::from_secs(60);
const NS: Duration = Duration::from_nanos(1);

/// Exchanges before the fault: more than a connection needs to switch its reads.
const WARM_EXCHANGES: usize = 6;

/// A keep-alive connection serving `WARM_EXCHANGES` answers (`body-0`, `body-1`, ...),
/// then `fault` for the next request.
fn warm_then(fault: Vec<Step>) -> ScriptedServer {
    let mut steps = Vec::new();
    for i in 0..WARM_EXCHANGES {
        steps.push(Step::ReadHead);
        // The answer comes late, so that each read has to wait for it.
        steps.push(Step::Sleep(Duration::from_millis(5)));
        steps.push(Step::Send(response(
            200,
            &[],
            format!("body-{i}").as_bytes(),
        )));
    }
    steps.extend(fault);
    ScriptedServer::start(vec![steps])
}

fn client(server: &ScriptedServer, blocking: bool, timeouts: Timeouts) -> HttpClient {
    client_on(server, blocking, timeouts, None)
}

/// As [`client`], reading the time from `clock` when given.
fn client_on(
    server: &ScriptedServer,
    blocking: bool,
    timeouts: Timeouts,
    clock: Option<&ManualClock>,
) -> HttpClient {
    let mut c = HttpClient::new();
    if let Some(clock) = clock {
        c.set_clock(clock.clone());
    }
    c.set_blocking_mode(blocking);
    c.set_timeouts(timeouts);
    c.connect_to_host("127.0.0.1", Some(server.port()), None)
        .unwrap();
    while matches!(c.status(), Status::Resolving | Status::Connecting) {
        c.poll().unwrap();
        c.wait(Some(Duration::from_millis(100))).unwrap();
    }
    assert_eq!(c.status(), Status::Connected, "{:?}", c.last_error());
    c
}

/// Sends a GET and drives the client until the head is in (or it failed), waiting with
/// `wait()` between polls as a caller's loop does.
fn get(c: &mut HttpClient) {
    c.request(Method::Get, "/", &[] as &[&str], "").unwrap();
    until_head(c);
}

/// Drives a sent request until the head is in (or it failed), as [`get`] does.
fn until_head(c: &mut HttpClient) {
    for _ in 0..10_000 {
        let _ = c.poll();
        if c.status() != Status::Requesting {
            return;
        }
        c.wait(None).unwrap();
    }
    panic!("the head never came: {:?}", c.status());
}

fn body(c: &mut HttpClient) -> Vec<u8> {
    let mut out = Vec::new();
    let mut buf = [0u8; 256];
    for _ in 0..10_000 {
        if c.status() != Status::Body {
            return out;
        }
        match c.read_response_body_into(&mut buf) {
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(_) => return out,
        }
        if c.status() == Status::Body {
            c.wait(None).unwrap();
        }
    }
    panic!("the body never ended");
}

fn warm_up(c: &mut HttpClient) {
    for i in 0..WARM_EXCHANGES {
        get(c);
        assert_eq!(c.response_code(), 200, "{:?}", c.last_error());
        assert_eq!(body(c), format!("body-{i}").as_bytes());
        assert_eq!(c.status(), Status::Connected, "{:?}", c.last_error());
    }
}

/// Serves the warm-up exchanges, then sends one more request that meets `fault`; the
/// client is left where that request ended, and the reason it failed (if it did).
fn request_meeting(
    fault: Vec<Step>,
    blocking: bool,
    timeouts: Timeouts,
) -> (HttpClient, ScriptedServer, Option<Reason>) {
    let server = warm_then(fault);
    let mut c = client(&server, blocking, timeouts);
    warm_up(&mut c);
    get(&mut c);
    let reason = c.last_error().map(|e| e.reason().clone());
    (c, server, reason)
}

/// A non-blocking client on a manual clock, warmed up on a connection to a server that
/// then meets the next request with `fault`; that request is sent (not yet answered).
fn warm_virtual_client(
    fault: Vec<Step>,
    timeouts: Timeouts,
) -> (HttpClient, ManualClock, ScriptedServer) {
    let server = warm_then(fault);
    let clock = ManualClock::new();
    let mut c = client_on(&server, false, timeouts, Some(&clock));
    warm_up(&mut c);
    c.request(Method::Get, "/", &[] as &[&str], "").unwrap();
    c.poll().unwrap();
    (c, clock, server)
}

/// Moves `clock` forward to `at`.
fn advance_to(clock: &ManualClock, at: Instant) {
    clock.advance(at.saturating_duration_since(clock.now()));
}

fn head_timeout_of(limit: Duration) -> Timeouts {
    Timeouts {
        response_head: Some(limit),
        ..Timeouts::default()
    }
}

#[test]
fn a_late_head_after_many_exchanges_times_out() {
    // The waits of the warm-up (each far from its deadline) have turned the socket's
    // reads into waiting ones: the head's wait and its timeout go through them.
    let fault = vec![Step::ReadHead, Step::ExpectClose];
    let (mut c, clock, server) = warm_virtual_client(fault, head_timeout_of(LONG));
    assert_eq!(c.status(), Status::Requesting);
    let deadline = c.next_deadline().expect("the head deadline");
    assert_eq!(deadline, clock.now() + LONG);
    // A wait with a timeout of its own ends by it: nothing came.
    assert!(!c.wait(Some(Duration::from_millis(20))).unwrap());
    advance_to(&clock, deadline - NS);
    assert!(c.wait(None).unwrap(), "the wait ends at the deadline");
    c.poll().unwrap();
    assert_eq!(c.status(), Status::Requesting, "one nanosecond early");
    clock.advance(NS);
    assert!(
        c.wait(None).unwrap(),
        "the deadline has come: nothing to wait for"
    );
    let err = c.poll().unwrap_err();
    assert_eq!(c.status(), Status::ConnectionError);
    assert_eq!(
        err.reason(),
        &Reason::Timeout {
            phase: TimeoutPhase::ResponseHead,
            after: LONG,
        }
    );
    let (_, errors) = server.finish_with_errors();
    assert!(errors.is_empty(), "{errors:?}");
}

/// Real time: blocking mode waits inside `poll()`. 1.5 s is long enough that a blocking
/// socket read waits a whole receive slice before the rest of the wait goes through
/// poll(2).
#[test]
fn a_late_head_after_many_exchanges_times_out_in_blocking_mode() {
    let limit = Duration::from_millis(1500);
    let fault = vec![Step::ReadHead, Step::ExpectClose];
    let (c, server, reason) = request_meeting(fault, true, head_timeout_of(limit));
    assert_eq!(c.status(), Status::ConnectionError);
    // Had the wait not ended at the deadline, the poll would have ended only when the
    // server gave up on the client (after 10 s), as an empty reply.
    assert_eq!(
        reason,
        Some(Reason::Timeout {
            phase: TimeoutPhase::ResponseHead,
            after: limit,
        })
    );
    drop(c);
    let (_, errors) = server.finish_with_errors();
    assert!(errors.is_empty(), "{errors:?}");
}

/// Sends the head of a 50-byte body and its first bytes ("some"), then nothing until the
/// client closes.
fn stalled_body() -> Vec<Step> {
    vec![
        Step::ReadHead,
        Step::Send(b"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nsome".to_vec()),
        Step::ExpectClose,
    ]
}

#[test]
fn a_stalled_body_after_many_exchanges_hits_the_idle_timeout() {
    let timeouts = Timeouts {
        idle: Some(LONG),
        ..Timeouts::default()
    };
    let (mut c, clock, server) = warm_virtual_client(stalled_body(), timeouts);
    until_head(&mut c);
    assert_eq!(c.status(), Status::Body, "{:?}", c.last_error());
    let mut got = Vec::new();
    let mut buf = [0u8; 256];
    while got.len() < 4 {
        let n = c.read_response_body_into(&mut buf).unwrap();
        got.extend_from_slice(&buf[..n]);
        if n == 0 {
            assert!(c.wait(Some(Duration::from_secs(10))).unwrap(), "no body");
        }
    }
    assert_eq!(got, b"some");
    let deadline = c.next_deadline().expect("the idle deadline");
    assert_eq!(deadline, clock.now() + LONG);
    advance_to(&clock, deadline - NS);
    assert!(c.wait(None).unwrap(), "the wait ends at the deadline");
    assert_eq!(c.read_response_body_into(&mut buf).unwrap(), 0);
    assert_eq!(c.status(), Status::Body, "one nanosecond early");
    clock.advance(NS);
    assert!(
        c.wait(None).unwrap(),
        "the deadline has come: nothing to wait for"
    );
    let err = c.read_response_body_into(&mut buf).unwrap_err();
    assert_eq!(c.status(), Status::ConnectionError);
    assert_eq!(
        err.reason(),
        &Reason::Timeout {
            phase: TimeoutPhase::Idle,
            after: LONG,
        }
    );
    let (_, errors) = server.finish_with_errors();
    assert!(errors.is_empty(), "{errors:?}");
}

/// Real time: blocking mode waits inside the reads.
#[test]
fn a_stalled_body_after_many_exchanges_hits_the_idle_timeout_in_blocking_mode() {
    let idle = Duration::from_millis(300);
    let timeouts = Timeouts {
        idle: Some(idle),
        ..Timeouts::default()
    };
    let (mut c, server, reason) = request_meeting(stalled_body(), true, timeouts);
    assert_eq!(c.status(), Status::Body, "{reason:?}");
    let got = body(&mut c);
    assert_eq!(got, b"some");
    assert_eq!(c.status(), Status::ConnectionError);
    assert_eq!(
        c.last_error().map(|e| e.reason().clone()),
        Some(Reason::Timeout {
            phase: TimeoutPhase::Idle,
            after: idle,
        })
    );
    drop(c);
    let (_, errors) = server.finish_with_errors();
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn a_reset_or_close_while_waiting_for_the_head_is_reported_by_poll() {
    for blocking in [true, false] {
        for end in [Step::Reset, Step::Close] {
            let reset = matches!(end, Step::Reset);
            let fault = vec![Step::ReadHead, Step::Sleep(Duration::from_millis(50)), end];
            let (c, server, reason) = request_meeting(fault, blocking, Timeouts::default());
            assert_eq!(c.status(), Status::ConnectionError, "blocking {blocking}");
            // Under Wine (8.0) a reset that arrives before the `recv` is seen as an end of
            // stream (see `pollhttp_testserver::under_wine`): still CONNECTION_ERROR.
            let wine_end_of_stream = pollhttp_testserver::under_wine()
                && matches!(reason, Some(Reason::Protocol(_) | Reason::PeerClosed(_)));
            let expected = if reset {
                matches!(&reason, Some(Reason::Io(e)) if e.kind() == ErrorKind::ConnectionReset)
                    || wine_end_of_stream
            } else {
                matches!(reason, Some(Reason::Protocol(_) | Reason::PeerClosed(_)))
            };
            assert!(expected, "blocking {blocking}, reset {reset}: {reason:?}");
            drop(c);
            let _ = server.finish_with_errors();
        }
    }
}

#[test]
fn a_large_body_after_many_exchanges_arrives_whole_in_blocking_mode() {
    let big: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    let server = warm_then(vec![
        Step::ReadHead,
        Step::SendPaced {
            bytes: response(200, &[], &big),
            piece: 70_000,
            delay: Duration::from_millis(3),
        },
        Step::ExpectClose,
    ]);
    let mut c = client(&server, true, Timeouts::default());
    warm_up(&mut c);
    get(&mut c);
    assert_eq!(c.status(), Status::Body);
    let mut got = Vec::new();
    let mut buf = vec![0u8; 100_000];
    while c.status() == Status::Body {
        let n = c.read_response_body_into(&mut buf).unwrap();
        got.extend_from_slice(&buf[..n]);
    }
    assert_eq!(got.len(), big.len());
    assert!(got == big, "the body arrived changed");
    assert_eq!(c.status(), Status::Connected);
    c.close();
    server.finish();
}
