//! The TLS 1.3 floor: a rustls `ClientConnection` over the blocking `TcpStream`, trusting
//! only the run's CA, so that the same minimal HTTP loop measures what TLS itself costs.

use crate::CLIENT;
use bench_common::die;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, ClientConnection, RootCertStore, StreamOwned};
use std::net::TcpStream;
use std::sync::Arc;

/// A blocking TLS stream.
pub type TlsStream = StreamOwned<ClientConnection, TcpStream>;

/// TLS 1.3 only, pollhttp's ring provider, the CA of `BENCH_CA_FILE` as the only root.
pub fn config() -> Arc<ClientConfig> {
    let path = bench_common::ca_file(CLIENT);
    let mut roots = RootCertStore::empty();
    let certs = CertificateDer::pem_file_iter(&path)
        .unwrap_or_else(|e| die(CLIENT, format!("CA file {}: {e}", path.display())));
    for cert in certs {
        let cert = cert.unwrap_or_else(|e| die(CLIENT, format!("CA file: {e}")));
        roots
            .add(cert)
            .unwrap_or_else(|e| die(CLIENT, format!("CA certificate: {e}")));
    }
    let config =
        ClientConfig::builder_with_provider(pollhttp::TlsOptions::default_crypto_provider())
            .with_protocol_versions(&[&rustls::version::TLS13])
            .unwrap_or_else(|e| die(CLIENT, format!("TLS config: {e}")))
            .with_root_certificates(roots)
            .with_no_client_auth();
    Arc::new(config)
}

/// Wraps a connected socket; the handshake completes on first use, as rustls's
/// `StreamOwned` drives it from `read`/`write`.
pub fn wrap(config: &Arc<ClientConfig>, host: &str, tcp: TcpStream) -> TlsStream {
    let name = ServerName::try_from(host.to_string())
        .unwrap_or_else(|e| die(CLIENT, format!("server name: {e}")));
    let conn = ClientConnection::new(config.clone(), name)
        .unwrap_or_else(|e| die(CLIENT, format!("TLS: {e}")));
    StreamOwned::new(conn, tcp)
}
