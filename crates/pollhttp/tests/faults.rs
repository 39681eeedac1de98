//! Silent, stalling, slow and unreachable servers over real loopback sockets: every
//! exchange must end in the expected status with a specific reason by its deadline,
//! never by hanging. Broken and oversized replies are in `faults_replies.rs`.
//!
//! Timeouts are short (300 ms) to keep the suite fast. The only time bound asserted is a
//! generous "did not hang" guard; no test measures how fast anything is.

mod common;
mod fault_kit;

use common::blocking_get;
use fault_kit::*;
use pollhttp::{Endpoint, Fault, TlsOptions};

// ----- timeouts ---------------------------------------------------------------------

#[test]
fn silent_server_trips_the_head_timeout() {
    let server = ScriptedServer::start(vec![vec![Step::ReadHead, Step::Sleep(SILENCE)]]);
    let (mut c, body) = exchange(&server, short_timeouts(), Limits::default());
    assert!(body.is_empty());
    // Had wait(None) not woken at the deadline, the server's close after SILENCE would
    // have made this an empty reply instead.
    assert_connection_error(&c, timed_out(TimeoutPhase::ResponseHead));
    let again = c.poll().unwrap_err();
    assert_eq!(again.timeout_phase(), Some(TimeoutPhase::ResponseHead));
}

#[test]
fn next_deadline_follows_the_phase() {
    let server = ScriptedServer::start(vec![vec![Step::ReadHead, Step::Sleep(SILENCE)]]);
    let mut c = client(short_timeouts(), Limits::default());
    assert_eq!(c.next_deadline(), None);
    c.connect_to_host("127.0.0.1", Some(server.port()), None)
        .unwrap();
    assert!(c.next_deadline().is_some(), "connect deadlines run");
    drive(&mut c);
    assert_eq!(c.next_deadline(), None, "no clock while CONNECTED");
    let before = Instant::now();
    c.request(Method::Get, "/", &[] as &[&str], "").unwrap();
    let deadline = c.next_deadline().expect("the head deadline");
    assert!(deadline >= before + SHORT);
    drive(&mut c);
    assert_eq!(c.status(), Status::ConnectionError);
    assert_eq!(c.next_deadline(), None, "no clock after a failure");
}

#[test]
fn silent_server_in_blocking_mode_ends_the_one_poll() {
    let server = ScriptedServer::start(vec![vec![Step::ReadHead, Step::Sleep(SILENCE)]]);
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
    assert_connection_error(&c, timed_out(TimeoutPhase::ResponseHead));
}

fn stalled_body_server() -> ScriptedServer {
    let mut head = b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n".to_vec();
    head.extend_from_slice(b"0123456789");
    ScriptedServer::start(vec![vec![
        Step::ReadHead,
        Step::Send(head),
        Step::Sleep(SILENCE),
    ]])
}

#[test]
fn body_stall_trips_the_idle_timeout_in_the_reads() {
    let server = stalled_body_server();
    let (c, body) = exchange(&server, short_timeouts(), Limits::default());
    assert_eq!(body, b"0123456789", "bytes before the stall are delivered");
    assert_connection_error(&c, timed_out(TimeoutPhase::Idle));
}

#[test]
fn body_stall_trips_the_idle_timeout_in_poll() {
    let server = stalled_body_server();
    let mut c = client(short_timeouts(), Limits::default());
    c.connect_to_host("127.0.0.1", Some(server.port()), None)
        .unwrap();
    drive(&mut c);
    c.request(Method::Get, "/", &[] as &[&str], "").unwrap();
    let start = Instant::now();
    while c.status() == Status::Requesting {
        assert!(start.elapsed() < GUARD);
        let _ = c.poll();
        c.wait(None).unwrap();
    }
    let mut got = Vec::new();
    while got.len() < 10 {
        assert!(start.elapsed() < GUARD);
        got.extend(c.read_response_body_chunk());
        c.wait(Some(Duration::from_millis(20))).unwrap();
    }
    // From now on only poll() and wait(): poll() must notice the stall by itself.
    while c.status() == Status::Body {
        assert!(start.elapsed() < GUARD, "poll() never noticed the stall");
        let _ = c.poll();
        c.wait(None).unwrap();
    }
    assert_connection_error(&c, timed_out(TimeoutPhase::Idle));
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
    let mut c = client(short_timeouts(), Limits::default());
    c.connect_to_host("127.0.0.1", Some(server.port()), None)
        .unwrap();
    drive(&mut c);
    c.request(Method::Get, "/", &["X-Wait: 1"], "").unwrap();
    let start = Instant::now();
    while c.status() == Status::Requesting {
        assert!(start.elapsed() < GUARD);
        let _ = c.poll();
        c.wait(None).unwrap();
    }
    std::thread::sleep(SHORT * 2);
    c.poll().unwrap();
    assert_eq!(c.status(), Status::Body);
    assert_eq!(c.read_response_body_chunk(), b"all here");
    assert_eq!(c.status(), Status::Connected);
    c.close();
    server.finish();
}

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
}

#[test]
fn trickling_server_completes_within_the_deadlines() {
    let body = b"a body that trickles".to_vec();
    let server = ScriptedServer::start(vec![vec![
        Step::ReadHead,
        Step::Send(format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", body.len()).into()),
        Step::SendPaced {
            bytes: body.clone(),
            piece: 1,
            delay: Duration::from_millis(50),
        },
        Step::ExpectClose,
    ]]);
    // 50 ms gaps against a 1 s idle limit: a wide margin for a loaded machine.
    let timeouts = Timeouts {
        idle: Some(Duration::from_secs(1)),
        ..short_timeouts()
    };
    let (mut c, got) = exchange(&server, timeouts, Limits::default());
    assert_eq!(got, body);
    assert_eq!(c.status(), Status::Connected, "{:?}", c.last_error());
    c.close();
    server.finish();
}

#[test]
fn slow_endless_body_trips_the_total_timeout() {
    let total = Duration::from_millis(800);
    let server = ScriptedServer::start(vec![vec![
        Step::ReadHead,
        Step::Send(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n".to_vec()),
        Step::SendPaced {
            bytes: vec![b'x'; 1000],
            piece: 1,
            delay: Duration::from_millis(20),
        },
    ]]);
    // The idle limit stays far above the 20 ms gaps, so only `total` can end it.
    let timeouts = Timeouts {
        total: Some(total),
        idle: Some(Duration::from_secs(3)),
        ..short_timeouts()
    };
    let (c, body) = exchange(&server, timeouts, Limits::default());
    assert!(!body.is_empty(), "the body was progressing");
    assert_connection_error(
        &c,
        Reason::Timeout {
            phase: TimeoutPhase::Total,
            after: total,
        },
    );
}

#[test]
fn server_that_does_not_read_trips_the_idle_timeout_while_sending() {
    // Nobody reads the upload: the socket buffers fill and writing stops progressing.
    let server = ScriptedServer::start(vec![vec![Step::Sleep(SILENCE)]]);
    let mut c = client(short_timeouts(), Limits::default());
    c.connect_to_host("127.0.0.1", Some(server.port()), None)
        .unwrap();
    drive(&mut c);
    let upload = vec![b'u'; 64 * 1024 * 1024];
    c.request_raw(Method::Post, "/upload", &[] as &[&str], &upload)
        .unwrap();
    drive(&mut c);
    assert_connection_error(&c, timed_out(TimeoutPhase::Idle));
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

#[test]
fn unanswered_connect_trips_the_connect_timeout() {
    let (_listener, _filler, port) = black_hole();
    let mut c = client(short_timeouts(), Limits::default());
    c.connect_to_host("127.0.0.1", Some(port), None).unwrap();
    drive(&mut c);
    assert_ne!(c.status(), Status::Connected, "{BLACK_HOLE_LEAKS}");
    assert_eq!(c.status(), Status::CantConnect);
    let err = c.last_error().unwrap();
    assert_eq!(err.godot(), GodotError::CantConnect);
    assert_eq!(err.reason(), &timed_out(TimeoutPhase::Connect));
    assert_eq!(c.poll().unwrap_err().godot(), GodotError::CantConnect);
}

#[test]
fn unanswered_connect_trips_connect_total_first_when_shorter() {
    let (_listener, _filler, port) = black_hole();
    let timeouts = Timeouts {
        connect: Some(SILENCE),
        connect_total: Some(SHORT),
        ..short_timeouts()
    };
    let mut c = client(timeouts, Limits::default());
    c.set_blocking_mode(true);
    c.connect_to_host("127.0.0.1", Some(port), None).unwrap();
    let res = c.poll();
    assert_ne!(c.status(), Status::Connected, "{BLACK_HOLE_LEAKS}");
    assert_eq!(
        res.unwrap_err().timeout_phase(),
        Some(TimeoutPhase::ConnectTotal)
    );
    assert_eq!(c.status(), Status::CantConnect);
}

#[test]
fn silent_tls_server_trips_the_handshake_timeout() {
    let server = ScriptedServer::start(vec![vec![Step::Sleep(SILENCE)]]);
    let mut c = client(short_timeouts(), Limits::default());
    c.connect_to_host(
        "127.0.0.1",
        Some(server.port()),
        Some(TlsOptions::client_unsafe(None)),
    )
    .unwrap();
    drive(&mut c);
    assert_eq!(c.status(), Status::CantConnect);
    let err = c.last_error().unwrap();
    assert_eq!(err.godot(), GodotError::CantConnect);
    assert_eq!(err.reason(), &timed_out(TimeoutPhase::TlsHandshake));
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
