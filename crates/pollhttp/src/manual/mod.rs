//! The manual: how to use pollhttp, chapter by chapter.
//!
//! These modules hold documentation only. Read them in order for a tour, or jump to the
//! one you need:
//!
//! 1. [The poll loop](poll_loop): statuses, sending a request, reading the response,
//!    reusing the connection, protocol switches, bringing your own stream.
//! 2. [Whole requests](http_request): [`HttpRequest`](crate::HttpRequest), Godot's
//!    `HTTPRequest` node: URLs, redirects, decoding, downloads, progress.
//! 3. [Many connections](many_connections): one thread driving many clients with
//!    [`Poller`](crate::Poller).
//! 4. [Blocking mode](blocking): the same calls as straight-line code.
//! 5. [Timeouts and limits](timeouts_and_limits): every deadline and bound, and what a
//!    broken reply looks like.
//! 6. [TLS](tls): options, roots, pins, versions and failures.
//! 7. [Proxies](proxies): HTTP proxies, `CONNECT` tunnels, the environment.
//! 8. [Outcomes](outcomes): how to know that an exchange ended well, and why one failed.
//! 9. [From Godot](godot): every name of Godot's `HTTPClient` and where it went, and what
//!    pollhttp does differently.
//! 10. [Architecture](architecture): the sans-IO core and the driver around it.
//! 11. [In the browser](web): the same API on `wasm32` over `fetch`, and what the
//!     browser does differently.

#[doc = include_str!("poll_loop.md")]
pub mod poll_loop {}

#[doc = include_str!("http_request.md")]
pub mod http_request {}

#[doc = include_str!("many_connections.md")]
pub mod many_connections {}

#[doc = include_str!("blocking.md")]
pub mod blocking {}

#[doc = include_str!("timeouts_and_limits.md")]
pub mod timeouts_and_limits {}

#[doc = include_str!("tls.md")]
pub mod tls {}

#[doc = include_str!("proxies.md")]
pub mod proxies {}

#[doc = include_str!("outcomes.md")]
pub mod outcomes {}

#[doc = include_str!("godot.md")]
pub mod godot {}

#[doc = include_str!("architecture.md")]
pub mod architecture {}

#[doc = include_str!("web.md")]
pub mod web {}
