//! `LoopServer`: a one-thread keep-alive HTTP/1.1 server on 127.0.0.1 built on mio, for
//! runs with thousands of connections (a thread per connection would dwarf the clients
//! being measured). An idle connection costs it one small slab entry. Its sockets are
//! mio's own (`mio::net`), which mio can watch on Unix and Windows alike.
//!
//! Routes (GET or HEAD; a request body is refused with 400 and a close):
//! - `/echo/TEXT`: 200 with body `TEXT` (so every response can be checked);
//! - `/bytes/N`: 200 with `N` bytes of [`pattern_byte`], streamed as the socket takes them;
//! - anything else: 404.
//!
//! `Connection: close` in a request closes the connection after its response. The server
//! stops when dropped, and by itself after [`MAX_LIFETIME`].

use mio::net::{TcpListener, TcpStream};
use mio::{Events, Interest, Poll, Token, Waker};
use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The server ends itself after this long, whatever happens.
pub const MAX_LIFETIME: Duration = Duration::from_secs(600);

const LISTENER: Token = Token(usize::MAX - 1);
const WAKER: Token = Token(usize::MAX - 2);
const MAX_HEAD: usize = 16 * 1024;
const PATTERN_PERIOD: usize = 251;

/// Byte `offset` of a `/bytes/N` body.
pub fn pattern_byte(offset: u64) -> u8 {
    (offset % PATTERN_PERIOD as u64) as u8
}

/// Counters kept by the server thread.
#[derive(Default)]
pub struct Stats {
    /// Connections accepted.
    pub accepted: AtomicU64,
    /// Responses started.
    pub responses: AtomicU64,
    /// Connections open now.
    pub open: AtomicU64,
}

/// A running server; dropping it stops the thread.
pub struct LoopServer {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    waker: Arc<Waker>,
    stats: Arc<Stats>,
    thread: Option<JoinHandle<()>>,
}

impl LoopServer {
    /// Binds 127.0.0.1 on an ephemeral port with a long accept queue, and starts serving.
    pub fn start() -> io::Result<LoopServer> {
        let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None)?;
        socket.set_reuse_address(true)?;
        socket.bind(&SocketAddr::from((Ipv4Addr::LOCALHOST, 0)).into())?;
        socket.listen(4096)?;
        let listener: std::net::TcpListener = socket.into();
        listener.set_nonblocking(true)?;
        let listener = TcpListener::from_std(listener);
        let addr = listener.local_addr()?;
        let poll = Poll::new()?;
        let waker = Arc::new(Waker::new(poll.registry(), WAKER)?);
        let stop = Arc::new(AtomicBool::new(false));
        let stats = Arc::new(Stats::default());
        let mut core = Core {
            poll,
            listener,
            conns: Vec::new(),
            free: Vec::new(),
            stop: Arc::clone(&stop),
            stats: Arc::clone(&stats),
            scratch: vec![0u8; 64 * 1024],
            resp: Vec::with_capacity(256),
            pattern: (0..PATTERN_PERIOD * 256)
                .map(|i| pattern_byte(i as u64))
                .collect(),
        };
        let thread = std::thread::Builder::new()
            .name("loop-server".into())
            .spawn(move || {
                if let Err(e) = core.run() {
                    eprintln!("loop server stopped: {e}");
                }
            })?;
        Ok(LoopServer {
            addr,
            stop,
            waker,
            stats,
            thread: Some(thread),
        })
    }

    /// The port listened on.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// The server's counters.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }
}

impl Drop for LoopServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = self.waker.wake();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

struct Conn {
    stream: TcpStream,
    /// A request head split across reads (empty, unallocated, most of the time).
    partial: Vec<u8>,
    /// Response bytes the socket did not take yet.
    out: Vec<u8>,
    /// Pattern bytes still to send for `/bytes/N`, and the offset reached.
    bulk_left: u64,
    bulk_off: u64,
    close_after: bool,
}

struct Core {
    poll: Poll,
    listener: TcpListener,
    conns: Vec<Option<Conn>>,
    free: Vec<usize>,
    stop: Arc<AtomicBool>,
    stats: Arc<Stats>,
    scratch: Vec<u8>,
    resp: Vec<u8>,
    pattern: Vec<u8>,
}

impl Core {
    fn run(&mut self) -> io::Result<()> {
        self.poll
            .registry()
            .register(&mut self.listener, LISTENER, Interest::READABLE)?;
        let mut events = Events::with_capacity(1024);
        let end = Instant::now() + MAX_LIFETIME;
        while !self.stop.load(Ordering::SeqCst) && Instant::now() < end {
            match self.poll.poll(&mut events, Some(Duration::from_secs(1))) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
            for ev in events.iter() {
                match ev.token() {
                    LISTENER => self.accept()?,
                    WAKER => {}
                    Token(i) => self.serve(i),
                }
            }
        }
        Ok(())
    }

    fn accept(&mut self) -> io::Result<()> {
        loop {
            let (mut stream, _) = match self.listener.accept() {
                Ok(s) => s,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(()),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                // Out of descriptors and the like: refuse this one, keep serving the rest.
                Err(_) => return Ok(()),
            };
            stream.set_nodelay(true)?;
            let i = match self.free.pop() {
                Some(i) => i,
                None => {
                    self.conns.push(None);
                    self.conns.len() - 1
                }
            };
            self.poll.registry().register(
                &mut stream,
                Token(i),
                Interest::READABLE | Interest::WRITABLE,
            )?;
            self.conns[i] = Some(Conn {
                stream,
                partial: Vec::new(),
                out: Vec::new(),
                bulk_left: 0,
                bulk_off: 0,
                close_after: false,
            });
            self.stats.accepted.fetch_add(1, Ordering::Relaxed);
            self.stats.open.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn serve(&mut self, i: usize) {
        let Some(Some(mut conn)) = self.conns.get_mut(i).map(Option::take) else {
            return;
        };
        let keep = self.drive(&mut conn).unwrap_or(false);
        if keep {
            self.conns[i] = Some(conn);
        } else {
            let _ = self.poll.registry().deregister(&mut conn.stream);
            self.free.push(i);
            self.stats.open.fetch_sub(1, Ordering::Relaxed);
        }
    }

    /// Reads and answers until the socket would block; false when the connection is over.
    fn drive(&mut self, c: &mut Conn) -> io::Result<bool> {
        loop {
            if !self.flush(c)? {
                return Ok(true);
            }
            if c.close_after {
                let _ = c.stream.shutdown(std::net::Shutdown::Write);
                return Ok(false);
            }
            let n = match c.stream.read(&mut self.scratch) {
                Ok(0) => return Ok(false),
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(true),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if c.partial.is_empty() {
                let rest = self.answer_all(c, n);
                if !rest.is_empty() {
                    c.partial.extend_from_slice(rest);
                }
            } else {
                c.partial.extend_from_slice(&self.scratch[..n]);
                let buf = std::mem::take(&mut c.partial);
                let used = self.answer_from(c, &buf);
                if used < buf.len() {
                    c.partial = buf[used..].to_vec();
                }
            }
            if c.partial.len() > MAX_HEAD {
                return Ok(false);
            }
        }
    }

    /// Answers the complete requests at the start of `scratch[..n]`; returns the rest.
    fn answer_all(&mut self, c: &mut Conn, n: usize) -> &[u8] {
        let buf = std::mem::take(&mut self.scratch);
        let used = self.answer_from(c, &buf[..n]);
        self.scratch = buf;
        &self.scratch[used..n]
    }

    /// Answers every complete request head in `buf`; returns the bytes used.
    fn answer_from(&mut self, c: &mut Conn, buf: &[u8]) -> usize {
        let mut used = 0;
        while let Some(end) = find_head_end(&buf[used..]) {
            let head = &buf[used..used + end];
            used += end;
            self.respond(c, head);
            if c.close_after {
                break;
            }
        }
        used
    }

    fn respond(&mut self, c: &mut Conn, head: &[u8]) {
        self.stats.responses.fetch_add(1, Ordering::Relaxed);
        let backlog = !c.out.is_empty() || c.bulk_left > 0;
        let line_end = head.iter().position(|&b| b == b'\r').unwrap_or(head.len());
        let mut parts = head[..line_end].split(|&b| b == b' ');
        let method = parts.next().unwrap_or_default();
        let path = parts.next().unwrap_or_default();
        let lower = head.to_ascii_lowercase();
        let has = |needle: &[u8]| lower.windows(needle.len()).any(|w| w == needle);
        c.close_after = has(b"\nconnection: close");
        let head_only = method == b"HEAD";
        let body_sent = has(b"\ncontent-length:") && !has(b"\ncontent-length: 0\r")
            || has(b"\ntransfer-encoding:");
        self.resp.clear();
        if body_sent || !(method == b"GET" || head_only) {
            self.resp.extend_from_slice(
                b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
            c.close_after = true;
        } else if let Some(text) = path.strip_prefix(b"/echo/") {
            self.head(200, text.len() as u64, c.close_after);
            if !head_only {
                self.resp.extend_from_slice(text);
            }
        } else if let Some(n) = path
            .strip_prefix(b"/bytes/")
            .and_then(|n| std::str::from_utf8(n).ok()?.parse::<u64>().ok())
        {
            self.head(200, n, c.close_after);
            if !head_only {
                c.bulk_left = n;
                c.bulk_off = 0;
            }
        } else {
            self.head(404, 0, c.close_after);
        }
        // Straight to the socket when nothing is queued before it: an idle connection
        // then keeps no buffer of its own.
        let mut sent = 0;
        if !backlog {
            while sent < self.resp.len() {
                match c.stream.write(&self.resp[sent..]) {
                    Ok(n) => sent += n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(_) => break,
                }
            }
        }
        c.out.extend_from_slice(&self.resp[sent..]);
    }

    fn head(&mut self, code: u16, len: u64, close: bool) {
        let reason = if code == 200 { "OK" } else { "Not Found" };
        let conn = if close { "Connection: close\r\n" } else { "" };
        let _ = write!(
            self.resp,
            "HTTP/1.1 {code} {reason}\r\nContent-Length: {len}\r\n{conn}\r\n"
        );
    }

    /// Sends pending bytes; true when everything (including a bulk body) is out.
    fn flush(&mut self, c: &mut Conn) -> io::Result<bool> {
        while !c.out.is_empty() {
            match c.stream.write(&c.out) {
                Ok(n) => {
                    c.out.drain(..n);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(false),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        if c.out.capacity() > 0 {
            c.out = Vec::new();
        }
        while c.bulk_left > 0 {
            let start = (c.bulk_off % PATTERN_PERIOD as u64) as usize;
            let take = (self.pattern.len() - start)
                .min(usize::try_from(c.bulk_left).unwrap_or(usize::MAX));
            match c.stream.write(&self.pattern[start..start + take]) {
                Ok(n) => {
                    c.bulk_left -= n as u64;
                    c.bulk_off += n as u64;
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(false),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(true)
    }
}

fn find_head_end(buf: &[u8]) -> Option<usize> {
    buf.windows(4).position(|w| w == b"\r\n\r\n").map(|p| p + 4)
}
