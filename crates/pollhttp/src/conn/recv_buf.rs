//! The one reused receive buffer each connection reads into.

use crate::StreamPeer;
use std::io;
use std::time::Duration;

/// Response heads and small bodies land here; the protocol core parses straight out of it.
///
/// Allocated on first use at [`RECV_BUF_INITIAL`], which holds a typical response, so an
/// idle keep-alive connection keeps little memory. It grows (doubling) when a response
/// head does not fit (bounded by `Limits::max_head_bytes`), and to [`RECV_BUF_SIZE`] at
/// once when a read fills all its free space, a sign of bulk data flowing through it (a
/// body read in small pieces, or small chunks). It never shrinks, so once warm the steady
/// path allocates nothing. Large body reads bypass it and go straight into the caller's
/// buffer.
pub(crate) struct RecvBuf {
    buf: Vec<u8>,
    start: usize,
    end: usize,
    /// The last read filled every free byte: more was probably waiting in the socket.
    last_read_filled: bool,
}

/// Capacity on first use.
pub(crate) const RECV_BUF_INITIAL: usize = 4 * 1024;

/// Capacity once bulk data flows through the buffer: large enough that a body read in
/// small pieces arrives in few system calls.
pub(crate) const RECV_BUF_SIZE: usize = 64 * 1024;

impl RecvBuf {
    pub(crate) fn new() -> RecvBuf {
        RecvBuf {
            buf: Vec::new(),
            start: 0,
            end: 0,
            last_read_filled: false,
        }
    }

    pub(crate) fn filled(&self) -> &[u8] {
        &self.buf[self.start..self.end]
    }

    pub(crate) fn len(&self) -> usize {
        self.end - self.start
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.start == self.end
    }

    pub(crate) fn consume(&mut self, n: usize) {
        self.start = (self.start + n).min(self.end);
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        }
    }

    pub(crate) fn clear(&mut self) {
        self.start = 0;
        self.end = 0;
    }

    /// Reads once from `stream` into free space, growing the buffer when it is full (up
    /// to `max_len`, or the bulk size if that is larger). Returns the byte count read.
    pub(crate) fn fill_from(
        &mut self,
        stream: &mut dyn StreamPeer,
        max_len: usize,
    ) -> io::Result<usize> {
        self.fill_with(max_len, |buf| stream.read(buf))
    }

    /// As [`fill_from`](RecvBuf::fill_from), but the read may first wait up to `timeout`
    /// for bytes ([`StreamPeer::read_wait`]).
    pub(crate) fn fill_waiting(
        &mut self,
        stream: &mut dyn StreamPeer,
        max_len: usize,
        timeout: Option<Duration>,
    ) -> io::Result<usize> {
        self.fill_with(max_len, |buf| stream.read_wait(buf, timeout))
    }

    fn fill_with(
        &mut self,
        max_len: usize,
        read: impl FnOnce(&mut [u8]) -> io::Result<usize>,
    ) -> io::Result<usize> {
        if self.buf.is_empty() {
            self.buf.resize(RECV_BUF_INITIAL, 0);
        }
        if self.end == self.buf.len() && self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if self.end == self.buf.len() {
            let grown = (self.buf.len() * 2).min(max_len.max(RECV_BUF_SIZE));
            if grown <= self.buf.len() {
                return Err(io::Error::new(
                    io::ErrorKind::OutOfMemory,
                    "receive buffer is full",
                ));
            }
            self.buf.resize(grown, 0);
        } else if self.last_read_filled && self.buf.len() < RECV_BUF_SIZE {
            // Straight to the bulk size: one reallocation in a connection's life.
            self.buf.resize(RECV_BUF_SIZE, 0);
        }
        let room = self.buf.len() - self.end;
        let n = read(&mut self.buf[self.end..])?;
        self.last_read_filled = n == room;
        self.end += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hands out `left` bytes, at most `per_read` per call.
    struct Source {
        left: usize,
        per_read: usize,
    }

    impl StreamPeer for Source {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.left == 0 {
                return Err(io::ErrorKind::WouldBlock.into());
            }
            let n = buf.len().min(self.per_read).min(self.left);
            buf[..n].fill(b'x');
            self.left -= n;
            Ok(n)
        }
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            Ok(buf.len())
        }
    }

    #[test]
    fn starts_small_and_stays_small_for_small_reads() {
        let mut r = RecvBuf::new();
        assert_eq!(
            r.buf.capacity(),
            0,
            "nothing allocated before the first read"
        );
        let mut s = Source {
            left: 100_000,
            per_read: 300,
        };
        for _ in 0..50 {
            assert_eq!(r.fill_from(&mut s, 0).unwrap(), 300);
            r.consume(300);
        }
        assert_eq!(r.buf.len(), RECV_BUF_INITIAL);
    }

    #[test]
    fn grows_for_bulk_to_the_bulk_size() {
        let mut r = RecvBuf::new();
        let mut s = Source {
            left: usize::MAX,
            per_read: usize::MAX,
        };
        let mut sizes = Vec::new();
        for _ in 0..4 {
            let n = r.fill_from(&mut s, 0).unwrap();
            sizes.push(n);
            r.consume(n);
        }
        assert_eq!(
            sizes,
            [
                RECV_BUF_INITIAL,
                RECV_BUF_SIZE,
                RECV_BUF_SIZE,
                RECV_BUF_SIZE
            ]
        );
    }

    #[test]
    fn a_large_head_grows_past_the_bulk_size_within_its_limit() {
        let mut r = RecvBuf::new();
        let mut s = Source {
            left: 200_000,
            per_read: usize::MAX,
        };
        // Nothing is consumed, as while a head is incomplete.
        while r.len() < 100_000 {
            r.fill_from(&mut s, 100_000).unwrap();
        }
        assert_eq!(r.len(), 100_000);
        let err = r.fill_from(&mut s, 100_000).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::OutOfMemory);
    }
}
