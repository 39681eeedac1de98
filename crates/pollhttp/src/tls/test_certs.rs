//! Certificates made at test time: CAs, intermediates, leaves, with chosen validity.

use rcgen::{
    date_time_ymd, BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, PublicKeyData,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// When a certificate is valid, independent of the machine's clock within this century.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Validity {
    Current,
    Expired,
    NotYetValid,
}

fn apply(params: &mut CertificateParams, validity: Validity) {
    let (from, to) = match validity {
        Validity::Current => ((2000, 1, 1), (2099, 12, 31)),
        Validity::Expired => ((2000, 1, 1), (2001, 1, 1)),
        Validity::NotYetValid => ((2098, 1, 1), (2099, 12, 31)),
    };
    params.not_before = date_time_ymd(from.0, from.1, from.2);
    params.not_after = date_time_ymd(to.0, to.1, to.2);
}

/// A certificate authority (root or intermediate) that can sign others.
pub(crate) struct Ca {
    pub(crate) der: CertificateDer<'static>,
    pub(crate) pem: String,
    issuer: Issuer<'static, KeyPair>,
}

/// A server certificate and its private key.
pub(crate) struct Leaf {
    pub(crate) der: CertificateDer<'static>,
    key: Vec<u8>,
    /// The DER SubjectPublicKeyInfo, as the key generator wrote it.
    pub(crate) spki: Vec<u8>,
}

impl Leaf {
    pub(crate) fn key(&self) -> PrivateKeyDer<'static> {
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.key.clone()))
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
    apply(&mut params, Validity::Current);
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
    apply(&mut params, validity);
    params
}

impl Ca {
    /// A self-signed root.
    pub(crate) fn root(common_name: &str) -> Ca {
        let key = KeyPair::generate().expect("key");
        let params = ca_params(common_name);
        let cert = params.self_signed(&key).expect("self-sign CA");
        Ca {
            der: cert.der().clone(),
            pem: cert.pem(),
            issuer: Issuer::new(params, key),
        }
    }

    /// An intermediate CA signed by this one.
    pub(crate) fn intermediate(&self, common_name: &str) -> Ca {
        let key = KeyPair::generate().expect("key");
        let params = ca_params(common_name);
        let cert = params.signed_by(&key, &self.issuer).expect("sign CA");
        Ca {
            der: cert.der().clone(),
            pem: cert.pem(),
            issuer: Issuer::new(params, key),
        }
    }

    /// A currently valid server certificate for `names` (DNS names or IP addresses).
    pub(crate) fn leaf(&self, names: &[&str]) -> Leaf {
        self.leaf_with(names, Validity::Current)
    }

    pub(crate) fn leaf_with(&self, names: &[&str], validity: Validity) -> Leaf {
        let key = KeyPair::generate().expect("key");
        let cert = leaf_params(names, validity)
            .signed_by(&key, &self.issuer)
            .expect("sign leaf");
        Leaf {
            der: cert.der().clone(),
            key: key.serialize_der(),
            spki: key.subject_public_key_info(),
        }
    }
}

/// A server certificate signed by its own key.
pub(crate) fn self_signed(names: &[&str]) -> Leaf {
    let key = KeyPair::generate().expect("key");
    let cert = leaf_params(names, Validity::Current)
        .self_signed(&key)
        .expect("self-sign leaf");
    Leaf {
        der: cert.der().clone(),
        key: key.serialize_der(),
        spki: key.subject_public_key_info(),
    }
}
