//! `peer-hyper`: hyper 1.x's low-level `client::conn::http1` on a tokio current_thread
//! runtime. One `SendRequest` per connection, its connection future spawned as a task;
//! fan-out is one task per connection on the same single thread. `https` targets go
//! through tokio-rustls (ring provider, TLS 1.3 only) trusting only the run's CA.

use bench_common::{check_body, die, Args, Scheme, Target, Workload};
use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::client::conn::http1::{self, SendRequest};
use hyper::header::{CONNECTION, HOST};
use hyper::Request;
use hyper_util::rt::TokioIo;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use std::sync::Arc;
use tokio::net::TcpStream;
use tokio::task::JoinSet;
use tokio_rustls::TlsConnector;

const CLIENT: &str = "hyper";

type Sender = SendRequest<Empty<Bytes>>;

fn main() {
    let args = Args::from_env_tls(CLIENT);
    tokio_peers::measure(CLIENT, &args, run(&args));
}

async fn run(args: &Args) -> (u64, u64, u64) {
    let t = &args.target;
    let tls = (t.scheme == Scheme::Https).then(tls_connector);
    match args.workload {
        Workload::Bulk | Workload::Seq => {
            let mut s = open(t, tls.as_ref()).await;
            let mut expected = None;
            let mut bytes = 0;
            for _ in 0..args.n {
                let got = get(&mut s, t, false).await;
                check_body(CLIENT, &mut expected, got);
                bytes += got;
            }
            (args.n, bytes, 1)
        }
        Workload::Newconn => {
            let mut expected = None;
            let mut bytes = 0;
            for _ in 0..args.n {
                let mut s = open(t, tls.as_ref()).await;
                let got = get(&mut s, t, true).await;
                check_body(CLIENT, &mut expected, got);
                bytes += got;
            }
            (args.n, bytes, args.n)
        }
        Workload::Fanout => {
            let mut set = JoinSet::new();
            for _ in 0..args.conns {
                let t = t.clone();
                let n = args.n;
                let tls = tls.clone();
                set.spawn(async move {
                    let mut s = open(&t, tls.as_ref()).await;
                    let mut bytes = 0;
                    for _ in 0..n {
                        bytes += get(&mut s, &t, false).await;
                    }
                    bytes
                });
            }
            let mut bytes = 0;
            while let Some(r) = set.join_next().await {
                bytes += r.unwrap_or_else(|e| die(CLIENT, format!("task: {e}")));
            }
            (args.n * args.conns as u64, bytes, args.conns as u64)
        }
        Workload::Decode(_) => unreachable!("refused by Args::from_env_tls"),
    }
}

/// A connector trusting only the CA of `BENCH_CA_FILE`, TLS 1.3 only.
fn tls_connector() -> TlsConnector {
    let path = bench_common::ca_file(CLIENT);
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(&path)
        .unwrap_or_else(|e| die(CLIENT, format!("CA file {}: {e}", path.display())))
    {
        let cert = cert.unwrap_or_else(|e| die(CLIENT, format!("CA file: {e}")));
        roots
            .add(cert)
            .unwrap_or_else(|e| die(CLIENT, format!("CA certificate: {e}")));
    }
    let config = rustls::ClientConfig::builder_with_provider(
        pollhttp::TlsOptions::default_crypto_provider(),
    )
    .with_protocol_versions(&[&rustls::version::TLS13])
    .unwrap_or_else(|e| die(CLIENT, format!("TLS config: {e}")))
    .with_root_certificates(roots)
    .with_no_client_auth();
    TlsConnector::from(Arc::new(config))
}

async fn open(t: &Target, tls: Option<&TlsConnector>) -> Sender {
    let addr = (t.host.as_str(), t.port);
    let tcp = TcpStream::connect(addr)
        .await
        .unwrap_or_else(|e| die(CLIENT, format!("connect: {e}")));
    tcp.set_nodelay(true)
        .unwrap_or_else(|e| die(CLIENT, format!("nodelay: {e}")));
    match tls {
        None => handshake(tcp).await,
        Some(tls) => {
            let name = ServerName::try_from(t.host.clone())
                .unwrap_or_else(|e| die(CLIENT, format!("server name: {e}")));
            let stream = tls
                .connect(name, tcp)
                .await
                .unwrap_or_else(|e| die(CLIENT, format!("TLS handshake: {e}")));
            handshake(stream).await
        }
    }
}

/// hyper's HTTP/1 handshake on an open stream; its connection future becomes a task.
async fn handshake<S>(io: S) -> Sender
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let (sender, conn) = http1::handshake(TokioIo::new(io))
        .await
        .unwrap_or_else(|e| die(CLIENT, format!("handshake: {e}")));
    tokio::spawn(async move {
        if let Err(e) = conn.await {
            die(CLIENT, format!("connection: {e}"));
        }
    });
    sender
}

/// One GET; returns the body length after reading it all (frames are dropped as they
/// come, which is hyper's way of discarding).
async fn get(s: &mut Sender, t: &Target, close: bool) -> u64 {
    s.ready()
        .await
        .unwrap_or_else(|e| die(CLIENT, format!("ready: {e}")));
    let mut req = Request::get(t.path.as_str()).header(HOST, t.authority());
    if close {
        req = req.header(CONNECTION, "close");
    }
    let req = req
        .body(Empty::new())
        .unwrap_or_else(|e| die(CLIENT, format!("request: {e}")));
    let resp = s
        .send_request(req)
        .await
        .unwrap_or_else(|e| die(CLIENT, format!("send: {e}")));
    if resp.status() != 200 {
        die(CLIENT, format!("status {}", resp.status()));
    }
    let mut body = resp.into_body();
    let mut n = 0;
    while let Some(frame) = body.frame().await {
        let frame = frame.unwrap_or_else(|e| die(CLIENT, format!("body: {e}")));
        if let Some(d) = frame.data_ref() {
            n += d.len() as u64;
        }
    }
    n
}
