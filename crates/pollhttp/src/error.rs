//! The error type returned by [`HttpClient`](crate::HttpClient), mapped to Godot's `Error`.

use crate::proto::{ConnError, ProtoError};
#[cfg(not(target_arch = "wasm32"))]
use crate::tls::{TlsError, TlsErrorKind};
use crate::Status;
use std::fmt;
use std::io;
use std::sync::Arc;

#[cfg(test)]
mod tests;

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
    /// `ERR_FILE_CANT_OPEN` (12).
    #[doc(alias = "ERR_FILE_CANT_OPEN")]
    FileCantOpen,
    /// `ERR_FILE_CANT_WRITE` (13).
    #[doc(alias = "ERR_FILE_CANT_WRITE")]
    FileCantWrite,
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
            GodotError::FileCantOpen => 12,
            GodotError::FileCantWrite => 13,
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
            GodotError::FileCantOpen => "ERR_FILE_CANT_OPEN",
            GodotError::FileCantWrite => "ERR_FILE_CANT_WRITE",
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

/// Who or what a failure is blamed on, as rustls tells `ApiMisuse` from `PeerMisbehaved`:
/// it says what can be done about it. [`Error::fault`] and [`Reason::fault`] give it.
///
/// | fault | reasons | what helps |
/// |---|---|---|
/// | `Caller` | [`InvalidArgument`](Reason::InvalidArgument), [`InvalidRequest`](Reason::InvalidRequest), [`WrongStatus`](Reason::WrongStatus), [`NotConnected`](Reason::NotConnected), [`Unsupported`](Reason::Unsupported), [`Tls`](Reason::Tls) of kind [`InvalidConfig`](TlsErrorKind::InvalidConfig), an I/O error of kind `InvalidInput` | fixing the calling code or its input; repeating the call fails the same way |
/// | `Peer` | [`Protocol`](Reason::Protocol), [`PeerClosed`](Reason::PeerClosed), [`UnexpectedData`](Reason::UnexpectedData), [`ProxyRefused`](Reason::ProxyRefused), every other [`Tls`](Reason::Tls) kind (the certificate, the handshake, a peer that closed), an I/O error of kind `UnexpectedEof` | nothing on this side, short of other settings (trusting a CA, raising a [`Limits`](crate::Limits) value, proxy credentials) |
/// | `Network` | [`Resolve`](Reason::Resolve), [`Connect`](Reason::Connect), [`Io`](Reason::Io) (reset, refused, unreachable, and the operating system's own `ETIMEDOUT`) | often a later retry |
/// | `Local` | an I/O error that is this machine's: out of memory, file descriptors or buffers (`ENOMEM`, `EMFILE`, `ENFILE`, `ENOBUFS`), permission denied | freeing resources, or the machine's configuration |
/// | `Timeout` | [`Timeout`](Reason::Timeout), and any error whose Godot constant is `ERR_TIMEOUT` | longer [`Timeouts`](crate::Timeouts), or a retry |
///
/// An I/O error is sorted by what it carries (a TLS error is sorted as [`Reason::Tls`]
/// would be), whichever reason holds it.
///
/// ```
/// use pollhttp::{Error, Fault, HttpClient};
/// let mut http = HttpClient::new();
/// let err = http.connect_to_host("", Some(80), None).unwrap_err();
/// assert_eq!(err.fault(), Fault::Caller);
/// assert!(err.is_caller_error());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Fault {
    /// The program using the client: a bad argument, a call the status does not allow,
    /// settings that cannot work.
    Caller,
    /// The server or proxy: it broke HTTP/1.1 or TLS, presented a certificate that is
    /// not trusted, refused the tunnel, or closed where that is not a valid end.
    Peer,
    /// The way to the peer: name resolution, connecting, or the connection breaking.
    Network,
    /// This machine: resources such as memory or file descriptors, or permissions.
    Local,
    /// A limit of [`Timeouts`](crate::Timeouts) expired.
    Timeout,
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Fault::Caller => "caller error",
            Fault::Peer => "peer error",
            Fault::Network => "network error",
            Fault::Local => "local error",
            Fault::Timeout => "timeout",
        })
    }
}

/// Which machine a name lookup or a connection attempt was for: the origin server, or
/// the proxy configured in its place.
///
/// ```
/// use pollhttp::Endpoint;
/// assert!(Endpoint::HttpsProxy.is_proxy());
/// assert_eq!(Endpoint::HttpProxy.to_string(), "HTTP proxy");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Endpoint {
    /// The server named in [`connect_to_host`](crate::HttpClient::connect_to_host).
    Origin,
    /// The proxy for `http://` connections
    /// ([`set_http_proxy_config`](crate::HttpClient::set_http_proxy_config)), which takes
    /// requests in absolute form.
    HttpProxy,
    /// The proxy for `https://` connections
    /// ([`set_https_proxy_config`](crate::HttpClient::set_https_proxy_config)), which
    /// opens a `CONNECT` tunnel.
    HttpsProxy,
}

impl Endpoint {
    /// True for either proxy.
    pub fn is_proxy(self) -> bool {
        !matches!(self, Endpoint::Origin)
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Endpoint::Origin => "origin server",
            Endpoint::HttpProxy => "HTTP proxy",
            Endpoint::HttpsProxy => "HTTPS proxy",
        })
    }
}

/// An [`io::Error`] inside a [`Reason`], shared so that [`Error`] stays `Clone`.
///
/// It dereferences to the [`io::Error`], whose OS error code (`raw_os_error`) is kept.
/// Two are equal when their kind, OS error code and message are.
///
/// ```
/// use pollhttp::SharedIoError;
/// use std::io;
/// let e = SharedIoError::from(io::Error::from_raw_os_error(111));
/// assert_eq!(e.raw_os_error(), Some(111));
/// assert_eq!(e, SharedIoError::from(io::Error::from_raw_os_error(111)));
/// ```
#[derive(Clone, Debug)]
pub struct SharedIoError(Arc<io::Error>);

impl SharedIoError {
    /// The error itself.
    pub fn get(&self) -> &io::Error {
        &self.0
    }
}

impl From<io::Error> for SharedIoError {
    fn from(e: io::Error) -> SharedIoError {
        SharedIoError(Arc::new(e))
    }
}

impl std::ops::Deref for SharedIoError {
    type Target = io::Error;
    fn deref(&self) -> &io::Error {
        &self.0
    }
}

impl AsRef<io::Error> for SharedIoError {
    fn as_ref(&self) -> &io::Error {
        &self.0
    }
}

impl PartialEq for SharedIoError {
    fn eq(&self, other: &SharedIoError) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
            || (self.0.kind() == other.0.kind()
                && self.0.raw_os_error() == other.0.raw_os_error()
                && self.0.to_string() == other.0.to_string())
    }
}

impl Eq for SharedIoError {}

impl fmt::Display for SharedIoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// An equivalent of `e`, since an [`io::Error`] cannot be cloned: the same OS error code
/// when there is one; else the same kind and message, and the same [`TlsError`] or
/// connect failure inside it so that the source chain still reaches their causes.
pub(crate) fn copy_io_error(e: &io::Error) -> io::Error {
    if let Some(code) = e.raw_os_error() {
        return io::Error::from_raw_os_error(code);
    }
    #[cfg(not(target_arch = "wasm32"))]
    if let Some(inner) = e.get_ref() {
        if let Some(tls) = inner.downcast_ref::<TlsError>() {
            return io::Error::new(e.kind(), tls.clone());
        }
        if let Some(failed) = inner.downcast_ref::<crate::net::ConnectFailed>() {
            return io::Error::new(e.kind(), failed.clone());
        }
    }
    io::Error::new(e.kind(), e.to_string())
}

/// Why a call failed: the detail behind the [`GodotError`].
///
/// [`fault`](Reason::fault) sorts every variant by who is to blame; the helpers on
/// [`Error`] (`is_timeout`, `io_error`, `tls_error`, `proxy_status`, `protocol_error`)
/// answer the usual questions without matching this enum.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Reason {
    /// The caller passed an argument that is not allowed; the text says which and why.
    InvalidArgument(String),
    /// The request given to [`request`](crate::HttpClient::request) cannot be sent (a
    /// bad method, target or header; nothing was sent). The [`ProtoError`] says which
    /// rule failed; its [`is_caller_error`](ProtoError::is_caller_error) is true.
    InvalidRequest(ProtoError),
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
        /// Whose name it is: the origin's, or the proxy's (through a proxy only the
        /// proxy's name is looked up here).
        endpoint: Endpoint,
        /// What the resolver said.
        error: SharedIoError,
    },
    /// Every address of the target refused or failed the connection.
    Connect {
        /// The `host:port` that was tried.
        target: String,
        /// Whether `target` is the origin or a proxy.
        endpoint: Endpoint,
        /// The last failure seen; its message names the address and the other
        /// addresses tried, its [source](std::error::Error::source) is the system's
        /// error for the last address.
        error: SharedIoError,
    },
    /// The TLS handshake or certificate verification failed; the error's
    /// [`kind`](crate::tls::TlsError::kind) says which check. Not in the browser, which
    /// does its own TLS and reports its failures as any other network error.
    #[cfg(not(target_arch = "wasm32"))]
    Tls(TlsError),
    /// A socket operation failed. After the TLS handshake, a TLS failure (a bad record,
    /// a close in the middle of one) comes as this I/O error with the [`TlsError`]
    /// inside; [`Error::tls_error`] finds it.
    Io(SharedIoError),
    /// The peer closed the connection where that is not a valid end; the text says
    /// where.
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
    /// [`HttpRequest::request`](crate::HttpRequest::request) was called while a request
    /// was still in progress (Godot's `ERR_BUSY`).
    Busy,
    /// More redirects than [`set_max_redirects`](crate::HttpRequest::set_max_redirects)
    /// allows; the last 3xx is the answer.
    RedirectLimit {
        /// The limit that was reached.
        limit: u32,
    },
    /// A redirect that is not followed for safety, such as HTTPS to plain HTTP without
    /// [`set_allow_https_downgrade`](crate::HttpRequest::set_allow_https_downgrade).
    RedirectRefused {
        /// The URL the server redirected to.
        location: String,
        /// Why it is not followed.
        why: &'static str,
    },
    /// The body (after decoding) would exceed
    /// [`set_body_size_limit`](crate::HttpRequest::set_body_size_limit); `declared` when
    /// `Content-Length` said so before any of it was read.
    BodySizeLimit {
        /// The limit, in bytes.
        limit: u64,
        /// The body's declared length, when it was refused on that alone.
        declared: Option<u64>,
    },
    /// A resumed download's `206` answer does not continue the kept part.
    RangeMismatch {
        /// Where the kept part ends.
        expected_start: u64,
        /// The server's `Content-Range`.
        content_range: String,
    },
    /// The body could not be decoded from its `Content-Encoding` (truncated or corrupt);
    /// the source is the decoder's error.
    Decode(SharedIoError),
    /// The download file could not be opened, written, or moved into place.
    DownloadFile {
        /// What failed: `"open"`, `"write"`, `"rename"`...
        op: &'static str,
        /// The file.
        path: std::path::PathBuf,
        /// The system's error.
        error: SharedIoError,
    },
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::InvalidArgument(s) => write!(f, "invalid argument: {s}"),
            Reason::InvalidRequest(e) => write!(f, "invalid request: {e}"),
            Reason::WrongStatus { call, status } => {
                write!(f, "{call}() is not allowed in {status}")
            }
            Reason::NotConnected => f.write_str("not connected (call connect_to_host first)"),
            Reason::Unsupported(s) => write!(f, "unsupported: {s}"),
            Reason::Resolve {
                host,
                endpoint,
                error,
            } => match endpoint {
                Endpoint::Origin => write!(f, "cannot resolve {host}: {error}"),
                proxy => write!(f, "cannot resolve {host} (the {proxy}): {error}"),
            },
            Reason::Connect {
                target,
                endpoint,
                error,
            } => match endpoint {
                Endpoint::Origin => write!(f, "cannot connect to {target}: {error}"),
                proxy => write!(f, "cannot connect to {proxy} {target}: {error}"),
            },
            #[cfg(not(target_arch = "wasm32"))]
            Reason::Tls(e) => write!(f, "TLS handshake failed: {e}"),
            Reason::Io(e) => write!(f, "I/O error: {e}"),
            // The peer's faults read as the core words them.
            Reason::PeerClosed(when) => ConnError::PeerClosed(when).fmt(f),
            Reason::Protocol(e) => ConnError::Protocol(*e).fmt(f),
            Reason::UnexpectedData => ConnError::UnexpectedData.fmt(f),
            Reason::Timeout { phase, after } => ConnError::Timeout {
                phase: *phase,
                after: *after,
            }
            .fmt(f),
            Reason::ProxyRefused { code, reason } => ConnError::ProxyRefused {
                code: *code,
                reason: reason.clone(),
            }
            .fmt(f),
            Reason::Busy => f.write_str("a request is already in progress"),
            Reason::RedirectLimit { limit } => {
                write!(f, "redirect limit reached ({limit} redirects followed)")
            }
            Reason::RedirectRefused { location, why } => {
                write!(f, "redirect to {location} not followed: {why}")
            }
            Reason::BodySizeLimit {
                limit,
                declared: Some(len),
            } => write!(
                f,
                "the body's Content-Length ({len}) exceeds body_size_limit ({limit})"
            ),
            Reason::BodySizeLimit {
                limit,
                declared: None,
            } => write!(f, "the body exceeds body_size_limit ({limit} bytes)"),
            Reason::RangeMismatch {
                expected_start,
                content_range,
            } => write!(
                f,
                "the server answered a resume from byte {expected_start} with \
                 Content-Range {content_range:?}"
            ),
            Reason::Decode(e) => write!(f, "cannot decode the body: {e}"),
            Reason::DownloadFile { op, path, error } => {
                write!(
                    f,
                    "cannot {op} the download file {}: {error}",
                    path.display()
                )
            }
        }
    }
}

impl Reason {
    /// [`Reason::Io`] with an equivalent of `err` (an [`io::Error`] cannot be cloned):
    /// the same OS error code when there is one, else the same kind and message; a
    /// [`TlsError`] carried inside is kept.
    ///
    /// ```
    /// use pollhttp::Reason;
    /// use std::io;
    /// let r = Reason::io(&io::Error::from_raw_os_error(104));
    /// let Reason::Io(e) = &r else { unreachable!() };
    /// assert_eq!(e.raw_os_error(), Some(104));
    /// ```
    pub fn io(err: &io::Error) -> Reason {
        Reason::Io(copy_io_error(err).into())
    }

    /// Who is to blame; see [`Fault`] for how each variant is sorted.
    pub fn fault(&self) -> Fault {
        match self {
            Reason::InvalidArgument(_)
            | Reason::InvalidRequest(_)
            | Reason::WrongStatus { .. }
            | Reason::NotConnected
            | Reason::Unsupported(_) => Fault::Caller,
            Reason::Resolve { error, .. } | Reason::Connect { error, .. } | Reason::Io(error) => {
                io_fault(error)
            }
            #[cfg(not(target_arch = "wasm32"))]
            Reason::Tls(e) => tls_fault(e),
            Reason::PeerClosed(_)
            | Reason::Protocol(_)
            | Reason::UnexpectedData
            | Reason::ProxyRefused { .. } => Fault::Peer,
            Reason::Timeout { .. } => Fault::Timeout,
            Reason::Busy => Fault::Caller,
            Reason::RedirectLimit { .. }
            | Reason::RedirectRefused { .. }
            | Reason::BodySizeLimit { .. }
            | Reason::RangeMismatch { .. }
            | Reason::Decode(_) => Fault::Peer,
            Reason::DownloadFile { .. } => Fault::Local,
        }
    }

    /// The error this reason holds, for [`std::error::Error::source`].
    fn cause(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Reason::InvalidRequest(e) | Reason::Protocol(e) => Some(e),
            Reason::Resolve { error, .. } | Reason::Connect { error, .. } | Reason::Io(error) => {
                Some(error.get())
            }
            #[cfg(not(target_arch = "wasm32"))]
            Reason::Tls(e) => Some(e),
            Reason::Decode(error) | Reason::DownloadFile { error, .. } => Some(error.get()),
            Reason::Busy
            | Reason::RedirectLimit { .. }
            | Reason::RedirectRefused { .. }
            | Reason::BodySizeLimit { .. }
            | Reason::RangeMismatch { .. } => None,
            Reason::InvalidArgument(_)
            | Reason::WrongStatus { .. }
            | Reason::NotConnected
            | Reason::Unsupported(_)
            | Reason::PeerClosed(_)
            | Reason::UnexpectedData
            | Reason::Timeout { .. }
            | Reason::ProxyRefused { .. } => None,
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn tls_fault(e: &TlsError) -> Fault {
    match e.kind() {
        TlsErrorKind::InvalidConfig => Fault::Caller,
        TlsErrorKind::Io => e.io_error().map_or(Fault::Network, io_fault),
        _ => Fault::Peer,
    }
}

/// Sorts an I/O error; one that says nothing more is the network's.
fn io_fault(e: &io::Error) -> Fault {
    #[cfg(not(target_arch = "wasm32"))]
    if let Some(tls) = e.get_ref().and_then(|i| i.downcast_ref::<TlsError>()) {
        return tls_fault(tls);
    }
    if is_resource_shortage(e) {
        return Fault::Local;
    }
    match e.kind() {
        io::ErrorKind::OutOfMemory | io::ErrorKind::PermissionDenied => Fault::Local,
        io::ErrorKind::InvalidInput => Fault::Caller,
        io::ErrorKind::UnexpectedEof => Fault::Peer,
        _ => Fault::Network,
    }
}

#[cfg(unix)]
fn is_resource_shortage(e: &io::Error) -> bool {
    use rustix::io::Errno;
    // The connect failure's own code is that of its last address, one level down.
    let code = e.raw_os_error().or_else(|| {
        e.get_ref()
            .and_then(|i| i.downcast_ref::<crate::net::ConnectFailed>())
            .and_then(|f| f.last_error().raw_os_error())
    });
    code.map(Errno::from_raw_os_error).is_some_and(|n| {
        matches!(
            n,
            Errno::MFILE | Errno::NFILE | Errno::NOBUFS | Errno::NOMEM
        )
    })
}

/// Out of sockets (`WSAEMFILE`) or buffer space (`WSAENOBUFS`).
#[cfg(windows)]
fn is_resource_shortage(e: &io::Error) -> bool {
    const WSAEMFILE: i32 = 10024;
    const WSAENOBUFS: i32 = 10055;
    let code = e.raw_os_error().or_else(|| {
        e.get_ref()
            .and_then(|i| i.downcast_ref::<crate::net::ConnectFailed>())
            .and_then(|f| f.last_error().raw_os_error())
    });
    matches!(code, Some(WSAEMFILE | WSAENOBUFS))
}

#[cfg(not(any(unix, windows)))]
fn is_resource_shortage(_: &io::Error) -> bool {
    false
}

/// An error from [`HttpClient`](crate::HttpClient): a Godot error constant plus the reason.
///
/// ```
/// use pollhttp::{Error, GodotError, Reason};
/// let e = Error::new(GodotError::InvalidParameter, Reason::InvalidArgument("empty header".into()));
/// assert_eq!(e.godot_code(), 31);
/// assert_eq!(e.to_string(), "ERR_INVALID_PARAMETER: invalid argument: empty header");
/// ```
///
/// # Causes
///
/// [`source()`](std::error::Error::source) is the error behind the reason: the
/// [`io::Error`] of [`Reason::Io`], [`Reason::Connect`] and [`Reason::Resolve`] (with the
/// operating system's error code), the [`TlsError`] of [`Reason::Tls`] (whose own source
/// is the `rustls::Error` or `io::Error` it came from), the [`ProtoError`] of
/// [`Reason::Protocol`] and [`Reason::InvalidRequest`]. The message already includes the
/// cause's message, so that one line says everything; a reporter that prints the whole
/// chain shows it again.
///
/// # Mixing with other errors
///
/// A [`TlsError`] (from [`Certificates::from_pem_file`](crate::Certificates::from_pem_file)
/// or [`TlsOptions`](crate::TlsOptions)) converts into an `Error`, so `?` works in a
/// function returning `Result<_, pollhttp::Error>`:
///
/// ```
/// use pollhttp::{Certificates, Error, GodotError, HttpClient, TlsErrorKind, TlsOptions};
///
/// fn connect_trusting(ca_file: &str) -> Result<HttpClient, Error> {
///     let ca = Certificates::from_pem_file(ca_file)?;
///     let mut http = HttpClient::new();
///     http.connect_to_host("https://localhost", Some(8443), Some(TlsOptions::client(Some(ca), None)))?;
///     Ok(http)
/// }
///
/// let err = connect_trusting("/nonexistent/ca.pem").unwrap_err();
/// assert_eq!(err.godot(), GodotError::InvalidParameter);
/// assert_eq!(err.tls_kind(), Some(TlsErrorKind::InvalidConfig));
/// assert_eq!(err.io_error().map(|e| e.kind()), Some(std::io::ErrorKind::NotFound));
/// ```
///
/// There is no conversion from [`io::Error`]: an I/O error alone does not say which
/// Godot error it stands for (`ERR_CANT_CONNECT` while connecting,
/// `ERR_CONNECTION_ERROR` later), and a silent guess would hide that mapping; use
/// [`Error::io`] with the constant. The other way round, an `Error` converts into an
/// [`io::Error`] (kind from the reason, the `Error` itself inside), so a loop that also
/// uses the [`Poller`](crate::Poller), whose calls return `io::Result`, can return
/// `io::Result` (or `Box<dyn std::error::Error>`) and use `?` on both.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    godot: GodotError,
    reason: Reason,
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

    /// An I/O failure mapped to `godot`; see [`Reason::io`].
    pub fn io(godot: GodotError, err: &io::Error) -> Error {
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

    /// Who is to blame: [`Fault::Timeout`] when the Godot error is `ERR_TIMEOUT`, else
    /// the reason's [`fault`](Reason::fault).
    pub fn fault(&self) -> Fault {
        match self.godot {
            GodotError::Timeout => Fault::Timeout,
            _ => self.reason.fault(),
        }
    }

    /// True when the calling code (or its input) is at fault, so that repeating the call
    /// cannot help: see [`Fault::Caller`].
    ///
    /// ```
    /// use pollhttp::{HttpClient, Method};
    /// let mut http = HttpClient::new();
    /// let err = http.request(Method::Get, "/\r\nX: y", &[] as &[&str], "").unwrap_err();
    /// assert!(err.is_caller_error());
    /// ```
    pub fn is_caller_error(&self) -> bool {
        self.fault() == Fault::Caller
    }

    /// Which limit of [`Timeouts`](crate::Timeouts) expired, when that is why it failed.
    pub fn timeout_phase(&self) -> Option<crate::TimeoutPhase> {
        match self.reason {
            Reason::Timeout { phase, .. } => Some(phase),
            _ => None,
        }
    }

    /// True when a limit of [`Timeouts`](crate::Timeouts) expired (or the Godot error is
    /// `ERR_TIMEOUT`). The operating system's own timeout (`ETIMEDOUT` on connect) is an
    /// I/O error of kind `TimedOut` instead, a [`Fault::Network`].
    ///
    /// ```
    /// use pollhttp::{Error, GodotError, Reason, TimeoutPhase};
    /// use std::time::Duration;
    /// let e = Error::new(
    ///     GodotError::ConnectionError,
    ///     Reason::Timeout { phase: TimeoutPhase::Idle, after: Duration::from_secs(5) },
    /// );
    /// assert!(e.is_timeout());
    /// assert_eq!(e.timeout_phase(), Some(TimeoutPhase::Idle));
    /// ```
    pub fn is_timeout(&self) -> bool {
        self.godot == GodotError::Timeout || matches!(self.reason, Reason::Timeout { .. })
    }

    /// The status code of an HTTPS proxy that refused the `CONNECT` tunnel
    /// ([`Reason::ProxyRefused`]): `407` asks for credentials.
    ///
    /// ```
    /// use pollhttp::{Error, GodotError, Reason};
    /// let e = Error::new(
    ///     GodotError::CantConnect,
    ///     Reason::ProxyRefused { code: 407, reason: "Proxy Authentication Required".into() },
    /// );
    /// assert_eq!(e.proxy_status(), Some(407));
    /// ```
    pub fn proxy_status(&self) -> Option<u16> {
        match self.reason {
            Reason::ProxyRefused { code, .. } => Some(code),
            _ => None,
        }
    }

    /// The TLS error behind the failure: that of [`Reason::Tls`] (the handshake), or one
    /// carried by the I/O error of [`Reason::Io`] (a bad record after the handshake).
    ///
    /// ```
    /// use pollhttp::{Error, TlsError, TlsErrorKind};
    /// let e = Error::from(TlsError::new(TlsErrorKind::Expired, "notAfter 2020-01-01"));
    /// assert_eq!(e.tls_error().map(|t| t.detail()), Some("notAfter 2020-01-01"));
    /// ```
    #[cfg(not(target_arch = "wasm32"))]
    pub fn tls_error(&self) -> Option<&TlsError> {
        match &self.reason {
            Reason::Tls(e) => Some(e),
            Reason::Io(e) => e.get_ref().and_then(|i| i.downcast_ref::<TlsError>()),
            _ => None,
        }
    }

    /// The kind of [`tls_error`](Error::tls_error).
    ///
    /// ```
    /// use pollhttp::{Error, TlsError, TlsErrorKind};
    /// let e = Error::from(TlsError::new(TlsErrorKind::PinMismatch, ""));
    /// assert_eq!(e.tls_kind(), Some(TlsErrorKind::PinMismatch));
    /// ```
    #[cfg(not(target_arch = "wasm32"))]
    pub fn tls_kind(&self) -> Option<TlsErrorKind> {
        self.tls_error().map(TlsError::kind)
    }

    /// The I/O error behind the failure: that of [`Reason::Io`], [`Reason::Connect`] or
    /// [`Reason::Resolve`], or the one that broke a TLS handshake or kept a TLS file from
    /// being read. For a failed connect its message names the addresses tried; the
    /// operating system's code of the last one is [`raw_os_error`](Error::raw_os_error).
    ///
    /// ```
    /// use pollhttp::{Error, GodotError};
    /// use std::io;
    /// let e = Error::io(GodotError::ConnectionError, &io::Error::from(io::ErrorKind::ConnectionReset));
    /// assert_eq!(e.io_error().map(|e| e.kind()), Some(io::ErrorKind::ConnectionReset));
    /// ```
    pub fn io_error(&self) -> Option<&io::Error> {
        match &self.reason {
            Reason::Io(e) | Reason::Connect { error: e, .. } | Reason::Resolve { error: e, .. } => {
                Some(e.get())
            }
            #[cfg(not(target_arch = "wasm32"))]
            Reason::Tls(e) => e.io_error(),
            _ => None,
        }
    }

    /// The operating system's error code behind the failure (`ECONNREFUSED`,
    /// `ECONNRESET`, ...): the first one found along the
    /// [source](std::error::Error::source) chain.
    ///
    /// ```
    /// use pollhttp::{Error, GodotError};
    /// let e = Error::io(GodotError::ConnectionError, &std::io::Error::from_raw_os_error(104));
    /// assert_eq!(e.raw_os_error(), Some(104));
    /// ```
    pub fn raw_os_error(&self) -> Option<i32> {
        let mut next = std::error::Error::source(self);
        while let Some(e) = next {
            if let Some(code) = e
                .downcast_ref::<io::Error>()
                .and_then(io::Error::raw_os_error)
            {
                return Some(code);
            }
            next = e.source();
        }
        None
    }

    /// The HTTP/1.1 rule that failed: the request's ([`Reason::InvalidRequest`], where
    /// [`ProtoError::is_caller_error`] is true) or the response's ([`Reason::Protocol`]).
    ///
    /// ```
    /// use pollhttp::proto::ProtoError;
    /// use pollhttp::{Error, GodotError, Reason};
    /// let e = Error::new(GodotError::ConnectionError, Reason::Protocol(ProtoError::EmptyReply));
    /// assert_eq!(e.protocol_error(), Some(ProtoError::EmptyReply));
    /// ```
    pub fn protocol_error(&self) -> Option<ProtoError> {
        match self.reason {
            Reason::Protocol(e) | Reason::InvalidRequest(e) => Some(e),
            _ => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.godot, self.reason)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.reason.cause()
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl From<TlsError> for Error {
    /// [`Reason::Tls`]: `ERR_INVALID_PARAMETER` for unusable settings
    /// ([`TlsErrorKind::InvalidConfig`]), else `ERR_CANT_CONNECT`, as a failed handshake
    /// gives.
    fn from(e: TlsError) -> Error {
        let godot = match e.kind() {
            TlsErrorKind::InvalidConfig => GodotError::InvalidParameter,
            _ => GodotError::CantConnect,
        };
        Error::new(godot, Reason::Tls(e))
    }
}

impl From<Error> for io::Error {
    /// An [`io::Error`] holding the `Error` (get it back with `get_ref()` and
    /// `downcast_ref::<pollhttp::Error>()`). The kind is that of the I/O error behind it
    /// when there is one, `TimedOut` for a timeout, `InvalidInput` for a caller error,
    /// `UnexpectedEof` for an early close, `Unsupported` for a missing feature, and
    /// `InvalidData` or `Other` for the rest.
    ///
    /// ```
    /// use pollhttp::{Error, GodotError, Reason};
    /// use std::io;
    /// let e = Error::new(GodotError::ConnectionError, Reason::PeerClosed("before the response"));
    /// let io: io::Error = e.clone().into();
    /// assert_eq!(io.kind(), io::ErrorKind::UnexpectedEof);
    /// assert_eq!(io.get_ref().and_then(|i| i.downcast_ref::<Error>()), Some(&e));
    /// ```
    fn from(e: Error) -> io::Error {
        let kind = match (e.io_error(), &e.reason) {
            (Some(io), _) => io.kind(),
            _ if e.is_timeout() => io::ErrorKind::TimedOut,
            (_, Reason::Unsupported(_)) => io::ErrorKind::Unsupported,
            _ if e.is_caller_error() => io::ErrorKind::InvalidInput,
            (_, Reason::PeerClosed(_)) => io::ErrorKind::UnexpectedEof,
            #[cfg(not(target_arch = "wasm32"))]
            (_, Reason::Tls(t)) if t.kind() == TlsErrorKind::Closed => io::ErrorKind::UnexpectedEof,
            #[cfg(not(target_arch = "wasm32"))]
            (_, Reason::Tls(_)) => io::ErrorKind::InvalidData,
            (_, Reason::Protocol(_) | Reason::UnexpectedData) => io::ErrorKind::InvalidData,
            _ => io::ErrorKind::Other,
        };
        io::Error::new(kind, e)
    }
}

impl From<ConnError> for Reason {
    fn from(e: ConnError) -> Reason {
        match e {
            ConnError::Protocol(p) => Reason::Protocol(p),
            ConnError::PeerClosed(when) => Reason::PeerClosed(when),
            ConnError::UnexpectedData => Reason::UnexpectedData,
            ConnError::ProxyRefused { code, reason } => Reason::ProxyRefused { code, reason },
            ConnError::Timeout { phase, after } => Reason::Timeout { phase, after },
            // The core's error is non-exhaustive; a kind added there reads as a protocol
            // failure until it has a reason of its own.
            other => Reason::Unsupported(other.to_string()),
        }
    }
}
