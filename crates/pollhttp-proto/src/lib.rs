//! The sans-IO HTTP/1.1 client core under pollhttp: bytes in, events out, time passed in.
//!
//! No sockets, threads or clocks: everything here is a function of the bytes and the
//! instants it is given (any [`Time`]: `std::time::Instant` with the `std` feature, or a
//! [`Timestamp`] without std), so it is deterministic and tested without a network, and
//! every deadline can be tested by passing made-up instants. The crate is `no_std` (it
//! needs `alloc`) and depends on `httparse` alone; its `std` feature only lets `httparse`
//! choose its SIMD parser at run time and implements [`Time`] for `std::time::Instant`.
//!
//! A driver owns the socket, the receive buffer, TLS and the clock; it hands bytes and the
//! time to this crate and acts on what comes back. pollhttp's `HttpClient` is such a
//! driver (pollhttp re-exports this crate as `pollhttp::proto`); another event loop, an
//! engine's own sockets or an embedded TCP stack can drive the same [`Connection`].
//!
//! # In scope
//!
//! - A whole client connection as one state machine, [`Connection`]: the deadlines of
//!   each connect stage ([`ConnectStage`]) and the pace of the connect attempts (Happy
//!   Eyeballs, RFC 8305: a new address every [`Timeouts::attempt_delay`] while the earlier
//!   ones go on), the `CONNECT` tunnel through an HTTPS proxy
//!   ([`connect_request`], [`TunnelHandshake`]), requests through an HTTP proxy
//!   ([`ProxyForm`], [`Route`]), one request at a time with its response, the decision
//!   whether the connection may carry the next request, and every limit of [`Timeouts`]
//!   checked against the instants the driver passes in. What the driver must do is
//!   told by [`Connection::phase`] ([`Phase`]); failures are [`ConnError`] (the peer's
//!   doing, or an expired limit) and [`SendError`] (the caller's).
//! - Writing a request head, with Godot's automatic headers (`Host` first, as RFC 9110
//!   section 7.2 asks) and validation that stops header and request-line injection:
//!   [`write_request_head`], [`validate_method`], [`validate_target`],
//!   [`validate_headers`], [`host_header`], [`authority`]; the body as a [`RequestBody`]
//!   that is moved, not copied.
//! - Parsing response heads incrementally over an accumulating buffer, with `httparse`
//!   and linear cost however the bytes are split: [`HeadParser`], [`ResponseHead`].
//! - Deciding the body framing exactly as RFC 9112 section 6.3 says: [`decide_framing`].
//! - Decoding bodies (length, chunked with extensions and trailers, until close) in runs of
//!   a caller-chosen size, without copying the data: [`BodyDecoder`], [`ChunkedDecoder`].
//! - Reading the responses of one keep-alive connection: [`ResponseReader`].
//! - Bounding everything a server controls: [`Limits`]. Every protocol failure is a
//!   [`ProtoError`].
//! - Godot's request methods with Godot's numbers, [`Method`], and any other method token
//!   (`PROPFIND`, `PURGE`) as a [`RequestMethod`].
//!
//! # Out of scope
//!
//! Sockets, name resolution, TLS, reading the clock, Godot's `Status` machine and error
//! constants (pollhttp maps [`Phase`] to them), redirects, content decoding (gzip) and
//! cookies.
//!
//! # The connection
//!
//! ```text
//!            start_connect                     handle_connected
//!   Closed ────────────────▶ Connecting(stage) ─────────────────▶ Idle ◀──────────────┐
//!     ▲       stages: Resolving → Tcp → [Tunnel] → [Tls]            │                   │
//!     │                                                             │ send_request      │
//!     │                                                             ▼                   │
//!     │                                                          Sending                │
//!     │                                     transmit, handle_sent,  │ handle_flushed    │
//!     │                                                             ▼                   │ complete,
//!     │                                                        AwaitingHead             │ reusable
//!     │                                            handle_head:  │        │             │
//!     │                       101 to an Upgrade, 2xx to CONNECT  ▼        ▼ final head  │
//!     │                                                    Switched      Body ──────────┘
//!     │                                                          read_body, consume_direct
//!     │
//!     └── from any phase: an error, an expired limit, close(), or a complete response
//!         whose connection cannot carry another request
//! ```
//!
//! A response without a body goes from `AwaitingHead` straight to `Idle` (or `Closed`). A
//! response that ends the connection (`Connection: close`, HTTP/1.0, a body read until the
//! peer closes, a stray byte after the response) leaves the connection `Closed` with the
//! response complete: [`Connection::is_response_complete`] says whether the exchange ended
//! well, whatever became of the connection.
//!
//! A whole exchange, with the driver's part spelled out: the bytes "written" and
//! "received" are plain vectors here.
//!
//! ```
//! use core::time::Duration;
//! use pollhttp_proto::{
//!     Connection, HeadEvent, Limits, Method, Phase, RequestBody, Route,
//!     Timeouts, Timestamp,
//! };
//!
//! let mut now = Timestamp::ZERO; // the driver's clock, read once per step
//! let mut conn = Connection::new(Limits::default(), Timeouts::default());
//! conn.set_user_agent("demo/1.0");
//!
//! // Connecting: the driver resolves and connects, reporting each stage.
//! conn.start_connect(Route { host_header: "example.com".into(), ..Route::default() }, now);
//! conn.handle_attempt_started(0, false, now); // one address: the TCP stage begins
//! now = now + Duration::from_millis(20);
//! conn.handle_connected(now);
//! assert_eq!(conn.phase(), Phase::Idle);
//!
//! // Sending: write what `transmit` gives (head and body, one vectored write), report it.
//! conn.send_request(Method::Post, "/echo", &["Content-Type: text/plain"], "ping".into(), now)?;
//! let (head, body) = conn.transmit();
//! let wire = [head, body].concat();
//! assert!(wire.starts_with(b"POST /echo HTTP/1.1\r\nHost: example.com\r\nContent-Type"));
//! assert!(wire.ends_with(b"\r\n\r\nping"));
//! conn.handle_sent(wire.len(), now);
//! conn.handle_flushed(now);
//! assert_eq!(conn.phase(), Phase::AwaitingHead);
//! assert_eq!(conn.poll_timeout(), Some(now + Duration::from_secs(120))); // response_head
//!
//! // Receiving: bytes land in the driver's buffer; the connection says what they are.
//! let mut recv = b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\npong".to_vec();
//! now = now + Duration::from_millis(30);
//! conn.handle_received(now);
//! let HeadEvent::Complete { consumed } = conn.handle_head(&recv, now)? else {
//!     unreachable!("the head is whole")
//! };
//! recv.drain(..consumed);
//! assert_eq!((conn.response().head().code(), conn.phase()), (200, Phase::Body));
//! let decoded = conn.read_body(&recv, 64 * 1024)?;
//! assert_eq!(&recv[decoded.data.clone()], b"pong");
//! recv.drain(..decoded.consumed);
//!
//! // The response is whole and its framing allows keep-alive: ready for the next request,
//! // and no clock runs while the connection waits for it.
//! assert!(conn.is_response_complete());
//! assert_eq!((conn.phase(), conn.poll_timeout()), (Phase::Idle, None));
//! # Ok::<(), Box<dyn core::error::Error>>(())
//! ```
//!
//! # The response reader
//!
//! ```text
//!             start(method)
//!   Idle ─────────────────────▶ Head ◀─────┐  1xx interim head (not 101):
//!    ▲                           │   └─────┘  skipped, counted in `consumed`
//!    │                           │ final head: feed_head → Complete, framing decided
//!    │              ┌────────────┴──────────────┐
//!    │              ▼ BodyKind::None            ▼ Length / Chunked / UntilClose
//!    │            Done ◀──────────────────── Body ◀───┐  read_body / consume_direct
//!    │      (can_reuse if keep_alive)          │  └────┘
//!    │                                         │ on_eof: UntilClose ends here,
//!    │                                         │ anything else is truncated
//!    └── start(next method) ◀─ Done            ▼
//!                                   Failed(error): repeated until start()
//! ```
//!
//! A final head that is a 101, or a 2xx to `CONNECT`, ends in `Switched` instead of `Body`:
//! complete, never reusable, and the bytes after the head belong to the other protocol.
//! Any call may move to `Failed` when the bytes break HTTP/1.1 or a limit; `on_eof` while in
//! `Head` is `EmptyReply` (nothing received) or `TruncatedHead`.
//!
//! # Example: the response reader alone
//!
//! A request written, then a chunked response arriving in awkward pieces and read in runs of
//! at most 4 bytes, the way a driver of the reader does it:
//!
//! ```
//! use pollhttp_proto::{write_request_head, HeadEvent, Limits, Method, RequestHead, ResponseReader};
//!
//! let mut request = Vec::new();
//! write_request_head(&mut request, &RequestHead {
//!     method: "GET",
//!     target: "/data",
//!     host: "example.com",
//!     headers: &["Accept-Language: en"],
//!     body_len: 0,
//!     content_length_if_empty: false,
//!     user_agent: "pollhttp",
//! })?;
//! assert!(request.starts_with(b"GET /data HTTP/1.1\r\nHost: example.com\r\nAccept-Language: en\r\n"));
//!
//! let wire: [&[u8]; 4] = [
//!     b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Enc",
//!     b"oding: chunked\r\n\r\n6;note=x\r\nhel",
//!     b"lo \r\n5\r\nworld\r\n0\r\nX-Check",
//!     b"sum: 42\r\n\r\n",
//! ];
//! let mut reader = ResponseReader::new(Limits::default());
//! reader.start(Method::Get);
//! let (mut buf, mut body, mut head_done) = (Vec::new(), Vec::new(), false);
//! for piece in wire {
//!     buf.extend_from_slice(piece);
//!     if !head_done {
//!         match reader.feed_head(&buf)? {
//!             HeadEvent::NeedMore { consumed } => {
//!                 buf.drain(..consumed);
//!                 continue;
//!             }
//!             HeadEvent::Complete { consumed } => {
//!                 buf.drain(..consumed);
//!                 head_done = true;
//!             }
//!         }
//!     }
//!     while !reader.is_complete() {
//!         let d = reader.read_body(&buf, 4)?;
//!         body.extend_from_slice(&buf[d.data]);
//!         buf.drain(..d.consumed);
//!         if d.consumed == 0 {
//!             break; // needs more bytes
//!         }
//!     }
//! }
//! assert_eq!(reader.head().code(), 200);
//! assert_eq!(body, b"hello world");
//! assert_eq!(reader.trailers().get("x-checksum"), Some(&b"42"[..]));
//! assert!(reader.can_reuse() && buf.is_empty());
//! # Ok::<(), pollhttp_proto::ProtoError>(())
//! ```

#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

extern crate alloc;
#[cfg(any(test, feature = "std"))]
extern crate std;

/// What the tests use from `alloc` and `std`, since the crate itself has no prelude of them.
#[cfg(test)]
mod test_prelude {
    pub use alloc::borrow::ToOwned;
    pub use alloc::string::{String, ToString};
    pub use alloc::vec::Vec;
    pub use alloc::{format, vec};
}

mod authority;
mod body;
mod chunked;
mod conn_error;
mod connection;
mod error;
mod framing;
mod head;
mod header_list;
mod limits;
mod method;
mod request;
mod request_body;
mod response_reader;
mod syntax;
mod time;
mod timeouts;
mod tunnel;

pub use authority::{authority, host_header, push_host};
pub use body::BodyDecoder;
pub use chunked::{ChunkedDecoder, Decoded};
pub use conn_error::{ConnError, SendError};
pub use connection::{ConnectStage, Connection, Expiry, Phase, ProxyForm, Route};
pub use error::ProtoError;
pub use framing::{decide_framing, BodyKind, Framing};
pub use head::{HeadParse, HeadParser, ResponseHead};
pub use header_list::HeaderList;
pub use limits::Limits;
pub use method::{Method, RequestMethod};
pub(crate) use request::write_request_head_checked_line;
pub use request::{
    has_field, validate_headers, validate_method, validate_target, write_request_head, RequestHead,
};
pub use request_body::RequestBody;
pub use response_reader::{HeadEvent, ResponseReader};
pub use time::{Time, Timestamp};
pub use timeouts::{describe as describe_timeout, TimeoutPhase, Timeouts};
pub use tunnel::{connect_request, TunnelEvent, TunnelHandshake};
