//! `Poller` with HTTPS clients: the handshake's changing interest, and bodies whose bytes
//! wait decrypted inside the TLS layer while the socket is silent. The server is rustls in
//! a thread per connection, with a certificate made when the test runs.

use pollhttp::{Certificates, HttpClient, Method, Poller, Status, TlsOptions};
use pollhttp_testserver::certs::self_signed;
use rustls::pki_types::CertificateDer;
use rustls::{ServerConfig, ServerConnection, StreamOwned};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

const CLIENTS: usize = 6;
const BIG: usize = 300_000;

fn body_byte(i: usize) -> u8 {
    (i % 241) as u8
}

/// Starts a server answering `/big` with `BIG` pattern bytes and anything else with "hi";
/// returns its port and the certificate to trust.
fn start_server() -> (u16, CertificateDer<'static>) {
    let leaf = self_signed(&["127.0.0.1"]);
    let cert = leaf.der.clone();
    let provider = pollhttp::TlsOptions::default_crypto_provider();
    let config = Arc::new(
        ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(vec![cert.clone()], leaf.key())
            .unwrap(),
    );
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for _ in 0..CLIENTS {
            let Ok((tcp, _)) = listener.accept() else {
                return;
            };
            let config = Arc::clone(&config);
            std::thread::spawn(move || serve(tcp, config));
        }
    });
    (port, cert)
}

fn serve(tcp: TcpStream, config: Arc<ServerConfig>) {
    tcp.set_read_timeout(Some(Duration::from_secs(30))).ok();
    tcp.set_write_timeout(Some(Duration::from_secs(30))).ok();
    let Ok(conn) = ServerConnection::new(config) else {
        return;
    };
    let mut tls = StreamOwned::new(conn, tcp);
    let big: Vec<u8> = (0..BIG).map(body_byte).collect();
    let mut buf = Vec::new();
    let mut piece = [0u8; 4096];
    loop {
        let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
            match tls.read(&mut piece) {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&piece[..n]),
            }
            continue;
        };
        let head = String::from_utf8_lossy(&buf[..end]).into_owned();
        buf.drain(..end + 4);
        let body: &[u8] = if head.starts_with("GET /big ") {
            &big
        } else {
            b"hi"
        };
        let reply = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", body.len());
        if tls.write_all(reply.as_bytes()).is_err() || tls.write_all(body).is_err() {
            return;
        }
        let _ = tls.flush();
    }
}

#[test]
fn https_clients_through_the_poller() {
    let (port, cert) = start_server();
    let trust = Certificates::from_der(vec![cert.to_vec()]);
    let mut poller = Poller::new().unwrap();
    let mut clients = Vec::new();
    let mut tokens = Vec::new();
    for _ in 0..CLIENTS {
        let mut c = HttpClient::new();
        let tls = TlsOptions::client(Some(trust.clone()), None);
        c.connect_to_host("127.0.0.1", Some(port), Some(tls))
            .unwrap();
        tokens.push(poller.register(&c).unwrap());
        clients.push(c);
    }
    // Per client: requests sent, body bytes of the current response.
    let mut sent = vec![0usize; CLIENTS];
    let mut bodies: Vec<Vec<u8>> = vec![Vec::new(); CLIENTS];
    let mut finished = 0;
    let mut piece = vec![0u8; 16 * 1024];
    let mut ready = Vec::new();
    let end = Instant::now() + Duration::from_secs(60);
    // Each client: /big, /small, /big. One body read per report, so that decrypted bytes
    // are regularly left inside the client.
    let paths = ["/big", "/small", "/big"];
    while finished < CLIENTS {
        assert!(Instant::now() < end, "stalled: {:?}", sent);
        poller
            .poll(&mut ready, Some(Duration::from_millis(500)))
            .unwrap();
        for &t in &ready {
            let i = t.index();
            let c = &mut clients[i];
            let _ = c.poll();
            if c.status() == Status::Body {
                let n = c.read_response_body_into(&mut piece).unwrap();
                bodies[i].extend_from_slice(&piece[..n]);
            }
            match c.status() {
                Status::Connected => {
                    if sent[i] > 0 && !bodies[i].is_empty() {
                        let want: Vec<u8> = if paths[sent[i] - 1] == "/big" {
                            (0..BIG).map(body_byte).collect()
                        } else {
                            b"hi".to_vec()
                        };
                        assert!(bodies[i] == want, "client {i} request {}", sent[i]);
                        bodies[i].clear();
                    }
                    if sent[i] < paths.len() {
                        c.request(Method::Get, paths[sent[i]], &[] as &[&str], "")
                            .unwrap();
                        sent[i] += 1;
                    } else if sent[i] == paths.len() {
                        sent[i] += 1;
                        finished += 1;
                    }
                }
                Status::Connecting | Status::Requesting | Status::Body => {}
                other => panic!("client {i}: {other:?} {:?}", c.last_error()),
            }
            poller.update(t, c).unwrap();
        }
    }
}
