//! A caller's own crypto provider or whole rustls config, over loopback handshakes.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CipherSuite, ClientConfig, DigitallySignedStruct, NamedGroup, RootCertStore};
use rustls::{ProtocolVersion, SignatureScheme};

use super::{connect, request, Server};
use crate::tls::{Certificates, TlsErrorKind, TlsOptions, TlsVersion};
use pollhttp_testserver::certs::{self_signed, Ca};

/// The default provider narrowed to one cipher suite and one key exchange group.
fn narrowed(suite: CipherSuite, group: NamedGroup) -> Arc<CryptoProvider> {
    let mut provider = (*TlsOptions::default_crypto_provider()).clone();
    provider.cipher_suites.retain(|s| s.suite() == suite);
    provider.kx_groups.retain(|g| g.name() == group);
    assert_eq!(provider.cipher_suites.len(), 1);
    assert_eq!(provider.kx_groups.len(), 1);
    Arc::new(provider)
}

fn trusting(ca: &Ca) -> Option<Certificates> {
    Some(Certificates::from_pem(ca.pem.as_bytes()).expect("CA PEM"))
}

/// Handshakes, makes one request, and returns what the server saw.
fn exchange(server: Server, options: &TlsOptions, host: &str) -> super::Report {
    let running = server.start();
    let mut tls = connect(running.addr, options, host).expect("handshake");
    assert_eq!(request(&mut tls).expect("request"), b"hello");
    drop(tls);
    let report = running.report();
    assert_eq!(report.error, None);
    report
}

#[test]
fn the_callers_provider_decides_suite_and_key_exchange() {
    let ca = Ca::root("Test Root");
    let leaf = ca.leaf(&["localhost"]);

    // The default leads with AES-128-GCM and X25519: the narrowed run must differ.
    let default = exchange(
        Server::new(&leaf, &[]),
        &TlsOptions::client(trusting(&ca), None),
        "localhost",
    );
    assert_eq!(default.suite, Some(CipherSuite::TLS13_AES_128_GCM_SHA256));
    assert_eq!(default.kx_group, Some(NamedGroup::X25519));

    let provider = narrowed(
        CipherSuite::TLS13_CHACHA20_POLY1305_SHA256,
        NamedGroup::secp256r1,
    );
    let options = TlsOptions::client(trusting(&ca), None).with_crypto_provider(provider);
    assert_eq!(options.crypto_provider().cipher_suites.len(), 1);
    let report = exchange(Server::new(&leaf, &[]), &options, "localhost");
    assert_eq!(
        report.suite,
        Some(CipherSuite::TLS13_CHACHA20_POLY1305_SHA256)
    );
    assert_eq!(report.kx_group, Some(NamedGroup::secp256r1));
    assert_eq!(report.version, Some(ProtocolVersion::TLSv1_3));
}

#[test]
fn the_callers_provider_keeps_pollhttps_checks() {
    let ca = Ca::root("Test Root");
    let leaf = ca.leaf(&["localhost"]);
    let provider = narrowed(
        CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        NamedGroup::secp384r1,
    );
    let options = TlsOptions::client(trusting(&ca), None).with_crypto_provider(provider);
    let report = exchange(Server::new(&leaf, &[]), &options, "localhost");
    assert_eq!(
        report.suite,
        Some(CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256)
    );
    assert_eq!(report.kx_group, Some(NamedGroup::secp384r1));

    let running = Server::new(&leaf, &[]).start();
    let err = connect(running.addr, &options, "127.0.0.1").expect_err("wrong name accepted");
    assert_eq!(err.kind(), TlsErrorKind::WrongName, "{err}");
    running.report();
}

#[test]
fn a_provider_without_suites_for_the_versions_is_a_config_error() {
    let tls13_only = narrowed(CipherSuite::TLS13_AES_128_GCM_SHA256, NamedGroup::X25519);
    let options = TlsOptions::client(None, None)
        .with_max_version(TlsVersion::Tls12)
        .with_crypto_provider(tls13_only);
    let err = options.prepare().expect_err("no TLS 1.2 suite");
    assert_eq!(err.kind(), TlsErrorKind::InvalidConfig, "{err}");
}

fn config_with_roots(roots: RootCertStore, alpn: &[&[u8]]) -> ClientConfig {
    let mut config = ClientConfig::builder_with_provider(TlsOptions::default_crypto_provider())
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    config
}

#[test]
fn a_rustls_config_with_its_own_roots_succeeds_where_the_default_fails() {
    let ca = Ca::root("Private Root");
    let leaf = ca.leaf(&["localhost"]);

    let running = Server::new(&leaf, &[]).start();
    let err = connect(running.addr, &TlsOptions::default(), "localhost")
        .expect_err("a private CA is not among the bundled roots");
    assert_eq!(err.kind(), TlsErrorKind::UnknownIssuer, "{err}");
    running.report();

    let mut roots = RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    roots.add(ca.der.clone()).expect("private root");
    let config = config_with_roots(roots, &[b"http/1.1"]);
    let options = TlsOptions::from_rustls_config(Arc::new(config)).expect("config");
    assert!(options.uses_rustls_config());
    let running = Server::new(&leaf, &[]).start();
    let mut tls = connect(running.addr, &options, "localhost").expect("handshake");
    assert_eq!(tls.alpn_protocol(), Some(&b"http/1.1"[..]));
    assert_eq!(request(&mut tls).expect("request"), b"hello");
    drop(tls);
    let report = running.report();
    assert_eq!(report.error, None);
    assert_eq!(report.sni.as_deref(), Some("localhost"));
}

/// Accepts any certificate and counts how often it was asked.
#[derive(Debug)]
struct CountingVerifier {
    calls: AtomicUsize,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for CountingVerifier {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

#[test]
fn a_rustls_config_brings_its_own_verifier() {
    let leaf = self_signed(&["localhost"]);
    let running = Server::new(&leaf, &[]).start();
    let err = connect(running.addr, &TlsOptions::default(), "localhost")
        .expect_err("pollhttp's verifier refuses a self-signed certificate");
    assert_eq!(err.kind(), TlsErrorKind::SelfSigned, "{err}");
    running.report();

    let provider = TlsOptions::default_crypto_provider();
    let verifier = Arc::new(CountingVerifier {
        calls: AtomicUsize::new(0),
        provider: Arc::clone(&provider),
    });
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .dangerous()
        .with_custom_certificate_verifier(verifier.clone())
        .with_no_client_auth();
    let options = TlsOptions::from_rustls_config(Arc::new(config)).expect("config");
    exchange(Server::new(&leaf, &[]), &options, "localhost");
    assert_eq!(verifier.calls.load(Ordering::SeqCst), 1);
}

#[test]
fn a_rustls_config_may_offer_only_http1_by_alpn() {
    for alpn in [&[][..], &[&b"http/1.1"[..]], &[b"http/1.1", b"http/1.0"]] {
        let config = config_with_roots(RootCertStore::empty(), alpn);
        assert!(TlsOptions::from_rustls_config(Arc::new(config)).is_ok());
    }
    for alpn in [&[&b"h2"[..], b"http/1.1"][..], &[b"http/1.1", b"h3"]] {
        let config = config_with_roots(RootCertStore::empty(), alpn);
        let err = TlsOptions::from_rustls_config(Arc::new(config)).expect_err("not HTTP/1");
        assert_eq!(err.kind(), TlsErrorKind::InvalidConfig, "{err}");
    }
}

#[test]
fn settings_a_rustls_config_would_override_are_refused() {
    let config = Arc::new(config_with_roots(RootCertStore::empty(), &[]));
    let options = TlsOptions::from_rustls_config(Arc::clone(&config)).expect("config");
    options.prepare().expect("nothing set");
    assert!(Arc::ptr_eq(
        &options.crypto_provider(),
        config.crypto_provider()
    ));

    let pins = "sha256//47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
    let err = options
        .clone()
        .with_pinned_public_keys(pins)
        .expect_err("pins");
    assert_eq!(err.kind(), TlsErrorKind::InvalidConfig, "{err}");

    let refused = [
        options.clone().with_pin_sha256([7; 32]),
        options.clone().with_min_version(TlsVersion::Tls13),
        options.clone().with_max_version(TlsVersion::Tls12),
        options.clone().with_os_roots(),
        options
            .clone()
            .with_crypto_provider(TlsOptions::default_crypto_provider()),
    ];
    for options in refused {
        let err = options
            .prepare()
            .expect_err("a setting the config overrides");
        assert_eq!(
            err.kind(),
            TlsErrorKind::InvalidConfig,
            "{options:?}: {err}"
        );
    }
}

#[test]
fn a_handshake_with_a_refused_setting_fails_before_sending() {
    let leaf = Ca::root("Test Root").leaf(&["localhost"]);
    let config = Arc::new(config_with_roots(RootCertStore::empty(), &[]));
    let options = TlsOptions::from_rustls_config(config)
        .expect("config")
        .with_pin_sha256([7; 32]);
    let running = Server::new(&leaf, &[]).start();
    let err = connect(running.addr, &options, "localhost").expect_err("a pin cannot be enforced");
    assert_eq!(err.kind(), TlsErrorKind::InvalidConfig, "{err}");
    // The server then sees the connection closed without a ClientHello.
    assert!(running.report().error.is_some());
}
