//! Silent, stalling, slow and unreachable servers over real loopback sockets: every
//! exchange must end in the expected status with a specific reason by its deadline,
//! never by hanging. Broken and oversized replies are in `faults_replies.rs`.
//!
//! Timeouts are judged by a `ManualClock` that the tests move past each limit, so no test
//! waits for one; only the blocking-mode tests, whose client waits inside `poll()` and
//! the reads, run in real time, with short limits (300 ms). The only real-time bound
//! asserted is a generous "did not hang" guard; no test measures how fast anything is.

mod common;
mod fault_kit;

use common::blocking_get;
use fault_kit::*;
use pollhttp::{Endpoint, Fault, TlsOptions};

// ----- timeouts ---------------------------------------------------------------------
//
// In virtual time (a `ManualClock`, see `fault_kit`) unless a test says otherwise: the
// clock moves only when the test moves it, to one nanosecond before a limit and then to
// the limit. Blocking mode waits inside `poll()` and the reads, so its tests run in real
// time, with 300 ms limits and a 10 s guard.

/// Reads the request, then says nothing until the client closes.
fn silent_server() -> ScriptedServer {
    ScriptedServer::start(vec![vec![Step::ReadHead, Step::ExpectClose]])
}

#[test]
fn silent_server_trips_the_head_timeout() {
    let server = silent_server();
    let (mut c, clock) = virtual_connect(server.port(), virtual_timeouts());
    c.request(Method::Get, "/", &[] as &[&str], "").unwrap();
    let sent = clock.now();
    c.poll().unwrap();
    assert_eq!(c.status(), Status::Requesting);
    let deadline = c.next_deadline().expect("the head deadline");
    assert_eq!(deadline, sent + LONG);

    advance_to(&clock, deadline - NS);
    // The wait ends at the deadline (rounded up to a whole millisecond), not later.
    assert!(c.wait(None).unwrap());
    c.poll().unwrap();
    assert_eq!(c.status(), Status::Requesting, "one nanosecond early");
    clock.advance(NS);
    assert!(
        c.wait(None).unwrap(),
        "the deadline has come: nothing to wait for"
    );
    let err = c.poll().unwrap_err();
    assert_eq!(err.timeout_phase(), Some(TimeoutPhase::ResponseHead));
    assert!(c.read_response_body_chunk().is_empty());
    assert_connection_error(&c, timed_out_long(TimeoutPhase::ResponseHead));
    let again = c.poll().unwrap_err();
    assert_eq!(again.timeout_phase(), Some(TimeoutPhase::ResponseHead));
    // The timed-out client closed its connection: the server saw it go.
    let (_, errors) = server.finish_with_errors();
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn next_deadline_follows_the_phase() {
    let mut head = b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n".to_vec();
    head.extend_from_slice(b"0123456789");
    let server = ScriptedServer::start(vec![vec![
        Step::ReadHead,
        Step::Send(head),
        Step::ExpectClose,
    ]]);
    // A different limit per phase, so that each deadline says whose it is.
    let timeouts = Timeouts {
        connect: Some(Duration::from_secs(10)),
        connect_total: Some(Duration::from_secs(50)),
        response_head: Some(Duration::from_secs(30)),
        idle: Some(Duration::from_secs(40)),
        ..virtual_timeouts()
    };
    let (mut c, clock) = virtual_client(timeouts, Limits::default());
    assert_eq!(c.next_deadline(), None);
    let start = clock.now();
    c.connect_to_host("127.0.0.1", Some(server.port()), None)
        .unwrap();
    assert_eq!(
        c.next_deadline(),
        Some(start + Duration::from_secs(10)),
        "connect deadlines run"
    );
    run_while(&mut c, &[Status::Connecting]);
    assert_eq!(c.status(), Status::Connected, "{:?}", c.last_error());
    assert_eq!(c.next_deadline(), None, "no clock while CONNECTED");
    clock.advance(Duration::from_secs(3600));
    c.poll().unwrap();
    assert_eq!(
        c.status(),
        Status::Connected,
        "time in CONNECTED counts for nothing"
    );

    let before = clock.now();
    c.request(Method::Get, "/", &[] as &[&str], "").unwrap();
    assert_eq!(
        c.next_deadline(),
        Some(before + Duration::from_secs(30)),
        "the head deadline (idle's is later)"
    );
    run_while(&mut c, &[Status::Requesting]);
    assert_eq!(c.status(), Status::Body, "{:?}", c.last_error());
    assert_eq!(read_at_least(&mut c, 10), b"0123456789");
    let idle_deadline = before + Duration::from_secs(40);
    assert_eq!(
        c.next_deadline(),
        Some(idle_deadline),
        "only idle runs in BODY"
    );
    // Past the head limit: it no longer applies.
    clock.advance(Duration::from_secs(35));
    c.poll().unwrap();
    assert_eq!(c.status(), Status::Body);
    assert_eq!(c.next_deadline(), Some(idle_deadline));
    advance_to(&clock, idle_deadline);
    let err = c.poll().unwrap_err();
    assert_eq!(err.timeout_phase(), Some(TimeoutPhase::Idle));
    assert_eq!(c.status(), Status::ConnectionError);
    assert_eq!(c.next_deadline(), None, "no clock after a failure");
    drop(c);
    server.finish();
}

/// Real time: blocking mode waits inside `poll()`.
#[test]
fn silent_server_in_blocking_mode_ends_the_one_poll() {
    let server = silent_server();
    let mut c = client(short_timeouts(), Limits::default());
    c.set_blocking_mode(true);
    c.connect_to_host("127.0.0.1", Some(server.port()), None)
        .unwrap();
    c.poll().unwrap();
    assert_eq!(c.status(), Status::Connected);
    c.request(Method::Get, "/", &[] as &[&str], "").unwrap();
    let start = Instant::now();
    let err = c.poll().unwrap_err();
    assert!(start.elapsed() < GUARD);
    assert_eq!(err.godot(), GodotError::ConnectionError);
    // Had the poll not woken at the deadline, it would have ended only when the server
    // gave up on the client (after 10 s), as an empty reply.
    assert_connection_error(&c, timed_out(TimeoutPhase::ResponseHead));
    server.finish();
}

/// Sends the head of a 100-byte body and its first 10 bytes, then nothing until the
/// client closes.
fn stalled_body_server() -> ScriptedServer {
    let mut head = b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n".to_vec();
    head.extend_from_slice(b"0123456789");
    ScriptedServer::start(vec![vec![
        Step::ReadHead,
        Step::Send(head),
        Step::ExpectClose,
    ]])
}

#[test]
fn body_stall_trips_the_idle_timeout_in_the_reads() {
    let server = stalled_body_server();
    let (mut c, clock) = virtual_get(server.port(), virtual_timeouts());
    assert_eq!(c.status(), Status::Body, "{:?}", c.last_error());
    let body = read_at_least(&mut c, 10);
    assert_eq!(body, b"0123456789", "bytes before the stall are delivered");
    let deadline = c.next_deadline().expect("the idle deadline");
    assert_eq!(deadline, clock.now() + LONG);

    advance_to(&clock, deadline - NS);
    assert!(c.read_response_body_chunk().is_empty());
    assert_eq!(c.status(), Status::Body, "one nanosecond early");
    clock.advance(NS);
    assert!(c.read_response_body_chunk().is_empty());
    assert_connection_error(&c, timed_out_long(TimeoutPhase::Idle));
    let (_, errors) = server.finish_with_errors();
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn body_stall_trips_the_idle_timeout_in_poll() {
    let server = stalled_body_server();
    let (mut c, clock) = virtual_get(server.port(), virtual_timeouts());
    let body = read_at_least(&mut c, 10);
    assert_eq!(body, b"0123456789");
    let deadline = c.next_deadline().expect("the idle deadline");
    assert_eq!(deadline, clock.now() + LONG);

    // From now on only poll() and wait(): poll() must notice the stall by itself.
    advance_to(&clock, deadline - NS);
    assert!(c.wait(None).unwrap());
    c.poll().unwrap();
    assert_eq!(c.status(), Status::Body, "one nanosecond early");
    clock.advance(NS);
    assert!(c.wait(None).unwrap());
    let err = c.poll().unwrap_err();
    assert_eq!(err.timeout_phase(), Some(TimeoutPhase::Idle));
    assert_connection_error(&c, timed_out_long(TimeoutPhase::Idle));
    drop(c);
    server.finish();
}

#[test]
fn unread_bytes_are_not_a_stall() {
    // The whole body is there, but the caller reads it only after the idle limit: the
    // bytes were waiting for the caller, not the other way round.
    let server = ScriptedServer::start(vec![vec![
        Step::ReadHead,
        Step::Send(response(200, &[], b"all here")),
        Step::ExpectClose,
    ]]);
    let (mut c, clock) = virtual_connect(server.port(), virtual_timeouts());
    c.request(Method::Get, "/", &["X-Wait: 1"], "").unwrap();
    run_while(&mut c, &[Status::Requesting]);
    assert_eq!(c.status(), Status::Body, "{:?}", c.last_error());
    // The body came with the head, in one write: the client holds it already.
    assert!(c.has_pending_input(), "the body did not come with the head");
    clock.advance(2 * LONG);
    c.poll().unwrap();
    assert_eq!(c.status(), Status::Body);
    assert_eq!(c.read_response_body_chunk(), b"all here");
    assert_eq!(c.status(), Status::Connected);
    c.close();
    server.finish();
}

#[test]
fn unread_bytes_still_in_the_socket_are_not_a_stall() {
    // As above, with the body still in the socket, not yet taken in by the client.
    let server = FedServer::start();
    let (mut c, clock) = virtual_connect(server.port(), virtual_timeouts());
    c.request(Method::Get, "/", &[] as &[&str], "").unwrap();
    server.send(b"HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\n");
    run_while(&mut c, &[Status::Requesting]);
    assert_eq!(c.status(), Status::Body, "{:?}", c.last_error());
    assert!(!c.has_pending_input());
    server.send(b"all here");
    // The idle limit is a minute away on the clock, so only the bytes end this wait.
    assert!(c.wait(Some(GUARD)).unwrap(), "the body never came");
    clock.advance(2 * LONG);
    c.poll().unwrap();
    assert_eq!(c.status(), Status::Body);
    assert_eq!(read_at_least(&mut c, 8), b"all here");
    assert_eq!(c.status(), Status::Connected);
    c.close();
    server.finish();
}

/// Real time: blocking mode waits inside the read.
#[test]
fn body_stall_in_blocking_mode_ends_the_read() {
    let server = stalled_body_server();
    let mut c = client(short_timeouts(), Limits::default());
    blocking_get(&mut c, server.port());
    assert_eq!(c.status(), Status::Body);
    let mut buf = [0u8; 100];
    let mut got = 0;
    let start = Instant::now();
    while c.status() == Status::Body {
        assert!(start.elapsed() < GUARD);
        match c.read_response_body_into(&mut buf[got..]) {
            Ok(n) => got += n,
            Err(e) => {
                assert_eq!(e.timeout_phase(), Some(TimeoutPhase::Idle));
                break;
            }
        }
    }
    assert_eq!(&buf[..got], b"0123456789");
    assert_connection_error(&c, timed_out(TimeoutPhase::Idle));
    server.finish();
}

#[test]
fn trickling_server_completes_within_the_deadlines() {
    let body = b"a body that trickles";
    let server = FedServer::start();
    let (mut c, clock) = virtual_connect(server.port(), virtual_timeouts());
    c.request(Method::Get, "/", &[] as &[&str], "").unwrap();
    server.send(format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", body.len()).as_bytes());
    run_while(&mut c, &[Status::Requesting]);
    assert_eq!(c.status(), Status::Body, "{:?}", c.last_error());
    let start = clock.now();
    let mut got = Vec::new();
    for byte in body {
        // Each byte comes one nanosecond before the idle limit.
        clock.advance(LONG - NS);
        c.poll().unwrap();
        assert_eq!(c.status(), Status::Body);
        server.send(&[*byte]);
        got.extend(read_at_least(&mut c, 1));
    }
    assert_eq!(got, body);
    assert_eq!(c.status(), Status::Connected, "{:?}", c.last_error());
    assert!(
        clock.now() - start > 10 * LONG,
        "the body took many idle limits"
    );
    c.close();
    server.finish();
}

#[test]
fn slow_endless_body_trips_the_total_timeout() {
    // The idle limit is never reached (a byte comes every half of it): only `total`
    // ends the exchange.
    let total = 5 * LONG / 2;
    let server = FedServer::start();
    let timeouts = Timeouts {
        total: Some(total),
        ..virtual_timeouts()
    };
    let (mut c, clock) = virtual_client(timeouts, Limits::default());
    let connect_at = clock.now();
    c.connect_to_host("127.0.0.1", Some(server.port()), None)
        .unwrap();
    run_while(&mut c, &[Status::Connecting]);
    assert_eq!(c.status(), Status::Connected, "{:?}", c.last_error());
    c.request(Method::Get, "/", &[] as &[&str], "").unwrap();
    server.send(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\nx");
    run_while(&mut c, &[Status::Requesting]);
    let mut body = read_at_least(&mut c, 1);
    for _ in 0..4 {
        clock.advance(LONG / 2);
        c.poll().unwrap();
        assert_eq!(c.status(), Status::Body);
        server.send(b"x");
        body.extend(read_at_least(&mut c, 1));
    }
    // The first request's total counts from connect_to_host.
    let deadline = connect_at + total;
    assert_eq!(c.next_deadline(), Some(deadline), "total comes before idle");
    advance_to(&clock, deadline - NS);
    c.poll().unwrap();
    assert_eq!(c.status(), Status::Body, "one nanosecond early");
    clock.advance(NS);
    assert!(c.read_response_body_chunk().is_empty());
    assert_eq!(body, b"xxxxx", "the body was progressing");
    assert_connection_error(
        &c,
        Reason::Timeout {
            phase: TimeoutPhase::Total,
            after: total,
        },
    );
    server.finish();
}

#[test]
fn server_that_does_not_read_trips_the_idle_timeout_while_sending() {
    // Nobody reads the upload: the socket buffers fill and writing stops progressing.
    // (The server's sleep is never waited for: dropping the server ends it.)
    let server = ScriptedServer::start(vec![vec![Step::Sleep(10 * GUARD)]]);
    let (mut c, clock) = virtual_connect(server.port(), virtual_timeouts());
    let upload = vec![b'u'; 64 * 1024 * 1024];
    c.request_raw(Method::Post, "/upload", &[] as &[&str], &upload)
        .unwrap();
    // Writes until the socket stays full.
    let start = Instant::now();
    loop {
        assert!(start.elapsed() < GUARD, "the upload never stopped");
        c.poll().unwrap();
        assert_eq!(c.status(), Status::Requesting);
        if !c.wait(Some(Duration::from_millis(100))).unwrap() {
            break;
        }
    }
    // Every byte the socket takes restarts the idle clock, even one nanosecond before it
    // expires; once nothing is taken, it expires.
    loop {
        assert!(start.elapsed() < GUARD, "the upload never stopped");
        let deadline = c.next_deadline().expect("the idle deadline");
        advance_to(&clock, deadline - NS);
        c.poll().unwrap();
        assert_eq!(c.status(), Status::Requesting, "one nanosecond early");
        if c.next_deadline() == Some(deadline) {
            break;
        }
    }
    clock.advance(NS);
    let err = c.poll().unwrap_err();
    assert_eq!(err.timeout_phase(), Some(TimeoutPhase::Idle));
    assert_connection_error(&c, timed_out_long(TimeoutPhase::Idle));
}

/// Why a test fails when [`black_hole`] lets a connection through.
const BLACK_HOLE_LEAKS: &str = "a connect beyond a full accept queue completed: the test \
    relies on the system dropping such SYNs (Linux does), to see a connect that never ends";

/// A listener whose accept queue is full: further connection attempts stay pending, as
/// with a server that drops SYNs.
fn black_hole() -> (socket2::Socket, std::net::TcpStream, u16) {
    use socket2::{Domain, Socket, Type};
    let l = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    l.bind(&std::net::SocketAddr::from(([127, 0, 0, 1], 0)).into())
        .unwrap();
    l.listen(0).unwrap();
    let addr = l.local_addr().unwrap().as_socket().unwrap();
    let filler = std::net::TcpStream::connect(addr).unwrap();
    (l, filler, addr.port())
}

/// Starts connecting `c` to the black hole's `port` and checks that the attempt hangs
/// and that its deadline is `limit` away; returns that deadline.
fn connect_into_black_hole(
    c: &mut HttpClient,
    clock: &ManualClock,
    port: u16,
    limit: Duration,
) -> Instant {
    let start = clock.now();
    c.connect_to_host("127.0.0.1", Some(port), None).unwrap();
    for _ in 0..3 {
        c.poll().unwrap();
        c.wait(Some(Duration::from_millis(20))).unwrap();
    }
    c.poll().unwrap();
    assert_ne!(c.status(), Status::Connected, "{BLACK_HOLE_LEAKS}");
    assert_eq!(c.status(), Status::Connecting);
    let deadline = c.next_deadline().expect("the connect deadline");
    assert_eq!(deadline, start + limit);
    deadline
}

#[test]
fn unanswered_connect_trips_the_connect_timeout() {
    let (_listener, _filler, port) = black_hole();
    let (mut c, clock) = virtual_client(virtual_timeouts(), Limits::default());
    let deadline = connect_into_black_hole(&mut c, &clock, port, LONG);
    advance_to(&clock, deadline - NS);
    c.poll().unwrap();
    assert_eq!(c.status(), Status::Connecting, "one nanosecond early");
    clock.advance(NS);
    assert_eq!(c.poll().unwrap_err().godot(), GodotError::CantConnect);
    assert_eq!(c.status(), Status::CantConnect);
    let err = c.last_error().unwrap();
    assert_eq!(err.godot(), GodotError::CantConnect);
    assert_eq!(err.reason(), &timed_out_long(TimeoutPhase::Connect));
    assert_eq!(c.poll().unwrap_err().godot(), GodotError::CantConnect);
}

#[test]
fn unanswered_connect_trips_connect_total_first_when_shorter() {
    let (_listener, _filler, port) = black_hole();
    let timeouts = Timeouts {
        connect: Some(5 * LONG),
        connect_total: Some(LONG),
        ..virtual_timeouts()
    };
    let (mut c, clock) = virtual_client(timeouts, Limits::default());
    let deadline = connect_into_black_hole(&mut c, &clock, port, LONG);
    advance_to(&clock, deadline - NS);
    c.poll().unwrap();
    assert_eq!(c.status(), Status::Connecting, "one nanosecond early");
    clock.advance(NS);
    let err = c.poll().unwrap_err();
    assert_eq!(err.timeout_phase(), Some(TimeoutPhase::ConnectTotal));
    assert_eq!(c.status(), Status::CantConnect);
    assert_eq!(
        c.last_error().unwrap().reason(),
        &timed_out_long(TimeoutPhase::ConnectTotal)
    );
}

/// Real time: blocking mode waits inside `poll()`.
#[test]
fn unanswered_connect_in_blocking_mode_ends_the_one_poll() {
    let (_listener, _filler, port) = black_hole();
    let timeouts = Timeouts {
        connect: Some(SILENCE),
        connect_total: Some(SHORT),
        ..short_timeouts()
    };
    let mut c = client(timeouts, Limits::default());
    c.set_blocking_mode(true);
    c.connect_to_host("127.0.0.1", Some(port), None).unwrap();
    let start = Instant::now();
    let res = c.poll();
    assert!(start.elapsed() < GUARD);
    assert_ne!(c.status(), Status::Connected, "{BLACK_HOLE_LEAKS}");
    assert_eq!(
        res.unwrap_err().timeout_phase(),
        Some(TimeoutPhase::ConnectTotal)
    );
    assert_eq!(c.status(), Status::CantConnect);
}

#[test]
fn silent_tls_server_trips_the_handshake_timeout() {
    // Takes the connection and says nothing; never waited for (dropping the server ends
    // the sleep).
    let server = ScriptedServer::start(vec![vec![Step::Sleep(10 * GUARD)]]);
    // A connect limit apart from the handshake's, to see when the handshake begins.
    let timeouts = Timeouts {
        connect: Some(2 * LONG),
        ..virtual_timeouts()
    };
    let (mut c, clock) = virtual_client(timeouts, Limits::default());
    let start = clock.now();
    c.connect_to_host(
        "127.0.0.1",
        Some(server.port()),
        Some(TlsOptions::client_unsafe(None)),
    )
    .unwrap();
    assert_eq!(c.next_deadline(), Some(start + 2 * LONG));
    let deadline = start + LONG;
    let guard = Instant::now();
    while c.next_deadline() != Some(deadline) {
        assert!(guard.elapsed() < GUARD, "the handshake never began");
        c.poll().unwrap();
        assert_eq!(c.status(), Status::Connecting);
        c.wait(Some(Duration::from_millis(20))).unwrap();
    }
    advance_to(&clock, deadline - NS);
    c.poll().unwrap();
    assert_eq!(c.status(), Status::Connecting, "one nanosecond early");
    clock.advance(NS);
    assert!(c.poll().is_err());
    assert_eq!(c.status(), Status::CantConnect);
    let err = c.last_error().unwrap();
    assert_eq!(err.godot(), GodotError::CantConnect);
    assert_eq!(err.reason(), &timed_out_long(TimeoutPhase::TlsHandshake));
}

// ----- unreachable servers ---------------------------------------------------------

#[test]
fn refused_port() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut c = client(short_timeouts(), Limits::default());
    c.connect_to_host("127.0.0.1", Some(port), None).unwrap();
    drive(&mut c);
    assert_eq!(c.status(), Status::CantConnect);
    let err = c.last_error().unwrap();
    assert_eq!(err.godot(), GodotError::CantConnect);
    match err.reason() {
        Reason::Connect {
            target,
            endpoint: Endpoint::Origin,
            error,
        } => {
            assert_eq!(target, &format!("127.0.0.1:{port}"));
            assert_eq!(
                error.kind(),
                std::io::ErrorKind::ConnectionRefused,
                "{error}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(err.fault(), Fault::Network);
}

#[test]
fn unresolvable_name() {
    let mut c = client(short_timeouts(), Limits::default());
    c.connect_to_host("nonexistent.invalid", Some(80), None)
        .unwrap();
    drive(&mut c);
    assert_eq!(c.status(), Status::CantResolve);
    let err = c.last_error().unwrap();
    assert_eq!(err.godot(), GodotError::CantResolve);
    // A resolver that answers says the name does not exist; one that cannot be reached
    // is cut short by the resolve timeout. Both are CANT_RESOLVE.
    assert!(
        matches!(
            err.reason(),
            Reason::Resolve { .. }
                | Reason::Timeout {
                    phase: TimeoutPhase::Resolve,
                    ..
                }
        ),
        "{err}"
    );
}
