//! One thread, N keep-alive connections × M requests each, driven by a `Poller`; prints
//! requests per second and resident memory.
//!
//! ```text
//! cargo run --release --example fanout -- [CONNECTIONS=256] [REQUESTS=100] [--port PORT]
//! ```
//!
//! Without `--port` a one-thread loop server runs in this process on 127.0.0.1 (its
//! thread shares the machine with the client's; memory figures then include its small
//! per-connection state). With `--port` the server on 127.0.0.1:PORT must answer
//! `GET /echo/TEXT` with `TEXT` (the interop suite's nginx does: `scripts/interop.sh`
//! runs this example against it). Every response is checked against what the request
//! asked for; one wrong response, or one missing, ends the run with a panic (exit code
//! 101). Resident memory is read from `/proc/self/status` (Linux, and Windows programs
//! under Wine), and not printed where there is none.

use pollhttp_testserver::fleet::Fleet;
use pollhttp_testserver::loop_server::LoopServer;
use std::time::{Duration, Instant};

fn main() {
    let mut numbers = Vec::new();
    let mut port = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--port" {
            port = args.next().and_then(|p| p.parse::<u16>().ok());
        } else {
            numbers.push(
                a.parse::<usize>()
                    .expect("usage: fanout [N] [M] [--port P]"),
            );
        }
    }
    let conns = numbers.first().copied().unwrap_or(256);
    let requests = numbers.get(1).copied().unwrap_or(100);
    if let Err(why) = pollhttp_testserver::process::raise_nofile(2 * conns as u64 + 100) {
        eprintln!("warning: {why}");
    }
    // Without --port, a server in this process, kept until the end of main.
    let local = port.is_none().then(|| LoopServer::start().expect("server"));
    let port = port.or(local.as_ref().map(LoopServer::port)).unwrap_or(0);

    let rss0 = pollhttp_testserver::process::rss_kib();
    let t0 = Instant::now();
    let mut fleet = Fleet::connect(conns, "127.0.0.1", port);
    fleet.run(0, Duration::from_secs(120)).expect("connect");
    let connect_time = t0.elapsed();
    let rss1 = pollhttp_testserver::process::rss_kib();

    let t1 = Instant::now();
    fleet
        .run(requests, Duration::from_secs(600))
        .expect("requests");
    let secs = t1.elapsed().as_secs_f64();
    let rss2 = pollhttp_testserver::process::rss_kib();
    let total = fleet.responses();
    assert_eq!(total, conns * requests);

    println!(
        "{conns} connections in {:.1} ms",
        connect_time.as_secs_f64() * 1e3
    );
    println!(
        "{total} requests in {secs:.3} s: {:.0} req/s ({:.2} readiness reports per request)",
        total as f64 / secs,
        fleet.wakeups as f64 / total.max(1) as f64
    );
    if let (Some(rss0), Some(rss1), Some(rss2)) = (rss0, rss1, rss2) {
        println!(
            "resident: {rss0} KiB at start, {rss1} KiB connected, {rss2} KiB after the \
             requests ({:.2} KiB per connection)",
            rss2.saturating_sub(rss0) as f64 / conns as f64
        );
    }
    println!("all {total} responses checked");
}
