//! The TLS server the rounds connect to: rustls on 127.0.0.1 in one thread, one
//! connection at a time (the client makes them one after another), keep-alive HTTP/1.1
//! answering every request with the same body.

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use pollhttp::tls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use pollhttp::tls::rustls::{ServerConfig, ServerConnection, StreamOwned};
use pollhttp::TlsOptions;

/// Guards against a client that stops talking; no round comes near it.
const STALL: Duration = Duration::from_secs(10);

/// Starts serving `body` with `chain` and `key` (TLS 1.3 and 1.2, the same ring provider
/// as the client, session resumption on) and returns the port. The thread runs until the
/// process ends; `cpu`, when given, is the core it is pinned to.
pub fn start(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
    body: Vec<u8>,
    cpu: Option<usize>,
) -> io::Result<u16> {
    let config = ServerConfig::builder_with_provider(TlsOptions::default_crypto_provider())
        .with_safe_default_protocol_versions()
        .map_err(io::Error::other)?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(io::Error::other)?;
    let config = Arc::new(config);
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    let mut response = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    response.extend_from_slice(&body);
    std::thread::Builder::new()
        .name("tls-server".into())
        .spawn(move || {
            if let Some(cpu) = cpu {
                crate::pin_current_thread(cpu);
            }
            for tcp in listener.incoming() {
                let Ok(tcp) = tcp else { continue };
                if let Err(e) = serve(tcp, Arc::clone(&config), &response) {
                    eprintln!("tls-frame server: {e}");
                }
            }
        })?;
    Ok(port)
}

/// Answers requests on one connection until the client closes it.
fn serve(tcp: TcpStream, config: Arc<ServerConfig>, response: &[u8]) -> io::Result<()> {
    tcp.set_read_timeout(Some(STALL))?;
    tcp.set_write_timeout(Some(STALL))?;
    tcp.set_nodelay(true)?;
    let conn = ServerConnection::new(config).map_err(io::Error::other)?;
    let mut tls = StreamOwned::new(conn, tcp);
    let mut pending = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        while let Some(end) = head_end(&pending) {
            pending.drain(..end);
            tls.write_all(response)?;
            tls.flush()?;
        }
        match tls.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => pending.extend_from_slice(&buf[..n]),
            // A client that closes without close_notify ends the connection just as well.
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(()),
            Err(e) => return Err(e),
        }
    }
}

/// Where the first request head in `bytes` ends (requests carry no body here).
fn head_end(bytes: &[u8]) -> Option<usize> {
    bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| i + 4)
}
