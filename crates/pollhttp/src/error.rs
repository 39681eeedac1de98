//! The error type returned by [`HttpClient`](crate::HttpClient), mapped to Godot's `Error`.

use crate::proto::ProtoError;
use crate::Status;
use std::fmt;

/// Godot's `Error` constant that an [`Error`] stands for.
///
/// Ported code that compared Godot error numbers can use [`GodotError::code`]; the names
/// are Godot's (`ERR_CANT_CONNECT` is `CantConnect`).
///
/// ```
/// use pollhttp::GodotError;
/// assert_eq!(GodotError::InvalidParameter.code(), 31);
/// assert_eq!(GodotError::CantResolve.name(), "ERR_CANT_RESOLVE");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum GodotError {
    /// `FAILED` (1).
    #[doc(alias = "FAILED")]
    Failed,
    /// `ERR_UNAVAILABLE` (2).
    #[doc(alias = "ERR_UNAVAILABLE")]
    Unavailable,
    /// `ERR_UNCONFIGURED` (3).
    #[doc(alias = "ERR_UNCONFIGURED")]
    Unconfigured,
    /// `ERR_CANT_CONNECT` (25).
    #[doc(alias = "ERR_CANT_CONNECT")]
    CantConnect,
    /// `ERR_CANT_RESOLVE` (26).
    #[doc(alias = "ERR_CANT_RESOLVE")]
    CantResolve,
    /// `ERR_CONNECTION_ERROR` (27).
    #[doc(alias = "ERR_CONNECTION_ERROR")]
    ConnectionError,
    /// `ERR_INVALID_DATA` (30).
    #[doc(alias = "ERR_INVALID_DATA")]
    InvalidData,
    /// `ERR_INVALID_PARAMETER` (31).
    #[doc(alias = "ERR_INVALID_PARAMETER")]
    InvalidParameter,
    /// `ERR_BUSY` (44).
    #[doc(alias = "ERR_BUSY")]
    Busy,
    /// `ERR_TIMEOUT` (24).
    #[doc(alias = "ERR_TIMEOUT")]
    Timeout,
}

impl GodotError {
    /// Godot's number for this error.
    pub fn code(self) -> i32 {
        match self {
            GodotError::Failed => 1,
            GodotError::Unavailable => 2,
            GodotError::Unconfigured => 3,
            GodotError::Timeout => 24,
            GodotError::CantConnect => 25,
            GodotError::CantResolve => 26,
            GodotError::ConnectionError => 27,
            GodotError::InvalidData => 30,
            GodotError::InvalidParameter => 31,
            GodotError::Busy => 44,
        }
    }

    /// Godot's constant name, such as `"ERR_CONNECTION_ERROR"`.
    pub fn name(self) -> &'static str {
        match self {
            GodotError::Failed => "FAILED",
            GodotError::Unavailable => "ERR_UNAVAILABLE",
            GodotError::Unconfigured => "ERR_UNCONFIGURED",
            GodotError::Timeout => "ERR_TIMEOUT",
            GodotError::CantConnect => "ERR_CANT_CONNECT",
            GodotError::CantResolve => "ERR_CANT_RESOLVE",
            GodotError::ConnectionError => "ERR_CONNECTION_ERROR",
            GodotError::InvalidData => "ERR_INVALID_DATA",
            GodotError::InvalidParameter => "ERR_INVALID_PARAMETER",
            GodotError::Busy => "ERR_BUSY",
        }
    }
}

impl fmt::Display for GodotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a call failed: the detail behind the [`GodotError`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Reason {
    /// The caller passed an argument that is not allowed; the text says which and why.
    InvalidArgument(String),
    /// The call is not allowed in the client's current status.
    WrongStatus {
        /// The method that was called.
        call: &'static str,
        /// The status the client was in.
        status: Status,
    },
    /// Nothing to do: the client is disconnected.
    NotConnected,
    /// The feature needed is not built in or not available.
    Unsupported(String),
    /// Name resolution failed for `host`.
    Resolve {
        /// The host name that was looked up.
        host: String,
        /// What the resolver said.
        detail: String,
    },
    /// Every address of the target refused or failed the connection.
    Connect {
        /// The `host:port` that was tried.
        target: String,
        /// The last failure seen.
        detail: String,
    },
    /// The TLS handshake or certificate verification failed; the error's
    /// [`kind`](crate::tls::TlsError::kind) says which check.
    Tls(crate::tls::TlsError),
    /// A socket operation failed.
    Io {
        /// The kind of I/O error.
        kind: std::io::ErrorKind,
        /// The operating system's message.
        detail: String,
    },
    /// The peer closed the connection where that is not a valid end.
    PeerClosed(&'static str),
    /// The server broke HTTP/1.1 (bad head, bad framing, a limit exceeded).
    Protocol(ProtoError),
    /// The server sent bytes while no response was expected (also: an HTTPS proxy sent
    /// bytes after its answer to `CONNECT`, before the TLS handshake began).
    UnexpectedData,
    /// A limit of [`Timeouts`](crate::Timeouts) expired. The Godot error is that of the
    /// phase it ended (`ERR_CANT_RESOLVE`, `ERR_CANT_CONNECT`, `ERR_CONNECTION_ERROR`).
    Timeout {
        /// Which limit.
        phase: crate::TimeoutPhase,
        /// The limit's value.
        after: std::time::Duration,
    },
    /// The HTTPS proxy answered `CONNECT` with a status other than 2xx, so no tunnel was
    /// opened; the client is in CANT_CONNECT with `ERR_CANT_CONNECT`. `407` means the
    /// proxy wants (other) credentials, see
    /// [`ProxyConfig::with_credentials`](crate::ProxyConfig::with_credentials); `403` that
    /// it does not allow this destination or port.
    ///
    /// ```
    /// use pollhttp::Reason;
    /// let r = Reason::ProxyRefused { code: 407, reason: "Proxy Authentication Required".into() };
    /// assert_eq!(
    ///     r.to_string(),
    ///     "the proxy refused the CONNECT tunnel: 407 Proxy Authentication Required"
    /// );
    /// ```
    ProxyRefused {
        /// The proxy's status code.
        code: u16,
        /// The proxy's reason phrase (possibly empty).
        reason: String,
    },
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::InvalidArgument(s) => write!(f, "invalid argument: {s}"),
            Reason::WrongStatus { call, status } => {
                write!(f, "{call}() is not allowed in {status}")
            }
            Reason::NotConnected => f.write_str("not connected (call connect_to_host first)"),
            Reason::Unsupported(s) => write!(f, "unsupported: {s}"),
            Reason::Resolve { host, detail } => write!(f, "cannot resolve {host}: {detail}"),
            Reason::Connect { target, detail } => {
                write!(f, "cannot connect to {target}: {detail}")
            }
            Reason::Tls(e) => write!(f, "TLS handshake failed: {e}"),
            Reason::Io { detail, .. } => write!(f, "I/O error: {detail}"),
            Reason::PeerClosed(when) => write!(f, "connection closed by peer {when}"),
            Reason::Protocol(e) => write!(f, "protocol error: {e}"),
            Reason::UnexpectedData => {
                f.write_str("server sent data while no response was expected")
            }
            Reason::Timeout { phase, after } => {
                f.write_str(&crate::proto::describe_timeout(*phase, *after))
            }
            Reason::ProxyRefused { code, reason } => {
                write!(f, "the proxy refused the CONNECT tunnel: {code}")?;
                if !reason.is_empty() {
                    write!(f, " {reason}")?;
                }
                Ok(())
            }
        }
    }
}

/// An error from [`HttpClient`](crate::HttpClient): a Godot error constant plus the reason.
///
/// ```
/// use pollhttp::{Error, GodotError, Reason};
/// let e = Error::new(GodotError::InvalidParameter, Reason::InvalidArgument("empty header".into()));
/// assert_eq!(e.godot_code(), 31);
/// assert_eq!(e.to_string(), "ERR_INVALID_PARAMETER: invalid argument: empty header");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    godot: GodotError,
    reason: Reason,
}

impl Reason {
    /// What an I/O error says, kept as its kind and message.
    pub(crate) fn io(err: &std::io::Error) -> Reason {
        Reason::Io {
            kind: err.kind(),
            detail: err.to_string(),
        }
    }
}

impl Error {
    /// Builds an error from its Godot constant and reason.
    pub fn new(godot: GodotError, reason: Reason) -> Error {
        Error { godot, reason }
    }

    /// `ERR_INVALID_PARAMETER` with a description of the bad argument.
    pub fn invalid(what: impl Into<String>) -> Error {
        Error::new(
            GodotError::InvalidParameter,
            Reason::InvalidArgument(what.into()),
        )
    }

    /// An I/O failure mapped to `godot`.
    pub fn io(godot: GodotError, err: &std::io::Error) -> Error {
        Error::new(godot, Reason::io(err))
    }

    /// The Godot constant.
    pub fn godot(&self) -> GodotError {
        self.godot
    }

    /// Godot's number for this error (`ERR_CANT_CONNECT` is 25).
    pub fn godot_code(&self) -> i32 {
        self.godot.code()
    }

    /// Why it failed.
    pub fn reason(&self) -> &Reason {
        &self.reason
    }

    /// Which limit of [`Timeouts`](crate::Timeouts) expired, when that is why it failed.
    pub fn timeout_phase(&self) -> Option<crate::TimeoutPhase> {
        match self.reason {
            Reason::Timeout { phase, .. } => Some(phase),
            _ => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.godot, self.reason)
    }
}

impl std::error::Error for Error {}

impl From<crate::proto::ConnError> for Reason {
    fn from(e: crate::proto::ConnError) -> Reason {
        use crate::proto::ConnError;
        match e {
            ConnError::Protocol(p) => Reason::Protocol(p),
            ConnError::PeerClosed(when) => Reason::PeerClosed(when),
            ConnError::UnexpectedData => Reason::UnexpectedData,
            ConnError::ProxyRefused { code, reason } => Reason::ProxyRefused { code, reason },
            ConnError::Timeout { phase, after } => Reason::Timeout { phase, after },
            // The core's error is non-exhaustive; a new kind reads as the protocol's.
            other => Reason::InvalidArgument(other.to_string()),
        }
    }
}
