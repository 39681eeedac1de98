//! Which certificates are accepted, and which check fails for the others.

use super::{connect, request, Server};
use crate::tls::pins::{format_pin, pin_of_spki};
use crate::tls::{Certificates, TlsErrorKind, TlsOptions, TlsVersion};
use pollhttp_testserver::certs::{self_signed, Ca, Curve, Validity};

fn trusting(ca: &Ca) -> Option<Certificates> {
    Some(Certificates::from_pem(ca.pem.as_bytes()).expect("CA PEM"))
}

/// Connects to a server presenting `server`, expecting the handshake to fail with `kind`.
fn expect_failure(server: Server, options: &TlsOptions, host: &str, kind: TlsErrorKind) {
    let running = server.start();
    let err = match connect(running.addr, options, host) {
        Ok(_) => panic!("handshake succeeded, expected {kind:?}"),
        Err(e) => e,
    };
    assert_eq!(err.kind(), kind, "{err}");
    let report = running.report();
    assert!(report.error.is_some(), "server should see the failure");
}

/// Connects, makes one request and checks the answer; returns what the server saw.
fn expect_success(server: Server, options: &TlsOptions, host: &str) -> super::Report {
    let running = server.start();
    let mut tls = connect(running.addr, options, host).expect("handshake");
    assert_eq!(request(&mut tls).expect("request"), b"hello");
    assert_eq!(tls.alpn_protocol(), Some(&b"http/1.1"[..]));
    drop(tls);
    let report = running.report();
    assert_eq!(report.error, None);
    report
}

#[test]
fn tls12_and_tls13_both_work() {
    let ca = Ca::root("Test Root");
    let leaf = ca.leaf(&["localhost"]);
    for (server_version, expected) in [
        (&rustls::version::TLS12, TlsVersion::Tls12),
        (&rustls::version::TLS13, TlsVersion::Tls13),
    ] {
        let running = Server::new(&leaf, &[]).versions(&[server_version]).start();
        let mut tls = connect(
            running.addr,
            &TlsOptions::client(trusting(&ca), None),
            "localhost",
        )
        .expect("handshake");
        assert_eq!(tls.negotiated_version(), Some(expected));
        assert_eq!(request(&mut tls).expect("request"), b"hello");
        let peer = tls.peer_certificates().expect("peer certificates");
        assert_eq!(peer.iter_der().next(), Some(leaf.der.as_ref()));
        drop(tls);
        assert_eq!(running.report().error, None);
    }
}

#[test]
fn expired_and_not_yet_valid_are_told_apart() {
    let ca = Ca::root("Test Root");
    let options = TlsOptions::client(trusting(&ca), None);
    let expired = ca.leaf_with(&["localhost"], Validity::Expired);
    expect_failure(
        Server::new(&expired, &[]),
        &options,
        "localhost",
        TlsErrorKind::Expired,
    );
    let early = ca.leaf_with(&["localhost"], Validity::NotYetValid);
    expect_failure(
        Server::new(&early, &[]),
        &options,
        "localhost",
        TlsErrorKind::NotYetValid,
    );
}

#[test]
fn wrong_host_is_rejected() {
    let ca = Ca::root("Test Root");
    let leaf = ca.leaf(&["localhost"]);
    let options = TlsOptions::client(trusting(&ca), None);
    expect_failure(
        Server::new(&leaf, &[]),
        &options,
        "other.test",
        TlsErrorKind::WrongName,
    );
}

#[test]
fn unknown_ca_and_self_signed_are_told_apart() {
    let ca = Ca::root("Test Root");
    let stranger = Ca::root("Other Root");
    let options = TlsOptions::client(trusting(&ca), None);
    let foreign = stranger.leaf(&["localhost"]);
    expect_failure(
        Server::new(&foreign, &[]),
        &options,
        "localhost",
        TlsErrorKind::UnknownIssuer,
    );
    let own = self_signed(&["localhost"]);
    expect_failure(
        Server::new(&own, &[]),
        &options,
        "localhost",
        TlsErrorKind::SelfSigned,
    );
    // Against the bundled Mozilla roots as well.
    expect_failure(
        Server::new(&own, &[]),
        &TlsOptions::default(),
        "localhost",
        TlsErrorKind::SelfSigned,
    );
}

#[test]
fn a_self_signed_leaf_can_be_trusted_directly() {
    let own = self_signed(&["localhost"]);
    let options = TlsOptions::client(Some(Certificates::from_der(vec![own.der.to_vec()])), None);
    expect_success(Server::new(&own, &[]), &options, "localhost");
}

#[test]
fn intermediates_must_be_sent() {
    let root = Ca::root("Test Root");
    let intermediate = root.intermediate("Test Intermediate");
    let leaf = intermediate.leaf(&["localhost"]);
    let options = TlsOptions::client(trusting(&root), None);
    expect_failure(
        Server::new(&leaf, &[]),
        &options,
        "localhost",
        TlsErrorKind::UnknownIssuer,
    );
    let report = expect_success(
        Server::new(&leaf, &[&intermediate.der]),
        &options,
        "localhost",
    );
    assert_eq!(report.sni.as_deref(), Some("localhost"));
}

#[test]
fn common_name_override_verifies_and_sends_another_name() {
    let ca = Ca::root("Test Root");
    let leaf = ca.leaf(&["service.internal"]);
    let options = TlsOptions::client(trusting(&ca), Some("service.internal"));
    assert_eq!(options.common_name_override(), Some("service.internal"));
    let report = expect_success(Server::new(&leaf, &[]), &options, "localhost");
    assert_eq!(report.sni.as_deref(), Some("service.internal"));
    // An empty override is no override (Godot's default argument).
    let options = TlsOptions::client(trusting(&ca), Some(""));
    expect_failure(
        Server::new(&leaf, &[]),
        &options,
        "localhost",
        TlsErrorKind::WrongName,
    );
}

#[test]
fn unsafe_with_a_chain_checks_the_chain_but_not_the_name() {
    let ca = Ca::root("Test Root");
    let options = TlsOptions::client_unsafe(trusting(&ca));
    assert!(options.is_unsafe_client());
    let leaf = ca.leaf(&["elsewhere.test"]);
    let report = expect_success(Server::new(&leaf, &[]), &options, "localhost");
    assert_eq!(
        report.sni.as_deref(),
        Some("localhost"),
        "SNI is sent in unsafe mode"
    );
    let foreign = Ca::root("Other Root").leaf(&["localhost"]);
    expect_failure(
        Server::new(&foreign, &[]),
        &options,
        "localhost",
        TlsErrorKind::UnknownIssuer,
    );
}

#[test]
fn unsafe_without_a_chain_accepts_anything() {
    let options = TlsOptions::client_unsafe(None);
    let stranger = Ca::root("Other Root");
    let expired = stranger.leaf_with(&["elsewhere.test"], Validity::Expired);
    expect_success(Server::new(&expired, &[]), &options, "localhost");
    expect_success(
        Server::new(&self_signed(&["x.test"]), &[]),
        &options,
        "127.0.0.1",
    );
}

#[test]
fn pins_are_checked_in_verified_mode() {
    let ca = Ca::root("Test Root");
    let leaf = ca.leaf(&["localhost"]);
    let good = format_pin(&pin_of_spki(&leaf.spki));
    assert_eq!(
        Certificates::from_der(vec![leaf.der.to_vec()])
            .public_key_pins()
            .expect("pins"),
        vec![good.clone()]
    );
    let other = format_pin(&[7; 32]);
    let options = TlsOptions::client(trusting(&ca), None)
        .with_pinned_public_keys(&format!("{other};{good}"))
        .expect("pins");
    expect_success(Server::new(&leaf, &[]), &options, "localhost");

    let options = TlsOptions::client(trusting(&ca), None)
        .with_pinned_public_keys(&other)
        .expect("pins");
    let running = Server::new(&leaf, &[]).start();
    let err = connect(running.addr, &options, "localhost").expect_err("pin mismatch");
    assert_eq!(err.kind(), TlsErrorKind::PinMismatch);
    assert!(
        err.detail().contains(&good),
        "the detail names the server's pin: {err}"
    );
    assert!(running.report().error.is_some());
}

#[test]
fn pins_are_checked_in_unsafe_mode() {
    let leaf = self_signed(&["whatever.test"]);
    let digest = pin_of_spki(&leaf.spki);
    let options = TlsOptions::client_unsafe(None).with_pin_sha256(digest);
    expect_success(Server::new(&leaf, &[]), &options, "localhost");

    let options = TlsOptions::client_unsafe(None).with_pin_sha256([0; 32]);
    expect_failure(
        Server::new(&leaf, &[]),
        &options,
        "localhost",
        TlsErrorKind::PinMismatch,
    );
}

#[test]
fn a_pinned_key_must_be_held_by_the_server() {
    let genuine = self_signed(&["localhost"]);
    let thief = self_signed(&["localhost"]);
    let server = || Server::impostor(&genuine, &thief);
    // Without pins, unsafe mode checks nothing, not even that the key matches.
    expect_success(server(), &TlsOptions::client_unsafe(None), "localhost");
    let pinned = TlsOptions::client_unsafe(None).with_pin_sha256(pin_of_spki(&genuine.spki));
    expect_failure(server(), &pinned, "localhost", TlsErrorKind::BadCertificate);
    let trusted = Certificates::from_der(vec![genuine.der.to_vec()]);
    expect_failure(
        server(),
        &TlsOptions::client(Some(trusted), None),
        "localhost",
        TlsErrorKind::BadCertificate,
    );
}

#[test]
fn ip_address_certificates_match_without_sni() {
    let ca = Ca::root("Test Root");
    let options = TlsOptions::client(trusting(&ca), None);
    let by_ip = ca.leaf(&["127.0.0.1"]);
    let report = expect_success(Server::new(&by_ip, &[]), &options, "127.0.0.1");
    assert_eq!(report.sni, None, "no SNI for an IP address");
    let by_name = ca.leaf(&["localhost"]);
    expect_failure(
        Server::new(&by_name, &[]),
        &options,
        "127.0.0.1",
        TlsErrorKind::WrongName,
    );
    let report = expect_success(Server::new(&by_name, &[]), &options, "localhost");
    assert_eq!(report.sni.as_deref(), Some("localhost"));
}

#[test]
fn version_bounds_without_overlap_fail_as_protocol_version() {
    let ca = Ca::root("Test Root");
    let leaf = ca.leaf(&["localhost"]);
    let only13 = TlsOptions::client(trusting(&ca), None).with_min_version(TlsVersion::Tls13);
    expect_failure(
        Server::new(&leaf, &[]).versions(&[&rustls::version::TLS12]),
        &only13,
        "localhost",
        TlsErrorKind::ProtocolVersion,
    );
    let only12 = TlsOptions::client(trusting(&ca), None).with_max_version(TlsVersion::Tls12);
    expect_failure(
        Server::new(&leaf, &[]).versions(&[&rustls::version::TLS13]),
        &only12,
        "localhost",
        TlsErrorKind::ProtocolVersion,
    );
}

#[test]
fn a_chain_signed_with_p384_keys_verifies() {
    let root = Ca::root_on("P-384 Root", Curve::P384);
    let intermediate = root.intermediate_on("P-384 Intermediate", Curve::P384);
    let leaf = intermediate.leaf(&["localhost"]);
    let report = expect_success(
        Server::new(&leaf, &[&intermediate.der]),
        &TlsOptions::client(trusting(&root), None),
        "localhost",
    );
    assert_eq!(report.version, Some(rustls::ProtocolVersion::TLSv1_3));
    expect_failure(
        Server::new(&leaf, &[]),
        &TlsOptions::client(trusting(&root), None),
        "localhost",
        TlsErrorKind::UnknownIssuer,
    );
}
