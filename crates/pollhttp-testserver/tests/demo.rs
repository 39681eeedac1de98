//! The demo server, exercised with plain std sockets.

mod common;

use common::Conn;
use pollhttp_testserver::{demo_page, fill_pattern, fnv1a64, DemoServer, HELLO_BODY, SLOW_BODY};
use std::io::{ErrorKind, Read};

fn server() -> DemoServer {
    DemoServer::start().expect("start demo server")
}

#[test]
fn hello_twice_on_one_keep_alive_connection() {
    let s = server();
    let mut c = Conn::new(s.addr());
    for _ in 0..2 {
        let r = c.request("GET", "/hello", "", b"");
        assert_eq!(r.code, 200);
        assert_eq!(r.header("content-length").as_deref(), Some("14"));
        assert_eq!(r.header("connection"), None);
        assert_eq!(r.body, HELLO_BODY.as_bytes());
    }
}

#[test]
fn chunked_page_comes_in_several_chunks_with_a_trailer() {
    let s = server();
    let mut c = Conn::new(s.addr());
    let r = c.request("GET", "/chunked", "", b"");
    assert_eq!(r.code, 200);
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(r.header("trailer").as_deref(), Some("X-Body-Fnv1a64"));
    assert!(r.chunks >= 4, "{} chunks", r.chunks);
    assert_eq!(r.body, demo_page().as_bytes());
    assert_eq!(
        r.trailer,
        format!(
            "X-Body-Fnv1a64: {:016x}\r\n",
            fnv1a64(demo_page().as_bytes())
        )
    );
    // The root page is the same page without the trailer, on the same connection.
    let r = c.request("GET", "/", "", b"");
    assert_eq!(r.body, demo_page().as_bytes());
    assert_eq!(r.trailer, "");
    assert_eq!(r.header("trailer"), None);
}

#[test]
fn echo_returns_head_and_body() {
    let s = server();
    let mut c = Conn::new(s.addr());
    let r = c.request("POST", "/echo?x=1", "X-Custom: yes\r\n", b"hello");
    assert_eq!(r.code, 200);
    assert_eq!(
        String::from_utf8(r.body).unwrap(),
        "POST /echo?x=1 HTTP/1.1\nHost: test\nX-Custom: yes\nContent-Length: 5\n\nhello"
    );
    c.send(b"PUT /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n2\r\nde\r\n0\r\nT: 1\r\n\r\n");
    let r = c.response(false);
    assert!(
        r.body.ends_with(b"\n\nabcde"),
        "{:?}",
        String::from_utf8_lossy(&r.body)
    );
}

#[test]
fn bytes_follow_the_pattern() {
    let s = server();
    let mut c = Conn::new(s.addr());
    let n = 20 * 1024 * 1024 + 7;
    let r = c.request("GET", "/bytes/20971527", "", b"");
    assert_eq!(r.header("content-length"), Some(n.to_string()));
    let mut want = vec![0u8; n];
    fill_pattern(0, &mut want);
    assert!(r.body == want, "pattern mismatch");
    let r = c.request("GET", "/bytes/0", "", b"");
    assert!(r.body.is_empty());
    let r = c.request("GET", "/bytes/lots", "", b"");
    assert_eq!(r.code, 400);
}

#[test]
fn head_gets_the_head_only_even_for_huge_lengths() {
    let s = server();
    let mut c = Conn::new(s.addr());
    let r = c.request("HEAD", "/bytes/5000000000", "", b"");
    assert_eq!(r.code, 200);
    assert_eq!(r.header("content-length").as_deref(), Some("5000000000"));
    let r = c.request("HEAD", "/chunked", "", b"");
    assert_eq!(r.header("transfer-encoding").as_deref(), Some("chunked"));
    // Had a body been sent, this response would not parse.
    let r = c.request("GET", "/hello", "", b"");
    assert_eq!(r.body, HELLO_BODY.as_bytes());
}

#[test]
fn close_route_ends_the_body_by_closing() {
    let s = server();
    let mut c = Conn::new(s.addr());
    let r = c.request("GET", "/close", "", b"");
    assert_eq!(r.code, 200);
    assert_eq!(r.header("connection").as_deref(), Some("close"));
    assert_eq!(r.header("content-length"), None);
    assert!(String::from_utf8(r.body)
        .unwrap()
        .contains("ends when the connection closes"));
    assert!(c.is_closed_by_peer());
}

#[test]
fn status_codes() {
    let s = server();
    let mut c = Conn::new(s.addr());
    let r = c.request("GET", "/status/204", "", b"");
    assert_eq!((r.code, r.header("content-length")), (204, None));
    let r = c.request("GET", "/status/304", "", b"");
    assert_eq!(r.code, 304);
    let r = c.request("DELETE", "/status/418", "", b"");
    assert_eq!(
        (r.code, r.body.as_slice()),
        (418, b"418 I'm a teapot\n".as_slice())
    );
    let r = c.request("GET", "/status/103", "", b"");
    assert_eq!(r.code, 103);
    let r = c.response(false);
    assert_eq!(r.code, 200);
    assert_eq!(r.body, b"200 OK after a 103 interim response\n");
    for bad in ["/status/101", "/status/99", "/status/1000", "/status/x"] {
        assert_eq!(c.request("GET", bad, "", b"").code, 400, "{bad}");
    }
    let r = c.request("GET", "/hello", "", b"");
    assert_eq!(r.code, 200);
}

#[test]
fn slow_body_arrives_whole() {
    let s = server();
    let mut c = Conn::new(s.addr());
    let r = c.request("GET", "/slow", "", b"");
    assert_eq!(r.body, SLOW_BODY.as_bytes());
}

#[test]
fn unknown_routes_and_methods() {
    let s = server();
    let mut c = Conn::new(s.addr());
    assert_eq!(c.request("GET", "/nope", "", b"").code, 404);
    let r = c.request("POST", "/hello", "", b"x");
    assert_eq!(
        (r.code, r.header("allow").as_deref()),
        (405, Some("GET, HEAD"))
    );
    assert_eq!(c.request("GET", "/hello", "", b"").code, 200);
}

#[test]
fn connection_close_is_honoured() {
    let s = server();
    let mut c = Conn::new(s.addr());
    let r = c.request("GET", "/hello", "Connection: close\r\n", b"");
    assert_eq!(r.header("connection").as_deref(), Some("close"));
    assert_eq!(r.body, HELLO_BODY.as_bytes());
    assert!(c.is_closed_by_peer());
}

#[test]
fn malformed_requests_are_refused_and_closed() {
    let s = server();
    let mut c = Conn::new(s.addr());
    c.send(b"GET /hello HTTP/1.1 extra\r\nHost: x\r\n\r\n");
    let r = c.response(false);
    assert_eq!(r.code, 400);
    assert!(c.is_closed_by_peer());

    let mut c = Conn::new(s.addr());
    c.send(b"GET /hello HTTP/1.1\r\n\r\n");
    assert_eq!(c.response(false).code, 400, "Host is required in HTTP/1.1");

    let mut c = Conn::new(s.addr());
    let mut big = b"GET /hello HTTP/1.1\r\nHost: x\r\n".to_vec();
    big.extend(std::iter::repeat_n(b"X-Pad: 0123456789\r\n".as_slice(), 4000).flatten());
    c.send(&big);
    assert_eq!(c.response(false).code, 431);

    let mut c = Conn::new(s.addr());
    c.send(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\n\r\n");
    assert_eq!(c.response(false).code, 413);
}

#[test]
fn dropping_the_server_closes_open_connections() {
    let s = server();
    let mut c = Conn::new(s.addr());
    assert_eq!(c.request("GET", "/hello", "", b"").code, 200);
    drop(s);
    let mut buf = [0u8; 16];
    match c.stream.read(&mut buf) {
        Ok(0) => {}
        Err(e) if e.kind() == ErrorKind::ConnectionReset => {}
        other => panic!("connection still open after drop: {other:?}"),
    }
}

#[test]
fn many_connections_at_once() {
    let s = server();
    let mut conns: Vec<Conn> = (0..200).map(|_| Conn::new(s.addr())).collect();
    for c in &mut conns {
        c.send(b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
    }
    for c in &mut conns {
        let r = c.response(false);
        assert_eq!(r.body, HELLO_BODY.as_bytes());
    }
}
