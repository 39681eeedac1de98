//! A small HTTP/1.1 server in threads on 127.0.0.1:0, over rustls or plain TCP, that
//! records what it saw (SNI, TLS version, requests per connection).
//!
//! Routes (GET, HEAD; POST for `/echo`):
//! - `/hello`: `hello over tls`, with `Content-Length`;
//! - `/bytes/N`: N bytes of [`pattern`], with `Content-Length`;
//! - `/chunked/N`: N bytes of [`pattern`], chunked;
//! - `/close/notify/N`, `/close/bare/N`: N bytes of [`pattern`] delimited by the end of
//!   the connection, which ends with or without TLS close_notify;
//! - `/echo`: the request body back;
//! - `/to/URL`: a `302` to `URL` (the rest of the path, as given);
//! - anything else: 404.
//!
//! Every response carries `X-Conn` (connection number, from 0) and `X-Request` (request
//! number on that connection, from 0). A request that does not start with a letter
//! (such as a TLS ClientHello sent to the plain server) gets `400` and the connection
//! closes, as a real HTTP server answers one.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::WebPkiClientVerifier;
use rustls::{ServerConfig, ServerConnection, StreamOwned, SupportedProtocolVersion};

/// Guards against hangs only; no test expects to come near it.
const STALL: Duration = Duration::from_secs(20);

/// Byte `i` of every generated body: not periodic over a TLS record or a read buffer, so
/// that a lost, repeated or reordered piece shows.
pub fn pattern(i: usize) -> u8 {
    ((i % 251) as u8) ^ ((i >> 13) as u8)
}

/// `len` bytes of [`pattern`].
pub fn pattern_bytes(len: usize) -> Vec<u8> {
    (0..len).map(pattern).collect()
}

/// One request as the server read it.
#[derive(Clone, Debug)]
pub struct RequestLog {
    pub method: String,
    pub path: String,
    pub host: Option<String>,
    pub body_len: usize,
}

/// How the client ended a connection, as the server saw it between requests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClientEnd {
    /// TLS close_notify (or, on plain TCP, the end of the stream).
    Clean,
    /// The TCP stream ended without TLS close_notify.
    NoCloseNotify,
    /// A read failed otherwise.
    Error(String),
}

/// One accepted connection.
#[derive(Clone, Debug, Default)]
pub struct ConnLog {
    pub sni: Option<String>,
    pub version: Option<rustls::ProtocolVersion>,
    /// The cipher suite agreed on.
    pub suite: Option<rustls::CipherSuite>,
    /// Why the TLS handshake failed, if it did.
    pub handshake_error: Option<String>,
    /// The client certificate the client presented (DER), if any.
    pub client_cert: Option<Vec<u8>>,
    pub requests: Vec<RequestLog>,
    /// Set when the client closed the connection between requests.
    pub client_end: Option<ClientEnd>,
}

/// What to serve: TLS with a chain and key, or plain HTTP.
pub struct Server {
    tls: Option<Arc<ServerConfig>>,
}

/// A server running in its threads.
pub struct Running {
    port: u16,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<Vec<JoinHandle<()>>>>,
    logs: Arc<Mutex<Vec<ConnLog>>>,
    sockets: Arc<Mutex<Vec<TcpStream>>>,
}

impl Server {
    /// TLS 1.2 and 1.3, presenting `chain` (leaf first) signed with `key`.
    pub fn tls(chain: Vec<CertificateDer<'static>>, key: PrivateKeyDer<'static>) -> Server {
        Server::tls_versions(
            chain,
            key,
            &[&rustls::version::TLS13, &rustls::version::TLS12],
        )
    }

    /// TLS limited to `versions`.
    pub fn tls_versions(
        chain: Vec<CertificateDer<'static>>,
        key: PrivateKeyDer<'static>,
        versions: &[&'static SupportedProtocolVersion],
    ) -> Server {
        // rustls staples nothing for an empty response.
        Server::tls_stapled(chain, key, Vec::new(), versions)
    }

    /// TLS limited to `versions`, stapling `ocsp` (as it is) to the certificate.
    pub fn tls_stapled(
        chain: Vec<CertificateDer<'static>>,
        key: PrivateKeyDer<'static>,
        ocsp: Vec<u8>,
        versions: &[&'static SupportedProtocolVersion],
    ) -> Server {
        let mut config =
            ServerConfig::builder_with_provider(pollhttp::TlsOptions::default_crypto_provider())
                .with_protocol_versions(versions)
                .expect("protocol versions")
                .with_no_client_auth()
                .with_single_cert_with_ocsp(chain, key, ocsp)
                .expect("server certificate");
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Server {
            tls: Some(Arc::new(config)),
        }
    }

    /// TLS limited to `versions` that asks for a client certificate issued by one of
    /// `client_cas`: a client without one is refused when `required`, else served.
    pub fn tls_client_auth(
        chain: Vec<CertificateDer<'static>>,
        key: PrivateKeyDer<'static>,
        versions: &[&'static SupportedProtocolVersion],
        client_cas: &[CertificateDer<'static>],
        required: bool,
    ) -> Server {
        let provider = pollhttp::TlsOptions::default_crypto_provider();
        let mut roots = rustls::RootCertStore::empty();
        for ca in client_cas {
            roots.add(ca.clone()).expect("client CA");
        }
        let builder =
            WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone());
        let verifier = if required {
            builder.build()
        } else {
            builder.allow_unauthenticated().build()
        }
        .expect("client verifier");
        let mut config = ServerConfig::builder_with_provider(provider)
            .with_protocol_versions(versions)
            .expect("protocol versions")
            .with_client_cert_verifier(verifier)
            .with_single_cert(chain, key)
            .expect("server certificate");
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Server {
            tls: Some(Arc::new(config)),
        }
    }

    /// Plain HTTP.
    pub fn plain() -> Server {
        Server { tls: None }
    }

    /// Binds 127.0.0.1:0 and serves every connection in its own thread until
    /// [`Running::finish`].
    pub fn start(self) -> Running {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let port = listener.local_addr().expect("local addr").port();
        let stop = Arc::new(AtomicBool::new(false));
        let logs = Arc::new(Mutex::new(Vec::new()));
        let sockets = Arc::new(Mutex::new(Vec::new()));
        let accept = {
            let (stop, logs, sockets) = (stop.clone(), logs.clone(), sockets.clone());
            std::thread::spawn(move || accept_loop(listener, self.tls, &stop, &logs, &sockets))
        };
        Running {
            port,
            stop,
            accept: Some(accept),
            logs,
            sockets,
        }
    }
}

impl Running {
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Stops accepting, ends every connection still open and returns what each one saw,
    /// in the order they were accepted.
    pub fn finish(mut self) -> Vec<ConnLog> {
        self.stop_threads();
        std::mem::take(&mut *self.logs.lock().expect("logs"))
    }

    fn stop_threads(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(accept) = self.accept.take() {
            let workers = accept.join().expect("accept thread");
            for s in self.sockets.lock().expect("sockets").iter() {
                let _ = s.shutdown(Shutdown::Both);
            }
            for w in workers {
                w.join().expect("connection thread");
            }
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            self.stop_threads();
        }
    }
}

fn accept_loop(
    listener: TcpListener,
    tls: Option<Arc<ServerConfig>>,
    stop: &AtomicBool,
    logs: &Arc<Mutex<Vec<ConnLog>>>,
    sockets: &Mutex<Vec<TcpStream>>,
) -> Vec<JoinHandle<()>> {
    let started = Instant::now();
    let mut workers = Vec::new();
    while !stop.load(Ordering::SeqCst) && started.elapsed() < 3 * STALL {
        match listener.accept() {
            Ok((tcp, _)) => {
                tcp.set_nonblocking(false).expect("blocking socket");
                tcp.set_read_timeout(Some(STALL)).ok();
                tcp.set_write_timeout(Some(STALL)).ok();
                tcp.set_nodelay(true).ok();
                sockets
                    .lock()
                    .expect("sockets")
                    .push(tcp.try_clone().expect("clone socket"));
                let id = {
                    let mut logs = logs.lock().expect("logs");
                    logs.push(ConnLog::default());
                    logs.len() - 1
                };
                let (tls, logs) = (tls.clone(), logs.clone());
                workers.push(std::thread::spawn(move || serve(tcp, tls, id, &logs)));
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(2))
            }
            Err(e) => panic!("accept: {e}"),
        }
    }
    workers
}

/// The connection as the HTTP side sees it.
enum Wire {
    Tls(Box<StreamOwned<ServerConnection, TcpStream>>),
    Plain(TcpStream),
}

impl Read for Wire {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Wire::Tls(s) => s.read(buf),
            Wire::Plain(s) => s.read(buf),
        }
    }
}

impl Write for Wire {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Wire::Tls(s) => s.write(buf),
            Wire::Plain(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Wire::Tls(s) => s.flush(),
            Wire::Plain(s) => s.flush(),
        }
    }
}

impl Wire {
    /// Ends the connection: close_notify first when asked (TLS only), then a TCP
    /// half-close, then reading until the client closes too, so that unread bytes never
    /// turn the close into a reset.
    fn close(self, close_notify: bool) {
        let mut tcp = match self {
            Wire::Tls(mut s) => {
                if close_notify {
                    s.conn.send_close_notify();
                    let _ = s.flush();
                }
                s.sock
            }
            Wire::Plain(s) => s,
        };
        let _ = tcp.shutdown(Shutdown::Write);
        tcp.set_read_timeout(Some(Duration::from_secs(2))).ok();
        let mut sink = [0u8; 4096];
        while matches!(tcp.read(&mut sink), Ok(n) if n > 0) {}
    }
}

fn serve(tcp: TcpStream, tls: Option<Arc<ServerConfig>>, id: usize, logs: &Mutex<Vec<ConnLog>>) {
    let wire = match tls {
        None => Wire::Plain(tcp),
        Some(config) => {
            let conn = ServerConnection::new(config).expect("server connection");
            let mut s = StreamOwned::new(conn, tcp);
            let result = handshake(&mut s);
            record(logs, id, |l| {
                l.sni = s.conn.server_name().map(str::to_owned);
                l.version = s.conn.protocol_version();
                l.suite = s.conn.negotiated_cipher_suite().map(|cs| cs.suite());
                l.handshake_error = result.as_ref().err().map(|e| e.to_string());
                l.client_cert = s
                    .conn
                    .peer_certificates()
                    .and_then(|c| c.first())
                    .map(|c| c.to_vec());
            });
            if result.is_err() {
                // The alert is sent; close without a reset, so that the client reads it
                // even when its first request is already on the way (TLS 1.3).
                let _ = s.sock.shutdown(Shutdown::Write);
                s.sock.set_read_timeout(Some(Duration::from_secs(2))).ok();
                let mut sink = [0u8; 4096];
                while matches!(s.sock.read(&mut sink), Ok(n) if n > 0) {}
                return;
            }
            Wire::Tls(Box::new(s))
        }
    };
    serve_http(wire, id, logs);
}

fn record(logs: &Mutex<Vec<ConnLog>>, id: usize, f: impl FnOnce(&mut ConnLog)) {
    f(&mut logs.lock().expect("logs")[id]);
}

fn handshake(s: &mut StreamOwned<ServerConnection, TcpStream>) -> io::Result<()> {
    while s.conn.is_handshaking() {
        s.conn.complete_io(&mut s.sock)?;
    }
    while s.conn.wants_write() {
        s.conn.write_tls(&mut s.sock)?;
    }
    Ok(())
}

/// A request head and body, parsed just enough for the routes.
struct Request {
    method: String,
    path: String,
    host: Option<String>,
    body: Vec<u8>,
}

/// Serves requests until the client closes or a route ends the connection.
fn serve_http(mut wire: Wire, id: usize, logs: &Mutex<Vec<ConnLog>>) {
    let mut pending = Vec::new();
    for number in 0.. {
        let end = match read_request(&mut wire, &mut pending) {
            Ok(Some(req)) => Ok(req),
            Ok(None) => Err(ClientEnd::Clean),
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Err(ClientEnd::NoCloseNotify),
            Err(e) => Err(ClientEnd::Error(e.to_string())),
        };
        let req = match end {
            Ok(req) => req,
            Err(end) => return record(logs, id, |l| l.client_end = Some(end)),
        };
        let Some(req) = req else {
            let _ = wire.write_all(
                b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
            let _ = wire.flush();
            return wire.close(true);
        };
        record(logs, id, |l| {
            l.requests.push(RequestLog {
                method: req.method.clone(),
                path: req.path.clone(),
                host: req.host.clone(),
                body_len: req.body.len(),
            })
        });
        match respond(&mut wire, &req, id, number) {
            Ok(None) => {}
            Ok(Some(close_notify)) => return wire.close(close_notify),
            Err(_) => return,
        }
    }
}

/// Reads one request. `Ok(None)`: the client closed between requests;
/// `Ok(Some(None))`: not HTTP.
fn read_request(wire: &mut Wire, pending: &mut Vec<u8>) -> io::Result<Option<Option<Request>>> {
    let mut buf = [0u8; 8192];
    let head_end = loop {
        if let Some(&first) = pending.first() {
            if !first.is_ascii_uppercase() {
                return Ok(Some(None));
            }
        }
        if let Some(pos) = pending.windows(4).position(|w| w == b"\r\n\r\n") {
            break pos + 4;
        }
        let n = wire.read(&mut buf)?;
        if n == 0 {
            return Ok(None);
        }
        pending.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&pending[..head_end]).into_owned();
    pending.drain(..head_end);
    let mut lines = head.split("\r\n");
    let mut parts = lines.next().unwrap_or_default().split(' ');
    let method = parts.next().unwrap_or_default().to_string();
    let path = parts.next().unwrap_or_default().to_string();
    let mut host = None;
    let mut body_len = 0usize;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        match name.to_ascii_lowercase().as_str() {
            "host" => host = Some(value.trim().to_string()),
            "content-length" => body_len = value.trim().parse().unwrap_or(0),
            _ => {}
        }
    }
    while pending.len() < body_len {
        let n = wire.read(&mut buf)?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        pending.extend_from_slice(&buf[..n]);
    }
    let body = pending.drain(..body_len).collect();
    Ok(Some(Some(Request {
        method,
        path,
        host,
        body,
    })))
}

/// Writes the response; `Ok(Some(close_notify))` when the connection must end after it.
fn respond(wire: &mut Wire, req: &Request, id: usize, number: usize) -> io::Result<Option<bool>> {
    let ids = format!("X-Conn: {id}\r\nX-Request: {number}\r\n");
    let head_only = req.method == "HEAD";
    let segments: Vec<&str> = req.path.trim_start_matches('/').split('/').collect();
    let size = |s: Option<&&str>| s.and_then(|s| s.parse::<usize>().ok());
    match segments.as_slice() {
        ["hello"] => send_sized(wire, "200 OK", &ids, b"hello over tls", head_only)?,
        ["echo"] if req.method == "POST" => send_sized(wire, "200 OK", &ids, &req.body, false)?,
        ["to", ..] => {
            let location = req.path.trim_start_matches("/to/");
            let ids = format!("{ids}Location: {location}\r\n");
            send_sized(wire, "302 Found", &ids, b"", head_only)?
        }
        ["bytes", n] if size(Some(n)).is_some() => {
            let len = size(Some(n)).unwrap_or(0);
            send_sized(wire, "200 OK", &ids, &pattern_bytes(len), head_only)?
        }
        ["chunked", n] if size(Some(n)).is_some() => {
            let body = pattern_bytes(size(Some(n)).unwrap_or(0));
            write!(
                wire,
                "HTTP/1.1 200 OK\r\n{ids}Transfer-Encoding: chunked\r\n\r\n"
            )?;
            // Uneven chunk sizes, so that chunk boundaries fall anywhere in a record.
            let mut rest = &body[..];
            let mut step = 1;
            while !rest.is_empty() {
                let take = rest.len().min(step);
                write!(wire, "{take:x}\r\n")?;
                wire.write_all(&rest[..take])?;
                wire.write_all(b"\r\n")?;
                rest = &rest[take..];
                step = step * 3 + 7;
            }
            wire.write_all(b"0\r\n\r\n")?;
            wire.flush()?;
        }
        ["close", how @ ("notify" | "bare"), n] if size(Some(n)).is_some() => {
            let body = pattern_bytes(size(Some(n)).unwrap_or(0));
            write!(wire, "HTTP/1.1 200 OK\r\n{ids}Connection: close\r\n\r\n")?;
            wire.write_all(&body)?;
            wire.flush()?;
            return Ok(Some(*how == "notify"));
        }
        _ => send_sized(wire, "404 Not Found", &ids, b"not found", head_only)?,
    }
    Ok(None)
}

fn send_sized(
    wire: &mut Wire,
    status: &str,
    ids: &str,
    body: &[u8],
    head_only: bool,
) -> io::Result<()> {
    write!(
        wire,
        "HTTP/1.1 {status}\r\n{ids}Content-Length: {}\r\n\r\n",
        body.len()
    )?;
    if !head_only {
        for piece in body.chunks(64 * 1024) {
            wire.write_all(piece)?;
        }
    }
    wire.flush()
}
