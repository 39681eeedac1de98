//! How the client sets up TLS (placeholder until TLS lands).

/// TLS settings for [`HttpClient::connect_to_host`](crate::HttpClient::connect_to_host),
/// as Godot's `TLSOptions`.
#[derive(Clone, Debug, Default)]
pub struct TlsOptions {
    _private: (),
}

impl TlsOptions {
    /// Full verification against the default roots.
    pub fn client() -> TlsOptions {
        TlsOptions::default()
    }
}
