//! Downloads 1 GiB (or `SIZE` bytes) from a loopback server and prints the throughput, for
//! each way of reading a body:
//!
//! ```text
//! cargo run --release --example bulk_download -- [SIZE] [--port PORT]
//! ```
//!
//! - `into 256K`: `read_response_body_into` with a 256 KiB buffer (straight from the socket);
//! - `into 4K`: the same with a 4 KiB buffer (through the client's receive buffer);
//! - `chunk`: `read_response_body_chunk` (Godot's API, 64 KiB pieces).
//!
//! The client thread's CPU time is printed too (not on Windows): on a shared machine it
//! varies far less than the wall-clock rate. Without `--port` the loop server runs in this
//! process on 127.0.0.1. The body is checked byte for byte only in its first MiB, to
//! measure the client rather than the check.

use pollhttp::{HttpClient, Method, Status};
use pollhttp_testserver::loop_server::{pattern_byte, LoopServer};
use std::time::{Duration, Instant};

fn main() {
    let mut size: u64 = 1 << 30;
    let mut port = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--port" {
            port = args.next().and_then(|p| p.parse::<u16>().ok());
        } else {
            size = a.parse().expect("usage: bulk_download [SIZE] [--port P]");
        }
    }
    // Without --port, a server in this process, kept until the end of main.
    let local = port.is_none().then(|| LoopServer::start().expect("server"));
    let port = port.or(local.as_ref().map(LoopServer::port)).unwrap_or(0);

    let mut c = HttpClient::new();
    c.set_blocking_mode(true);
    c.connect_to_host("127.0.0.1", Some(port), None)
        .expect("connect");
    c.poll().expect("connect");
    c.set_blocking_mode(false);
    for (name, piece) in [
        ("into 256K", Some(256 * 1024)),
        ("into 4K", Some(4096)),
        ("chunk", None),
    ] {
        c.request(Method::Get, &format!("/bytes/{size}"), &[] as &[&str], "")
            .expect("request");
        let start = Instant::now();
        let cpu0 = pollhttp_testserver::process::thread_cpu();
        while c.status() == Status::Requesting {
            c.wait(Some(Duration::from_secs(10))).expect("wait");
            c.poll().expect("poll");
        }
        assert_eq!(c.response_code(), 200);
        let mut buf = vec![0u8; piece.unwrap_or(0)];
        let mut got: u64 = 0;
        let mut reads: u64 = 0;
        while c.status() == Status::Body {
            let n = match piece {
                Some(_) => c.read_response_body_into(&mut buf).expect("body"),
                None => {
                    let v = c.read_response_body_chunk();
                    if got < 1 << 20 {
                        check(got, &v);
                    }
                    v.len()
                }
            };
            if piece.is_some() && got < 1 << 20 {
                check(got, &buf[..n]);
            }
            got += n as u64;
            reads += 1;
            if n == 0 && c.status() == Status::Body {
                c.wait(Some(Duration::from_secs(10))).expect("wait");
            }
        }
        let secs = start.elapsed().as_secs_f64();
        let cpu = pollhttp_testserver::process::thread_cpu()
            .zip(cpu0)
            .map(|(now, then)| (now - then).as_secs_f64());
        assert_eq!(got, size, "{:?}", c.last_error());
        assert_eq!(c.status(), Status::Connected);
        let mib = size as f64 / (1024.0 * 1024.0);
        let cpu = match cpu {
            Some(cpu) => format!("{cpu:.3} s: {:.0} MiB per CPU second", mib / cpu),
            // Windows: see `thread_cpu`.
            None => "not measured here".to_string(),
        };
        println!(
            "{name:>9}: {size} bytes in {secs:.3} s: {:.0} MiB/s; client thread CPU {cpu} \
             ({reads} calls)",
            mib / secs,
        );
    }
}

fn check(offset: u64, bytes: &[u8]) {
    for (i, &b) in bytes.iter().enumerate() {
        assert_eq!(
            b,
            pattern_byte(offset + i as u64),
            "byte {}",
            offset + i as u64
        );
    }
}
