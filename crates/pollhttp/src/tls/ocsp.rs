//! Stapled OCSP responses (RFC 6960): what a server sends about its own certificate in
//! the handshake, which rustls hands to the verifier unchecked.
//!
//! The response is parsed with `x509-ocsp` (RustCrypto's formats). Its signature is
//! checked with the crypto provider's webpki algorithms, against the key of the server
//! certificate's issuer, found by rebuilding the verified chain with webpki, or of a
//! responder certificate that the issuer signed for OCSP signing (checked by webpki as a
//! chain of one). Then the response must be about the server's certificate, current,
//! and say "good".

use std::time::Duration;

use const_oid::db::{rfc5280, rfc5912, rfc6960};
use const_oid::ObjectIdentifier;
use der::asn1::{AnyRef, BitStringRef, ObjectIdentifier as Oid};
use der::{Decode, Encode, Sequence, Tag};
use ring::digest;
use rustls::pki_types::{CertificateDer, SignatureVerificationAlgorithm, TrustAnchor, UnixTime};
use rustls::RootCertStore;
use webpki::{EndEntityCert, KeyUsage};
use x509_ocsp::{BasicOcspResponse, CertStatus, OcspResponse, OcspResponseStatus, SingleResponse};

use super::error::{TlsError, TlsErrorKind};

/// How much a response's times may be off the local clock.
const CLOCK_SKEW: Duration = Duration::from_secs(5 * 60);

/// How long a response without `nextUpdate` counts as current after its `thisUpdate`.
const MAX_AGE_WITHOUT_NEXT_UPDATE: Duration = Duration::from_secs(7 * 24 * 60 * 60);

/// What is done with staples.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct StaplePolicy {
    /// A handshake without a staple fails.
    pub(crate) required: bool,
    /// Staples are not looked at.
    pub(crate) ignored: bool,
    /// An "unknown" answer passes.
    pub(crate) allow_unknown: bool,
}

/// A signed structure as it came: the signed bytes are taken as they are, not
/// re-encoded (BasicOCSPResponse and Certificate share this shape; RFC 6960 4.2.1).
#[derive(Sequence)]
struct Signed<'a> {
    tbs: AnyRef<'a>,
    algorithm: AnyRef<'a>,
    signature: BitStringRef<'a>,
    #[asn1(context_specific = "0", optional = "true", tag_mode = "EXPLICIT")]
    certs: Option<Vec<AnyRef<'a>>>,
}

/// A SubjectPublicKeyInfo as it came (RFC 5280 4.1).
#[derive(Sequence)]
struct PublicKeyInfo<'a> {
    algorithm: AnyRef<'a>,
    key: BitStringRef<'a>,
}

/// The certificate that issued the server's.
struct Issuer {
    /// Its subject Name, DER with the SEQUENCE header.
    name: Vec<u8>,
    /// Its SubjectPublicKeyInfo, DER with the SEQUENCE header.
    spki: Vec<u8>,
    /// Itself as a trust anchor, to check a delegated responder's certificate with.
    anchor: TrustAnchor<'static>,
}

fn bad(detail: impl Into<String>) -> TlsError {
    TlsError::new(TlsErrorKind::BadOcspResponse, detail)
}

/// Checks the staple `response` (empty: none) for `end_entity`, whose chain to `roots`
/// was already verified.
pub(crate) fn check_staple(
    response: &[u8],
    end_entity: &CertificateDer<'_>,
    intermediates: &[CertificateDer<'_>],
    roots: &RootCertStore,
    now: UnixTime,
    algorithms: &[&dyn SignatureVerificationAlgorithm],
    policy: StaplePolicy,
) -> Result<(), TlsError> {
    if policy.ignored {
        return Ok(());
    }
    if response.is_empty() {
        if policy.required {
            return Err(TlsError::new(
                TlsErrorKind::StapleMissing,
                "the server stapled no OCSP response to its certificate, and one is required \
                 (require_ocsp_staple)",
            ));
        }
        return Ok(());
    }
    let issuer = issuer_of(end_entity, intermediates, roots, now, algorithms)?;
    let basic_der = basic_response(response)?;
    let basic = BasicOcspResponse::from_der(basic_der)
        .map_err(|e| bad(format!("the stapled OCSP response does not parse: {e}")))?;
    let signed = Signed::from_der(basic_der)
        .map_err(|e| bad(format!("the stapled OCSP response does not parse: {e}")))?;
    check_signature(&signed, &issuer, now, algorithms)?;
    let single = find_single(&basic, end_entity, &issuer)?;
    check_times(single, now)?;
    match &single.cert_status {
        CertStatus::Good(_) => Ok(()),
        CertStatus::Revoked(info) => {
            let when = info.revocation_time.0.to_date_time();
            let why = info
                .revocation_reason
                .map(|r| format!(", reason {r:?}"))
                .unwrap_or_default();
            Err(TlsError::new(
                TlsErrorKind::Revoked,
                format!(
                    "the OCSP response stapled by the server says its certificate was revoked \
                     on {when}{why}"
                ),
            ))
        }
        CertStatus::Unknown(_) if policy.allow_unknown => Ok(()),
        CertStatus::Unknown(_) => Err(TlsError::new(
            TlsErrorKind::RevocationUnknown,
            "the OCSP response stapled by the server says the responder does not know its \
             certificate; allow_unknown_revocation_status accepts that",
        )),
    }
}

/// The BasicOCSPResponse inside an OCSPResponse.
fn basic_response(response: &[u8]) -> Result<&[u8], TlsError> {
    #[derive(Sequence)]
    struct Outer<'a> {
        status: der::asn1::AnyRef<'a>,
        #[asn1(context_specific = "0", optional = "true", tag_mode = "EXPLICIT")]
        bytes: Option<ResponseBytes<'a>>,
    }
    #[derive(Sequence)]
    struct ResponseBytes<'a> {
        response_type: Oid,
        response: der::asn1::OctetStringRef<'a>,
    }
    // The typed parse first, for the status and its name.
    let typed = OcspResponse::from_der(response)
        .map_err(|e| bad(format!("the stapled OCSP response does not parse: {e}")))?;
    if typed.response_status != OcspResponseStatus::Successful {
        return Err(bad(format!(
            "the stapled OCSP response has status {:?}",
            typed.response_status
        )));
    }
    let outer = Outer::from_der(response)
        .map_err(|e| bad(format!("the stapled OCSP response does not parse: {e}")))?;
    match outer.bytes {
        Some(bytes) if bytes.response_type == rfc6960::ID_PKIX_OCSP_BASIC => {
            Ok(bytes.response.as_bytes())
        }
        Some(bytes) => Err(bad(format!(
            "the stapled OCSP response is of type {}, not id-pkix-ocsp-basic",
            bytes.response_type
        ))),
        None => Err(bad("the stapled OCSP response carries no response")),
    }
}

/// The issuer of `end_entity` on its verified chain: the first intermediate, or the
/// trust anchor.
fn issuer_of(
    end_entity: &CertificateDer<'_>,
    intermediates: &[CertificateDer<'_>],
    roots: &RootCertStore,
    now: UnixTime,
    algorithms: &[&dyn SignatureVerificationAlgorithm],
) -> Result<Issuer, TlsError> {
    let cert = EndEntityCert::try_from(end_entity)
        .map_err(|e| bad(format!("the server's certificate does not parse: {e}")))?;
    let path = cert
        .verify_for_usage(
            algorithms,
            &roots.roots,
            intermediates,
            now,
            KeyUsage::server_auth(),
            None,
            None,
        )
        .map_err(|e| {
            bad(format!(
                "cannot find the issuer of the server's certificate: {e}"
            ))
        })?;
    let wrap = |contents: &[u8]| {
        AnyRef::new(Tag::Sequence, contents)
            .and_then(|any| any.to_der())
            .map_err(|e| bad(format!("cannot encode the issuer: {e}")))
    };
    match path.intermediate_certificates().next() {
        Some(issuer) => {
            let der = issuer.der();
            let anchor = webpki::anchor_from_trusted_cert(&der)
                .map_err(|e| bad(format!("the issuer's certificate does not parse: {e}")))?
                .to_owned();
            Ok(Issuer {
                name: wrap(issuer.subject())?,
                spki: issuer.subject_public_key_info().as_ref().to_vec(),
                anchor,
            })
        }
        None => {
            let anchor = path.anchor();
            Ok(Issuer {
                name: wrap(anchor.subject.as_ref())?,
                spki: wrap(anchor.subject_public_key_info.as_ref())?,
                anchor: anchor.to_owned(),
            })
        }
    }
}

/// The response is signed by the issuer itself, or by a responder certificate in it
/// that the issuer signed for OCSP signing and that is valid now.
fn check_signature(
    signed: &Signed<'_>,
    issuer: &Issuer,
    now: UnixTime,
    algorithms: &[&dyn SignatureVerificationAlgorithm],
) -> Result<(), TlsError> {
    let tbs = signed
        .tbs
        .to_der()
        .map_err(|e| bad(format!("cannot encode the signed part: {e}")))?;
    if verify(signed, &tbs, &issuer.spki, algorithms) {
        return Ok(());
    }
    static OCSP_SIGNING: ObjectIdentifier = rfc5280::ID_KP_OCSP_SIGNING;
    let anchors = [issuer.anchor.clone()];
    for responder in signed.certs.iter().flatten() {
        let Ok(der) = responder.to_der() else {
            continue;
        };
        let der = CertificateDer::from(der);
        let Ok(cert) = EndEntityCert::try_from(&der) else {
            continue;
        };
        let authorized = cert.verify_for_usage(
            algorithms,
            &anchors,
            &[],
            now,
            KeyUsage::required(OCSP_SIGNING.as_bytes()),
            None,
            None,
        );
        if authorized.is_ok() && verify(signed, &tbs, &cert.subject_public_key_info(), algorithms) {
            return Ok(());
        }
    }
    Err(bad(
        "the stapled OCSP response is signed neither by the issuer of the server's \
         certificate nor by a responder the issuer authorized",
    ))
}

/// True when `signed`'s signature over `tbs` verifies with the key `spki`.
fn verify(
    signed: &Signed<'_>,
    tbs: &[u8],
    spki: &[u8],
    algorithms: &[&dyn SignatureVerificationAlgorithm],
) -> bool {
    let Ok(key) = PublicKeyInfo::from_der(spki) else {
        return false;
    };
    let (Some(key_bits), Some(signature)) = (key.key.as_bytes(), signed.signature.as_bytes())
    else {
        return false;
    };
    algorithms
        .iter()
        .filter(|alg| {
            alg.public_key_alg_id().as_ref() == key.algorithm.value()
                && alg.signature_alg_id().as_ref() == signed.algorithm.value()
        })
        .any(|alg| alg.verify_signature(key_bits, tbs, signature).is_ok())
}

/// The answer about `end_entity`: same serial number, issuer name and key hashes.
fn find_single<'r>(
    basic: &'r BasicOcspResponse,
    end_entity: &CertificateDer<'_>,
    issuer: &Issuer,
) -> Result<&'r SingleResponse, TlsError> {
    let cert = x509_cert::Certificate::from_der(end_entity.as_ref())
        .map_err(|e| bad(format!("the server's certificate does not parse: {e}")))?;
    let serial = &cert.tbs_certificate.serial_number;
    let key = PublicKeyInfo::from_der(&issuer.spki)
        .ok()
        .and_then(|k| k.key.as_bytes().map(<[u8]>::to_vec))
        .ok_or_else(|| bad("the issuer's public key does not parse"))?;
    basic
        .tbs_response_data
        .responses
        .iter()
        .find(|single| {
            let id = &single.cert_id;
            let Some(hash) = hash_of(&id.hash_algorithm.oid) else {
                return false;
            };
            &id.serial_number == serial
                && id.issuer_name_hash.as_bytes() == digest::digest(hash, &issuer.name).as_ref()
                && id.issuer_key_hash.as_bytes() == digest::digest(hash, &key).as_ref()
        })
        .ok_or_else(|| bad("the stapled OCSP response is not about the server's certificate"))
}

fn hash_of(oid: &ObjectIdentifier) -> Option<&'static digest::Algorithm> {
    match *oid {
        rfc5912::ID_SHA_1 => Some(&digest::SHA1_FOR_LEGACY_USE_ONLY),
        rfc5912::ID_SHA_256 => Some(&digest::SHA256),
        rfc5912::ID_SHA_384 => Some(&digest::SHA384),
        rfc5912::ID_SHA_512 => Some(&digest::SHA512),
        _ => None,
    }
}

/// Current: `thisUpdate` not in the future, `nextUpdate` not past (without one, at most
/// [`MAX_AGE_WITHOUT_NEXT_UPDATE`] old), each with [`CLOCK_SKEW`] of slack.
fn check_times(single: &SingleResponse, now: UnixTime) -> Result<(), TlsError> {
    let now = Duration::from_secs(now.as_secs());
    let this_update = single.this_update.0.to_unix_duration();
    if this_update > now + CLOCK_SKEW {
        return Err(bad(format!(
            "the stapled OCSP response is not valid before {}",
            single.this_update.0.to_date_time()
        )));
    }
    let expires = match &single.next_update {
        Some(next) => next.0.to_unix_duration(),
        None => this_update + MAX_AGE_WITHOUT_NEXT_UPDATE,
    };
    if now > expires + CLOCK_SKEW {
        let what = if single.next_update.is_some() {
            "its nextUpdate"
        } else {
            "seven days after its thisUpdate (it has no nextUpdate)"
        };
        return Err(bad(format!(
            "the stapled OCSP response is out of date: {what} was {}",
            der::DateTime::from_unix_duration(expires)
                .map(|t| t.to_string())
                .unwrap_or_default()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::asn1::{GeneralizedTime, Null, OctetString};
    use x509_cert::serial_number::SerialNumber;
    use x509_cert::spki::AlgorithmIdentifierOwned;
    use x509_ocsp::{CertId, OcspGeneralizedTime};

    const DAY: u64 = 24 * 60 * 60;
    /// 2024-01-01.
    const T: u64 = 1_704_067_200;

    fn at(secs: u64) -> OcspGeneralizedTime {
        OcspGeneralizedTime(
            GeneralizedTime::from_unix_duration(Duration::from_secs(secs)).expect("time"),
        )
    }

    fn single(this_update: u64, next_update: Option<u64>) -> SingleResponse {
        SingleResponse {
            cert_id: CertId {
                hash_algorithm: AlgorithmIdentifierOwned {
                    oid: rfc5912::ID_SHA_1,
                    parameters: None,
                },
                issuer_name_hash: OctetString::new(vec![0; 20]).expect("hash"),
                issuer_key_hash: OctetString::new(vec![0; 20]).expect("hash"),
                serial_number: SerialNumber::new(&[1]).expect("serial"),
            },
            cert_status: CertStatus::Good(Null),
            this_update: at(this_update),
            next_update: next_update.map(at),
            single_extensions: None,
        }
    }

    fn now(secs: u64) -> UnixTime {
        UnixTime::since_unix_epoch(Duration::from_secs(secs))
    }

    #[test]
    fn responses_are_current_between_this_and_next_update_with_slack() {
        let r = single(T, Some(T + DAY));
        for ok in [T - 299, T, T + DAY, T + DAY + 299] {
            assert!(check_times(&r, now(ok)).is_ok(), "{ok}");
        }
        let early = check_times(&r, now(T - 301)).unwrap_err();
        assert!(
            early.detail().contains("not valid before 2024-01-01"),
            "{early}"
        );
        let late = check_times(&r, now(T + DAY + 301)).unwrap_err();
        assert_eq!(late.kind(), TlsErrorKind::BadOcspResponse);
        assert!(
            late.detail().contains("nextUpdate was 2024-01-02"),
            "{late}"
        );
    }

    #[test]
    fn without_next_update_a_response_lasts_seven_days() {
        let r = single(T, None);
        assert!(check_times(&r, now(T + 7 * DAY)).is_ok());
        let e = check_times(&r, now(T + 8 * DAY)).unwrap_err();
        assert!(e.detail().contains("no nextUpdate"), "{e}");
    }

    #[test]
    fn no_staple_passes_unless_required_and_ignored_staples_are_not_read() {
        let cert = CertificateDer::from(vec![1, 2, 3]);
        let roots = RootCertStore::empty();
        let algs = super::super::provider::ring()
            .signature_verification_algorithms
            .all;
        let check = |response: &[u8], policy| {
            check_staple(response, &cert, &[], &roots, now(T), algs, policy)
        };
        assert!(check(&[], StaplePolicy::default()).is_ok());
        let required = StaplePolicy {
            required: true,
            ..StaplePolicy::default()
        };
        assert_eq!(
            check(&[], required).unwrap_err().kind(),
            TlsErrorKind::StapleMissing
        );
        let ignored = StaplePolicy {
            ignored: true,
            ..StaplePolicy::default()
        };
        assert!(check(b"garbage", ignored).is_ok());
        assert_eq!(
            check(b"garbage", StaplePolicy::default())
                .unwrap_err()
                .kind(),
            TlsErrorKind::BadOcspResponse
        );
    }
}
