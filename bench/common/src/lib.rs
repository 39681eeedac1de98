//! What every benchmark peer shares: the command line, the target URL and the one
//! machine-readable line each run prints.
//!
//! Every peer binary takes the same arguments:
//!
//! ```text
//! peer-<client> <workload> <url-or-host:port> [n] [conns]
//! ```
//!
//! The decode workloads (`gzip`, `br`, `zstd`) fetch one precompressed file once and
//! count the bytes the client decodes; only peers that opt in with [`Supports`] accept
//! them, the others exit with status 4 (shown as n/a).
//!
//! and prints exactly one line on stdout, for example
//!
//! ```text
//! client=raw workload=seq requests=20000 bytes=2000000 conns=1 secs=0.412345 mode=keepalive
//! ```
//!
//! which `scripts/bench.sh` parses. Anything else a peer has to say goes to stderr.

use std::fmt;
use std::time::{Duration, Instant};

/// A content coding the decode workloads serve: the `Content-Encoding` token, which is
/// also the workload's name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Coding {
    /// `gzip` (made with `gzip -6`).
    Gzip,
    /// `br` (made with the `brotli` command).
    Br,
    /// `zstd` (made with the `zstd` command).
    Zstd,
}

impl Coding {
    /// All codings, in report order.
    pub const ALL: [Coding; 3] = [Coding::Gzip, Coding::Br, Coding::Zstd];

    /// The `Content-Encoding` token, and the workload's name.
    pub fn name(self) -> &'static str {
        match self {
            Coding::Gzip => "gzip",
            Coding::Br => "br",
            Coding::Zstd => "zstd",
        }
    }

    /// The precompressed text file served with this coding.
    pub fn default_path(self) -> &'static str {
        match self {
            Coding::Gzip => "/big.txt.gz",
            Coding::Br => "/big.txt.br",
            Coding::Zstd => "/big.txt.zst",
        }
    }
}

/// What a run does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Workload {
    /// GET one large file `n` times (default once) on one keep-alive connection,
    /// discarding the body into a reused buffer. Reported in MB/s.
    Bulk,
    /// `n` (default 20,000) sequential GETs of a small file on one keep-alive
    /// connection. Reported in requests/s.
    Seq,
    /// `conns` (default 256) connections, each doing `n` (default 20) sequential
    /// GETs, all driven from one thread. Reported in requests/s.
    Fanout,
    /// `n` (default 2,000) GETs, each on a new connection (`Connection: close`).
    /// Reported in connections/s.
    Newconn,
    /// One GET of a large text file served with `Content-Encoding` set to the coding,
    /// decoded by the client as a stream and counted, never held whole. `bytes` is the
    /// decoded length; reported in decoded MB/s. `n` and `conns` are 1.
    Decode(Coding),
}

impl Workload {
    /// All workloads, in report order.
    pub const ALL: [Workload; 7] = [
        Workload::Bulk,
        Workload::Seq,
        Workload::Fanout,
        Workload::Newconn,
        Workload::Decode(Coding::Gzip),
        Workload::Decode(Coding::Br),
        Workload::Decode(Coding::Zstd),
    ];

    /// The name used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Workload::Bulk => "bulk",
            Workload::Seq => "seq",
            Workload::Fanout => "fanout",
            Workload::Newconn => "newconn",
            Workload::Decode(c) => c.name(),
        }
    }

    /// Parses a workload name.
    pub fn parse(s: &str) -> Option<Workload> {
        Workload::ALL.into_iter().find(|w| w.name() == s)
    }

    /// The path fetched when the command line gives only `host:port`.
    pub fn default_path(self) -> &'static str {
        match self {
            Workload::Bulk => "/big.bin",
            Workload::Decode(c) => c.default_path(),
            _ => "/small.bin",
        }
    }

    /// Default for `n`.
    pub fn default_n(self) -> u64 {
        match self {
            Workload::Bulk | Workload::Decode(_) => 1,
            Workload::Seq => 20_000,
            Workload::Fanout => 20,
            Workload::Newconn => 2_000,
        }
    }

    /// Default for `conns`.
    pub fn default_conns(self) -> usize {
        match self {
            Workload::Fanout => 256,
            _ => 1,
        }
    }
}

/// Which kinds of run a peer implements beyond plain HTTP: what [`Args::from_env_for`]
/// lets through.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Supports {
    /// `https` targets; without, they exit with status 3.
    pub tls: bool,
    /// The decode workloads ([`Workload::Decode`]); without, they exit with status 4.
    pub decode: bool,
}

/// Plain HTTP or TLS.
///
/// `https://` targets are the TLS 1.3 variants: the same nginx with a certificate made
/// at start, its CA named by [`CA_FILE_ENV`]. Peers without TLS support reject them
/// with exit status 3 (see [`Args::from_env`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    /// `http://`
    Http,
    /// `https://`
    Https,
}

/// The server and path a run talks to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// Plain or TLS.
    pub scheme: Scheme,
    /// Host name or IP literal, without brackets.
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// Request target, starting with `/`.
    pub path: String,
}

impl Target {
    /// Parses `http://host:port/path`, `https://…`, or a bare `host:port` (which gets
    /// `default_path`).
    pub fn parse(s: &str, default_path: &str) -> Result<Target, String> {
        let (scheme, rest) = if let Some(r) = s.strip_prefix("http://") {
            (Scheme::Http, r)
        } else if let Some(r) = s.strip_prefix("https://") {
            (Scheme::Https, r)
        } else {
            (Scheme::Http, s)
        };
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, default_path),
        };
        let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
            let end = v6.find(']').ok_or("unclosed '[' in host")?;
            let port = v6[end + 1..].strip_prefix(':');
            (&v6[..end], port)
        } else {
            match authority.rsplit_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (authority, None),
            }
        };
        if host.is_empty() {
            return Err(format!("no host in {s:?}"));
        }
        let port = match port {
            Some(p) => p.parse().map_err(|_| format!("bad port in {s:?}"))?,
            None if scheme == Scheme::Https => 443,
            None => 80,
        };
        Ok(Target {
            scheme,
            host: host.to_string(),
            port,
            path: path.to_string(),
        })
    }

    /// `host:port` as a `Host` header value (brackets around IPv6 literals).
    pub fn authority(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    /// The full URL.
    pub fn url(&self) -> String {
        let scheme = match self.scheme {
            Scheme::Http => "http",
            Scheme::Https => "https",
        };
        format!("{scheme}://{}{}", self.authority(), self.path)
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.url())
    }
}

/// The parsed command line of a peer.
#[derive(Clone, Debug)]
pub struct Args {
    /// What to run.
    pub workload: Workload,
    /// Where.
    pub target: Target,
    /// Requests (per connection for `fanout`; downloads for `bulk`).
    pub n: u64,
    /// Concurrent connections (`fanout` only).
    pub conns: usize,
}

impl Args {
    /// Parses `std::env::args()`, printing usage and exiting with status 2 on error.
    /// Exits with status 3 for an `https` target and 4 for a decode workload: for peers
    /// that implement neither.
    pub fn from_env(client: &str) -> Args {
        Args::from_env_for(client, Supports::default())
    }

    /// Like [`Args::from_env`], for peers that run `https` targets too.
    pub fn from_env_tls(client: &str) -> Args {
        Args::from_env_for(
            client,
            Supports {
                tls: true,
                decode: false,
            },
        )
    }

    /// Like [`Args::from_env`], letting through what the peer `supports`.
    pub fn from_env_for(client: &str, supports: Supports) -> Args {
        let argv: Vec<String> = std::env::args().skip(1).collect();
        let a = match Args::parse(&argv) {
            Ok(a) => a,
            Err(e) => {
                eprintln!("peer-{client}: {e}");
                eprintln!(
                    "usage: peer-{client} <bulk|seq|fanout|newconn|gzip|br|zstd> <url-or-host:port> [n] [conns]"
                );
                std::process::exit(2);
            }
        };
        if a.target.scheme == Scheme::Https && !supports.tls {
            eprintln!("peer-{client}: TLS workloads are not implemented for this peer");
            std::process::exit(3);
        }
        if matches!(a.workload, Workload::Decode(_)) && !supports.decode {
            eprintln!("peer-{client}: decode workloads are not implemented for this peer");
            std::process::exit(4);
        }
        a
    }

    /// Parses the arguments after the program name.
    pub fn parse(argv: &[String]) -> Result<Args, String> {
        let workload = argv.first().ok_or("missing workload")?;
        let workload =
            Workload::parse(workload).ok_or_else(|| format!("unknown workload {workload:?}"))?;
        let target = argv.get(1).ok_or("missing url or host:port")?;
        let target = Target::parse(target, workload.default_path())?;
        let n = match argv.get(2) {
            Some(s) => s.parse().map_err(|_| format!("bad n {s:?}"))?,
            None => workload.default_n(),
        };
        let conns = match argv.get(3) {
            Some(s) => s.parse().map_err(|_| format!("bad conns {s:?}"))?,
            None => workload.default_conns(),
        };
        if n == 0 || conns == 0 {
            return Err("n and conns must be at least 1".into());
        }
        if matches!(workload, Workload::Decode(_)) && (n != 1 || conns != 1) {
            return Err("decode workloads fetch once: n and conns are 1".into());
        }
        if argv.len() > 4 {
            return Err("too many arguments".into());
        }
        Ok(Args {
            workload,
            target,
            n,
            conns,
        })
    }

    /// Total requests the run makes.
    pub fn total_requests(&self) -> u64 {
        match self.workload {
            Workload::Fanout => self.n * self.conns as u64,
            _ => self.n,
        }
    }
}

/// Environment variable naming the PEM file of the CA that signed the server's
/// certificate, for `https` targets (`scripts/bench.sh` makes both at start).
pub const CA_FILE_ENV: &str = "BENCH_CA_FILE";

/// The CA file for an `https` run, from [`CA_FILE_ENV`]; fails the run without it.
pub fn ca_file(client: &str) -> std::path::PathBuf {
    match std::env::var_os(CA_FILE_ENV) {
        Some(p) if !p.is_empty() => p.into(),
        _ => die(client, format!("https needs {CA_FILE_ENV}=<CA PEM file>")),
    }
}

/// The one line a run prints.
#[derive(Clone, Debug)]
pub struct Report {
    /// Peer name (`raw`, `hyper`, …).
    pub client: &'static str,
    /// What ran.
    pub workload: Workload,
    /// Responses completely received.
    pub requests: u64,
    /// Body bytes received (decoded, for the decode workloads).
    pub bytes: u64,
    /// Connections opened.
    pub conns: u64,
    /// Wall time of the measured part (after start-up, including connects).
    pub elapsed: Duration,
    /// How the peer ran the workload when it differs from the plain reading
    /// (`threads` for a blocking client's fan-out, for example).
    pub mode: &'static str,
}

impl Report {
    /// Prints the report line on stdout.
    pub fn print(&self) {
        println!("{self}");
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "client={} workload={} requests={} bytes={} conns={} secs={:.6} mode={}",
            self.client,
            self.workload.name(),
            self.requests,
            self.bytes,
            self.conns,
            self.elapsed.as_secs_f64(),
            self.mode
        )
    }
}

/// Runs the measured part of a run, `run`, which returns what it counted:
/// `(requests, bytes, conns)` as in [`Report`]; then prints the report line with its
/// wall time.
pub fn measure(
    client: &'static str,
    workload: Workload,
    mode: &'static str,
    run: impl FnOnce() -> (u64, u64, u64),
) {
    let start = Instant::now();
    let (requests, bytes, conns) = run();
    Report {
        client,
        workload,
        requests,
        bytes,
        conns,
        elapsed: start.elapsed(),
        mode,
    }
    .print();
}

/// Fails the run with a message on stderr and exit status 1.
pub fn die(client: &str, msg: impl fmt::Display) -> ! {
    eprintln!("peer-{client}: {msg}");
    std::process::exit(1)
}

/// Checks that a response was complete and the right size, so that a peer that
/// silently stops early cannot look fast. `expected` is the body length the first
/// response had.
pub fn check_body(client: &str, expected: &mut Option<u64>, got: u64) {
    match *expected {
        None => *expected = Some(got),
        Some(e) if e == got => {}
        Some(e) => die(client, format!("body of {got} bytes, expected {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(v: &[&str]) -> Result<Args, String> {
        Args::parse(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn host_port_gets_the_workload_path() {
        let a = args(&["bulk", "127.0.0.1:8080"]).unwrap();
        assert_eq!(a.target.host, "127.0.0.1");
        assert_eq!(a.target.port, 8080);
        assert_eq!(a.target.path, "/big.bin");
        assert_eq!(a.n, 1);
        let a = args(&["fanout", "127.0.0.1:8080"]).unwrap();
        assert_eq!((a.n, a.conns, a.total_requests()), (20, 256, 5120));
    }

    #[test]
    fn full_urls_and_ipv6() {
        let a = args(&["seq", "http://[::1]:81/x?y", "7"]).unwrap();
        assert_eq!(a.target.host, "::1");
        assert_eq!(a.target.authority(), "[::1]:81");
        assert_eq!(a.target.path, "/x?y");
        assert_eq!(a.n, 7);
        let a = args(&["seq", "https://localhost/"]).unwrap();
        assert_eq!((a.target.scheme, a.target.port), (Scheme::Https, 443));
    }

    #[test]
    fn bad_arguments_are_refused() {
        assert!(args(&[]).is_err());
        assert!(args(&["nope", "h:1"]).is_err());
        assert!(args(&["seq", "h:x"]).is_err());
        assert!(args(&["seq", "h:1", "0"]).is_err());
        assert!(args(&["seq", ":1"]).is_err());
        assert!(args(&["seq", "h:1", "1", "1", "1"]).is_err());
        assert!(args(&["gzip", "h:1", "2"]).is_err());
    }

    #[test]
    fn decode_workloads() {
        let a = args(&["br", "127.0.0.1:8080"]).unwrap();
        assert_eq!(a.workload, Workload::Decode(Coding::Br));
        assert_eq!(
            (a.target.path.as_str(), a.n, a.conns),
            ("/big.txt.br", 1, 1)
        );
        let a = args(&["zstd", "http://127.0.0.1:8080/x.zst", "1", "1"]).unwrap();
        assert_eq!(a.workload.name(), "zstd");
        assert_eq!(
            Workload::parse("gzip"),
            Some(Workload::Decode(Coding::Gzip))
        );
    }

    #[test]
    fn report_line_is_stable() {
        let r = Report {
            client: "raw",
            workload: Workload::Seq,
            requests: 2,
            bytes: 200,
            conns: 1,
            elapsed: Duration::from_millis(1500),
            mode: "keepalive",
        };
        assert_eq!(
            r.to_string(),
            "client=raw workload=seq requests=2 bytes=200 conns=1 secs=1.500000 mode=keepalive"
        );
    }
}
