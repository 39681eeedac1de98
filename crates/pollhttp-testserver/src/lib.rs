//! Loopback HTTP/1.1 servers for pollhttp's tests and its command-line demo.
//!
//! Two servers live here, both on plain `std::net` sockets and threads, bound only to
//! `127.0.0.1` (or `::1` when asked):
//!
//! - [`ScriptedServer`] plays a fixed list of [`Step`]s on each accepted connection and
//!   records the requests it read. Tests use it to put exact bytes on the wire (bad framing,
//!   pacing, resets) and to check exactly what a client sent.
//! - [`DemoServer`] is a small keep-alive web server with fixed routes (`/hello`, `/chunked`,
//!   `/echo`, `/bytes/N`, ...) for end-to-end runs of a real client, with a `/cors/` copy
//!   of each route for pages of another origin and a `/site/` folder for the page itself
//!   (the browser tests; the `pollhttp-web-testserver` program runs one).
//!
//! Every blocking wait in both servers is bounded, so a failing test ends instead of hanging.
//!
//! [`BlackHole`] is the opposite of a server: a loopback address that never answers a
//! connection attempt, for tests of what a client does with a dead address.
//!
//! With the `certs` feature, the `certs` module makes certificate authorities and server
//! certificates at run time for TLS tests. The `fanout` feature adds what runs with
//! thousands of connections use: `loop_server` (one thread on mio), `fleet` (pollhttp
//! clients on one `Poller`) and `process` (descriptor limit, memory, CPU time), on Unix and
//! Windows alike.
//!
//! ```
//! use pollhttp_testserver::{response, ScriptedServer, Step};
//! use std::io::{Read, Write};
//!
//! let server = ScriptedServer::start(vec![vec![
//!     Step::ReadHead,
//!     Step::Send(response(200, &[], b"hi")),
//!     Step::Close,
//! ]]);
//! let mut s = std::net::TcpStream::connect(server.addr()).unwrap();
//! s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
//! let mut got = Vec::new();
//! s.read_to_end(&mut got).unwrap();
//! assert!(got.ends_with(b"\r\n\r\nhi"));
//! assert_eq!(server.finish(), vec![b"GET / HTTP/1.1\r\nHost: x\r\n\r\n".to_vec()]);
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod black_hole;
#[cfg(feature = "certs")]
pub mod certs;
mod demo;
#[cfg(feature = "fanout")]
pub mod fleet;
#[cfg(feature = "fanout")]
pub mod loop_server;
mod pattern;
#[cfg(feature = "fanout")]
pub mod process;
mod reader;
mod scripted;
mod step;
mod wine;
mod wire;

pub use black_hole::{syn_sent_to, BlackHole};
pub use demo::{
    gzip::gzipped_demo_page, page::demo_page, page::fnv1a64, DemoServer, HELLO_BODY, SLOW_BODY,
};
pub use pattern::{fill_pattern, pattern_byte};
pub use scripted::ScriptedServer;
pub use step::Step;
pub use wine::under_wine;
pub use wire::{chunked_response, reason_phrase, response, IO_TIMEOUT};

/// Every error along `e`'s source chain, starting with its source: what the error tests
/// walk to find the cause behind a failure.
pub fn error_chain<'a>(
    e: &'a (dyn std::error::Error + 'static),
) -> Vec<&'a (dyn std::error::Error + 'static)> {
    let mut out = Vec::new();
    let mut next = e.source();
    while let Some(cause) = next {
        out.push(cause);
        next = cause.source();
    }
    out
}
