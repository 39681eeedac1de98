//! # pollhttp
//!
//! A non-blocking HTTP/1.1 client driven by `poll()` from the caller's own loop, with the
//! API of Godot's `HTTPClient`.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod client;
mod connector;
mod error;
mod host;
mod method;
pub mod net;
#[cfg(unix)]
mod poller;
pub mod proto;
mod proxy;
mod proxy_env;
mod query_string;
mod recv_buf;
mod response;
mod response_code;
mod status;
mod stream_peer;
pub mod tls;
mod tunnel;

pub use client::{HttpClient, DEFAULT_READ_CHUNK_SIZE, USER_AGENT};
pub use error::{Error, GodotError, Reason};
pub use method::Method;
#[cfg(unix)]
pub use poller::{Poller, Token};
pub use proxy::{ProxyConfig, DEFAULT_PROXY_PORT};
pub use proxy_env::no_proxy_matches;
pub use query_string::{query_string_from_dict, QueryValue};
pub use response::{Headers, Response};
pub use response_code::ResponseCode;
pub use status::Status;
pub use stream_peer::{Interest, StreamPeer};
pub use tls::{Certificates, TlsError, TlsErrorKind, TlsOptions, TlsVersion};
