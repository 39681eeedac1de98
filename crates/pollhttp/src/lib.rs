//! A non-blocking HTTP/1.1 client for programs that have their own loop (a game frame, an
//! event loop, a command-line tool, an embedded main loop), with the API of the Godot
//! engine's low-level `HTTPClient`.
//!
//! You call [`poll`](HttpClient::poll); the client moves through Godot's [`Status`] machine
//! (RESOLVING, CONNECTING, CONNECTED, REQUESTING, BODY and back). There is no async
//! runtime and no thread doing the work behind your back (only name resolution runs on a
//! resolver thread), and no call blocks unless you turn [blocking mode](manual::blocking)
//! on.
//!
//! - HTTP/1.1 over TCP or TLS 1.2/1.3 (rustls with ring), with certificate pinning,
//!   through HTTP proxies and HTTPS proxy tunnels.
//! - Everything a server controls is bounded ([`Limits`]) and every phase has a deadline
//!   ([`Timeouts`]): a broken or silent server ends in a failure status with a reason,
//!   never a hang or a panic.
//! - One thread drives thousands of connections with [`Poller`]; a keep-alive request
//!   costs a write, a wait and a read, and allocates nothing when the body is read with
//!   [`read_response_body_into`](HttpClient::read_response_body_into).
//! - Bodies in gzip, deflate, Brotli or zstd (stacked too) decode as they arrive, into a
//!   buffer of yours and with bounded memory, through [`decode::ContentDecoder`].
//! - The protocol is a sans-IO core, [`proto`] (the `pollhttp-proto` crate, `no_std`),
//!   that other drivers can reuse. No `unsafe` code.
//! - In the browser (`wasm32-unknown-unknown`, a page or a worker) the same
//!   `HttpClient` and `HttpRequest` run over `fetch`, as Godot's web export does: see
//!   [In the browser](manual::web).
//!
//! Not included: HTTP/2, cookies, more than one request in flight per connection, SOCKS,
//! and TLS to the proxy itself.
//!
//! # Quick start
//!
//! Godot's tutorial loop, in Rust. [`wait`](HttpClient::wait) sleeps until the client has
//! something to do; a game would run its frame there instead.
//!
//! ```no_run
//! use pollhttp::{HttpClient, Method, Status};
//! use std::time::Duration;
//!
//! let frame = Some(Duration::from_millis(16));
//! let mut http = HttpClient::new();
//! http.connect_to_host("example.com", None, None)?; // "https://example.com" for TLS
//! while matches!(http.status(), Status::Resolving | Status::Connecting) {
//!     http.poll()?;
//!     http.wait(frame)?;
//! }
//!
//! http.request(Method::Get, "/", &["Accept: text/html"], "")?;
//! while http.status() == Status::Requesting {
//!     http.poll()?;
//!     http.wait(frame)?;
//! }
//! println!("{} {:?}", http.response_code(), http.response_headers());
//!
//! let mut body = Vec::new();
//! while http.status() == Status::Body {
//!     let chunk = http.read_response_body_chunk();
//!     if chunk.is_empty() {
//!         http.wait(frame)?;
//!     }
//!     body.extend_from_slice(&chunk);
//! }
//! if http.is_response_complete() {
//!     println!("{} bytes", body.len());
//! } else {
//!     println!("failed: {}", http.status());
//! }
//! # Ok::<(), pollhttp::Error>(())
//! ```
//!
//! # Did it end well?
//!
//! [`HttpClient::is_response_complete`] is the question to ask: it is true once the
//! response arrived whole. The status alone does not say it: a response on a connection
//! that cannot be reused (`Connection: close`, HTTP/1.0, a `HEAD` or `204` from a server
//! that closes, a body that runs until the server closes) ends in DISCONNECTED, complete
//! all the same, while a response cut short ends in CONNECTION_ERROR, and
//! [`last_error`](HttpClient::last_error) says why. See [outcomes](manual::outcomes).
//!
//! # The manual
//!
//! 1. [The poll loop](manual::poll_loop): statuses, requests, responses, reuse, protocol
//!    switches, your own stream.
//! 2. [Many connections](manual::many_connections) from one thread with [`Poller`].
//! 3. [Blocking mode](manual::blocking).
//! 4. [Timeouts and limits](manual::timeouts_and_limits).
//! 5. [TLS](manual::tls): options, roots, pins, versions.
//! 6. [Proxies](manual::proxies): HTTP, HTTPS tunnels, environment variables.
//! 7. [Outcomes](manual::outcomes): ended well or failed, and why.
//! 8. [From Godot](manual::godot): the Godot → pollhttp table, and the differences.
//! 9. [Architecture](manual::architecture): the sans-IO core and the driver.
//! 10. [In the browser](manual::web): wasm32 over `fetch`, and what differs there.
//!
//! # The API at a glance
//!
//! | for | items |
//! | --- | --- |
//! | the client | [`HttpClient`], [`Status`], [`Method`], [`RequestMethod`], [`Response`], [`Headers`], [`ResponseCode`] |
//! | errors | [`Error`], [`GodotError`], [`Reason`] |
//! | settings | [`Timeouts`], [`TimeoutPhase`], [`Limits`], [`TlsOptions`], [`ProxyConfig`] |
//! | name resolution | [`Resolver`], [`ResolveHandle`], [`ResolveAnswer`], [`SystemResolver`], [`StaticResolver`] |
//! | connect diagnostics | [`HttpClient::connect_attempts`], [`ConnectAttempt`], [`AttemptOutcome`] |
//! | TLS | [`tls`]: [`TlsOptions`], [`Certificates`], [`RevocationLists`], [`PrivateKey`], [`TlsVersion`], [`TlsError`], [`tls::TlsStream`] |
//! | many clients | [`Poller`], [`Token`] |
//! | your own stream or event loop | [`StreamPeer`], [`Interest`], [`HttpClient::raw_fd`], [`HttpClient::next_deadline`] |
//! | Godot helpers | [`query_string_from_dict`], [`QueryValue`] |
//! | content decoding | [`decode`]: [`ContentDecoder`](decode::ContentDecoder), [`Coding`](decode::Coding), [`DecodeError`](decode::DecodeError) |
//! | the protocol core | [`proto`] |
//!
//! The cargo feature `fuzzing` exposes the fuzz targets' entry points, for
//! `crates/pollhttp/fuzz` and the tests; it is not part of the API.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod basic_auth;
#[cfg(not(target_arch = "wasm32"))]
mod client;
mod clock;
#[cfg(not(target_arch = "wasm32"))]
mod conn;
pub mod decode;
mod error;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
mod http_request;
pub mod manual;
mod net;
#[cfg(not(target_arch = "wasm32"))]
mod poller;
mod proxy;
mod query_string;
mod read_chunk_size;
mod response_code;
mod response_view;
mod status;
#[cfg(not(target_arch = "wasm32"))]
pub mod tls;
#[cfg(target_arch = "wasm32")]
mod web;

/// The sans-IO protocol core, re-exported: see the [`pollhttp_proto`] crate.
pub use pollhttp_proto as proto;

// Godot's names are search aliases. rustdoc indexes the aliases of an item shown through
// a re-export from the re-export, so they sit on these lines.
pub use basic_auth::basic_authorization;
#[cfg(not(target_arch = "wasm32"))]
#[doc(alias = "HTTPClient")]
pub use client::HttpClient;
#[cfg(not(target_arch = "wasm32"))]
pub use client::USER_AGENT;
pub use clock::{Clock, Instant, ManualClock, SystemClock};
#[cfg(not(target_arch = "wasm32"))]
pub use conn::Interest;
#[cfg(not(target_arch = "wasm32"))]
#[doc(alias = "StreamPeerTCP")]
pub use conn::StreamPeer;
#[doc(alias = "Error")]
pub use error::GodotError;
pub use error::{Endpoint, Error, Fault, Reason, SharedIoError};
#[cfg(not(target_arch = "wasm32"))]
pub use http_request::fetch;
#[doc(alias = "HTTPRequest")]
pub use http_request::HttpRequest;
pub use http_request::{
    Completion, HttpRequestResult, Progress, ResponseHead, DEFAULT_DOWNLOAD_CHUNK_SIZE,
    DEFAULT_MAX_REDIRECTS,
};
#[cfg(not(target_arch = "wasm32"))]
pub use net::{AttemptOutcome, ConnectAttempt};
#[cfg(not(target_arch = "wasm32"))]
pub use net::{ResolveAnswer, ResolveHandle, Resolver, StaticResolver, SystemResolver};
#[cfg(not(target_arch = "wasm32"))]
pub use poller::{Poller, Token};
pub use proto::{Limits, Method, RequestMethod};
pub use proto::{TimeoutPhase, Timeouts};
pub use proxy::{no_proxy_matches, ProxyConfig, DEFAULT_PROXY_PORT};
pub use query_string::{query_string_from_dict, QueryField, QueryValue};
pub use read_chunk_size::DEFAULT_READ_CHUNK_SIZE;
pub use response_code::ResponseCode;
pub use response_view::{Headers, Response};
pub use status::Status;
#[cfg(not(target_arch = "wasm32"))]
pub use tls::{
    Certificates, PrivateKey, RevocationLists, TlsError, TlsErrorKind, TlsOptions, TlsVersion,
};
#[cfg(target_arch = "wasm32")]
#[doc(alias = "HTTPClient")]
pub use web::HttpClient;
#[cfg(target_arch = "wasm32")]
pub use web::TlsOptions;

/// Every ```` ```rust ```` block of README.md, compiled and run as a doc test.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;
