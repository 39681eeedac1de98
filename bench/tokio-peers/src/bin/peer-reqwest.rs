//! `peer-reqwest`: reqwest's async `Client` on a tokio current_thread runtime. One
//! shared client (connection pool); fan-out is one task per connection on the same
//! single thread, the pool opening a connection for each concurrent task.
//!
//! The decode workloads (`gzip`, `br`, `zstd`) use reqwest's own decompression (its
//! `gzip`, `brotli` and `zstd` features, all three on, as a user enables them): the
//! decoded body is read chunk by chunk and counted, never held whole. Every other
//! workload turns the three off on its client, so that its requests carry no
//! `Accept-Encoding` and its bodies pass through untouched, as before the features were
//! on (the decompression layer itself stays in reqwest's stack: features are per build).

use bench_common::{check_body, die, Args, Supports, Workload};
use reqwest::header::CONNECTION;
use reqwest::Client;
use tokio::task::JoinSet;

const CLIENT: &str = "reqwest";

fn main() {
    let args = Args::from_env_for(
        CLIENT,
        Supports {
            tls: false,
            decode: true,
        },
    );
    tokio_peers::measure(CLIENT, &args, run(&args));
}

/// The client of the plain workloads: no automatic decompression.
fn client(idle_per_host: usize) -> Client {
    Client::builder()
        .no_proxy()
        .tcp_nodelay(true)
        .pool_max_idle_per_host(idle_per_host)
        .no_gzip()
        .no_brotli()
        .no_zstd()
        .build()
        .unwrap_or_else(|e| die(CLIENT, format!("client: {e}")))
}

/// The client of the decode workloads: gzip, br and zstd decoded (the builder's
/// default with the features on), `Accept-Encoding: gzip, br, zstd` sent.
fn decoding_client() -> Client {
    Client::builder()
        .no_proxy()
        .tcp_nodelay(true)
        .pool_max_idle_per_host(1)
        .gzip(true)
        .brotli(true)
        .zstd(true)
        .build()
        .unwrap_or_else(|e| die(CLIENT, format!("client: {e}")))
}

async fn run(args: &Args) -> (u64, u64, u64) {
    let url = args.target.url();
    match args.workload {
        Workload::Bulk | Workload::Seq => {
            let c = client(1);
            let mut expected = None;
            let mut bytes = 0;
            for _ in 0..args.n {
                let got = get(&c, &url, false).await;
                check_body(CLIENT, &mut expected, got);
                bytes += got;
            }
            (args.n, bytes, 1)
        }
        Workload::Newconn => {
            let c = client(0);
            let mut expected = None;
            let mut bytes = 0;
            for _ in 0..args.n {
                let got = get(&c, &url, true).await;
                check_body(CLIENT, &mut expected, got);
                bytes += got;
            }
            (args.n, bytes, args.n)
        }
        Workload::Fanout => {
            let c = client(args.conns);
            let mut set = JoinSet::new();
            for _ in 0..args.conns {
                let (c, url, n) = (c.clone(), url.clone(), args.n);
                set.spawn(async move {
                    let mut bytes = 0;
                    for _ in 0..n {
                        bytes += get(&c, &url, false).await;
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
        // The decoded length, counted chunk by chunk (`Response::chunk` yields decoded
        // data when the response carries a `Content-Encoding` the client decodes).
        Workload::Decode(_) => (1, get(&decoding_client(), &url, false).await, 1),
    }
}

/// One GET; returns the body length (decoded, when the client decodes) after reading
/// it all chunk by chunk.
async fn get(c: &Client, url: &str, close: bool) -> u64 {
    let mut req = c.get(url);
    if close {
        req = req.header(CONNECTION, "close");
    }
    let mut resp = req
        .send()
        .await
        .unwrap_or_else(|e| die(CLIENT, format!("send: {e}")));
    if resp.status() != 200 {
        die(CLIENT, format!("status {}", resp.status()));
    }
    let mut n = 0;
    while let Some(chunk) = resp
        .chunk()
        .await
        .unwrap_or_else(|e| die(CLIENT, format!("body: {e}")))
    {
        n += chunk.len() as u64;
    }
    n
}
