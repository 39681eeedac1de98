//! The crypto provider used when the caller brings none: ring, put together from the
//! public pieces of rustls's ring module.
//!
//! rustls 0.23.48 deprecated `rustls::crypto::ring::default_provider()` (ring has no
//! post-quantum key exchange) and, in the same release, moved P-384 to the front of
//! ring's key-exchange groups. A client sends a key share only for its first group, and
//! ring's P-384 costs about twenty times its X25519, all of it inside `poll()`. So the
//! provider is assembled here, with X25519 first.
//!
//! The cipher suites lead with AES-128-GCM, as browsers do: its SHA-256 runs on the
//! CPU's SHA instructions where SHA-384 has none, which takes a tenth off the longest
//! handshake `poll()` (`bench/pollhttp-peer`'s `tls-frame`), and AES-128 is the faster
//! cipher for bodies too.

use std::sync::{Arc, OnceLock};

use rustls::crypto::ring::{cipher_suite as suite, kx_group, sign};
use rustls::crypto::{
    CryptoProvider, GetRandomFailed, KeyProvider, SecureRandom, WebPkiSupportedAlgorithms,
};
use rustls::pki_types::PrivateKeyDer;
use rustls::sign::SigningKey;
use rustls::SignatureScheme;
use webpki::ring as alg;

/// The process-wide ring provider, built on first use.
pub(crate) fn ring() -> Arc<CryptoProvider> {
    static PROVIDER: OnceLock<Arc<CryptoProvider>> = OnceLock::new();
    Arc::clone(PROVIDER.get_or_init(|| Arc::new(build())))
}

fn build() -> CryptoProvider {
    CryptoProvider {
        cipher_suites: vec![
            suite::TLS13_AES_128_GCM_SHA256,
            suite::TLS13_AES_256_GCM_SHA384,
            suite::TLS13_CHACHA20_POLY1305_SHA256,
            suite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            suite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
            suite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
            suite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
            suite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
            suite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        ],
        // Nearly every server takes X25519, so leading with it costs no extra round trip.
        kx_groups: vec![kx_group::X25519, kx_group::SECP256R1, kx_group::SECP384R1],
        signature_verification_algorithms: SIGNATURE_ALGORITHMS,
        secure_random: &Ring,
        key_provider: &Ring,
    }
}

/// Randomness and private-key loading through ring.
#[derive(Debug)]
struct Ring;

impl SecureRandom for Ring {
    fn fill(&self, buf: &mut [u8]) -> Result<(), GetRandomFailed> {
        use ring::rand::SecureRandom as _;
        ring::rand::SystemRandom::new()
            .fill(buf)
            .map_err(|_| GetRandomFailed)
    }
}

impl KeyProvider for Ring {
    fn load_private_key(
        &self,
        key_der: PrivateKeyDer<'static>,
    ) -> Result<Arc<dyn SigningKey>, rustls::Error> {
        sign::any_supported_type(&key_der)
    }
}

/// webpki's ring algorithms, mapped to TLS signature schemes as rustls's ring provider
/// maps them (its table is private). Order matters: it is our preference, sent to the
/// server.
static SIGNATURE_ALGORITHMS: WebPkiSupportedAlgorithms = WebPkiSupportedAlgorithms {
    all: &[
        alg::ECDSA_P256_SHA256,
        alg::ECDSA_P256_SHA384,
        alg::ECDSA_P384_SHA256,
        alg::ECDSA_P384_SHA384,
        alg::ED25519,
        alg::RSA_PSS_2048_8192_SHA256_LEGACY_KEY,
        alg::RSA_PSS_2048_8192_SHA384_LEGACY_KEY,
        alg::RSA_PSS_2048_8192_SHA512_LEGACY_KEY,
        alg::RSA_PKCS1_2048_8192_SHA256,
        alg::RSA_PKCS1_2048_8192_SHA384,
        alg::RSA_PKCS1_2048_8192_SHA512,
        alg::RSA_PKCS1_2048_8192_SHA256_ABSENT_PARAMS,
        alg::RSA_PKCS1_2048_8192_SHA384_ABSENT_PARAMS,
        alg::RSA_PKCS1_2048_8192_SHA512_ABSENT_PARAMS,
    ],
    mapping: &[
        // TLS 1.2 does not tie an ECDSA scheme to a curve, so either curve may sign.
        (
            SignatureScheme::ECDSA_NISTP384_SHA384,
            &[alg::ECDSA_P384_SHA384, alg::ECDSA_P256_SHA384],
        ),
        (
            SignatureScheme::ECDSA_NISTP256_SHA256,
            &[alg::ECDSA_P256_SHA256, alg::ECDSA_P384_SHA256],
        ),
        (SignatureScheme::ED25519, &[alg::ED25519]),
        (
            SignatureScheme::RSA_PSS_SHA512,
            &[alg::RSA_PSS_2048_8192_SHA512_LEGACY_KEY],
        ),
        (
            SignatureScheme::RSA_PSS_SHA384,
            &[alg::RSA_PSS_2048_8192_SHA384_LEGACY_KEY],
        ),
        (
            SignatureScheme::RSA_PSS_SHA256,
            &[alg::RSA_PSS_2048_8192_SHA256_LEGACY_KEY],
        ),
        (
            SignatureScheme::RSA_PKCS1_SHA512,
            &[alg::RSA_PKCS1_2048_8192_SHA512],
        ),
        (
            SignatureScheme::RSA_PKCS1_SHA384,
            &[alg::RSA_PKCS1_2048_8192_SHA384],
        ),
        (
            SignatureScheme::RSA_PKCS1_SHA256,
            &[alg::RSA_PKCS1_2048_8192_SHA256],
        ),
    ],
};

#[cfg(test)]
mod tests {
    use super::*;

    /// rustls's own ring provider, kept only to check that ours does not drift from it.
    #[allow(deprecated)]
    fn rustls_ring() -> CryptoProvider {
        rustls::crypto::ring::default_provider()
    }

    #[test]
    fn offers_what_rustls_ring_offers_with_aes128_and_x25519_first() {
        let ours = ring();
        let theirs = rustls_ring();
        let suites = |p: &CryptoProvider| {
            let mut s: Vec<u16> = p
                .cipher_suites
                .iter()
                .map(|s| u16::from(s.suite()))
                .collect();
            s.sort();
            s
        };
        assert_eq!(suites(&ours), suites(&theirs));
        assert_eq!(
            ours.cipher_suites[0].suite(),
            rustls::CipherSuite::TLS13_AES_128_GCM_SHA256
        );
        // TLS 1.3 suites before TLS 1.2 ones, as rustls orders them.
        let tls13 = ours
            .cipher_suites
            .iter()
            .take_while(|s| s.tls13().is_some())
            .count();
        assert_eq!(tls13, 3);
        let mut groups: Vec<_> = ours.kx_groups.iter().map(|g| g.name()).collect();
        assert_eq!(groups[0], rustls::NamedGroup::X25519);
        let mut their_groups: Vec<_> = theirs.kx_groups.iter().map(|g| g.name()).collect();
        groups.sort_by_key(|g| u16::from(*g));
        their_groups.sort_by_key(|g| u16::from(*g));
        assert_eq!(groups, their_groups);
        assert_eq!(
            format!("{:?}", ours.signature_verification_algorithms),
            format!("{:?}", theirs.signature_verification_algorithms)
        );
        assert_eq!(
            ours.signature_verification_algorithms.all.len(),
            theirs.signature_verification_algorithms.all.len()
        );
    }

    #[test]
    fn fills_randomness_and_loads_keys() {
        let provider = ring();
        let mut a = [0u8; 32];
        let mut b = [0u8; 32];
        provider.secure_random.fill(&mut a).expect("random");
        provider.secure_random.fill(&mut b).expect("random");
        assert_ne!(a, b);
        let garbage = PrivateKeyDer::Pkcs8(vec![1, 2, 3].into());
        assert!(provider.key_provider.load_private_key(garbage).is_err());
    }
}
