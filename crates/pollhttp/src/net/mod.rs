//! Sockets and name resolution around the protocol core.
//!
//! Nothing here blocks the caller unless a `wait` method is called:
//!
//! - [`Resolve`] looks a host name up on a small shared pool of resolver threads (at most
//!   four, started on demand, leaving when idle); IP literals are answered at once.
//! - [`TcpConnect`] opens a non-blocking TCP connection, trying each resolved address in
//!   turn, and hands over a non-blocking [`TcpStream`](std::net::TcpStream) with
//!   `TCP_NODELAY` set.
//!
//! A caller's loop calls `poll()` on each until it has an answer, and may sleep in
//! `wait()` (or on [`TcpConnect::raw_fd`] in its own poller) between calls.
//!
//! ```text
//! use pollhttp::net::{ConnectPoll, Resolve, TcpConnect};
//! use std::net::TcpListener;
//! use std::time::Duration;
//!
//! let listener = TcpListener::bind("127.0.0.1:0")?;
//! let mut lookup = Resolve::start("127.0.0.1", listener.local_addr()?.port());
//! let addrs = loop {
//!     if let Some(answer) = lookup.poll() {
//!         break answer?;
//!     }
//!     lookup.wait(Some(Duration::from_millis(50)));
//! };
//! let mut connect = TcpConnect::start(addrs);
//! let stream = loop {
//!     match connect.poll() {
//!         ConnectPoll::Pending => {
//!             connect.wait(Some(Duration::from_millis(50)))?;
//!         }
//!         ConnectPoll::Connected(stream) => break stream,
//!         ConnectPoll::Failed(e) => return Err(e),
//!     }
//! };
//! assert!(stream.nodelay()?);
//! ```

pub(crate) mod host;
mod resolver;
mod tcp_connect;
mod tcp_peer;

pub(crate) use resolver::Resolve;
pub(crate) use tcp_connect::{ConnectFailed, ConnectPoll, TcpConnect};
pub(crate) use tcp_peer::TcpPeer;
