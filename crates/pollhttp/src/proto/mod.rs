//! The HTTP/1.1 protocol core: bytes in, events out, no sockets, threads or clocks.

pub mod error;
pub mod head;
pub mod header_list;
pub mod limits;
mod syntax;

pub use error::ProtoError;
pub use head::{HeadParse, HeadParser, ResponseHead};
pub use header_list::HeaderList;
pub use limits::Limits;
pub mod framing;
pub use framing::{decide_framing, BodyKind, Framing};
pub mod chunked;
pub use chunked::{ChunkedDecoder, Decoded};
pub mod body;
pub use body::BodyDecoder;
pub mod response_reader;
pub use response_reader::{HeadEvent, ResponseReader};
