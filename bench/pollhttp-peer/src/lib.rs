//! The pollhttp peers, driven the way the library documents.
//!
//! - `peer-pollhttp`: non-blocking `HttpClient`; the loop calls `poll()` and, when the
//!   status has not moved, `wait()` (poll(2) on the client's socket). Fan-out drives
//!   256 clients from one thread with the library's `Poller` (or, with
//!   `PEER_POLLHTTP_FANOUT=mio`, each client's `raw_fd()` on a bare mio instance).
//! - `peer-pollhttp-blocking`: the same client in blocking mode (`poll()` and body reads
//!   wait on the socket themselves); fan-out does not apply (exit status 4).
//!
//! The decode workloads (`gzip`, `br`, `zstd`) run in `peer-pollhttp` only, through
//! [`decode::decode_workload`]; the blocking peer exits with status 4 for them.
//!
//! `PEER_POLLHTTP_WAIT_FIRST=1` makes the non-blocking loop call `wait()` right after
//! `request()` instead of `poll()` first (which usually finds nothing yet and costs one
//! `recvfrom` returning `EAGAIN`), to measure what that ordering is worth.

use bench_common::{check_body, die, Args, Scheme, Supports, Target, Workload};
use pollhttp::{Certificates, HttpClient, Method, Status, TlsOptions};

pub mod decode;
mod fanout;

/// Body buffer for the one-connection workloads, as large as the raw floor's.
pub const BUF: usize = 256 * 1024;

/// How a peer drives its clients.
#[derive(Clone, Copy, Debug)]
pub struct Peer {
    /// Name in reports.
    pub client: &'static str,
    /// Blocking mode on.
    pub blocking: bool,
    /// `wait()` before the first `poll()` after a request (non-blocking only).
    pub wait_first: bool,
}

impl Peer {
    /// Runs the workload from the command line and prints the report.
    pub fn main(self) {
        let args = Args::from_env_for(
            self.client,
            Supports {
                tls: true,
                decode: true,
            },
        );
        if let Workload::Decode(coding) = args.workload {
            if self.blocking {
                eprintln!(
                    "peer-{}: the decode workloads run in peer-pollhttp",
                    self.client
                );
                std::process::exit(4);
            }
            let url = args.target.url();
            bench_common::measure(self.client, args.workload, "decode", || {
                (1, decode::decode_workload(&url, coding.name()), 1)
            });
            return;
        }
        if self.blocking && args.workload == Workload::Fanout {
            eprintln!(
                "peer-{}: fan-out from one thread needs non-blocking mode",
                self.client
            );
            std::process::exit(4);
        }
        let mode = match (self.blocking, args.workload) {
            (true, _) => "blocking",
            (false, Workload::Fanout) if fanout::uses_poller() => "poller",
            (false, Workload::Fanout) => "epoll",
            (false, _) if self.wait_first => "wait-first",
            (false, _) => "poll+wait",
        };
        bench_common::measure(self.client, args.workload, mode, || match args.workload {
            Workload::Bulk | Workload::Seq => self.keepalive(&args),
            Workload::Newconn => self.newconn(&args),
            Workload::Fanout => fanout::run(self, &args),
            Workload::Decode(_) => unreachable!("handled above"),
        });
    }

    pub(crate) fn fail(self, what: &str, e: impl std::fmt::Display) -> ! {
        die(self.client, format!("{what}: {e}"))
    }

    fn keepalive(self, args: &Args) -> (u64, u64, u64) {
        let mut c = self.new_client();
        let tls = self.tls_options(&args.target);
        self.connect(&mut c, &args.target, tls.as_ref());
        let mut buf = vec![0u8; BUF];
        let mut expected = None;
        let mut bytes = 0;
        for _ in 0..args.n {
            let got = self.get(&mut c, &args.target.path, &[], &mut buf);
            check_body(self.client, &mut expected, got);
            bytes += got;
        }
        (args.n, bytes, 1)
    }

    fn newconn(self, args: &Args) -> (u64, u64, u64) {
        let mut c = self.new_client();
        let tls = self.tls_options(&args.target);
        let mut buf = vec![0u8; BUF];
        let mut expected = None;
        let mut bytes = 0;
        for _ in 0..args.n {
            // connect_to_host closes the previous connection first, as in Godot.
            self.connect(&mut c, &args.target, tls.as_ref());
            let got = self.get(&mut c, &args.target.path, &["Connection: close"], &mut buf);
            check_body(self.client, &mut expected, got);
            bytes += got;
        }
        (args.n, bytes, args.n)
    }

    fn new_client(self) -> HttpClient {
        let mut c = HttpClient::new();
        c.set_blocking_mode(self.blocking);
        c
    }

    /// TLS options for an `https` target: the run's CA (`BENCH_CA_FILE`) as the only
    /// trusted root, host name verified. `None` for plain HTTP.
    pub fn tls_options(self, t: &Target) -> Option<TlsOptions> {
        if t.scheme != Scheme::Https {
            return None;
        }
        let ca = Certificates::from_pem_file(bench_common::ca_file(self.client))
            .unwrap_or_else(|e| self.fail("CA file", e));
        Some(TlsOptions::client(Some(ca), None))
    }

    /// Connects and drives the client to CONNECTED (through the TLS handshake for
    /// `https`, which happens while the status reads CONNECTING, as in Godot).
    pub fn connect(self, c: &mut HttpClient, t: &Target, tls: Option<&TlsOptions>) {
        if let Err(e) = c.connect_to_host(&t.host, Some(t.port), tls.cloned()) {
            self.fail("connect_to_host", e);
        }
        loop {
            match c.status() {
                Status::Resolving | Status::Connecting => {
                    if let Err(e) = c.poll() {
                        self.fail("connect", e);
                    }
                    if matches!(c.status(), Status::Resolving | Status::Connecting) {
                        if let Err(e) = c.wait(None) {
                            self.fail("wait", e);
                        }
                    }
                }
                Status::Connected => return,
                s => self.fail("connect", format!("status {s:?}")),
            }
        }
    }

    /// One GET on a CONNECTED client; returns the body length after reading it all.
    fn get(self, c: &mut HttpClient, path: &str, headers: &[&str], buf: &mut [u8]) -> u64 {
        if let Err(e) = c.request(Method::Get, path, headers, "") {
            self.fail("request", e);
        }
        if self.wait_first && !self.blocking {
            if let Err(e) = c.wait(None) {
                self.fail("wait", e);
            }
        }
        loop {
            if let Err(e) = c.poll() {
                self.fail("poll", e);
            }
            if c.status() != Status::Requesting {
                break;
            }
            if let Err(e) = c.wait(None) {
                self.fail("wait", e);
            }
        }
        if c.response_code() != 200 {
            self.fail("response", format!("status code {}", c.response_code()));
        }
        let mut n = 0;
        while c.status() == Status::Body {
            let k = c
                .read_response_body_into(buf)
                .unwrap_or_else(|e| self.fail("body", e));
            n += k as u64;
            // Less than a full buffer means the socket had no more for now.
            if k < buf.len() && c.status() == Status::Body {
                if let Err(e) = c.wait(None) {
                    self.fail("wait", e);
                }
            }
        }
        match c.status() {
            Status::Connected | Status::Disconnected => n,
            s => self.fail("body", format!("status {s:?}: {:?}", c.last_error())),
        }
    }
}
