//! Stapled OCSP responses, made at test time by `openssl ocsp` (a responder independent
//! of pollhttp) for certificates made with rcgen, stapled by an in-process rustls
//! server: good, revoked and unknown answers, signed by the issuer, by a delegated
//! responder or by a stranger, about another certificate, missing when required.
//!
//! Needs the `openssl` command (`apt-get install openssl`; `.ci/run` installs it).

mod tls_support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use pollhttp::{HttpClient, Reason, Status, TlsError, TlsErrorKind, TlsOptions};
use rustls::version::{TLS12, TLS13};
use rustls::SupportedProtocolVersion;
use tls_support::certs::{Ca, Leaf};
use tls_support::server::Server;
use tls_support::{connect, connected, get, trusted};

/// A directory for openssl's files, removed when dropped.
struct Workdir(PathBuf);

impl Workdir {
    fn new() -> Workdir {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("pollhttp-ocsp-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("work directory");
        Workdir(dir)
    }

    fn write(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, contents).expect("write");
        path
    }
}

impl Drop for Workdir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn openssl(words: &[&str]) {
    let out = Command::new("openssl")
        .args(words)
        .output()
        .expect("openssl (apt-get install openssl)");
    assert!(
        out.status.success(),
        "openssl {words:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// What the responder's database says of a certificate.
#[derive(Clone, Copy)]
enum Entry {
    Valid,
    Revoked,
    /// Not in the database: openssl answers "unknown".
    Absent,
}

/// Who signs the response.
enum Signer<'a> {
    /// The issuer's own key.
    Issuer,
    /// A certificate the issuer made for the responder (included in the response).
    Delegated(&'a Leaf),
    /// Anyone else's key and certificate.
    Stranger(&'a Ca),
}

/// An OCSP response from `openssl ocsp` about `subject` (issued by `issuer`), whose
/// database holds `entry` for `listed`.
fn ocsp_response(
    issuer: &Ca,
    subject: &Leaf,
    listed: &Leaf,
    entry: Entry,
    signer: Signer<'_>,
) -> Vec<u8> {
    let dir = Workdir::new();
    let issuer_pem = dir.write("issuer.pem", &issuer.pem);
    let issuer_key = dir.write("issuer.key", issuer.key_pem());
    let subject_pem = dir.write("subject.pem", &subject.pem);
    let serial = format!("{:016X}", listed.serial);
    let line = match entry {
        Entry::Valid => format!("V\t491231235959Z\t\t{serial}\tunknown\t/CN=localhost\n"),
        Entry::Revoked => format!(
            "R\t491231235959Z\t200101000000Z,keyCompromise\t{serial}\tunknown\t/CN=localhost\n"
        ),
        Entry::Absent => String::new(),
    };
    let index = dir.write("index.txt", &line);
    let (signer_pem, signer_key) = match signer {
        Signer::Issuer => (issuer_pem.clone(), issuer_key.clone()),
        Signer::Delegated(responder) => (
            dir.write("responder.pem", &responder.pem),
            dir.write("responder.key", responder.key_pem()),
        ),
        Signer::Stranger(ca) => (
            dir.write("stranger.pem", &ca.pem),
            dir.write("stranger.key", ca.key_pem()),
        ),
    };
    let request = dir.0.join("request.der");
    let response = dir.0.join("response.der");
    let s = |p: &Path| p.to_str().expect("UTF-8 path").to_owned();
    let (issuer_s, subject_s, request_s) = (s(&issuer_pem), s(&subject_pem), s(&request));
    openssl(&[
        "ocsp",
        "-issuer",
        &issuer_s,
        "-cert",
        &subject_s,
        "-no_nonce",
        "-reqout",
        &request_s,
    ]);
    let (index_s, signer_s, key_s, response_s) =
        (s(&index), s(&signer_pem), s(&signer_key), s(&response));
    openssl(&[
        "ocsp",
        "-index",
        &index_s,
        "-CA",
        &issuer_s,
        "-rsigner",
        &signer_s,
        "-rkey",
        &key_s,
        "-reqin",
        &request_s,
        "-respout",
        &response_s,
        "-ndays",
        "1",
    ]);
    std::fs::read(&response).expect("OCSP response")
}

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
        ocsp_response(&self.intermediate, &self.leaf, &self.leaf, entry, signer)
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
    let staple = ocsp_response(
        &pki.intermediate,
        &sibling,
        &sibling,
        Entry::Valid,
        Signer::Issuer,
    );
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
}

/// A leaf issued by the trusted root itself: the issuer is a trust anchor, known by
/// its name and key only.
#[test]
fn a_staple_from_a_trusted_root_passes() {
    let root = Ca::root("ocsp direct root");
    let leaf = root.leaf(&["localhost"]);
    for (entry, revoked) in [(Entry::Valid, false), (Entry::Revoked, true)] {
        let staple = ocsp_response(&root, &leaf, &leaf, entry, Signer::Issuer);
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
