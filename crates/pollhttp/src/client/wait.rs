//! Waiting: on the socket until there is work or a deadline, and what a caller's own
//! poller needs to wait in its place.

use super::*;

impl HttpClient {
    /// Sleeps until this client has something to do, or `timeout` passes (`None`: no
    /// limit), so that a caller's loop need not spin. Returns `Ok(true)` when it is worth
    /// calling [`poll`](HttpClient::poll) or reading the body, `Ok(false)` on timeout.
    /// Returns at once in statuses with nothing to wait for.
    ///
    /// A wait also ends at the next deadline of [`Timeouts`] (returning `Ok(true)`), so
    /// that the caller's next `poll` reports the timeout.
    ///
    /// While a response head is due (REQUESTING, request sent) the wait takes in the
    /// bytes that end it, so the next `poll` finds them without another system call; on
    /// a connection used for several exchanges, waiting and reading are then one call.
    /// A socket error met here is reported by that `poll`.
    pub fn wait(&mut self, timeout: Option<Duration>) -> Result<bool, Error> {
        let (timeout, deadline) = self.clamp_wait(timeout, self.now());
        let res = match self.status() {
            Status::Resolving | Status::Connecting => {
                let interest = self.tunnel_interest();
                match &mut self.transport {
                    Transport::Connecting(c) => c.wait(timeout, interest),
                    _ => Ok(true),
                }
            }
            Status::Requesting | Status::Body | Status::Connected => {
                if self.has_pending_input() {
                    return Ok(true);
                }
                if self.conn.phase() == Phase::AwaitingHead
                    && self.recv.is_empty()
                    && self.deferred_error.is_none()
                {
                    return Ok(self.wait_for_head(timeout) || deadline);
                }
                let interest = self.interest().unwrap_or(Interest::Read);
                match self.stream() {
                    Some(s) => s.wait(interest, timeout),
                    None => Ok(true),
                }
            }
            _ => Ok(true),
        };
        res.map(|ready| ready || deadline)
            .map_err(|e| Error::io(GodotError::ConnectionError, &e))
    }

    /// How large the receive buffer may grow while a head is read: one byte past the
    /// limit, so that the parser sees a head that breaks it.
    pub(super) fn head_read_limit(&self) -> usize {
        self.conn.limits().max_head_bytes.saturating_add(1)
    }

    /// Waits for the response head by reading it: the bytes wait in the receive buffer
    /// for the next `poll()`, which then needs no system call, and a stream that can wait
    /// and read in one call does. A read error is kept for that `poll()` to report.
    pub(super) fn wait_for_head(&mut self, timeout: Option<Duration>) -> bool {
        let max = self.head_read_limit();
        let Transport::Stream(stream) = &mut self.transport else {
            return true;
        };
        match self.recv.fill_waiting(stream.as_mut(), max, timeout) {
            Ok(n) => {
                if n > 0 {
                    let now = self.now();
                    self.conn.handle_received(now);
                }
                true
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => false,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => true,
            Err(e) => {
                self.deferred_error = Some(Error::io(GodotError::ConnectionError, &e));
                true
            }
        }
    }

    /// How long a wait may last so that it ends by the next deadline: `None` when no
    /// clock runs. Rounded up to whole milliseconds so that a wait never ends just short
    /// of the deadline and turns into a spin.
    pub(super) fn wait_limit(&self, now: Instant) -> Option<Duration> {
        let left = self.conn.poll_timeout()?.saturating_duration_since(now);
        let ms = left.as_nanos().div_ceil(1_000_000);
        Some(Duration::from_millis(u64::try_from(ms).unwrap_or(u64::MAX)))
    }

    /// Shortens a caller's wait of `timeout` to the next deadline; the flag says the
    /// deadline is what ends the wait (so there is something for `poll` to report).
    pub(super) fn clamp_wait(
        &self,
        timeout: Option<Duration>,
        now: Instant,
    ) -> (Option<Duration>, bool) {
        match (self.wait_limit(now), timeout) {
            (Some(limit), Some(t)) if limit <= t => (Some(limit), true),
            (Some(limit), None) => (Some(limit), true),
            _ => (timeout, false),
        }
    }

    /// The instant by which [`poll`](HttpClient::poll) must be called even if the socket
    /// shows no readiness, so that an expired [timeout](Timeouts) is noticed; for callers
    /// that wait on [`raw_fd`](HttpClient::raw_fd) in their own poller. `None` when no
    /// clock runs.
    pub fn next_deadline(&self) -> Option<Instant> {
        self.conn.poll_timeout()
    }

    /// True when the client already holds received input that [`poll`](HttpClient::poll)
    /// or a body read can act on without the socket becoming readable: body bytes that
    /// arrived with the head, or data (or a close) already taken in by the TLS layer.
    ///
    /// A caller that waits on [`raw_fd`](HttpClient::raw_fd) with its own poller must not
    /// wait while this is true: the socket may stay silent although there is work.
    /// ([`Poller`](crate::Poller) handles this.)
    pub fn has_pending_input(&self) -> bool {
        let stream_buffered = || match &self.transport {
            Transport::Stream(s) => s.has_buffered_read(),
            _ => false,
        };
        match self.status() {
            // A partial head in the receive buffer needs more bytes from the socket.
            Status::Body if !self.recv.is_empty() => true,
            Status::Requesting | Status::Body | Status::Connected => stream_buffered(),
            _ => false,
        }
    }

    /// Changes every time the transport is dropped (see [`Poller`](crate::Poller)).
    #[cfg_attr(not(any(unix, windows)), allow(dead_code))]
    pub(crate) fn connection_serial(&self) -> u64 {
        self.connection_serial
    }

    /// What the client waits for on its socket now, for callers that register
    /// [`raw_fd`](HttpClient::raw_fd) with their own poller. `None` while resolving
    /// (the resolver thread has no socket) and in statuses with nothing to wait for.
    /// While connecting it is [`Interest::Write`] on the one attempt's socket, and
    /// [`Interest::Read`] while `raw_fd` is the set of several attempts (see there).
    pub fn interest(&self) -> Option<Interest> {
        match self.status() {
            Status::Resolving | Status::Connecting => match &self.transport {
                Transport::Connecting(c) => c.interest(self.tunnel_interest()),
                _ => None,
            },
            Status::Requesting if self.conn.wants_write() => Some(Interest::ReadWrite),
            Status::Requesting | Status::Body | Status::Connected => Some(Interest::Read),
            _ => None,
        }
    }

    /// The socket's file descriptor, to register with the caller's own poller (epoll,
    /// mio, an engine's event loop) for [`interest`](HttpClient::interest). Changes when
    /// the client reconnects, and while it connects.
    ///
    /// While connecting, several TCP attempts may be in progress at once (Happy Eyeballs:
    /// a new address every [`Timeouts::attempt_delay`] while the earlier ones go on). With
    /// one, this is its socket. From the second on, it is the descriptor of a readiness
    /// set of the system (an epoll instance on Linux, a kqueue on the BSDs and macOS) that
    /// holds every attempt's socket and is readable when any of them connects or fails;
    /// the client's `poll()` takes that news and checks the attempts. So a caller keeps
    /// watching one descriptor per client, as before, and misses no attempt; the set costs
    /// a descriptor and a few system calls only on connects slow enough to start a second
    /// attempt. Follow the descriptor and interest after each `poll()` (the
    /// [`Poller`](crate::Poller) does), and call `poll()` by
    /// [`next_deadline`](HttpClient::next_deadline), which includes the next attempt's
    /// start.
    ///
    /// Use it for readiness only. Its `O_NONBLOCK` flag belongs to the client, which
    /// clears it on a connection that keeps waiting (blocking mode, [`wait`](Self::wait))
    /// so that a wait and a read are one system call; the client's own reads and writes
    /// pass `MSG_DONTWAIT` and never block.
    #[cfg(unix)]
    pub fn raw_fd(&self) -> Option<std::os::fd::RawFd> {
        match &self.transport {
            Transport::Stream(s) => s.raw_fd(),
            Transport::Connecting(c) => c.raw_fd(),
            Transport::None => None,
        }
    }

    /// The socket's handle on Windows, the counterpart of
    /// [`raw_fd`](HttpClient::raw_fd): to register with the caller's own poller
    /// (`WSAPoll`, `select`, an engine's event loop) for
    /// [`interest`](HttpClient::interest). Changes when the client reconnects, and while
    /// it connects.
    ///
    /// Windows has no readiness set that is itself a socket (as an epoll or kqueue
    /// descriptor is), so while several TCP attempts are in progress (see `raw_fd`) this
    /// is the socket of the oldest attempt still in progress, for
    /// [`Interest::Write`]. The others are not missed: the client's
    /// [`wait`](HttpClient::wait) and the [`Poller`](crate::Poller) wait on all of them
    /// at once, and its `poll()` checks all of them; a caller's own poller that watches only this socket learns of a younger
    /// attempt connecting first at the latest by
    /// [`next_deadline`](HttpClient::next_deadline) (the next attempt's start or an
    /// attempt's limit), or when the oldest one connects or fails.
    ///
    /// Use it for readiness only: the client's reads and writes expect the socket to stay
    /// non-blocking.
    #[cfg(windows)]
    pub fn raw_socket(&self) -> Option<std::os::windows::io::RawSocket> {
        match &self.transport {
            Transport::Stream(s) => s.raw_socket(),
            Transport::Connecting(c) => c.raw_socket(),
            Transport::None => None,
        }
    }
}
