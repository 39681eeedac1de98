//! Client certificates: the private key type, the resolver that hands the certificate
//! to rustls when the server asks for one, and what a server's refusal is called.

use std::cell::Cell;
use std::fmt;
use std::path::Path;
use std::sync::Arc;

use rustls::client::ResolvesClientCert;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::PrivateKeyDer;
use rustls::sign::CertifiedKey;
use rustls::{AlertDescription, SignatureScheme};

use super::certificates::Certificates;
use super::error::{TlsError, TlsErrorKind};

/// The private key of a client certificate, for
/// [`TlsOptions::with_client_certificate`](super::TlsOptions::with_client_certificate):
/// RSA, ECDSA (P-256 or P-384) or Ed25519, in PKCS#8, PKCS#1 (`RSA PRIVATE KEY`) or SEC1
/// (`EC PRIVATE KEY`) form. Encrypted keys are not read: decrypt them first
/// (`openssl pkey -in key.pem -out plain.pem`).
///
/// Its `Debug` output shows no key material.
///
/// ```
/// use pollhttp::tls::PrivateKey;
///
/// let err = PrivateKey::from_pem(b"-----BEGIN ENCRYPTED PRIVATE KEY-----\n").unwrap_err();
/// assert!(err.detail().contains("encrypted"));
/// ```
#[derive(Clone)]
pub struct PrivateKey {
    der: Arc<PrivateKeyDer<'static>>,
}

impl PrivateKey {
    /// Reads the first private key block of a PEM text (`PRIVATE KEY`, `RSA PRIVATE KEY`
    /// or `EC PRIVATE KEY`; certificates and other blocks are skipped, so one file may
    /// hold a certificate and its key). Fails with [`TlsErrorKind::InvalidConfig`] on
    /// broken PEM, an encrypted key, or when no key is found.
    pub fn from_pem(pem: &[u8]) -> Result<PrivateKey, TlsError> {
        let invalid = |why: String| TlsError::new(TlsErrorKind::InvalidConfig, why);
        if is_encrypted(pem) {
            return Err(invalid(
                "the private key is encrypted; pollhttp reads unencrypted keys only \
                 (openssl pkey -in KEY -out PLAIN writes one)"
                    .into(),
            ));
        }
        match PrivateKeyDer::from_pem_slice(pem) {
            Ok(der) => Ok(PrivateKey { der: Arc::new(der) }),
            Err(rustls::pki_types::pem::Error::NoItemsFound) => Err(invalid(
                "no PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY block in PEM".into(),
            )),
            Err(e) => Err(invalid(format!("bad PEM: {e}"))),
        }
    }

    /// Reads a PEM file; see [`from_pem`](PrivateKey::from_pem). This reads the disk: do
    /// it before the poll loop.
    pub fn from_pem_file(path: impl AsRef<Path>) -> Result<PrivateKey, TlsError> {
        super::read_file(path.as_ref(), PrivateKey::from_pem)
    }

    /// A key in DER form: PKCS#8, PKCS#1 or SEC1, told apart by their structure. Fails
    /// with [`TlsErrorKind::InvalidConfig`] when it is none of them.
    pub fn from_der(der: impl Into<Vec<u8>>) -> Result<PrivateKey, TlsError> {
        PrivateKeyDer::try_from(der.into())
            .map(|der| PrivateKey { der: Arc::new(der) })
            .map_err(|e| {
                TlsError::new(
                    TlsErrorKind::InvalidConfig,
                    format!("not a private key: {e}"),
                )
            })
    }

    pub(crate) fn to_rustls(&self) -> PrivateKeyDer<'static> {
        self.der.clone_key()
    }
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let form = match &*self.der {
            PrivateKeyDer::Pkcs1(_) => "PKCS#1",
            PrivateKeyDer::Sec1(_) => "SEC1",
            PrivateKeyDer::Pkcs8(_) => "PKCS#8",
            _ => "other",
        };
        f.debug_struct("PrivateKey").field("form", &form).finish()
    }
}

impl PartialEq for PrivateKey {
    fn eq(&self, other: &PrivateKey) -> bool {
        self.der.secret_der() == other.der.secret_der()
    }
}

impl Eq for PrivateKey {}

/// An encrypted PKCS#8 block, or a legacy PEM block with encryption headers.
fn is_encrypted(pem: &[u8]) -> bool {
    let has = |needle: &[u8]| pem.windows(needle.len()).any(|w| w == needle);
    has(b"-----BEGIN ENCRYPTED PRIVATE KEY-----") || has(b"Proc-Type: 4,ENCRYPTED")
}

/// The certificate chain and key, checked against each other with `provider`.
pub(crate) fn certified_key(
    chain: &Certificates,
    key: &PrivateKey,
    provider: &CryptoProvider,
) -> Result<Arc<CertifiedKey>, TlsError> {
    if chain.is_empty() {
        return Err(TlsError::new(
            TlsErrorKind::InvalidConfig,
            "the client certificate chain has no certificate",
        ));
    }
    CertifiedKey::from_der(chain.as_rustls().to_vec(), key.to_rustls(), provider)
        .map(Arc::new)
        .map_err(|e| {
            let why = match &e {
                rustls::Error::InconsistentKeys(_) => {
                    "the client certificate is not for this private key".to_string()
                }
                rustls::Error::General(_) => format!("the private key cannot be used: {e}"),
                _ => format!("the client certificate cannot be used: {e}"),
            };
            TlsError::new(TlsErrorKind::InvalidConfig, why).with_rustls(e)
        })
}

thread_local! {
    /// Set when rustls asks this thread's resolver for a client certificate. The request
    /// is handled inside `process_new_packets` on the thread that drives the
    /// handshake, which reads and clears the flag right after.
    static ASKED: Cell<bool> = const { Cell::new(false) };
}

/// Clears the flag; true when the server asked for a client certificate since the last
/// call on this thread.
pub(crate) fn take_asked() -> bool {
    ASKED.with(|asked| asked.replace(false))
}

/// Hands rustls the client certificate (if any) and notes that the server asked.
#[derive(Debug)]
pub(crate) struct ClientCertResolver {
    key: Option<Arc<CertifiedKey>>,
}

impl ClientCertResolver {
    pub(crate) fn new(key: Option<Arc<CertifiedKey>>) -> ClientCertResolver {
        ClientCertResolver { key }
    }
}

impl ResolvesClientCert for ClientCertResolver {
    fn resolve(
        &self,
        _root_hint_subjects: &[&[u8]],
        _sigschemes: &[SignatureScheme],
    ) -> Option<Arc<CertifiedKey>> {
        ASKED.with(|asked| asked.set(true));
        self.key.clone()
    }

    fn has_certs(&self) -> bool {
        self.key.is_some()
    }
}

/// What the connection knows of client authentication.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct ClientAuth {
    /// The server asked for a certificate (unknown for a caller's rustls config).
    pub(crate) asked: bool,
    /// A certificate is configured, so one was sent when asked.
    pub(crate) configured: bool,
}

impl ClientAuth {
    /// The server's alert, named for client authentication when it is about it: every
    /// fatal alert after the server asked and got nothing, and the certificate alerts
    /// after it got one. `after_handshake` adds that the verdict came late, as TLS 1.3
    /// has it. `None` for other errors.
    pub(crate) fn refusal(&self, e: &rustls::Error, after_handshake: bool) -> Option<TlsError> {
        let rustls::Error::AlertReceived(alert) = e else {
            return None;
        };
        let certificate_alert = matches!(
            alert,
            AlertDescription::BadCertificate
                | AlertDescription::UnsupportedCertificate
                | AlertDescription::CertificateRevoked
                | AlertDescription::CertificateExpired
                | AlertDescription::CertificateUnknown
                | AlertDescription::UnknownCA
                | AlertDescription::AccessDenied
                | AlertDescription::DecryptError
                | AlertDescription::HandshakeFailure
                | AlertDescription::CertificateRequired
        );
        if !certificate_alert {
            return None;
        }
        let when = if after_handshake {
            " after the handshake (in TLS 1.3 the server judges the client certificate once \
             the client has finished, so its answer comes with the first read)"
        } else {
            ""
        };
        let (kind, what) = if *alert == AlertDescription::CertificateRequired
            || (self.asked && !self.configured)
        {
            let what = if self.configured {
                "the server wants a client certificate"
            } else if self.asked {
                "the server asked for a client certificate and none is configured \
                 (TlsOptions::with_client_certificate)"
            } else {
                "the server wants a client certificate and none is configured \
                 (TlsOptions::with_client_certificate)"
            };
            (TlsErrorKind::ClientCertificateRequired, what)
        } else if self.asked {
            (
                TlsErrorKind::ClientCertificateRejected,
                "the server did not accept the client certificate",
            )
        } else {
            return None;
        };
        let refusal = TlsError::new(kind, format!("{what}; it sent alert {alert:?}{when}"))
            .with_rustls(e.clone());
        Some(if after_handshake {
            refusal.late()
        } else {
            refusal
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_read_from_pem_and_der_and_encrypted_ones_refused() {
        // A PKCS#8 Ed25519 key (RFC 8410, section 10.3).
        let pem = b"-----BEGIN PRIVATE KEY-----\n\
            MC4CAQAwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC\n\
            -----END PRIVATE KEY-----\n";
        let key = PrivateKey::from_pem(pem).expect("PEM key");
        assert_eq!(format!("{key:?}"), "PrivateKey { form: \"PKCS#8\" }");
        let der = key.to_rustls().secret_der().to_vec();
        assert_eq!(PrivateKey::from_der(der).expect("DER key"), key);
        assert!(PrivateKey::from_der(vec![1, 2, 3]).is_err());

        let legacy = b"-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n\
            DEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n";
        for bad in [
            &legacy[..],
            b"-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n",
        ] {
            let err = PrivateKey::from_pem(bad).unwrap_err();
            assert_eq!(err.kind(), TlsErrorKind::InvalidConfig);
            assert!(err.detail().contains("encrypted"), "{err}");
        }
        let err =
            PrivateKey::from_pem(b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
                .unwrap_err();
        assert!(err.detail().starts_with("no PRIVATE KEY"), "{err}");
    }

    #[test]
    fn alerts_are_named_for_client_authentication() {
        let alert = |a| rustls::Error::AlertReceived(a);
        let none = ClientAuth {
            asked: true,
            configured: false,
        };
        let sent = ClientAuth {
            asked: true,
            configured: true,
        };
        let not_asked = ClientAuth::default();
        let kind = |auth: ClientAuth, a| auth.refusal(&alert(a), false).map(|e| e.kind());
        use AlertDescription as A;
        assert_eq!(
            kind(none, A::HandshakeFailure),
            Some(TlsErrorKind::ClientCertificateRequired)
        );
        assert_eq!(
            kind(not_asked, A::CertificateRequired),
            Some(TlsErrorKind::ClientCertificateRequired)
        );
        assert_eq!(
            kind(sent, A::UnknownCA),
            Some(TlsErrorKind::ClientCertificateRejected)
        );
        assert_eq!(kind(sent, A::ProtocolVersion), None);
        assert_eq!(kind(not_asked, A::HandshakeFailure), None);
        assert_eq!(
            none.refusal(&rustls::Error::DecryptError, false),
            None::<TlsError>
        );
        let late = sent.refusal(&alert(A::BadCertificate), true).unwrap();
        assert!(late.detail().contains("first read"), "{late}");
        assert!(late.after_handshake());
        assert!(!sent
            .refusal(&alert(A::BadCertificate), false)
            .unwrap()
            .after_handshake());
    }
}
