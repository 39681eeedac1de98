//! pollhttp against a real nginx on 127.0.0.1. Ignored by default: `scripts/interop.sh`
//! makes the certificates, starts nginx and runs these with `--ignored`, passing the
//! ports and paths in `POLLHTTP_INTEROP_*` variables.
//!
//! The vhosts: plain HTTP; TLS 1.2 only with an RSA leaf; TLS 1.3 only with an ECDSA leaf
//! (both sending leaf + intermediate); a leaf for another name; a leaf sent without its
//! intermediate. Every vhost serves the same files and adds `X-Tls-Protocol`
//! (`$ssl_protocol`), `X-Conn` (`$connection`) and `X-Conn-Requests`
//! (`$connection_requests`).

mod tls_support;

use std::net::TcpStream;

use pollhttp::tls::TlsHandshake;
use pollhttp::{
    Certificates, HttpClient, Method, Reason, Status, TlsErrorKind, TlsOptions, TlsVersion,
};
use tls_support::{body_by_chunks, body_into, connect, connected, get, header, send, LIMIT};

fn var(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: run scripts/interop.sh, which starts nginx and runs these tests")
    })
}

fn port(which: &str) -> u16 {
    let name = format!("POLLHTTP_INTEROP_{which}_PORT");
    let value = var(&name);
    value
        .parse()
        .unwrap_or_else(|_| panic!("{name}={value:?} is not a port"))
}

fn ca() -> Certificates {
    Certificates::from_pem_file(var("POLLHTTP_INTEROP_CA")).expect("interop CA")
}

fn trusting() -> TlsOptions {
    TlsOptions::client(Some(ca()), None)
}

/// A file nginx serves, read from its document root.
fn served(path: &str) -> Vec<u8> {
    let full = format!("{}/{path}", var("POLLHTTP_INTEROP_WWW"));
    std::fs::read(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

/// What nginx's sub_filter makes of a file under /chunked/ or /close/.
fn rewritten(path: &str) -> Vec<u8> {
    String::from_utf8(served(path))
        .expect("text file")
        .replace("MARK", "mark")
        .into_bytes()
}

/// Connects and returns the TLS error kind of the TLS_HANDSHAKE_ERROR that must follow.
fn handshake_failure(host: &str, port: u16, options: Option<TlsOptions>) -> TlsErrorKind {
    let mut client = HttpClient::new();
    let outcome = connect(&mut client, host, port, options);
    assert_eq!(client.status(), Status::TlsHandshakeError, "{outcome:?}");
    assert_eq!(outcome.errors.first().map(|e| e.godot_code()), Some(25));
    assert_eq!(client.poll().expect_err("sticky").godot_code(), 27);
    match client.last_error().map(|e| e.reason()) {
        Some(Reason::Tls(e)) => e.kind(),
        other => panic!("expected a TLS reason, got {other:?}"),
    }
}

/// GET `path` and checks a 200 with `expected` as the body.
fn get_ok(client: &mut HttpClient, path: &str, expected: &[u8]) {
    let body = get(client, path);
    assert_eq!(client.response_code(), 200, "{path}");
    assert!(body == expected, "{path}: {} bytes differ", body.len());
}

/// GET /small.txt and checks a 200 with the file as the body.
fn get_small_ok(client: &mut HttpClient) {
    get_ok(client, "/small.txt", &served("small.txt"));
}

/// A client connected to the vhost `which` by name: over TLS trusting the test CA, or
/// over plain HTTP for "PLAIN".
fn connected_to(which: &str) -> HttpClient {
    match which {
        "PLAIN" => connected("localhost", port(which), None),
        _ => connected("https://localhost", port(which), Some(trusting())),
    }
}

/// Checks that the next request goes over the connection that served the last one.
fn assert_next_request_reuses_the_connection(client: &mut HttpClient, which: &str) {
    let first = header(client, "X-Conn");
    get_small_ok(client);
    assert_eq!(header(client, "X-Conn"), first, "{which}: same connection");
}

#[test]
#[ignore = "needs nginx: run scripts/interop.sh"]
fn tls12_only_vhost_is_reached() {
    let mut client = connected_to("TLS12");
    get_small_ok(&mut client);
    assert_eq!(
        header(&client, "X-Tls-Protocol").as_deref(),
        Some("TLSv1.2")
    );
    assert_eq!(client.status(), Status::Connected);
}

#[test]
#[ignore = "needs nginx: run scripts/interop.sh"]
fn tls12_only_vhost_refuses_a_client_that_wants_tls13() {
    let options = trusting().with_min_version(TlsVersion::Tls13);
    let kind = handshake_failure("https://localhost", port("TLS12"), Some(options));
    assert_eq!(kind, TlsErrorKind::ProtocolVersion);
}

#[test]
#[ignore = "needs nginx: run scripts/interop.sh"]
fn tls13_only_vhost_is_reached() {
    let mut client = connected_to("TLS13");
    get_small_ok(&mut client);
    assert_eq!(
        header(&client, "X-Tls-Protocol").as_deref(),
        Some("TLSv1.3")
    );
}

#[test]
#[ignore = "needs nginx: run scripts/interop.sh"]
fn tls13_only_vhost_refuses_a_client_limited_to_tls12() {
    let options = trusting().with_max_version(TlsVersion::Tls12);
    let kind = handshake_failure("https://localhost", port("TLS13"), Some(options));
    assert_eq!(kind, TlsErrorKind::ProtocolVersion);
}

/// DER of the OIDs of an RSA and an EC public key, as they appear in a certificate.
const RSA_ENCRYPTION: &[u8] = &[
    0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01,
];
const EC_PUBLIC_KEY: &[u8] = &[0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
#[ignore = "needs nginx: run scripts/interop.sh"]
fn rsa_and_ecdsa_full_chains_verify_against_the_ca() {
    for (which, version, key_oid) in [
        ("TLS12", TlsVersion::Tls12, RSA_ENCRYPTION),
        ("TLS13", TlsVersion::Tls13, EC_PUBLIC_KEY),
    ] {
        let tcp = TcpStream::connect(("127.0.0.1", port(which))).expect("TCP connect");
        tcp.set_nonblocking(true).expect("non-blocking");
        let mut hs =
            TlsHandshake::start(Box::new(tcp), &trusting(), "localhost").expect("handshake start");
        while !hs.poll().unwrap_or_else(|e| panic!("{which}: {e}")) {
            assert!(hs.wait(Some(LIMIT)).expect("wait"), "{which}: stalled");
        }
        let tls = hs.into_stream();
        assert_eq!(tls.negotiated_version(), Some(version), "{which}");
        assert_eq!(tls.alpn_protocol(), Some(&b"http/1.1"[..]), "{which}");
        let chain = tls.peer_certificates().expect("peer certificates");
        assert_eq!(chain.len(), 2, "{which}: leaf and intermediate");
        let leaf = chain.iter_der().next().expect("leaf");
        assert!(contains(leaf, key_oid), "{which}: leaf key type");
        if key_oid == EC_PUBLIC_KEY {
            assert!(!contains(leaf, RSA_ENCRYPTION), "{which}: ECDSA leaf");
        }
    }
}

#[test]
#[ignore = "needs nginx: run scripts/interop.sh"]
fn certificate_for_another_name_is_a_wrong_name() {
    let kind = handshake_failure("https://localhost", port("WRONG_NAME"), Some(trusting()));
    assert_eq!(kind, TlsErrorKind::WrongName);
    // The same with a name override that the right certificate does not cover.
    let options = TlsOptions::client(Some(ca()), Some("wrong.test"));
    let kind = handshake_failure("https://127.0.0.1", port("TLS13"), Some(options));
    assert_eq!(kind, TlsErrorKind::WrongName);
}

#[test]
#[ignore = "needs nginx: run scripts/interop.sh"]
fn leaf_sent_without_its_intermediate_is_an_unknown_issuer() {
    let kind = handshake_failure("https://localhost", port("LEAF_ONLY"), Some(trusting()));
    assert_eq!(kind, TlsErrorKind::UnknownIssuer);
}

#[test]
#[ignore = "needs nginx: run scripts/interop.sh"]
fn default_roots_do_not_trust_the_test_ca() {
    let kind = handshake_failure("https://localhost", port("TLS13"), None);
    assert_eq!(kind, TlsErrorKind::UnknownIssuer);
}

#[test]
#[ignore = "needs nginx: run scripts/interop.sh"]
fn ip_address_host_matches_the_ip_entry() {
    let mut client = connected("https://127.0.0.1", port("TLS13"), Some(trusting()));
    get_small_ok(&mut client);
}

#[test]
#[ignore = "needs nginx: run scripts/interop.sh"]
fn keep_alive_over_tls_uses_one_connection() {
    for which in ["TLS12", "TLS13"] {
        let mut client = connected_to(which);
        let mut conns = Vec::new();
        for number in 1..=3 {
            get_small_ok(&mut client);
            assert_eq!(client.status(), Status::Connected, "{which}");
            conns.push(header(&client, "X-Conn").expect("X-Conn"));
            assert_eq!(
                header(&client, "X-Conn-Requests"),
                Some(number.to_string()),
                "{which}"
            );
            client.poll().expect("idle poll");
        }
        assert!(conns.iter().all(|c| *c == conns[0]), "{which}: {conns:?}");
    }
}

/// The 16 MiB file, read with `read_response_body_into`.
fn large_file(which: &str) {
    let expected = served("big.bin");
    let mut client = connected_to(which);
    send(&mut client, Method::Get, "/big.bin", b"");
    assert_eq!(client.response_code(), 200);
    assert_eq!(client.response_body_length(), expected.len() as i64);
    let body = body_into(&mut client, 256 * 1024);
    assert_eq!(body.len(), expected.len());
    assert!(body == expected, "large file differs");
    assert_eq!(client.status(), Status::Connected);
    get_small_ok(&mut client);
}

#[test]
#[ignore = "needs nginx: run scripts/interop.sh"]
fn large_static_file_over_tls() {
    large_file("TLS13");
    large_file("TLS12");
}

#[test]
#[ignore = "needs nginx: run scripts/interop.sh"]
fn large_static_file_over_plain_http() {
    large_file("PLAIN");
}

#[test]
#[ignore = "needs nginx: run scripts/interop.sh"]
fn head_gives_the_length_without_a_body() {
    for which in ["TLS13", "PLAIN"] {
        let mut client = connected_to(which);
        send(&mut client, Method::Head, "/big.bin", b"");
        assert_eq!(client.response_code(), 200, "{which}");
        assert_eq!(
            header(&client, "Content-Length"),
            Some(served("big.bin").len().to_string()),
            "{which}"
        );
        assert_eq!(client.response_body_length(), 0, "{which}");
        assert_eq!(client.status(), Status::Connected, "{which}");
        assert_next_request_reuses_the_connection(&mut client, which);
    }
}

#[test]
#[ignore = "needs nginx: run scripts/interop.sh"]
fn not_found_keeps_the_connection() {
    for which in ["TLS12", "PLAIN"] {
        let mut client = connected_to(which);
        send(&mut client, Method::Get, "/missing.txt", b"");
        assert_eq!(client.response_code(), 404, "{which}");
        let page = body_by_chunks(&mut client);
        assert!(
            String::from_utf8_lossy(&page).contains("404 Not Found"),
            "{which}"
        );
        assert_eq!(client.status(), Status::Connected, "{which}");
        assert_next_request_reuses_the_connection(&mut client, which);
    }
}

#[test]
#[ignore = "needs nginx: run scripts/interop.sh"]
fn chunked_response_is_decoded() {
    for which in ["TLS13", "PLAIN"] {
        let mut client = connected_to(which);
        send(&mut client, Method::Get, "/chunked/text.txt", b"");
        assert_eq!(client.response_code(), 200, "{which}");
        assert!(client.is_response_chunked(), "{which}");
        assert_eq!(client.response_body_length(), -1, "{which}");
        let body = body_into(&mut client, 1000);
        assert!(
            body == rewritten("chunked/text.txt"),
            "{which}: body differs"
        );
        assert_eq!(client.status(), Status::Connected, "{which}");
    }
}

#[test]
#[ignore = "needs nginx: run scripts/interop.sh"]
fn close_delimited_response_ends_disconnected_with_the_full_body() {
    for which in ["TLS13", "TLS12", "PLAIN"] {
        let mut client = connected_to(which);
        send(&mut client, Method::Get, "/close/text.txt", b"");
        assert_eq!(client.response_code(), 200, "{which}");
        assert!(!client.is_response_chunked(), "{which}");
        assert_eq!(client.response_body_length(), -1, "{which}");
        let body = body_by_chunks(&mut client);
        assert!(body == rewritten("close/text.txt"), "{which}: body differs");
        assert_eq!(client.status(), Status::Disconnected, "{which}");
        assert!(client.last_error().is_none(), "{which}");
    }
}

#[test]
#[ignore = "needs nginx: run scripts/interop.sh"]
fn sessions_resume_across_clones_of_the_same_options() {
    for which in ["TLS12", "TLS13"] {
        let reused = |options: TlsOptions| {
            let mut client = connected("https://localhost", port(which), Some(options));
            get_small_ok(&mut client);
            header(&client, "X-Tls-Reused")
        };
        let options = trusting();
        assert_eq!(
            reused(options.clone()).as_deref(),
            Some("."),
            "{which}: first"
        );
        assert_eq!(
            reused(options.clone()).as_deref(),
            Some("r"),
            "{which}: clone"
        );
        assert_eq!(
            reused(trusting()).as_deref(),
            Some("."),
            "{which}: new options"
        );
    }
}
