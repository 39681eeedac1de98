//! Loopback tests: an in-process rustls server in a thread, our client over a
//! non-blocking `TcpStream`.

mod caller_crypto;
mod stream;
mod verification;

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use rustls::crypto::ring::sign::any_supported_type;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use rustls::{ServerConfig, ServerConnection, SupportedProtocolVersion};

use super::{TlsError, TlsHandshake, TlsOptions, TlsStream};
use crate::conn::{Interest, StreamPeer};
use pollhttp_testserver::certs::Leaf;

/// Guards against hangs only; no test expects to come near it.
const STALL: Duration = Duration::from_secs(20);

/// What the server does after its handshake.
#[derive(Clone, Debug)]
pub(crate) enum Then {
    /// Echo `n` bytes back, then close with close_notify.
    Echo(usize),
    /// Read a request line ending in "\n", answer with `payload`, then close.
    Answer {
        payload: Vec<u8>,
        close_notify: bool,
    },
    /// Send `payload` with the last record cut short, then close the TCP stream.
    Truncate(Vec<u8>),
}

/// How the server behaves.
pub(crate) struct Server {
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
    versions: Vec<&'static SupportedProtocolVersion>,
    then: Then,
}

/// What the server saw.
#[derive(Debug, Default)]
pub(crate) struct Report {
    pub(crate) sni: Option<String>,
    pub(crate) version: Option<rustls::ProtocolVersion>,
    pub(crate) suite: Option<rustls::CipherSuite>,
    pub(crate) kx_group: Option<rustls::NamedGroup>,
    pub(crate) error: Option<String>,
}

pub(crate) struct Running {
    pub(crate) addr: SocketAddr,
    handle: JoinHandle<Report>,
}

impl Running {
    pub(crate) fn report(self) -> Report {
        self.handle.join().expect("server thread")
    }
}

impl Server {
    /// A server presenting `leaf` followed by `intermediates`.
    pub(crate) fn new(leaf: &Leaf, intermediates: &[&CertificateDer<'static>]) -> Server {
        let mut chain = vec![leaf.der.clone()];
        chain.extend(intermediates.iter().map(|c| (*c).clone()));
        Server {
            chain,
            key: leaf.key(),
            versions: vec![&rustls::version::TLS13, &rustls::version::TLS12],
            then: Then::Answer {
                payload: b"hello".to_vec(),
                close_notify: true,
            },
        }
    }

    /// A server presenting `cert_of`'s certificate without holding its key (it signs
    /// with `key_of`'s key instead).
    pub(crate) fn impostor(cert_of: &Leaf, key_of: &Leaf) -> Server {
        let mut server = Server::new(cert_of, &[]);
        server.key = key_of.key();
        server
    }

    pub(crate) fn versions(mut self, v: &[&'static SupportedProtocolVersion]) -> Server {
        self.versions = v.to_vec();
        self
    }

    pub(crate) fn then(mut self, then: Then) -> Server {
        self.then = then;
        self
    }

    pub(crate) fn start(self) -> Running {
        let provider = crate::tls::provider::ring();
        let mut config = ServerConfig::builder_with_provider(provider)
            .with_protocol_versions(&self.versions)
            .expect("versions")
            .with_no_client_auth()
            .with_cert_resolver(Arc::new(Fixed(Arc::new(CertifiedKey::new(
                self.chain,
                any_supported_type(&self.key).expect("server key"),
            )))));
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        let config = Arc::new(config);
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        let then = self.then;
        let handle = std::thread::spawn(move || {
            let mut report = Report::default();
            let (tcp, _) = listener.accept().expect("accept");
            tcp.set_read_timeout(Some(STALL)).ok();
            tcp.set_write_timeout(Some(STALL)).ok();
            if let Err(e) = serve(tcp, config, &then, &mut report) {
                report.error = Some(e.to_string());
            }
            report
        });
        Running { addr, handle }
    }
}

/// Serves one certificate whatever the client asks, without checking that the key
/// matches it (so that an impostor can be built).
#[derive(Debug)]
struct Fixed(Arc<CertifiedKey>);

impl ResolvesServerCert for Fixed {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(Arc::clone(&self.0))
    }
}

fn serve(
    mut tcp: TcpStream,
    config: Arc<ServerConfig>,
    then: &Then,
    report: &mut Report,
) -> io::Result<()> {
    let mut conn = ServerConnection::new(config).map_err(io::Error::other)?;
    let result = handshake(&mut conn, &mut tcp);
    report.sni = conn.server_name().map(str::to_owned);
    report.version = conn.protocol_version();
    report.suite = conn.negotiated_cipher_suite().map(|cs| cs.suite());
    report.kx_group = conn.negotiated_key_exchange_group().map(|g| g.name());
    result?;
    match then {
        Then::Echo(n) => {
            let mut tls = rustls::Stream::new(&mut conn, &mut tcp);
            let mut buf = vec![0; 64 * 1024];
            let mut done = 0;
            while done < *n {
                let got = tls.read(&mut buf)?;
                if got == 0 {
                    return Err(io::ErrorKind::UnexpectedEof.into());
                }
                tls.write_all(&buf[..got])?;
                done += got;
            }
            close_with_notify(&mut conn, &mut tcp)
        }
        Then::Answer {
            payload,
            close_notify,
        } => {
            read_line(&mut conn, &mut tcp)?;
            rustls::Stream::new(&mut conn, &mut tcp).write_all(payload)?;
            if *close_notify {
                close_with_notify(&mut conn, &mut tcp)
            } else {
                TcpStream::shutdown(&tcp, std::net::Shutdown::Both)
            }
        }
        Then::Truncate(payload) => {
            read_line(&mut conn, &mut tcp)?;
            conn.writer().write_all(payload)?;
            let mut wire = Vec::new();
            while conn.wants_write() {
                conn.write_tls(&mut wire)?;
            }
            tcp.write_all(&wire[..wire.len() - 3])?;
            TcpStream::shutdown(&tcp, std::net::Shutdown::Both)
        }
    }
}

fn handshake(conn: &mut ServerConnection, tcp: &mut TcpStream) -> io::Result<()> {
    while conn.is_handshaking() {
        conn.complete_io(tcp)?;
    }
    // Flush the last flight (TLS 1.3 tickets) so the client sees a finished handshake.
    while conn.wants_write() {
        conn.write_tls(tcp)?;
    }
    Ok(())
}

fn read_line(conn: &mut ServerConnection, tcp: &mut TcpStream) -> io::Result<()> {
    let mut tls = rustls::Stream::new(conn, tcp);
    let mut byte = [0u8; 1];
    loop {
        if tls.read(&mut byte)? == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        if byte[0] == b'\n' {
            return Ok(());
        }
    }
}

fn close_with_notify(conn: &mut ServerConnection, tcp: &mut TcpStream) -> io::Result<()> {
    conn.send_close_notify();
    while conn.wants_write() {
        conn.write_tls(tcp)?;
    }
    TcpStream::shutdown(tcp, std::net::Shutdown::Both)
}

/// Connects a non-blocking TCP stream and runs our handshake to completion.
pub(crate) fn connect(
    addr: SocketAddr,
    options: &TlsOptions,
    host: &str,
) -> Result<TlsStream, TlsError> {
    let tcp = TcpStream::connect(addr).expect("connect");
    tcp.set_nonblocking(true).expect("nonblocking");
    let mut hs = TlsHandshake::start(Box::new(tcp), options, host)?;
    while !hs.poll()? {
        assert!(hs.wait(Some(STALL)).expect("wait"), "handshake stalled");
    }
    Ok(hs.into_stream())
}

/// Sends a request line and reads the answer until the stream ends.
pub(crate) fn request(tls: &mut TlsStream) -> io::Result<Vec<u8>> {
    write_all(tls, b"GET / HTTP/1.1\n")?;
    read_to_end(tls)
}

pub(crate) fn write_all(tls: &mut TlsStream, mut data: &[u8]) -> io::Result<()> {
    while !data.is_empty() {
        match tls.write(data) {
            Ok(n) => data = &data[n..],
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                assert!(tls.wait(Interest::Write, Some(STALL))?, "write stalled");
            }
            Err(e) => return Err(e),
        }
    }
    loop {
        match tls.flush() {
            Ok(()) => return Ok(()),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                assert!(tls.wait(Interest::Write, Some(STALL))?, "flush stalled");
            }
            Err(e) => return Err(e),
        }
    }
}

pub(crate) fn read_to_end(tls: &mut TlsStream) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match tls.read(&mut buf) {
            Ok(0) => return Ok(out),
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                assert!(tls.wait(Interest::Read, Some(STALL))?, "read stalled");
            }
            Err(e) => return Err(e),
        }
    }
}
