//! Body decoding for every framing kind, with the body-size limit.

use crate::chunked::capped;
use crate::{BodyKind, ChunkedDecoder, Decoded, HeaderList, Limits, ProtoError};

/// The body framing in progress.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// No body.
    None,
    /// This many bytes still to come.
    Length(u64),
    /// Chunked; the decoder is [`BodyDecoder::chunked`].
    Chunked,
    /// Until the server closes; `true` once it has.
    UntilClose(bool),
}

/// Decodes one response body, whatever its framing, counting the bytes delivered.
///
/// It can be reused for every response on a connection ([`start`](BodyDecoder::start)); the
/// chunked decoder inside keeps its trailer buffer.
///
/// Data reaches the caller in two ways: [`decode`](BodyDecoder::decode) over bytes the
/// driver has buffered, or reads straight from the connection into the caller's buffer,
/// sized by [`direct_window`](BodyDecoder::direct_window) and reported with
/// [`consume_direct`](BodyDecoder::consume_direct).
///
/// ```
/// use pollhttp_proto::{BodyDecoder, BodyKind, HeaderList, Limits};
/// let (limits, mut trailers) = (Limits::default(), HeaderList::new());
/// let mut body = BodyDecoder::new();
/// body.start(BodyKind::Length(5), &limits)?;
/// let d = body.decode(b"helloEXTRA", 64, &limits, &mut trailers)?;
/// assert_eq!((d.consumed, d.data), (5, 0..5));
/// assert!(body.is_done());
/// # Ok::<(), pollhttp_proto::ProtoError>(())
/// ```
#[derive(Clone, Debug)]
pub struct BodyDecoder {
    mode: Mode,
    chunked: ChunkedDecoder,
    received: u64,
    max_body: Option<u64>,
}

impl Default for BodyDecoder {
    fn default() -> Self {
        BodyDecoder::new()
    }
}

impl BodyDecoder {
    /// A decoder for an empty body (already done).
    pub fn new() -> Self {
        BodyDecoder {
            mode: Mode::None,
            chunked: ChunkedDecoder::new(),
            received: 0,
            max_body: None,
        }
    }

    /// Starts a new body of the given kind, with `limits.max_body_bytes` applied to it.
    ///
    /// # Errors
    ///
    /// [`ProtoError::BodyTooLarge`] at once when a `Content-Length` exceeds the limit; the
    /// decoder is then set to an empty body.
    pub fn start(&mut self, kind: BodyKind, limits: &Limits) -> Result<(), ProtoError> {
        self.received = 0;
        self.max_body = limits.max_body_bytes;
        self.mode = Mode::None;
        self.mode = match kind {
            BodyKind::None => Mode::None,
            BodyKind::Length(n) => {
                self.check_budget(n)?;
                Mode::Length(n)
            }
            BodyKind::Chunked => {
                self.chunked.reset();
                Mode::Chunked
            }
            BodyKind::UntilClose => Mode::UntilClose(false),
        };
        Ok(())
    }

    /// Decodes from the start of `input`: at most one run of at most `max_data` body bytes.
    ///
    /// See [`ChunkedDecoder::decode`] for the meaning of the result; for a length-delimited or
    /// close-delimited body the data simply starts at offset 0. Trailers of a chunked body are
    /// appended to `trailers`.
    ///
    /// # Errors
    ///
    /// The chunked framing errors, and [`ProtoError::BodyTooLarge`] once the decoded bytes
    /// would pass `max_body_bytes`: for chunked bodies as soon as a chunk size announces
    /// it (no byte of that chunk is delivered); for a close-delimited body at the first
    /// byte past the limit (every byte up to it is delivered first).
    pub fn decode(
        &mut self,
        input: &[u8],
        max_data: usize,
        limits: &Limits,
        trailers: &mut HeaderList,
    ) -> Result<Decoded, ProtoError> {
        let n = match self.mode {
            Mode::None | Mode::UntilClose(true) => 0,
            Mode::Length(remaining) => {
                let n = capped(remaining, input.len().min(max_data));
                self.mode = Mode::Length(remaining - n as u64);
                n
            }
            Mode::UntilClose(false) => {
                let mut n = input.len().min(max_data);
                if let Some(limit) = self.max_body {
                    // Everything up to the limit is delivered, however the bytes arrive;
                    // the first byte past it is the error.
                    let left = limit.saturating_sub(self.received);
                    if n > 0 && left == 0 {
                        return Err(ProtoError::BodyTooLarge { limit });
                    }
                    n = capped(left, n);
                }
                n
            }
            Mode::Chunked => {
                let d = self.chunked.decode(input, max_data, limits, trailers)?;
                let n = d.data.len() as u64;
                self.check_budget(n.saturating_add(self.chunked.data_left_in_chunk()))?;
                self.received = self.received.saturating_add(n);
                return Ok(d);
            }
        };
        self.received = self.received.saturating_add(n as u64);
        Ok(Decoded {
            consumed: n,
            data: 0..n,
        })
    }

    /// Whether the body is complete (for a close-delimited body: the server has closed).
    pub fn is_done(&self) -> bool {
        match self.mode {
            Mode::None => true,
            Mode::Length(remaining) => remaining == 0,
            Mode::Chunked => self.chunked.is_done(),
            Mode::UntilClose(closed) => closed,
        }
    }

    /// How many bytes the driver may read from the connection straight into the caller's
    /// buffer, all of them body data: what is left of a `Content-Length` body or of the
    /// current chunk, everything for a close-delimited body (`u64::MAX`, or what is left
    /// under `max_body_bytes`), 0 elsewhere (chunk framing must go through
    /// [`decode`](BodyDecoder::decode)).
    pub fn direct_window(&self) -> u64 {
        let window = match self.mode {
            Mode::None | Mode::UntilClose(true) => 0,
            Mode::Length(remaining) => remaining,
            Mode::Chunked => self.chunked.data_left_in_chunk(),
            Mode::UntilClose(false) => u64::MAX,
        };
        match self.max_body {
            Some(limit) => window.min(limit.saturating_sub(self.received)),
            None => window,
        }
    }

    /// Records `n` body bytes that the driver read directly. `n` should not exceed
    /// [`direct_window`](BodyDecoder::direct_window); any excess is not counted.
    ///
    /// # Errors
    ///
    /// [`ProtoError::BodyTooLarge`] if the bytes pass `max_body_bytes`.
    pub fn consume_direct(&mut self, n: u64) -> Result<(), ProtoError> {
        let n = match self.mode {
            Mode::None | Mode::UntilClose(true) => 0,
            Mode::Length(remaining) => {
                let n = n.min(remaining);
                self.mode = Mode::Length(remaining - n);
                n
            }
            Mode::Chunked => {
                let n = n.min(self.chunked.data_left_in_chunk());
                self.chunked.consume_data(n);
                n
            }
            Mode::UntilClose(false) => {
                self.check_budget(n)?;
                n
            }
        };
        self.received = self.received.saturating_add(n);
        Ok(())
    }

    /// The connection reached end of file: a close-delimited body is complete; any other
    /// unfinished body is truncated.
    ///
    /// # Errors
    ///
    /// [`ProtoError::TruncatedBody`] with the missing byte count for a `Content-Length` body,
    /// [`ProtoError::TruncatedChunked`] for an unfinished chunked body.
    pub fn on_eof(&mut self) -> Result<(), ProtoError> {
        match self.mode {
            Mode::Length(remaining) if remaining > 0 => {
                Err(ProtoError::TruncatedBody { remaining })
            }
            Mode::Chunked if !self.chunked.is_done() => Err(ProtoError::TruncatedChunked),
            Mode::UntilClose(_) => {
                self.mode = Mode::UntilClose(true);
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Body bytes delivered so far (decoded data, not framing).
    pub fn received(&self) -> u64 {
        self.received
    }

    /// Fails if `more` bytes would take the body past `max_body_bytes`.
    fn check_budget(&self, more: u64) -> Result<(), ProtoError> {
        match self.max_body {
            Some(limit) if self.received.saturating_add(more) > limit => {
                Err(ProtoError::BodyTooLarge { limit })
            }
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limited(n: u64) -> Limits {
        Limits {
            max_body_bytes: Some(n),
            ..Limits::default()
        }
    }

    #[test]
    fn length_body() {
        let l = Limits::default();
        let mut t = HeaderList::new();
        let mut b = BodyDecoder::new();
        assert!(b.is_done());
        b.start(BodyKind::Length(10), &l).unwrap();
        assert!(!b.is_done());
        assert_eq!(b.direct_window(), 10);
        let d = b.decode(b"0123", 3, &l, &mut t).unwrap();
        assert_eq!((d.consumed, d.data), (3, 0..3));
        b.consume_direct(4).unwrap();
        assert_eq!(b.direct_window(), 3);
        assert_eq!(b.on_eof(), Err(ProtoError::TruncatedBody { remaining: 3 }));
        let d = b.decode(b"789NEXT", 100, &l, &mut t).unwrap();
        assert_eq!((d.consumed, d.data), (3, 0..3));
        assert!(b.is_done());
        assert_eq!(b.received(), 10);
        assert_eq!(b.direct_window(), 0);
        assert_eq!(
            b.decode(b"NEXT", 100, &l, &mut t).unwrap(),
            Decoded::nothing()
        );
        assert_eq!(b.on_eof(), Ok(()));
        b.start(BodyKind::Length(0), &l).unwrap();
        assert!(b.is_done());
    }

    #[test]
    fn until_close_body() {
        let l = Limits::default();
        let mut t = HeaderList::new();
        let mut b = BodyDecoder::new();
        b.start(BodyKind::UntilClose, &l).unwrap();
        assert_eq!(b.direct_window(), u64::MAX);
        let d = b.decode(b"abcdef", 4, &l, &mut t).unwrap();
        assert_eq!((d.consumed, d.data), (4, 0..4));
        b.consume_direct(100).unwrap();
        assert!(!b.is_done());
        assert_eq!(b.on_eof(), Ok(()));
        assert!(b.is_done());
        assert_eq!(b.received(), 104);
        assert_eq!(b.direct_window(), 0);
        assert_eq!(
            b.decode(b"late", 4, &l, &mut t).unwrap(),
            Decoded::nothing()
        );
    }

    #[test]
    fn chunked_body() {
        let l = Limits::default();
        let mut t = HeaderList::new();
        let mut b = BodyDecoder::new();
        b.start(BodyKind::Chunked, &l).unwrap();
        assert_eq!(b.direct_window(), 0);
        let d = b.decode(b"5\r\nhe", 100, &l, &mut t).unwrap();
        assert_eq!((d.consumed, d.data), (5, 3..5));
        assert_eq!(b.direct_window(), 3);
        b.consume_direct(3).unwrap();
        assert_eq!(b.on_eof(), Err(ProtoError::TruncatedChunked));
        let d = b.decode(b"\r\n0\r\nT: 1\r\n\r\n", 100, &l, &mut t).unwrap();
        assert_eq!(d.consumed, 13);
        assert!(b.is_done());
        assert_eq!(b.received(), 5);
        assert_eq!(t.get("t"), Some(&b"1"[..]));
        assert_eq!(b.on_eof(), Ok(()));
    }

    #[test]
    fn empty_body() {
        let l = Limits::default();
        let mut b = BodyDecoder::new();
        b.start(BodyKind::None, &l).unwrap();
        assert!(b.is_done());
        assert_eq!(b.direct_window(), 0);
        assert_eq!(
            b.decode(b"x", 9, &l, &mut HeaderList::new()).unwrap(),
            Decoded::nothing()
        );
        assert_eq!(b.on_eof(), Ok(()));
    }

    #[test]
    fn body_limit() {
        let l = limited(10);
        let mut t = HeaderList::new();
        let mut b = BodyDecoder::new();
        b.start(BodyKind::Length(10), &l).unwrap();
        assert_eq!(
            b.start(BodyKind::Length(11), &l),
            Err(ProtoError::BodyTooLarge { limit: 10 })
        );
        assert!(b.is_done());

        b.start(BodyKind::UntilClose, &l).unwrap();
        assert_eq!(b.direct_window(), 10);
        b.consume_direct(8).unwrap();
        assert_eq!(b.direct_window(), 2);
        assert_eq!(b.decode(b"ab", 9, &l, &mut t).unwrap().data, 0..2);
        assert_eq!(b.direct_window(), 0);
        assert_eq!(
            b.decode(b"c", 9, &l, &mut t),
            Err(ProtoError::BodyTooLarge { limit: 10 })
        );

        // Bytes up to the limit are delivered even when they arrive with bytes past it, so
        // the outcome does not depend on how the reads were cut (found by fuzzing).
        b.start(BodyKind::UntilClose, &l).unwrap();
        let d = b.decode(b"0123456789abc", 99, &l, &mut t).unwrap();
        assert_eq!((d.consumed, d.data), (10, 0..10));
        assert_eq!(
            b.decode(b"abc", 99, &l, &mut t),
            Err(ProtoError::BodyTooLarge { limit: 10 })
        );
        assert_eq!(
            b.consume_direct(1),
            Err(ProtoError::BodyTooLarge { limit: 10 })
        );

        // A chunk announcing more than the budget fails at once.
        b.start(BodyKind::Chunked, &l).unwrap();
        assert_eq!(
            b.decode(b"6\r\nabcdef\r\n", 99, &l, &mut t).unwrap().data,
            3..9
        );
        assert_eq!(
            b.decode(b"\r\n5\r\n", 99, &l, &mut t),
            Err(ProtoError::BodyTooLarge { limit: 10 })
        );
        b.start(BodyKind::Chunked, &l).unwrap();
        let d = b
            .decode(b"a\r\n0123456789\r\n0\r\n\r\n", 99, &l, &mut t)
            .unwrap();
        assert_eq!(d.data, 3..13);
        assert_eq!(b.direct_window(), 0);
        b.decode(b"\r\n0\r\n\r\n", 99, &l, &mut t).unwrap();
        assert!(b.is_done());
    }
}
