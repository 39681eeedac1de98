//! Certificate revocation lists: revoked server and intermediate certificates, the
//! depth of the check, unknown status, expired and forged lists, and pins next to
//! lists, against an in-process rustls server with certificates and lists made at test
//! time.

mod tls_support;

use pollhttp::{
    Certificates, HttpClient, Reason, RevocationLists, Status, TlsError, TlsErrorKind, TlsOptions,
};
use tls_support::certs::{Ca, Crl, Leaf, Validity};
use tls_support::server::Server;
use tls_support::{connect, connected, get, pin, trusted};

fn lists(crls: &[&Crl]) -> RevocationLists {
    let pem: String = crls.iter().map(|c| c.pem.as_str()).collect();
    RevocationLists::from_pem(pem.as_bytes()).expect("CRL PEM")
}

fn checking(ca: &Ca, crls: &[&Crl]) -> TlsOptions {
    TlsOptions::client(Some(trusted(ca)), None).with_revocation_lists(lists(crls))
}

/// A root that signs the leaf itself.
fn direct() -> (Ca, Leaf) {
    let root = Ca::root("revocation root");
    let leaf = root.leaf(&["localhost"]);
    (root, leaf)
}

/// A root, an intermediate and a leaf of the intermediate.
fn chained() -> (Ca, Ca, Leaf) {
    let root = Ca::root("revocation root");
    let intermediate = root.intermediate("revocation intermediate");
    let leaf = intermediate.leaf(&["localhost"]);
    (root, intermediate, leaf)
}

fn serve_direct(leaf: &Leaf) -> tls_support::server::Running {
    Server::tls(vec![leaf.der.clone()], leaf.key()).start()
}

fn serve_chained(leaf: &Leaf, intermediate: &Ca) -> tls_support::server::Running {
    Server::tls(vec![leaf.der.clone(), intermediate.der.clone()], leaf.key()).start()
}

/// Connects and returns the TLS error of a failed handshake.
fn refused(port: u16, tls: TlsOptions) -> TlsError {
    let mut client = HttpClient::new();
    let outcome = connect(&mut client, "https://localhost", port, Some(tls));
    assert_eq!(
        client.status(),
        Status::TlsHandshakeError,
        "{:?}",
        outcome.trace
    );
    match client.last_error().map(|e| e.reason().clone()) {
        Some(Reason::Tls(e)) => e,
        other => panic!("not a TLS failure: {other:?}"),
    }
}

fn served(port: u16, tls: TlsOptions) {
    let mut client = connected("https://localhost", port, Some(tls));
    assert_eq!(get(&mut client, "/hello"), b"hello over tls");
}

#[test]
fn a_revoked_server_certificate_fails_the_handshake() {
    let (root, leaf) = direct();
    let server = serve_direct(&leaf);
    let e = refused(server.port(), checking(&root, &[&root.crl(&[leaf.serial])]));
    assert_eq!(e.kind(), TlsErrorKind::Revoked, "{e}");
    assert!(e.detail().contains("the server's certificate"), "{e}");
    assert!(e.to_string().starts_with("certificate is revoked: "), "{e}");
    assert!(e.rustls_error().is_some(), "{e:?}");
    // Listed also with another serial, and among lists of other issuers.
    let other = Ca::root("unrelated root");
    let tls = checking(
        &root,
        &[&other.crl(&[leaf.serial]), &root.crl(&[1, leaf.serial])],
    );
    assert_eq!(refused(server.port(), tls).kind(), TlsErrorKind::Revoked);
}

#[test]
fn a_list_without_the_certificate_lets_it_through() {
    let (root, leaf) = direct();
    let server = serve_direct(&leaf);
    let someone_else = root.leaf(&["localhost"]);
    served(
        server.port(),
        checking(&root, &[&root.crl(&[someone_else.serial])]),
    );
    served(server.port(), checking(&root, &[&root.crl(&[])]));
}

#[test]
fn a_revoked_intermediate_fails_a_whole_chain_check_only() {
    let (root, intermediate, leaf) = chained();
    let server = serve_chained(&leaf, &intermediate);
    let crls = [&root.crl(&[intermediate.serial]), &intermediate.crl(&[])];
    let e = refused(server.port(), checking(&root, &crls));
    assert_eq!(e.kind(), TlsErrorKind::Revoked, "{e}");
    assert!(e.detail().contains("an intermediate certificate"), "{e}");
    // Checking the server's certificate alone does not see it.
    served(
        server.port(),
        checking(&root, &crls).only_check_end_entity_revocation(),
    );
    // A revoked leaf under a good intermediate is found either way.
    let crls = [&root.crl(&[]), &intermediate.crl(&[leaf.serial])];
    for tls in [
        checking(&root, &crls),
        checking(&root, &crls).only_check_end_entity_revocation(),
    ] {
        let e = refused(server.port(), tls);
        assert_eq!(e.kind(), TlsErrorKind::Revoked, "{e}");
        assert!(e.detail().contains("the server's certificate"), "{e}");
    }
    served(
        server.port(),
        checking(&root, &crls[..1]).allow_unknown_revocation_status(),
    );
}

#[test]
fn unknown_status_is_denied_unless_allowed() {
    let (root, intermediate, leaf) = chained();
    let server = serve_chained(&leaf, &intermediate);
    // A list of another issuer says nothing about this chain.
    let other = Ca::root("unrelated root").crl(&[leaf.serial, intermediate.serial]);
    let e = refused(server.port(), checking(&root, &[&other]));
    assert_eq!(e.kind(), TlsErrorKind::RevocationUnknown, "{e}");
    assert!(e.detail().contains("server's certificate"), "{e}");
    assert!(
        e.detail().contains("allow_unknown_revocation_status"),
        "{e}"
    );
    served(
        server.port(),
        checking(&root, &[&other]).allow_unknown_revocation_status(),
    );

    // The intermediate's list alone: the leaf is known, the intermediate is not.
    let crls = [&intermediate.crl(&[])];
    let e = refused(server.port(), checking(&root, &crls));
    assert_eq!(e.kind(), TlsErrorKind::RevocationUnknown, "{e}");
    assert!(e.detail().contains("an intermediate certificate"), "{e}");
    served(
        server.port(),
        checking(&root, &crls).only_check_end_entity_revocation(),
    );
    served(
        server.port(),
        checking(&root, &crls).allow_unknown_revocation_status(),
    );
}

#[test]
fn an_expired_list_is_reported_unless_expiry_is_ignored() {
    let (root, leaf) = direct();
    let server = serve_direct(&leaf);
    let stale = root.crl_with(&[], Validity::Expired);
    let e = refused(server.port(), checking(&root, &[&stale]));
    assert_eq!(e.kind(), TlsErrorKind::RevocationListExpired, "{e}");
    assert!(e.detail().contains("ignore_revocation_expiration"), "{e}");
    served(
        server.port(),
        checking(&root, &[&stale]).ignore_revocation_expiration(),
    );
    // An old list that names the certificate still revokes it.
    let stale = root.crl_with(&[leaf.serial], Validity::Expired);
    let e = refused(
        server.port(),
        checking(&root, &[&stale]).ignore_revocation_expiration(),
    );
    assert_eq!(e.kind(), TlsErrorKind::Revoked, "{e}");
}

#[test]
fn a_list_signed_by_another_key_is_unusable() {
    let (root, leaf) = direct();
    let server = serve_direct(&leaf);
    // Same name as the real root, other key.
    let impostor = Ca::root("revocation root");
    let e = refused(server.port(), checking(&root, &[&impostor.crl(&[])]));
    assert_eq!(e.kind(), TlsErrorKind::BadRevocationList, "{e}");
}

#[test]
fn pins_and_lists_are_both_checked() {
    let (root, leaf) = direct();
    let server = serve_direct(&leaf);
    let good = root.crl(&[]);
    let revoking = root.crl(&[leaf.serial]);
    let pinned = |crl: &Crl, pin: &str| {
        checking(&root, &[crl])
            .with_pinned_public_keys(pin)
            .expect("pin")
    };
    let other_pin = pin(&root.leaf(&["localhost"]));
    served(server.port(), pinned(&good, &pin(&leaf)));
    let e = refused(server.port(), pinned(&good, &other_pin));
    assert_eq!(e.kind(), TlsErrorKind::PinMismatch, "{e}");
    let e = refused(server.port(), pinned(&revoking, &pin(&leaf)));
    assert_eq!(e.kind(), TlsErrorKind::Revoked, "{e}");
}

#[test]
fn unsafe_mode_with_a_chain_still_checks_revocation() {
    let root = Ca::root("revocation root");
    let leaf = root.leaf(&["elsewhere.test"]);
    let server = serve_direct(&leaf);
    let unsafe_with = |crl: &Crl| {
        TlsOptions::client_unsafe(Some(trusted(&root))).with_revocation_lists(lists(&[crl]))
    };
    // The name is not checked, revocation is.
    served(server.port(), unsafe_with(&root.crl(&[])));
    let e = refused(server.port(), unsafe_with(&root.crl(&[leaf.serial])));
    assert_eq!(e.kind(), TlsErrorKind::Revoked, "{e}");
    // The full check still fails on the name once revocation passed.
    let e = refused(server.port(), checking(&root, &[&root.crl(&[])]));
    assert_eq!(e.kind(), TlsErrorKind::WrongName, "{e}");

    // Without a chain there is nothing to check revocation on.
    let e = TlsOptions::client_unsafe(None)
        .with_revocation_lists(lists(&[&root.crl(&[])]))
        .prepare()
        .unwrap_err();
    assert_eq!(e.kind(), TlsErrorKind::InvalidConfig, "{e}");
}

#[test]
fn lists_are_read_from_pem_der_and_files() {
    let root = Ca::root("revocation root");
    let (a, b) = (root.crl(&[1]), root.crl(&[2]));
    let both = format!("{}{}", a.pem, b.pem);
    let from_pem = RevocationLists::from_pem(both.as_bytes()).expect("PEM");
    assert_eq!(from_pem.len(), 2);
    assert_eq!(
        from_pem.iter_der().collect::<Vec<_>>(),
        [a.der.as_ref(), b.der.as_ref()]
    );
    let from_der = RevocationLists::from_der(a.der.to_vec()).expect("DER");
    assert_eq!(from_der.iter_der().next(), Some(a.der.as_ref()));
    assert_eq!(
        RevocationLists::from_bytes(a.der.as_ref()).expect("DER bytes"),
        from_der
    );
    // `openssl crl -text` puts text before the block.
    let texty = format!("Certificate Revocation List (CRL):\n  ...\n{}", a.pem);
    assert_eq!(
        RevocationLists::from_bytes(texty.as_bytes()).expect("PEM bytes"),
        from_der
    );

    let dir = std::env::temp_dir();
    let pem_file = dir.join(format!("pollhttp-crl-{}.pem", std::process::id()));
    let der_file = dir.join(format!("pollhttp-crl-{}.der", std::process::id()));
    std::fs::write(&pem_file, &both).unwrap();
    std::fs::write(&der_file, a.der.as_ref()).unwrap();
    assert_eq!(RevocationLists::from_file(&pem_file).unwrap(), from_pem);
    assert_eq!(RevocationLists::from_file(&der_file).unwrap(), from_der);
    let _ = std::fs::remove_file(&pem_file);
    let _ = std::fs::remove_file(&der_file);

    for bad in [
        RevocationLists::from_pem(b"no list here"),
        RevocationLists::from_pem(root.pem.as_bytes()),
        RevocationLists::from_der(vec![0x30, 0x03, 1, 2, 3]),
        RevocationLists::from_bytes(b""),
        RevocationLists::from_file("/nonexistent/pollhttp.crl"),
    ] {
        assert_eq!(bad.unwrap_err().kind(), TlsErrorKind::InvalidConfig);
    }
    let missing = RevocationLists::from_file("/nonexistent/pollhttp.crl").unwrap_err();
    assert!(missing.io_error().is_some(), "{missing:?}");
    assert!(
        missing.detail().contains("/nonexistent/pollhttp.crl"),
        "{missing}"
    );

    // Lists add up over calls.
    let tls = TlsOptions::client(
        Some(Certificates::from_pem(root.pem.as_bytes()).unwrap()),
        None,
    )
    .with_revocation_lists(from_der.clone())
    .with_revocation_lists(from_pem);
    assert_eq!(tls.revocation_lists().map(RevocationLists::len), Some(3));
    tls.prepare().expect("usable lists");
}
