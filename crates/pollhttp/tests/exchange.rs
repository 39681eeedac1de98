//! Requests and responses over real loopback sockets: exact request bytes, paced and
//! split responses, every body framing, keep-alive reuse and its refusals.

mod common;

use common::*;
use pollhttp::{HttpClient, Method, Reason, RequestMethod, Status};
use pollhttp_testserver::{chunked_response, response, ScriptedServer, Step};
use std::time::Duration;

fn serve_one(reply: Vec<u8>) -> ScriptedServer {
    ScriptedServer::start(vec![vec![
        Step::ReadHead,
        Step::Send(reply),
        Step::ExpectClose,
    ]])
}

/// Answers one request with `reply` and closes the connection itself.
fn serve_then_close(reply: &[u8]) -> ScriptedServer {
    ScriptedServer::start(vec![vec![
        Step::ReadHead,
        Step::Send(reply.to_vec()),
        Step::Close,
    ]])
}

/// Answers one request with `reply` in pieces of `piece` bytes, a millisecond apart.
fn serve_paced(reply: Vec<u8>, piece: usize) -> ScriptedServer {
    ScriptedServer::start(vec![vec![
        Step::ReadHead,
        Step::SendPaced {
            bytes: reply,
            piece,
            delay: Duration::from_millis(1),
        },
        Step::ExpectClose,
    ]])
}

/// Connects to `server` and sends a GET for "/"; the head is in (or the exchange failed).
fn get_root(server: &ScriptedServer) -> HttpClient {
    let mut c = connect(server.port());
    get(&mut c, "/");
    c
}

#[test]
fn request_bytes_with_automatic_headers() {
    let server = serve_one(response(200, &[], b""));
    let port = server.port();
    let mut c = connect(port);
    c.request(Method::Post, "/submit?a=1", &["X-Custom: yes"], "é")
        .unwrap();
    poll_while(&mut c, &[Status::Requesting]);
    c.close();
    let reqs = server.finish();
    assert_eq!(
        text(&reqs[0]),
        format!(
            "POST /submit?a=1 HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-Custom: yes\r\n\
             Content-Length: 2\r\nUser-Agent: {}\r\nAccept: */*\r\n\r\né",
            pollhttp::USER_AGENT
        )
    );
}

#[test]
fn user_headers_suppress_their_automatic_twins() {
    let server = serve_one(response(200, &[], b""));
    let mut c = connect(server.port());
    c.request(
        Method::Put,
        "/",
        &[
            "host: example.org",
            "user-agent: Pirulo/1.0",
            "ACCEPT: text/html",
        ],
        "",
    )
    .unwrap();
    poll_while(&mut c, &[Status::Requesting]);
    c.close();
    let req = text(&server.finish()[0]);
    assert_eq!(
        req,
        "PUT / HTTP/1.1\r\nhost: example.org\r\nuser-agent: Pirulo/1.0\r\nACCEPT: text/html\r\n\
         Content-Length: 0\r\n\r\n"
    );
}

#[test]
fn header_injection_and_bad_urls_are_refused_before_sending() {
    let server = ScriptedServer::start(vec![vec![Step::ExpectClose]]);
    let mut c = connect(server.port());
    let bad_headers: &[&[&str]] = &[
        &["X-A: 1\r\nX-B: 2"],
        &["X-A: 1\nX-B: 2"],
        &["X-A: a\0b"],
        &[""],
        &["NoColon"],
        &[": value"],
        &["Content-Length: 7"],
    ];
    for h in bad_headers {
        let e = c.request(Method::Post, "/", h, "abc").unwrap_err();
        assert_eq!(e.godot_code(), 31, "{h:?}");
        assert_eq!(c.status(), Status::Connected);
    }
    for url in ["/a b", "/a\r\nX: y", "noslash", "", "/\0"] {
        let e = c.request(Method::Get, url, &[] as &[&str], "").unwrap_err();
        assert_eq!(e.godot_code(), 31, "{url:?}");
    }
    c.close();
    assert!(server.finish().is_empty(), "nothing may reach the wire");
}

#[test]
fn head_split_one_byte_at_a_time() {
    let reply = response(201, &[("X-Slow", "yes")], b"abc");
    let server = serve_paced(reply, 1);
    let mut c = get_root(&server);
    assert_eq!(c.response_code(), 201);
    assert_eq!(read_body(&mut c).0, b"abc");
    assert_eq!(c.status(), Status::Connected);
    c.close();
    server.finish();
}

#[test]
fn chunked_body_in_pieces_with_trailers() {
    let mut reply = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    reply.extend_from_slice(b"5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n");
    let server = serve_paced(reply, 3);
    let mut c = get_root(&server);
    assert!(c.is_response_chunked());
    assert_eq!(c.response_body_length(), -1);
    assert_eq!(read_body(&mut c).0, b"hello world");
    assert_eq!(c.status(), Status::Connected);
    let resp = c.response().unwrap();
    assert_eq!(resp.trailers().get("x-trailer").as_deref(), Some("t"));
    c.close();
    server.finish();
}

#[test]
fn chunked_pieces_respect_read_chunk_size() {
    let big = vec![b'z'; 200_000];
    let server = serve_one(chunked_response(200, &[], &[&big]));
    let mut c = connect(server.port());
    c.set_read_chunk_size(4096).unwrap();
    get(&mut c, "/");
    let (body, pieces) = read_body(&mut c);
    assert_eq!(body, big);
    assert!(pieces.iter().all(|&p| p <= 4096), "{pieces:?}");
    c.close();
    server.finish();
}

#[test]
fn keep_alive_reuses_the_connection() {
    let server = ScriptedServer::start(vec![vec![
        Step::ReadHead,
        Step::Send(response(200, &[], b"one")),
        Step::ReadHead,
        Step::Send(chunked_response(200, &[], &[b"two"])),
        Step::ReadHead,
        Step::Send(response(200, &[], b"three")),
        Step::ExpectClose,
    ]]);
    let mut c = connect(server.port());
    for want in [&b"one"[..], b"two", b"three"] {
        get(&mut c, "/");
        assert_eq!(read_body(&mut c).0, want);
        assert_eq!(c.status(), Status::Connected);
    }
    c.close();
    assert_eq!(server.connections_accepted(), 1);
    assert_eq!(server.finish().len(), 3);
}

#[test]
fn connection_close_with_length_is_not_reused() {
    let server = serve_one(response(
        200,
        &[("Connection", "keep-alive, Close")],
        b"bye",
    ));
    let mut c = get_root(&server);
    assert_eq!(read_body(&mut c).0, b"bye");
    assert_eq!(c.status(), Status::Disconnected);
    server.finish();
}

#[test]
fn http10_body_read_to_eof() {
    let server = serve_then_close(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nold style");
    let mut c = get_root(&server);
    assert_eq!(read_body(&mut c).0, b"old style");
    assert_eq!(c.status(), Status::Disconnected);
    server.finish();
}

#[test]
fn stray_bytes_after_a_response_prevent_reuse() {
    let mut reply = response(200, &[], b"ok");
    reply.extend_from_slice(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    let server = serve_one(reply);
    let mut c = get_root(&server);
    assert_eq!(read_body(&mut c).0, b"ok");
    assert_eq!(c.status(), Status::Disconnected);
    server.finish();
}

#[test]
fn interim_100_continue_is_skipped() {
    let mut reply = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 102 Processing\r\n\r\n".to_vec();
    reply.extend(response(200, &[], b"final"));
    let server = serve_one(reply);
    let mut c = get_root(&server);
    assert_eq!(c.response_code(), 200);
    assert_eq!(read_body(&mut c).0, b"final");
    c.close();
    server.finish();
}

#[test]
fn head_response_has_no_body_even_if_chunked() {
    let server = serve_one(
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 1234\r\n\r\n".to_vec(),
    );
    let mut c = connect(server.port());
    c.request(Method::Head, "/", &[] as &[&str], "").unwrap();
    poll_while(&mut c, &[Status::Requesting]);
    assert_eq!(c.status(), Status::Connected);
    assert_eq!(c.response_body_length(), 0);
    c.close();
    server.finish();
}

#[test]
fn truncated_length_body_is_connection_error() {
    let server = serve_then_close(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
    let mut c = get_root(&server);
    let (body, _) = read_body(&mut c);
    assert_eq!(body, b"abc");
    assert_eq!(c.status(), Status::ConnectionError);
    let msg = c.last_error().unwrap().to_string();
    assert!(msg.contains('7'), "names the missing byte count: {msg}");
    server.finish();
}

#[test]
fn truncated_chunked_body_is_connection_error() {
    let server = serve_then_close(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel");
    let mut c = get_root(&server);
    read_body(&mut c);
    assert_eq!(c.status(), Status::ConnectionError);
    server.finish();
}

#[test]
fn peer_reset_mid_body_is_connection_error() {
    let server = ScriptedServer::start(vec![vec![
        Step::ReadHead,
        Step::Send(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nabc".to_vec()),
        Step::Sleep(Duration::from_millis(50)),
        Step::Reset,
    ]]);
    let mut c = get_root(&server);
    read_body(&mut c);
    assert_eq!(c.status(), Status::ConnectionError);
    server.finish();
}

#[test]
fn bad_framing_is_connection_error_not_a_guess() {
    for head in [
        "HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\nhello",
        "HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n",
        "ICY 200 OK\r\n\r\n",
        "garbage garbage\r\n\r\n",
    ] {
        let server = serve_one(head.as_bytes().to_vec());
        let c = get_root(&server);
        assert_eq!(c.status(), Status::ConnectionError, "{head:?}");
        assert!(!c.has_response());
        server.finish();
    }
}

#[test]
fn large_body_reads_straight_into_the_callers_buffer() {
    let body: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
    let server = serve_one(response(200, &[], &body));
    let mut c = get_root(&server);
    let mut got = Vec::new();
    let mut buf = vec![0u8; 256 * 1024];
    let start = std::time::Instant::now();
    while c.status() == Status::Body {
        assert!(start.elapsed() < LIMIT);
        let n = c.read_response_body_into(&mut buf).unwrap();
        if n == 0 {
            c.wait(Some(Duration::from_millis(50))).unwrap();
        }
        got.extend_from_slice(&buf[..n]);
    }
    assert_eq!(got.len(), body.len());
    assert!(got == body);
    assert_eq!(c.status(), Status::Connected);
    c.close();
    server.finish();
}

#[test]
fn wrong_status_calls_and_their_errors() {
    let mut c = HttpClient::new();
    assert_eq!(c.poll().unwrap_err().godot_code(), 3);
    let e = c.request(Method::Get, "/", &[] as &[&str], "").unwrap_err();
    assert_eq!(e.godot_code(), 31);
    assert!(c.read_response_body_chunk().is_empty());
    assert_eq!(
        c.read_response_body_into(&mut [0u8; 8])
            .unwrap_err()
            .godot_code(),
        31
    );
    assert!(c.response_headers().is_empty());
    assert_eq!(c.response_code(), 0);
    assert_eq!(c.set_read_chunk_size(255).unwrap_err().godot_code(), 31);
    assert_eq!(
        c.set_read_chunk_size(16 * 1024 * 1024 + 1)
            .unwrap_err()
            .godot_code(),
        31
    );
    assert_eq!(c.read_chunk_size(), 65536);
    c.set_read_chunk_size(256).unwrap();
    assert_eq!(c.read_chunk_size(), 256);
    assert_eq!(
        c.connect_to_host("localhost:8080", None, None)
            .unwrap_err()
            .godot_code(),
        31
    );
    assert_eq!(
        c.connect_to_host("", None, None).unwrap_err().godot_code(),
        31
    );
}

#[test]
fn request_while_requesting_is_refused() {
    let server = ScriptedServer::start(vec![vec![
        Step::ReadHead,
        Step::Sleep(Duration::from_millis(100)),
        Step::Send(response(200, &[], b"x")),
        Step::ExpectClose,
    ]]);
    let mut c = connect(server.port());
    c.request(Method::Get, "/", &[] as &[&str], "").unwrap();
    let e = c.request(Method::Get, "/", &[] as &[&str], "").unwrap_err();
    assert_eq!(e.godot_code(), 31);
    assert_eq!(
        e.reason(),
        &Reason::WrongStatus {
            call: "request",
            status: Status::Requesting
        }
    );
    poll_while(&mut c, &[Status::Requesting]);
    assert_eq!(c.status(), Status::Body);
    let e = c.request(Method::Get, "/", &[] as &[&str], "").unwrap_err();
    assert_eq!(e.godot_code(), 31);
    c.close();
    server.finish();
}

#[test]
fn headers_dictionary_joins_duplicates() {
    let server = serve_one(response(
        200,
        &[
            ("Set-Cookie", "a=1"),
            ("Set-Cookie", "b=2"),
            ("X-Test", "x"),
        ],
        b"",
    ));
    let mut c = get_root(&server);
    let dict = c.response_headers_as_dictionary();
    assert!(
        dict.contains(&("Set-Cookie".into(), "a=1; b=2".into())),
        "{dict:?}"
    );
    let resp = c.response().unwrap();
    let cookies: Vec<_> = resp.headers().get_all("set-cookie").collect();
    assert_eq!(cookies, ["a=1", "b=2"]);
    assert!(c
        .response_headers()
        .contains(&"Set-Cookie: b=2".to_string()));
    c.close();
    server.finish();
}

#[test]
fn unsolicited_switching_protocols_is_a_protocol_error() {
    // A 1xx never has a body: a 101 nobody asked for is not read "until close".
    let server = serve_then_close(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\nRAW");
    let c = get_root(&server);
    assert_eq!(c.status(), Status::ConnectionError);
    assert_eq!(
        c.last_error().unwrap().reason(),
        &pollhttp::Reason::Protocol(pollhttp::proto::ProtoError::UnsolicitedSwitch)
    );
    assert!(!c.is_response_complete());
    server.finish();
}

#[test]
fn requested_upgrade_ends_the_exchange_at_the_head() {
    let server = ScriptedServer::start(vec![vec![
        Step::ReadHead,
        Step::Send(
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\nRAW"
                .to_vec(),
        ),
        Step::ExpectClose,
    ]]);
    let mut c = connect(server.port());
    c.request(
        Method::Get,
        "/ws",
        &["Upgrade: echo", "Connection: Upgrade"],
        "",
    )
    .unwrap();
    // The head may come before or with the bytes after it: either way the exchange ends
    // at the head, and those bytes are the other protocol's.
    poll_while(&mut c, &[Status::Requesting]);
    assert_eq!(c.status(), Status::Disconnected);
    assert!(c.has_response() && c.is_response_complete());
    assert_eq!(c.response_code(), 101);
    assert!(c.read_response_body_chunk().is_empty());
    let (mut stream, mut leftover) = c.take_connection().expect("the stream is kept");
    assert_eq!(c.status(), Status::Disconnected);
    let start = std::time::Instant::now();
    while leftover.len() < 3 && start.elapsed() < Duration::from_secs(10) {
        let mut buf = [0u8; 16];
        match stream.read(&mut buf) {
            Ok(n) => leftover.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                let _ = stream.wait(pollhttp::Interest::Read, Some(Duration::from_millis(50)));
            }
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!(leftover, b"RAW");
    drop(stream);
    server.finish();
}

#[test]
fn idle_watches_the_wait_for_the_response_head() {
    // The server takes the request and says nothing: `idle` ends the wait long before
    // `response_head` would.
    let server = ScriptedServer::start(vec![vec![Step::ReadHead, Step::ExpectClose]]);
    let clock = pollhttp::ManualClock::new();
    let mut c = HttpClient::new();
    c.set_clock(clock.clone());
    c.set_timeouts(pollhttp::Timeouts {
        idle: Some(Duration::from_secs(3)),
        response_head: Some(Duration::from_secs(60)),
        ..pollhttp::Timeouts::default()
    });
    c.connect_to_host("127.0.0.1", Some(server.port()), None)
        .unwrap();
    poll_while(&mut c, &[Status::Resolving, Status::Connecting]);
    c.request(Method::Get, "/", &[], "").unwrap();
    c.poll().unwrap();
    clock.advance(Duration::from_secs(3) - Duration::from_nanos(1));
    c.poll().unwrap();
    assert_eq!(c.status(), Status::Requesting);
    clock.advance(Duration::from_nanos(1));
    assert!(c.poll().is_err());
    assert_eq!(c.status(), Status::ConnectionError);
    assert_eq!(
        c.last_error().unwrap().timeout_phase(),
        Some(pollhttp::TimeoutPhase::Idle)
    );
    server.finish();
}

#[test]
fn a_body_failure_after_some_bytes_is_reported_by_the_next_read() {
    // The bytes before the broken chunk go out first; the failure waits for the next
    // read, and the unread broken bytes keep a caller's own poller from sleeping on a
    // silent socket meanwhile.
    let server = ScriptedServer::start(vec![vec![
        Step::ReadHead,
        Step::Send(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nZZ\r\n".to_vec(),
        ),
        Step::ExpectClose,
    ]]);
    let mut c = get_root(&server);
    assert_eq!(c.status(), Status::Body);
    let mut buf = [0u8; 100];
    let n = c.read_response_body_into(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"hello");
    assert_eq!(c.status(), Status::Body);
    assert!(
        c.has_pending_input(),
        "the failure is work for the next read"
    );
    let err = c.read_response_body_into(&mut buf).unwrap_err();
    assert!(err.protocol_error().is_some(), "{err}");
    assert_eq!(c.status(), Status::ConnectionError);
    assert!(!c.has_pending_input());
    server.finish();
}

#[test]
fn an_extension_method_goes_on_the_wire_and_its_207_body_is_read() {
    let xml = b"<?xml version=\"1.0\"?><multistatus xmlns=\"DAV:\"/>\n";
    let server = ScriptedServer::start(vec![vec![
        Step::ReadHead,
        Step::Send(response(207, &[("Content-Type", "application/xml")], xml)),
        Step::ReadHead,
        Step::Send(response(200, &[], b"purged")),
        Step::ExpectClose,
    ]]);
    let port = server.port();
    let mut c = connect(port);
    let propfind = RequestMethod::parse("PROPFIND").unwrap();
    c.request(propfind, "/dav/", &["Depth: 1"], "").unwrap();
    poll_while(&mut c, &[Status::Requesting]);
    assert_eq!(c.status(), Status::Body);
    assert_eq!(c.response_code(), 207);
    let (body, _) = read_body(&mut c);
    assert_eq!(body, xml);
    assert!(c.is_response_complete());
    // The connection is kept, and the next method is any token too.
    assert_eq!(c.status(), Status::Connected);
    c.request(RequestMethod::Other("purge"), "/x", &[], "")
        .unwrap();
    poll_while(&mut c, &[Status::Requesting]);
    let (body, _) = read_body(&mut c);
    assert_eq!(body, b"purged");
    // A method that is not a token is the caller's error, and nothing is sent.
    let err = c
        .request(RequestMethod::Other("BAD METHOD"), "/", &[], "")
        .unwrap_err();
    assert_eq!(err.godot(), pollhttp::GodotError::InvalidParameter);
    assert_eq!(c.status(), Status::Connected);
    c.close();
    let reqs = server.finish();
    let agent = pollhttp::USER_AGENT;
    assert_eq!(
        text(&reqs[0]),
        format!(
            "PROPFIND /dav/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nDepth: 1\r\n\
             User-Agent: {agent}\r\nAccept: */*\r\n\r\n"
        )
    );
    assert_eq!(
        text(&reqs[1]),
        format!("purge /x HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUser-Agent: {agent}\r\nAccept: */*\r\n\r\n")
    );
    assert_eq!(reqs.len(), 2);
}

#[test]
fn without_automatic_headers_exactly_the_given_headers_are_sent() {
    let server = ScriptedServer::start(vec![vec![
        Step::ReadHead,
        Step::Send(response(200, &[], b"")),
        Step::ExpectClose,
    ]]);
    let mut c = connect(server.port());
    c.set_automatic_headers(false);
    assert!(!c.automatic_headers());
    c.request(Method::Post, "/f", &["Host: h.test", "X-A: 1"], "ab")
        .unwrap();
    poll_while(&mut c, &[Status::Requesting]);
    assert_eq!(c.response_code(), 200);
    c.close();
    let reqs = server.finish();
    assert_eq!(
        text(&reqs[0]),
        "POST /f HTTP/1.1\r\nHost: h.test\r\nX-A: 1\r\nContent-Length: 2\r\n\r\nab"
    );
}
