//! The `CONNECT` handshake that opens a tunnel through an HTTPS proxy.
//!
//! What differs from Godot here:
//! - the request names the origin in `Host` (Godot sends `Host: :-1`) and carries
//!   `Proxy-Authorization` when credentials are set;
//! - any 2xx opens the tunnel, with or without `Content-Length` or `Transfer-Encoding`:
//!   RFC 9110 section 9.3.6 says a client ignores the framing of a 2xx to CONNECT
//!   (Godot fails when the proxy's 200 carries `Content-Length: 0`);
//! - a refusal keeps the proxy's status code and reason for the caller
//!   ([`ConnError::ProxyRefused`]).

use crate::{
    authority, write_request_head, ConnError, HeadEvent, Limits, Method, ProtoError, RequestHead,
    ResponseReader,
};
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

/// The `CONNECT` request for `host:port`: `CONNECT host:port HTTP/1.1` with
/// `Host: host:port` (IPv6 literals in brackets in both), `Proxy-Authorization` when
/// given, and `User-Agent` (unless empty).
///
/// # Errors
///
/// The request-side errors of [`write_request_head`]: CR, LF or other control characters in
/// the credentials or the user agent, a host that is no valid authority.
pub fn connect_request(
    host: &str,
    port: u16,
    authorization: Option<&str>,
    user_agent: &str,
) -> Result<Vec<u8>, ProtoError> {
    let target = authority(host, port);
    let auth_header = authorization.map(|a| format!("Proxy-Authorization: {a}"));
    let headers: Vec<&str> = auth_header.iter().map(String::as_str).collect();
    let mut out = Vec::new();
    write_request_head(
        &mut out,
        &RequestHead {
            method: "CONNECT",
            target: &target,
            host: &target,
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
pub enum TunnelEvent {
    /// The response head is not complete yet.
    NeedMore,
    /// A 2xx arrived and nothing followed it: the stream is now the tunnel.
    Open,
}

/// The CONNECT exchange as a state machine over bytes: [`to_send`](Self::to_send) /
/// [`sent`](Self::sent) for the request, [`received`](Self::received) and
/// [`closed`](Self::closed) for what the proxy says.
#[derive(Debug)]
pub struct TunnelHandshake {
    request: Vec<u8>,
    sent: usize,
    reader: ResponseReader,
    buf: Vec<u8>,
}

impl TunnelHandshake {
    /// A handshake that sends `request` (from [`connect_request`]) and reads the reply
    /// within `limits`.
    pub fn new(request: Vec<u8>, limits: Limits) -> TunnelHandshake {
        let mut reader = ResponseReader::new(limits);
        reader.start(Method::Connect);
        TunnelHandshake {
            request,
            sent: 0,
            reader,
            buf: Vec::new(),
        }
    }

    /// Request bytes not yet written.
    pub fn to_send(&self) -> &[u8] {
        self.request.get(self.sent..).unwrap_or_default()
    }

    /// Records that `n` more request bytes were written.
    pub fn sent(&mut self, n: usize) {
        self.sent = self.sent.saturating_add(n).min(self.request.len());
    }

    /// Takes bytes from the proxy. The buffer is bounded by the head-size limit plus one
    /// read, since the parser fails as soon as the head outgrows the limit.
    ///
    /// # Errors
    ///
    /// [`ConnError::ProxyRefused`] for a final status other than 2xx,
    /// [`ConnError::UnexpectedData`] for bytes after a 2xx head, [`ConnError::Protocol`]
    /// for a reply that is not HTTP.
    pub fn received(&mut self, bytes: &[u8]) -> Result<TunnelEvent, ConnError> {
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
                    return Err(ConnError::ProxyRefused {
                        code,
                        reason: String::from_utf8_lossy(head.reason()).into_owned(),
                    });
                }
                if self.buf.len() > consumed {
                    // Nothing may come before the TLS handshake about to start: these
                    // bytes would be taken for the origin's.
                    return Err(ConnError::UnexpectedData);
                }
                self.buf = Vec::new();
                Ok(TunnelEvent::Open)
            }
            Err(e) => Err(ConnError::Protocol(e)),
        }
    }

    /// The proxy closed the connection before the tunnel opened: why that is an error.
    pub fn closed(&self) -> ConnError {
        if self.reader.fed_any() {
            ConnError::PeerClosed("in the middle of the proxy's answer to CONNECT")
        } else {
            ConnError::PeerClosed("before the proxy answered CONNECT")
        }
    }
}

#[cfg(test)]
mod tests;
