//! `poll()`: each status's step, moving bytes between the core and the stream.

use super::*;

impl HttpClient {
    /// Advances the connection (Godot's `poll`).
    ///
    /// Per status: RESOLVING and CONNECTING drive the connect pipeline; CONNECTED checks
    /// that the server has not closed the idle connection; REQUESTING sends what is left
    /// of the request and reads the response head; BODY checks the deadlines (the body is
    /// read by [`read_response_body_chunk`](HttpClient::read_response_body_chunk)).
    /// DISCONNECTED gives `ERR_UNCONFIGURED`; the failure statuses give their error
    /// again on every call.
    ///
    /// In [blocking mode](HttpClient::set_blocking_mode) a call does not return until
    /// its phase is over (connected, or the whole response head received).
    pub fn poll(&mut self) -> Result<(), Error> {
        if let Some((status, err)) = &self.failure {
            // Godot's sticky statuses answer with their own error constant.
            let godot = match status {
                Status::CantResolve => GodotError::CantResolve,
                Status::CantConnect => GodotError::CantConnect,
                _ => GodotError::ConnectionError,
            };
            return Err(Error::new(godot, err.reason().clone()));
        }
        match self.conn.phase() {
            Phase::Closed | Phase::Switched => {
                Err(Error::new(GodotError::Unconfigured, Reason::NotConnected))
            }
            Phase::Connecting(_) => self.poll_connect(),
            Phase::Idle => self.poll_idle(),
            Phase::Sending | Phase::AwaitingHead => self.poll_requesting(),
            Phase::Body => self.poll_body(),
        }
    }

    pub(super) fn poll_connect(&mut self) -> Result<(), Error> {
        let mut now = self.now();
        loop {
            let Transport::Connecting(connector) = &mut self.transport else {
                return Err(self.connection_error(Reason::NotConnected));
            };
            match connector.poll(now) {
                Progress::Ready(stream) => {
                    self.attempts = connector.take_attempts(now, AttemptOutcome::Abandoned);
                    self.conn.handle_connected(now);
                    self.transport = Transport::Stream(stream);
                    // The winner is now the connection's socket, the others are closed.
                    #[cfg(windows)]
                    self.shared_sockets.get_mut().clear();
                    self.shutdown_on_close = self.tls_in_use;
                    return Ok(());
                }
                Progress::Failed(status, err) => return Err(self.fail(status, err)),
                Progress::Pending => {}
            }
            let stage = connector.stage();
            self.conn.handle_connect_stage(stage, now);
            self.report_attempts();
            #[cfg(windows)]
            self.prune_shared_sockets();
            if stage == ConnectStage::Tunnel {
                match self.drive_tunnel(now) {
                    Ok(true) => continue,
                    Ok(false) => {}
                    Err(err) => return Err(self.fail(Status::CantConnect, err)),
                }
            }
            match self.conn.handle_timeout(now, false) {
                Some(Expiry::AttemptExpired { attempt, error }) => {
                    if let Transport::Connecting(c) = &mut self.transport {
                        let why = io::Error::new(io::ErrorKind::TimedOut, error.to_string());
                        c.expire_attempt(attempt, why, now);
                    }
                    continue;
                }
                Some(Expiry::NextAttempt) => {
                    if let Transport::Connecting(c) = &mut self.transport {
                        c.start_next_attempt(now);
                    }
                    continue;
                }
                Some(Expiry::Failed(e)) => {
                    let (status, godot) = match stage {
                        ConnectStage::Resolving => (Status::CantResolve, GodotError::CantResolve),
                        _ => (Status::CantConnect, GodotError::CantConnect),
                    };
                    if let Transport::Connecting(c) = &mut self.transport {
                        // The attempts still in progress ran out of time with the connect.
                        c.end_attempts(now, AttemptOutcome::TimedOut);
                    }
                    return Err(self.fail(status, Error::new(godot, e.into())));
                }
                None => {}
            }
            if !self.blocking {
                return Ok(());
            }
            let limit = self.wait_limit(now);
            let interest = self.tunnel_interest();
            if let Transport::Connecting(c) = &mut self.transport {
                if let Err(e) = c.wait(limit, interest) {
                    let err = Error::io(GodotError::CantConnect, &e);
                    return Err(self.fail(Status::CantConnect, err));
                }
            }
            now = self.now();
        }
    }

    /// What the tunnel stage waits for: room for the `CONNECT` request, then the answer.
    pub(super) fn tunnel_interest(&self) -> Interest {
        if self.conn.wants_write() {
            Interest::Write
        } else {
            Interest::Read
        }
    }

    /// Moves the `CONNECT` exchange between the core and the proxy's stream: `Ok(true)`
    /// once the tunnel is open and TLS has started (or the stream is ready).
    pub(super) fn drive_tunnel(&mut self, now: Instant) -> Result<bool, Error> {
        let Transport::Connecting(connector) = &mut self.transport else {
            return Ok(false);
        };
        let Some(stream) = connector.tunnel_stream() else {
            return Ok(false);
        };
        let cant_connect = |reason: Reason| Error::new(GodotError::CantConnect, reason);
        loop {
            let (pending, _) = self.conn.transmit();
            if pending.is_empty() {
                break;
            }
            match stream.write(pending) {
                Ok(0) => return Err(cant_connect(self.eof_reason())),
                Ok(n) => self.conn.handle_sent(n, now),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(false),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(cant_connect(Reason::io(&e))),
            }
        }
        let mut chunk = [0u8; TUNNEL_READ_SIZE];
        loop {
            match stream.read(&mut chunk) {
                Ok(0) => return Err(cant_connect(self.eof_reason())),
                Ok(n) => match self.conn.handle_tunnel_input(&chunk[..n]) {
                    Ok(false) => {}
                    Ok(true) => {
                        if let Some(Progress::Failed(_, err)) = connector.tunnel_open() {
                            return Err(err);
                        }
                        return Ok(true);
                    }
                    Err(e) => return Err(cant_connect(e.into())),
                },
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(false),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(cant_connect(Reason::io(&e))),
            }
        }
    }

    /// Reports a socket error met outside `poll()` (a write in `request()`, a read in
    /// `wait()`), entering CONNECTION_ERROR, as Godot reports a failed request write.
    pub(super) fn report_deferred_error(&mut self) -> Result<(), Error> {
        match self.deferred_error.take() {
            Some(err) => Err(self.fail(Status::ConnectionError, err)),
            None => Ok(()),
        }
    }

    /// Detects a server that closed (or wrote to) an idle keep-alive connection.
    pub(super) fn poll_idle(&mut self) -> Result<(), Error> {
        let Some(stream) = self.stream() else {
            return Err(self.connection_error(Reason::NotConnected));
        };
        let mut probe = [0u8; 1];
        match stream.read(&mut probe) {
            Ok(0) => {
                let reason = self.eof_reason();
                Err(self.connection_error(reason))
            }
            Ok(_) => {
                let reason = self.conn.handle_idle_input().into();
                Err(self.connection_error(reason))
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Ok(()),
            Err(e) => Err(self.connection_error(Reason::io(&e))),
        }
    }

    /// BODY: the body is read by the read calls; `poll` only checks the deadlines. A
    /// stalled body is one with nothing to read: bytes waiting for the caller are not the
    /// server's delay.
    pub(super) fn poll_body(&mut self) -> Result<(), Error> {
        self.report_deferred_error()?;
        let now = self.now();
        self.check_deadlines(now, Self::body_readable)
    }

    /// Checks the core's clocks; an expired one ends the connection (CONNECTION_ERROR).
    /// `unread` says whether received bytes wait for the caller (asked only when a
    /// deadline has passed, since it may cost a system call).
    pub(super) fn check_deadlines(
        &mut self,
        now: Instant,
        unread: impl FnOnce(&mut Self) -> bool,
    ) -> Result<(), Error> {
        match self.expired(now, unread) {
            Some(e) => Err(self.connection_error(e.into())),
            None => Ok(()),
        }
    }

    /// The limit of an exchange that has expired at `now`, if any (the core is closed
    /// then).
    pub(super) fn expired(
        &mut self,
        now: Instant,
        unread: impl FnOnce(&mut Self) -> bool,
    ) -> Option<ConnError> {
        if self.conn.poll_timeout().is_none_or(|d| d > now) {
            return None;
        }
        let unread = unread(self);
        match self.conn.handle_timeout(now, unread) {
            Some(Expiry::Failed(e)) => Some(e),
            Some(Expiry::AttemptExpired { .. } | Expiry::NextAttempt) | None => None,
        }
    }

    pub(super) fn body_readable(&mut self) -> bool {
        if !self.recv.is_empty() {
            return true;
        }
        match self.stream() {
            Some(s) => {
                s.has_buffered_read()
                    || s.wait(Interest::Read, Some(Duration::ZERO)).unwrap_or(true)
            }
            None => false,
        }
    }

    pub(super) fn poll_requesting(&mut self) -> Result<(), Error> {
        self.report_deferred_error()?;
        let mut now = self.now();
        loop {
            if let Err(reason) = self.write_request(now) {
                return Err(self.connection_error(reason));
            }
            // Blocking mode waits before reading: every complete head in the receive
            // buffer has been taken, so a read now (just after sending) would only find
            // nothing and cost a system call. The wait ends by the next deadline; with
            // the request sent, the stream waits and reads in one go.
            let mut first_read = FirstRead::Now;
            if self.blocking && !self.has_pending_input() {
                let limit = self.wait_limit(now);
                if !self.conn.wants_write() {
                    first_read = FirstRead::WaitUpTo(limit);
                } else if let Some(stream) = self.stream() {
                    if let Err(e) = stream.wait(Interest::ReadWrite, limit) {
                        return Err(self.connection_error(Reason::io(&e)));
                    }
                    now = self.now();
                }
            }
            // A read that waits reads the clock again itself.
            if self.read_head(first_read, now)? {
                return Ok(());
            }
            if self.blocking {
                now = self.now();
            }
            self.check_deadlines(now, |_| false)?;
            if !self.blocking {
                return Ok(());
            }
        }
    }

    /// Writes pending request bytes until done or the socket is full, then flushes; the
    /// error says why the connection cannot go on.
    pub(super) fn write_request(&mut self, now: Instant) -> Result<(), Reason> {
        if !self.conn.wants_write() {
            return Ok(());
        }
        let Transport::Stream(stream) = &mut self.transport else {
            return Err(Reason::NotConnected);
        };
        loop {
            let (head, body) = self.conn.transmit();
            let pending = head.len() + body.len();
            if pending == 0 {
                break;
            }
            let res = if head.is_empty() {
                stream.write(body)
            } else if body.is_empty() {
                stream.write(head)
            } else {
                stream.write_vectored(&[io::IoSlice::new(head), io::IoSlice::new(body)])
            };
            match res {
                Ok(0) => return Err(Reason::PeerClosed("while sending the request")),
                Ok(n) => {
                    self.conn.handle_sent(n, now);
                    if n == pending {
                        break;
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(()),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(Reason::io(&e)),
            }
        }
        match stream.flush() {
            Ok(()) => {
                self.conn.handle_flushed(now);
                Ok(())
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(()),
            Err(e) => Err(Reason::io(&e)),
        }
    }

    /// Reads until the final response head is parsed (true) or the socket has no more
    /// bytes for now (false). `first_read` says whether the first socket read may wait;
    /// `now` is the caller's reading of the clock, read again only after a read that may
    /// have waited.
    pub(super) fn read_head(
        &mut self,
        mut first_read: FirstRead,
        mut now: Instant,
    ) -> Result<bool, Error> {
        loop {
            if !self.recv.is_empty() {
                match self.conn.handle_head(self.recv.filled(), now) {
                    Ok(HeadEvent::Complete { consumed }) => {
                        self.recv.consume(consumed);
                        self.head_complete();
                        return Ok(true);
                    }
                    Ok(HeadEvent::NeedMore { consumed }) => self.recv.consume(consumed),
                    Err(e) => return Err(self.connection_error(e.into())),
                }
            }
            let max = self.head_read_limit();
            let Transport::Stream(stream) = &mut self.transport else {
                return Err(self.connection_error(Reason::NotConnected));
            };
            let (res, waited) = match std::mem::replace(&mut first_read, FirstRead::Now) {
                FirstRead::Now => (self.recv.fill_from(stream.as_mut(), max), false),
                FirstRead::WaitUpTo(limit) => {
                    (self.recv.fill_waiting(stream.as_mut(), max, limit), true)
                }
            };
            match res {
                Ok(0) => {
                    let reason = self.eof_reason();
                    return Err(self.connection_error(reason));
                }
                Ok(_) => {
                    if waited {
                        now = self.now();
                    }
                    self.conn.handle_received(now);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(false),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(self.connection_error(Reason::io(&e))),
            }
        }
    }

    /// Why the end of the stream ends the connection here, as the core judges it. Where
    /// the core would accept an end (a body read to the close), the driver does not call
    /// this; a plain close is the reason should that ever change.
    fn eof_reason(&mut self) -> Reason {
        match self.conn.handle_eof() {
            Err(e) => e.into(),
            Ok(()) => Reason::PeerClosed("unexpectedly"),
        }
    }

    /// The final head is in: a response that ended with it may have closed the
    /// connection.
    pub(super) fn head_complete(&mut self) {
        if self.conn.phase() == Phase::Closed {
            self.drop_transport();
        }
    }
}

/// Whether the first socket read of [`HttpClient::read_head`] may wait for bytes.
pub(super) enum FirstRead {
    /// Read what is there now.
    Now,
    /// Wait up to this long (`None`: no limit) for bytes, then read them.
    WaitUpTo(Option<Duration>),
}
