//! HTTP Basic credentials (RFC 7617), as `Authorization` and `Proxy-Authorization` carry
//! them.

/// The value of an `Authorization` (or `Proxy-Authorization`) header for `user` and
/// `password`: `Basic ` and the base64 of `user:password`. The bytes are taken as they
/// are (RFC 7617 recommends UTF-8); a `user` with `:` cannot be told apart from the
/// password by the server.
///
/// ```
/// assert_eq!(
///     pollhttp::basic_authorization(b"Aladdin", b"open sesame"),
///     "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
/// );
/// ```
pub fn basic_authorization(user: &[u8], password: &[u8]) -> String {
    let pair = [user, b":", password].concat();
    format!("Basic {}", encode_base64(&pair))
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
