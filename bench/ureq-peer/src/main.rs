//! `peer-ureq`: ureq 3, blocking. Bodies are read through `Body::as_reader` into one
//! reused buffer. ureq cannot drive many connections from one thread, so fan-out runs
//! one OS thread per connection instead (reported as `mode=threads`: not the same
//! contest, and its memory figure includes the threads).

use bench_common::{check_body, die, Args, Workload};
use std::io::Read;
use ureq::Agent;

const CLIENT: &str = "ureq";
const BUF: usize = 256 * 1024;

fn main() {
    let args = Args::from_env(CLIENT);
    let url = args.target.url();
    let mode = if args.workload == Workload::Fanout {
        "threads"
    } else {
        "blocking"
    };
    bench_common::measure(CLIENT, args.workload, mode, || match args.workload {
        Workload::Bulk | Workload::Seq => {
            let a = agent(1);
            let mut buf = vec![0u8; BUF];
            let mut expected = None;
            let mut bytes = 0;
            for _ in 0..args.n {
                let got = get(&a, &url, false, &mut buf);
                check_body(CLIENT, &mut expected, got);
                bytes += got;
            }
            (args.n, bytes, 1)
        }
        Workload::Newconn => {
            let a = agent(0);
            let mut buf = vec![0u8; BUF];
            let mut expected = None;
            let mut bytes = 0;
            for _ in 0..args.n {
                let got = get(&a, &url, true, &mut buf);
                check_body(CLIENT, &mut expected, got);
                bytes += got;
            }
            (args.n, bytes, args.n)
        }
        Workload::Fanout => {
            let bytes: u64 = std::thread::scope(|s| {
                let handles: Vec<_> = (0..args.conns)
                    .map(|_| {
                        s.spawn(|| {
                            let a = agent(1);
                            let mut buf = vec![0u8; 16 * 1024];
                            (0..args.n)
                                .map(|_| get(&a, &url, false, &mut buf))
                                .sum::<u64>()
                        })
                    })
                    .collect();
                handles
                    .into_iter()
                    .map(|h| h.join().unwrap_or_else(|_| die(CLIENT, "thread panicked")))
                    .sum()
            });
            let total = args.n * args.conns as u64;
            (total, bytes, args.conns as u64)
        }
        Workload::Decode(_) => unreachable!("refused by Args::from_env"),
    });
}

fn agent(idle: usize) -> Agent {
    Agent::config_builder()
        .proxy(None)
        .http_status_as_error(false)
        .max_idle_connections(idle)
        .max_idle_connections_per_host(idle)
        .build()
        .into()
}

/// One GET; returns the body length after reading it all into `buf`.
fn get(a: &Agent, url: &str, close: bool, buf: &mut [u8]) -> u64 {
    let mut req = a.get(url);
    if close {
        req = req.header("Connection", "close");
    }
    let mut resp = req
        .call()
        .unwrap_or_else(|e| die(CLIENT, format!("call: {e}")));
    if resp.status() != 200 {
        die(CLIENT, format!("status {}", resp.status()));
    }
    let mut r = resp.body_mut().as_reader();
    let mut n = 0;
    loop {
        match r.read(buf) {
            Ok(0) => return n,
            Ok(k) => n += k as u64,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => die(CLIENT, format!("body: {e}")),
        }
    }
}
