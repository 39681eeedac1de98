//! Blocking mode: calls wait on the socket until their phase is done.

mod common;

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
