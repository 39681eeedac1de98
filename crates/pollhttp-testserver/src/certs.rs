//! Certificates made at run time with rcgen (feature `certs`): roots, intermediates and
//! server leaves with a chosen validity period, ECDSA P-256 keys (P-384 for CAs on
//! request); client certificates with RSA, ECDSA or Ed25519 keys; revocation lists; OCSP
//! responses (by the `openssl` command, a responder independent of pollhttp).
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

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use rcgen::{
    date_time_ymd, BasicConstraints, CertificateParams, CertificateRevocationListParams, DnType,
    ExtendedKeyUsagePurpose, IsCa, Issuer, KeyIdMethod, KeyPair, KeyUsagePurpose, PublicKeyData,
    RevocationReason, RevokedCertParams, SerialNumber,
};
use rustls_pki_types::{
    CertificateDer, CertificateRevocationListDer, PrivateKeyDer, PrivatePkcs8KeyDer,
};

/// A fixed RSA-2048 key (PKCS#8): ring, rcgen's backend here, cannot generate RSA keys.
/// Test material only.
const RSA_KEY_PEM: &str = "-----BEGIN PRIVATE KEY-----\n\
MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDV+kMO4ClGWES7\n\
o0HJPeXWqXymelgWWhj/AccNJX4BIh6syBVk/KqKki5jLDeOfysiJ8eE/CNBDV+N\n\
Jb49sdFCFYikeUPiN5yPHGqtSI5VhihMe1LrwN9K2QtmVMV6Am8/+l573Prver4O\n\
ewyeAwh5iEjRIWT/Xon9iHW+c32yaCctTjvKRUyLfyULNJRPFnB+3OakByMm4euh\n\
dvZ/KrFYe+VnzKTBY7Bq2SxxkS84o1yOMKJKKEGCKkjMjwNJDx4ImFLGkJtAXCxj\n\
/kqZ5YjBtr2cqnYTn9fyO4LrZvsfounXVa4sSoOnj9i+shaGEv3XM6UgFhx15vLM\n\
1ovFvi1XAgMBAAECggEAALWpoRx//UdkB2JTqtCHFA0JXlfdXjyOTu3FBxeHPRs/\n\
8KKXp8gpJqCnHFyB1iI4nvOPnEbl5DC7c/FamdEyzm8Py6hDMNFQPP+u1lvOKXTQ\n\
1krVClSImeHQBMlpjUvm0rTjdc0erYBgGcVMbx+3gPppwKvMLjzxGpRT/A6F1h0t\n\
H3w99xzP56l0m8TQx8fz3LcuxwFiq2v9YsAbFm2ZQ7Z/Zui5YG5bOuxH5VokUw6P\n\
H8TTYMmHIA+zSg4z030ajII6Upc/2ci8G+5hvl02GsTzHuByTiOvPkrKL2AyWVyf\n\
P1l1TqjM9KX3mJoMIxqL57vbZ9hZQiY0y+sHYdx8LQKBgQD7/dfncj7TXNYx3H7H\n\
u1cA8c3C3OlsxyepqQLDik0zu6KKR1TFF6hioPPFWgNPbtnYib3NR3fqemphC8kn\n\
+nHXwKeWbMQRmgA96bd2aKIqMrvflG5gD6yBUAh700HKo5AHNqQNVJUtYIMypOzV\n\
Y5kMjy2gpTp7JIGjO4/aRoiYMwKBgQDZYZ5XlXGLr8z9hOB8PpLxKo+4thfdaJc9\n\
yDPLDBwvyRULPBeyKdBI11Xqk9YqwGiP/6wYcyl0D9vydJffk5I5/3xTXMB0t/0F\n\
p0tVn4I8dEJR4m7Ucx2xmtBseY0yXlnkvO/2sDc7VvrBQ/FUPIuJu5xHeSHuqBqE\n\
pFvR9KgCTQKBgBDu+fc/oiEp9+rZ2lspp6sUlLMnjTgWGgA4r0rcnFuBnGaWbIfi\n\
ExqtnjQA3IAV/uWiO/LzfodvOn7S/+2D0uqgs6JUJMjaBHIkpoN6fItBZYacvt4N\n\
r5Xw/uDzTVSEsUUK0vNiX7Pw7GAW3SNp0fsaFALbl5Z22Y9SjVQpsTwpAoGBALtF\n\
MM8NLKuFQRjqvyXqFlbzLquXG8ofT6Pm9E+pWCMGnT13gIZ5JTmLYTXcNHXSGoJr\n\
ZUwO8hhNjVM7hJcUn7WdVvLOBfLHio+zRuA1sVH5aiT26DnYDi2yTHoW4UASLmkz\n\
J5sixgI19YJH0QCbxC5c1M5yGXxrj6TTn1Kp7Y9FAoGAI4ivPqSJNhcGm2X4jfo1\n\
U16uamc6In7tjmRUSJ2m7YDG2JZodbgcTy2NULKrZiBUYzYyqTjlT4BAa5PCz13I\n\
0UysOZQI3KN4XG1uw7aKGoanr4Q5BhUGvBgcEdj/fqD5tO2P4c6ih9s6pw/JWkDy\n\
YmFbnaYFD5flJzLEwWgV5Ps=\n\
-----END PRIVATE KEY-----\n\
";

/// A serial number not used before in this process: eight significant bytes, top bit
/// clear.
fn next_serial() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(0x0100_0000_0000_0001);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

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
    /// The certificate's serial number, for a revocation list of its issuer.
    pub serial: u64,
    key_pem: String,
    issuer: Issuer<'static, KeyPair>,
}

/// A server or client certificate with its private key.
pub struct Leaf {
    /// The certificate, DER.
    pub der: CertificateDer<'static>,
    /// The certificate, PEM.
    pub pem: String,
    /// The certificate's serial number, for a revocation list of its issuer.
    pub serial: u64,
    key: Vec<u8>,
    key_pem: String,
    /// The DER SubjectPublicKeyInfo, as the key generator wrote it.
    pub spki: Vec<u8>,
}

impl Leaf {
    /// The private key (PKCS#8), as a TLS server takes it.
    pub fn key(&self) -> PrivateKeyDer<'static> {
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.key.clone()))
    }

    /// The private key as a PEM `PRIVATE KEY` block (PKCS#8).
    pub fn key_pem(&self) -> &str {
        &self.key_pem
    }

    fn new(cert: &rcgen::Certificate, key: &KeyPair, serial: u64) -> Leaf {
        Leaf {
            der: cert.der().clone(),
            pem: cert.pem(),
            serial,
            key: key.serialize_der(),
            key_pem: key.serialize_pem(),
            spki: key.subject_public_key_info(),
        }
    }
}

/// The key type of a client certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyKind {
    /// RSA 2048 (always the same key: ring cannot make RSA keys), signing with SHA-256.
    Rsa,
    /// ECDSA on P-256.
    EcdsaP256,
    /// ECDSA on P-384.
    EcdsaP384,
    /// Ed25519.
    Ed25519,
}

impl KeyKind {
    fn key(self) -> KeyPair {
        match self {
            KeyKind::Rsa => KeyPair::from_pem_and_sign_algo(RSA_KEY_PEM, &rcgen::PKCS_RSA_SHA256),
            KeyKind::EcdsaP256 => KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256),
            KeyKind::EcdsaP384 => KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384),
            KeyKind::Ed25519 => ed25519_v1(),
        }
        .expect("client key")
    }
}

/// An Ed25519 key in PKCS#8 version 1 (RFC 8410's form, without the public key), which
/// OpenSSL 3.0 (and so curl) reads; ring writes version 2, which it does not.
fn ed25519_v1() -> Result<KeyPair, rcgen::Error> {
    // Version 2 as ring writes it: this prefix, the 32-byte seed, then the public key.
    const V2_PREFIX: [u8; 16] = [
        0x30, 0x51, 0x02, 0x01, 0x01, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04,
        0x20,
    ];
    // Version 1: the same with an outer length of 46 and version 0, then the seed alone.
    const V1_PREFIX: [u8; 16] = [
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04,
        0x20,
    ];
    let v2 = KeyPair::generate_for(&rcgen::PKCS_ED25519)?.serialize_der();
    assert_eq!(v2[..16], V2_PREFIX, "ring's Ed25519 PKCS#8 layout");
    let mut v1 = V1_PREFIX.to_vec();
    v1.extend_from_slice(&v2[16..48]);
    KeyPair::from_pkcs8_der_and_sign_algo(&PrivatePkcs8KeyDer::from(v1), &rcgen::PKCS_ED25519)
}

/// A certificate revocation list, signed by a [`Ca`].
pub struct Crl {
    /// The list, DER.
    pub der: CertificateRevocationListDer<'static>,
    /// The list, PEM (`X509 CRL`).
    pub pem: String,
}

fn ca_params(common_name: &str, serial: u64) -> CertificateParams {
    let mut params = CertificateParams::new(Vec::new()).expect("CA params");
    params.serial_number = Some(SerialNumber::from(serial));
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

fn leaf_params(names: &[&str], validity: Validity, serial: u64) -> CertificateParams {
    let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    let mut params = CertificateParams::new(names.clone()).expect("leaf params");
    params.serial_number = Some(SerialNumber::from(serial));
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
        let serial = next_serial();
        let params = ca_params(common_name, serial);
        let cert = params.self_signed(&key).expect("self-sign CA");
        Ca {
            der: cert.der().clone(),
            pem: cert.pem(),
            serial,
            key_pem: key.serialize_pem(),
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
        let serial = next_serial();
        let params = ca_params(common_name, serial);
        let cert = params.signed_by(&key, &self.issuer).expect("sign CA");
        Ca {
            der: cert.der().clone(),
            pem: cert.pem(),
            serial,
            key_pem: key.serialize_pem(),
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
        let serial = next_serial();
        let cert = leaf_params(names, validity, serial)
            .signed_by(&key, &self.issuer)
            .expect("sign leaf");
        Leaf::new(&cert, &key, serial)
    }

    /// A client certificate for `name` (TLS client authentication) signed by this CA,
    /// with a key of `kind`.
    pub fn client(&self, name: &str, kind: KeyKind) -> Leaf {
        let key = kind.key();
        let serial = next_serial();
        let mut params = leaf_params(&[name], Validity::Current, serial);
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        let cert = params.signed_by(&key, &self.issuer).expect("sign client");
        Leaf::new(&cert, &key, serial)
    }

    /// The CA's private key as a PEM `PRIVATE KEY` block (PKCS#8), for tools that sign
    /// in its name (`openssl ocsp -rkey`).
    pub fn key_pem(&self) -> &str {
        &self.key_pem
    }

    /// A certificate of this CA for an OCSP responder that answers in its name
    /// (extended key usage OCSPSigning; RFC 6960 4.2.2.2).
    pub fn ocsp_responder(&self, name: &str) -> Leaf {
        let key = KeyPair::generate().expect("responder key");
        let serial = next_serial();
        let mut params = leaf_params(&[name], Validity::Current, serial);
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::OcspSigning];
        let cert = params
            .signed_by(&key, &self.issuer)
            .expect("sign responder");
        Leaf::new(&cert, &key, serial)
    }

    /// A revocation list of this CA naming the certificates with these serial numbers,
    /// current from 2000 to 2099.
    pub fn crl(&self, revoked: &[u64]) -> Crl {
        self.crl_with(revoked, Validity::Current)
    }

    /// A revocation list of this CA naming `revoked`, issued and next due as `validity`
    /// says (`Expired`: next update due in 2001).
    pub fn crl_with(&self, revoked: &[u64], validity: Validity) -> Crl {
        let mut dates = CertificateParams::default();
        set_validity(&mut dates, validity);
        let params = CertificateRevocationListParams {
            this_update: dates.not_before,
            next_update: dates.not_after,
            crl_number: SerialNumber::from(next_serial()),
            issuing_distribution_point: None,
            revoked_certs: revoked
                .iter()
                .map(|&serial| RevokedCertParams {
                    serial_number: SerialNumber::from(serial),
                    revocation_time: dates.not_before,
                    reason_code: Some(RevocationReason::KeyCompromise),
                    invalidity_date: None,
                })
                .collect(),
            key_identifier_method: KeyIdMethod::Sha256,
        };
        let crl = params.signed_by(&self.issuer).expect("sign CRL");
        Crl {
            der: crl.der().clone(),
            pem: crl.pem().expect("CRL PEM"),
        }
    }
}

/// A server certificate signed by its own key.
pub fn self_signed(names: &[&str]) -> Leaf {
    let key = KeyPair::generate().expect("leaf key");
    let serial = next_serial();
    let cert = leaf_params(names, Validity::Current, serial)
        .self_signed(&key)
        .expect("self-sign leaf");
    Leaf::new(&cert, &key, serial)
}

/// A directory for openssl's files, removed when dropped.
struct Workdir(PathBuf);

impl Workdir {
    fn new() -> Workdir {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("pollhttp-ocsp-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("work directory");
        Workdir(dir)
    }

    fn write(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, contents).expect("write");
        path
    }
}

impl Drop for Workdir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn openssl(words: &[&str]) {
    let out = Command::new("openssl")
        .args(words)
        .output()
        .expect("openssl (apt-get install openssl)");
    assert!(
        out.status.success(),
        "openssl {words:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// What the OCSP responder's database says of a certificate.
#[derive(Clone, Copy, Debug)]
pub enum OcspEntry {
    /// Valid: the answer is "good".
    Valid,
    /// Revoked on 2020-01-01 for key compromise.
    Revoked,
    /// Not in the database: openssl answers "unknown".
    Absent,
}

/// Who signs an OCSP response.
pub enum OcspSigner<'a> {
    /// The issuer's own key.
    Issuer,
    /// A certificate the issuer made for the responder (included in the response).
    Delegated(&'a Leaf),
    /// Anyone else's key and certificate.
    Stranger(&'a Ca),
}

/// An OCSP response (DER) from `openssl ocsp` about `subject`, issued by `issuer`,
/// whose database holds `entry` for it, valid from now for a day.
///
/// # Panics
/// When the `openssl` command is missing or fails.
pub fn ocsp_response(
    issuer: &Ca,
    subject: &Leaf,
    entry: OcspEntry,
    signer: OcspSigner<'_>,
) -> Vec<u8> {
    let dir = Workdir::new();
    let issuer_pem = dir.write("issuer.pem", &issuer.pem);
    let issuer_key = dir.write("issuer.key", issuer.key_pem());
    let subject_pem = dir.write("subject.pem", &subject.pem);
    let serial = format!("{:016X}", subject.serial);
    let line = match entry {
        OcspEntry::Valid => format!("V\t491231235959Z\t\t{serial}\tunknown\t/CN=localhost\n"),
        OcspEntry::Revoked => format!(
            "R\t491231235959Z\t200101000000Z,keyCompromise\t{serial}\tunknown\t/CN=localhost\n"
        ),
        OcspEntry::Absent => String::new(),
    };
    let index = dir.write("index.txt", &line);
    let (signer_pem, signer_key) = match signer {
        OcspSigner::Issuer => (issuer_pem.clone(), issuer_key.clone()),
        OcspSigner::Delegated(responder) => (
            dir.write("responder.pem", &responder.pem),
            dir.write("responder.key", responder.key_pem()),
        ),
        OcspSigner::Stranger(ca) => (
            dir.write("stranger.pem", &ca.pem),
            dir.write("stranger.key", ca.key_pem()),
        ),
    };
    let request = dir.0.join("request.der");
    let response = dir.0.join("response.der");
    let s = |p: &Path| p.to_str().expect("UTF-8 path").to_owned();
    let (issuer_s, subject_s, request_s) = (s(&issuer_pem), s(&subject_pem), s(&request));
    openssl(&[
        "ocsp",
        "-issuer",
        &issuer_s,
        "-cert",
        &subject_s,
        "-no_nonce",
        "-reqout",
        &request_s,
    ]);
    let (index_s, signer_s, key_s, response_s) =
        (s(&index), s(&signer_pem), s(&signer_key), s(&response));
    openssl(&[
        "ocsp",
        "-index",
        &index_s,
        "-CA",
        &issuer_s,
        "-rsigner",
        &signer_s,
        "-rkey",
        &key_s,
        "-reqin",
        &request_s,
        "-respout",
        &response_s,
        "-ndays",
        "1",
    ]);
    std::fs::read(&response).expect("OCSP response")
}
