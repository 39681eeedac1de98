//! The server-certificate check: chain and name as asked for, then public-key pins.
//!
//! Built from rustls's public webpki pieces rather than by wrapping
//! `WebPkiServerVerifier`, so that the unsafe modes can skip exactly the name check (or the
//! whole chain check) while pins still apply, and so that an untrusted self-signed leaf
//! can be told apart from a missing intermediate. With revocation lists the chain check
//! is `WebPkiServerVerifier`'s (rustls keeps revocation checking inside it), its name
//! check left aside so that the modes stay as they are.

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{verify_server_cert_signed_by_trust_anchor, verify_server_name};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, WebPkiSupportedAlgorithms};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::server::ParsedCertificate;
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};

use super::certificates::spki_pin;
use super::error::{TlsError, TlsErrorKind};
use super::ocsp::{check_staple, StaplePolicy};
use super::pins::{format_pin, Pin};
use super::revocation::RevocationCheck;

/// How much of the certificate is checked before the pins.
#[derive(Debug)]
pub(crate) enum Check {
    /// Chain up to one of the roots, and the name.
    Full(Arc<RootCertStore>),
    /// Chain up to one of the roots; any name.
    ChainOnly(Arc<RootCertStore>),
    /// Nothing (pins still apply).
    Nothing,
}

#[derive(Debug)]
pub(crate) struct Verifier {
    check: Check,
    pins: Vec<Pin>,
    algorithms: WebPkiSupportedAlgorithms,
    /// With revocation lists, the chain check is rustls's webpki verifier with them.
    revocation: Option<RevocationCheck>,
    /// What is done with a stapled OCSP response, once the chain is verified.
    staple: StaplePolicy,
}

impl Verifier {
    pub(crate) fn new(
        check: Check,
        pins: Vec<Pin>,
        algorithms: WebPkiSupportedAlgorithms,
        revocation: Option<RevocationCheck>,
        staple: StaplePolicy,
    ) -> Self {
        Verifier {
            check,
            pins,
            algorithms,
            revocation,
            staple,
        }
    }

    /// With no chain check and no pins the handshake signature proves nothing about who
    /// the peer is, so it is not checked either: anything the peer sends is accepted (as
    /// Godot's unsafe client without a chain). With pins, it proves the peer holds the
    /// pinned key.
    fn checks_signatures(&self) -> bool {
        !matches!(self.check, Check::Nothing) || !self.pins.is_empty()
    }

    fn verify_chain(
        &self,
        roots: &RootCertStore,
        cert: &ParsedCertificate<'_>,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        now: UnixTime,
    ) -> Result<(), rustls::Error> {
        let result = match &self.revocation {
            Some(revocation) => revocation.verify(end_entity, intermediates, server_name, now),
            None => verify_server_cert_signed_by_trust_anchor(
                cert,
                roots,
                intermediates,
                now,
                self.algorithms.all,
            ),
        };
        match result {
            Err(rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer))
                if self.is_self_signed(cert, end_entity, now) =>
            {
                Err(TlsError::new(
                    TlsErrorKind::SelfSigned,
                    "the server's certificate is signed by its own key and is not among the trusted certificates",
                )
                .into_rustls())
            }
            other => other,
        }
    }

    /// True when the certificate chains to itself, i.e. it is self-issued and its
    /// signature verifies with its own key. Only asked after an unknown-issuer failure.
    fn is_self_signed(
        &self,
        cert: &ParsedCertificate<'_>,
        end_entity: &CertificateDer<'_>,
        now: UnixTime,
    ) -> bool {
        let mut itself = RootCertStore::empty();
        if itself.add(end_entity.clone()).is_err() {
            return false;
        }
        verify_server_cert_signed_by_trust_anchor(cert, &itself, &[], now, self.algorithms.all)
            .is_ok()
    }

    fn verify_pins(&self, end_entity: &CertificateDer<'_>) -> Result<(), rustls::Error> {
        if self.pins.is_empty() {
            return Ok(());
        }
        let pin = spki_pin(end_entity).map_err(TlsError::into_rustls)?;
        if self.pins.contains(&pin) {
            return Ok(());
        }
        Err(TlsError::new(
            TlsErrorKind::PinMismatch,
            format!("the server's public key is {}", format_pin(&pin)),
        )
        .into_rustls())
    }
}

impl ServerCertVerifier for Verifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let roots = match &self.check {
            Check::Full(roots) => {
                let cert = ParsedCertificate::try_from(end_entity)?;
                self.verify_chain(roots, &cert, end_entity, intermediates, server_name, now)?;
                verify_server_name(&cert, server_name)?;
                Some(roots)
            }
            Check::ChainOnly(roots) => {
                let cert = ParsedCertificate::try_from(end_entity)?;
                self.verify_chain(roots, &cert, end_entity, intermediates, server_name, now)?;
                Some(roots)
            }
            Check::Nothing => None,
        };
        // A staple says something only about a certificate whose issuer is known.
        if let Some(roots) = roots {
            check_staple(
                ocsp_response,
                end_entity,
                intermediates,
                roots,
                now,
                self.algorithms.all,
                self.staple,
            )
            .map_err(|e| e.of_staple().into_rustls())?;
        }
        self.verify_pins(end_entity)?;
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        if !self.checks_signatures() {
            return Ok(HandshakeSignatureValid::assertion());
        }
        verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        if !self.checks_signatures() {
            return Ok(HandshakeSignatureValid::assertion());
        }
        verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}
