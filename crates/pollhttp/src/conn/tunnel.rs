//! The `CONNECT` handshake that opens a tunnel through an HTTPS proxy.
//!
//! [`TunnelHandshake`] is the protocol, with no I/O: the request bytes to send, and a
//! verdict on the bytes received. [`Tunnel`] drives it over a non-blocking stream for
//! the connect pipeline, between TCP and TLS.
//!
//! What differs from Godot here (see the project's compatibility notes):
//! - the request names the origin in `Host` (Godot sends `Host: :-1`) and carries
//!   `Proxy-Authorization` when credentials are set;
//! - any 2xx opens the tunnel, with or without `Content-Length` or `Transfer-Encoding`:
//!   RFC 9110 section 9.3.6 says a client ignores the framing of a 2xx to CONNECT
//!   (Godot fails when the proxy's 200 carries `Content-Length: 0`);
//! - a refusal keeps the proxy's status code and reason for the caller
//!   ([`Reason::ProxyRefused`]).

use crate::net::host::Target;
use crate::proto::{self, HeadEvent, Limits, ProtoError, RequestHead, ResponseReader};
use crate::{Interest, Reason, StreamPeer};
use std::io;
use std::net::IpAddr;
use std::time::Duration;

/// Bytes read from the proxy per read call.
const READ_SIZE: usize = 4096;

/// The `CONNECT` request for `origin:port`: `CONNECT host:port HTTP/1.1` with
/// `Host: host:port` (IPv6 literals in brackets in both), `Proxy-Authorization` when
/// given, and `User-Agent` (unless empty).
pub(crate) fn connect_request(
    origin: &Target,
    port: u16,
    authorization: Option<&str>,
    user_agent: &str,
) -> Result<Vec<u8>, ProtoError> {
    let authority = match origin.ip {
        Some(IpAddr::V6(_)) => format!("[{}]:{port}", origin.host),
        _ => format!("{}:{port}", origin.host),
    };
    let auth_header = authorization.map(|a| format!("Proxy-Authorization: {a}"));
    let headers: Vec<&str> = auth_header.iter().map(String::as_str).collect();
    let mut out = Vec::new();
    proto::write_request_head(
        &mut out,
        &RequestHead {
            method: "CONNECT",
            target: &authority,
            host: &authority,
            headers: &headers,
            body_len: 0,
            content_length_if_empty: false,
            user_agent,
        },
    )?;
    Ok(out)
}

/// What the proxy's bytes amount to so far.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum TunnelEvent {
    /// The response head is not complete yet.
    NeedMore,
    /// A 2xx arrived and nothing followed it: the stream is now the tunnel.
    Open,
}

/// The CONNECT exchange as a state machine over bytes: [`to_send`](Self::to_send) /
/// [`sent`](Self::sent) for the request, [`received`](Self::received) and
/// [`closed`](Self::closed) for what the proxy says.
#[derive(Debug)]
pub(crate) struct TunnelHandshake {
    request: Vec<u8>,
    sent: usize,
    reader: ResponseReader,
    buf: Vec<u8>,
    received_any: bool,
}

impl TunnelHandshake {
    /// A handshake that sends `request` (from [`connect_request`]) and reads the reply
    /// within `limits`.
    pub(crate) fn new(request: Vec<u8>, limits: Limits) -> TunnelHandshake {
        let mut reader = ResponseReader::new(limits);
        reader.start("CONNECT");
        TunnelHandshake {
            request,
            sent: 0,
            reader,
            buf: Vec::new(),
            received_any: false,
        }
    }

    /// Request bytes not yet written.
    pub(crate) fn to_send(&self) -> &[u8] {
        self.request.get(self.sent..).unwrap_or_default()
    }

    /// Records that `n` more request bytes were written.
    pub(crate) fn sent(&mut self, n: usize) {
        self.sent = self.sent.saturating_add(n).min(self.request.len());
    }

    /// Takes bytes from the proxy. The buffer is bounded by the head-size limit plus one
    /// read, since the parser fails as soon as the head outgrows the limit.
    pub(crate) fn received(&mut self, bytes: &[u8]) -> Result<TunnelEvent, Reason> {
        self.received_any |= !bytes.is_empty();
        self.buf.extend_from_slice(bytes);
        match self.reader.feed_head(&self.buf) {
            Ok(HeadEvent::NeedMore { consumed }) => {
                self.buf.drain(..consumed.min(self.buf.len()));
                Ok(TunnelEvent::NeedMore)
            }
            Ok(HeadEvent::Complete { consumed }) => {
                let head = self.reader.head();
                let code = head.code();
                if !(200..300).contains(&code) {
                    return Err(Reason::ProxyRefused {
                        code,
                        reason: String::from_utf8_lossy(head.reason()).into_owned(),
                    });
                }
                if self.buf.len() > consumed {
                    // Nothing may come before the TLS handshake we are about to start;
                    // these bytes would be taken for the origin's.
                    return Err(Reason::UnexpectedData);
                }
                self.buf = Vec::new();
                Ok(TunnelEvent::Open)
            }
            Err(e) => Err(Reason::Protocol(e)),
        }
    }

    /// The proxy closed the connection before the tunnel opened: why that is an error.
    pub(crate) fn closed(&self) -> Reason {
        if self.received_any {
            Reason::PeerClosed("in the middle of the proxy's answer to CONNECT")
        } else {
            Reason::PeerClosed("before the proxy answered CONNECT")
        }
    }
}

/// The handshake over a stream to the proxy, polled without blocking.
pub(crate) struct Tunnel {
    stream: Box<dyn StreamPeer>,
    handshake: TunnelHandshake,
}

impl Tunnel {
    /// Starts the handshake on a freshly connected `stream`; nothing is sent until
    /// [`poll`](Tunnel::poll).
    pub(crate) fn start(stream: Box<dyn StreamPeer>, request: Vec<u8>, limits: Limits) -> Tunnel {
        Tunnel {
            stream,
            handshake: TunnelHandshake::new(request, limits),
        }
    }

    /// Sends and reads what the socket allows: `Ok(true)` once the tunnel is open.
    pub(crate) fn poll(&mut self) -> Result<bool, Reason> {
        while !self.handshake.to_send().is_empty() {
            match self.stream.write(self.handshake.to_send()) {
                Ok(0) => return Err(self.handshake.closed()),
                Ok(n) => self.handshake.sent(n),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(false),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(Reason::io(&e)),
            }
        }
        let mut chunk = [0u8; READ_SIZE];
        loop {
            match self.stream.read(&mut chunk) {
                Ok(0) => return Err(self.handshake.closed()),
                Ok(n) => match self.handshake.received(&chunk[..n])? {
                    TunnelEvent::Open => return Ok(true),
                    TunnelEvent::NeedMore => {}
                },
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(false),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(Reason::io(&e)),
            }
        }
    }

    /// What the handshake waits for: room to send the request, then the reply.
    pub(crate) fn interest(&self) -> Interest {
        if self.handshake.to_send().is_empty() {
            Interest::Read
        } else {
            Interest::Write
        }
    }

    /// Sleeps until the socket is ready for [`interest`](Tunnel::interest).
    pub(crate) fn wait(&mut self, timeout: Option<Duration>) -> io::Result<bool> {
        let interest = self.interest();
        self.stream.wait(interest, timeout)
    }

    /// The socket, for the caller's own poller.
    #[cfg(unix)]
    pub(crate) fn raw_fd(&self) -> Option<std::os::fd::RawFd> {
        self.stream.raw_fd()
    }

    /// The stream, now a tunnel to the origin.
    pub(crate) fn into_stream(self) -> Box<dyn StreamPeer> {
        self.stream
    }
}

#[cfg(test)]
mod tests;
