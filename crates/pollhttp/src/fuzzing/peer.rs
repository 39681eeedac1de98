//! An in-memory server connection that serves fixed bytes at chosen split points.

use super::Splits;
use crate::{Interest, StreamPeer};
use std::io;
use std::time::Duration;

/// A [`StreamPeer`] that plays a server's bytes from memory: each segment (cut by
/// [`Splits`]) is readable after one `WouldBlock`, as if it arrived in its own packet, and
/// the end of the bytes is a clean close or a reset. Writes are taken whole, or (when
/// asked) a few bytes at a time with `WouldBlock` in between. `wait` never sleeps.
#[derive(Debug)]
pub struct MemoryPeer {
    data: Vec<u8>,
    pos: usize,
    splits: Splits,
    segment_left: usize,
    /// A `WouldBlock` is due before the next segment.
    block: bool,
    reset_at_end: bool,
    trickle_writes: bool,
    write_toggle: bool,
    written: u64,
}

impl MemoryPeer {
    /// A peer serving `data` cut by `splits`, ending with a reset instead of a close when
    /// `reset_at_end`, and accepting writes in small pieces when `trickle_writes`.
    pub fn new(data: Vec<u8>, splits: Splits, reset_at_end: bool, trickle_writes: bool) -> Self {
        MemoryPeer {
            data,
            pos: 0,
            splits,
            segment_left: 0,
            block: true,
            reset_at_end,
            trickle_writes,
            write_toggle: false,
            written: 0,
        }
    }

    /// Bytes the client wrote.
    pub fn written(&self) -> u64 {
        self.written
    }
}

impl StreamPeer for MemoryPeer {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let rest = self.data.get(self.pos..).unwrap_or_default();
        if rest.is_empty() {
            return if self.reset_at_end {
                Err(io::Error::from(io::ErrorKind::ConnectionReset))
            } else {
                Ok(0)
            };
        }
        if self.segment_left == 0 {
            if self.block {
                self.block = false;
                return Err(io::Error::from(io::ErrorKind::WouldBlock));
            }
            self.segment_left = self.splits.next_len();
        }
        let n = buf.len().min(self.segment_left).min(rest.len());
        buf[..n].copy_from_slice(&rest[..n]);
        self.pos += n;
        self.segment_left -= n;
        if self.segment_left == 0 {
            self.block = true;
        }
        Ok(n)
    }

    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = if self.trickle_writes {
            self.write_toggle = !self.write_toggle;
            if self.write_toggle {
                return Err(io::Error::from(io::ErrorKind::WouldBlock));
            }
            buf.len().min(3)
        } else {
            buf.len()
        };
        self.written += n as u64;
        Ok(n)
    }

    fn wait(&mut self, _interest: Interest, _timeout: Option<Duration>) -> io::Result<bool> {
        Ok(true)
    }
}
