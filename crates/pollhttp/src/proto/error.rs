//! Protocol errors (placeholder; the protocol core defines the full set).

/// Why the peer's bytes (or the caller's request) are not valid HTTP/1.1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProtoError {
    /// Placeholder.
    Invalid,
}

impl std::fmt::Display for ProtoError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("invalid")
    }
}

impl std::error::Error for ProtoError {}
