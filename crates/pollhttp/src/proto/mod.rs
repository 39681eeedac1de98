//! The HTTP/1.1 protocol core: bytes in, events out, no sockets, threads or clocks.
//!
//! (Filled in by the protocol-core work; see the module list below.)

pub mod error;

pub use error::ProtoError;
