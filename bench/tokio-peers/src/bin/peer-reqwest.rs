//! `peer-reqwest`: reqwest's async `Client` on a tokio current_thread runtime. One
//! shared client (connection pool); fan-out is one task per connection on the same
//! single thread, the pool opening a connection for each concurrent task.

use bench_common::{check_body, die, Args, Workload};
use reqwest::header::CONNECTION;
use reqwest::Client;
use tokio::task::JoinSet;

const CLIENT: &str = "reqwest";

fn main() {
    let args = Args::from_env(CLIENT);
    tokio_peers::measure(CLIENT, &args, run(&args));
}

fn client(idle_per_host: usize) -> Client {
    Client::builder()
        .no_proxy()
        .tcp_nodelay(true)
        .pool_max_idle_per_host(idle_per_host)
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
    }
}

/// One GET; returns the body length after reading it all chunk by chunk.
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
