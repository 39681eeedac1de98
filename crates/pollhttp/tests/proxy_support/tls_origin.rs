//! A TLS origin server on 127.0.0.1 with a certificate made at test time by a CA of its
//! own: answers one HTTP request per connection and records the SNI it was sent.

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::{ServerConfig, ServerConnection, StreamOwned};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The body every request gets.
pub const BODY: &[u8] = b"hello through the tunnel";

/// A running TLS origin; its accept thread ends with the test process.
pub struct TlsOrigin {
    addr: SocketAddr,
    ca_pem: String,
    sni: Arc<Mutex<Vec<Option<String>>>>,
}

impl TlsOrigin {
    /// Serves a certificate for `names` (DNS names or IP addresses), issued by a fresh CA.
    pub fn start(names: &[&str]) -> TlsOrigin {
        let ca_key = KeyPair::generate().expect("CA key");
        let mut ca = CertificateParams::new(Vec::new()).expect("CA params");
        ca.distinguished_name
            .push(DnType::CommonName, "pollhttp proxy test CA");
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let ca_cert = ca.self_signed(&ca_key).expect("self-sign CA");
        let issuer = Issuer::new(ca, ca_key);

        let leaf_key = KeyPair::generate().expect("leaf key");
        let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        let mut leaf = CertificateParams::new(names).expect("leaf params");
        leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let leaf_cert = leaf.signed_by(&leaf_key, &issuer).expect("sign leaf");

        let chain: Vec<CertificateDer<'static>> = vec![leaf_cert.der().clone()];
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
        let provider = pollhttp::TlsOptions::default_crypto_provider();
        let config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("versions")
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .expect("server config");
        let config = Arc::new(config);

        let listener = TcpListener::bind("127.0.0.1:0").expect("bind origin");
        let addr = listener.local_addr().expect("origin addr");
        let sni = Arc::new(Mutex::new(Vec::new()));
        let seen = sni.clone();
        std::thread::spawn(move || {
            for tcp in listener.incoming() {
                let Ok(tcp) = tcp else { continue };
                let (config, seen) = (config.clone(), seen.clone());
                std::thread::spawn(move || {
                    let _ = tcp.set_read_timeout(Some(Duration::from_secs(10)));
                    let _ = tcp.set_write_timeout(Some(Duration::from_secs(10)));
                    let Ok(conn) = ServerConnection::new(config) else {
                        return;
                    };
                    let mut tls = StreamOwned::new(conn, tcp);
                    let mut head = Vec::new();
                    let mut byte = [0u8; 1024];
                    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                        match tls.read(&mut byte) {
                            Ok(0) | Err(_) => break,
                            Ok(n) => head.extend_from_slice(&byte[..n]),
                        }
                    }
                    seen.lock()
                        .unwrap()
                        .push(tls.conn.server_name().map(str::to_string));
                    if head.is_empty() {
                        return;
                    }
                    let mut reply = format!(
                        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        BODY.len()
                    )
                    .into_bytes();
                    reply.extend_from_slice(BODY);
                    let _ = tls.write_all(&reply);
                    tls.conn.send_close_notify();
                    let _ = tls.flush();
                });
            }
        });
        TlsOrigin {
            addr,
            ca_pem: ca_cert.pem(),
            sni,
        }
    }

    /// The server's port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// The issuing CA in PEM, for the client's trusted chain.
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// The SNI of every connection that got as far as a request, in order.
    pub fn sni(&self) -> Vec<Option<String>> {
        self.sni.lock().unwrap().clone()
    }
}
