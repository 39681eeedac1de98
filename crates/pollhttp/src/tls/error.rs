//! What can go wrong in TLS, sorted so that a caller can tell which check failed.

use std::fmt;
use std::io;
use std::sync::Arc;

use rustls::{AlertDescription, CertificateError, OtherError, PeerIncompatible};

/// A TLS failure: a [kind](TlsErrorKind) to branch on and a human-readable detail.
///
/// ```
/// use pollhttp::tls::{TlsErrorKind, TlsOptions};
///
/// let err = TlsOptions::default().with_pinned_public_keys("md5//abc").unwrap_err();
/// assert_eq!(err.kind(), TlsErrorKind::InvalidConfig);
/// ```
///
/// Where the failure comes from rustls or from the stream, the error keeps the
/// `rustls::Error` ([`rustls_error`](TlsError::rustls_error)) or the [`io::Error`]
/// ([`io_error`](TlsError::io_error)) and returns it from
/// [`source()`](std::error::Error::source). Two errors are equal when their kind, detail
/// and [`server`](TlsError::server) are: the detail is the cause's message.
#[derive(Clone, Debug)]
pub struct TlsError {
    kind: TlsErrorKind,
    detail: String,
    // Boxed and shared so that `pollhttp::Error`, which holds a `TlsError`, stays small.
    server: Option<Box<str>>,
    cause: Option<Arc<Cause>>,
    after_handshake: bool,
    from_staple: bool,
}

/// What a [`TlsError`] came from.
#[derive(Debug)]
enum Cause {
    Rustls(rustls::Error),
    Io(io::Error),
}

impl PartialEq for TlsError {
    fn eq(&self, other: &TlsError) -> bool {
        self.kind == other.kind && self.detail == other.detail && self.server == other.server
    }
}

impl Eq for TlsError {}

/// Which part of TLS failed.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TlsErrorKind {
    /// The server's certificate (or one in its chain) is past its `notAfter` date.
    Expired,
    /// The server's certificate (or one in its chain) is before its `notBefore` date.
    NotYetValid,
    /// The certificate is valid, but not for the name (or IP address) that was checked.
    WrongName,
    /// The chain does not lead to a trusted root (for example a missing intermediate).
    UnknownIssuer,
    /// The server's certificate is self-signed and not itself trusted.
    SelfSigned,
    /// The server's public key matches none of the pinned keys.
    PinMismatch,
    /// Client and server have no TLS version in common.
    ProtocolVersion,
    /// The peer answered with something that is not TLS (for example plain HTTP).
    NotTls,
    /// The handshake failed: an alert from the peer, or a protocol violation.
    HandshakeFailure,
    /// Another problem with the server's certificate (bad encoding, bad signature, wrong
    /// key usage, no certificate at all, ...).
    BadCertificate,
    /// The TLS settings are unusable: bad PEM, bad pin syntax, an empty trust chain, a
    /// minimum version above the maximum, an invalid host name.
    InvalidConfig,
    /// The underlying stream failed.
    Io,
    /// The peer closed the connection during the handshake (or in the middle of a record).
    Closed,
    /// The server's certificate, or one in its chain, is revoked by a revocation list
    /// given with [`with_revocation_lists`](super::TlsOptions::with_revocation_lists)
    /// (the detail says which one), or by the OCSP response the server stapled.
    Revoked,
    /// A certificate that revocation is checked for has no revocation list from its
    /// issuer among those given, or the stapled OCSP response says "unknown", and
    /// unknown status is denied (the default; see
    /// [`allow_unknown_revocation_status`](super::TlsOptions::allow_unknown_revocation_status)).
    RevocationUnknown,
    /// A revocation list needed for the check is past its `nextUpdate` date (see
    /// [`ignore_revocation_expiration`](super::TlsOptions::ignore_revocation_expiration)).
    RevocationListExpired,
    /// A revocation list cannot be used: its signature does not verify with its issuer's
    /// key, the issuer may not sign revocation lists, or it uses what is not supported
    /// (delta or indirect lists, an unknown critical extension).
    BadRevocationList,
    /// The server asked for a client certificate, none was configured (see
    /// [`with_client_certificate`](super::TlsOptions::with_client_certificate)), and the
    /// server ended the handshake for it.
    ClientCertificateRequired,
    /// The OCSP response the server stapled to its certificate cannot be trusted: it does
    /// not parse, is not signed by the certificate's issuer (or a responder the issuer
    /// authorized), is about another certificate, or is out of date. A response saying
    /// "revoked" is [`Revoked`](TlsErrorKind::Revoked) instead.
    BadOcspResponse,
    /// The server stapled no OCSP response, and
    /// [`require_ocsp_staple`](super::TlsOptions::require_ocsp_staple) asks for one.
    StapleMissing,
    /// The server did not accept the client certificate that was sent (unknown issuer,
    /// expired, revoked, ...). In TLS 1.3 the server's verdict comes after the client
    /// considers the handshake done, so it may surface on the first read.
    ClientCertificateRejected,
}

impl TlsErrorKind {
    fn describe(self) -> &'static str {
        match self {
            TlsErrorKind::Expired => "certificate has expired",
            TlsErrorKind::NotYetValid => "certificate is not yet valid",
            TlsErrorKind::WrongName => "certificate is not valid for this name",
            TlsErrorKind::UnknownIssuer => "certificate issuer is not trusted",
            TlsErrorKind::SelfSigned => "self-signed certificate is not trusted",
            TlsErrorKind::PinMismatch => "public key does not match the pinned keys",
            TlsErrorKind::ProtocolVersion => "no TLS version in common with the peer",
            TlsErrorKind::NotTls => "peer does not speak TLS",
            TlsErrorKind::HandshakeFailure => "TLS handshake failed",
            TlsErrorKind::BadCertificate => "bad certificate",
            TlsErrorKind::InvalidConfig => "invalid TLS configuration",
            TlsErrorKind::Io => "I/O error during TLS",
            TlsErrorKind::Closed => "connection closed during TLS",
            TlsErrorKind::Revoked => "certificate is revoked",
            TlsErrorKind::RevocationUnknown => "certificate revocation status is unknown",
            TlsErrorKind::RevocationListExpired => "certificate revocation list has expired",
            TlsErrorKind::BadRevocationList => "certificate revocation list cannot be used",
            TlsErrorKind::BadOcspResponse => "stapled OCSP response cannot be trusted",
            TlsErrorKind::StapleMissing => "no stapled OCSP response",
            TlsErrorKind::ClientCertificateRequired => {
                "the server requires a client certificate and none was sent"
            }
            TlsErrorKind::ClientCertificateRejected => "the server rejected the client certificate",
        }
    }
}

impl fmt::Display for TlsErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}

impl TlsError {
    /// An error of `kind` with a detail message.
    pub fn new(kind: TlsErrorKind, detail: impl Into<String>) -> TlsError {
        TlsError {
            kind,
            detail: detail.into(),
            server: None,
            cause: None,
            after_handshake: false,
            from_staple: false,
        }
    }

    /// Which check or step failed.
    pub fn kind(&self) -> TlsErrorKind {
        self.kind
    }

    /// The detail message (without the kind's description or the server).
    pub fn detail(&self) -> &str {
        &self.detail
    }

    /// The `host:port` whose handshake failed, for an error from a connection (not for
    /// one from settings).
    pub fn server(&self) -> Option<&str> {
        self.server.as_deref()
    }

    /// True when the failure came after the client's side of the handshake was done:
    /// a TLS 1.3 server's refusal of the client certificate, which arrives with the
    /// first read ([`TlsErrorKind::ClientCertificateRequired`] or
    /// [`ClientCertificateRejected`](TlsErrorKind::ClientCertificateRejected)). curl
    /// reports those as a receive error (exit code 56) rather than a handshake failure.
    pub fn after_handshake(&self) -> bool {
        self.after_handshake
    }

    /// True when the failure comes from the OCSP response the server stapled (or did not
    /// staple): [`TlsErrorKind::BadOcspResponse`], [`TlsErrorKind::StapleMissing`], and
    /// [`Revoked`](TlsErrorKind::Revoked) or
    /// [`RevocationUnknown`](TlsErrorKind::RevocationUnknown) said by the staple rather
    /// than by a revocation list. curl reports those with exit code 91.
    pub fn from_ocsp_staple(&self) -> bool {
        self.from_staple
    }

    /// The same error, marked as coming from the stapled OCSP response.
    pub(crate) fn of_staple(mut self) -> TlsError {
        self.from_staple = true;
        self
    }

    /// The same error, marked as met after the client's side of the handshake was done.
    pub(crate) fn late(mut self) -> TlsError {
        self.after_handshake = true;
        self
    }

    /// The rustls error this one was sorted from, if any.
    ///
    /// ```
    /// use pollhttp::TlsError;
    /// assert!(TlsError::new(pollhttp::TlsErrorKind::Expired, "").rustls_error().is_none());
    /// ```
    pub fn rustls_error(&self) -> Option<&rustls::Error> {
        match self.cause.as_deref() {
            Some(Cause::Rustls(e)) => Some(e),
            _ => None,
        }
    }

    /// The I/O error behind it, if any: the stream's failure during the handshake
    /// ([`TlsErrorKind::Io`]), or a file that could not be read
    /// ([`Certificates::from_pem_file`](super::Certificates::from_pem_file)).
    ///
    /// ```
    /// use pollhttp::Certificates;
    /// let err = Certificates::from_pem_file("/nonexistent/ca.pem").unwrap_err();
    /// assert_eq!(err.io_error().map(|e| e.kind()), Some(std::io::ErrorKind::NotFound));
    /// ```
    pub fn io_error(&self) -> Option<&io::Error> {
        match self.cause.as_deref() {
            Some(Cause::Io(e)) => Some(e),
            _ => None,
        }
    }

    /// The same error, kept with the rustls error it stands for.
    pub(crate) fn with_rustls(mut self, e: rustls::Error) -> TlsError {
        self.cause = Some(Arc::new(Cause::Rustls(e)));
        self
    }

    /// The same error, kept with the I/O error behind it.
    pub(crate) fn with_io(mut self, e: io::Error) -> TlsError {
        self.cause = Some(Arc::new(Cause::Io(e)));
        self
    }

    /// The same error, naming the `host:port` whose handshake failed.
    pub(crate) fn with_server(mut self, server: impl Into<String>) -> TlsError {
        self.server = Some(server.into().into_boxed_str());
        self
    }

    /// Wraps the error for a rustls verifier, so that it comes back out of the handshake
    /// intact (see [`from_rustls`](TlsError::from_rustls)).
    pub(crate) fn into_rustls(self) -> rustls::Error {
        rustls::Error::InvalidCertificate(CertificateError::Other(OtherError(Arc::new(self))))
    }

    pub(crate) fn from_io(e: &io::Error) -> TlsError {
        if let Some(t) = e
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<TlsError>())
        {
            return t.clone();
        }
        TlsError::new(TlsErrorKind::Io, e.to_string()).with_io(crate::error::copy_io_error(e))
    }

    /// Sorts a rustls error into a kind, keeping rustls's message as the detail.
    pub(crate) fn from_rustls(e: &rustls::Error) -> TlsError {
        use rustls::Error as E;
        let kind = match e {
            E::InvalidCertificate(ce) => match ce {
                CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                    TlsErrorKind::Expired
                }
                CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                    TlsErrorKind::NotYetValid
                }
                CertificateError::NotValidForName
                | CertificateError::NotValidForNameContext { .. } => TlsErrorKind::WrongName,
                CertificateError::UnknownIssuer => TlsErrorKind::UnknownIssuer,
                CertificateError::Revoked => TlsErrorKind::Revoked,
                CertificateError::UnknownRevocationStatus => TlsErrorKind::RevocationUnknown,
                CertificateError::ExpiredRevocationList
                | CertificateError::ExpiredRevocationListContext { .. } => {
                    TlsErrorKind::RevocationListExpired
                }
                CertificateError::Other(OtherError(inner)) => {
                    if let Some(ours) = inner.downcast_ref::<TlsError>() {
                        return ours.clone();
                    }
                    TlsErrorKind::BadCertificate
                }
                _ => TlsErrorKind::BadCertificate,
            },
            E::NoCertificatesPresented => TlsErrorKind::BadCertificate,
            E::InvalidCertRevocationList(_) => TlsErrorKind::BadRevocationList,
            E::AlertReceived(AlertDescription::CertificateRequired) => {
                TlsErrorKind::ClientCertificateRequired
            }
            E::AlertReceived(AlertDescription::ProtocolVersion) => TlsErrorKind::ProtocolVersion,
            E::PeerIncompatible(
                PeerIncompatible::ServerDoesNotSupportTls12Or13
                | PeerIncompatible::ServerTlsVersionIsDisabledByOurConfig
                | PeerIncompatible::SupportedVersionsExtensionRequired
                | PeerIncompatible::Tls12NotOffered
                | PeerIncompatible::Tls12NotOfferedOrEnabled,
            ) => TlsErrorKind::ProtocolVersion,
            _ => TlsErrorKind::HandshakeFailure,
        };
        TlsError::new(kind, e.to_string()).with_rustls(e.clone())
    }

    /// An error of `kind` kept with the rustls error it stands for, whose message is the
    /// detail.
    pub(crate) fn rustls(kind: TlsErrorKind, e: rustls::Error) -> TlsError {
        TlsError::new(kind, e.to_string()).with_rustls(e)
    }
}

impl fmt::Display for TlsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.kind.describe())?;
        if !self.detail.is_empty() {
            write!(f, ": {}", self.detail)?;
        }
        if let Some(server) = &self.server {
            write!(f, " ({server})")?;
        }
        Ok(())
    }
}

impl std::error::Error for TlsError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self.cause.as_deref() {
            Some(Cause::Rustls(e)) => Some(e),
            Some(Cause::Io(e)) => Some(e),
            None => None,
        }
    }
}

impl From<TlsError> for io::Error {
    /// Carries the TLS error inside an [`io::Error`] (kind `UnexpectedEof` for
    /// [`TlsErrorKind::Closed`], else `InvalidData`); get it back with
    /// `err.get_ref().and_then(|e| e.downcast_ref::<TlsError>())`.
    fn from(e: TlsError) -> io::Error {
        let kind = match e.kind {
            TlsErrorKind::Closed => io::ErrorKind::UnexpectedEof,
            _ => io::ErrorKind::InvalidData,
        };
        io::Error::new(kind, e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_errors_survive_the_trip_through_rustls() {
        let ours = TlsError::new(TlsErrorKind::PinMismatch, "sha256//abc");
        let back = TlsError::from_rustls(&ours.clone().into_rustls());
        assert_eq!(back, ours);
    }

    #[test]
    fn rustls_errors_are_sorted() {
        let cases = [
            (
                rustls::Error::InvalidCertificate(CertificateError::Expired),
                TlsErrorKind::Expired,
            ),
            (
                rustls::Error::InvalidCertificate(CertificateError::NotValidForName),
                TlsErrorKind::WrongName,
            ),
            (
                rustls::Error::AlertReceived(AlertDescription::ProtocolVersion),
                TlsErrorKind::ProtocolVersion,
            ),
            (
                rustls::Error::AlertReceived(AlertDescription::HandshakeFailure),
                TlsErrorKind::HandshakeFailure,
            ),
            (
                rustls::Error::InvalidCertificate(CertificateError::BadSignature),
                TlsErrorKind::BadCertificate,
            ),
        ];
        for (e, kind) in cases {
            assert_eq!(TlsError::from_rustls(&e).kind(), kind, "{e}");
        }
    }

    #[test]
    fn rustls_errors_are_kept_as_the_source() {
        use std::error::Error as _;
        let original = rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer);
        let ours = TlsError::from_rustls(&original);
        assert_eq!(ours.rustls_error(), Some(&original));
        assert_eq!(
            ours.source()
                .and_then(|s| s.downcast_ref::<rustls::Error>()),
            Some(&original)
        );
        assert_eq!(ours.detail(), original.to_string());
        // Our own errors, wrapped for rustls, come back as they were: without a cause.
        let pin = TlsError::new(TlsErrorKind::PinMismatch, "sha256//abc");
        let back = TlsError::from_rustls(&pin.clone().into_rustls());
        assert!(back.source().is_none());
        assert_eq!(back, pin);
    }

    #[test]
    fn stream_errors_are_kept_with_their_os_code() {
        use std::error::Error as _;
        let refused = io::Error::from_raw_os_error(rustix::io::Errno::CONNRESET.raw_os_error());
        let ours = TlsError::from_io(&refused);
        assert_eq!(ours.kind(), TlsErrorKind::Io);
        assert_eq!(
            ours.io_error().and_then(io::Error::raw_os_error),
            refused.raw_os_error()
        );
        let source = ours.source().and_then(|s| s.downcast_ref::<io::Error>());
        assert_eq!(
            source.and_then(io::Error::raw_os_error),
            refused.raw_os_error()
        );
    }

    #[test]
    fn equality_ignores_the_cause_but_not_the_server() {
        let original = rustls::Error::InvalidCertificate(CertificateError::Expired);
        let sorted = TlsError::from_rustls(&original);
        let plain = TlsError::new(sorted.kind(), sorted.detail());
        assert_eq!(sorted, plain);
        let named = plain.clone().with_server("localhost:8443");
        assert_ne!(named, plain);
        assert_eq!(named.server(), Some("localhost:8443"));
        assert_eq!(
            named.to_string(),
            format!("certificate has expired: {original} (localhost:8443)")
        );
        assert_eq!(
            TlsError::new(TlsErrorKind::Closed, "")
                .with_server("h:1")
                .to_string(),
            "connection closed during TLS (h:1)"
        );
    }

    #[test]
    fn io_round_trip_keeps_the_tls_error() {
        let ours = TlsError::new(TlsErrorKind::Closed, "mid-record");
        let io: io::Error = ours.clone().into();
        assert_eq!(io.kind(), io::ErrorKind::UnexpectedEof);
        assert_eq!(TlsError::from_io(&io), ours);
        assert!(ours.to_string().contains("mid-record"));
    }
}
