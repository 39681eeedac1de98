//! One connection's response reading: interim heads, the final head, framing and body.

use crate::framing::decide_framing_for;
use crate::{
    BodyDecoder, Decoded, Framing, HeadParse, HeadParser, HeaderList, Limits, Method, ProtoError,
    ResponseHead,
};

/// The outcome of [`ResponseReader::feed_head`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeadEvent {
    /// The final head is not complete. The first `consumed` bytes (skipped 1xx interim
    /// heads) must be dropped from the buffer; call again with the rest plus new bytes.
    NeedMore {
        /// Bytes to drop from the start of the buffer.
        consumed: usize,
    },
    /// The final head is parsed and the framing decided; the first `consumed` bytes (interim
    /// heads and the final head) must be dropped. The rest of the buffer is body (or, after
    /// a 101 or a CONNECT tunnel, the other protocol's bytes).
    Complete {
        /// Bytes to drop from the start of the buffer.
        consumed: usize,
    },
}

/// Where the reader is in the current response.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// No response expected (before the first [`ResponseReader::start`]).
    Idle,
    /// Waiting for the final head.
    Head,
    /// Reading the body.
    Body,
    /// The response is complete.
    Done,
    /// A 101, or a 2xx to CONNECT: the head ended HTTP on this connection, and the bytes
    /// after it belong to the protocol switched to.
    Switched,
    /// The response failed; the error is reported again by every call.
    Failed(ProtoError),
}

/// Reads the responses on one connection, one after the other.
///
/// The driver owns the socket and a receive buffer, and calls, per response:
///
/// 1. [`start`](ResponseReader::start) when the request is sent;
/// 2. [`feed_head`](ResponseReader::feed_head) with its buffer after each read, dropping
///    `consumed` bytes, until [`HeadEvent::Complete`] (1xx interim heads other than 101
///    are skipped on the way);
/// 3. [`read_body`](ResponseReader::read_body) with buffered bytes, or a direct read of at
///    most [`direct_window`](ResponseReader::direct_window) bytes into the caller's buffer
///    reported with [`consume_direct`](ResponseReader::consume_direct), until
///    [`is_complete`](ResponseReader::is_complete);
/// 4. [`on_eof`](ResponseReader::on_eof) whenever the connection reaches end of file.
///
/// Then [`can_reuse`](ResponseReader::can_reuse) says whether the connection may carry the
/// next request (the driver must also check that no unread bytes remain in its buffer).
/// The reader is reused for every response; its buffers stop growing after the first few.
/// No call panics, whatever the bytes; an error is final for the response and repeated by
/// later calls until the next `start`.
#[derive(Debug)]
pub struct ResponseReader {
    limits: Limits,
    method: Method,
    phase: Phase,
    parser: HeadParser,
    head: ResponseHead,
    framing: Option<Framing>,
    body: BodyDecoder,
    trailers: HeaderList,
    interim: usize,
    fed_any: bool,
}

impl ResponseReader {
    /// A reader with the given limits, expecting no response until [`start`](Self::start).
    pub fn new(limits: Limits) -> Self {
        ResponseReader {
            limits,
            method: Method::Get,
            phase: Phase::Idle,
            parser: HeadParser::new(),
            head: ResponseHead::new(),
            framing: None,
            body: BodyDecoder::new(),
            trailers: HeaderList::new(),
            interim: 0,
            fed_any: false,
        }
    }

    /// The limits in force.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Replaces the limits; the new values apply from the next call (the body-size limit from
    /// the next response).
    pub fn set_limits(&mut self, l: Limits) {
        self.limits = l;
    }

    /// Prepares for the response to a request made with `request_method`: HEAD means no
    /// body whatever the headers say, CONNECT means a 2xx response opens a tunnel.
    ///
    /// The previous response's head stays readable until the next head is parsed; its
    /// framing and trailers are cleared now.
    pub fn start(&mut self, request_method: Method) {
        self.clear_response();
        self.method = request_method;
        self.phase = Phase::Head;
    }

    /// Forgets the response: no response is expected until the next
    /// [`start`](Self::start), and [`framing`](Self::framing) is `None` again.
    pub fn reset(&mut self) {
        self.clear_response();
        self.phase = Phase::Idle;
    }

    fn clear_response(&mut self) {
        self.parser.reset();
        self.framing = None;
        self.trailers.clear();
        self.interim = 0;
        self.fed_any = false;
        // An empty body until the framing is known, so the body accessors say nothing stale.
        let _ = self.body.start(crate::BodyKind::None, &self.limits);
    }

    /// Looks for the final response head at the start of `buf`, the driver's receive buffer.
    ///
    /// `buf` must start where the previous call's `consumed` left it and only grow at the end
    /// between calls. Outside the head phase it consumes nothing.
    ///
    /// # Errors
    ///
    /// The head errors of [`HeadParser::parse`], [`ProtoError::TooManyInterimResponses`] and
    /// the framing errors of [`decide_framing`](crate::decide_framing) (and [`ProtoError::BodyTooLarge`] for a
    /// `Content-Length` above `max_body_bytes`).
    pub fn feed_head(&mut self, buf: &[u8]) -> Result<HeadEvent, ProtoError> {
        match self.phase {
            Phase::Head => {}
            Phase::Failed(e) => return Err(e),
            Phase::Idle | Phase::Body | Phase::Done | Phase::Switched => {
                return Ok(HeadEvent::NeedMore { consumed: 0 })
            }
        }
        self.fed_any |= !buf.is_empty();
        let r = self.feed_head_inner(buf);
        if let Err(e) = r {
            self.phase = Phase::Failed(e);
        }
        r
    }

    fn feed_head_inner(&mut self, buf: &[u8]) -> Result<HeadEvent, ProtoError> {
        let mut total = 0;
        loop {
            let rest = buf.get(total..).unwrap_or_default();
            match self.parser.parse(rest, &self.limits, &mut self.head)? {
                HeadParse::Partial => return Ok(HeadEvent::NeedMore { consumed: total }),
                HeadParse::Complete { consumed } => {
                    total += consumed;
                    let code = self.head.code();
                    if (100..200).contains(&code) && code != 101 {
                        self.interim += 1;
                        if self.interim > self.limits.max_interim_responses {
                            return Err(ProtoError::TooManyInterimResponses {
                                limit: self.limits.max_interim_responses,
                            });
                        }
                        continue;
                    }
                    let (framing, switched) = decide_framing_for(self.method, &self.head)?;
                    self.framing = Some(framing);
                    self.phase = if switched {
                        Phase::Switched
                    } else {
                        self.body.start(framing.body, &self.limits)?;
                        if self.body.is_done() {
                            Phase::Done
                        } else {
                            Phase::Body
                        }
                    };
                    return Ok(HeadEvent::Complete { consumed: total });
                }
            }
        }
    }

    /// The last head parsed: the final head once [`feed_head`](Self::feed_head) returned
    /// [`HeadEvent::Complete`] (before that, possibly an interim head or the previous
    /// response's head).
    pub fn head(&self) -> &ResponseHead {
        &self.head
    }

    /// The framing of the current response, once its final head is parsed.
    pub fn framing(&self) -> Option<&Framing> {
        self.framing.as_ref()
    }

    /// Decodes body bytes from the start of `input` (bytes the driver has buffered after the
    /// head): at most one run of at most `max_data` bytes, as a range of `input`. The driver
    /// drops `consumed` bytes afterwards. Outside the body phase it consumes nothing.
    ///
    /// # Errors
    ///
    /// The errors of [`BodyDecoder::decode`].
    pub fn read_body(&mut self, input: &[u8], max_data: usize) -> Result<Decoded, ProtoError> {
        match self.phase {
            Phase::Body => {}
            Phase::Failed(e) => return Err(e),
            Phase::Idle | Phase::Head | Phase::Done | Phase::Switched => {
                return Ok(Decoded::nothing())
            }
        }
        match self
            .body
            .decode(input, max_data, &self.limits, &mut self.trailers)
        {
            Ok(d) => {
                if self.body.is_done() {
                    self.phase = Phase::Done;
                }
                Ok(d)
            }
            Err(e) => {
                self.phase = Phase::Failed(e);
                Err(e)
            }
        }
    }

    /// How many bytes may be read from the connection straight into the caller's buffer
    /// (see [`BodyDecoder::direct_window`]); 0 outside the body phase. Only valid when the
    /// driver's own buffer is empty, since buffered bytes come first.
    pub fn direct_window(&self) -> u64 {
        match self.phase {
            Phase::Body => self.body.direct_window(),
            _ => 0,
        }
    }

    /// Records `n` body bytes read directly (at most [`direct_window`](Self::direct_window)).
    ///
    /// # Errors
    ///
    /// [`ProtoError::BodyTooLarge`] past `max_body_bytes`, or the earlier error of a failed
    /// response.
    pub fn consume_direct(&mut self, n: usize) -> Result<(), ProtoError> {
        match self.phase {
            Phase::Body => {}
            Phase::Failed(e) => return Err(e),
            Phase::Idle | Phase::Head | Phase::Done | Phase::Switched => return Ok(()),
        }
        match self.body.consume_direct(n as u64) {
            Ok(()) => {
                if self.body.is_done() {
                    self.phase = Phase::Done;
                }
                Ok(())
            }
            Err(e) => {
                self.phase = Phase::Failed(e);
                Err(e)
            }
        }
    }

    /// The connection reached end of file (after the driver has passed every buffered byte
    /// to [`feed_head`](Self::feed_head) or [`read_body`](Self::read_body)).
    ///
    /// A close-delimited body is then complete; nothing else may end here.
    ///
    /// # Errors
    ///
    /// While awaiting the head: [`ProtoError::EmptyReply`] if no byte arrived since
    /// [`start`](Self::start), else [`ProtoError::TruncatedHead`]. In the body: the errors of
    /// [`BodyDecoder::on_eof`].
    pub fn on_eof(&mut self) -> Result<(), ProtoError> {
        let r = match self.phase {
            Phase::Idle | Phase::Done | Phase::Switched => return Ok(()),
            Phase::Failed(e) => return Err(e),
            Phase::Head if self.fed_any => Err(ProtoError::TruncatedHead),
            Phase::Head => Err(ProtoError::EmptyReply),
            Phase::Body => self.body.on_eof(),
        };
        self.phase = match r {
            Ok(()) => Phase::Done,
            Err(e) => Phase::Failed(e),
        };
        r
    }

    /// Whether the final head is parsed and the body fully read (or, after a protocol
    /// switch, the head is in: see [`is_switched`](Self::is_switched)).
    pub fn is_complete(&self) -> bool {
        matches!(self.phase, Phase::Done | Phase::Switched)
    }

    /// Whether the final head was a 101 Switching Protocols, or a 2xx to CONNECT: HTTP has
    /// ended on this connection, and the bytes after the head belong to the other protocol.
    pub fn is_switched(&self) -> bool {
        self.phase == Phase::Switched
    }

    /// Whether any byte arrived since [`start`](Self::start).
    pub fn fed_any(&self) -> bool {
        self.fed_any
    }

    /// Whether the connection may carry another request: the response is complete and its
    /// framing allows keep-alive.
    pub fn can_reuse(&self) -> bool {
        self.phase == Phase::Done && self.framing.is_some_and(|f| f.keep_alive)
    }

    /// Trailer fields of a chunked body, once it is complete (empty otherwise).
    pub fn trailers(&self) -> &HeaderList {
        &self.trailers
    }

    /// Body bytes delivered so far for the current response.
    pub fn body_received(&self) -> u64 {
        self.body.received()
    }
}

#[cfg(test)]
mod tests;
