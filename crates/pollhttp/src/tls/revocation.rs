//! Certificate revocation lists (CRLs) and how they are checked: rustls's webpki
//! verifier does the checking, pollhttp's verifier around it tells which certificate
//! failed.

use std::path::Path;
use std::sync::Arc;

use rustls::client::danger::ServerCertVerifier;
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, CertificateRevocationListDer, ServerName, UnixTime};
use rustls::{CertificateError, RootCertStore};

use super::error::{TlsError, TlsErrorKind};

/// One or more certificate revocation lists (X.509 CRLs, RFC 5280), for
/// [`TlsOptions::with_revocation_lists`](super::TlsOptions::with_revocation_lists).
///
/// Each list is parsed when it is read, so that a broken one is reported here with
/// [`TlsErrorKind::InvalidConfig`], not in the middle of a handshake. Its signature is
/// checked when it is used, against the issuer found in the server's chain.
///
/// ```
/// use pollhttp::tls::RevocationLists;
///
/// let err = RevocationLists::from_pem(b"not a CRL").unwrap_err();
/// assert_eq!(err.kind(), pollhttp::TlsErrorKind::InvalidConfig);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RevocationLists {
    ders: Vec<CertificateRevocationListDer<'static>>,
}

impl RevocationLists {
    /// Reads every `X509 CRL` block of a PEM text (other blocks are skipped). Fails with
    /// [`TlsErrorKind::InvalidConfig`] on broken PEM, a list that does not parse, or
    /// when no list is found.
    pub fn from_pem(pem: &[u8]) -> Result<RevocationLists, TlsError> {
        let ders = CertificateRevocationListDer::pem_slice_iter(pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| TlsError::new(TlsErrorKind::InvalidConfig, format!("bad PEM: {e}")))?;
        if ders.is_empty() {
            return Err(TlsError::new(
                TlsErrorKind::InvalidConfig,
                "no X509 CRL block in PEM",
            ));
        }
        RevocationLists::checked(ders)
    }

    /// One list in DER form. Fails with [`TlsErrorKind::InvalidConfig`] when it does not
    /// parse.
    pub fn from_der(der: impl Into<Vec<u8>>) -> Result<RevocationLists, TlsError> {
        RevocationLists::checked(vec![CertificateRevocationListDer::from(der.into())])
    }

    /// PEM (any number of `X509 CRL` blocks) or DER (one list), whichever `bytes` holds,
    /// as `openssl crl -outform PEM|DER` writes them.
    pub fn from_bytes(bytes: &[u8]) -> Result<RevocationLists, TlsError> {
        if looks_like_pem(bytes) {
            RevocationLists::from_pem(bytes)
        } else {
            RevocationLists::from_der(bytes)
        }
    }

    /// Reads a file in PEM or DER; see [`from_bytes`](RevocationLists::from_bytes). This
    /// reads the disk: do it before the poll loop.
    pub fn from_file(path: impl AsRef<Path>) -> Result<RevocationLists, TlsError> {
        super::read_file(path.as_ref(), RevocationLists::from_bytes)
    }

    /// How many lists there are.
    pub fn len(&self) -> usize {
        self.ders.len()
    }

    /// True when there is no list.
    pub fn is_empty(&self) -> bool {
        self.ders.is_empty()
    }

    /// The DER encoding of each list, in order.
    pub fn iter_der(&self) -> impl Iterator<Item = &[u8]> + '_ {
        self.ders.iter().map(|d| d.as_ref())
    }

    /// These lists followed by `other`'s.
    pub(crate) fn extend(&mut self, other: RevocationLists) {
        self.ders.extend(other.ders);
    }

    fn checked(
        ders: Vec<CertificateRevocationListDer<'static>>,
    ) -> Result<RevocationLists, TlsError> {
        for (i, der) in ders.iter().enumerate() {
            webpki::OwnedCertRevocationList::from_der(der.as_ref()).map_err(|e| {
                let which = if ders.len() > 1 {
                    format!(" #{i}")
                } else {
                    String::new()
                };
                TlsError::new(
                    TlsErrorKind::InvalidConfig,
                    format!("revocation list{which} does not parse: {e}"),
                )
            })?;
        }
        Ok(RevocationLists { ders })
    }
}

/// True when `bytes` hold a PEM block of any kind (possibly after text, as
/// `openssl crl -text` writes it).
pub(crate) fn looks_like_pem(bytes: &[u8]) -> bool {
    bytes.windows(11).any(|w| w == b"-----BEGIN ")
}

/// How revocation is checked, as rustls's webpki verifier offers it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RevocationPolicy {
    /// Only the server's own certificate, not the intermediates.
    pub(crate) end_entity_only: bool,
    /// A certificate without a list from its issuer passes.
    pub(crate) allow_unknown: bool,
    /// A list past its `nextUpdate` fails the check.
    pub(crate) enforce_expiration: bool,
}

impl Default for RevocationPolicy {
    fn default() -> RevocationPolicy {
        RevocationPolicy {
            end_entity_only: false,
            allow_unknown: false,
            enforce_expiration: true,
        }
    }
}

/// The chain check with revocation: rustls's webpki verifier with the lists, and one
/// limited to the server's certificate that tells a revoked leaf from a revoked
/// intermediate when a check fails.
#[derive(Debug)]
pub(crate) struct RevocationCheck {
    chain: Arc<WebPkiServerVerifier>,
    /// `None` when only the server's certificate is checked anyway.
    end_entity: Option<Arc<WebPkiServerVerifier>>,
}

impl RevocationCheck {
    pub(crate) fn new(
        roots: Arc<RootCertStore>,
        lists: &RevocationLists,
        policy: RevocationPolicy,
        provider: &Arc<CryptoProvider>,
    ) -> Result<RevocationCheck, TlsError> {
        let build = |end_entity_only: bool| {
            let mut builder = WebPkiServerVerifier::builder_with_provider(
                Arc::clone(&roots),
                Arc::clone(provider),
            )
            .with_crls(lists.ders.iter().cloned());
            if end_entity_only {
                builder = builder.only_check_end_entity_revocation();
            }
            if policy.allow_unknown {
                builder = builder.allow_unknown_revocation_status();
            }
            if policy.enforce_expiration {
                builder = builder.enforce_revocation_expiration();
            }
            builder.build().map_err(|e| {
                TlsError::new(
                    TlsErrorKind::InvalidConfig,
                    format!("the revocation lists cannot be used: {e}"),
                )
            })
        };
        Ok(RevocationCheck {
            chain: build(policy.end_entity_only)?,
            end_entity: if policy.end_entity_only {
                None
            } else {
                Some(build(true)?)
            },
        })
    }

    /// Checks the chain up to the roots and the revocation of its certificates; the
    /// name is not checked here.
    pub(crate) fn verify(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        now: UnixTime,
    ) -> Result<(), rustls::Error> {
        let result = chain_only(self.chain.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            &[],
            now,
        ));
        let Err(rustls::Error::InvalidCertificate(error)) = &result else {
            return result;
        };
        // Which certificate failed: the server's own one, if the check of it alone
        // fails the same way.
        let leaf_fails_alike = || match &self.end_entity {
            None => true,
            Some(leaf) => {
                let alone = chain_only(leaf.verify_server_cert(
                    end_entity,
                    intermediates,
                    server_name,
                    &[],
                    now,
                ));
                matches!(alone, Err(rustls::Error::InvalidCertificate(e)) if same_kind(&e, error))
            }
        };
        let ours = match error {
            CertificateError::Revoked => {
                let which = if leaf_fails_alike() {
                    "the server's certificate is on a revocation list of its issuer"
                } else {
                    "an intermediate certificate of the server's chain is on a revocation list \
                     of its issuer"
                };
                TlsError::new(TlsErrorKind::Revoked, which)
            }
            CertificateError::UnknownRevocationStatus => {
                let which = if leaf_fails_alike() {
                    "no revocation list of the issuer of the server's certificate was given"
                } else {
                    "no revocation list of the issuer of an intermediate certificate was given \
                     (only_check_end_entity_revocation checks the server's certificate alone)"
                };
                TlsError::new(
                    TlsErrorKind::RevocationUnknown,
                    format!("{which}; allow_unknown_revocation_status accepts that"),
                )
            }
            CertificateError::ExpiredRevocationListContext { time, next_update } => TlsError::new(
                TlsErrorKind::RevocationListExpired,
                format!(
                    "a revocation list needed for the check was due for renewal {} seconds \
                         ago (nextUpdate {} seconds after 1970, now {}); \
                         ignore_revocation_expiration accepts it",
                    time.as_secs().saturating_sub(next_update.as_secs()),
                    next_update.as_secs(),
                    time.as_secs()
                ),
            ),
            _ => return result,
        };
        Err(ours.with_rustls(result.unwrap_err()).into_rustls())
    }
}

/// The chain check alone: a name mismatch, which webpki's verifier reports only after
/// the chain and its revocation passed, is left to the caller.
fn chain_only<T>(result: Result<T, rustls::Error>) -> Result<(), rustls::Error> {
    match result {
        Ok(_)
        | Err(rustls::Error::InvalidCertificate(
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
        )) => Ok(()),
        Err(e) => Err(e),
    }
}

fn same_kind(a: &CertificateError, b: &CertificateError) -> bool {
    std::mem::discriminant(a) == std::mem::discriminant(b)
}
