//! Certificates made at run time with rcgen (feature `certs`): roots, intermediates and
//! server leaves with a chosen validity period, ECDSA P-256 keys (P-384 for CAs on
//! request).
//!
//! Only rcgen and `rustls-pki-types` types come out, so that any TLS stack's tests can use
//! them (the library's unit and integration tests, the command line's tests, the
//! benchmarks).
//!
//! ```
//! use pollhttp_testserver::certs::Ca;
//!
//! let root = Ca::root("Test Root");
//! let leaf = root.leaf(&["localhost", "127.0.0.1"]);
//! assert!(root.pem.starts_with("-----BEGIN CERTIFICATE-----"));
//! assert!(!leaf.der.is_empty());
//! ```

use rcgen::{
    date_time_ymd, BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, PublicKeyData,
};
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// When a certificate is valid; fixed dates so that the machine's clock does not matter
/// within this century.
#[derive(Clone, Copy, Debug)]
pub enum Validity {
    /// From 2000 to 2099.
    Current,
    /// During 2000 only.
    Expired,
    /// From 2098 on.
    NotYetValid,
}

fn set_validity(params: &mut CertificateParams, validity: Validity) {
    let (from, to) = match validity {
        Validity::Current => ((2000, 1, 1), (2099, 12, 31)),
        Validity::Expired => ((2000, 1, 1), (2001, 1, 1)),
        Validity::NotYetValid => ((2098, 1, 1), (2099, 12, 31)),
    };
    params.not_before = date_time_ymd(from.0, from.1, from.2);
    params.not_after = date_time_ymd(to.0, to.1, to.2);
}

/// A certificate authority (root or intermediate) that signs others.
pub struct Ca {
    /// The certificate, DER.
    pub der: CertificateDer<'static>,
    /// The certificate, PEM.
    pub pem: String,
    issuer: Issuer<'static, KeyPair>,
}

/// A server certificate with its private key.
pub struct Leaf {
    /// The certificate, DER.
    pub der: CertificateDer<'static>,
    key: Vec<u8>,
    /// The DER SubjectPublicKeyInfo, as the key generator wrote it.
    pub spki: Vec<u8>,
}

impl Leaf {
    /// The private key (PKCS#8), as a TLS server takes it.
    pub fn key(&self) -> PrivateKeyDer<'static> {
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.key.clone()))
    }

    fn new(cert: &rcgen::Certificate, key: &KeyPair) -> Leaf {
        Leaf {
            der: cert.der().clone(),
            key: key.serialize_der(),
            spki: key.subject_public_key_info(),
        }
    }
}

fn ca_params(common_name: &str) -> CertificateParams {
    let mut params = CertificateParams::new(Vec::new()).expect("CA params");
    params
        .distinguished_name
        .push(DnType::CommonName, common_name);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    set_validity(&mut params, Validity::Current);
    params
}

fn leaf_params(names: &[&str], validity: Validity) -> CertificateParams {
    let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    let mut params = CertificateParams::new(names.clone()).expect("leaf params");
    params.distinguished_name.push(
        DnType::CommonName,
        names.first().cloned().unwrap_or_default(),
    );
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    set_validity(&mut params, validity);
    params
}

/// The curve of a CA's ECDSA key, which is also the curve of the signatures it makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Curve {
    /// P-256, signing with SHA-256.
    P256,
    /// P-384, signing with SHA-384 (as Let's Encrypt's ECDSA root and intermediates).
    P384,
}

impl Curve {
    fn key(self) -> KeyPair {
        let alg = match self {
            Curve::P256 => &rcgen::PKCS_ECDSA_P256_SHA256,
            Curve::P384 => &rcgen::PKCS_ECDSA_P384_SHA384,
        };
        KeyPair::generate_for(alg).expect("CA key")
    }
}

impl Ca {
    /// A self-signed root (ECDSA P-256).
    pub fn root(common_name: &str) -> Ca {
        Ca::root_on(common_name, Curve::P256)
    }

    /// A self-signed root whose key is on `curve`.
    pub fn root_on(common_name: &str, curve: Curve) -> Ca {
        let key = curve.key();
        let params = ca_params(common_name);
        let cert = params.self_signed(&key).expect("self-sign CA");
        Ca {
            der: cert.der().clone(),
            pem: cert.pem(),
            issuer: Issuer::new(params, key),
        }
    }

    /// An intermediate CA signed by this one (ECDSA P-256 key).
    pub fn intermediate(&self, common_name: &str) -> Ca {
        self.intermediate_on(common_name, Curve::P256)
    }

    /// An intermediate CA signed by this one, whose key is on `curve`.
    pub fn intermediate_on(&self, common_name: &str, curve: Curve) -> Ca {
        let key = curve.key();
        let params = ca_params(common_name);
        let cert = params.signed_by(&key, &self.issuer).expect("sign CA");
        Ca {
            der: cert.der().clone(),
            pem: cert.pem(),
            issuer: Issuer::new(params, key),
        }
    }

    /// A currently valid server certificate for `names` (DNS names or IP addresses).
    pub fn leaf(&self, names: &[&str]) -> Leaf {
        self.leaf_with(names, Validity::Current)
    }

    /// A server certificate for `names` signed by this CA, valid as `validity` says.
    pub fn leaf_with(&self, names: &[&str], validity: Validity) -> Leaf {
        let key = KeyPair::generate().expect("leaf key");
        let cert = leaf_params(names, validity)
            .signed_by(&key, &self.issuer)
            .expect("sign leaf");
        Leaf::new(&cert, &key)
    }
}

/// A server certificate signed by its own key.
pub fn self_signed(names: &[&str]) -> Leaf {
    let key = KeyPair::generate().expect("leaf key");
    let cert = leaf_params(names, Validity::Current)
        .self_signed(&key)
        .expect("self-sign leaf");
    Leaf::new(&cert, &key)
}
