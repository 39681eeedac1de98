//! The HTTP/1.1 protocol core: bytes in, events out, no sockets, threads or clocks.
//!
//! Everything here is a pure function of the bytes it is given, so it is deterministic and
//! tested without a network. The client driver owns the socket, the receive buffer, TLS and
//! time; it hands bytes to this module and acts on what comes back.
//!
//! # In scope
//!
//! - Writing a request head, with Godot's automatic headers and validation that stops header
//!   and request-line injection: [`write_request_head`], [`validate_method`],
//!   [`validate_target`], [`validate_headers`].
//! - Parsing response heads incrementally over an accumulating buffer, with `httparse`
//!   and linear cost however the bytes are split: [`HeadParser`], [`ResponseHead`].
//! - Deciding the body framing exactly as RFC 9112 section 6.3 says: [`decide_framing`].
//! - Decoding bodies (length, chunked with extensions and trailers, until close) in runs of
//!   a caller-chosen size, without copying the data: [`BodyDecoder`], [`ChunkedDecoder`].
//! - Tying these together for a keep-alive connection: [`ResponseReader`].
//! - Bounding everything a server controls: [`Limits`]. Every failure is a [`ProtoError`].
//!
//! # Out of scope
//!
//! Sockets, name resolution, TLS, timeouts, the Godot `Status` machine, redirects, content
//! decoding (gzip), cookies, proxies' CONNECT handshake logic and request bodies (the body
//! bytes are sent by the driver after the head, as given).
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
//! Any call may move to `Failed` when the bytes break HTTP/1.1 or a limit; `on_eof` while in
//! `Head` is `EmptyReply` (nothing received) or `TruncatedHead`.
//!
//! # Example
//!
//! A request written, then a chunked response arriving in awkward pieces and read in runs of
//! at most 4 bytes, the way the client driver does it:
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
#[cfg(test)]
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

pub use authority::{authority, host_header};
pub use body::BodyDecoder;
pub use chunked::{ChunkedDecoder, Decoded};
pub use conn_error::{ConnError, SendError};
pub use connection::{ConnectStage, Connection, Expiry, Phase, ProxyForm, Route};
pub use error::ProtoError;
pub use framing::{decide_framing, BodyKind, Framing};
pub use head::{HeadParse, HeadParser, ResponseHead};
pub use header_list::HeaderList;
pub use limits::Limits;
pub use method::Method;
pub(crate) use request::write_request_head_checked_line;
pub use request::{
    has_field, validate_headers, validate_method, validate_target, write_request_head, RequestHead,
};
pub use request_body::RequestBody;
pub use response_reader::{HeadEvent, ResponseReader};
pub use time::Timestamp;
pub use timeouts::{describe as describe_timeout, TimeoutPhase, Timeouts};
pub use tunnel::{connect_request, TunnelEvent, TunnelHandshake};
