//! Public-key pins in curl's `CURLOPT_PINNEDPUBLICKEY` syntax: `sha256//BASE64[;sha256//BASE64...]`,
//! each the SHA-256 of a certificate's DER SubjectPublicKeyInfo.

use ring::digest;

use super::error::{TlsError, TlsErrorKind};
use crate::basic_auth::encode_base64;

/// A SHA-256 digest of a DER SubjectPublicKeyInfo.
pub(crate) type Pin = [u8; 32];

const PREFIX: &str = "sha256//";

/// Parses `sha256//BASE64` entries separated by `;` (spaces around entries allowed).
pub(crate) fn parse_pins(text: &str) -> Result<Vec<Pin>, TlsError> {
    let invalid = |why: String| TlsError::new(TlsErrorKind::InvalidConfig, why);
    let mut pins = Vec::new();
    for entry in text.split(';').map(str::trim) {
        if entry.is_empty() {
            continue;
        }
        let b64 = entry.strip_prefix(PREFIX).ok_or_else(|| {
            invalid(format!(
                "pin {entry:?} does not start with \"{PREFIX}\" (only SHA-256 pins are supported)"
            ))
        })?;
        let bytes = decode_base64(b64)
            .ok_or_else(|| invalid(format!("pin {entry:?} is not valid base64")))?;
        let pin: Pin = bytes.try_into().map_err(|b: Vec<u8>| {
            invalid(format!(
                "pin {entry:?} decodes to {} bytes, a SHA-256 digest has 32",
                b.len()
            ))
        })?;
        pins.push(pin);
    }
    if pins.is_empty() {
        return Err(invalid("no pins given".into()));
    }
    Ok(pins)
}

/// The pin of a DER SubjectPublicKeyInfo.
pub(crate) fn pin_of_spki(spki: &[u8]) -> Pin {
    let mut pin = [0u8; 32];
    pin.copy_from_slice(digest::digest(&digest::SHA256, spki).as_ref());
    pin
}

/// The pin of a public key given as a DER SubjectPublicKeyInfo or in PEM (`PUBLIC KEY`),
/// as curl reads a `--pinnedpubkey` file.
pub(crate) fn public_key_pin(key: &[u8]) -> Result<Pin, TlsError> {
    use rustls::pki_types::pem::{self, PemObject};
    use rustls::pki_types::SubjectPublicKeyInfoDer;
    let invalid = |why: String| TlsError::new(TlsErrorKind::InvalidConfig, why);
    if is_der_sequence(key) {
        return Ok(pin_of_spki(key));
    }
    match SubjectPublicKeyInfoDer::from_pem_slice(key) {
        Ok(spki) if is_der_sequence(spki.as_ref()) => Ok(pin_of_spki(spki.as_ref())),
        Ok(_) => Err(invalid(
            "the PEM PUBLIC KEY block does not hold a DER structure".into(),
        )),
        Err(pem::Error::NoItemsFound) => Err(invalid(
            "not a public key: expected a DER SubjectPublicKeyInfo or a PEM PUBLIC KEY block"
                .into(),
        )),
        Err(e) => Err(invalid(format!("unreadable PEM public key: {e}"))),
    }
}

/// Whether `der` is one DER SEQUENCE that spans all of it (as a SubjectPublicKeyInfo is).
fn is_der_sequence(der: &[u8]) -> bool {
    let (Some(&0x30), Some(&first)) = (der.first(), der.get(1)) else {
        return false;
    };
    let (header, len) = if first < 0x80 {
        (2, usize::from(first))
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || der.len() < 2 + n {
            return false;
        }
        let len = der[2..2 + n]
            .iter()
            .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
        (2 + n, len)
    };
    header.checked_add(len) == Some(der.len())
}

/// Formats a pin in curl's syntax, as found in error messages.
pub(crate) fn format_pin(pin: &Pin) -> String {
    format!("{PREFIX}{}", encode_base64(pin))
}

/// Standard-alphabet base64; padding optional, but no data after it.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let data = text.trim_end_matches('=');
    if text.len() - data.len() > 2 || data.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(data.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in data.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips() {
        for len in 0..40 {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
            let text = encode_base64(&bytes);
            assert_eq!(decode_base64(&text).as_deref(), Some(&bytes[..]), "{text}");
        }
        assert_eq!(encode_base64(b"foobar"), "Zm9vYmFy");
        assert_eq!(encode_base64(b"fo"), "Zm8=");
        assert_eq!(decode_base64("Zm8").as_deref(), Some(&b"fo"[..]));
        assert_eq!(decode_base64("Zm8==="), None);
        assert_eq!(decode_base64("Z"), None);
        assert_eq!(decode_base64("Zm-v"), None);
    }

    #[test]
    fn parses_curl_syntax() {
        let a = format_pin(&[1; 32]);
        let b = format_pin(&[2; 32]);
        let pins = parse_pins(&format!("{a}; {b} ;")).unwrap();
        assert_eq!(pins, vec![[1; 32], [2; 32]]);
    }

    #[test]
    fn public_keys_in_der_and_pem() {
        // A P-256 SubjectPublicKeyInfo, as `openssl pkey -pubout -outform DER` writes it.
        let mut der = vec![0x30, 0x59, 0x30, 0x13, 0x06, 0x07];
        der.extend_from_slice(&[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01]);
        der.extend_from_slice(&[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07]);
        der.extend_from_slice(&[0x03, 0x42, 0x00, 0x04]);
        der.extend((0..64u8).map(|i| i.wrapping_mul(7)));
        assert_eq!(der.len(), 0x5b);
        let want = pin_of_spki(&der);
        assert_eq!(public_key_pin(&der).unwrap(), want);
        let b64 = encode_base64(&der);
        let lines: Vec<&str> = b64
            .as_bytes()
            .chunks(64)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect();
        let pem = format!(
            "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
            lines.join("\n")
        );
        assert_eq!(public_key_pin(pem.as_bytes()).unwrap(), want);
        let crlf = pem.replace('\n', "\r\n");
        assert_eq!(public_key_pin(crlf.as_bytes()).unwrap(), want);
        // Long-form lengths are read too.
        let mut long = vec![0x30, 0x81, 0x80];
        long.extend([0u8; 0x80]);
        assert_eq!(public_key_pin(&long).unwrap(), pin_of_spki(&long));

        let cert = pem.replace("PUBLIC KEY", "CERTIFICATE");
        for bad in [
            &b""[..],
            b"junk",
            cert.as_bytes(),
            &der[..der.len() - 1],
            &[0x30, 0x80],
            b"-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----\n",
        ] {
            let err = public_key_pin(bad).unwrap_err();
            assert_eq!(err.kind(), TlsErrorKind::InvalidConfig, "{bad:?}");
        }
    }

    #[test]
    fn rejects_bad_pins() {
        for bad in [
            "",
            ";",
            "sha1//AAAA",
            "sha256//not base64!",
            "sha256//AAAA",
            "/path/to/key.pem",
        ] {
            let err = parse_pins(bad).unwrap_err();
            assert_eq!(err.kind(), TlsErrorKind::InvalidConfig, "{bad:?}");
        }
    }

    #[test]
    fn pins_hash_the_spki() {
        // SHA-256 of the empty input, a known vector.
        assert_eq!(
            format_pin(&pin_of_spki(b"")),
            "sha256//47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
        );
    }
}
