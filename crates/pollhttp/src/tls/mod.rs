//! TLS for the client: rustls (TLS 1.2 and 1.3, ring crypto) over any non-blocking
//! [`StreamPeer`](crate::StreamPeer), never blocking.
//!
//! - [`TlsOptions`] says what to trust (Godot's `TLSOptions.client()` /
//!   `client_unsafe()`), which versions to offer, which public keys to pin, which
//!   revocation lists ([`RevocationLists`]) to check, whether a stapled OCSP response is
//!   required, and which client certificate ([`Certificates`] and [`PrivateKey`]) to
//!   present.
//! - [`TlsHandshake`] runs the handshake step by step from the caller's `poll()`.
//! - [`TlsStream`] is the encrypted stream afterwards, itself a `StreamPeer`.
//!
//! Failures come as [`TlsError`], whose [`TlsErrorKind`] tells which check failed
//! (expired, wrong name, unknown issuer, pin mismatch, revoked, no common version, not
//! TLS at all, client certificate refused, ...).
//!
//! ```no_run
//! use std::net::TcpStream;
//! use pollhttp::tls::{TlsHandshake, TlsOptions};
//! use pollhttp::StreamPeer;
//!
//! let tcp = TcpStream::connect("example.com:443")?;
//! tcp.set_nonblocking(true)?;
//! let mut hs = TlsHandshake::start(Box::new(tcp), &TlsOptions::default(), "example.com")?;
//! while !hs.poll()? {
//!     hs.wait(None)?; // or do other work and poll again later
//! }
//! let mut tls = hs.into_stream();
//! tls.write(b"GET / HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n")?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # How a [`TlsStream`] ends
//!
//! [`StreamPeer::read`](crate::StreamPeer::read) on a `TlsStream` returns:
//! - `Ok(n)`: decrypted bytes;
//! - `Err` of kind `WouldBlock`: nothing decrypted is available yet;
//! - `Ok(0)` after the peer's **close_notify** alert (a clean TLS close);
//! - `Ok(0)` also when the TCP stream ends **without close_notify, on a record boundary**.
//!   Many servers close that way, and curl treats it as the end of the stream, so a
//!   read-until-close HTTP body ends there too. Such an end cannot be told apart from
//!   an attacker cutting the connection at that point, so
//!   [`TlsStream::peer_closed_cleanly`] reports which of the two ends happened
//!   (`Some(true)` for close_notify, `Some(false)` for a bare close); a body framed by
//!   `Content-Length` or chunked encoding detects truncation by itself;
//! - `Err` of kind `UnexpectedEof` carrying a [`TlsError`] of kind
//!   [`TlsErrorKind::Closed`] when the TCP stream ends **in the middle of a record**:
//!   that is a broken stream, never a normal end;
//! - `Err` of kind `InvalidData` carrying a [`TlsError`] for a TLS failure (bad record,
//!   an alert from the peer, ...). Bytes decrypted before the failure are returned
//!   first.
//!
//! Once ended, further reads return the same `Ok(0)`. Get the [`TlsError`] out of an
//! `io::Error` with `err.get_ref().and_then(|e| e.downcast_ref::<TlsError>())`. A
//! socket error met after some bytes were decrypted is returned by the next read.
//!
//! # Writing
//!
//! `write` encrypts into records and pushes them to the socket at once; what the socket
//! does not take stays queued (up to 64 KiB, after which `write` takes nothing and
//! returns `WouldBlock`). `flush` pushes the queue and returns `WouldBlock` while some is
//! left. `wait` wakes up for queued records too, and every `read` or `write` sends them.
//!
//! # Dependencies
//!
//! The bundled roots are Mozilla's set from `webpki-roots`; [`TlsOptions::with_os_roots`]
//! reads the operating system's store with `rustls-native-certs` instead, and checks
//! it with the same verifier, so pins, error kinds and the unsafe modes behave the same
//! either way. Revocation lists are checked by rustls's own webpki verifier; stapled
//! OCSP responses are parsed with `x509-ocsp` (RustCrypto's formats) and their
//! signatures checked with the crypto provider's webpki algorithms.

mod certificates;
mod client_auth;
mod config;
mod error;
mod ocsp;
mod options;
mod pins;
mod provider;
mod revocation;
mod stream;
mod transport;
mod verifier;

#[cfg(feature = "fuzzing")]
pub(crate) use transport::{RecordTracker, PREVIEW_LEN};

#[cfg(test)]
mod tests;

// Godot's names are search aliases. rustdoc indexes the aliases of an item shown through
// a re-export from the re-export, so they sit on these lines.
#[doc(alias = "X509Certificate")]
pub use certificates::Certificates;
pub use client_auth::PrivateKey;
pub use error::{TlsError, TlsErrorKind};
#[doc(alias = "TLSOptions")]
pub use options::TlsOptions;
pub use options::TlsVersion;
pub use revocation::RevocationLists;
#[doc(alias = "StreamPeerTLS")]
pub use stream::TlsHandshake;
#[doc(alias = "StreamPeerTLS")]
pub use stream::TlsStream;

/// The rustls this crate is built with, to name its types ([`CryptoProvider`],
/// [`ClientConfig`]) at the version [`TlsOptions`] takes them.
///
/// [`CryptoProvider`]: rustls::crypto::CryptoProvider
/// [`ClientConfig`]: rustls::ClientConfig
pub use rustls;

/// Reads a file of TLS material and parses it with `parse`; either failure is
/// [`TlsErrorKind::InvalidConfig`] naming the file (a read failure keeps the OS error).
pub(crate) fn read_file<T>(
    path: &std::path::Path,
    parse: impl FnOnce(&[u8]) -> Result<T, TlsError>,
) -> Result<T, TlsError> {
    let bytes = std::fs::read(path).map_err(|e| {
        TlsError::new(
            TlsErrorKind::InvalidConfig,
            format!("cannot read {}: {e}", path.display()),
        )
        .with_io(e)
    })?;
    parse(&bytes).map_err(|e| {
        TlsError::new(
            TlsErrorKind::InvalidConfig,
            format!("{}: {}", path.display(), e.detail()),
        )
    })
}
