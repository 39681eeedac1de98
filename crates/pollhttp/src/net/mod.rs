//! Sockets and name resolution around the protocol core.
//!
//! Nothing here blocks the caller unless a `wait` method is called:
//!
//! - [`Resolver`] is what a client asks for a name's addresses: [`SystemResolver`] looks
//!   it up with `getaddrinfo` on resolver threads (a thread per lookup up to a limit,
//!   lookups of one name shared), [`StaticResolver`] has fixed answers, and a caller may
//!   bring its own; the answer comes through a [`ResolveHandle`]. IP literals are answered
//!   at once.
//! - `TcpConnect` opens a non-blocking TCP connection, racing the resolved addresses
//!   Happy Eyeballs style, and hands over a non-blocking `TcpStream` with `TCP_NODELAY`
//!   set; every attempt is recorded as a [`ConnectAttempt`].
//!
//! A caller's loop calls `poll()` on each until it has an answer, and may sleep in
//! `wait()` (or on `TcpConnect::raw_fd` in its own poller) between calls.

pub(crate) mod host;
#[cfg(not(target_arch = "wasm32"))]
mod resolver;
#[cfg(not(target_arch = "wasm32"))]
mod tcp_connect;
#[cfg(not(target_arch = "wasm32"))]
mod tcp_peer;

#[cfg(not(target_arch = "wasm32"))]
pub use resolver::{ResolveAnswer, ResolveHandle, Resolver, StaticResolver, SystemResolver};
#[cfg(not(target_arch = "wasm32"))]
pub(crate) use tcp_connect::{interleave, AttemptEvent, ConnectFailed, ConnectPoll, TcpConnect};
#[cfg(not(target_arch = "wasm32"))]
pub use tcp_connect::{AttemptOutcome, ConnectAttempt};
#[cfg(not(target_arch = "wasm32"))]
pub(crate) use tcp_peer::TcpPeer;
