//! TLS for the client.

mod options;

pub use options::TlsOptions;
