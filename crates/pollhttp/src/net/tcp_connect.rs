//! A TCP connection being opened without blocking, one address after another.

use std::fmt;
use std::io;
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use socket2::{Domain, Protocol, Socket, Type};

/// What [`TcpConnect::poll`] found.
#[derive(Debug)]
pub enum ConnectPoll {
    /// The current attempt is still in progress.
    Pending,
    /// Connected: a non-blocking stream with `TCP_NODELAY` set.
    Connected(TcpStream),
    /// Every address failed; the error names the last one and what the system said.
    Failed(io::Error),
}

/// A non-blocking TCP connect that tries each address in turn, in the order given, and
/// moves to the next one when an attempt fails (at once or later).
///
/// The returned stream is non-blocking, has `TCP_NODELAY` on (requests go out as soon as
/// written) and is closed on `exec` (`FD_CLOEXEC`). Buffer sizes are left to the kernel,
/// whose autotuning does better than a fixed value.
///
/// ```text
/// use pollhttp::net::{ConnectPoll, TcpConnect};
/// use std::net::TcpListener;
/// use std::time::Duration;
///
/// let listener = TcpListener::bind("127.0.0.1:0")?;
/// let mut connect = TcpConnect::start(vec![listener.local_addr()?]);
/// let stream = loop {
///     match connect.poll() {
///         ConnectPoll::Pending => {
///             connect.wait(Some(Duration::from_secs(5)))?;
///         }
///         ConnectPoll::Connected(stream) => break stream,
///         ConnectPoll::Failed(e) => return Err(e),
///     }
/// };
/// assert_eq!(stream.peer_addr()?, listener.local_addr()?);
/// ```
pub struct TcpConnect {
    addrs: Vec<SocketAddr>,
    next: usize,
    current: Option<Attempt>,
    failures: Vec<(SocketAddr, io::Error)>,
    taken: bool,
}

struct Attempt {
    socket: Socket,
    addr: SocketAddr,
}

/// How many tried addresses the final error lists by name.
const LISTED_IN_ERROR: usize = 8;

impl TcpConnect {
    /// Starts connecting to the first address that accepts a connection attempt; never
    /// blocks. An address whose attempt fails at once (no IPv6 on this host, say) is
    /// recorded and the next one is started, so the outcome is always read with
    /// [`poll`](TcpConnect::poll).
    pub fn start(addrs: Vec<SocketAddr>) -> TcpConnect {
        let mut connect = TcpConnect {
            addrs,
            next: 0,
            current: None,
            failures: Vec::new(),
            taken: false,
        };
        connect.start_next();
        connect
    }

    /// Checks whether the current attempt has finished, without blocking.
    ///
    /// On success returns [`ConnectPoll::Connected`] once; later calls return
    /// [`ConnectPoll::Failed`] with [`io::ErrorKind::InvalidInput`], since the stream
    /// has been handed over. When an attempt fails the next address is started at once.
    /// When none is left, returns `Failed` (on this and every later call) with the kind
    /// of the last error and a message naming the last address, the system's error and
    /// the other addresses tried; [`failures`](TcpConnect::failures) has every one.
    pub fn poll(&mut self) -> ConnectPoll {
        loop {
            let Some(attempt) = &self.current else {
                return ConnectPoll::Failed(self.final_error());
            };
            match attempt.check() {
                Ok(false) => return ConnectPoll::Pending,
                Ok(true) => {
                    let Some(attempt) = self.current.take() else {
                        return ConnectPoll::Pending;
                    };
                    self.taken = true;
                    return ConnectPoll::Connected(attempt.socket.into());
                }
                Err(e) => self.skip_current(e),
            }
        }
    }

    /// Sleeps until the current attempt has finished (connected or failed) or `timeout`
    /// passes (`None`: no limit); then call [`poll`](TcpConnect::poll). Returns
    /// `Ok(true)` when there is something for `poll` to report, `Ok(false)` on timeout.
    /// With no attempt in progress it returns `Ok(true)` at once.
    pub fn wait(&self, timeout: Option<Duration>) -> io::Result<bool> {
        match &self.current {
            Some(attempt) => attempt.wait(timeout),
            None => Ok(true),
        }
    }

    /// Abandons the attempt in progress, recording `why` as its failure, and starts the
    /// next address. This is how a caller applies its own per-address connect timeout.
    pub fn skip_current(&mut self, why: io::Error) {
        if let Some(attempt) = self.current.take() {
            self.failures.push((attempt.addr, why));
        }
        self.start_next();
    }

    /// Whether addresses remain to be tried after the current attempt.
    pub fn has_more(&self) -> bool {
        self.next < self.addrs.len()
    }

    /// The address being tried now, if an attempt is in progress.
    pub fn current_addr(&self) -> Option<SocketAddr> {
        self.current.as_ref().map(|a| a.addr)
    }

    /// The file descriptor of the attempt in progress, to register with the caller's own
    /// poller (wait for writability). It changes when the next address is tried.
    #[cfg(unix)]
    pub fn raw_fd(&self) -> Option<std::os::fd::RawFd> {
        use std::os::fd::AsRawFd;
        self.current.as_ref().map(|a| a.socket.as_raw_fd())
    }

    /// The addresses that failed so far, in order, each with its error.
    pub fn failures(&self) -> &[(SocketAddr, io::Error)] {
        &self.failures
    }

    fn start_next(&mut self) {
        while let Some(&addr) = self.addrs.get(self.next) {
            self.next += 1;
            match Attempt::start(addr) {
                Ok(attempt) => {
                    self.current = Some(attempt);
                    return;
                }
                Err(e) => self.failures.push((addr, e)),
            }
        }
    }

    fn final_error(&self) -> io::Error {
        if self.taken {
            return io::Error::new(
                io::ErrorKind::InvalidInput,
                "the connection was already returned by poll()",
            );
        }
        let Some((last_addr, last_err)) = self.failures.last() else {
            return io::Error::new(io::ErrorKind::InvalidInput, "no address to connect to");
        };
        let failed = ConnectFailed {
            last_addr: *last_addr,
            last: crate::error::copy_io_error(last_err),
            listed: self
                .failures
                .iter()
                .take(LISTED_IN_ERROR)
                .map(|(a, _)| *a)
                .collect(),
            tried: self.failures.len(),
        };
        io::Error::new(last_err.kind(), failed)
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
            .field("current", &self.current_addr())
            .field("failures", &self.failures)
            .field("taken", &self.taken)
            .finish()
    }
}

impl Attempt {
    fn start(addr: SocketAddr) -> io::Result<Attempt> {
        let socket = nonblocking_socket(Domain::for_address(addr))?;
        socket.set_tcp_nodelay(true)?;
        match socket.connect(&addr.into()) {
            Ok(()) => {}
            Err(e) if connect_in_progress(&e) => {}
            Err(e) => return Err(e),
        }
        Ok(Attempt { socket, addr })
    }

    /// `Ok(true)` when connected, `Ok(false)` while in progress, `Err` when failed.
    ///
    /// A connected socket has a peer address, so asking for it first settles the common
    /// case (on loopback and fast networks the handshake is over by the first poll) in one
    /// system call; readiness and the pending error are looked at only when it is not
    /// connected yet.
    #[cfg(unix)]
    fn check(&self) -> io::Result<bool> {
        if self.socket.peer_addr().is_ok() {
            return Ok(true);
        }
        if !self.wait(Some(Duration::ZERO))? {
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
    #[cfg(not(unix))]
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

    #[cfg(unix)]
    fn wait(&self, timeout: Option<Duration>) -> io::Result<bool> {
        use std::os::fd::AsFd;
        crate::conn::wait_fd(self.socket.as_fd(), crate::conn::Interest::Write, timeout)
    }

    #[cfg(not(unix))]
    fn wait(&self, timeout: Option<Duration>) -> io::Result<bool> {
        // No portable readiness wait here: nap briefly so a caller's loop cannot spin.
        let nap = Duration::from_millis(1);
        std::thread::sleep(timeout.map_or(nap, |t| t.min(nap)));
        Ok(true)
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
