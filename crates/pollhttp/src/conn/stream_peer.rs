//! The byte-stream seam under the client: plain TCP today, TLS and tunnels on top of it.

use std::io;
use std::net::TcpStream;
use std::time::Duration;

/// What a caller waits for on a stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Interest {
    /// Bytes to read (or end of stream).
    Read,
    /// Room to write.
    Write,
    /// Either.
    ReadWrite,
}

impl Interest {
    /// True when reading readiness is wanted.
    pub fn wants_read(self) -> bool {
        matches!(self, Interest::Read | Interest::ReadWrite)
    }

    /// True when writing readiness is wanted.
    pub fn wants_write(self) -> bool {
        matches!(self, Interest::Write | Interest::ReadWrite)
    }
}

/// A non-blocking byte stream the client talks HTTP over, like Godot's `StreamPeer`.
///
/// `read` and `write` never block: with nothing to do they return
/// [`io::ErrorKind::WouldBlock`]. `read` returning `Ok(0)` means the peer ended the
/// stream. [`wait`](StreamPeer::wait) is how blocking mode and
/// [`HttpClient::wait`](crate::HttpClient::wait) sleep without spinning.
///
/// Implemented for [`TcpStream`] (which must be in non-blocking mode); the TLS layer
/// wraps any `StreamPeer` in another. Bring your own with
/// [`HttpClient::set_connection`](crate::HttpClient::set_connection).
pub trait StreamPeer: Send {
    /// Reads available bytes into `buf`; `Ok(0)` is end of stream.
    #[doc(alias = "get_partial_data")]
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize>;

    /// Writes some of `buf`, returning how many bytes were taken.
    #[doc(alias = "put_partial_data")]
    fn write(&mut self, buf: &[u8]) -> io::Result<usize>;

    /// Writes from several buffers at once (one syscall where the stream allows).
    fn write_vectored(&mut self, bufs: &[io::IoSlice<'_>]) -> io::Result<usize> {
        match bufs.iter().find(|b| !b.is_empty()) {
            Some(b) => self.write(b),
            None => Ok(0),
        }
    }

    /// Pushes out anything buffered inside the stream (TLS records); `WouldBlock` if the
    /// socket is full.
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }

    /// Blocks until the stream is ready for `interest` or `timeout` passes (`None`: no
    /// limit). Returns `Ok(true)` when ready, `Ok(false)` on timeout. The default has no
    /// way to wait and reports ready at once after a short sleep, so that a caller loop
    /// over a custom stream does not spin a core.
    fn wait(&mut self, interest: Interest, timeout: Option<Duration>) -> io::Result<bool> {
        let _ = interest;
        std::thread::sleep(
            timeout
                .unwrap_or(Duration::from_millis(1))
                .min(Duration::from_millis(1)),
        );
        Ok(true)
    }

    /// Reads like [`read`](StreamPeer::read), but first waits up to `timeout` (`None`: no
    /// limit) for bytes, for a caller that would otherwise call
    /// [`wait`](StreamPeer::wait) and then `read`. Returns
    /// [`io::ErrorKind::WouldBlock`] when the time passed with nothing to read.
    ///
    /// The default is exactly that pair of calls; a stream that can wait and read in one
    /// system call overrides it.
    fn read_wait(&mut self, buf: &mut [u8], timeout: Option<Duration>) -> io::Result<usize> {
        if !self.wait(Interest::Read, timeout)? {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        self.read(buf)
    }

    /// True when bytes are already decoded and buffered inside the stream, so that a
    /// read will succeed without waiting on the socket.
    fn has_buffered_read(&self) -> bool {
        false
    }

    /// The socket's file descriptor, to register with the caller's own poller.
    #[cfg(unix)]
    fn raw_fd(&self) -> Option<std::os::fd::RawFd> {
        None
    }

    /// The socket's handle, to register with the caller's own poller: the Windows
    /// counterpart of `raw_fd`.
    #[cfg(windows)]
    fn raw_socket(&self) -> Option<std::os::windows::io::RawSocket> {
        None
    }

    /// The socket, borrowed (Windows): what a [`Poller`](crate::Poller) watches. The
    /// client keeps a duplicate of it (`WSADuplicateSocketW`), closed with the connection,
    /// for the poller's `WSAPoll` to borrow. `None`, the default: a poller reports the
    /// client every [`TICK`](crate::Poller::TICK) instead.
    #[cfg(windows)]
    fn socket(&self) -> Option<std::os::windows::io::BorrowedSocket<'_>> {
        None
    }

    /// Ends the stream in both directions (best effort).
    #[doc(alias = "disconnect_from_host")]
    fn shutdown(&mut self) {}

    /// The TLS version in use when this stream is TLS, else `None`.
    fn tls_version(&self) -> Option<crate::TlsVersion> {
        None
    }
}

/// Waits on one socket with poll(2), on Windows with `WSAPoll` (both through rustix).
#[cfg(any(unix, windows))]
pub(crate) fn wait_fd(
    fd: rustix::fd::BorrowedFd<'_>,
    interest: Interest,
    timeout: Option<Duration>,
) -> io::Result<bool> {
    use rustix::event::{poll, PollFd, PollFlags};
    let mut flags = PollFlags::empty();
    if interest.wants_read() {
        flags |= PollFlags::IN;
    }
    if interest.wants_write() {
        flags |= PollFlags::OUT;
    }
    let mut fds = [PollFd::new(&fd, flags)];
    let ts = timeout.map(poll_timespec);
    loop {
        match poll(&mut fds, ts.as_ref()) {
            Ok(n) => return Ok(n > 0),
            Err(rustix::io::Errno::INTR) => continue,
            Err(e) => return Err(e.into()),
        }
    }
}

/// A poll timeout as rustix takes it. `WSAPoll` takes whole milliseconds in an `i32`
/// (rustix rounds up), so on Windows a longer wait is cut to about 24 days: a wait that
/// ends early only reports "ready" early, which every caller's loop handles.
#[cfg(any(unix, windows))]
pub(crate) fn poll_timespec(t: Duration) -> rustix::event::Timespec {
    #[cfg(windows)]
    let t = t.min(Duration::from_millis(i32::MAX as u64));
    rustix::event::Timespec {
        tv_sec: t.as_secs().min(i64::MAX as u64) as i64,
        tv_nsec: t.subsec_nanos() as _,
    }
}

impl StreamPeer for TcpStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        io::Read::read(self, buf)
    }

    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        io::Write::write(self, buf)
    }

    fn write_vectored(&mut self, bufs: &[io::IoSlice<'_>]) -> io::Result<usize> {
        io::Write::write_vectored(self, bufs)
    }

    #[cfg(any(unix, windows))]
    fn wait(&mut self, interest: Interest, timeout: Option<Duration>) -> io::Result<bool> {
        use rustix::fd::AsFd;
        wait_fd(self.as_fd(), interest, timeout)
    }

    #[cfg(unix)]
    fn raw_fd(&self) -> Option<std::os::fd::RawFd> {
        use std::os::fd::AsRawFd;
        Some(self.as_raw_fd())
    }

    #[cfg(windows)]
    fn raw_socket(&self) -> Option<std::os::windows::io::RawSocket> {
        use std::os::windows::io::AsRawSocket;
        Some(self.as_raw_socket())
    }

    #[cfg(windows)]
    fn socket(&self) -> Option<std::os::windows::io::BorrowedSocket<'_>> {
        use std::os::windows::io::AsSocket;
        Some(self.as_socket())
    }

    fn shutdown(&mut self) {
        let _ = TcpStream::shutdown(self, std::net::Shutdown::Both);
    }
}

impl<T: StreamPeer + ?Sized> StreamPeer for Box<T> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        (**self).read(buf)
    }
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        (**self).write(buf)
    }
    fn write_vectored(&mut self, bufs: &[io::IoSlice<'_>]) -> io::Result<usize> {
        (**self).write_vectored(bufs)
    }
    fn flush(&mut self) -> io::Result<()> {
        (**self).flush()
    }
    fn wait(&mut self, interest: Interest, timeout: Option<Duration>) -> io::Result<bool> {
        (**self).wait(interest, timeout)
    }
    fn read_wait(&mut self, buf: &mut [u8], timeout: Option<Duration>) -> io::Result<usize> {
        (**self).read_wait(buf, timeout)
    }
    fn has_buffered_read(&self) -> bool {
        (**self).has_buffered_read()
    }
    #[cfg(unix)]
    fn raw_fd(&self) -> Option<std::os::fd::RawFd> {
        (**self).raw_fd()
    }
    #[cfg(windows)]
    fn raw_socket(&self) -> Option<std::os::windows::io::RawSocket> {
        (**self).raw_socket()
    }
    #[cfg(windows)]
    fn socket(&self) -> Option<std::os::windows::io::BorrowedSocket<'_>> {
        (**self).socket()
    }
    fn shutdown(&mut self) {
        (**self).shutdown()
    }
    fn tls_version(&self) -> Option<crate::TlsVersion> {
        (**self).tls_version()
    }
}
