//! `peer-raw`: the floor every other client is measured against.
//!
//! A hand-written HTTP/1.1 client that does the least a correct keep-alive client can
//! do: write a fixed request, read into one reused buffer until the head is complete
//! and `Content-Length` bytes of body have arrived, and never copy or allocate per
//! request. Blocking std `TcpStream` for the one-connection workloads (one `write` and
//! usually one `read` per small response); non-blocking sockets on one mio (epoll)
//! instance for fan-out.
//!
//! It understands only what nginx sends for a static file (`200`, `Content-Length`),
//! and refuses anything else rather than mis-measure.
//!
//! `https` targets (keep-alive and new-connection workloads only) run the same loop
//! through a rustls `ClientConnection` on the blocking socket: the TLS floor.

use bench_common::{check_body, die, Args, Scheme, Target, Workload};
use mio::net::TcpStream as MioStream;
use mio::{Events, Interest, Poll, Token};
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};

mod tls;

const CLIENT: &str = "raw";
/// Read buffer for the one-connection workloads (a bulk body streams through it).
const BIG_BUF: usize = 256 * 1024;
/// Read buffer per fan-out connection: a small response and its head fit with room.
const FANOUT_BUF: usize = 4096;

fn main() {
    let args = Args::from_env_tls(CLIENT);
    let https = args.target.scheme == Scheme::Https;
    if https && args.workload == Workload::Fanout {
        eprintln!("peer-{CLIENT}: no TLS fan-out");
        std::process::exit(3);
    }
    let addr = resolve(&args.target);
    let keepalive = request_bytes(&args.target, false);
    let close = request_bytes(&args.target, true);
    let tls_config = https.then(tls::config);
    let mode = match (https, args.workload) {
        (_, Workload::Fanout) => "epoll",
        (true, _) => "blocking+rustls",
        (false, _) => "blocking",
    };
    bench_common::measure(CLIENT, args.workload, mode, || {
        match (&tls_config, args.workload) {
            (None, Workload::Bulk | Workload::Seq) => {
                keepalive_run(|| connect(addr), &keepalive, args.n)
            }
            (None, Workload::Newconn) => newconn_run(|| connect(addr), &close, args.n),
            (Some(c), Workload::Bulk | Workload::Seq) => keepalive_run(
                || tls::wrap(c, &args.target.host, connect(addr)),
                &keepalive,
                args.n,
            ),
            (Some(c), Workload::Newconn) => newconn_run(
                || tls::wrap(c, &args.target.host, connect(addr)),
                &close,
                args.n,
            ),
            (_, Workload::Fanout) => fanout_run(addr, &keepalive, args.n, args.conns),
            (_, Workload::Decode(_)) => unreachable!("refused by Args::from_env_tls"),
        }
    });
}

fn resolve(t: &Target) -> SocketAddr {
    match (t.host.as_str(), t.port).to_socket_addrs() {
        Ok(mut it) => it.next().unwrap_or_else(|| die(CLIENT, "no address")),
        Err(e) => die(CLIENT, format!("resolving {}: {e}", t.host)),
    }
}

fn request_bytes(t: &Target, close: bool) -> Vec<u8> {
    let conn = if close { "Connection: close\r\n" } else { "" };
    format!(
        "GET {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: peer-raw\r\nAccept: */*\r\n{conn}\r\n",
        t.path,
        t.authority()
    )
    .into_bytes()
}

fn connect(addr: SocketAddr) -> TcpStream {
    let s = TcpStream::connect(addr).unwrap_or_else(|e| die(CLIENT, format!("connect: {e}")));
    s.set_nodelay(true)
        .unwrap_or_else(|e| die(CLIENT, format!("nodelay: {e}")));
    s
}

fn keepalive_run<S: Read + Write>(connect: impl Fn() -> S, req: &[u8], n: u64) -> (u64, u64, u64) {
    let mut s = connect();
    let mut buf = vec![0u8; BIG_BUF];
    let mut bytes = 0;
    let mut expected = None;
    for _ in 0..n {
        let got = exchange(&mut s, req, &mut buf).unwrap_or_else(|e| die(CLIENT, e));
        check_body(CLIENT, &mut expected, got);
        bytes += got;
    }
    (n, bytes, 1)
}

fn newconn_run<S: Read + Write>(connect: impl Fn() -> S, req: &[u8], n: u64) -> (u64, u64, u64) {
    let mut buf = vec![0u8; BIG_BUF];
    let mut bytes = 0;
    let mut expected = None;
    for _ in 0..n {
        let mut s = connect();
        let got = exchange(&mut s, req, &mut buf).unwrap_or_else(|e| die(CLIENT, e));
        check_body(CLIENT, &mut expected, got);
        bytes += got;
    }
    (n, bytes, n)
}

/// One request and its whole response on a blocking stream; returns the body length.
fn exchange(s: &mut (impl Read + Write), req: &[u8], buf: &mut [u8]) -> Result<u64, String> {
    s.write_all(req).map_err(|e| format!("write: {e}"))?;
    let mut filled = 0;
    let (head_len, len) = loop {
        if filled == buf.len() {
            return Err("response head larger than the buffer".into());
        }
        let k = read(s, &mut buf[filled..])?;
        filled += k;
        if let Some(h) = parse_head(&buf[..filled])? {
            break h;
        }
    };
    let mut have = (filled - head_len) as u64;
    if have > len {
        return Err("bytes past the end of the response".into());
    }
    while have < len {
        let want = usize::try_from(len - have).map_or(buf.len(), |w| w.min(buf.len()));
        have += read(s, &mut buf[..want])? as u64;
    }
    Ok(len)
}

fn read(s: &mut impl Read, buf: &mut [u8]) -> Result<usize, String> {
    loop {
        match s.read(buf) {
            Ok(0) => return Err("connection closed mid-response".into()),
            Ok(k) => return Ok(k),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(format!("read: {e}")),
        }
    }
}

/// `Some((head length, Content-Length))` once `buf` holds a complete `200` head.
fn parse_head(buf: &[u8]) -> Result<Option<(usize, u64)>, String> {
    let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
        return Ok(None);
    };
    let head = &buf[..end];
    if !head.starts_with(b"HTTP/1.1 200 ") {
        let line = head.split(|&b| b == b'\r').next().unwrap_or(head);
        return Err(format!(
            "unexpected status line {:?}",
            String::from_utf8_lossy(line)
        ));
    }
    for line in head.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        if line[..colon].eq_ignore_ascii_case(b"content-length") {
            let v = std::str::from_utf8(&line[colon + 1..]).map_err(|_| "bad Content-Length")?;
            let len = v.trim().parse().map_err(|_| "bad Content-Length")?;
            return Ok(Some((end + 4, len)));
        }
    }
    Err("response without Content-Length".into())
}

/// One fan-out connection's state.
enum Phase {
    Connecting,
    /// Request bytes written so far.
    Writing(usize),
    /// Bytes of the response in `buf`, head not complete yet.
    Head(usize),
    /// Body bytes still to come.
    Body(u64),
    Done,
}

struct Conn {
    stream: MioStream,
    buf: Vec<u8>,
    phase: Phase,
    done: u64,
}

fn fanout_run(addr: SocketAddr, req: &[u8], n: u64, conns: usize) -> (u64, u64, u64) {
    let mut poll = Poll::new().unwrap_or_else(|e| die(CLIENT, format!("epoll: {e}")));
    let mut all = Vec::with_capacity(conns);
    for i in 0..conns {
        let mut stream =
            MioStream::connect(addr).unwrap_or_else(|e| die(CLIENT, format!("connect: {e}")));
        poll.registry()
            .register(
                &mut stream,
                Token(i),
                Interest::READABLE | Interest::WRITABLE,
            )
            .unwrap_or_else(|e| die(CLIENT, format!("register: {e}")));
        all.push(Conn {
            stream,
            buf: vec![0u8; FANOUT_BUF],
            phase: Phase::Connecting,
            done: 0,
        });
    }
    let mut events = Events::with_capacity(conns);
    let mut finished = 0;
    let mut bytes = 0;
    let mut expected = None;
    while finished < conns {
        if let Err(e) = poll.poll(&mut events, None) {
            if e.kind() != io::ErrorKind::Interrupted {
                die(CLIENT, format!("epoll_wait: {e}"));
            }
        }
        for ev in events.iter() {
            let Some(c) = all.get_mut(ev.token().0) else {
                continue;
            };
            match drive(c, req, n, &mut expected) {
                Ok(got) => bytes += got,
                Err(e) => die(CLIENT, e),
            }
            // `done` is set past `n` once counted, so later events do not count twice.
            if matches!(c.phase, Phase::Done) && c.done == n {
                finished += 1;
                c.done = u64::MAX;
            }
        }
    }
    (n * conns as u64, bytes, conns as u64)
}

/// Advances one connection until the socket would block (edge-triggered readiness)
/// or, after a request is fully written, until its response can have arrived.
/// Returns the body bytes completed.
fn drive(c: &mut Conn, req: &[u8], n: u64, expected: &mut Option<u64>) -> Result<u64, String> {
    let mut bytes = 0;
    loop {
        match c.phase {
            Phase::Done => return Ok(bytes),
            Phase::Connecting => match c.stream.peer_addr() {
                Ok(_) => c.phase = Phase::Writing(0),
                Err(e) if e.kind() == io::ErrorKind::NotConnected => return Ok(bytes),
                Err(e) => return Err(format!("connect: {e}")),
            },
            Phase::Writing(pos) => match c.stream.write(&req[pos..]) {
                Ok(k) if pos + k == req.len() => {
                    c.phase = Phase::Head(0);
                    // The response arrives later and raises a new readable edge.
                    return Ok(bytes);
                }
                Ok(k) => c.phase = Phase::Writing(pos + k),
                Err(e) if would_block(&e) => return Ok(bytes),
                Err(e) => return Err(format!("write: {e}")),
            },
            Phase::Head(filled) => {
                let k = match c.stream.read(&mut c.buf[filled..]) {
                    Ok(0) => return Err("connection closed mid-response".into()),
                    Ok(k) => k,
                    Err(e) if would_block(&e) => return Ok(bytes),
                    Err(e) => return Err(format!("read: {e}")),
                };
                let filled = filled + k;
                match parse_head(&c.buf[..filled])? {
                    None if filled == c.buf.len() => return Err("head too large".into()),
                    None => c.phase = Phase::Head(filled),
                    Some((head_len, len)) => {
                        let have = (filled - head_len) as u64;
                        if have > len {
                            return Err("bytes past the end of the response".into());
                        }
                        check_body(CLIENT, expected, len);
                        bytes += len;
                        c.phase = Phase::Body(len - have);
                    }
                }
            }
            Phase::Body(0) => {
                c.done += 1;
                c.phase = if c.done == n {
                    Phase::Done
                } else {
                    Phase::Writing(0)
                };
            }
            Phase::Body(left) => {
                let want = usize::try_from(left).map_or(c.buf.len(), |w| w.min(c.buf.len()));
                match c.stream.read(&mut c.buf[..want]) {
                    Ok(0) => return Err("connection closed mid-body".into()),
                    Ok(k) => c.phase = Phase::Body(left - k as u64),
                    Err(e) if would_block(&e) => return Ok(bytes),
                    Err(e) => return Err(format!("read: {e}")),
                }
            }
        }
    }
}

fn would_block(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted
    )
}

#[cfg(test)]
mod tests {
    use super::parse_head;

    #[test]
    fn head_parsing() {
        let r = b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\nX: y\r\n\r\nhello";
        assert_eq!(parse_head(r).unwrap(), Some((r.len() - 5, 5)));
        assert_eq!(parse_head(&r[..20]).unwrap(), None);
        assert!(parse_head(b"HTTP/1.1 404 Not Found\r\n\r\n").is_err());
        assert!(parse_head(b"HTTP/1.1 200 OK\r\n\r\n").is_err());
    }
}
