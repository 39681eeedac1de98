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
    format!("Basic {}", crate::tls::encode_base64(&pair))
}
