//! [`BlackHole`]: a loopback address that never answers a connection attempt.

use socket2::{Domain, Socket, Type};
use std::io;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

/// A loopback address whose connection attempts are never answered, as a dead host or a
/// black-holed IPv6 route looks to a client: the SYN is dropped, the attempt stays in
/// progress until the client gives up. Made without root and without a firewall: a
/// listener with a backlog of 0 whose accept queue is filled by one connection never
/// accepted. Linux drops every further SYN to a listener whose accept queue is full
/// (SYN cookies only help when the other queue, of half-open connections, overflows), and
/// the client retransmits its SYN at 1 s, 3 s, 7 s... into the same full queue.
///
/// [`verify`](BlackHole::verify) checks that this system behaves so, and fails with an
/// explanation otherwise: tests call it rather than trust it.
///
/// ```
/// use pollhttp_testserver::BlackHole;
/// let hole = BlackHole::bind("127.0.0.1:0".parse().unwrap())?;
/// hole.verify()?;
/// let timeout = std::time::Duration::from_millis(50);
/// let attempt = std::net::TcpStream::connect_timeout(&hole.addr(), timeout);
/// assert_eq!(attempt.unwrap_err().kind(), std::io::ErrorKind::TimedOut);
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct BlackHole {
    listener: TcpListener,
    /// The connection that fills the accept queue (never accepted, until `release`).
    filler: Option<TcpStream>,
    addr: SocketAddr,
}

impl BlackHole {
    /// Listens on `addr` (a loopback address; port 0 picks one) with a full accept queue.
    ///
    /// # Errors
    ///
    /// When the address cannot be bound (in use, or no IPv6 on the loopback interface).
    pub fn bind(addr: SocketAddr) -> io::Result<BlackHole> {
        let socket = Socket::new(Domain::for_address(addr), Type::STREAM, None)?;
        if addr.is_ipv6() {
            socket.set_only_v6(true)?;
        }
        socket.bind(&addr.into())?;
        socket.listen(0)?;
        let listener: TcpListener = socket.into();
        let addr = listener.local_addr()?;
        let filler = TcpStream::connect_timeout(&addr, Duration::from_secs(5))?;
        Ok(BlackHole {
            listener,
            filler: Some(filler),
            addr,
        })
    }

    /// The address that never answers.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Checks that a connection attempt to [`addr`](BlackHole::addr) stays unanswered
    /// for 200 ms.
    ///
    /// # Errors
    ///
    /// An error saying so when the system answered (or refused) it: then this system does
    /// not drop SYNs to a full accept queue, and tests that need an unanswered address
    /// cannot run here.
    pub fn verify(&self) -> io::Result<()> {
        let started = Instant::now();
        match TcpStream::connect_timeout(&self.addr, Duration::from_millis(200)) {
            Err(e) if e.kind() == io::ErrorKind::TimedOut => Ok(()),
            other => Err(io::Error::other(format!(
                "a connection attempt to {} (a listener with a full accept queue) was \
                 answered after {:?} ({:?}), but an unanswered address is needed: this \
                 system does not drop SYNs to a full accept queue as Linux does",
                self.addr,
                started.elapsed(),
                other.map(|_| "connected")
            ))),
        }
    }

    /// Makes room for one connection: the next SYN that arrives (a client retransmits its
    /// first after about a second) is answered, and that attempt connects. The connection
    /// is never served.
    ///
    /// # Errors
    ///
    /// When the queued connection cannot be accepted.
    pub fn release(&mut self) -> io::Result<()> {
        let (accepted, _) = self.listener.accept()?;
        // Both ends of the filler go; the kept ones would only hold descriptors.
        drop(accepted);
        self.filler = None;
        Ok(())
    }
}

impl std::fmt::Debug for BlackHole {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlackHole")
            .field("addr", &self.addr)
            .finish()
    }
}

/// How many sockets (of any process) are connecting (SYN sent) to `addr`, from the
/// kernel's table: what shows that a client closed the attempts it gave up on.
///
/// # Panics
/// Where Linux's `/proc/net/tcp` cannot be read (the test cannot check then).
pub fn syn_sent_to(addr: SocketAddr) -> usize {
    let (table, want) = match addr {
        SocketAddr::V4(a) => {
            let ip = u32::from_ne_bytes(a.ip().octets());
            ("/proc/net/tcp", format!("{ip:08X}:{:04X}", a.port()))
        }
        SocketAddr::V6(a) => {
            let o = a.ip().octets();
            let words: String = o
                .chunks(4)
                .map(|w| format!("{:08X}", u32::from_ne_bytes([w[0], w[1], w[2], w[3]])))
                .collect();
            ("/proc/net/tcp6", format!("{words}:{:04X}", a.port()))
        }
    };
    let text = std::fs::read_to_string(table).unwrap_or_else(|e| {
        panic!("cannot read {table} ({e}): counting connecting sockets needs Linux's /proc")
    });
    text.lines()
        .skip(1)
        .filter(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            // rem_address, and state 02: SYN_SENT
            f.get(2) == Some(&want.as_str()) && f.get(3) == Some(&"02")
        })
        .count()
}
