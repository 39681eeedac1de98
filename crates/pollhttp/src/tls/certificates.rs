//! X.509 certificates as the caller hands them over (trust anchors) or gets them back
//! (the server's chain).

use std::path::Path;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use rustls::server::ParsedCertificate;

use super::error::{TlsError, TlsErrorKind};
use super::pins::{format_pin, pin_of_spki};

/// One or more X.509 certificates in DER form, like Godot's `X509Certificate`.
///
/// As a trusted chain ([`TlsOptions::client`](super::TlsOptions::client)) every certificate
/// is a trust anchor. As returned by
/// [`TlsStream::peer_certificates`](super::TlsStream::peer_certificates) the first is the
/// server's own certificate and the rest are the intermediates it sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Certificates {
    ders: Vec<CertificateDer<'static>>,
}

impl Certificates {
    /// Reads every `CERTIFICATE` block of a PEM text (other blocks, such as keys, are
    /// skipped). Fails with [`TlsErrorKind::InvalidConfig`] on broken PEM or when no
    /// certificate is found.
    #[doc(alias = "load_from_string")]
    pub fn from_pem(pem: &[u8]) -> Result<Certificates, TlsError> {
        let ders = CertificateDer::pem_slice_iter(pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| TlsError::new(TlsErrorKind::InvalidConfig, format!("bad PEM: {e}")))?;
        Certificates::non_empty(ders, "no CERTIFICATE block in PEM")
    }

    /// Reads a PEM file; see [`from_pem`](Certificates::from_pem). This reads the disk:
    /// do it before the poll loop.
    #[doc(alias = "load")]
    pub fn from_pem_file(path: impl AsRef<Path>) -> Result<Certificates, TlsError> {
        super::read_file(path.as_ref(), Certificates::from_pem)
    }

    /// Wraps DER-encoded certificates as they are. They are parsed when used; a
    /// certificate that does not parse then fails with [`TlsErrorKind::InvalidConfig`].
    pub fn from_der(ders: Vec<Vec<u8>>) -> Certificates {
        Certificates {
            ders: ders.into_iter().map(CertificateDer::from).collect(),
        }
    }

    pub(crate) fn from_rustls(ders: &[CertificateDer<'_>]) -> Certificates {
        Certificates {
            ders: ders.iter().map(|d| d.clone().into_owned()).collect(),
        }
    }

    fn non_empty(ders: Vec<CertificateDer<'static>>, why: &str) -> Result<Certificates, TlsError> {
        if ders.is_empty() {
            return Err(TlsError::new(TlsErrorKind::InvalidConfig, why));
        }
        Ok(Certificates { ders })
    }

    /// How many certificates there are.
    pub fn len(&self) -> usize {
        self.ders.len()
    }

    /// True when there is no certificate.
    pub fn is_empty(&self) -> bool {
        self.ders.is_empty()
    }

    /// The DER encoding of each certificate, in order.
    pub fn iter_der(&self) -> impl Iterator<Item = &[u8]> + '_ {
        self.ders.iter().map(|d| d.as_ref())
    }

    /// The public-key pin of each certificate in curl's syntax (`sha256//BASE64`), ready
    /// for [`TlsOptions::with_pinned_public_keys`](super::TlsOptions::with_pinned_public_keys).
    /// Fails with [`TlsErrorKind::BadCertificate`] if a certificate does not parse.
    pub fn public_key_pins(&self) -> Result<Vec<String>, TlsError> {
        self.ders
            .iter()
            .map(|der| spki_pin(der).map(|pin| format_pin(&pin)))
            .collect()
    }

    pub(crate) fn as_rustls(&self) -> &[CertificateDer<'static>] {
        &self.ders
    }
}

/// SHA-256 of the certificate's DER SubjectPublicKeyInfo.
pub(crate) fn spki_pin(der: &CertificateDer<'_>) -> Result<[u8; 32], TlsError> {
    let parsed = ParsedCertificate::try_from(der).map_err(|e| {
        TlsError::new(
            TlsErrorKind::BadCertificate,
            format!("cannot read the public key: {e}"),
        )
    })?;
    Ok(pin_of_spki(parsed.subject_public_key_info().as_ref()))
}
