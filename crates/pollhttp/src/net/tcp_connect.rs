//! TCP connections being opened without blocking: several addresses raced Happy Eyeballs
//! style (RFC 8305), every attempt a non-blocking socket, no thread per attempt.
//!
//! [`TcpConnect`] only starts, checks and closes attempts; when to start the next one is
//! the protocol core's call (its attempt delay and per-attempt limits, passed on by the
//! client as [`Expiry::NextAttempt`](crate::proto::Expiry::NextAttempt) and
//! [`Expiry::AttemptExpired`](crate::proto::Expiry::AttemptExpired)), except that a failed
//! attempt starts the next address at once.
//!
//! While one attempt is in progress the caller's poller watches its socket; from the
//! second one on, it watches one descriptor that stands for all of them: a readiness set
//! of the system (epoll, kqueue) holding every attempt's socket, readable when any of
//! them has news. So a caller with one descriptor per client (the
//! [`Poller`](crate::Poller), an engine's event loop on
//! [`HttpClient::raw_fd`](crate::HttpClient::raw_fd)) sees every attempt, and the common
//! case of one attempt costs no system call more.
//!
//! Windows has no readiness set that is itself a socket: there the caller's own poller is
//! given the oldest attempt's socket (`HttpClient::raw_socket`), while
//! [`wait`](TcpConnect::wait) and the [`Poller`](crate::Poller) poll every attempt's
//! socket at once with `WSAPoll`.

use std::fmt;
use std::io;
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use socket2::{Domain, Protocol, Socket, Type};

use crate::{Interest, SharedIoError};

/// What [`TcpConnect::poll`] found.
#[derive(Debug)]
pub(crate) enum ConnectPoll {
    /// Attempts are in progress.
    Pending,
    /// Connected: a non-blocking stream with `TCP_NODELAY` set.
    Connected(TcpStream),
    /// Every address failed; the error names the last one and what the system said.
    Failed(io::Error),
}

/// One TCP connect attempt to one address, as [`HttpClient::connect_attempts`] lists it:
/// for diagnostics (curl's `Trying 127.0.0.1:8080...` lines) and tests.
///
/// [`HttpClient::connect_attempts`]: crate::HttpClient::connect_attempts
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConnectAttempt {
    /// The address tried.
    pub addr: SocketAddr,
    /// When the attempt started, by the client's [`Clock`](crate::Clock).
    pub started: Instant,
    /// When it ended (connected, failed, timed out or abandoned); `None` while pending.
    pub ended: Option<Instant>,
    /// How it went.
    pub outcome: AttemptOutcome,
}

/// How a [`ConnectAttempt`] went.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AttemptOutcome {
    /// Still in progress.
    Pending,
    /// Connected: its socket is the connection.
    Connected,
    /// The system said no: refused, unreachable, no route, no IPv6 on this host...
    Failed(SharedIoError),
    /// Its [`connect`](crate::Timeouts::connect) limit expired first.
    TimedOut,
    /// Closed unfinished: another attempt connected first, or the connect ended (closed,
    /// `connect_total`).
    Abandoned,
}

/// For the protocol core: what happened to the attempts since it last heard.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AttemptEvent {
    /// Attempt number `attempt` started `at`; `more` says addresses remain after it.
    Started {
        attempt: usize,
        more: bool,
        at: Instant,
    },
    /// Attempt number `attempt` ended without a connection.
    Failed { attempt: usize },
}

/// Non-blocking TCP connect attempts to a list of addresses, in the order given; see the
/// module documentation.
///
/// The returned stream is non-blocking, has `TCP_NODELAY` on (requests go out as soon as
/// written) and is closed on `exec` (`FD_CLOEXEC`). Buffer sizes are left to the kernel,
/// whose autotuning does better than a fixed value. The attempts that lose are closed.
pub(crate) struct TcpConnect {
    addrs: Vec<SocketAddr>,
    next: usize,
    /// The attempts in progress, oldest first.
    pending: Vec<Attempt>,
    /// Every attempt started, by number.
    log: Vec<ConnectAttempt>,
    /// News for the core, drained by the client.
    events: Vec<AttemptEvent>,
    /// The last attempt to fail, and why: the final error names it.
    last_failure: Option<(SocketAddr, io::Error)>,
    /// Every pending attempt's socket in one readiness set, once two are in progress.
    #[cfg(unix)]
    set: Option<WatchSet>,
    taken: bool,
}

struct Attempt {
    socket: Socket,
    /// Its number: its place in the log.
    number: usize,
}

/// How many tried addresses the final error lists by name.
const LISTED_IN_ERROR: usize = 8;

impl TcpConnect {
    /// Starts connecting to the first address that accepts a connection attempt, at
    /// `now`; never blocks. An address whose attempt fails at once (no IPv6 on this host,
    /// say) is recorded and the next one is started, so the outcome is always read with
    /// [`poll`](TcpConnect::poll).
    pub(crate) fn start(addrs: Vec<SocketAddr>, now: Instant) -> TcpConnect {
        let mut connect = TcpConnect {
            addrs,
            next: 0,
            pending: Vec::new(),
            log: Vec::new(),
            events: Vec::new(),
            last_failure: None,
            #[cfg(unix)]
            set: None,
            taken: false,
        };
        connect.start_next(now);
        connect
    }

    /// Checks every attempt in progress, without blocking.
    ///
    /// The first one found connected wins: returned as [`ConnectPoll::Connected`] once,
    /// the others closed; later calls return [`ConnectPoll::Failed`] with
    /// [`io::ErrorKind::InvalidInput`], since the stream has been handed over. Each
    /// attempt found failed starts the next address at once. When no attempt is left in
    /// progress and no address remains, returns `Failed` (on this and every later call)
    /// with the kind of the last error and a message naming the last address, the
    /// system's error and the other addresses tried.
    pub(crate) fn poll(&mut self, now: Instant) -> ConnectPoll {
        if self.taken {
            return ConnectPoll::Failed(self.final_error());
        }
        #[cfg(unix)]
        if let Some(set) = &mut self.set {
            set.drain();
        }
        loop {
            let mut failed = 0;
            let mut i = 0;
            while i < self.pending.len() {
                match self.pending[i].check() {
                    Ok(false) => i += 1,
                    Ok(true) => {
                        let won = self.pending.remove(i);
                        return ConnectPoll::Connected(self.win(won, now));
                    }
                    Err(e) => {
                        let attempt = self.pending.remove(i);
                        self.forget(&attempt);
                        self.end(attempt.number, now, AttemptOutcome::Failed(e.into()));
                        failed += 1;
                    }
                }
            }
            if failed == 0 {
                break;
            }
            // Each failure starts the next address at once; those get checked too (on
            // loopback a connect may be over by now).
            let mut started = false;
            for _ in 0..failed {
                started |= self.start_next(now);
            }
            if !started {
                break;
            }
        }
        if self.pending.is_empty() && !self.has_more() {
            return ConnectPoll::Failed(self.final_error());
        }
        ConnectPoll::Pending
    }

    /// Starts the next address at `now`, keeping the attempts in progress (the core's
    /// attempt delay passed). Addresses whose attempt fails at once are recorded and
    /// skipped. Returns whether an attempt is now in progress that was not before.
    pub(crate) fn start_next(&mut self, now: Instant) -> bool {
        while let Some(&addr) = self.addrs.get(self.next) {
            let number = self.next;
            self.next += 1;
            debug_assert_eq!(number, self.log.len());
            self.log.push(ConnectAttempt {
                addr,
                started: now,
                ended: None,
                outcome: AttemptOutcome::Pending,
            });
            self.events.push(AttemptEvent::Started {
                attempt: number,
                more: self.has_more(),
                at: now,
            });
            match Attempt::start(addr, number) {
                Ok(attempt) => {
                    self.pending.push(attempt);
                    #[cfg(unix)]
                    self.watch_all();
                    return true;
                }
                Err(e) => self.end(number, now, AttemptOutcome::Failed(e.into())),
            }
        }
        false
    }

    /// Closes attempt number `attempt` at `now`, its connect limit expired (`why`), and
    /// starts the next address when no attempt is left in progress.
    pub(crate) fn expire(&mut self, attempt: usize, why: io::Error, now: Instant) {
        if let Some(i) = self.pending.iter().position(|a| a.number == attempt) {
            let a = self.pending.remove(i);
            self.forget(&a);
            self.end(attempt, now, AttemptOutcome::TimedOut);
            if let Some(entry) = self.log.get(attempt) {
                self.last_failure = Some((entry.addr, why));
            }
        }
        if self.pending.is_empty() {
            self.start_next(now);
        }
    }

    /// Ends the attempts still in progress at `now` with `outcome` (the connect as a whole
    /// ended) and returns the list of attempts.
    pub(crate) fn finish(&mut self, now: Instant, outcome: AttemptOutcome) -> Vec<ConnectAttempt> {
        for a in std::mem::take(&mut self.pending) {
            self.end(a.number, now, outcome.clone());
        }
        #[cfg(unix)]
        {
            self.set = None;
        }
        std::mem::take(&mut self.log)
    }

    /// Sleeps until an attempt in progress has finished (connected or failed) or `timeout`
    /// passes (`None`: no limit); then call [`poll`](TcpConnect::poll). Returns `Ok(true)`
    /// when there is something for `poll` to report, `Ok(false)` on timeout. With no
    /// attempt in progress it returns `Ok(true)` at once.
    pub(crate) fn wait(&self, timeout: Option<Duration>) -> io::Result<bool> {
        match self.pending.as_slice() {
            [] => Ok(true),
            [one] => one.wait(timeout),
            several => wait_all(several, timeout),
        }
    }

    /// Whether addresses remain that no attempt has tried.
    pub(crate) fn has_more(&self) -> bool {
        self.next < self.addrs.len()
    }

    /// Every attempt started so far, by number.
    pub(crate) fn attempts(&self) -> &[ConnectAttempt] {
        &self.log
    }

    /// The news for the core since the last call.
    pub(crate) fn drain_events(&mut self) -> std::vec::Drain<'_, AttemptEvent> {
        self.events.drain(..)
    }

    /// The descriptor for the caller's own poller: the one attempt's socket (wait to
    /// write), or with several in progress the set that holds them all (wait to read). It
    /// changes as attempts come and go.
    #[cfg(unix)]
    pub(crate) fn raw_fd(&self) -> Option<std::os::fd::RawFd> {
        use std::os::fd::AsRawFd;
        match &self.set {
            Some(set) => Some(set.poll.as_raw_fd()),
            None => self.pending.first().map(|a| a.socket.as_raw_fd()),
        }
    }

    /// The socket for the caller's own poller on Windows, which has no readiness set that
    /// is itself a socket: the oldest attempt in progress (wait to write). The client's
    /// own waits watch every attempt.
    #[cfg(windows)]
    pub(crate) fn raw_socket(&self) -> Option<std::os::windows::io::RawSocket> {
        use std::os::windows::io::AsRawSocket;
        self.pending.first().map(|a| a.socket.as_raw_socket())
    }

    /// Every attempt in progress, by number, with its socket borrowed: what a
    /// [`Poller`](crate::Poller) on Windows watches, all at once as [`wait`](TcpConnect::wait)
    /// does.
    #[cfg(windows)]
    pub(crate) fn for_each_socket(
        &self,
        f: &mut dyn FnMut(crate::client::SocketId, std::os::windows::io::BorrowedSocket<'_>),
    ) {
        use std::os::windows::io::AsSocket;
        for a in &self.pending {
            f(
                crate::client::SocketId::Attempt(a.number),
                a.socket.as_socket(),
            );
        }
    }

    /// The descriptor [`raw_fd`](TcpConnect::raw_fd) names, borrowed.
    #[cfg(all(test, unix))]
    pub(crate) fn watched_fd(&self) -> Option<std::os::fd::BorrowedFd<'_>> {
        use std::os::fd::AsFd;
        match &self.set {
            Some(set) => Some(set.poll.registry().as_fd()),
            None => self.pending.first().map(|a| a.socket.as_fd()),
        }
    }

    /// What [`raw_fd`](TcpConnect::raw_fd) is to be watched for.
    pub(crate) fn interest(&self) -> Interest {
        #[cfg(unix)]
        if self.set.is_some() {
            return Interest::Read;
        }
        Interest::Write
    }

    /// Records how attempt `number` ended.
    fn end(&mut self, number: usize, now: Instant, outcome: AttemptOutcome) {
        if let AttemptOutcome::Failed(e) = &outcome {
            self.events.push(AttemptEvent::Failed { attempt: number });
            if let Some(entry) = self.log.get(number) {
                self.last_failure = Some((entry.addr, crate::error::copy_io_error(e)));
            }
        }
        if let Some(entry) = self.log.get_mut(number) {
            entry.ended = Some(now);
            entry.outcome = outcome;
        }
    }

    /// `won` connected: the others are closed, the set with them.
    fn win(&mut self, won: Attempt, now: Instant) -> TcpStream {
        self.end(won.number, now, AttemptOutcome::Connected);
        for lost in std::mem::take(&mut self.pending) {
            self.end(lost.number, now, AttemptOutcome::Abandoned);
        }
        #[cfg(unix)]
        {
            self.set = None;
        }
        self.taken = true;
        won.socket.into()
    }

    /// Takes a closing attempt out of the set.
    fn forget(&mut self, _attempt: &Attempt) {
        #[cfg(unix)]
        if let Some(set) = &self.set {
            set.remove(&_attempt.socket);
        }
    }

    /// With two attempts or more in progress, every one of them is in the set (made now
    /// if need be). Without a set (the system refused one) the caller's poller watches the
    /// oldest attempt only, and the core's deadlines still move the others on.
    #[cfg(unix)]
    fn watch_all(&mut self) {
        if self.pending.len() < 2 {
            return;
        }
        match &self.set {
            Some(set) => {
                if let Some(newest) = self.pending.last() {
                    if set.add(&newest.socket).is_err() {
                        self.set = None;
                    }
                }
            }
            None => self.set = WatchSet::new(&self.pending).ok(),
        }
    }

    fn final_error(&self) -> io::Error {
        if self.taken {
            return io::Error::new(
                io::ErrorKind::InvalidInput,
                "the connection was already returned by poll()",
            );
        }
        let Some((last_addr, last_err)) = &self.last_failure else {
            return io::Error::new(io::ErrorKind::InvalidInput, "no address to connect to");
        };
        let tried: Vec<SocketAddr> = self
            .log
            .iter()
            .filter(|a| {
                matches!(
                    a.outcome,
                    AttemptOutcome::Failed(_) | AttemptOutcome::TimedOut
                )
            })
            .map(|a| a.addr)
            .collect();
        let failed = ConnectFailed {
            last_addr: *last_addr,
            last: crate::error::copy_io_error(last_err),
            listed: tried.iter().take(LISTED_IN_ERROR).copied().collect(),
            tried: tried.len(),
        };
        io::Error::new(last_err.kind(), failed)
    }
}

/// The order to try addresses in (RFC 8305 section 4): duplicates dropped, the families
/// interleaved, starting with the family of the first address (the resolver's
/// preference), each family keeping its own order.
///
/// ```text
/// [v6a, v6b, v6c, v4a, v4b] -> [v6a, v4a, v6b, v4b, v6c]
/// ```
pub(crate) fn interleave(addrs: Vec<SocketAddr>) -> Vec<SocketAddr> {
    let mut unique: Vec<SocketAddr> = Vec::with_capacity(addrs.len());
    for a in addrs {
        if !unique.contains(&a) {
            unique.push(a);
        }
    }
    let Some(first) = unique.first() else {
        return unique;
    };
    let preferred_v6 = first.is_ipv6();
    if unique.iter().all(|a| a.is_ipv6() == preferred_v6) {
        return unique;
    }
    let (mut preferred, mut other): (Vec<SocketAddr>, Vec<SocketAddr>) = unique
        .into_iter()
        .partition(|a| a.is_ipv6() == preferred_v6);
    let mut out = Vec::with_capacity(preferred.len() + other.len());
    preferred.reverse();
    other.reverse();
    loop {
        match (preferred.pop(), other.pop()) {
            (None, None) => return out,
            (a, b) => out.extend(a.into_iter().chain(b)),
        }
    }
}

/// What [`ConnectPoll::Failed`] carries inside its [`io::Error`] once every address has
/// failed: the message names the addresses, and the source is the last address's own
/// error, with the system's error code (the outer error, built here, has none).
#[derive(Debug)]
pub(crate) struct ConnectFailed {
    last_addr: SocketAddr,
    last: io::Error,
    /// The first addresses tried, at most [`LISTED_IN_ERROR`].
    listed: Vec<SocketAddr>,
    /// How many addresses were tried.
    tried: usize,
}

impl ConnectFailed {
    /// The error of the last address tried.
    pub(crate) fn last_error(&self) -> &io::Error {
        &self.last
    }
}

impl Clone for ConnectFailed {
    fn clone(&self) -> ConnectFailed {
        ConnectFailed {
            last_addr: self.last_addr,
            last: crate::error::copy_io_error(&self.last),
            listed: self.listed.clone(),
            tried: self.tried,
        }
    }
}

impl fmt::Display for ConnectFailed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "connect to {} failed: {}", self.last_addr, self.last)?;
        if self.tried > 1 {
            write!(f, " ({} addresses tried: ", self.tried)?;
            for (i, addr) in self.listed.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{addr}")?;
            }
            if self.tried > self.listed.len() {
                f.write_str(", ...")?;
            }
            f.write_str(")")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConnectFailed {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.last)
    }
}

impl fmt::Debug for TcpConnect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TcpConnect")
            .field("addrs", &self.addrs)
            .field("attempts", &self.log)
            .field("taken", &self.taken)
            .finish()
    }
}

impl Attempt {
    fn start(addr: SocketAddr, number: usize) -> io::Result<Attempt> {
        let socket = nonblocking_socket(Domain::for_address(addr))?;
        socket.set_tcp_nodelay(true)?;
        match socket.connect(&addr.into()) {
            Ok(()) => {}
            Err(e) if connect_in_progress(&e) => {}
            Err(e) => return Err(e),
        }
        Ok(Attempt { socket, number })
    }

    /// `Ok(true)` when connected, `Ok(false)` while in progress, `Err` when failed.
    ///
    /// A connected socket has a peer address, so asking for it first settles the common
    /// case (on loopback and fast networks the handshake is over by the first poll) in one
    /// system call; readiness and the pending error are looked at only when it is not
    /// connected yet.
    ///
    /// On Windows the pending error is looked at also when the socket is not ready:
    /// `WSAPoll` before Windows 10 version 2004 does not report a failed connect.
    #[cfg(any(unix, windows))]
    fn check(&self) -> io::Result<bool> {
        if self.socket.peer_addr().is_ok() {
            return Ok(true);
        }
        if !self.wait(Some(Duration::ZERO))? {
            #[cfg(windows)]
            if let Some(e) = self.socket.take_error()? {
                return Err(e);
            }
            return Ok(false);
        }
        if let Some(e) = self.socket.take_error()? {
            return Err(e);
        }
        // Ready without an error: the handshake may have finished since the first look. If
        // it is still not connected, the attempt is over.
        self.socket.peer_addr().map(|_| true)
    }

    /// `Ok(true)` when connected, `Ok(false)` while in progress, `Err` when failed.
    #[cfg(not(any(unix, windows)))]
    fn check(&self) -> io::Result<bool> {
        if let Some(e) = self.socket.take_error()? {
            return Err(e);
        }
        match self.socket.peer_addr() {
            Ok(_) => Ok(true),
            // Without a readiness check, not connected yet means still in progress.
            Err(e) if e.kind() == io::ErrorKind::NotConnected => Ok(false),
            Err(e) => Err(e),
        }
    }

    #[cfg(any(unix, windows))]
    fn wait(&self, timeout: Option<Duration>) -> io::Result<bool> {
        use rustix::fd::AsFd;
        crate::conn::wait_fd(self.socket.as_fd(), crate::conn::Interest::Write, timeout)
    }

    #[cfg(not(any(unix, windows)))]
    fn wait(&self, timeout: Option<Duration>) -> io::Result<bool> {
        nap(timeout)
    }
}

/// Waits with poll(2) (on Windows `WSAPoll`) until one of `attempts` is ready to write
/// (connected or failed).
#[cfg(any(unix, windows))]
fn wait_all(attempts: &[Attempt], timeout: Option<Duration>) -> io::Result<bool> {
    use rustix::event::{poll, PollFd, PollFlags};
    let mut fds: Vec<PollFd<'_>> = attempts
        .iter()
        .map(|a| PollFd::new(&a.socket, PollFlags::OUT))
        .collect();
    let ts = timeout.map(crate::conn::poll_timespec);
    loop {
        match poll(&mut fds, ts.as_ref()) {
            Ok(n) => return Ok(n > 0),
            Err(rustix::io::Errno::INTR) => continue,
            Err(e) => return Err(e.into()),
        }
    }
}

#[cfg(not(any(unix, windows)))]
fn wait_all(_attempts: &[Attempt], timeout: Option<Duration>) -> io::Result<bool> {
    nap(timeout)
}

/// No portable readiness wait here: nap briefly so a caller's loop cannot spin.
#[cfg(not(any(unix, windows)))]
fn nap(timeout: Option<Duration>) -> io::Result<bool> {
    let nap = Duration::from_millis(1);
    std::thread::sleep(timeout.map_or(nap, |t| t.min(nap)));
    Ok(true)
}

/// The sockets of the attempts in progress in one readiness set of the system (epoll,
/// kqueue): its descriptor is readable while any of them has news, which is what a
/// caller's poller watching one descriptor per client needs.
#[cfg(unix)]
struct WatchSet {
    poll: mio::Poll,
    events: mio::Events,
}

#[cfg(unix)]
impl WatchSet {
    fn new(attempts: &[Attempt]) -> io::Result<WatchSet> {
        let set = WatchSet {
            poll: mio::Poll::new()?,
            events: mio::Events::with_capacity(8),
        };
        for a in attempts {
            set.add(&a.socket)?;
        }
        Ok(set)
    }

    fn add(&self, socket: &Socket) -> io::Result<()> {
        use std::os::fd::AsRawFd;
        let fd = socket.as_raw_fd();
        self.poll.registry().register(
            &mut mio::unix::SourceFd(&fd),
            mio::Token(0),
            mio::Interest::WRITABLE,
        )
    }

    fn remove(&self, socket: &Socket) {
        use std::os::fd::AsRawFd;
        let fd = socket.as_raw_fd();
        // Closing the socket would take it out as well.
        let _ = self
            .poll
            .registry()
            .deregister(&mut mio::unix::SourceFd(&fd));
    }

    /// Takes the set's pending news, so that its descriptor goes quiet until the next;
    /// the attempts themselves are then checked one by one.
    fn drain(&mut self) {
        let _ = self.poll.poll(&mut self.events, Some(Duration::ZERO));
    }
}

/// A non-blocking TCP socket. socket2 opens it with close-on-exec set (in the same call
/// where the system allows); where the system has `SOCK_NONBLOCK`, non-blocking is asked
/// for in that call too, saving the two `fcntl` calls of `set_nonblocking`.
fn nonblocking_socket(domain: Domain) -> io::Result<Socket> {
    let ty = Type::STREAM;
    #[cfg(any(
        target_os = "android",
        target_os = "dragonfly",
        target_os = "freebsd",
        target_os = "illumos",
        target_os = "linux",
        target_os = "netbsd",
        target_os = "openbsd",
    ))]
    let ty = ty.nonblocking();
    let socket = Socket::new(domain, ty, Some(Protocol::TCP))?;
    if ty == Type::STREAM {
        socket.set_nonblocking(true)?;
    }
    Ok(socket)
}

fn connect_in_progress(e: &io::Error) -> bool {
    if e.kind() == io::ErrorKind::WouldBlock {
        return true;
    }
    #[cfg(unix)]
    {
        use rustix::io::Errno;
        // EINTR on a non-blocking connect: the attempt goes on in the background.
        let code = e.raw_os_error();
        code == Some(Errno::INPROGRESS.raw_os_error()) || code == Some(Errno::INTR.raw_os_error())
    }
    #[cfg(not(unix))]
    false
}

#[cfg(test)]
mod tests;
