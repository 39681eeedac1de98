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
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsError {
    kind: TlsErrorKind,
    detail: String,
}

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
        }
    }

    /// Which check or step failed.
    pub fn kind(&self) -> TlsErrorKind {
        self.kind
    }

    /// The detail message (without the kind's description).
    pub fn detail(&self) -> &str {
        &self.detail
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
        TlsError::new(TlsErrorKind::Io, e.to_string())
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
                CertificateError::Other(OtherError(inner)) => {
                    if let Some(ours) = inner.downcast_ref::<TlsError>() {
                        return ours.clone();
                    }
                    TlsErrorKind::BadCertificate
                }
                _ => TlsErrorKind::BadCertificate,
            },
            E::NoCertificatesPresented => TlsErrorKind::BadCertificate,
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
        TlsError::new(kind, e.to_string())
    }
}

impl fmt::Display for TlsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.detail.is_empty() {
            f.write_str(self.kind.describe())
        } else {
            write!(f, "{}: {}", self.kind.describe(), self.detail)
        }
    }
}

impl std::error::Error for TlsError {}

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
    fn io_round_trip_keeps_the_tls_error() {
        let ours = TlsError::new(TlsErrorKind::Closed, "mid-record");
        let io: io::Error = ours.clone().into();
        assert_eq!(io.kind(), io::ErrorKind::UnexpectedEof);
        assert_eq!(TlsError::from_io(&io), ours);
        assert!(ours.to_string().contains("mid-record"));
    }
}
