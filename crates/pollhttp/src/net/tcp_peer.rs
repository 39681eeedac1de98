//! The connected TCP socket the client talks over, with one system call per blocking read.
//!
//! A non-blocking descriptor can only wait through poll(2), so a caller that is about to
//! block anyway (blocking mode, or [`HttpClient::wait`](crate::HttpClient::wait) while a
//! response is due) would pay two calls per read: the wait and the read. Once a
//! connection has shown that it is used for such waits, [`TcpPeer`] turns its descriptor
//! blocking with a receive timeout of [`SLICE`], and from then on a blocking read is one
//! `recv`. Every other operation passes `MSG_DONTWAIT` itself, so `read` and `write`
//! never block whatever the descriptor's mode, and epoll (the [`Poller`](crate::Poller),
//! a caller's own loop on [`raw_fd`](crate::StreamPeer::raw_fd)) works unchanged.
//!
//! A wait never outlasts its timeout: a blocking `recv` is only issued when at least
//! [`SLICE`] is left; closer to the end the wait goes through poll(2) for exactly what is
//! left.

use std::io;
use std::net::TcpStream;
use std::time::Duration;

use crate::conn::StreamPeer;

/// The receive timeout of a blocking descriptor: the longest one `recv` may block before
/// the caller's deadline is looked at again.
#[cfg(any(target_os = "linux", target_os = "android"))]
const SLICE: Duration = Duration::from_secs(1);

/// How many waits a connection takes through poll(2) before its descriptor turns
/// blocking (two system calls, once): a connection used for one or two exchanges never
/// pays for the switch.
#[cfg(any(target_os = "linux", target_os = "android"))]
const WAITS_BEFORE_SWITCH: u8 = 2;

/// A connected TCP stream; see the module documentation.
#[cfg_attr(not(any(target_os = "linux", target_os = "android")), allow(dead_code))]
pub(crate) struct TcpPeer {
    stream: TcpStream,
    /// The descriptor is in blocking mode (with `SO_RCVTIMEO` = [`SLICE`]).
    blocking_fd: bool,
    /// Waits taken through poll(2) so far, up to [`WAITS_BEFORE_SWITCH`].
    polled_waits: u8,
}

impl TcpPeer {
    /// Wraps a connected, non-blocking stream.
    pub(crate) fn new(stream: TcpStream) -> TcpPeer {
        TcpPeer {
            stream,
            blocking_fd: false,
            polled_waits: 0,
        }
    }
}

#[cfg(any(target_os = "linux", target_os = "android"))]
impl TcpPeer {
    fn recv_nowait(&self, buf: &mut [u8]) -> io::Result<usize> {
        use rustix::net::{recv, RecvFlags};
        loop {
            match recv(&self.stream, &mut *buf, RecvFlags::DONTWAIT) {
                Ok((n, _)) => return Ok(n),
                Err(rustix::io::Errno::INTR) => continue,
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Turns the descriptor blocking for the rest of the connection. On failure it stays
    /// non-blocking and waits keep going through poll(2).
    fn switch_to_blocking(&mut self) -> bool {
        use rustix::net::sockopt::{set_socket_timeout, Timeout};
        if set_socket_timeout(&self.stream, Timeout::Recv, Some(SLICE)).is_err() {
            return false;
        }
        if rustix::io::ioctl_fionbio(&self.stream, false).is_err() {
            return false;
        }
        self.blocking_fd = true;
        true
    }
}

impl StreamPeer for TcpPeer {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.recv_nowait(buf)
    }

    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        io::Read::read(&mut self.stream, buf)
    }

    #[cfg(any(target_os = "linux", target_os = "android"))]
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        use rustix::net::{send, SendFlags};
        loop {
            match send(&self.stream, buf, SendFlags::DONTWAIT | SendFlags::NOSIGNAL) {
                Ok(n) => return Ok(n),
                Err(rustix::io::Errno::INTR) => continue,
                Err(e) => return Err(e.into()),
            }
        }
    }

    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        io::Write::write(&mut self.stream, buf)
    }

    #[cfg(any(target_os = "linux", target_os = "android"))]
    fn write_vectored(&mut self, bufs: &[io::IoSlice<'_>]) -> io::Result<usize> {
        use rustix::net::{sendmsg, SendAncillaryBuffer, SendFlags};
        loop {
            let mut control = SendAncillaryBuffer::default();
            match sendmsg(
                &self.stream,
                bufs,
                &mut control,
                SendFlags::DONTWAIT | SendFlags::NOSIGNAL,
            ) {
                Ok(n) => return Ok(n),
                Err(rustix::io::Errno::INTR) => continue,
                Err(e) => return Err(e.into()),
            }
        }
    }

    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    fn write_vectored(&mut self, bufs: &[io::IoSlice<'_>]) -> io::Result<usize> {
        io::Write::write_vectored(&mut self.stream, bufs)
    }

    #[cfg(any(target_os = "linux", target_os = "android"))]
    fn read_wait(&mut self, buf: &mut [u8], timeout: Option<Duration>) -> io::Result<usize> {
        use std::time::Instant;
        if !self.blocking_fd {
            let short = timeout.is_some_and(|t| t < SLICE);
            if short || self.polled_waits < WAITS_BEFORE_SWITCH || !self.switch_to_blocking() {
                self.polled_waits = self.polled_waits.saturating_add(1);
                if !self.wait(crate::Interest::Read, timeout)? {
                    return Err(io::ErrorKind::WouldBlock.into());
                }
                return self.recv_nowait(buf);
            }
        }
        let deadline = timeout.and_then(|t| Instant::now().checked_add(t));
        loop {
            if let Some(d) = deadline {
                let left = d.saturating_duration_since(Instant::now());
                if left < SLICE {
                    // Too close to the end for a whole slice: wait for exactly what is left.
                    if !self.wait(crate::Interest::Read, Some(left))? {
                        return Err(io::ErrorKind::WouldBlock.into());
                    }
                    return self.recv_nowait(buf);
                }
            }
            match rustix::net::recv(&self.stream, &mut *buf, rustix::net::RecvFlags::empty()) {
                Ok((n, _)) => return Ok(n),
                // EAGAIN: a slice ran out with nothing received; look at the deadline.
                Err(rustix::io::Errno::AGAIN | rustix::io::Errno::INTR) => continue,
                Err(e) => return Err(e.into()),
            }
        }
    }

    #[cfg(any(unix, windows))]
    fn wait(&mut self, interest: crate::Interest, timeout: Option<Duration>) -> io::Result<bool> {
        self.stream.wait(interest, timeout)
    }

    #[cfg(unix)]
    fn raw_fd(&self) -> Option<std::os::fd::RawFd> {
        StreamPeer::raw_fd(&self.stream)
    }

    #[cfg(windows)]
    fn raw_socket(&self) -> Option<std::os::windows::io::RawSocket> {
        StreamPeer::raw_socket(&self.stream)
    }

    #[cfg(windows)]
    fn socket(&self) -> Option<std::os::windows::io::BorrowedSocket<'_>> {
        StreamPeer::socket(&self.stream)
    }

    fn shutdown(&mut self) {
        StreamPeer::shutdown(&mut self.stream)
    }
}

#[cfg(test)]
mod tests;
