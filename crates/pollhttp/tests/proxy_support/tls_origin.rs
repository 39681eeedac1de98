//! A TLS origin server on 127.0.0.1 with a certificate made at test time by a CA of its
//! own: answers one HTTP request per connection and records the SNI it was sent.

use pollhttp_testserver::certs::Ca;
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
        let ca = Ca::root("pollhttp proxy test CA");
        let leaf = ca.leaf(names);
        let provider = pollhttp::TlsOptions::default_crypto_provider();
        let config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("versions")
            .with_no_client_auth()
            .with_single_cert(vec![leaf.der.clone()], leaf.key())
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
            ca_pem: ca.pem,
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
