//! TLS settings in the browser: there are none for a page to make.

/// TLS for an `https://` connection in the browser, which verifies the server itself
/// against its own roots.
///
/// A page can choose neither roots, nor pins, nor versions, nor a client certificate, so
/// this type has no settings: [`TlsOptions::client`] is the only value, and it means
/// "HTTPS". On other targets `TlsOptions` is the full rustls-backed type, whose
/// customisations do not exist here, so code that uses them does not build for wasm32
/// rather than silently losing them.
///
/// ```
/// use pollhttp::{HttpClient, TlsOptions};
/// let mut http = HttpClient::new();
/// http.connect_to_host("example.com", None, Some(TlsOptions::client()))?;
/// # Ok::<(), pollhttp::Error>(())
/// ```
#[doc(alias = "TLSOptions")]
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TlsOptions {
    _private: (),
}

impl TlsOptions {
    /// HTTPS with the browser's own verification (Godot's `TLSOptions.client()` with no
    /// arguments).
    pub fn client() -> TlsOptions {
        TlsOptions::default()
    }
}
