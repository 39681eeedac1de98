//! The ciphertext side: a [`StreamPeer`] seen as `io::Read`/`io::Write` by rustls.
//!
//! rustls's `read_tls` asks for at most about 4 KiB per call, so reads go through one
//! buffer of our own, allocated once per connection: one socket read takes what the
//! socket has (up to [`INBOUND_CAPACITY`]) and rustls then copies from memory. While
//! bytes pass, the record headers are followed, which tells
//! - whether the peer speaks TLS at all (the first header), and
//! - whether an end of stream fell between records or cut one (truncation).

use std::io;
use std::time::Duration;

use crate::conn::StreamPeer;

/// One full TLS record (16 KiB of payload plus header and cipher overhead).
const INBOUND_CAPACITY: usize = 16 * 1024 + 2048 + 5;

/// How many leading bytes are kept for the "not TLS" message.
pub(crate) const PREVIEW_LEN: usize = 24;

pub(crate) struct Transport {
    pub(crate) inner: Box<dyn StreamPeer>,
    buf: Box<[u8]>,
    start: usize,
    end: usize,
    eof: bool,
    records: RecordTracker,
}

impl Transport {
    pub(crate) fn new(inner: Box<dyn StreamPeer>) -> Transport {
        Transport {
            inner,
            buf: vec![0; INBOUND_CAPACITY].into_boxed_slice(),
            start: 0,
            end: 0,
            eof: false,
            records: RecordTracker::default(),
        }
    }

    /// Bytes received but not yet handed to rustls.
    pub(crate) fn has_buffered(&self) -> bool {
        self.start < self.end
    }

    /// True once the underlying stream reported end of stream.
    pub(crate) fn saw_eof(&self) -> bool {
        self.eof
    }

    /// True when the bytes received so far end on a record boundary.
    pub(crate) fn at_record_boundary(&self) -> bool {
        self.records.at_boundary()
    }

    /// When nothing is buffered, waits up to `timeout` for ciphertext and takes it in, so
    /// that the next read needs no system call. `WouldBlock` when the time passed.
    pub(crate) fn fill_wait(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        if self.has_buffered() || self.eof {
            return Ok(());
        }
        let n = self.inner.read_wait(&mut self.buf, timeout)?;
        self.received(n);
        Ok(())
    }

    /// Books `n` bytes just read into the (empty) buffer; false at end of stream.
    fn received(&mut self, n: usize) -> bool {
        if n == 0 {
            self.eof = true;
            return false;
        }
        self.records.scan(&self.buf[..n]);
        self.start = 0;
        self.end = n;
        true
    }

    /// The first bytes from the peer, when they cannot start a TLS record.
    pub(crate) fn not_tls(&self) -> Option<String> {
        let preview = self.records.not_tls_preview()?;
        Some(preview.escape_ascii().to_string())
    }
}

impl io::Read for Transport {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if !self.has_buffered() {
            if self.eof {
                return Ok(0);
            }
            let n = self.inner.read(&mut self.buf)?;
            if !self.received(n) {
                return Ok(0);
            }
        }
        let n = out.len().min(self.end - self.start);
        out[..n].copy_from_slice(&self.buf[self.start..self.start + n]);
        self.start += n;
        Ok(n)
    }
}

impl io::Write for Transport {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write(buf)
    }

    fn write_vectored(&mut self, bufs: &[io::IoSlice<'_>]) -> io::Result<usize> {
        self.inner.write_vectored(bufs)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Follows TLS record framing (5-byte header: type, version major/minor, length).
#[derive(Default)]
pub(crate) struct RecordTracker {
    header: [u8; 5],
    header_len: usize,
    body_left: usize,
    seen_first: bool,
    not_tls: bool,
    preview: [u8; PREVIEW_LEN],
    preview_len: usize,
}

impl RecordTracker {
    /// True when the bytes scanned so far end on a record boundary.
    pub(crate) fn at_boundary(&self) -> bool {
        self.header_len == 0 && self.body_left == 0
    }

    /// The first bytes scanned (up to [`PREVIEW_LEN`]), when they cannot start a TLS
    /// record.
    pub(crate) fn not_tls_preview(&self) -> Option<&[u8]> {
        self.not_tls
            .then(|| self.preview.get(..self.preview_len))
            .flatten()
    }

    /// Follows the records through the next bytes received.
    pub(crate) fn scan(&mut self, mut bytes: &[u8]) {
        if !self.seen_first || self.not_tls {
            let take = bytes.len().min(PREVIEW_LEN - self.preview_len);
            self.preview[self.preview_len..self.preview_len + take].copy_from_slice(&bytes[..take]);
            self.preview_len += take;
        }
        while !bytes.is_empty() {
            if self.body_left > 0 {
                let skip = self.body_left.min(bytes.len());
                self.body_left -= skip;
                bytes = &bytes[skip..];
                continue;
            }
            self.header[self.header_len] = bytes[0];
            self.header_len += 1;
            bytes = &bytes[1..];
            if !self.seen_first {
                self.check_first_header();
            }
            if self.header_len == self.header.len() {
                self.seen_first = true;
                self.body_left = usize::from(u16::from_be_bytes([self.header[3], self.header[4]]));
                self.header_len = 0;
            }
        }
    }

    /// A server's first record is a handshake or an alert (types 20 to 23 are accepted,
    /// rustls judges the rest), with major version 3.
    fn check_first_header(&mut self) {
        let ok = match self.header_len {
            1 => (20..=23).contains(&self.header[0]),
            2 => self.header[1] == 3,
            _ => true,
        };
        if !ok {
            self.not_tls = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_record_boundaries_across_splits() {
        let mut wire = vec![22, 3, 3, 0, 4, 1, 2, 3, 4];
        wire.extend_from_slice(&[23, 3, 3, 0, 2, 9, 9]);
        for split in 0..wire.len() {
            let mut t = RecordTracker::default();
            t.scan(&wire[..split]);
            t.scan(&wire[split..]);
            assert!(t.at_boundary(), "split at {split}");
            assert!(!t.not_tls);
        }
        let mut t = RecordTracker::default();
        t.scan(&wire[..7]);
        assert!(!t.at_boundary());
    }

    #[test]
    fn spots_plain_http() {
        let mut t = RecordTracker::default();
        t.scan(b"HTTP/1.1 400 Bad Request\r\n\r\n");
        assert!(t.not_tls);
        let mut t = RecordTracker::default();
        t.scan(&[22]);
        t.scan(b"SSH-2.0");
        assert!(t.not_tls);
    }
}
