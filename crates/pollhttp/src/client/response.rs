//! The response: Godot's accessors, the Rust-native view, and reading the body.

use super::*;

impl HttpClient {
    /// True once a final response head has been received, until the next request or
    /// [`close`](HttpClient::close) (Godot's `has_response`).
    pub fn has_response(&self) -> bool {
        // The reader knows the framing exactly from the final head until the next start.
        self.reader.framing().is_some()
    }

    /// The response's status code, 0 when there is no response (Godot's
    /// `get_response_code`).
    pub fn response_code(&self) -> u16 {
        if self.has_response() {
            self.reader.head().code()
        } else {
            0
        }
    }

    /// The response header fields as `"Name: value"` strings in arrival order (Godot's
    /// `get_response_headers`). Reading them does not consume them.
    pub fn response_headers(&self) -> Vec<String> {
        if !self.has_response() {
            return Vec::new();
        }
        self.reader
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
    pub fn response_headers_as_dictionary(&self) -> Vec<(String, String)> {
        let mut dict: Vec<(String, String)> = Vec::new();
        if !self.has_response() {
            return dict;
        }
        for (name, value) in self.reader.head().headers().iter() {
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
            .then(|| Response::new(self.reader.head(), self.reader.trailers()))
    }

    /// True when the response body is chunked (Godot's `is_response_chunked`).
    pub fn is_response_chunked(&self) -> bool {
        self.reader.framing().is_some_and(|f| f.chunked)
    }

    /// The body's declared length: `Content-Length`, 0 for a response that has no body
    /// (HEAD, 204, 304), -1 when unknown (chunked or read to the end of the connection).
    pub fn response_body_length(&self) -> i64 {
        match self.reader.framing().map(|f| f.body) {
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
        if self.status != Status::Body {
            return Vec::new();
        }
        let mut cap = self.read_chunk_size;
        if let Some(BodyKind::Length(_)) = self.reader.framing().map(|f| &f.body) {
            let window = self.reader.direct_window().max(self.recv.len() as u64);
            cap = cap.min(usize::try_from(window).unwrap_or(usize::MAX));
        }
        let mut buf = vec![0u8; cap];
        let n = self.read_response_body_into(&mut buf).unwrap_or(0);
        buf.truncate(n);
        buf
    }

    /// Reads body bytes straight into `buf`, returning how many were written; no
    /// allocation. Large reads go from the socket into `buf` with no intermediate copy.
    ///
    /// Non-blocking mode returns what is available now (possibly 0). Blocking mode waits
    /// until `buf` is full or the body ends. Errors: not in BODY
    /// (`ERR_INVALID_PARAMETER`), or the body broke (`ERR_CONNECTION_ERROR`; bytes read
    /// before the failure in the same call are returned first).
    pub fn read_response_body_into(&mut self, buf: &mut [u8]) -> Result<usize, Error> {
        if self.status != Status::Body {
            return Err(self.wrong_status("read_response_body_into"));
        }
        let mut n = 0;
        while n < buf.len() {
            // 1. Decode what the receive buffer holds.
            if !self.recv.is_empty() {
                let consumed = match self.reader.read_body(self.recv.filled(), buf.len() - n) {
                    Ok(d) => {
                        let data = &self.recv.filled()[d.data.clone()];
                        buf[n..n + data.len()].copy_from_slice(data);
                        n += data.len();
                        self.recv.consume(d.consumed);
                        d.consumed
                    }
                    Err(e) => return self.body_failed(n, Reason::Protocol(e)),
                };
                if self.reader.is_complete() {
                    self.body_finished();
                    return Ok(n);
                }
                // The decoder takes every byte it can; if it took none, it needs more.
                if consumed > 0 && !self.recv.is_empty() {
                    continue;
                }
            }
            if self.reader.is_complete() {
                self.body_finished();
                return Ok(n);
            }
            if n == buf.len() {
                // Filled from the receive buffer: nothing more to read for this call.
                return Ok(n);
            }
            // 2. Read more: straight into the caller's buffer when it is large and the
            //    decoder is inside raw body bytes, else into the receive buffer.
            let Some(stream) = self.stream.as_mut() else {
                return self.body_failed(n, Reason::NotConnected);
            };
            let room = buf.len() - n;
            let window = usize::try_from(self.reader.direct_window()).unwrap_or(usize::MAX);
            let direct =
                self.recv.is_empty() && buf.len() >= DIRECT_READ_MIN && window >= DIRECT_READ_MIN;
            // Blocking mode waits inside the read: one system call where the stream can.
            let wait = self
                .blocking
                .then(|| self.deadlines.wait_limit(Instant::now()));
            let res = match (direct, wait) {
                (true, None) => stream.read(&mut buf[n..n + room.min(window)]),
                (true, Some(limit)) => stream.read_wait(&mut buf[n..n + room.min(window)], limit),
                (false, None) => self.recv.fill_from(stream.as_mut(), 0),
                (false, Some(limit)) => self.recv.fill_waiting(stream.as_mut(), 0, limit),
            };
            match res {
                Ok(0) => {
                    return match self.reader.on_eof() {
                        Ok(()) => {
                            self.drop_connection();
                            self.status = Status::Disconnected;
                            Ok(n)
                        }
                        Err(e) => self.body_failed(n, Reason::Protocol(e)),
                    };
                }
                Ok(k) if direct => {
                    self.deadlines.progress(Instant::now());
                    if let Err(e) = self.reader.consume_direct(k) {
                        return self.body_failed(n, Reason::Protocol(e));
                    }
                    n += k;
                    if self.reader.is_complete() {
                        self.body_finished();
                        return Ok(n);
                    }
                }
                Ok(_) => self.deadlines.progress(Instant::now()),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    let now = Instant::now();
                    if let Some(err) = self.deadlines.check_request(now) {
                        return self.body_failed(n, err.reason().clone());
                    }
                    if !self.blocking {
                        return Ok(n);
                    }
                }
                Err(e) => return self.body_failed(n, Reason::io(&e)),
            }
        }
        Ok(n)
    }

    /// The body broke: CONNECTION_ERROR; bytes already copied in this call are still
    /// returned (the status tells the caller), otherwise the error is.
    fn body_failed(&mut self, n: usize, reason: Reason) -> Result<usize, Error> {
        let err = self.connection_error(reason);
        if n > 0 {
            Ok(n)
        } else {
            Err(err)
        }
    }
}
