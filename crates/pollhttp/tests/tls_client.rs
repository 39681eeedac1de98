//! `HttpClient` end to end over TLS, against an in-process rustls HTTP server on
//! 127.0.0.1 with certificates made at test time.

mod tls_support;

use pollhttp::{Certificates, HttpClient, Method, Reason, Status, TlsErrorKind, TlsOptions};
use pollhttp::{GodotError, TlsVersion};
use rustls::version::{TLS12, TLS13};
use rustls::ProtocolVersion;
use tls_support::certs::{Ca, Leaf, Validity};
use tls_support::server::{pattern_bytes, ClientEnd, ConnLog, Server};
use tls_support::{body_by_chunks, body_into, connect, connected, get, header, pin, send, trusted};

/// A CA and a leaf for `localhost` and `127.0.0.1` signed by it.
fn pki() -> (Ca, Leaf) {
    let ca = Ca::root("pollhttp test root");
    let leaf = ca.leaf(&["localhost", "127.0.0.1"]);
    (ca, leaf)
}

fn trusting(ca: &Ca) -> TlsOptions {
    TlsOptions::client(Some(trusted(ca)), None)
}

fn serving(leaf: &Leaf) -> Server {
    Server::tls(vec![leaf.der.clone()], leaf.key())
}

/// RESOLVING first (a host name), then only CONNECTING, then `end`. One `poll()` may
/// take several steps at once (resolved, connected and, against a quick loopback server,
/// even the whole handshake), so CONNECTING need not show up between polls.
fn assert_connect_trace(trace: &[Status], end: Status) {
    assert_eq!(trace.first(), Some(&Status::Resolving), "{trace:?}");
    assert_eq!(trace.last(), Some(&end), "{trace:?}");
    let middle = &trace[1..trace.len() - 1];
    assert!(middle.iter().all(|s| *s == Status::Connecting), "{trace:?}");
}

fn only_connection(logs: &[ConnLog]) -> &ConnLog {
    assert_eq!(logs.len(), 1, "{logs:?}");
    &logs[0]
}

#[test]
fn https_localhost_goes_resolving_connecting_connected_and_serves_a_request() {
    let (ca, leaf) = pki();
    let server = serving(&leaf).start();
    let port = server.port();

    let mut client = HttpClient::new();
    let outcome = connect(&mut client, "https://localhost", port, Some(trusting(&ca)));
    assert_connect_trace(&outcome.trace, Status::Connected);
    assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);

    let body = get(&mut client, "/hello");
    assert_eq!(client.response_code(), 200);
    assert_eq!(body, b"hello over tls");
    assert_eq!(client.status(), Status::Connected);
    drop(client);

    let conn = only_connection(&server.finish()).clone();
    assert_eq!(conn.sni.as_deref(), Some("localhost"));
    assert_eq!(conn.requests.len(), 1);
    let expected_host = format!("localhost:{port}");
    assert_eq!(
        conn.requests[0].host.as_deref(),
        Some(expected_host.as_str())
    );
}

/// One exchange of each kind over a server that speaks only `version`.
fn exchanges_over(version: &'static rustls::SupportedProtocolVersion) -> ConnLog {
    let (ca, leaf) = pki();
    let server = Server::tls_versions(vec![leaf.der.clone()], leaf.key(), &[version]).start();
    let mut client = connected("https://localhost", server.port(), Some(trusting(&ca)));

    assert_eq!(get(&mut client, "/hello"), b"hello over tls");

    assert_eq!(get(&mut client, "/chunked/100000"), pattern_bytes(100_000));
    assert!(client.is_response_chunked());

    // An upload larger than what the TLS layer queues at once (64 KiB).
    let upload = pattern_bytes(300_000);
    send(&mut client, Method::Post, "/echo", &upload);
    assert_eq!(client.response_code(), 200);
    assert_eq!(client.response_body_length(), upload.len() as i64);
    assert_eq!(body_by_chunks(&mut client), upload);

    send(&mut client, Method::Get, "/missing", b"");
    assert_eq!(client.response_code(), 404);
    assert_eq!(body_by_chunks(&mut client), b"not found");
    assert_eq!(client.status(), Status::Connected);
    drop(client);
    only_connection(&server.finish()).clone()
}

#[test]
fn request_response_and_body_over_tls_1_2() {
    let conn = exchanges_over(&TLS12);
    assert_eq!(conn.version, Some(ProtocolVersion::TLSv1_2));
    assert_eq!(conn.requests.len(), 4);
    assert_eq!(conn.requests[2].body_len, 300_000);
}

#[test]
fn request_response_and_body_over_tls_1_3() {
    let conn = exchanges_over(&TLS13);
    assert_eq!(conn.version, Some(ProtocolVersion::TLSv1_3));
    assert_eq!(conn.requests.len(), 4);
    assert_eq!(conn.requests[2].body_len, 300_000);
}

#[test]
fn keep_alive_sends_three_requests_over_one_tls_connection() {
    let (ca, leaf) = pki();
    let server = serving(&leaf).start();
    let mut client = connected("https://localhost", server.port(), Some(trusting(&ca)));
    for number in 0..3 {
        let body = get(&mut client, &format!("/bytes/{}", 1000 * (number + 1)));
        assert_eq!(body, pattern_bytes(1000 * (number + 1)));
        assert_eq!(header(&client, "X-Conn").as_deref(), Some("0"));
        assert_eq!(header(&client, "X-Request"), Some(number.to_string()));
        assert_eq!(client.status(), Status::Connected);
        client
            .poll()
            .expect("idle poll on a kept-alive TLS connection");
    }
    drop(client);
    let logs = server.finish();
    let paths: Vec<&str> = only_connection(&logs)
        .requests
        .iter()
        .map(|r| r.path.as_str())
        .collect();
    assert_eq!(paths, ["/bytes/1000", "/bytes/2000", "/bytes/3000"]);
}

#[test]
fn close_ends_the_tls_connection_with_close_notify() {
    let (ca, leaf) = pki();
    let server = serving(&leaf).start();
    let mut client = connected("https://localhost", server.port(), Some(trusting(&ca)));
    assert_eq!(get(&mut client, "/hello"), b"hello over tls");
    client.close();
    assert_eq!(client.status(), Status::Disconnected);
    assert!(client.last_error().is_none());
    let logs = server.finish();
    assert_eq!(only_connection(&logs).client_end, Some(ClientEnd::Clean));
}

#[test]
fn dropping_the_client_also_sends_close_notify() {
    let (ca, leaf) = pki();
    let server = serving(&leaf).start();
    let mut client = connected("https://localhost", server.port(), Some(trusting(&ca)));
    assert_eq!(get(&mut client, "/hello"), b"hello over tls");
    drop(client);
    let logs = server.finish();
    assert_eq!(only_connection(&logs).client_end, Some(ClientEnd::Clean));
}

#[test]
fn eight_mib_body_over_tls_read_into_a_buffer() {
    const SIZE: usize = 8 * 1024 * 1024;
    let (ca, leaf) = pki();
    let server = serving(&leaf).start();
    let mut client = connected("https://localhost", server.port(), Some(trusting(&ca)));
    send(&mut client, Method::Get, &format!("/bytes/{SIZE}"), b"");
    assert_eq!(client.response_body_length(), SIZE as i64);
    let body = body_into(&mut client, 256 * 1024);
    assert_eq!(body.len(), SIZE);
    assert!(body == pattern_bytes(SIZE), "8 MiB body differs");
    assert_eq!(client.status(), Status::Connected);

    // The connection is still good for another request after the large one.
    assert_eq!(get(&mut client, "/hello"), b"hello over tls");
    drop(client);
    assert_eq!(only_connection(&server.finish()).requests.len(), 2);
}

#[test]
fn chunked_body_over_tls_read_into_a_small_buffer() {
    const SIZE: usize = 1024 * 1024 + 17;
    let (ca, leaf) = pki();
    let server = serving(&leaf).start();
    let mut client = connected("https://localhost", server.port(), Some(trusting(&ca)));
    send(&mut client, Method::Get, &format!("/chunked/{SIZE}"), b"");
    assert!(client.is_response_chunked());
    assert_eq!(client.response_body_length(), -1);
    assert!(body_into(&mut client, 1000) == pattern_bytes(SIZE));
    assert_eq!(client.status(), Status::Connected);
    drop(client);
    server.finish();
}

/// A body delimited by the end of the connection, which the server ends as `how` says.
fn close_delimited(how: &str) {
    const SIZE: usize = 300_000;
    let (ca, leaf) = pki();
    let server = serving(&leaf).start();
    let mut client = connected("https://localhost", server.port(), Some(trusting(&ca)));
    send(
        &mut client,
        Method::Get,
        &format!("/close/{how}/{SIZE}"),
        b"",
    );
    assert_eq!(client.response_code(), 200);
    assert_eq!(client.response_body_length(), -1);
    let body = body_by_chunks(&mut client);
    assert_eq!(body.len(), SIZE);
    assert!(body == pattern_bytes(SIZE), "close-delimited body differs");
    assert_eq!(client.status(), Status::Disconnected);
    assert!(client.last_error().is_none(), "{:?}", client.last_error());
    drop(client);
    server.finish();
}

#[test]
fn close_delimited_body_ending_with_close_notify() {
    close_delimited("notify");
}

#[test]
fn close_delimited_body_ending_without_close_notify() {
    close_delimited("bare");
}

/// Connects with `options` to `server` and checks Godot's failure contract: status
/// TLS_HANDSHAKE_ERROR, the failing poll() gives ERR_CANT_CONNECT, later ones
/// ERR_CONNECTION_ERROR, and `last_error()` holds the TLS error. Returns its kind.
fn handshake_failure(server: Server, host: &str, options: Option<TlsOptions>) -> TlsErrorKind {
    let server = server.start();
    let mut client = HttpClient::new();
    let outcome = connect(&mut client, host, server.port(), options);
    assert_eq!(client.status(), Status::TlsHandshakeError, "{outcome:?}");
    assert_connect_trace(&outcome.trace, Status::TlsHandshakeError);
    assert_eq!(outcome.errors.len(), 1, "{:?}", outcome.errors);
    assert_eq!(outcome.errors[0].godot(), GodotError::CantConnect);
    assert_eq!(outcome.errors[0].godot_code(), 25);
    for _ in 0..2 {
        let again = client.poll().expect_err("sticky failure");
        assert_eq!(again.godot_code(), 27, "{again}");
        assert_eq!(client.status(), Status::TlsHandshakeError);
    }
    let last = client.last_error().expect("last_error after a TLS failure");
    let Reason::Tls(tls) = last.reason() else {
        panic!("expected a TLS reason, got {last}");
    };
    assert_eq!(outcome.errors[0].reason(), last.reason());
    let kind = tls.kind();
    drop(client);
    server.finish();
    kind
}

#[test]
fn expired_certificate_fails_as_expired() {
    let ca = Ca::root("root");
    let leaf = ca.leaf_with(&["localhost"], Validity::Expired);
    let kind = handshake_failure(serving(&leaf), "https://localhost", Some(trusting(&ca)));
    assert_eq!(kind, TlsErrorKind::Expired);
}

#[test]
fn certificate_for_another_name_fails_as_wrong_name() {
    let ca = Ca::root("root");
    let leaf = ca.leaf(&["other.test"]);
    let kind = handshake_failure(serving(&leaf), "https://localhost", Some(trusting(&ca)));
    assert_eq!(kind, TlsErrorKind::WrongName);
}

#[test]
fn certificate_from_another_ca_fails_as_unknown_issuer() {
    let (_, leaf) = pki();
    let stranger = Ca::root("another root");
    let kind = handshake_failure(
        serving(&leaf),
        "https://localhost",
        Some(trusting(&stranger)),
    );
    assert_eq!(kind, TlsErrorKind::UnknownIssuer);
}

#[test]
fn full_chain_is_verified_and_a_missing_intermediate_is_an_unknown_issuer() {
    let root = Ca::root("root");
    let intermediate = root.intermediate("intermediate");
    let leaf = intermediate.leaf(&["localhost"]);

    let full = Server::tls(vec![leaf.der.clone(), intermediate.der.clone()], leaf.key()).start();
    let mut client = connected("https://localhost", full.port(), Some(trusting(&root)));
    assert_eq!(get(&mut client, "/hello"), b"hello over tls");
    drop(client);
    full.finish();

    let kind = handshake_failure(serving(&leaf), "https://localhost", Some(trusting(&root)));
    assert_eq!(kind, TlsErrorKind::UnknownIssuer);
}

#[test]
fn pinned_key_must_match() {
    let (ca, leaf) = pki();
    let other = ca.leaf(&["localhost"]);

    let server = serving(&leaf).start();
    let pinned = trusting(&ca)
        .with_pinned_public_keys(&pin(&leaf))
        .expect("pin syntax");
    let mut client = connected("https://localhost", server.port(), Some(pinned));
    assert_eq!(get(&mut client, "/hello"), b"hello over tls");
    drop(client);
    server.finish();

    let wrong_pin = trusting(&ca)
        .with_pinned_public_keys(&pin(&other))
        .expect("pin syntax");
    let kind = handshake_failure(serving(&leaf), "https://localhost", Some(wrong_pin));
    assert_eq!(kind, TlsErrorKind::PinMismatch);
}

#[test]
fn plain_http_server_on_the_tls_port_fails_as_not_tls() {
    let (ca, _) = pki();
    let kind = handshake_failure(Server::plain(), "https://localhost", Some(trusting(&ca)));
    assert_eq!(kind, TlsErrorKind::NotTls);
}

#[test]
fn no_common_version_fails_as_protocol_version() {
    let (ca, leaf) = pki();
    let only12 = Server::tls_versions(vec![leaf.der.clone()], leaf.key(), &[&TLS12]);
    let wants13 = trusting(&ca).with_min_version(TlsVersion::Tls13);
    let kind = handshake_failure(only12, "https://localhost", Some(wants13));
    assert_eq!(kind, TlsErrorKind::ProtocolVersion);
}

#[test]
fn https_prefix_without_options_uses_the_bundled_roots() {
    let (_, leaf) = pki();
    let kind = handshake_failure(serving(&leaf), "https://localhost", None);
    assert_eq!(kind, TlsErrorKind::UnknownIssuer);
}

#[test]
fn http_prefix_drops_the_tls_options() {
    let (ca, _) = pki();
    let server = Server::plain().start();
    let port = server.port();
    let mut client = connected("http://localhost", port, Some(trusting(&ca)));
    assert_eq!(get(&mut client, "/hello"), b"hello over tls");
    drop(client);
    let logs = server.finish();
    let conn = only_connection(&logs);
    assert_eq!(conn.requests.len(), 1);
    let expected_host = format!("localhost:{port}");
    assert_eq!(
        conn.requests[0].host.as_deref(),
        Some(expected_host.as_str())
    );
}

#[test]
fn ip_address_host_is_verified_against_the_ip_entry_without_sni() {
    let (ca, leaf) = pki();
    let server = serving(&leaf).start();
    let mut client = HttpClient::new();
    // No name to resolve: CONNECTING at once, for TCP and then the handshake.
    let outcome = connect(
        &mut client,
        "https://127.0.0.1",
        server.port(),
        Some(trusting(&ca)),
    );
    assert_eq!(
        outcome.trace,
        [Status::Connecting, Status::Connected],
        "{:?}",
        client.last_error()
    );
    assert_eq!(get(&mut client, "/hello"), b"hello over tls");
    drop(client);
    let logs = server.finish();
    assert_eq!(only_connection(&logs).sni, None);
}

#[test]
fn a_failed_client_connects_again_once_given_the_right_trust() {
    let (ca, leaf) = pki();
    let server = serving(&leaf).start();
    let mut client = HttpClient::new();
    connect(&mut client, "https://localhost", server.port(), None);
    assert_eq!(client.status(), Status::TlsHandshakeError);

    connect(
        &mut client,
        "https://localhost",
        server.port(),
        Some(trusting(&ca)),
    );
    assert_eq!(
        client.status(),
        Status::Connected,
        "{:?}",
        client.last_error()
    );
    assert!(client.last_error().is_none());
    assert_eq!(get(&mut client, "/hello"), b"hello over tls");
    drop(client);
    let logs = server.finish();
    assert_eq!(logs.len(), 2);
    assert!(logs[0].handshake_error.is_some(), "{logs:?}");
    assert_eq!(logs[1].requests.len(), 1);
}

#[test]
fn blocking_mode_over_tls() {
    let (ca, leaf) = pki();
    let server = serving(&leaf).start();
    let mut client = HttpClient::new();
    client.set_blocking_mode(true);
    client
        .connect_to_host(
            "https://localhost",
            Some(server.port()),
            Some(trusting(&ca)),
        )
        .expect("connect_to_host");
    client.poll().expect("blocking connect");
    assert_eq!(client.status(), Status::Connected);
    client
        .request(Method::Get, "/bytes/200000", &[] as &[&str], "")
        .expect("request");
    client.poll().expect("blocking request");
    assert_eq!(client.status(), Status::Body);
    let mut body = Vec::new();
    while client.status() == Status::Body {
        body.extend(client.read_response_body_chunk());
    }
    assert!(body == pattern_bytes(200_000));
    assert_eq!(client.status(), Status::Connected);
    drop(client);
    server.finish();
}

#[test]
fn trusted_chain_can_come_from_der() {
    let (ca, leaf) = pki();
    let server = serving(&leaf).start();
    let chain = Certificates::from_der(vec![ca.der.to_vec()]);
    let options = TlsOptions::client(Some(chain), Some("localhost"));
    // Connecting by IP address with a name override: the name is verified and sent.
    let mut client = connected("https://127.0.0.1", server.port(), Some(options));
    assert_eq!(get(&mut client, "/hello"), b"hello over tls");
    drop(client);
    let logs = server.finish();
    assert_eq!(only_connection(&logs).sni.as_deref(), Some("localhost"));
}

#[test]
fn a_callers_crypto_provider_is_what_the_client_negotiates() {
    use rustls::CipherSuite::TLS13_CHACHA20_POLY1305_SHA256 as CHACHA;
    let (ca, leaf) = pki();
    let mut provider = (*TlsOptions::default_crypto_provider()).clone();
    provider.cipher_suites.retain(|s| s.suite() == CHACHA);
    let options = trusting(&ca).with_crypto_provider(std::sync::Arc::new(provider));

    let server = serving(&leaf).start();
    let mut client = connected("https://localhost", server.port(), Some(options));
    assert_eq!(get(&mut client, "/hello"), b"hello over tls");
    drop(client);
    let conn = only_connection(&server.finish()).clone();
    assert_eq!(conn.suite, Some(CHACHA));

    // Without it the server picks its own first choice.
    let server = serving(&leaf).start();
    let mut client = connected("https://localhost", server.port(), Some(trusting(&ca)));
    assert_eq!(get(&mut client, "/hello"), b"hello over tls");
    drop(client);
    assert_ne!(only_connection(&server.finish()).suite, Some(CHACHA));
}

#[test]
fn a_callers_rustls_config_trusts_what_the_bundled_roots_do_not() {
    let (ca, leaf) = pki();
    let kind = handshake_failure(serving(&leaf), "https://localhost", None);
    assert_eq!(kind, TlsErrorKind::UnknownIssuer);

    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    roots.add(ca.der.clone()).expect("private root");
    let config = rustls::ClientConfig::builder_with_provider(TlsOptions::default_crypto_provider())
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    let options = TlsOptions::from_rustls_config(std::sync::Arc::new(config)).expect("config");
    let server = serving(&leaf).start();
    let mut client = connected("https://localhost", server.port(), Some(options));
    assert_eq!(get(&mut client, "/hello"), b"hello over tls");
    assert_eq!(client.tls_version(), Some(TlsVersion::Tls13));
    drop(client);
    assert_eq!(only_connection(&server.finish()).requests.len(), 1);
}
