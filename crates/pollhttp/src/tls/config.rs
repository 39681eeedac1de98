//! Turns [`TlsOptions`](super::TlsOptions) into a rustls `ClientConfig`.

use std::sync::{Arc, OnceLock};

use rustls::crypto::CryptoProvider;
use rustls::{ClientConfig, RootCertStore, SupportedProtocolVersion};

use super::certificates::Certificates;
use super::client_auth::{certified_key, ClientCertResolver, PrivateKey};
use super::error::{TlsError, TlsErrorKind};
use super::ocsp::StaplePolicy;
use super::options::{DefaultRoots, TlsVersion, Verification};
use super::pins::Pin;
use super::revocation::{RevocationCheck, RevocationLists, RevocationPolicy};
use super::verifier::{Check, Verifier};

pub(crate) struct Settings<'a> {
    pub(crate) provider: Arc<CryptoProvider>,
    pub(crate) trusted_chain: Option<&'a Certificates>,
    pub(crate) verification: Verification,
    pub(crate) default_roots: DefaultRoots,
    pub(crate) pins: &'a [Pin],
    pub(crate) min_version: TlsVersion,
    pub(crate) max_version: TlsVersion,
    pub(crate) revocation_lists: Option<&'a RevocationLists>,
    pub(crate) revocation_policy: RevocationPolicy,
    pub(crate) client_identity: Option<&'a (Certificates, PrivateKey)>,
    pub(crate) staple: StaplePolicy,
}

fn bundled_roots() -> Arc<RootCertStore> {
    static ROOTS: OnceLock<Arc<RootCertStore>> = OnceLock::new();
    Arc::clone(ROOTS.get_or_init(|| {
        Arc::new(RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        })
    }))
}

/// Reads the OS store once per process: it is disk I/O, and it does not change under a
/// running program often enough to pay for that on every connection.
fn os_roots() -> Result<Arc<RootCertStore>, TlsError> {
    static ROOTS: OnceLock<Result<Arc<RootCertStore>, TlsError>> = OnceLock::new();
    ROOTS
        .get_or_init(|| {
            let found = rustls_native_certs::load_native_certs();
            let mut store = RootCertStore::empty();
            let (added, _ignored) = store.add_parsable_certificates(found.certs);
            if added == 0 {
                let why = found
                    .errors
                    .first()
                    .map(|e| format!(": {e}"))
                    .unwrap_or_default();
                return Err(TlsError::new(
                    TlsErrorKind::InvalidConfig,
                    format!("no usable certificate in the operating system's store{why}"),
                ));
            }
            Ok(Arc::new(store))
        })
        .clone()
}

fn chain_roots(chain: &Certificates) -> Result<Arc<RootCertStore>, TlsError> {
    if chain.is_empty() {
        return Err(TlsError::new(
            TlsErrorKind::InvalidConfig,
            "the trusted chain has no certificate",
        ));
    }
    let mut store = RootCertStore::empty();
    for (i, der) in chain.as_rustls().iter().enumerate() {
        store.add(der.clone()).map_err(|e| {
            TlsError::new(
                TlsErrorKind::InvalidConfig,
                format!("trusted certificate #{i} cannot be used: {e}"),
            )
            .with_rustls(e)
        })?;
    }
    Ok(Arc::new(store))
}

fn versions(min: TlsVersion, max: TlsVersion) -> Vec<&'static SupportedProtocolVersion> {
    [
        (TlsVersion::Tls12, &rustls::version::TLS12),
        (TlsVersion::Tls13, &rustls::version::TLS13),
    ]
    .into_iter()
    .filter(|(v, _)| (min..=max).contains(v))
    .map(|(_, r)| r)
    .collect()
}

pub(crate) fn build(s: Settings<'_>) -> Result<Arc<ClientConfig>, TlsError> {
    let roots = || match s.trusted_chain {
        Some(chain) => chain_roots(chain),
        None => match s.default_roots {
            DefaultRoots::Bundled => Ok(bundled_roots()),
            DefaultRoots::Os => os_roots(),
        },
    };
    let check = match s.verification {
        Verification::Full => Check::Full(roots()?),
        Verification::ChainOnly => Check::ChainOnly(roots()?),
        Verification::Nothing => Check::Nothing,
    };
    let provider = s.provider;
    let revocation =
        match (s.revocation_lists, &check) {
            (None, _) => None,
            (Some(lists), Check::Full(roots) | Check::ChainOnly(roots)) => Some(
                RevocationCheck::new(Arc::clone(roots), lists, s.revocation_policy, &provider)?,
            ),
            (Some(_), Check::Nothing) => {
                return Err(TlsError::new(
                    TlsErrorKind::InvalidConfig,
                    "revocation lists need a chain to check, and client_unsafe(None) checks none",
                ))
            }
        };
    if s.staple.required && matches!(check, Check::Nothing) {
        return Err(TlsError::new(
            TlsErrorKind::InvalidConfig,
            "a stapled OCSP response is checked against the verified chain, and \
             client_unsafe(None) checks none",
        ));
    }
    let client_key = s
        .client_identity
        .map(|(chain, key)| certified_key(chain, key, &provider))
        .transpose()?;
    let verifier = Verifier::new(
        check,
        s.pins.to_vec(),
        provider.signature_verification_algorithms,
        revocation,
        s.staple,
    );
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&versions(s.min_version, s.max_version))
        .map_err(|e| TlsError::rustls(TlsErrorKind::InvalidConfig, e))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_client_cert_resolver(Arc::new(ClientCertResolver::new(client_key)));
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}
