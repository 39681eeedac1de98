//! [`ScriptedServer`]: plays fixed scripts on loopback connections and records the requests.

use crate::pattern::pattern_slice;
use crate::reader::RequestReader;
use crate::step::Step;
use crate::wire::{content_length, has_token, IO_TIMEOUT};
use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, Ipv6Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// The largest request head a script reads.
const HEAD_LIMIT: usize = 1024 * 1024;
/// The largest chunked request body a script reads (decoded size).
const CHUNKED_BODY_LIMIT: u64 = 64 * 1024 * 1024;
/// How long [`ScriptedServer::finish`] waits for the scripts to end.
const FINISH_TIMEOUT: Duration = Duration::from_secs(30);
/// After `finish` is called, how long a connection the script still expects may take to arrive.
const FINISH_GRACE: Duration = Duration::from_millis(200);
/// How often the accept loop looks for a new connection.
const ACCEPT_POLL: Duration = Duration::from_millis(1);

/// State shared by the accept thread, the connection threads and the test.
#[derive(Default)]
struct Shared {
    /// Every recorded request with the index of the connection it came on.
    requests: Mutex<Vec<(usize, Vec<u8>)>>,
    recorded: Condvar,
    errors: Mutex<Vec<String>>,
    accepted: AtomicUsize,
    finishing: AtomicBool,
    abort: AtomicBool,
    /// Set once every script has ended.
    done: Mutex<bool>,
    done_changed: Condvar,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panicking test thread must not hide what was recorded.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shared {
    fn record(&self, connection: usize, request: Vec<u8>) {
        lock(&self.requests).push((connection, request));
        self.recorded.notify_all();
    }

    fn error(&self, message: String) {
        lock(&self.errors).push(message);
    }

    fn set_done(&self) {
        *lock(&self.done) = true;
        self.done_changed.notify_all();
    }

    /// Waits until every script has ended; false if `timeout` passed first.
    fn wait_done(&self, timeout: Duration) -> bool {
        let end = Instant::now() + timeout;
        let mut done = lock(&self.done);
        while !*done {
            let left = end.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            done = self
                .done_changed
                .wait_timeout(done, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        true
    }

    fn aborted(&self) -> bool {
        self.abort.load(Ordering::SeqCst)
    }

    /// Sleeps for `d`, returning early if the server is dropped.
    fn sleep(&self, d: Duration) {
        let end = Instant::now() + d;
        loop {
            let left = end.saturating_duration_since(Instant::now());
            if left.is_zero() || self.aborted() {
                return;
            }
            thread::sleep(left.min(Duration::from_millis(20)));
        }
    }
}

/// A loopback server that plays one script of [`Step`]s per accepted connection.
///
/// Connections are matched to scripts in accept order; each plays on its own thread, so a
/// client may hold one connection open while it opens the next. Once every script has its
/// connection the listener is closed, so further connection attempts are refused. Every
/// wait is bounded by [`IO_TIMEOUT`]; failures (a step that could not complete, a connection
/// that never came) are kept in [`errors`](ScriptedServer::errors) rather than panicking in
/// the server.
///
/// Dropping the server stops the scripts at their next step without waiting for them;
/// [`finish`](ScriptedServer::finish) waits for them instead.
pub struct ScriptedServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl ScriptedServer {
    /// Starts a server on `127.0.0.1` with an ephemeral port, one script per expected
    /// connection.
    ///
    /// # Panics
    /// If no loopback port can be bound (the test cannot run at all then).
    pub fn start(connections: Vec<Vec<Step>>) -> ScriptedServer {
        ScriptedServer::start_on((Ipv4Addr::LOCALHOST, 0).into(), connections)
            .unwrap_or_else(|e| panic!("cannot bind a loopback port on 127.0.0.1: {e}"))
    }

    /// Like [`start`](ScriptedServer::start) on `[::1]`; an error where IPv6 loopback is not
    /// available, so a test can skip.
    pub fn start_v6(connections: Vec<Vec<Step>>) -> io::Result<ScriptedServer> {
        ScriptedServer::start_on((Ipv6Addr::LOCALHOST, 0).into(), connections)
    }

    fn start_on(bind: SocketAddr, connections: Vec<Vec<Step>>) -> io::Result<ScriptedServer> {
        let listener = TcpListener::bind(bind)?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::default());
        let thread_shared = Arc::clone(&shared);
        let thread = thread::Builder::new()
            .name(format!("scripted-server-{}", addr.port()))
            .spawn(move || {
                accept_loop(listener, connections, &thread_shared);
                thread_shared.set_done();
            })?;
        Ok(ScriptedServer {
            addr,
            shared,
            thread: Some(thread),
        })
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Every request recorded so far (head and body bytes, as received), in the order they
    /// were read.
    pub fn requests(&self) -> Vec<Vec<u8>> {
        lock(&self.shared.requests)
            .iter()
            .map(|(_, r)| r.clone())
            .collect()
    }

    /// The requests recorded so far on the connection with this accept index (0 = first).
    pub fn connection_requests(&self, connection: usize) -> Vec<Vec<u8>> {
        lock(&self.shared.requests)
            .iter()
            .filter(|(c, _)| *c == connection)
            .map(|(_, r)| r.clone())
            .collect()
    }

    /// Waits until at least `n` requests are recorded or `timeout` passes, then returns
    /// them all (possibly fewer than `n`).
    pub fn wait_requests(&self, n: usize, timeout: Duration) -> Vec<Vec<u8>> {
        let end = Instant::now() + timeout;
        let mut guard = lock(&self.shared.requests);
        while guard.len() < n {
            let left = end.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            guard = self
                .shared
                .recorded
                .wait_timeout(guard, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        guard.iter().map(|(_, r)| r.clone()).collect()
    }

    /// How many connections have been accepted so far.
    pub fn connections_accepted(&self) -> usize {
        self.shared.accepted.load(Ordering::SeqCst)
    }

    /// What went wrong on the server side so far: steps that could not complete (with the
    /// connection index, step index and cause) and connections that never arrived.
    pub fn errors(&self) -> Vec<String> {
        lock(&self.shared.errors).clone()
    }

    /// Waits for every script to end and returns the recorded requests.
    ///
    /// Connections the scripts still expect are waited for only briefly (a client that is
    /// done will not make them); that shows in the errors and in
    /// [`connections_accepted`](ScriptedServer::connections_accepted).
    ///
    /// # Panics
    /// If the scripts are still running after 30 seconds, so that a broken test fails
    /// instead of hanging.
    pub fn finish(self) -> Vec<Vec<u8>> {
        self.finish_with_errors().0
    }

    /// Like [`finish`](ScriptedServer::finish), and also returns the final
    /// [`errors`](ScriptedServer::errors).
    ///
    /// # Panics
    /// As `finish`.
    pub fn finish_with_errors(mut self) -> (Vec<Vec<u8>>, Vec<String>) {
        self.shared.finishing.store(true, Ordering::SeqCst);
        if !self.shared.wait_done(FINISH_TIMEOUT) {
            panic!(
                "scripted server on {}: scripts still running after {FINISH_TIMEOUT:?}; errors so far: {:?}",
                self.addr,
                self.errors()
            );
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        (self.requests(), self.errors())
    }
}

impl Drop for ScriptedServer {
    fn drop(&mut self) {
        self.shared.finishing.store(true, Ordering::SeqCst);
        self.shared.abort.store(true, Ordering::SeqCst);
    }
}

fn accept_loop(listener: TcpListener, connections: Vec<Vec<Step>>, shared: &Arc<Shared>) {
    let mut workers = Vec::new();
    for (index, steps) in connections.into_iter().enumerate() {
        match accept_one(&listener, shared) {
            Ok(stream) => {
                shared.accepted.fetch_add(1, Ordering::SeqCst);
                let worker_shared = Arc::clone(shared);
                let spawned = thread::Builder::new()
                    .name(format!("scripted-conn-{index}"))
                    .spawn(move || play(index, stream, &steps, &worker_shared));
                match spawned {
                    Ok(w) => workers.push(w),
                    Err(e) => shared.error(format!("connection {index}: cannot spawn: {e}")),
                }
            }
            Err(why) => {
                shared.error(format!("connection {index}: {why}"));
                break;
            }
        }
    }
    // Refuse anything beyond the scripted connections.
    drop(listener);
    for w in workers {
        let _ = w.join();
    }
}

fn accept_one(listener: &TcpListener, shared: &Shared) -> Result<TcpStream, String> {
    let start = Instant::now();
    let mut finishing_since: Option<Instant> = None;
    loop {
        match listener.accept() {
            Ok((stream, _)) => {
                stream
                    .set_nonblocking(false)
                    .map_err(|e| format!("cannot configure the accepted socket: {e}"))?;
                return Ok(stream);
            }
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted
                ) => {}
            Err(e) => return Err(format!("accept failed: {e}")),
        }
        if shared.aborted() {
            return Err("never made (the server was dropped)".into());
        }
        if shared.finishing.load(Ordering::SeqCst)
            && finishing_since.get_or_insert_with(Instant::now).elapsed() >= FINISH_GRACE
        {
            return Err("never made (finish() was called first)".into());
        }
        if start.elapsed() >= IO_TIMEOUT {
            return Err(format!("no connection arrived within {IO_TIMEOUT:?}"));
        }
        thread::sleep(ACCEPT_POLL);
    }
}

/// What a step left the connection as.
enum Flow {
    Open,
    Closed,
}

fn play(index: usize, stream: TcpStream, steps: &[Step], shared: &Shared) {
    // Paced pieces must leave as separate segments, and no write may block forever.
    let _ = stream.set_nodelay(true);
    let _ = stream.set_read_timeout(Some(IO_TIMEOUT));
    let _ = stream.set_write_timeout(Some(IO_TIMEOUT));
    let mut reader = RequestReader::new(stream);
    for (i, step) in steps.iter().enumerate() {
        if shared.aborted() {
            return;
        }
        match run_step(index, &mut reader, step, shared) {
            Ok(Flow::Open) => {}
            Ok(Flow::Closed) => return,
            Err(e) => {
                shared.error(format!(
                    "connection {index}, step {i} ({}): {e}",
                    step.name()
                ));
                return;
            }
        }
    }
    close_gracefully(reader.stream());
}

fn run_step(
    index: usize,
    reader: &mut RequestReader,
    step: &Step,
    shared: &Shared,
) -> io::Result<Flow> {
    match step {
        Step::ReadHead => {
            let deadline = Some(Instant::now() + IO_TIMEOUT);
            let head = reader.read_head(HEAD_LIMIT, deadline)?.ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the client closed the connection without sending a request",
                )
            })?;
            let length = match content_length(&head) {
                Ok(l) => l,
                Err(m) => {
                    shared.record(index, head);
                    return Err(io::Error::new(io::ErrorKind::InvalidData, m));
                }
            };
            let chunked = length.is_none() && has_token(&head, "transfer-encoding", "chunked");
            let mut request = head;
            let body = match length {
                Some(n) => Some(reader.read_exact_bytes(n, deadline)),
                None if chunked => Some(reader.read_chunked_raw(CHUNKED_BODY_LIMIT, deadline)),
                None => None,
            };
            match body {
                Some(Ok(body)) => request.extend(body),
                Some(Err(e)) => {
                    shared.record(index, request);
                    return Err(e);
                }
                None => {}
            }
            shared.record(index, request);
            Ok(Flow::Open)
        }
        Step::Send(bytes) => {
            reader.stream().write_all(bytes)?;
            Ok(Flow::Open)
        }
        Step::SendPaced {
            bytes,
            piece,
            delay,
        } => {
            let mut pieces = bytes.chunks((*piece).max(1)).peekable();
            while let Some(p) = pieces.next() {
                reader.stream().write_all(p)?;
                if pieces.peek().is_some() {
                    shared.sleep(*delay);
                    if shared.aborted() {
                        return Ok(Flow::Closed);
                    }
                }
            }
            Ok(Flow::Open)
        }
        Step::SendPattern { len } => {
            let mut sink = PatternSink::new(reader.stream(), shared);
            let endless = len.is_none();
            sink.write_pattern(len.unwrap_or(u64::MAX)).or_else(|e| {
                if endless {
                    Ok(Flow::Closed)
                } else {
                    Err(e)
                }
            })
        }
        Step::SendChunkedPattern { chunk_size, chunks } => {
            let mut sink = PatternSink::new(reader.stream(), shared);
            let size = (*chunk_size).max(1);
            let line = format!("{size:x}\r\n");
            let mut left = chunks.unwrap_or(u64::MAX);
            let res = (|| {
                while left > 0 {
                    left -= 1;
                    sink.stream.write_all(line.as_bytes())?;
                    if let Flow::Closed = sink.write_pattern(size as u64)? {
                        return Ok(Flow::Closed);
                    }
                    sink.stream.write_all(b"\r\n")?;
                }
                sink.stream.write_all(b"0\r\n\r\n")?;
                Ok(Flow::Open)
            })();
            res.or_else(|e| {
                if chunks.is_none() {
                    Ok(Flow::Closed)
                } else {
                    Err(e)
                }
            })
        }
        Step::Sleep(d) => {
            shared.sleep(*d);
            Ok(Flow::Open)
        }
        Step::Close => {
            close_gracefully(reader.stream());
            Ok(Flow::Closed)
        }
        Step::Reset => {
            socket2::SockRef::from(reader.stream()).set_linger(Some(Duration::ZERO))?;
            // The socket closes with an RST when `reader` is dropped by the caller.
            Ok(Flow::Closed)
        }
        Step::ExpectClose => {
            let extra = reader.read_until_closed(Instant::now() + IO_TIMEOUT)?;
            if extra > 0 {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("the client sent {extra} more bytes instead of just closing"),
                ));
            }
            Ok(Flow::Closed)
        }
    }
}

/// Writes pattern bytes generated on the fly, continuing the pattern across calls.
struct PatternSink<'a> {
    stream: &'a TcpStream,
    shared: &'a Shared,
    offset: u64,
}

impl<'a> PatternSink<'a> {
    fn new(stream: &'a TcpStream, shared: &'a Shared) -> PatternSink<'a> {
        PatternSink {
            stream,
            shared,
            offset: 0,
        }
    }

    /// Writes the next `len` pattern bytes; `Closed` when the server is being dropped.
    fn write_pattern(&mut self, len: u64) -> io::Result<Flow> {
        let mut left = len;
        while left > 0 {
            if self.shared.aborted() {
                return Ok(Flow::Closed);
            }
            let want = usize::try_from(left).unwrap_or(usize::MAX).min(64 * 1024);
            let piece = pattern_slice(self.offset, want);
            let mut stream = self.stream;
            let n = stream.write(piece)?;
            if n == 0 {
                return Err(io::Error::new(io::ErrorKind::WriteZero, "write returned 0"));
            }
            self.offset += n as u64;
            left -= n as u64;
        }
        Ok(Flow::Open)
    }
}

/// Sends FIN, then discards whatever the client already sent, so that closing does not
/// turn into an RST because of unread data.
pub(crate) fn close_gracefully(stream: &TcpStream) {
    let _ = stream.shutdown(Shutdown::Write);
    if stream.set_nonblocking(true).is_ok() {
        let mut sink = [0u8; 16 * 1024];
        let mut budget: usize = 16 * 1024 * 1024;
        while budget > 0 {
            match (&*stream).read(&mut sink) {
                Ok(0) | Err(_) => break,
                Ok(n) => budget = budget.saturating_sub(n),
            }
        }
    }
}
