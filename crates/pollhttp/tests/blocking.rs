//! Blocking mode: calls wait on the socket until their phase is done.

mod common;

use common::blocking_get;
use pollhttp::{HttpClient, Method, Status};
use pollhttp_testserver::{response, ScriptedServer, Step};
use std::time::Duration;

#[test]
fn blocking_mode_one_poll_per_phase_and_full_reads() {
    let body: Vec<u8> = (0..200_000u32).map(|i| i as u8).collect();
    let server = ScriptedServer::start(vec![vec![
        Step::ReadHead,
        Step::Sleep(Duration::from_millis(50)),
        Step::SendPaced {
            bytes: response(200, &[], &body),
            piece: 50_000,
            delay: Duration::from_millis(5),
        },
        Step::ExpectClose,
    ]]);
    let mut c = HttpClient::new();
    c.set_blocking_mode(true);
    assert!(c.is_blocking_mode_enabled());
    c.connect_to_host("localhost", Some(server.port()), None)
        .unwrap();
    c.poll().unwrap();
    assert_eq!(c.status(), Status::Connected, "{:?}", c.last_error());
    c.request(Method::Get, "/", &[] as &[&str], "").unwrap();
    c.poll().unwrap();
    assert_eq!(c.status(), Status::Body, "one poll() gets the whole head");
    let mut sizes = Vec::new();
    let mut got = Vec::new();
    while c.status() == Status::Body {
        let chunk = c.read_response_body_chunk();
        sizes.push(chunk.len());
        got.extend(chunk);
        assert!(sizes.len() < 100);
    }
    assert_eq!(got, body);
    assert_eq!(sizes, [65536, 65536, 65536, 3392]);
    assert_eq!(c.status(), Status::Connected);
    c.close();
    server.finish();
}

#[test]
fn a_buffer_filled_from_received_bytes_does_not_wait_for_more() {
    // Head and the first half of the body arrive together; the second half never comes
    // while the client reads. Each read of a buffer that the bytes already received can
    // fill must return at once, without waiting on the socket for bytes it has no room for.
    let full = response(200, &[], &[b'x'; 200]);
    let first = full[..full.len() - 100].to_vec();
    let server = ScriptedServer::start(vec![vec![
        Step::ReadHead,
        Step::Send(first),
        Step::ExpectClose,
    ]]);
    let mut c = HttpClient::new();
    blocking_get(&mut c, server.port());
    assert_eq!(c.status(), Status::Body, "{:?}", c.last_error());
    let mut buf = [0u8; 50];
    for _ in 0..2 {
        assert_eq!(c.read_response_body_into(&mut buf).unwrap(), 50);
        assert_eq!(buf, [b'x'; 50]);
        assert_eq!(c.status(), Status::Body, "{:?}", c.last_error());
    }
    c.close();
    // A client that waited instead would still be waiting when the server's patience for
    // the close runs out.
    let (_, errors) = server.finish_with_errors();
    assert!(errors.is_empty(), "{errors:?}");
}
