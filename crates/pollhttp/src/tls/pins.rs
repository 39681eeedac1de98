//! Public-key pins in curl's `CURLOPT_PINNEDPUBLICKEY` syntax: `sha256//BASE64[;sha256//BASE64...]`,
//! each the SHA-256 of a certificate's DER SubjectPublicKeyInfo.

use ring::digest;

use super::error::{TlsError, TlsErrorKind};

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

/// Formats a pin in curl's syntax, as found in error messages.
pub(crate) fn format_pin(pin: &Pin) -> String {
    format!("{PREFIX}{}", encode_base64(pin))
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard-alphabet base64 with padding (RFC 4648 section 4).
pub(crate) fn encode_base64(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
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
