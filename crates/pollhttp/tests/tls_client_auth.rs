//! Client certificates: sent when the server asks, for RSA, ECDSA and Ed25519 keys over
//! TLS 1.2 and 1.3; a server that requires one and gets none, or refuses the one sent,
//! is TLS_HANDSHAKE_ERROR, also in TLS 1.3, where the refusal comes with the first read.

mod tls_support;

use std::time::Instant;

use pollhttp::{
    Certificates, HttpClient, HttpRequest, HttpRequestResult, Method, PrivateKey, Reason, Status,
    TlsError, TlsErrorKind, TlsOptions,
};
use rustls::version::{TLS12, TLS13};
use rustls::SupportedProtocolVersion;
use tls_support::certs::{Ca, KeyKind, Leaf};
use tls_support::server::{Running, Server};
use tls_support::{connect, connected, get, trusted, LIMIT};

const KINDS: [KeyKind; 4] = [
    KeyKind::Rsa,
    KeyKind::EcdsaP256,
    KeyKind::EcdsaP384,
    KeyKind::Ed25519,
];

const VERSIONS: [&SupportedProtocolVersion; 2] = [&TLS12, &TLS13];

struct Pki {
    server_ca: Ca,
    client_ca: Ca,
    server_leaf: Leaf,
}

fn pki() -> Pki {
    let server_ca = Ca::root("server root");
    let server_leaf = server_ca.leaf(&["localhost"]);
    Pki {
        server_ca,
        client_ca: Ca::root("client root"),
        server_leaf,
    }
}

impl Pki {
    fn server(&self, version: &'static SupportedProtocolVersion, required: bool) -> Running {
        Server::tls_client_auth(
            vec![self.server_leaf.der.clone()],
            self.server_leaf.key(),
            &[version],
            std::slice::from_ref(&self.client_ca.der),
            required,
        )
        .start()
    }

    fn trusting(&self) -> TlsOptions {
        TlsOptions::client(Some(trusted(&self.server_ca)), None)
    }

    fn presenting(&self, client: &Leaf) -> TlsOptions {
        self.trusting().with_client_certificate(
            Certificates::from_pem(client.pem.as_bytes()).expect("client certificate"),
            PrivateKey::from_pem(client.key_pem().as_bytes()).expect("client key"),
        )
    }
}

/// Connects and sends a GET; the TLS error once the client is in TLS_HANDSHAKE_ERROR,
/// and whether it got there during the connect (else with the request).
fn refused(port: u16, tls: TlsOptions) -> (TlsError, bool) {
    let mut client = HttpClient::new();
    connect(&mut client, "https://localhost", port, Some(tls));
    let in_connect = client.status() == Status::TlsHandshakeError;
    if !in_connect {
        assert_eq!(client.status(), Status::Connected);
        client
            .request_raw(Method::Get, "/hello", &[] as &[&str], b"")
            .expect("request");
        let start = Instant::now();
        while client.status() == Status::Requesting {
            assert!(start.elapsed() < LIMIT, "no answer");
            if client.poll().is_err() {
                break;
            }
            client.wait(Some(std::time::Duration::from_millis(20))).ok();
        }
    }
    assert_eq!(
        client.status(),
        Status::TlsHandshakeError,
        "{:?}",
        client.last_error()
    );
    let err = client.last_error().expect("error");
    assert_eq!(err.tls_kind(), Some(err.tls_error().unwrap().kind()));
    match err.reason() {
        Reason::Tls(e) => (e.clone(), in_connect),
        other => panic!("not a TLS reason: {other:?}"),
    }
}

#[test]
fn every_key_type_authenticates_over_tls_1_2_and_1_3() {
    let pki = pki();
    for version in VERSIONS {
        let server = pki.server(version, true);
        for kind in KINDS {
            let client = pki.client_ca.client("client.test", kind);
            let mut http = connected(
                "https://localhost",
                server.port(),
                Some(pki.presenting(&client)),
            );
            assert_eq!(get(&mut http, "/hello"), b"hello over tls", "{kind:?}");
        }
        let logs = server.finish();
        assert_eq!(logs.len(), KINDS.len());
        for log in &logs {
            assert!(log.handshake_error.is_none(), "{log:?}");
            assert!(log.client_cert.is_some(), "{log:?}");
            assert_eq!(log.version, Some(version.version));
        }
    }
}

#[test]
fn the_certificate_sent_is_the_one_configured() {
    let pki = pki();
    let client = pki.client_ca.client("client.test", KeyKind::EcdsaP256);
    let server = pki.server(&TLS13, true);
    let tls = pki.presenting(&client);
    assert_eq!(
        tls.client_certificate().map(Certificates::len),
        Some(1),
        "{tls:?}"
    );
    let mut http = connected("https://localhost", server.port(), Some(tls));
    get(&mut http, "/hello");
    drop(http);
    let logs = server.finish();
    assert_eq!(logs[0].client_cert.as_deref(), Some(client.der.as_ref()));
}

#[test]
fn a_missing_certificate_is_required_in_tls_1_2_during_the_handshake() {
    let pki = pki();
    let server = pki.server(&TLS12, true);
    let (e, in_connect) = refused(server.port(), pki.trusting());
    assert!(in_connect);
    assert_eq!(e.kind(), TlsErrorKind::ClientCertificateRequired, "{e}");
    assert!(e.detail().contains("none is configured"), "{e}");
    assert!(e.server().is_some(), "{e:?}");
}

#[test]
fn a_missing_certificate_is_required_in_tls_1_3_on_the_first_read() {
    let pki = pki();
    let server = pki.server(&TLS13, true);
    let (e, in_connect) = refused(server.port(), pki.trusting());
    assert!(!in_connect, "{e}");
    assert_eq!(e.kind(), TlsErrorKind::ClientCertificateRequired, "{e}");
    assert!(e.detail().contains("first read"), "{e}");
    assert!(e.after_handshake());
    assert!(
        e.to_string()
            .starts_with("the server requires a client certificate"),
        "{e}"
    );
}

#[test]
fn a_certificate_of_an_unknown_issuer_is_rejected_in_both_versions() {
    let pki = pki();
    let stranger = Ca::root("stranger root").client("client.test", KeyKind::EcdsaP256);
    for (version, late) in [(&TLS12, false), (&TLS13, true)] {
        let server = pki.server(version, true);
        let (e, in_connect) = refused(server.port(), pki.presenting(&stranger));
        assert_eq!(in_connect, !late);
        assert_eq!(e.kind(), TlsErrorKind::ClientCertificateRejected, "{e}");
        assert!(e.detail().contains("UnknownCA"), "{e}");
        assert_eq!(e.detail().contains("first read"), late, "{e}");
        assert_eq!(e.after_handshake(), late, "{e}");
        let logs = server.finish();
        assert!(logs[0].handshake_error.is_some(), "{logs:?}");
    }
}

#[test]
fn optional_or_no_client_authentication_needs_no_certificate() {
    let pki = pki();
    let client = pki.client_ca.client("client.test", KeyKind::Ed25519);
    for version in VERSIONS {
        // Asked but not required: served without one, and with one.
        let server = pki.server(version, false);
        let mut http = connected("https://localhost", server.port(), Some(pki.trusting()));
        assert_eq!(get(&mut http, "/hello"), b"hello over tls");
        let mut http = connected(
            "https://localhost",
            server.port(),
            Some(pki.presenting(&client)),
        );
        assert_eq!(get(&mut http, "/hello"), b"hello over tls");
        drop(http);
        let logs = server.finish();
        assert!(logs[0].client_cert.is_none() && logs[1].client_cert.is_some());
    }
    // Not asked: nothing is sent.
    let server = Server::tls(vec![pki.server_leaf.der.clone()], pki.server_leaf.key()).start();
    let mut http = connected(
        "https://localhost",
        server.port(),
        Some(pki.presenting(&client)),
    );
    assert_eq!(get(&mut http, "/hello"), b"hello over tls");
    drop(http);
    assert!(server.finish()[0].client_cert.is_none());
}

#[test]
fn a_key_that_is_not_the_certificates_is_a_configuration_error() {
    let pki = pki();
    let a = pki.client_ca.client("a.test", KeyKind::EcdsaP256);
    let b = pki.client_ca.client("b.test", KeyKind::EcdsaP256);
    let tls = pki.trusting().with_client_certificate(
        Certificates::from_pem(a.pem.as_bytes()).unwrap(),
        PrivateKey::from_pem(b.key_pem().as_bytes()).unwrap(),
    );
    let e = tls.prepare().unwrap_err();
    assert_eq!(e.kind(), TlsErrorKind::InvalidConfig, "{e}");
    assert!(e.detail().contains("not for this private key"), "{e}");
    // The same error from the connect.
    let server = pki.server(&TLS13, true);
    let mut client = HttpClient::new();
    connect(&mut client, "https://localhost", server.port(), Some(tls));
    assert_eq!(client.status(), Status::TlsHandshakeError);
    assert_eq!(
        client.last_error().and_then(|e| e.tls_kind()),
        Some(TlsErrorKind::InvalidConfig)
    );
}

#[test]
fn one_file_may_hold_the_certificate_and_its_key() {
    let pki = pki();
    let client = pki.client_ca.client("client.test", KeyKind::Rsa);
    let both = format!("{}{}", client.key_pem(), client.pem);
    let path = std::env::temp_dir().join(format!("pollhttp-client-{}.pem", std::process::id()));
    std::fs::write(&path, &both).unwrap();
    let tls = pki.trusting().with_client_certificate(
        Certificates::from_pem_file(&path).unwrap(),
        PrivateKey::from_pem_file(&path).unwrap(),
    );
    let _ = std::fs::remove_file(&path);
    let server = pki.server(&TLS12, true);
    let mut http = connected("https://localhost", server.port(), Some(tls));
    assert_eq!(get(&mut http, "/hello"), b"hello over tls");
}

#[test]
fn http_request_presents_the_client_certificate() {
    let pki = pki();
    let client = pki.client_ca.client("client.test", KeyKind::EcdsaP384);
    for version in VERSIONS {
        let server = pki.server(version, true);
        let url = format!("https://localhost:{}/hello", server.port());
        let mut http = HttpRequest::new();
        http.set_tls_options(Some(pki.presenting(&client)));
        http.request(&url, &[], Method::Get, "").unwrap();
        let done = http.wait_for_completion().expect("in progress");
        assert_eq!(done.result, HttpRequestResult::Success, "{:?}", done.error);
        assert_eq!(done.body, b"hello over tls");

        // Without it: RESULT_TLS_HANDSHAKE_ERROR, whichever way the server said no.
        http.set_tls_options(Some(pki.trusting()));
        http.request(&url, &[], Method::Get, "").unwrap();
        let done = http.wait_for_completion().expect("in progress");
        assert_eq!(
            done.result,
            HttpRequestResult::TlsHandshakeError,
            "{version:?}"
        );
        assert_eq!(
            done.error.as_ref().and_then(|e| e.tls_kind()),
            Some(TlsErrorKind::ClientCertificateRequired)
        );
    }
}
