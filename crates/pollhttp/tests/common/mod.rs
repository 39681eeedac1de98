//! Shared drivers for the integration tests: bounded loops, never an endless wait.
#![allow(dead_code)]

use pollhttp::{HttpClient, Status};
use std::time::{Duration, Instant};

pub const LIMIT: Duration = Duration::from_secs(10);

/// Polls while `status` is one of `while_in`, recording every status seen (deduplicated).
pub fn poll_while(client: &mut HttpClient, while_in: &[Status]) -> Vec<Status> {
    let start = Instant::now();
    let mut trace = vec![client.status()];
    while while_in.contains(&client.status()) {
        assert!(start.elapsed() < LIMIT, "stuck in {:?}", client.status());
        let _ = client.poll();
        if trace.last() != Some(&client.status()) {
            trace.push(client.status());
        }
        if while_in.contains(&client.status()) {
            client.wait(Some(Duration::from_millis(50))).unwrap();
        }
    }
    trace
}

/// Connects to 127.0.0.1:`port` and polls until connected.
pub fn connect(port: u16) -> HttpClient {
    let mut c = HttpClient::new();
    c.connect_to_host("127.0.0.1", Some(port), None).unwrap();
    poll_while(&mut c, &[Status::Resolving, Status::Connecting]);
    assert_eq!(c.status(), Status::Connected, "{:?}", c.last_error());
    c
}

/// Sends a GET for `path` and polls until the head is in.
pub fn get(c: &mut HttpClient, path: &str) {
    c.request(pollhttp::Method::Get, path, &[] as &[&str], "")
        .unwrap();
    poll_while(c, &[Status::Requesting]);
}

/// Puts `c` in blocking mode, connects it to 127.0.0.1:`port` and sends a GET for "/",
/// each with a single `poll()`.
pub fn blocking_get(c: &mut HttpClient, port: u16) {
    c.set_blocking_mode(true);
    c.connect_to_host("127.0.0.1", Some(port), None).unwrap();
    c.poll().unwrap();
    c.request(pollhttp::Method::Get, "/", &[] as &[&str], "")
        .unwrap();
    c.poll().unwrap();
}

/// Reads the body with `read_response_body_chunk` while in BODY; returns the bytes and
/// the sizes of the pieces.
pub fn read_body(c: &mut HttpClient) -> (Vec<u8>, Vec<usize>) {
    let start = Instant::now();
    let mut body = Vec::new();
    let mut pieces = Vec::new();
    while c.status() == Status::Body {
        assert!(start.elapsed() < LIMIT, "body read stuck");
        let _ = c.poll();
        let chunk = c.read_response_body_chunk();
        if chunk.is_empty() {
            c.wait(Some(Duration::from_millis(50))).unwrap();
        } else {
            pieces.push(chunk.len());
            body.extend_from_slice(&chunk);
        }
    }
    (body, pieces)
}

/// The request head the server recorded, as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
