//! The response: Godot's accessors, the Rust-native view, and reading the body.

use super::*;
use crate::proto::BodyKind;

impl HttpClient {
    /// True once the last request's response arrived whole (its head and all of its body,
    /// or the head of a protocol switch), until the next request or
    /// [`close`](HttpClient::close): the one question that says an exchange ended well.
    ///
    /// The status alone does not: a response whose connection cannot carry another
    /// request (`Connection: close`, HTTP/1.0, a `204` from a server that closes, a body
    /// that runs to the end of the connection) leaves the client DISCONNECTED, complete
    /// all the same; a response cut short leaves it CONNECTION_ERROR, not complete.
    pub fn is_response_complete(&self) -> bool {
        self.has_response() && self.conn.is_response_complete()
    }

    /// True once a final response head has been received, until the next request or
    /// [`close`](HttpClient::close) (Godot's `has_response`).
    pub fn has_response(&self) -> bool {
        // The reader knows the framing exactly from the final head until the next start.
        self.conn.response().framing().is_some()
    }

    /// The response's status code, 0 when there is no response (Godot's
    /// `get_response_code`).
    #[doc(alias = "get_response_code")]
    pub fn response_code(&self) -> u16 {
        if self.has_response() {
            self.conn.response().head().code()
        } else {
            0
        }
    }

    /// The response header fields as `"Name: value"` strings in arrival order (Godot's
    /// `get_response_headers`). Reading them does not consume them.
    #[doc(alias = "get_response_headers")]
    pub fn response_headers(&self) -> Vec<String> {
        if !self.has_response() {
            return Vec::new();
        }
        self.conn
            .response()
            .head()
            .headers()
            .iter()
            .map(|(n, v)| format!("{n}: {}", String::from_utf8_lossy(v)))
            .collect()
    }

    /// The response header fields as `(name, value)` pairs in first-arrival order, with
    /// the values of a repeated name joined by `"; "` as Godot's documentation describes
    /// (Godot's `get_response_headers_as_dictionary`). Names are compared exactly, as
    /// Godot's dictionary keys are. For every value of a field, use
    /// [`response`](HttpClient::response).
    #[doc(alias = "get_response_headers_as_dictionary")]
    pub fn response_headers_as_dictionary(&self) -> Vec<(String, String)> {
        let mut dict: Vec<(String, String)> = Vec::new();
        if !self.has_response() {
            return dict;
        }
        for (name, value) in self.conn.response().head().headers().iter() {
            let value = String::from_utf8_lossy(value);
            match dict.iter_mut().find(|(n, _)| n == name) {
                Some((_, v)) => {
                    v.push_str("; ");
                    v.push_str(&value);
                }
                None => dict.push((name.to_string(), value.into_owned())),
            }
        }
        dict
    }

    /// The current response, with typed status, a case-insensitive multi-value header
    /// view and trailers.
    pub fn response(&self) -> Option<Response<'_>> {
        self.has_response()
            .then(|| Response::new(self.conn.response().head(), self.conn.response().trailers()))
    }

    /// True when the response body is chunked (Godot's `is_response_chunked`).
    pub fn is_response_chunked(&self) -> bool {
        self.conn.response().framing().is_some_and(|f| f.chunked)
    }

    /// The body's declared length: `Content-Length`, 0 for a response that has no body
    /// (HEAD, 204, 304), -1 when unknown (chunked or read to the end of the connection).
    #[doc(alias = "get_response_body_length")]
    pub fn response_body_length(&self) -> i64 {
        match self.conn.response().framing().map(|f| f.body) {
            Some(BodyKind::None) => 0,
            Some(BodyKind::Length(n)) => i64::try_from(n).unwrap_or(i64::MAX),
            _ => -1,
        }
    }

    /// Reads the next piece of the body, at most
    /// [`read_chunk_size`](HttpClient::read_chunk_size) bytes (Godot's
    /// `read_response_body_chunk`). Returns an empty vector when nothing has arrived yet
    /// or when not in BODY. When the body ends the status becomes CONNECTED (connection
    /// reusable) or DISCONNECTED; a broken body gives CONNECTION_ERROR (see
    /// [`last_error`](HttpClient::last_error)).
    pub fn read_response_body_chunk(&mut self) -> Vec<u8> {
        if self.status() != Status::Body {
            return Vec::new();
        }
        let mut cap = self.read_chunk_size;
        if let Some(BodyKind::Length(_)) = self.conn.response().framing().map(|f| &f.body) {
            let window = self.conn.direct_window().max(self.recv.len() as u64);
            cap = cap.min(usize::try_from(window).unwrap_or(usize::MAX));
        }
        let mut buf = vec![0u8; cap];
        // A failure shows in the status (Godot's way), once the bytes before it are out.
        let n = self.read_body(&mut buf).unwrap_or(0);
        buf.truncate(n);
        buf
    }

    /// Reads body bytes straight into `buf`, returning how many were written; no
    /// allocation. Large reads go from the socket into `buf` with no intermediate copy.
    ///
    /// Non-blocking mode returns what is available now (possibly 0). Blocking mode waits
    /// until `buf` is full or the body ends.
    ///
    /// # Errors
    ///
    /// Not in BODY: `ERR_INVALID_PARAMETER`. The body broke (a truncated or malformed
    /// body, a reset, a timeout): `ERR_CONNECTION_ERROR`, and the status is
    /// CONNECTION_ERROR. A read never both returns bytes and fails: when the failure comes
    /// after some bytes, the call returns them and the next call reports it.
    pub fn read_response_body_into(&mut self, buf: &mut [u8]) -> Result<usize, Error> {
        if self.status() != Status::Body {
            return Err(self.wrong_status("read_response_body_into"));
        }
        self.read_body(buf)
    }

    /// Reads body bytes into `buf`; a failure after some bytes is kept for the next read.
    fn read_body(&mut self, buf: &mut [u8]) -> Result<usize, Error> {
        self.report_deferred_error()?;
        let mut n = 0;
        match self.read_body_until_failure(buf, &mut n) {
            Err(reason) if n > 0 => {
                self.deferred_error = Some(Error::new(GodotError::ConnectionError, reason));
                Ok(n)
            }
            Err(reason) => Err(self.connection_error(reason)),
            Ok(()) => Ok(n),
        }
    }

    fn read_body_until_failure(&mut self, buf: &mut [u8], n: &mut usize) -> Result<(), Reason> {
        // The clock is read at most once per call while nothing waits (and not at all when
        // the bytes are already here); a read that may have waited makes it stale.
        let mut clock: Option<Instant> = None;
        while *n < buf.len() {
            // 1. Decode what the receive buffer holds.
            if !self.recv.is_empty() {
                let consumed = match self.conn.read_body(self.recv.filled(), buf.len() - *n) {
                    Ok(d) => {
                        let data = &self.recv.filled()[d.data.clone()];
                        buf[*n..*n + data.len()].copy_from_slice(data);
                        *n += data.len();
                        self.recv.consume(d.consumed);
                        d.consumed
                    }
                    Err(e) => return Err(e.into()),
                };
                if self.body_over() {
                    return Ok(());
                }
                // The decoder takes every byte it can; if it took none, it needs more.
                if consumed > 0 && !self.recv.is_empty() {
                    continue;
                }
            }
            if self.body_over() {
                return Ok(());
            }
            if *n == buf.len() {
                // Filled from the receive buffer: nothing more to read for this call.
                return Ok(());
            }
            // 2. Read more: straight into the caller's buffer when it is large and the
            //    decoder is inside raw body bytes, else into the receive buffer.
            let room = buf.len() - *n;
            let window = usize::try_from(self.conn.direct_window()).unwrap_or(usize::MAX);
            let direct =
                self.recv.is_empty() && buf.len() >= DIRECT_READ_MIN && window >= DIRECT_READ_MIN;
            // Blocking mode waits inside the read: one system call where the stream can.
            let wait = self.blocking.then(|| self.wait_limit(self.now()));
            if self.blocking {
                clock = None;
            }
            let Transport::Stream(stream) = &mut self.transport else {
                return Err(Reason::NotConnected);
            };
            let res = match (direct, wait) {
                (true, None) => stream.read(&mut buf[*n..*n + room.min(window)]),
                (true, Some(limit)) => stream.read_wait(&mut buf[*n..*n + room.min(window)], limit),
                (false, None) => self.recv.fill_from(stream.as_mut(), 0),
                (false, Some(limit)) => self.recv.fill_waiting(stream.as_mut(), 0, limit),
            };
            match res {
                Ok(0) => {
                    if *n > 0 {
                        // The end is met again by the next read, which judges it.
                        return Ok(());
                    }
                    return match self.conn.handle_eof() {
                        Ok(()) => {
                            self.drop_transport();
                            Ok(())
                        }
                        Err(e) => Err(e.into()),
                    };
                }
                Ok(k) if direct => {
                    let now = *clock.get_or_insert_with(|| self.now());
                    self.conn.consume_direct(k, now)?;
                    *n += k;
                    if self.body_over() {
                        return Ok(());
                    }
                }
                Ok(_) => {
                    let now = *clock.get_or_insert_with(|| self.now());
                    self.conn.handle_received(now);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    let now = *clock.get_or_insert_with(|| self.now());
                    let due = self.conn.poll_timeout().is_some_and(|d| d <= now);
                    if *n > 0 && (due || !self.blocking) {
                        // The bytes of this call go out first; an expired limit is
                        // reported by the next read.
                        return Ok(());
                    }
                    if let Some(e) = self.expired(now, |_| false) {
                        return Err(e.into());
                    }
                    if !self.blocking {
                        return Ok(());
                    }
                }
                Err(e) => return Err(Reason::io(&e)),
            }
        }
        Ok(())
    }

    /// Whether the body has ended (the core has left BODY); a connection it could not
    /// keep is dropped here.
    fn body_over(&mut self) -> bool {
        match self.conn.phase() {
            Phase::Body => false,
            Phase::Closed => {
                self.drop_transport();
                true
            }
            _ => true,
        }
    }
}
