//! Incremental decoding of the chunked transfer coding (RFC 9112 section 7.1).

use alloc::vec;
use alloc::vec::Vec;
use core::ops::Range;

use crate::syntax::{is_ows, is_tchar};
use crate::{HeaderList, Limits, ProtoError};

/// Trailer field slots kept on the stack; a larger [`Limits::max_headers`] uses a heap array.
const STACK_TRAILERS: usize = 128;

/// The result of one decoding step: how much input was used and where the body data is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decoded {
    /// Input bytes used (framing and data); the caller drops them from its buffer.
    pub consumed: usize,
    /// Body data, as a range of the input inside `..consumed` (empty when there is none).
    /// The data is not copied: slice the input with it.
    pub data: Range<usize>,
}

impl Decoded {
    /// Nothing used, no data.
    pub(crate) fn nothing() -> Decoded {
        Decoded {
            consumed: 0,
            data: 0..0,
        }
    }
}

/// Where the decoder is in the chunked stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Hex digits of a chunk size.
    Size,
    /// Whitespace after the size.
    SizeWs,
    /// After `;`: optional whitespace, then an extension name.
    ExtPreName,
    ExtName,
    /// Whitespace after an extension name: `=`, `;` or the line end may follow.
    ExtPostName,
    /// After `=`: optional whitespace, then a token or a quoted string.
    ExtPreValue,
    ExtToken,
    ExtQuoted,
    ExtQuotedEscape,
    /// After an extension value: whitespace, `;` or the line end.
    ExtPostValue,
    /// A CR ended the size line; LF must follow.
    SizeLf,
    /// Inside chunk data.
    Data,
    /// Chunk data ended; CR must follow.
    DataCr,
    /// Chunk data and CR ended; LF must follow.
    DataLf,
    /// After the last chunk: trailer lines until an empty line.
    Trailers,
    /// The final empty line has been read.
    Done,
    /// An error was reported; it is reported again on every call.
    Failed(ProtoError),
}

/// Decodes a chunked body incrementally, over any split of the input.
///
/// Each [`decode`](ChunkedDecoder::decode) call consumes framing (size lines, extensions,
/// CRLFs, trailers) and returns at most one contiguous run of chunk data, of at most
/// `max_data` bytes, as a range of the input: a 16 MiB chunk is delivered in pieces and
/// never buffered whole. Only the trailer section is copied, into a bounded buffer that is
/// reused from one body to the next.
///
/// Accepted: hex sizes in any case with leading zeros, whitespace after the size, chunk
/// extensions `;name[=token|"quoted"]` (ignored) with whitespace around `;` and `=`, and a
/// bare LF ending a size line or trailer line (RFC 9112 section 2.2 lets recipients accept it,
/// as the head parser does). Chunk data must be followed by exactly CRLF: anything else means
/// the size was wrong and the stream is out of step.
///
/// ```
/// use pollhttp_proto::{ChunkedDecoder, HeaderList, Limits};
/// let input = b"5;ext=1\r\nhello\r\n0\r\nX-Sum: 1\r\n\r\n";
/// let (mut dec, mut trailers, limits) = (ChunkedDecoder::new(), HeaderList::new(), Limits::default());
/// let mut body = Vec::new();
/// let mut pos = 0;
/// while !dec.is_done() {
///     let d = dec.decode(&input[pos..], 3, &limits, &mut trailers)?;
///     body.extend_from_slice(&input[pos..][d.data]);
///     pos += d.consumed;
/// }
/// assert_eq!(body, b"hello");
/// assert_eq!(trailers.get("x-sum"), Some(&b"1"[..]));
/// assert_eq!(pos, input.len());
/// # Ok::<(), pollhttp_proto::ProtoError>(())
/// ```
#[derive(Clone, Debug)]
pub struct ChunkedDecoder {
    state: State,
    size: u64,
    line_len: usize,
    left: u64,
    trailer_buf: Vec<u8>,
    trailer_line: usize,
}

impl Default for ChunkedDecoder {
    fn default() -> Self {
        ChunkedDecoder::new()
    }
}

impl ChunkedDecoder {
    /// A decoder at the start of a chunked body.
    pub fn new() -> Self {
        ChunkedDecoder {
            state: State::Size,
            size: 0,
            line_len: 0,
            left: 0,
            trailer_buf: Vec::new(),
            trailer_line: 0,
        }
    }

    /// Goes back to the start of a body, keeping the trailer buffer's capacity.
    pub fn reset(&mut self) {
        self.start_size_line();
        self.left = 0;
        self.trailer_buf.clear();
        self.trailer_line = 0;
    }

    /// Decodes from the start of `input`.
    ///
    /// Returns after one run of data (at most `max_data` bytes), at the end of the body, or
    /// when the input is used up (then `consumed == input.len()` and the data is empty).
    /// Bytes after the end of the body are not consumed. Trailer fields are appended to
    /// `trailers` when the final empty line arrives. With `max_data == 0` no data is
    /// delivered, so a call inside chunk data makes no progress.
    ///
    /// # Errors
    ///
    /// [`ProtoError::InvalidChunkSize`], [`ProtoError::ChunkSizeOverflow`],
    /// [`ProtoError::ChunkLineTooLong`], [`ProtoError::InvalidChunkTerminator`],
    /// [`ProtoError::TrailersTooLarge`], [`ProtoError::TooManyHeaders`] and
    /// [`ProtoError::InvalidTrailer`]. After an error every call returns the same error.
    pub fn decode(
        &mut self,
        input: &[u8],
        max_data: usize,
        limits: &Limits,
        trailers: &mut HeaderList,
    ) -> Result<Decoded, ProtoError> {
        if let State::Failed(e) = self.state {
            return Err(e);
        }
        self.decode_inner(input, max_data, limits, trailers)
            .inspect_err(|&e| self.state = State::Failed(e))
    }

    fn decode_inner(
        &mut self,
        input: &[u8],
        max_data: usize,
        limits: &Limits,
        trailers: &mut HeaderList,
    ) -> Result<Decoded, ProtoError> {
        let mut pos = 0;
        while let Some(rest) = input.get(pos..).filter(|r| !r.is_empty()) {
            match self.state {
                // A failed decoder never gets here: `decode` reports the error first.
                State::Done | State::Failed(_) => break,
                State::Data => {
                    let n = capped(self.left, rest.len().min(max_data));
                    if n == 0 {
                        break;
                    }
                    self.consume_data(n as u64);
                    return Ok(Decoded {
                        consumed: pos + n,
                        data: pos..pos + n,
                    });
                }
                State::Trailers => pos += self.trailer_bytes(rest, limits, trailers)?,
                _ => {
                    for &b in rest {
                        pos += 1;
                        self.line_byte(b, limits)?;
                        if self.state == State::Data || self.state == State::Trailers {
                            break;
                        }
                    }
                }
            }
        }
        Ok(Decoded {
            consumed: pos,
            data: pos..pos,
        })
    }

    /// Whether the whole body, trailers and final CRLF included, has been consumed.
    pub fn is_done(&self) -> bool {
        self.state == State::Done
    }

    /// Data bytes left in the current chunk; non-zero only while inside chunk data, so the
    /// caller may read that many bytes from the connection straight into its own buffer.
    pub fn data_left_in_chunk(&self) -> u64 {
        if self.state == State::Data {
            self.left
        } else {
            0
        }
    }

    /// Records `n` chunk-data bytes that the caller read directly (see
    /// [`data_left_in_chunk`](ChunkedDecoder::data_left_in_chunk)); more than are left is
    /// counted as what is left.
    pub fn consume_data(&mut self, n: u64) {
        if self.state == State::Data {
            self.left -= n.min(self.left);
            if self.left == 0 {
                self.state = State::DataCr;
            }
        }
    }

    fn start_size_line(&mut self) {
        self.state = State::Size;
        self.size = 0;
        self.line_len = 0;
    }

    /// One byte of a size line or of the CRLF after chunk data.
    fn line_byte(&mut self, b: u8, limits: &Limits) -> Result<(), ProtoError> {
        use State::*;
        match self.state {
            DataCr => {
                return if b == b'\r' {
                    self.state = DataLf;
                    Ok(())
                } else {
                    Err(ProtoError::InvalidChunkTerminator)
                }
            }
            DataLf => {
                return if b == b'\n' {
                    self.start_size_line();
                    Ok(())
                } else {
                    Err(ProtoError::InvalidChunkTerminator)
                }
            }
            _ => {}
        }
        self.line_len += 1;
        if self.line_len > limits.max_chunk_line_bytes {
            return Err(ProtoError::ChunkLineTooLong {
                limit: limits.max_chunk_line_bytes,
            });
        }
        let bad = Err(ProtoError::InvalidChunkSize);
        self.state = match (self.state, b) {
            (Size, _) if b.is_ascii_hexdigit() => {
                let digit = (b as char).to_digit(16).map_or(0, u64::from);
                self.size = self
                    .size
                    .checked_mul(16)
                    .and_then(|s| s.checked_add(digit))
                    .ok_or(ProtoError::ChunkSizeOverflow)?;
                Size
            }
            // Only digits keep the line in `Size`: the first byte must be one.
            (Size, _) if self.line_len == 1 => return bad,
            (Size | SizeWs, b' ' | b'\t') => SizeWs,
            (ExtPreName | ExtPostName | ExtPreValue | ExtPostValue, b' ' | b'\t') => self.state,
            (ExtName, b' ' | b'\t') => ExtPostName,
            (ExtToken, b' ' | b'\t') => ExtPostValue,
            (Size | SizeWs | ExtName | ExtPostName | ExtToken | ExtPostValue, b';') => ExtPreName,
            (ExtPreName | ExtName, _) if is_tchar(b) => ExtName,
            (ExtName | ExtPostName, b'=') => ExtPreValue,
            (ExtPreValue, b'"') => ExtQuoted,
            (ExtPreValue | ExtToken, _) if is_tchar(b) => ExtToken,
            (ExtQuoted, b'"') => ExtPostValue,
            (ExtQuoted, b'\\') => ExtQuotedEscape,
            (ExtQuoted, _) if is_qdtext(b) => ExtQuoted,
            (ExtQuotedEscape, _) if is_ows(b) || (b >= 0x21 && b != 0x7F) => ExtQuoted,
            (Size | SizeWs | ExtName | ExtPostName | ExtToken | ExtPostValue, b'\r') => SizeLf,
            (Size | SizeWs | ExtName | ExtPostName | ExtToken | ExtPostValue | SizeLf, b'\n') => {
                self.end_size_line();
                return Ok(());
            }
            _ => return bad,
        };
        Ok(())
    }

    fn end_size_line(&mut self) {
        if self.size == 0 {
            self.state = State::Trailers;
            self.trailer_buf.clear();
            self.trailer_line = 0;
        } else {
            self.left = self.size;
            self.state = State::Data;
        }
    }

    /// Takes trailer bytes from `rest` up to and including one line end; returns how many.
    fn trailer_bytes(
        &mut self,
        rest: &[u8],
        limits: &Limits,
        trailers: &mut HeaderList,
    ) -> Result<usize, ProtoError> {
        let too_large = ProtoError::TrailersTooLarge {
            limit: limits.max_trailer_bytes,
        };
        let (segment, line_done) = match rest.iter().position(|&b| b == b'\n') {
            Some(i) => (rest.get(..=i).unwrap_or(rest), true),
            None => (rest, false),
        };
        // The buffer never holds more than the limit plus a possible final "\r\n".
        let room = limits
            .max_trailer_bytes
            .saturating_add(2)
            .saturating_sub(self.trailer_buf.len());
        if segment.len() > room {
            return Err(too_large);
        }
        self.trailer_buf.extend_from_slice(segment);
        let line = self
            .trailer_buf
            .get(self.trailer_line..)
            .unwrap_or_default();
        let blank = matches!(line, b"\n" | b"\r\n");
        // Bytes of a line that could still turn out to be the final empty line do not count.
        let pending = if matches!(line, b"" | b"\r") || blank {
            line.len()
        } else {
            0
        };
        if self.trailer_buf.len() - pending > limits.max_trailer_bytes {
            return Err(too_large);
        }
        if blank {
            if self.trailer_line > 0 {
                parse_trailers(&self.trailer_buf, limits, trailers)?;
            }
            self.state = State::Done;
        } else if line_done {
            self.trailer_line = self.trailer_buf.len();
        }
        Ok(segment.len())
    }
}

/// `left` bytes still to come, capped at `cap` (`left` may not fit a `usize`).
#[inline]
pub(super) fn capped(left: u64, cap: usize) -> usize {
    usize::try_from(left).map_or(cap, |left| left.min(cap))
}

/// `qdtext` from RFC 9110 section 5.6.4.
fn is_qdtext(b: u8) -> bool {
    matches!(b, b'\t' | b' ' | 0x21 | 0x23..=0x5B | 0x5D..=0x7E | 0x80..=0xFF)
}

/// Parses a complete trailer section (ending with its empty line) into `out`.
fn parse_trailers(buf: &[u8], limits: &Limits, out: &mut HeaderList) -> Result<(), ProtoError> {
    let mut stack = [httparse::EMPTY_HEADER; STACK_TRAILERS];
    let mut heap;
    let slots: &mut [httparse::Header<'_>] = if limits.max_headers <= STACK_TRAILERS {
        stack.get_mut(..limits.max_headers).unwrap_or_default()
    } else {
        heap = vec![httparse::EMPTY_HEADER; limits.max_headers];
        &mut heap
    };
    match httparse::parse_headers(buf, slots) {
        Ok(httparse::Status::Complete((_, fields))) => {
            for h in fields {
                out.push_str(h.name, h.value);
            }
            Ok(())
        }
        Err(httparse::Error::TooManyHeaders) => Err(ProtoError::TooManyHeaders {
            limit: limits.max_headers,
        }),
        Ok(httparse::Status::Partial) | Err(_) => Err(ProtoError::InvalidTrailer),
    }
}

#[cfg(test)]
mod tests;
