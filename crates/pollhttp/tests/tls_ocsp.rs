//! Stapled OCSP responses, made at test time by `openssl ocsp` (a responder independent
//! of pollhttp) for certificates made with rcgen, stapled by an in-process rustls
//! server: good, revoked and unknown answers, signed by the issuer, by a delegated
//! responder or by a stranger, about another certificate, missing when required.
//!
//! Needs the `openssl` command (`apt-get install openssl`; `.ci/run` installs it).

mod tls_support;

use pollhttp::{HttpClient, Reason, Status, TlsError, TlsErrorKind, TlsOptions};
use rustls::version::{TLS12, TLS13};
use rustls::SupportedProtocolVersion;
use tls_support::certs::{ocsp_response, Ca, Leaf, OcspEntry as Entry, OcspSigner as Signer};
use tls_support::server::Server;
use tls_support::{connect, connected, get, trusted};

/// A root, an intermediate and a leaf of the intermediate for localhost.
struct Pki {
    root: Ca,
    intermediate: Ca,
    leaf: Leaf,
}

fn pki() -> Pki {
    let root = Ca::root("ocsp root");
    let intermediate = root.intermediate("ocsp intermediate");
    let leaf = intermediate.leaf(&["localhost"]);
    Pki {
        root,
        intermediate,
        leaf,
    }
}

impl Pki {
    fn staple(&self, entry: Entry, signer: Signer<'_>) -> Vec<u8> {
        ocsp_response(&self.intermediate, &self.leaf, entry, signer)
    }

    fn serve(
        &self,
        ocsp: Vec<u8>,
        version: &'static SupportedProtocolVersion,
    ) -> tls_support::server::Running {
        let chain = vec![self.leaf.der.clone(), self.intermediate.der.clone()];
        Server::tls_stapled(chain, self.leaf.key(), ocsp, &[version]).start()
    }

    fn trusting(&self) -> TlsOptions {
        TlsOptions::client(Some(trusted(&self.root)), None)
    }
}

fn served(port: u16, tls: TlsOptions) {
    let mut client = connected("https://localhost", port, Some(tls));
    assert_eq!(get(&mut client, "/hello"), b"hello over tls");
}

fn refused(port: u16, tls: TlsOptions) -> TlsError {
    let mut client = HttpClient::new();
    let outcome = connect(&mut client, "https://localhost", port, Some(tls));
    assert_eq!(client.status(), Status::TlsHandshakeError, "{outcome:?}");
    match client.last_error().map(|e| e.reason().clone()) {
        Some(Reason::Tls(e)) => e,
        other => panic!("not a TLS failure: {other:?}"),
    }
}

#[test]
fn a_good_staple_from_the_issuer_passes_in_tls_1_2_and_1_3() {
    let pki = pki();
    let staple = pki.staple(Entry::Valid, Signer::Issuer);
    for version in [&TLS12, &TLS13] {
        let server = pki.serve(staple.clone(), version);
        served(server.port(), pki.trusting());
        served(server.port(), pki.trusting().require_ocsp_staple());
    }
}

#[test]
fn a_revoked_staple_fails_the_handshake() {
    let pki = pki();
    let staple = pki.staple(Entry::Revoked, Signer::Issuer);
    for version in [&TLS12, &TLS13] {
        let server = pki.serve(staple.clone(), version);
        let e = refused(server.port(), pki.trusting());
        assert_eq!(e.kind(), TlsErrorKind::Revoked, "{e}");
        assert!(e.detail().contains("OCSP"), "{e}");
        assert!(e.detail().contains("2020-01-01"), "{e}");
        assert!(e.detail().contains("KeyCompromise"), "{e}");
        assert!(e.from_ocsp_staple());
        // Unless staples are ignored.
        served(server.port(), pki.trusting().ignore_ocsp_staples());
    }
}

#[test]
fn an_unknown_answer_is_denied_unless_allowed() {
    let pki = pki();
    let server = pki.serve(pki.staple(Entry::Absent, Signer::Issuer), &TLS13);
    let e = refused(server.port(), pki.trusting());
    assert_eq!(e.kind(), TlsErrorKind::RevocationUnknown, "{e}");
    served(
        server.port(),
        pki.trusting().allow_unknown_revocation_status(),
    );
}

#[test]
fn a_delegated_responder_needs_the_ocsp_signing_purpose() {
    let pki = pki();
    let responder = pki.intermediate.ocsp_responder("ocsp responder");
    let server = pki.serve(
        pki.staple(Entry::Valid, Signer::Delegated(&responder)),
        &TLS13,
    );
    served(server.port(), pki.trusting());
    // The same response revoking: still believed.
    let server = pki.serve(
        pki.staple(Entry::Revoked, Signer::Delegated(&responder)),
        &TLS13,
    );
    assert_eq!(
        refused(server.port(), pki.trusting()).kind(),
        TlsErrorKind::Revoked
    );
    // A server certificate of the same issuer is no responder.
    let impostor = pki.intermediate.leaf(&["responder.test"]);
    let server = pki.serve(
        pki.staple(Entry::Valid, Signer::Delegated(&impostor)),
        &TLS13,
    );
    let e = refused(server.port(), pki.trusting());
    assert_eq!(e.kind(), TlsErrorKind::BadOcspResponse, "{e}");
    assert!(e.detail().contains("signed neither"), "{e}");
}

#[test]
fn a_staple_signed_by_a_stranger_is_bad() {
    let pki = pki();
    let stranger = Ca::root("ocsp stranger");
    // Another CA, even one with the issuer's name.
    let namesake = Ca::root("ocsp intermediate");
    for signer in [&stranger, &namesake, &pki.root] {
        let server = pki.serve(pki.staple(Entry::Valid, Signer::Stranger(signer)), &TLS13);
        let e = refused(server.port(), pki.trusting());
        assert_eq!(e.kind(), TlsErrorKind::BadOcspResponse, "{e}");
        // Revoked by a stranger is not believed either: the signature fails first.
        let server = pki.serve(pki.staple(Entry::Revoked, Signer::Stranger(signer)), &TLS13);
        let e = refused(server.port(), pki.trusting());
        assert_eq!(e.kind(), TlsErrorKind::BadOcspResponse, "{e}");
    }
}

#[test]
fn a_staple_about_another_certificate_is_bad() {
    let pki = pki();
    let sibling = pki.intermediate.leaf(&["localhost"]);
    let staple = ocsp_response(&pki.intermediate, &sibling, Entry::Valid, Signer::Issuer);
    let server = pki.serve(staple, &TLS12);
    let e = refused(server.port(), pki.trusting());
    assert_eq!(e.kind(), TlsErrorKind::BadOcspResponse, "{e}");
    assert!(
        e.detail().contains("not about the server's certificate"),
        "{e}"
    );
}

#[test]
fn garbage_is_bad_and_nothing_is_missing_when_required() {
    let pki = pki();
    let server = pki.serve(b"not an OCSP response".to_vec(), &TLS13);
    let e = refused(server.port(), pki.trusting());
    assert_eq!(e.kind(), TlsErrorKind::BadOcspResponse, "{e}");
    assert!(
        e.to_string()
            .starts_with("stapled OCSP response cannot be trusted: "),
        "{e}"
    );

    let plain = Server::tls(
        vec![pki.leaf.der.clone(), pki.intermediate.der.clone()],
        pki.leaf.key(),
    )
    .start();
    served(plain.port(), pki.trusting());
    let e = refused(plain.port(), pki.trusting().require_ocsp_staple());
    assert_eq!(e.kind(), TlsErrorKind::StapleMissing, "{e}");
    assert!(e.from_ocsp_staple());
}

/// A leaf issued by the trusted root itself: the issuer is a trust anchor, known by
/// its name and key only.
#[test]
fn a_staple_from_a_trusted_root_passes() {
    let root = Ca::root("ocsp direct root");
    let leaf = root.leaf(&["localhost"]);
    for (entry, revoked) in [(Entry::Valid, false), (Entry::Revoked, true)] {
        let staple = ocsp_response(&root, &leaf, entry, Signer::Issuer);
        let server =
            Server::tls_stapled(vec![leaf.der.clone()], leaf.key(), staple, &[&TLS13]).start();
        let tls = TlsOptions::client(Some(trusted(&root)), None);
        if revoked {
            assert_eq!(refused(server.port(), tls).kind(), TlsErrorKind::Revoked);
        } else {
            served(server.port(), tls);
        }
    }
}

/// Unsafe mode with a chain still checks the staple; without a chain it cannot.
#[test]
fn unsafe_modes_and_staples() {
    let pki = pki();
    let server = pki.serve(pki.staple(Entry::Revoked, Signer::Issuer), &TLS13);
    let chain_only = TlsOptions::client_unsafe(Some(trusted(&pki.root)));
    assert_eq!(
        refused(server.port(), chain_only).kind(),
        TlsErrorKind::Revoked
    );
    served(server.port(), TlsOptions::client_unsafe(None));
}
