//! The TLS handshake and the encrypted stream, both driven without blocking.

use std::fmt;
use std::io::{self, Read as _, Write as _};
use std::time::Duration;

use rustls::pki_types::ServerName;
use rustls::{ClientConnection, ProtocolVersion};

use super::certificates::Certificates;
use super::client_auth::{self, ClientAuth};
use super::error::{TlsError, TlsErrorKind};
use super::options::{TlsOptions, TlsVersion};
use super::transport::Transport;
use crate::conn::{Interest, StreamPeer};

/// How many socket reads one [`TlsHandshake::poll`] does at most, so that a peer that
/// keeps sending cannot hold the caller's loop.
const HANDSHAKE_READS_PER_POLL: usize = 32;

/// A client handshake in progress over a non-blocking [`StreamPeer`].
///
/// Call [`poll`](TlsHandshake::poll) whenever [`interest`](TlsHandshake::interest) is
/// ready (or simply on every tick) until it returns `Ok(true)`, then take the stream with
/// [`into_stream`](TlsHandshake::into_stream).
pub struct TlsHandshake {
    conn: ClientConnection,
    transport: Transport,
    done: bool,
    failed: Option<TlsError>,
    client_auth: ClientAuth,
}

impl TlsHandshake {
    /// Starts a handshake over `stream` (non-blocking) with the server `host`.
    ///
    /// `host` is the name verified and sent as SNI (unless the options carry a
    /// common-name override, which then takes both roles). An IP address (`127.0.0.1`,
    /// `::1` or `[::1]`) is sent without SNI and checked against the certificate's IP
    /// address entries. Nothing is sent yet; the first [`poll`](TlsHandshake::poll) does.
    /// Fails with [`TlsErrorKind::InvalidConfig`] for unusable options or a host that is
    /// neither a DNS name nor an IP address.
    #[doc(alias = "connect_to_stream")]
    pub fn start(
        stream: Box<dyn StreamPeer>,
        options: &TlsOptions,
        host: &str,
    ) -> Result<TlsHandshake, TlsError> {
        let config = options.client_config()?;
        let client_auth = ClientAuth {
            asked: false,
            configured: config.client_auth_cert_resolver.has_certs(),
        };
        let name = server_name(options.server_name(host))?;
        let conn = ClientConnection::new(config, name)
            .map_err(|e| TlsError::rustls(TlsErrorKind::InvalidConfig, e))?;
        Ok(TlsHandshake {
            conn,
            transport: Transport::new(stream),
            done: false,
            failed: None,
            client_auth,
        })
    }

    /// Moves the handshake forward with non-blocking reads and writes. `Ok(true)` once it
    /// is complete (and everything we had to send is sent), `Ok(false)` while it waits on
    /// the socket. A failure is final: later calls return the same error.
    pub fn poll(&mut self) -> Result<bool, TlsError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        if self.done {
            return Ok(true);
        }
        match self.advance() {
            Ok(done) => {
                self.done = done;
                Ok(done)
            }
            Err(e) => {
                // Tell the peer why, if the socket takes it; the error stands either way.
                let _ = self.conn.write_tls(&mut self.transport);
                self.failed = Some(e.clone());
                Err(e)
            }
        }
    }

    fn advance(&mut self) -> Result<bool, TlsError> {
        for _ in 0..HANDSHAKE_READS_PER_POLL {
            while self.conn.wants_write() {
                match self.conn.write_tls(&mut self.transport) {
                    Ok(_) => {}
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                    Err(e) => return Err(TlsError::from_io(&e)),
                }
            }
            if !self.conn.is_handshaking() {
                return Ok(!self.conn.wants_write());
            }
            if !self.conn.wants_read() {
                return Ok(false);
            }
            let n = match self.conn.read_tls(&mut self.transport) {
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(false),
                Err(e) => return Err(self.not_tls().unwrap_or_else(|| TlsError::from_io(&e))),
            };
            if let Some(e) = self.not_tls() {
                return Err(e);
            }
            // Process even at end of stream: an alert may precede the close.
            client_auth::take_asked();
            let processed = self.conn.process_new_packets();
            self.client_auth.asked |= client_auth::take_asked();
            if let Err(e) = processed {
                return Err(self
                    .client_auth
                    .refusal(&e, false)
                    .unwrap_or_else(|| TlsError::from_rustls(&e)));
            }
            if n == 0 && self.conn.is_handshaking() {
                return Err(TlsError::new(
                    TlsErrorKind::Closed,
                    "the server closed the connection during the handshake",
                ));
            }
        }
        Ok(false)
    }

    fn not_tls(&self) -> Option<TlsError> {
        self.transport.not_tls().map(|preview| {
            TlsError::new(
                TlsErrorKind::NotTls,
                format!("the server answered \"{preview}\"; is this a plain-text port?"),
            )
        })
    }

    /// What the handshake waits for: `Write` while records are queued, else `Read`.
    pub fn interest(&self) -> Interest {
        match (self.conn.wants_write(), self.conn.is_handshaking()) {
            (true, true) => Interest::ReadWrite,
            (true, false) => Interest::Write,
            (false, _) => Interest::Read,
        }
    }

    /// Blocks until [`poll`](TlsHandshake::poll) can make progress or `timeout` passes
    /// (`Ok(false)`). Returns at once when received bytes are waiting to be processed.
    pub fn wait(&mut self, timeout: Option<Duration>) -> io::Result<bool> {
        if self.transport.has_buffered()
            || self.transport.saw_eof()
            || self.transport.inner.has_buffered_read()
        {
            return Ok(true);
        }
        let interest = self.interest();
        self.transport.inner.wait(interest, timeout)
    }

    /// The version agreed with the server, once the server has answered.
    pub fn negotiated_version(&self) -> Option<TlsVersion> {
        version(self.conn.protocol_version())
    }

    /// The socket's file descriptor, to register with the caller's own poller.
    #[cfg(unix)]
    pub fn raw_fd(&self) -> Option<std::os::fd::RawFd> {
        self.transport.inner.raw_fd()
    }

    /// The socket's handle, to register with the caller's own poller (Windows).
    #[cfg(windows)]
    pub fn raw_socket(&self) -> Option<std::os::windows::io::RawSocket> {
        self.transport.inner.raw_socket()
    }

    /// The socket, borrowed, for the client's [`Poller`](crate::Poller) (Windows).
    #[cfg(windows)]
    pub(crate) fn socket(&self) -> Option<std::os::windows::io::BorrowedSocket<'_>> {
        self.transport.inner.socket()
    }

    /// The encrypted stream. Meant for after [`poll`](TlsHandshake::poll) returned
    /// `Ok(true)`; taken earlier, the stream completes the handshake as it is read and
    /// written, and reports handshake failures as I/O errors.
    pub fn into_stream(self) -> TlsStream {
        TlsStream {
            conn: self.conn,
            transport: self.transport,
            plaintext_pending: 0,
            closed: None,
            failed: None,
            deferred: None,
            client_auth: self.client_auth,
            received: false,
        }
    }
}

/// An encrypted stream, as produced by a completed [`TlsHandshake`].
///
/// It is a [`StreamPeer`] like the socket under it: see the [module docs](super) for how
/// it reports the end of the stream.
pub struct TlsStream {
    conn: ClientConnection,
    transport: Transport,
    /// Decrypted bytes waiting in rustls, as of the last look.
    plaintext_pending: usize,
    /// How the stream ended, once it did: `Some(true)` with close_notify.
    closed: Option<bool>,
    /// A fatal TLS error, reported once the plaintext before it has been read.
    failed: Option<TlsError>,
    /// A socket error met while returning data, reported by the next read.
    deferred: Option<io::Error>,
    /// Whether the server asked for a client certificate, and whether one was sent.
    client_auth: ClientAuth,
    /// True once any plaintext came from the server.
    received: bool,
}

impl TlsStream {
    /// The version agreed with the server.
    pub fn negotiated_version(&self) -> Option<TlsVersion> {
        version(self.conn.protocol_version())
    }

    /// The certificates the server sent: its own first, then the intermediates.
    pub fn peer_certificates(&self) -> Option<Certificates> {
        self.conn.peer_certificates().map(Certificates::from_rustls)
    }

    /// The protocol agreed by ALPN (`b"http/1.1"`), if the server took part.
    pub fn alpn_protocol(&self) -> Option<&[u8]> {
        self.conn.alpn_protocol()
    }

    /// How the peer ended the stream: `None` while it is open, `Some(true)` after a
    /// close_notify alert, `Some(false)` after a bare end of the TCP stream (between
    /// records). A read-until-close body received with `Some(false)` may be truncated.
    pub fn peer_closed_cleanly(&self) -> Option<bool> {
        self.closed
    }

    /// Sends queued records; `Ok(true)` once none are left.
    fn push_records(&mut self) -> io::Result<bool> {
        while self.conn.wants_write() {
            match self.conn.write_tls(&mut self.transport) {
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(false),
                Err(e) => return Err(e),
            }
        }
        Ok(true)
    }

    /// Decrypts what has arrived. An alert before any data, in TLS 1.3, may be the
    /// server's refusal of the client certificate (or of its absence).
    fn process(&mut self) -> Result<(), TlsError> {
        let state = self.conn.process_new_packets().map_err(|e| {
            let late_verdict =
                !self.received && self.conn.protocol_version() == Some(ProtocolVersion::TLSv1_3);
            late_verdict
                .then(|| self.client_auth.refusal(&e, true))
                .flatten()
                .unwrap_or_else(|| TlsError::from_rustls(&e))
        })?;
        self.plaintext_pending = state.plaintext_bytes_to_read();
        Ok(())
    }

    /// What a read returns once rustls has no more bytes and the socket has ended.
    fn end_of_stream(&mut self, clean: bool) -> io::Result<usize> {
        if !clean && !self.transport.at_record_boundary() {
            return Err(TlsError::new(
                TlsErrorKind::Closed,
                "the connection ended in the middle of a TLS record",
            )
            .into());
        }
        self.closed.get_or_insert(clean);
        Ok(0)
    }
}

impl StreamPeer for TlsStream {
    fn tls_version(&self) -> Option<TlsVersion> {
        self.negotiated_version()
    }

    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        // Records owed to the peer (a key update, a late handshake flight) go out first,
        // best effort: a peer that already closed may refuse them, and what it sent
        // before closing must still be read.
        let _ = self.push_records();
        let mut filled = 0;
        loop {
            match self.conn.reader().read(&mut buf[filled..]) {
                Ok(0) if filled == 0 => return self.end_of_stream(true),
                Ok(n) => {
                    filled += n;
                    self.received |= n > 0;
                    self.plaintext_pending = self.plaintext_pending.saturating_sub(n);
                    // Keep decrypting only what is already in memory: another socket
                    // read here would mostly come back empty.
                    if n == 0 || filled == buf.len() || !self.transport.has_buffered() {
                        return Ok(filled);
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => self.plaintext_pending = 0,
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof && filled == 0 => {
                    return self.end_of_stream(false);
                }
                Err(_) if filled > 0 => return Ok(filled),
                Err(e) => return Err(e),
            }
            if let Some(e) = &self.failed {
                return Err(e.clone().into());
            }
            if let Some(e) = self.deferred.take() {
                return Err(e);
            }
            match self.conn.read_tls(&mut self.transport) {
                Ok(_) => {}
                Err(e) if filled > 0 => {
                    // A reset is reported once by the socket: keep it for the next call.
                    if e.kind() != io::ErrorKind::WouldBlock {
                        self.deferred = Some(e);
                    }
                    return Ok(filled);
                }
                Err(e) => return Err(e),
            }
            if let Err(e) = self.process() {
                // Bytes decrypted before the failure are good; the error comes next.
                self.failed = Some(e);
                let _ = self.push_records();
            }
        }
    }

    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_vectored(&[io::IoSlice::new(buf)])
    }

    fn write_vectored(&mut self, bufs: &[io::IoSlice<'_>]) -> io::Result<usize> {
        if bufs.iter().all(|b| b.is_empty()) {
            return Ok(0);
        }
        if let Some(e) = &self.failed {
            return Err(e.clone().into());
        }
        self.push_records()?;
        // rustls takes plaintext only up to its outgoing buffer limit (64 KiB of records).
        let taken = self.conn.writer().write_vectored(bufs)?;
        self.push_records()?;
        if taken == 0 {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        Ok(taken)
    }

    fn flush(&mut self) -> io::Result<()> {
        if !self.push_records()? {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        self.transport.inner.flush()
    }

    fn wait(&mut self, interest: Interest, timeout: Option<Duration>) -> io::Result<bool> {
        if interest.wants_read() && self.has_buffered_read() {
            return Ok(true);
        }
        // Queued records only leave when the socket takes them: wake up for that too,
        // the next read or write sends them.
        let interest = if self.conn.wants_write() && interest.wants_read() {
            Interest::ReadWrite
        } else if self.conn.wants_write() {
            Interest::Write
        } else {
            interest
        };
        self.transport.inner.wait(interest, timeout)
    }

    fn read_wait(&mut self, buf: &mut [u8], timeout: Option<Duration>) -> io::Result<usize> {
        // Records still to send need write readiness too: only the general wait has that.
        if !self.has_buffered_read() && !self.conn.wants_write() {
            self.transport.fill_wait(timeout)?;
        } else if !self.wait(Interest::Read, timeout)? {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        self.read(buf)
    }

    fn has_buffered_read(&self) -> bool {
        self.plaintext_pending > 0
            || self.transport.has_buffered()
            || self.transport.saw_eof()
            || self.closed.is_some()
            || self.failed.is_some()
            || self.deferred.is_some()
            || self.transport.inner.has_buffered_read()
    }

    #[cfg(unix)]
    fn raw_fd(&self) -> Option<std::os::fd::RawFd> {
        self.transport.inner.raw_fd()
    }

    #[cfg(windows)]
    fn raw_socket(&self) -> Option<std::os::windows::io::RawSocket> {
        self.transport.inner.raw_socket()
    }

    #[cfg(windows)]
    fn socket(&self) -> Option<std::os::windows::io::BorrowedSocket<'_>> {
        self.transport.inner.socket()
    }

    /// Sends close_notify (if the socket takes it) and shuts the socket down.
    fn shutdown(&mut self) {
        self.conn.send_close_notify();
        let _ = self.push_records();
        self.transport.inner.shutdown();
    }
}

impl fmt::Debug for TlsHandshake {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsHandshake")
            .field("done", &self.done)
            .field("failed", &self.failed)
            .field("version", &self.negotiated_version())
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for TlsStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsStream")
            .field("version", &self.negotiated_version())
            .field("closed", &self.closed)
            .field("failed", &self.failed)
            .finish_non_exhaustive()
    }
}

fn version(v: Option<ProtocolVersion>) -> Option<TlsVersion> {
    match v? {
        ProtocolVersion::TLSv1_2 => Some(TlsVersion::Tls12),
        ProtocolVersion::TLSv1_3 => Some(TlsVersion::Tls13),
        _ => None,
    }
}

/// A host as rustls wants it: IP literals (also bracketed IPv6) become IP addresses.
fn server_name(host: &str) -> Result<ServerName<'static>, TlsError> {
    if let Some(ip) = crate::net::host::parse_ip_literal(host) {
        return Ok(ServerName::IpAddress(ip.into()));
    }
    ServerName::try_from(host.to_owned()).map_err(|_| {
        TlsError::new(
            TlsErrorKind::InvalidConfig,
            format!("{host:?} is neither a DNS name nor an IP address"),
        )
    })
}
