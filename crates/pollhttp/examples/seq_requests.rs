//! Sequential keep-alive requests on one connection, for counting system calls per request:
//!
//! ```text
//! cargo build --release --example seq_requests
//! target/release/examples/seq_requests --serve 120 &      # prints the port
//! strace -c -f target/release/examples/seq_requests 10000 --port PORT [--mode MODE]
//! ```
//!
//! MODE is `wait` (default: `wait()` then `poll()`, Godot style with a sleep that does not
//! spin), `blocking` (blocking mode) or `poller` (through a `Poller`). Without `--port` the
//! loop server runs in this process (its system calls then show in the count too).
//! Every response is checked.

use pollhttp::{HttpClient, Method, Poller, Status};
use pollhttp_testserver::loop_server::LoopServer;
use std::time::{Duration, Instant};

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Wait,
    Blocking,
    Poller,
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut count = 10_000usize;
    let mut port = None;
    let mut mode = Mode::Wait;
    let mut serve = None;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--port" => port = args.next().and_then(|p| p.parse().ok()),
            "--serve" => serve = args.next().and_then(|s| s.parse::<u64>().ok()),
            "--mode" => {
                mode = match args.next().as_deref() {
                    Some("blocking") => Mode::Blocking,
                    Some("poller") => Mode::Poller,
                    Some("wait") => Mode::Wait,
                    other => panic!("unknown mode {other:?}"),
                }
            }
            n => {
                count = n
                    .parse()
                    .expect("usage: seq_requests [COUNT] [--port P] [--mode M]")
            }
        }
    }
    if let Some(secs) = serve {
        let server = LoopServer::start().expect("server");
        println!("{}", server.port());
        std::thread::sleep(Duration::from_secs(secs.min(600)));
        return;
    }
    // Without --port, a server in this process, kept until the end of main.
    let local = port.is_none().then(|| LoopServer::start().expect("server"));
    let port = port.or(local.as_ref().map(LoopServer::port)).unwrap_or(0);

    let mut c = HttpClient::new();
    c.set_blocking_mode(true);
    c.connect_to_host("127.0.0.1", Some(port), None)
        .expect("connect");
    c.poll().expect("connect");
    c.set_blocking_mode(mode == Mode::Blocking);
    let mut poller = Poller::new().expect("poller");
    let token = poller.register(&c).expect("register");
    let mut ready = Vec::with_capacity(1);
    let mut buf = [0u8; 4096];

    let start = Instant::now();
    for _ in 0..count {
        c.request(Method::Get, "/echo/ok", &[] as &[&str], "")
            .expect("request");
        match mode {
            Mode::Wait => {
                while c.status() == Status::Requesting {
                    c.wait(Some(Duration::from_secs(10))).expect("wait");
                    c.poll().expect("poll");
                }
            }
            Mode::Blocking => c.poll().expect("poll"),
            Mode::Poller => {
                poller.update(token, &c).expect("update");
                while c.status() == Status::Requesting {
                    poller
                        .poll(&mut ready, Some(Duration::from_secs(10)))
                        .expect("poll");
                    c.poll().expect("poll");
                }
            }
        }
        let mut n = 0;
        while c.status() == Status::Body {
            n += c.read_response_body_into(&mut buf[n..]).expect("body");
            if c.status() == Status::Body {
                c.wait(Some(Duration::from_secs(10))).expect("wait");
            }
        }
        assert_eq!(c.status(), Status::Connected, "{:?}", c.last_error());
        assert_eq!(&buf[..n], b"ok");
        if mode == Mode::Poller {
            poller.update(token, &c).expect("update");
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{count} requests in {secs:.3} s: {:.0} req/s, {:.1} us each",
        count as f64 / secs,
        secs * 1e6 / count as f64
    );
}
