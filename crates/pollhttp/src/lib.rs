//! # pollhttp
//!
//! A non-blocking HTTP/1.1 client driven by `poll()` from the caller's own loop, with the
//! API of Godot's `HTTPClient`.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod client;
mod conn;
mod error;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
mod net;
#[cfg(unix)]
mod poller;
mod proxy;
pub mod tls;

/// The sans-IO protocol core, re-exported: see the [`pollhttp_proto`] crate.
pub use pollhttp_proto as proto;

pub use client::{query_string_from_dict, Headers, QueryValue, Response, ResponseCode, Status};
pub use client::{HttpClient, DEFAULT_READ_CHUNK_SIZE, USER_AGENT};
pub use conn::{Interest, StreamPeer};
pub use error::{Error, GodotError, Reason};
#[cfg(unix)]
pub use poller::{Poller, Token};
pub use proto::{Limits, Method};
pub use proto::{TimeoutPhase, Timeouts};
pub use proxy::{no_proxy_matches, ProxyConfig, DEFAULT_PROXY_PORT};
pub use tls::{Certificates, TlsError, TlsErrorKind, TlsOptions, TlsVersion};
