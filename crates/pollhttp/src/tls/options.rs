//! How the client sets up TLS: Godot's `TLSOptions`, plus pinning and version bounds.

use std::fmt;
use std::sync::{Arc, OnceLock};

use rustls::crypto::CryptoProvider;
use rustls::ClientConfig;

use super::certificates::Certificates;
use super::client_auth::PrivateKey;
use super::config;
use super::error::{TlsError, TlsErrorKind};
use super::ocsp::StaplePolicy;
use super::pins::{parse_pins, public_key_pin, Pin};
use super::revocation::{RevocationLists, RevocationPolicy};

/// A TLS protocol version. Versions below 1.2 are not supported.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TlsVersion {
    /// TLS 1.2 (RFC 5246).
    Tls12,
    /// TLS 1.3 (RFC 8446).
    Tls13,
}

/// Where trusted roots come from when no trusted chain is given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DefaultRoots {
    /// The Mozilla set compiled into the program (`webpki-roots`).
    Bundled,
    /// The operating system's store (`rustls-native-certs`).
    Os,
}

/// How much of the server's certificate is verified.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Verification {
    /// Chain and name.
    Full,
    /// Chain only (unsafe client with a trusted chain).
    ChainOnly,
    /// Nothing (unsafe client without a chain).
    Nothing,
}

/// TLS settings for [`HttpClient::connect_to_host`](crate::HttpClient::connect_to_host),
/// as Godot's `TLSOptions`, with certificate pinning and version bounds on top.
///
/// TLS 1.2 and 1.3 are offered by default. The server name is sent as SNI (also in the
/// unsafe modes; never for an IP address, which is checked against the certificate's IP
/// address entries instead). ALPN offers `http/1.1`.
///
/// ```
/// use pollhttp::tls::{TlsOptions, TlsVersion};
///
/// let pinned = TlsOptions::client(None, None)
///     .with_min_version(TlsVersion::Tls13)
///     .with_pinned_public_keys("sha256//47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=")?;
/// assert!(!pinned.is_unsafe_client());
/// # Ok::<(), pollhttp::tls::TlsError>(())
/// ```
///
/// The rustls configuration is built on first use and shared by clones, so that
/// connections made with the same options can resume earlier TLS sessions. Options with
/// the default settings (`client(None, ..)` and `default()`, also what an `https://` URL
/// gets without options) share one configuration in the whole process.
///
/// The cryptography is ring's unless you bring your own: a whole rustls
/// `CryptoProvider` with [`with_crypto_provider`](TlsOptions::with_crypto_provider)
/// (the checks above stay pollhttp's), or a whole rustls `ClientConfig` with
/// [`from_rustls_config`](TlsOptions::from_rustls_config) (then everything is the
/// config's).
#[derive(Clone)]
pub struct TlsOptions {
    trusted_chain: Option<Certificates>,
    common_name_override: Option<String>,
    verification: Verification,
    default_roots: DefaultRoots,
    pins: Vec<Pin>,
    min_version: TlsVersion,
    max_version: TlsVersion,
    /// Revocation lists checked with the chain; `None` for no revocation check.
    revocation_lists: Option<RevocationLists>,
    revocation_policy: RevocationPolicy,
    /// Whether a stapled OCSP response is required, or ignored.
    staple_required: bool,
    staple_ignored: bool,
    /// The client certificate chain and its key, sent when the server asks.
    client_identity: Option<(Certificates, PrivateKey)>,
    /// The caller's provider; `None` for the default.
    provider: Option<Arc<CryptoProvider>>,
    /// A caller's whole configuration, used as it is instead of building one.
    caller_config: Option<Arc<ClientConfig>>,
    built: Arc<OnceLock<Arc<ClientConfig>>>,
}

impl TlsOptions {
    fn new(
        trusted_chain: Option<Certificates>,
        common_name_override: Option<&str>,
        verification: Verification,
    ) -> TlsOptions {
        let built = match (&trusted_chain, verification) {
            (None, Verification::Full) => shared_default_config(),
            _ => Arc::default(),
        };
        TlsOptions {
            trusted_chain,
            common_name_override: common_name_override
                .filter(|name| !name.is_empty())
                .map(str::to_owned),
            verification,
            default_roots: DefaultRoots::Bundled,
            pins: Vec::new(),
            min_version: TlsVersion::Tls12,
            max_version: TlsVersion::Tls13,
            revocation_lists: None,
            revocation_policy: RevocationPolicy::default(),
            staple_required: false,
            staple_ignored: false,
            client_identity: None,
            provider: None,
            caller_config: None,
            built,
        }
    }

    /// Full verification, as Godot's `TLSOptions.client()`: the server's chain must lead
    /// to a certificate of `trusted_chain` (or, when `None`, to the default roots: the
    /// bundled Mozilla set, see [`with_os_roots`](TlsOptions::with_os_roots)), and its
    /// certificate must be valid for `common_name_override` when given (an empty string
    /// counts as none), else for the host connected to. As in Godot, the override is
    /// also the name sent as SNI.
    pub fn client(
        trusted_chain: Option<Certificates>,
        common_name_override: Option<&str>,
    ) -> TlsOptions {
        TlsOptions::new(trusted_chain, common_name_override, Verification::Full)
    }

    /// Godot's `TLSOptions.client_unsafe()`: with a `trusted_chain`, the chain is checked
    /// but the name is not; with `None`, the certificate is not checked at all. Pins set
    /// with [`with_pinned_public_keys`](TlsOptions::with_pinned_public_keys) are checked
    /// in both cases (and then the server must prove it holds the pinned key).
    pub fn client_unsafe(trusted_chain: Option<Certificates>) -> TlsOptions {
        let verification = match trusted_chain {
            Some(_) => Verification::ChainOnly,
            None => Verification::Nothing,
        };
        TlsOptions::new(trusted_chain, None, verification)
    }

    /// Uses your own rustls configuration as it is: its certificate verifier, roots,
    /// crypto provider, protocol versions, cipher suites, client certificate and session
    /// store. This is the way to a custom verifier, to extra roots next to the Mozilla
    /// ones, or to client certificates.
    ///
    /// pollhttp adds nothing to it, so these settings of `TlsOptions` do not apply and
    /// must stay unset: pins ([`with_pinned_public_keys`] fails at once, a
    /// [`with_pin_sha256`] pin fails the handshake), version bounds, the OS store and
    /// [`with_crypto_provider`]; setting one of them makes [`prepare`] and every
    /// handshake fail with [`TlsErrorKind::InvalidConfig`]. The name verified and sent
    /// as SNI is the host connected to (SNI only if the config's `enable_sni` is on).
    /// [`is_unsafe_client`] is false, whatever the config's verifier checks.
    ///
    /// pollhttp speaks HTTP/1.1 on the connection, so the config's ALPN list may offer
    /// only `http/1.1` or `http/1.0` (or nothing); anything else, `h2` included, fails
    /// here with [`TlsErrorKind::InvalidConfig`].
    ///
    /// ```no_run
    /// use std::sync::Arc;
    /// use pollhttp::tls::rustls::pki_types::{pem::PemObject, CertificateDer};
    /// use pollhttp::tls::rustls::{ClientConfig, RootCertStore};
    /// use pollhttp::tls::TlsOptions;
    ///
    /// // The Mozilla roots, and a private CA next to them.
    /// let mut roots = RootCertStore::empty();
    /// roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    /// for cert in CertificateDer::pem_file_iter("private-ca.pem")? {
    ///     roots.add(cert?)?;
    /// }
    /// let mut config =
    ///     ClientConfig::builder_with_provider(TlsOptions::default_crypto_provider())
    ///         .with_safe_default_protocol_versions()?
    ///         .with_root_certificates(roots)
    ///         .with_no_client_auth();
    /// config.alpn_protocols = vec![b"http/1.1".to_vec()];
    /// let tls = TlsOptions::from_rustls_config(Arc::new(config))?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// [`with_pinned_public_keys`]: TlsOptions::with_pinned_public_keys
    /// [`with_pin_sha256`]: TlsOptions::with_pin_sha256
    /// [`with_crypto_provider`]: TlsOptions::with_crypto_provider
    /// [`prepare`]: TlsOptions::prepare
    /// [`is_unsafe_client`]: TlsOptions::is_unsafe_client
    pub fn from_rustls_config(config: Arc<ClientConfig>) -> Result<TlsOptions, TlsError> {
        if let Some(other) = config
            .alpn_protocols
            .iter()
            .find(|p| !matches!(p.as_slice(), b"http/1.1" | b"http/1.0"))
        {
            return Err(TlsError::new(
                TlsErrorKind::InvalidConfig,
                format!(
                    "the rustls config offers ALPN protocol \"{}\"; pollhttp speaks only HTTP/1.x",
                    other.escape_ascii()
                ),
            ));
        }
        let mut options = TlsOptions::client(None, None);
        options.caller_config = Some(config);
        Ok(options)
    }

    /// Uses `provider` for the cryptography (cipher suites, key exchange groups,
    /// signature verification, randomness) instead of
    /// [`default_crypto_provider`](TlsOptions::default_crypto_provider); everything
    /// else (roots, checks, pins, versions) stays as these options say. The versions
    /// offered must have a cipher suite in the provider, or the handshake fails with
    /// [`TlsErrorKind::InvalidConfig`] (so does [`prepare`](TlsOptions::prepare)).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use pollhttp::tls::rustls::crypto::ring::kx_group;
    /// use pollhttp::tls::rustls::CipherSuite;
    /// use pollhttp::tls::{TlsOptions, TlsVersion};
    ///
    /// // TLS 1.3 with ChaCha20-Poly1305 and P-256 only.
    /// let mut provider = (*TlsOptions::default_crypto_provider()).clone();
    /// provider
    ///     .cipher_suites
    ///     .retain(|s| s.suite() == CipherSuite::TLS13_CHACHA20_POLY1305_SHA256);
    /// provider.kx_groups = vec![kx_group::SECP256R1];
    /// let tls = TlsOptions::client(None, None)
    ///     .with_min_version(TlsVersion::Tls13)
    ///     .with_crypto_provider(Arc::new(provider));
    /// tls.prepare()?;
    /// # Ok::<(), pollhttp::tls::TlsError>(())
    /// ```
    pub fn with_crypto_provider(mut self, provider: Arc<CryptoProvider>) -> TlsOptions {
        self.provider = Some(provider);
        self.rebuilt()
    }

    /// Adds public-key pins in curl's `CURLOPT_PINNEDPUBLICKEY` syntax:
    /// `sha256//BASE64[;sha256//BASE64...]`, each the base64 SHA-256 of a
    /// SubjectPublicKeyInfo. The server's certificate must carry one of the pinned keys,
    /// in every mode (also unsafe ones). Fails with [`TlsErrorKind::InvalidConfig`] on
    /// any other syntax (file paths are not accepted), and on options made by
    /// [`from_rustls_config`](TlsOptions::from_rustls_config), whose verifier is the
    /// config's.
    pub fn with_pinned_public_keys(mut self, pins: &str) -> Result<TlsOptions, TlsError> {
        if self.caller_config.is_some() {
            return Err(TlsError::new(
                TlsErrorKind::InvalidConfig,
                "pins do not apply to a rustls config given with from_rustls_config: its verifier decides",
            ));
        }
        self.pins.extend(parse_pins(pins)?);
        Ok(self.rebuilt())
    }

    /// Adds a pin of one public key given whole, as curl's `--pinnedpubkey FILE` takes it:
    /// `key` is a DER SubjectPublicKeyInfo or a PEM `PUBLIC KEY` block (what `openssl pkey
    /// -pubout` writes, with `-outform DER` or without). The server's certificate must
    /// carry this key (or one of the other pins), in every mode, as with
    /// [`with_pinned_public_keys`](TlsOptions::with_pinned_public_keys).
    ///
    /// ```
    /// # use pollhttp::TlsOptions;
    /// # let spki_der: &[u8] = &[0x30, 0x03, 0x02, 0x01, 0x00];
    /// let pinned = TlsOptions::default().with_pinned_public_key(spki_der)?;
    /// assert!(pinned.has_pins());
    /// assert!(TlsOptions::default().with_pinned_public_key(b"not a key").is_err());
    /// # Ok::<(), pollhttp::tls::TlsError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`TlsErrorKind::InvalidConfig`] when `key` is neither a DER structure nor PEM
    /// with a `PUBLIC KEY` block (a certificate is not a public key: pin its key with
    /// [`Certificates::public_key_pins`](super::Certificates::public_key_pins)), and on
    /// options made by [`from_rustls_config`](TlsOptions::from_rustls_config).
    pub fn with_pinned_public_key(self, key: &[u8]) -> Result<TlsOptions, TlsError> {
        if self.caller_config.is_some() {
            return Err(TlsError::new(
                TlsErrorKind::InvalidConfig,
                "pins do not apply to a rustls config given with from_rustls_config: its verifier decides",
            ));
        }
        let pin = public_key_pin(key)?;
        Ok(self.with_pin_sha256(pin))
    }

    /// Adds one pin given as the raw SHA-256 digest of a SubjectPublicKeyInfo.
    pub fn with_pin_sha256(mut self, digest: [u8; 32]) -> TlsOptions {
        self.pins.push(digest);
        self.rebuilt()
    }

    /// The lowest TLS version offered (default [`TlsVersion::Tls12`]).
    pub fn with_min_version(mut self, version: TlsVersion) -> TlsOptions {
        self.min_version = version;
        self.rebuilt()
    }

    /// The highest TLS version offered (default [`TlsVersion::Tls13`]).
    pub fn with_max_version(mut self, version: TlsVersion) -> TlsOptions {
        self.max_version = version;
        self.rebuilt()
    }

    /// Checks the server's chain against certificate revocation lists (CRLs): a
    /// certificate on a list of its issuer fails the handshake with
    /// [`TlsErrorKind::Revoked`]. Lists add up over several calls. The checks, as rustls's
    /// webpki verifier makes them:
    ///
    /// - **which certificates**: the server's and every intermediate (the trusted root
    ///   itself is never checked); [`only_check_end_entity_revocation`] limits it to the
    ///   server's;
    /// - **unknown status**: a checked certificate whose issuer has no list among those
    ///   given fails with [`TlsErrorKind::RevocationUnknown`];
    ///   [`allow_unknown_revocation_status`] lets it pass. With an intermediate CA,
    ///   checking the whole chain thus needs the root's list as well as the
    ///   intermediate's;
    /// - **expired lists**: a list past its `nextUpdate` date fails with
    ///   [`TlsErrorKind::RevocationListExpired`], as OpenSSL (and so curl) has it: an old
    ///   list does not know of later revocations. [`ignore_revocation_expiration`] accepts
    ///   it (rustls's own default);
    /// - a list whose signature does not verify with its issuer's key is
    ///   [`TlsErrorKind::BadRevocationList`].
    ///
    /// The lists apply in [`client`](TlsOptions::client) mode and in
    /// [`client_unsafe`](TlsOptions::client_unsafe) mode with a trusted chain (which
    /// checks the chain); pins are checked after them as always. Options that check no
    /// chain (`client_unsafe(None)`), and those made by
    /// [`from_rustls_config`](TlsOptions::from_rustls_config), fail with
    /// [`TlsErrorKind::InvalidConfig`] in [`prepare`](TlsOptions::prepare) and every
    /// handshake.
    ///
    /// ```no_run
    /// use pollhttp::tls::{Certificates, RevocationLists, TlsOptions};
    ///
    /// let ca = Certificates::from_pem_file("ca.pem")?;
    /// let tls = TlsOptions::client(Some(ca), None)
    ///     .with_revocation_lists(RevocationLists::from_file("ca.crl")?)
    ///     .only_check_end_entity_revocation();
    /// tls.prepare()?;
    /// # Ok::<(), pollhttp::tls::TlsError>(())
    /// ```
    ///
    /// [`only_check_end_entity_revocation`]: TlsOptions::only_check_end_entity_revocation
    /// [`allow_unknown_revocation_status`]: TlsOptions::allow_unknown_revocation_status
    /// [`ignore_revocation_expiration`]: TlsOptions::ignore_revocation_expiration
    pub fn with_revocation_lists(mut self, lists: RevocationLists) -> TlsOptions {
        match &mut self.revocation_lists {
            Some(have) => have.extend(lists),
            None => self.revocation_lists = Some(lists),
        }
        self.rebuilt()
    }

    /// Checks revocation of the server's own certificate only, not of the intermediates
    /// (rustls's `only_check_end_entity_revocation`; curl with OpenSSL checks this way).
    pub fn only_check_end_entity_revocation(mut self) -> TlsOptions {
        self.revocation_policy.end_entity_only = true;
        self.rebuilt()
    }

    /// Lets a certificate pass whose issuer has no revocation list among those given
    /// (rustls's `allow_unknown_revocation_status`); by default it fails with
    /// [`TlsErrorKind::RevocationUnknown`].
    pub fn allow_unknown_revocation_status(mut self) -> TlsOptions {
        self.revocation_policy.allow_unknown = true;
        self.rebuilt()
    }

    /// Uses revocation lists past their `nextUpdate` date as if they were current; by
    /// default such a list fails the check with [`TlsErrorKind::RevocationListExpired`].
    pub fn ignore_revocation_expiration(mut self) -> TlsOptions {
        self.revocation_policy.enforce_expiration = false;
        self.rebuilt()
    }

    /// Fails the handshake with [`TlsErrorKind::StapleMissing`] when the server staples
    /// no OCSP response to its certificate (as a certificate with the "OCSP must-staple"
    /// extension asks of clients; this does not look for that extension).
    ///
    /// Whether required or not, a stapled response is always checked when the chain is
    /// (in [`client`](TlsOptions::client) mode, and in
    /// [`client_unsafe`](TlsOptions::client_unsafe) mode with a trusted chain): it must
    /// be signed by the issuer of the server's certificate or by a responder certificate
    /// that issuer signed for OCSP signing, be about the server's certificate, and be
    /// current (`thisUpdate` not ahead of the clock, `nextUpdate` not past, five minutes
    /// of slack either way; without `nextUpdate`, at most seven days old). Else the
    /// handshake fails with [`TlsErrorKind::BadOcspResponse`]; a response saying
    /// "revoked" fails it with [`TlsErrorKind::Revoked`], one saying "unknown" with
    /// [`TlsErrorKind::RevocationUnknown`] (unless
    /// [`allow_unknown_revocation_status`](TlsOptions::allow_unknown_revocation_status)).
    /// With `client_unsafe(None)`, which checks no chain, requiring a staple is
    /// [`TlsErrorKind::InvalidConfig`].
    ///
    /// ```
    /// use pollhttp::TlsOptions;
    ///
    /// let strict = TlsOptions::client(None, None).require_ocsp_staple();
    /// strict.prepare()?;
    /// let err = TlsOptions::client_unsafe(None).require_ocsp_staple().prepare().unwrap_err();
    /// assert_eq!(err.kind(), pollhttp::TlsErrorKind::InvalidConfig);
    /// # Ok::<(), pollhttp::TlsError>(())
    /// ```
    pub fn require_ocsp_staple(mut self) -> TlsOptions {
        self.staple_required = true;
        self.rebuilt()
    }

    /// Does not look at stapled OCSP responses at all (they are checked by default; see
    /// [`require_ocsp_staple`](TlsOptions::require_ocsp_staple)), for a server whose
    /// staples are known to be broken.
    pub fn ignore_ocsp_staples(mut self) -> TlsOptions {
        self.staple_ignored = true;
        self.rebuilt()
    }

    /// Presents a client certificate when the server asks for one (TLS client
    /// authentication, rustls's `with_client_auth_cert`): `chain` is the client's
    /// certificate first, then any intermediates the server needs to reach its trusted
    /// CA; `key` is the certificate's private key (RSA, ECDSA P-256 or P-384, Ed25519).
    /// A server that does not ask gets nothing.
    ///
    /// The two are checked against each other when the configuration is built
    /// ([`prepare`](TlsOptions::prepare), or the first handshake): a key that is not the
    /// certificate's, or one of an unsupported type, fails with
    /// [`TlsErrorKind::InvalidConfig`]. A server that refuses the certificate ends in
    /// [`TlsErrorKind::ClientCertificateRejected`]; one that requires a certificate when
    /// none is configured, in [`TlsErrorKind::ClientCertificateRequired`]. Options made
    /// by [`from_rustls_config`](TlsOptions::from_rustls_config) take the client
    /// certificate in their config (this fails with `InvalidConfig` there).
    ///
    /// ```no_run
    /// use pollhttp::tls::{Certificates, PrivateKey, TlsOptions};
    ///
    /// // One PEM file may hold the certificate and its key, as curl's --cert takes it.
    /// let tls = TlsOptions::client(None, None).with_client_certificate(
    ///     Certificates::from_pem_file("client.pem")?,
    ///     PrivateKey::from_pem_file("client.pem")?,
    /// );
    /// tls.prepare()?;
    /// # Ok::<(), pollhttp::tls::TlsError>(())
    /// ```
    pub fn with_client_certificate(mut self, chain: Certificates, key: PrivateKey) -> TlsOptions {
        self.client_identity = Some((chain, key));
        self.rebuilt()
    }

    /// Trusts the operating system's certificate store instead of the bundled Mozilla
    /// roots (no effect when a trusted chain is given). The store is read from disk once
    /// per process, on the first handshake that needs it; call
    /// [`prepare`](TlsOptions::prepare) to do that ahead of a poll loop.
    pub fn with_os_roots(mut self) -> TlsOptions {
        self.default_roots = DefaultRoots::Os;
        self.rebuilt()
    }

    /// Builds the TLS configuration now (reading the OS store if asked for), so that the
    /// first handshake does no setup work and configuration errors show up early.
    pub fn prepare(&self) -> Result<(), TlsError> {
        self.client_config().map(drop)
    }

    /// The trusted chain given to [`client`](TlsOptions::client) or
    /// [`client_unsafe`](TlsOptions::client_unsafe).
    #[doc(alias = "get_trusted_ca_chain")]
    pub fn trusted_chain(&self) -> Option<&Certificates> {
        self.trusted_chain.as_ref()
    }

    /// The crypto provider used when none is given: ring (no CMake or Go needed to build
    /// it, unlike aws-lc-rs), with TLS 1.3 and 1.2 cipher suites, AES-128-GCM first, then
    /// AES-256-GCM and ChaCha20-Poly1305, and X25519 as the first key exchange, then P-256
    /// and P-384. One instance is shared by the whole process.
    ///
    /// A starting point for a provider of your own, such as one narrowed to a single
    /// cipher suite:
    ///
    /// ```
    /// use pollhttp::tls::rustls::CipherSuite;
    /// use pollhttp::tls::TlsOptions;
    ///
    /// let mut provider = (*TlsOptions::default_crypto_provider()).clone();
    /// provider
    ///     .cipher_suites
    ///     .retain(|s| s.suite() == CipherSuite::TLS13_CHACHA20_POLY1305_SHA256);
    /// assert_eq!(provider.cipher_suites.len(), 1);
    /// ```
    pub fn default_crypto_provider() -> Arc<CryptoProvider> {
        super::provider::ring()
    }

    /// The crypto provider the handshakes use: the one given to
    /// [`with_crypto_provider`](TlsOptions::with_crypto_provider), the one of a config
    /// given to [`from_rustls_config`](TlsOptions::from_rustls_config), or else
    /// [`default_crypto_provider`](TlsOptions::default_crypto_provider).
    pub fn crypto_provider(&self) -> Arc<CryptoProvider> {
        match (&self.caller_config, &self.provider) {
            (Some(config), _) => Arc::clone(config.crypto_provider()),
            (None, Some(provider)) => Arc::clone(provider),
            (None, None) => TlsOptions::default_crypto_provider(),
        }
    }

    /// True for options made by [`from_rustls_config`](TlsOptions::from_rustls_config).
    pub fn uses_rustls_config(&self) -> bool {
        self.caller_config.is_some()
    }

    /// The name checked instead of the host, if any.
    #[doc(alias = "get_common_name_override")]
    pub fn common_name_override(&self) -> Option<&str> {
        self.common_name_override.as_deref()
    }

    /// True for options made by [`client_unsafe`](TlsOptions::client_unsafe).
    pub fn is_unsafe_client(&self) -> bool {
        self.verification != Verification::Full
    }

    /// True when pins are set.
    pub fn has_pins(&self) -> bool {
        !self.pins.is_empty()
    }

    /// The revocation lists given to
    /// [`with_revocation_lists`](TlsOptions::with_revocation_lists), all together.
    pub fn revocation_lists(&self) -> Option<&RevocationLists> {
        self.revocation_lists.as_ref()
    }

    /// The client certificate chain given to
    /// [`with_client_certificate`](TlsOptions::with_client_certificate).
    pub fn client_certificate(&self) -> Option<&Certificates> {
        self.client_identity.as_ref().map(|(chain, _)| chain)
    }

    /// The lowest TLS version offered.
    pub fn min_version(&self) -> TlsVersion {
        self.min_version
    }

    /// The highest TLS version offered.
    pub fn max_version(&self) -> TlsVersion {
        self.max_version
    }

    /// True when the operating system's store replaces the bundled roots.
    pub fn uses_os_roots(&self) -> bool {
        self.default_roots == DefaultRoots::Os
    }

    /// The name to verify and send as SNI when connecting to `host`.
    pub(crate) fn server_name<'a>(&'a self, host: &'a str) -> &'a str {
        self.common_name_override.as_deref().unwrap_or(host)
    }

    /// A changed setting needs a new rustls configuration (clones of the old options
    /// keep theirs).
    fn rebuilt(mut self) -> TlsOptions {
        self.built = Arc::default();
        self
    }

    /// The rustls configuration for these options, built once and then shared.
    pub(crate) fn client_config(&self) -> Result<Arc<ClientConfig>, TlsError> {
        if let Some(config) = &self.caller_config {
            self.check_unset_for_caller_config()?;
            return Ok(Arc::clone(config));
        }
        if let Some(built) = self.built.get() {
            return Ok(Arc::clone(built));
        }
        if self.min_version > self.max_version {
            return Err(TlsError::new(
                TlsErrorKind::InvalidConfig,
                format!(
                    "minimum version {:?} is above maximum version {:?}",
                    self.min_version, self.max_version
                ),
            ));
        }
        let built = config::build(config::Settings {
            provider: self.crypto_provider(),
            trusted_chain: self.trusted_chain.as_ref(),
            verification: self.verification,
            default_roots: self.default_roots,
            pins: &self.pins,
            min_version: self.min_version,
            max_version: self.max_version,
            revocation_lists: self.revocation_lists.as_ref(),
            revocation_policy: self.revocation_policy,
            client_identity: self.client_identity.as_ref(),
            staple: StaplePolicy {
                required: self.staple_required,
                ignored: self.staple_ignored,
                allow_unknown: self.revocation_policy.allow_unknown,
            },
        })?;
        Ok(Arc::clone(self.built.get_or_init(|| built)))
    }

    /// Settings that a caller's rustls config would silently override must not be set.
    fn check_unset_for_caller_config(&self) -> Result<(), TlsError> {
        let set = [
            (!self.pins.is_empty(), "pins"),
            (self.min_version != TlsVersion::Tls12, "a minimum version"),
            (self.max_version != TlsVersion::Tls13, "a maximum version"),
            (self.default_roots != DefaultRoots::Bundled, "the OS store"),
            (self.provider.is_some(), "a crypto provider"),
            (self.revocation_lists.is_some(), "revocation lists"),
            (
                self.revocation_policy != RevocationPolicy::default(),
                "a revocation policy",
            ),
            (self.client_identity.is_some(), "a client certificate"),
            (self.staple_required, "a required OCSP staple"),
            (self.staple_ignored, "ignoring OCSP staples"),
        ];
        match set.iter().find(|(is_set, _)| *is_set) {
            Some((_, what)) => Err(TlsError::new(
                TlsErrorKind::InvalidConfig,
                format!("{what} cannot be added to a rustls config given with from_rustls_config; set it in the config"),
            )),
            None => Ok(()),
        }
    }
}

/// The configuration slot of every option set with the default settings, so that
/// separately made default options (one per `https://` URL connected without options)
/// share one configuration and its session cache, and resume each other's sessions.
fn shared_default_config() -> Arc<OnceLock<Arc<ClientConfig>>> {
    static SHARED: OnceLock<Arc<OnceLock<Arc<ClientConfig>>>> = OnceLock::new();
    Arc::clone(SHARED.get_or_init(Arc::default))
}

impl Default for TlsOptions {
    /// Full verification against the bundled roots: `TlsOptions::client(None, None)`.
    fn default() -> TlsOptions {
        TlsOptions::client(None, None)
    }
}

impl fmt::Debug for TlsOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsOptions")
            .field(
                "trusted_chain",
                &self.trusted_chain.as_ref().map(Certificates::len),
            )
            .field("common_name_override", &self.common_name_override)
            .field("verification", &self.verification)
            .field("default_roots", &self.default_roots)
            .field("pins", &self.pins.len())
            .field("min_version", &self.min_version)
            .field("max_version", &self.max_version)
            .field(
                "revocation_lists",
                &self.revocation_lists.as_ref().map(RevocationLists::len),
            )
            .field("revocation_policy", &self.revocation_policy)
            .field("staple_required", &self.staple_required)
            .field("staple_ignored", &self.staple_ignored)
            .field(
                "client_certificate",
                &self.client_identity.as_ref().map(|(c, _)| c.len()),
            )
            .field("own_crypto_provider", &self.provider.is_some())
            .field("rustls_config", &self.caller_config.is_some())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(options: &TlsOptions) -> Arc<ClientConfig> {
        options.client_config().expect("config")
    }

    #[test]
    fn options_with_default_settings_share_one_configuration() {
        let shared = config(&TlsOptions::default());
        assert!(Arc::ptr_eq(
            &shared,
            &config(&TlsOptions::client(None, None))
        ));
        assert!(Arc::ptr_eq(
            &shared,
            &config(&TlsOptions::client(None, Some("example.com")))
        ));

        let chain = Certificates::from_der(vec![Vec::new()]);
        let own = [
            TlsOptions::default().with_min_version(TlsVersion::Tls13),
            TlsOptions::default().with_pin_sha256([1; 32]),
            TlsOptions::client_unsafe(None),
            TlsOptions::default().with_crypto_provider(TlsOptions::default_crypto_provider()),
        ];
        for options in own {
            let built = config(&options);
            assert!(!Arc::ptr_eq(&shared, &built), "{options:?}");
            assert!(
                Arc::ptr_eq(&built, &config(&options.clone())),
                "{options:?}"
            );
        }
        // The settings that a caller's rustls config would override are refused with it.
        let caller = config(&TlsOptions::default());
        for (options, what) in [
            (
                TlsOptions::from_rustls_config(Arc::clone(&caller))
                    .unwrap()
                    .require_ocsp_staple(),
                "a required OCSP staple",
            ),
            (
                TlsOptions::from_rustls_config(Arc::clone(&caller))
                    .unwrap()
                    .allow_unknown_revocation_status(),
                "a revocation policy",
            ),
        ] {
            let err = options.prepare().unwrap_err();
            assert_eq!(err.kind(), TlsErrorKind::InvalidConfig);
            assert!(err.detail().starts_with(what), "{err}");
        }
        let err = TlsOptions::client_unsafe(None)
            .require_ocsp_staple()
            .prepare()
            .unwrap_err();
        assert_eq!(err.kind(), TlsErrorKind::InvalidConfig, "{err}");

        // Were options with a chain given the shared slot, they would get its ready
        // configuration; their own build rejects this chain, which is not DER.
        assert!(TlsOptions::client(Some(chain), None).prepare().is_err());
    }
}
