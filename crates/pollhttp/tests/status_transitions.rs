//! Every Status transition of the behaviour table, over real loopback sockets.

mod common;

use common::*;
use pollhttp::{Endpoint, GodotError, HttpClient, Method, Reason, Status};
use pollhttp_testserver::{response, ScriptedServer, Step};
use std::time::Duration;

/// Why the IPv6 test fails on a machine without an IPv6 loopback.
const NO_IPV6: &str = "cannot listen on [::1]: the machine needs IPv6 on its loopback interface";

#[test]
fn ip_literal_goes_connecting_then_connected() {
    let server = ScriptedServer::start(vec![vec![Step::ExpectClose]]);
    let mut c = HttpClient::new();
    c.connect_to_host("127.0.0.1", Some(server.port()), None)
        .unwrap();
    assert_eq!(c.status(), Status::Connecting);
    let trace = poll_while(&mut c, &[Status::Connecting]);
    assert_eq!(trace, vec![Status::Connecting, Status::Connected]);
    c.close();
    assert_eq!(c.status(), Status::Disconnected);
    server.finish();
}

#[test]
fn host_name_goes_resolving_connecting_connected() {
    let server = ScriptedServer::start(vec![vec![Step::ExpectClose]]);
    let mut c = HttpClient::new();
    c.connect_to_host("localhost", Some(server.port()), None)
        .unwrap();
    assert_eq!(c.status(), Status::Resolving);
    let trace = poll_while(&mut c, &[Status::Resolving, Status::Connecting]);
    assert_eq!(trace.first(), Some(&Status::Resolving));
    assert_eq!(
        trace.last(),
        Some(&Status::Connected),
        "{:?}",
        c.last_error()
    );
    c.close();
    server.finish();
}

#[test]
fn ipv6_literal_with_and_without_brackets() {
    let server = ScriptedServer::start_v6(vec![
        vec![
            Step::ReadHead,
            Step::Send(response(200, &[], b"six")),
            Step::ExpectClose,
        ],
        vec![Step::ExpectClose],
    ])
    .unwrap_or_else(|e| panic!("{NO_IPV6}: {e}"));
    for host in ["[::1]", "::1"] {
        let mut c = HttpClient::new();
        c.connect_to_host(host, Some(server.port()), None).unwrap();
        poll_while(&mut c, &[Status::Connecting]);
        assert_eq!(c.status(), Status::Connected);
        if host == "[::1]" {
            get(&mut c, "/");
            assert_eq!(read_body(&mut c).0, b"six");
        }
        c.close();
    }
    let port = server.port();
    let reqs = server.finish();
    assert!(
        text(&reqs[0]).contains(&format!("Host: [::1]:{port}\r\n")),
        "{}",
        text(&reqs[0])
    );
}

#[test]
fn refused_port_is_cant_connect() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut c = HttpClient::new();
    c.connect_to_host("127.0.0.1", Some(port), None).unwrap();
    poll_while(&mut c, &[Status::Connecting]);
    assert_eq!(c.status(), Status::CantConnect);
    // Sticky: every poll gives ERR_CANT_CONNECT again.
    for _ in 0..3 {
        assert_eq!(c.poll().unwrap_err().godot(), GodotError::CantConnect);
        assert_eq!(c.status(), Status::CantConnect);
    }
    assert!(matches!(
        c.last_error().unwrap().reason(),
        Reason::Connect { .. }
    ));
}

#[test]
fn unresolvable_name_is_cant_resolve() {
    let mut c = HttpClient::new();
    c.connect_to_host("nonexistent.invalid", Some(80), None)
        .unwrap();
    assert_eq!(c.status(), Status::Resolving);
    poll_while(&mut c, &[Status::Resolving]);
    assert_eq!(c.status(), Status::CantResolve);
    let e = c.poll().unwrap_err();
    assert_eq!(e.godot_code(), 26);
    match e.reason() {
        Reason::Resolve { host, endpoint, .. } => {
            assert_eq!(host, "nonexistent.invalid");
            assert_eq!(*endpoint, Endpoint::Origin);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn request_body_and_back_to_connected() {
    let server = ScriptedServer::start(vec![vec![
        Step::ReadHead,
        Step::Send(response(200, &[("X-A", "1")], b"hello")),
        Step::ExpectClose,
    ]]);
    let mut c = connect(server.port());
    c.request(Method::Get, "/x", &[] as &[&str], "").unwrap();
    assert_eq!(c.status(), Status::Requesting);
    assert!(!c.has_response());
    let trace = poll_while(&mut c, &[Status::Requesting]);
    assert_eq!(trace, vec![Status::Requesting, Status::Body]);
    assert!(c.has_response());
    assert_eq!(c.response_code(), 200);
    assert_eq!(c.response_body_length(), 5);
    assert!(!c.is_response_chunked());
    let (body, _) = read_body(&mut c);
    assert_eq!(body, b"hello");
    assert_eq!(c.status(), Status::Connected);
    // Header getters are not destructive.
    assert_eq!(c.response_headers(), c.response_headers());
    assert!(c.has_response());
    c.close();
    server.finish();
}

#[test]
fn no_body_response_goes_straight_to_connected() {
    let server = ScriptedServer::start(vec![vec![
        Step::ReadHead,
        Step::Send(b"HTTP/1.1 204 No Content\r\n\r\n".to_vec()),
        Step::ExpectClose,
    ]]);
    let mut c = connect(server.port());
    get(&mut c, "/");
    assert_eq!(c.status(), Status::Connected);
    assert!(c.has_response(), "a header-less 204 is still a response");
    assert_eq!(c.response_code(), 204);
    assert_eq!(c.response_body_length(), 0);
    c.close();
    server.finish();
}

#[test]
fn eof_before_head_is_connection_error() {
    let server = ScriptedServer::start(vec![vec![Step::ReadHead, Step::Close]]);
    let mut c = connect(server.port());
    c.request(Method::Get, "/", &[] as &[&str], "").unwrap();
    poll_while(&mut c, &[Status::Requesting]);
    assert_eq!(c.status(), Status::ConnectionError);
    assert_eq!(c.poll().unwrap_err().godot_code(), 27);
    let msg = c.last_error().unwrap().to_string();
    assert!(msg.contains("empty") || msg.contains("closed"), "{msg}");
    server.finish();
}

#[test]
fn idle_close_seen_by_poll_in_connected() {
    let server = ScriptedServer::start(vec![vec![Step::Close]]);
    let mut c = connect(server.port());
    let trace = poll_while(&mut c, &[Status::Connected]);
    assert_eq!(trace.last(), Some(&Status::ConnectionError));
    // request() is refused in CONNECTION_ERROR, as in Godot.
    let e = c.request(Method::Get, "/", &[] as &[&str], "").unwrap_err();
    assert_eq!(e.godot(), GodotError::InvalidParameter);
    server.finish();
}

#[test]
fn close_delimited_body_ends_disconnected() {
    let server = ScriptedServer::start(vec![vec![
        Step::ReadHead,
        Step::Send(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil-eof-body".to_vec()),
        Step::Close,
    ]]);
    let mut c = connect(server.port());
    get(&mut c, "/");
    assert_eq!(c.status(), Status::Body);
    assert_eq!(c.response_body_length(), -1);
    let (body, _) = read_body(&mut c);
    assert_eq!(body, b"until-eof-body");
    assert_eq!(c.status(), Status::Disconnected);
    // The response stays readable after the connection ended.
    assert_eq!(c.response_code(), 200);
    server.finish();
}

#[test]
fn connect_to_host_from_body_aborts_and_reconnects() {
    let server = ScriptedServer::start(vec![
        vec![
            Step::ReadHead,
            Step::Send(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc".to_vec()),
            Step::ExpectClose,
        ],
        vec![Step::ExpectClose],
    ]);
    let mut c = connect(server.port());
    get(&mut c, "/");
    assert_eq!(c.status(), Status::Body);
    c.connect_to_host("127.0.0.1", Some(server.port()), None)
        .unwrap();
    assert_eq!(c.status(), Status::Connecting);
    assert!(!c.has_response());
    assert_eq!(c.response_code(), 0);
    poll_while(&mut c, &[Status::Connecting]);
    assert_eq!(c.status(), Status::Connected);
    c.close();
    server.finish();
}

#[test]
fn wait_sleeps_until_the_head_arrives() {
    let server = ScriptedServer::start(vec![vec![
        Step::ReadHead,
        Step::Sleep(Duration::from_millis(200)),
        Step::Send(response(200, &[], b"late")),
        Step::ExpectClose,
    ]]);
    let mut c = connect(server.port());
    c.request(Method::Get, "/", &[] as &[&str], "").unwrap();
    let mut polls = 0;
    while c.status() == Status::Requesting {
        c.poll().unwrap();
        polls += 1;
        assert!(polls < 1000, "wait() did not sleep");
        c.wait(Some(Duration::from_secs(5))).unwrap();
    }
    // A spinning loop would have polled thousands of times in 200 ms.
    assert!(polls <= 10, "{polls} polls");
    assert_eq!(read_body(&mut c).0, b"late");
    c.close();
    server.finish();
}

#[test]
fn set_connection_adopts_a_callers_stream() {
    let server = ScriptedServer::start(vec![vec![
        Step::ReadHead,
        Step::Send(response(200, &[], b"adopted")),
        Step::ExpectClose,
    ]]);
    let stream = std::net::TcpStream::connect(server.addr()).unwrap();
    stream.set_nonblocking(true).unwrap();
    let mut c = HttpClient::new();
    c.set_connection(Box::new(stream));
    assert_eq!(c.status(), Status::Connected);
    assert!(c.connection().is_some());
    get(&mut c, "/");
    assert_eq!(read_body(&mut c).0, b"adopted");
    assert_eq!(c.status(), Status::Connected);
    c.close();
    assert!(c.connection().is_none());
    server.finish();
}

#[test]
fn query_string_method_matches_godot() {
    let c = HttpClient::new();
    let q = c.query_string_from_dict([
        ("single", pollhttp::QueryValue::from(123)),
        ("not_valued", pollhttp::QueryValue::Null),
        ("multiple", pollhttp::QueryValue::from(vec![22, 33, 44])),
    ]);
    assert_eq!(
        q,
        "single=123&not_valued&multiple=22&multiple=33&multiple=44"
    );
}
