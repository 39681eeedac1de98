//! Certificates made at test time with rcgen: roots, intermediates and server leaves
//! with a chosen validity period.

use pollhttp::Certificates;
use rcgen::{
    date_time_ymd, BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// When a certificate is valid; fixed dates so that the machine's clock does not matter
/// within this century.
#[derive(Clone, Copy, Debug)]
pub enum Validity {
    Current,
    Expired,
}

fn set_validity(params: &mut CertificateParams, validity: Validity) {
    let (from, to) = match validity {
        Validity::Current => ((2000, 1, 1), (2099, 12, 31)),
        Validity::Expired => ((2000, 1, 1), (2001, 1, 1)),
    };
    params.not_before = date_time_ymd(from.0, from.1, from.2);
    params.not_after = date_time_ymd(to.0, to.1, to.2);
}

/// A certificate authority (root or intermediate) that signs others.
pub struct Ca {
    pub der: CertificateDer<'static>,
    pub pem: String,
    issuer: Issuer<'static, KeyPair>,
}

/// A server certificate with its private key.
pub struct Leaf {
    pub der: CertificateDer<'static>,
    key: Vec<u8>,
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

impl Ca {
    /// A self-signed root (ECDSA P-256).
    pub fn root(common_name: &str) -> Ca {
        let key = KeyPair::generate().expect("CA key");
        let params = ca_params(common_name);
        let cert = params.self_signed(&key).expect("self-sign CA");
        Ca {
            der: cert.der().clone(),
            pem: cert.pem(),
            issuer: Issuer::new(params, key),
        }
    }

    /// An intermediate CA signed by this one.
    pub fn intermediate(&self, common_name: &str) -> Ca {
        let key = KeyPair::generate().expect("intermediate key");
        let params = ca_params(common_name);
        let cert = params.signed_by(&key, &self.issuer).expect("sign CA");
        Ca {
            der: cert.der().clone(),
            pem: cert.pem(),
            issuer: Issuer::new(params, key),
        }
    }

    /// A server certificate for `names` (DNS names or IP addresses) signed by this CA.
    pub fn leaf(&self, names: &[&str], validity: Validity) -> Leaf {
        let key = KeyPair::generate().expect("leaf key");
        let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        let mut params = CertificateParams::new(names.clone()).expect("leaf params");
        params.distinguished_name.push(
            DnType::CommonName,
            names.first().cloned().unwrap_or_default(),
        );
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        set_validity(&mut params, validity);
        let cert = params.signed_by(&key, &self.issuer).expect("sign leaf");
        Leaf {
            der: cert.der().clone(),
            key: key.serialize_der(),
        }
    }

    /// This CA as the client's trusted chain, parsed from its PEM as a caller would.
    pub fn trusted(&self) -> Certificates {
        Certificates::from_pem(self.pem.as_bytes()).expect("CA PEM")
    }
}

impl Leaf {
    pub fn key(&self) -> PrivateKeyDer<'static> {
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.key.clone()))
    }

    /// The public-key pin of this certificate, in curl's `sha256//BASE64` syntax.
    pub fn pin(&self) -> String {
        let pins = Certificates::from_der(vec![self.der.to_vec()])
            .public_key_pins()
            .expect("pin of the leaf");
        pins.into_iter().next().expect("one pin")
    }
}
