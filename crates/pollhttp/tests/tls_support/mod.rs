//! Support for the TLS integration tests: certificates made with rcgen at test time, an
//! in-process HTTP server over rustls (or plain TCP) on 127.0.0.1:0, and bounded drivers
//! for an [`HttpClient`] (never an endless wait).
#![allow(dead_code)]

pub mod server;

pub use pollhttp_testserver::certs;

use std::time::{Duration, Instant};

use pollhttp::{Certificates, Error, HttpClient, Method, Status, TlsOptions};

/// Guards against hangs only; no test expects to come near it.
pub const LIMIT: Duration = Duration::from_secs(20);

const TICK: Duration = Duration::from_millis(50);

/// `ca` as the client's trusted chain, parsed from its PEM as a caller would.
pub fn trusted(ca: &certs::Ca) -> Certificates {
    Certificates::from_pem(ca.pem.as_bytes()).expect("CA PEM")
}

/// The public-key pin of `leaf`, in curl's `sha256//BASE64` syntax.
pub fn pin(leaf: &certs::Leaf) -> String {
    let pins = Certificates::from_der(vec![leaf.der.to_vec()])
        .public_key_pins()
        .expect("pin of the leaf");
    pins.into_iter().next().expect("one pin")
}

/// How a connect attempt went.
#[derive(Debug)]
pub struct Connect {
    /// Every status seen, without repeats, starting with the one `connect_to_host` set.
    pub trace: Vec<Status>,
    /// What each `poll()` returned that was an error, in order.
    pub errors: Vec<Error>,
}

/// Calls `connect_to_host` and polls until the client leaves RESOLVING and CONNECTING.
pub fn connect(client: &mut HttpClient, host: &str, port: u16, tls: Option<TlsOptions>) -> Connect {
    client
        .connect_to_host(host, Some(port), tls)
        .expect("connect_to_host");
    let start = Instant::now();
    let mut trace = vec![client.status()];
    let mut errors = Vec::new();
    while matches!(client.status(), Status::Resolving | Status::Connecting) {
        assert!(start.elapsed() < LIMIT, "stuck in {:?}", client.status());
        if let Err(e) = client.poll() {
            errors.push(e);
        }
        if trace.last() != Some(&client.status()) {
            trace.push(client.status());
        }
        if matches!(client.status(), Status::Resolving | Status::Connecting) {
            client.wait(Some(TICK)).expect("wait");
        }
    }
    Connect { trace, errors }
}

/// Connects and asserts CONNECTED.
pub fn connected(host: &str, port: u16, tls: Option<TlsOptions>) -> HttpClient {
    let mut client = HttpClient::new();
    let outcome = connect(&mut client, host, port, tls);
    assert_eq!(
        client.status(),
        Status::Connected,
        "{:?} {:?}",
        outcome.trace,
        client.last_error()
    );
    client
}

/// Sends a request and polls until its head is in (BODY, or CONNECTED for a response
/// without a body).
pub fn send(client: &mut HttpClient, method: Method, path: &str, body: &[u8]) {
    client
        .request_raw(method, path, &[] as &[&str], body)
        .expect("request");
    let start = Instant::now();
    while client.status() == Status::Requesting {
        assert!(start.elapsed() < LIMIT, "no response head");
        client.poll().expect("poll while requesting");
        if client.status() == Status::Requesting {
            client.wait(Some(TICK)).expect("wait");
        }
    }
}

/// Reads the whole body with `read_response_body_chunk`.
pub fn body_by_chunks(client: &mut HttpClient) -> Vec<u8> {
    let start = Instant::now();
    let mut body = Vec::new();
    while client.status() == Status::Body {
        assert!(start.elapsed() < LIMIT, "body read stuck");
        let chunk = client.read_response_body_chunk();
        if chunk.is_empty() {
            client.wait(Some(TICK)).expect("wait");
        } else {
            body.extend_from_slice(&chunk);
        }
    }
    body
}

/// Reads the whole body with `read_response_body_into` through a buffer of `buf_len`.
pub fn body_into(client: &mut HttpClient, buf_len: usize) -> Vec<u8> {
    let start = Instant::now();
    let mut body = Vec::new();
    let mut buf = vec![0u8; buf_len];
    while client.status() == Status::Body {
        assert!(start.elapsed() < LIMIT, "body read stuck");
        let n = client
            .read_response_body_into(&mut buf)
            .expect("read_response_body_into");
        if n == 0 {
            client.wait(Some(TICK)).expect("wait");
        } else {
            body.extend_from_slice(&buf[..n]);
        }
    }
    body
}

/// GET `path` and the whole body.
pub fn get(client: &mut HttpClient, path: &str) -> Vec<u8> {
    send(client, Method::Get, path, b"");
    body_by_chunks(client)
}

/// The value of a response header (first one, name compared without case).
pub fn header(client: &HttpClient, name: &str) -> Option<String> {
    client
        .response_headers_as_dictionary()
        .into_iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}
