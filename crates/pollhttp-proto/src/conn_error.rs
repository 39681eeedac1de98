//! Why a connection cannot go on: the peer's doing or an expired limit, never the caller's.

use crate::{timeouts, ProtoError, TimeoutPhase};
use alloc::string::String;
use core::fmt;
use core::time::Duration;

/// Why a [`Connection`](crate::Connection) failed. Each variant is about the peer (or the
/// network between): the caller's mistakes are refused before anything is sent, with a
/// [`SendError`](crate::SendError).
///
/// ```
/// use core::time::Duration;
/// use pollhttp_proto::{ConnError, TimeoutPhase};
/// let e = ConnError::Timeout { phase: TimeoutPhase::Idle, after: Duration::from_secs(3) };
/// assert_eq!(
///     e.to_string(),
///     "timed out after 3s waiting for the connection to make progress (timeouts.idle)"
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConnError {
    /// The server broke HTTP/1.1 (bad head, bad framing, a limit exceeded, an unsolicited
    /// protocol switch).
    Protocol(ProtoError),
    /// The peer closed the connection where that is not a valid end; the text says when.
    PeerClosed(&'static str),
    /// The server sent bytes while no response was expected (also: an HTTPS proxy sent bytes
    /// after its answer to `CONNECT`, before the TLS handshake began).
    UnexpectedData,
    /// The HTTPS proxy answered `CONNECT` with a status other than 2xx.
    ProxyRefused {
        /// The proxy's status code.
        code: u16,
        /// The proxy's reason phrase (possibly empty).
        reason: String,
    },
    /// A limit of [`Timeouts`](crate::Timeouts) expired.
    Timeout {
        /// Which limit.
        phase: TimeoutPhase,
        /// The limit's value.
        after: Duration,
    },
}

impl fmt::Display for ConnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConnError::Protocol(e) => write!(f, "protocol error: {e}"),
            ConnError::PeerClosed(when) => write!(f, "connection closed by peer {when}"),
            ConnError::UnexpectedData => {
                f.write_str("server sent data while no response was expected")
            }
            ConnError::ProxyRefused { code, reason } => {
                write!(f, "the proxy refused the CONNECT tunnel: {code}")?;
                if !reason.is_empty() {
                    write!(f, " {reason}")?;
                }
                Ok(())
            }
            ConnError::Timeout { phase, after } => f.write_str(&timeouts::describe(*phase, *after)),
        }
    }
}

impl core::error::Error for ConnError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            ConnError::Protocol(e) => Some(e),
            _ => None,
        }
    }
}

impl From<ProtoError> for ConnError {
    fn from(e: ProtoError) -> ConnError {
        ConnError::Protocol(e)
    }
}

/// Why [`Connection::send_request`](crate::Connection::send_request) refused a request:
/// the caller's mistake, and nothing was sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SendError {
    /// The method, target, a header or an automatic header value is not allowed.
    Invalid(ProtoError),
    /// The connection is not idle: still connecting, busy with an exchange, or closed.
    NotReady,
}

impl fmt::Display for SendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SendError::Invalid(e) => e.fmt(f),
            SendError::NotReady => f.write_str("the connection is not ready for a request"),
        }
    }
}

impl core::error::Error for SendError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            SendError::Invalid(e) => Some(e),
            SendError::NotReady => None,
        }
    }
}
