//! The IO driver's parts: the stream the client talks over, the receive buffer, and the
//! connect pipeline (resolve, TCP, the proxy tunnel, TLS).

mod connector;
mod recv_buf;
mod stream_peer;

pub(crate) use connector::{Connector, Progress, Via};
pub(crate) use recv_buf::RecvBuf;
#[cfg(any(unix, windows))]
pub(crate) use stream_peer::{poll_timespec, wait_fd};
pub use stream_peer::{Interest, StreamPeer};
