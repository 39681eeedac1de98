//! The one reused receive buffer each connection reads into.

use crate::StreamPeer;
use std::io;

/// Bulk reads land here; the protocol core parses straight out of it.
///
/// The buffer is allocated once per client and only grows when a response head is
/// larger than its capacity (bounded by `Limits::max_head_bytes`), so the steady path
/// allocates nothing.
pub(crate) struct RecvBuf {
    buf: Vec<u8>,
    start: usize,
    end: usize,
}

/// Default capacity: large enough that a bulk body arrives in few reads.
pub(crate) const RECV_BUF_SIZE: usize = 64 * 1024;

impl RecvBuf {
    pub(crate) fn new() -> RecvBuf {
        RecvBuf {
            buf: Vec::new(),
            start: 0,
            end: 0,
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

    /// Reads once from `stream` into free space, making at least `min_space` bytes free
    /// (growing the buffer only if `max_len` allows). Returns the byte count read.
    pub(crate) fn fill_from(
        &mut self,
        stream: &mut dyn StreamPeer,
        max_len: usize,
    ) -> io::Result<usize> {
        if self.buf.is_empty() {
            self.buf.resize(RECV_BUF_SIZE, 0);
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
        }
        let n = stream.read(&mut self.buf[self.end..])?;
        self.end += n;
        Ok(n)
    }
}
