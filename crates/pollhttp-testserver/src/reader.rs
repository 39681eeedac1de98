//! Buffered reading of requests from a socket, with limits and deadlines.

use crate::wire::find_head_end;
use std::io::{self, Read};
use std::net::TcpStream;
use std::time::Instant;

/// Reads request heads and bodies from a stream, keeping bytes read past the current
/// request for the next one.
pub(crate) struct RequestReader {
    stream: TcpStream,
    buf: Vec<u8>,
}

fn timed_out() -> io::Error {
    io::Error::new(io::ErrorKind::TimedOut, "timed out waiting for the client")
}

impl RequestReader {
    pub(crate) fn new(stream: TcpStream) -> RequestReader {
        RequestReader {
            stream,
            buf: Vec::new(),
        }
    }

    pub(crate) fn stream(&self) -> &TcpStream {
        &self.stream
    }

    /// Reads more bytes into the buffer; `Ok(0)` at end of stream. With a deadline, the
    /// socket's read timeout is set to what is left of it.
    fn fill(&mut self, deadline: Option<Instant>) -> io::Result<usize> {
        if let Some(d) = deadline {
            let left = d.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(timed_out());
            }
            self.stream.set_read_timeout(Some(left))?;
        }
        let mut tmp = [0u8; 16 * 1024];
        loop {
            match self.stream.read(&mut tmp) {
                Ok(n) => {
                    self.buf.extend_from_slice(&tmp[..n]);
                    return Ok(n);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                // A read timeout shows up as WouldBlock on Unix.
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Err(timed_out()),
                Err(e) => return Err(e),
            }
        }
    }

    /// Reads one head through its blank line. `Ok(None)` when the stream ends before any
    /// byte of a new head; an error when it ends inside one, passes `limit` bytes, or the
    /// deadline passes.
    pub(crate) fn read_head(
        &mut self,
        limit: usize,
        deadline: Option<Instant>,
    ) -> io::Result<Option<Vec<u8>>> {
        let mut searched = 0;
        loop {
            if let Some(end) = find_head_end(&self.buf, searched) {
                if end > limit {
                    break;
                }
                return Ok(Some(self.buf.drain(..end).collect()));
            }
            if self.buf.len() > limit {
                break;
            }
            searched = self.buf.len();
            if self.fill(deadline)? == 0 {
                if self.buf.is_empty() {
                    return Ok(None);
                }
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!(
                        "stream ended inside a request head ({} bytes)",
                        self.buf.len()
                    ),
                ));
            }
        }
        Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("request head larger than {limit} bytes"),
        ))
    }

    /// Reads exactly `n` bytes.
    pub(crate) fn read_exact_bytes(
        &mut self,
        n: u64,
        deadline: Option<Instant>,
    ) -> io::Result<Vec<u8>> {
        while (self.buf.len() as u64) < n {
            if self.fill(deadline)? == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!("stream ended after {} of {n} body bytes", self.buf.len()),
                ));
            }
        }
        // n <= buf.len() here, so it fits in usize.
        Ok(self.buf.drain(..n as usize).collect())
    }

    /// Reads one line ending in `\n` (at most `limit` bytes) and returns it with its line
    /// end.
    fn read_raw_line(&mut self, limit: usize, deadline: Option<Instant>) -> io::Result<Vec<u8>> {
        let mut searched = 0;
        loop {
            if let Some(p) = self.buf[searched..].iter().position(|b| *b == b'\n') {
                let end = searched + p;
                return Ok(self.buf.drain(..=end).collect());
            }
            if self.buf.len() > limit {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("line longer than {limit} bytes"),
                ));
            }
            searched = self.buf.len();
            if self.fill(deadline)? == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "stream ended inside a line",
                ));
            }
        }
    }

    /// Reads until the peer closes (end of stream or reset) and returns how many bytes came
    /// before that, counting any already buffered.
    pub(crate) fn read_until_closed(&mut self, deadline: Instant) -> io::Result<u64> {
        let mut extra = self.buf.len() as u64;
        self.buf.clear();
        loop {
            match self.fill(Some(deadline)) {
                Ok(0) => return Ok(extra),
                Ok(n) => {
                    extra += n as u64;
                    self.buf.clear();
                }
                Err(e) if e.kind() == io::ErrorKind::ConnectionReset => return Ok(extra),
                Err(e) => return Err(e),
            }
        }
    }

    /// Reads a chunked body (RFC 9112 section 7.1) of at most `max` decoded bytes; chunk
    /// extensions and trailer fields are read and dropped.
    pub(crate) fn read_chunked(
        &mut self,
        max: u64,
        deadline: Option<Instant>,
    ) -> io::Result<Vec<u8>> {
        self.read_chunked_into(max, deadline, &mut Vec::new())
    }

    /// Reads a chunked body as [`read_chunked`](Self::read_chunked) does and returns its
    /// bytes as they came on the wire: chunk lines, data, the last chunk and the trailer
    /// section.
    pub(crate) fn read_chunked_raw(
        &mut self,
        max: u64,
        deadline: Option<Instant>,
    ) -> io::Result<Vec<u8>> {
        let mut raw = Vec::new();
        self.read_chunked_into(max, deadline, &mut raw)?;
        Ok(raw)
    }

    /// Reads a chunked body, appending every byte read to `raw`; returns the decoded body.
    fn read_chunked_into(
        &mut self,
        max: u64,
        deadline: Option<Instant>,
        raw: &mut Vec<u8>,
    ) -> io::Result<Vec<u8>> {
        let bad = |m: String| io::Error::new(io::ErrorKind::InvalidData, m);
        let line_of = |reader: &mut Self, limit: usize, raw: &mut Vec<u8>| {
            let line = reader.read_raw_line(limit, deadline)?;
            raw.extend_from_slice(&line);
            let end = line.len() - 1 - usize::from(line.ends_with(b"\r\n"));
            Ok::<_, io::Error>(line[..end].to_vec())
        };
        let mut body = Vec::new();
        loop {
            let line = line_of(self, 1024, raw)?;
            let size_text = line.split(|b| *b == b';').next().unwrap_or(&[]);
            let size_text = std::str::from_utf8(size_text)
                .map_err(|_| bad("chunk size is not text".into()))?
                .trim();
            let size = u64::from_str_radix(size_text, 16)
                .map_err(|_| bad(format!("bad chunk size {size_text:?}")))?;
            if size == 0 {
                // Trailer section: fields until an empty line.
                while !line_of(self, 8192, raw)?.is_empty() {}
                return Ok(body);
            }
            if body.len() as u64 + size > max {
                return Err(bad(format!("chunked body larger than {max} bytes")));
            }
            let data = self.read_exact_bytes(size, deadline)?;
            raw.extend_from_slice(&data);
            body.extend(data);
            if !line_of(self, 2, raw)?.is_empty() {
                return Err(bad("chunk data not followed by CRLF".into()));
            }
        }
    }
}
