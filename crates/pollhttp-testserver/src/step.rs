//! One action of a [`ScriptedServer`](crate::ScriptedServer) connection script.

use std::time::Duration;

/// What the scripted server does next on a connection.
///
/// A connection plays its steps in order. If a step fails (the peer went away, a read timed
/// out), the rest of that connection's script is skipped and the failure is kept in
/// [`ScriptedServer::errors`](crate::ScriptedServer::errors). When the script ends without
/// [`Close`](Step::Close), [`Reset`](Step::Reset) or [`ExpectClose`](Step::ExpectClose),
/// the connection is closed gracefully, as with `Close`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// Reads one request head (through the blank line `\r\n\r\n`); if the head has a
    /// `Content-Length`, reads that many body bytes too, and without one, a chunked body
    /// (`Transfer-Encoding: chunked`) through its last chunk and trailer section. Head and
    /// body are recorded as one request, the body as it came on the wire (a chunked body
    /// is not decoded). Bytes the client sent beyond that stay buffered for the next
    /// `ReadHead`.
    ReadHead,
    /// Writes these exact bytes.
    Send(Vec<u8>),
    /// Writes `bytes` in pieces of `piece` bytes (at least 1), sleeping `delay` between
    /// pieces, so the client sees the data trickle in.
    SendPaced {
        /// The bytes to send.
        bytes: Vec<u8>,
        /// How many bytes per write.
        piece: usize,
        /// The pause between two writes.
        delay: Duration,
    },
    /// Writes `len` bytes of the [`pattern_byte`](crate::pattern_byte) pattern, generated as
    /// they are written so that gigabytes cost no memory; `None` writes until the client
    /// goes away, which then ends the connection without an error.
    SendPattern {
        /// How many bytes, or `None` for an endless stream.
        len: Option<u64>,
    },
    /// Writes a chunked body of pattern bytes generated on the fly: `chunks` chunks of
    /// `chunk_size` bytes (at least 1) and the last chunk, or with `None` chunks until the
    /// client goes away (which then ends the connection without an error). The body's
    /// bytes are the pattern from offset 0 on, as with [`SendPattern`](Step::SendPattern).
    SendChunkedPattern {
        /// Data bytes per chunk.
        chunk_size: usize,
        /// How many chunks before the last chunk, or `None` for an endless body.
        chunks: Option<u64>,
    },
    /// Does nothing for this long.
    Sleep(Duration),
    /// Closes gracefully: shuts down the write side (the client reads end of stream), then
    /// drops the socket.
    Close,
    /// Closes abortively (`SO_LINGER` 0), so the client gets a TCP RST.
    Reset,
    /// Waits until the client closes the connection (a read returns end of stream or a reset),
    /// at most [`IO_TIMEOUT`](crate::IO_TIMEOUT). Bytes received meanwhile are an error.
    ExpectClose,
}

impl Step {
    /// A short name for error messages.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Step::ReadHead => "ReadHead",
            Step::Send(_) => "Send",
            Step::SendPaced { .. } => "SendPaced",
            Step::SendPattern { .. } => "SendPattern",
            Step::SendChunkedPattern { .. } => "SendChunkedPattern",
            Step::Sleep(_) => "Sleep",
            Step::Close => "Close",
            Step::Reset => "Reset",
            Step::ExpectClose => "ExpectClose",
        }
    }
}
