//! The `deflate` coding: a zlib stream (RFC 1950), or raw deflate data (RFC 1951) from
//! servers that send that instead, as browsers accept.

use super::{Coding, DecodeError, DecodeErrorKind};
use flate2::{Decompress, FlushDecompress, Status};

/// Decodes a `deflate` body, telling zlib from raw deflate by its first two bytes.
pub(super) struct DeflateDecoder {
    state: State,
    total_in: u64,
}

enum State {
    /// Waiting for the first two bytes; the first, if it came alone, is kept here.
    Sniff(Option<u8>),
    /// Inflating. A first byte kept while sniffing goes in before the rest of the input.
    Stream {
        inflate: Decompress,
        pending: Option<u8>,
    },
    /// The stream has ended; nothing may follow.
    Done,
}

impl DeflateDecoder {
    pub(super) fn new() -> DeflateDecoder {
        DeflateDecoder {
            state: State::Sniff(None),
            total_in: 0,
        }
    }

    pub(super) fn is_complete(&self) -> bool {
        matches!(self.state, State::Done)
    }

    pub(super) fn total_in(&self) -> u64 {
        self.total_in
    }

    pub(super) fn decode(
        &mut self,
        input: &[u8],
        output: &mut [u8],
    ) -> Result<(usize, usize), DecodeError> {
        let (mut c, mut p) = (0, 0);
        loop {
            match &mut self.state {
                State::Sniff(first) => {
                    let (cmf, flg, pending) = match (*first, input.get(c), input.get(c + 1)) {
                        (Some(cmf), Some(&flg), _) => (cmf, flg, Some(cmf)),
                        (None, Some(&cmf), Some(&flg)) => (cmf, flg, None),
                        (None, Some(&cmf), None) => {
                            *first = Some(cmf);
                            c += 1;
                            break;
                        }
                        _ => break,
                    };
                    self.state = State::Stream {
                        inflate: Decompress::new(is_zlib_header(cmf, flg)),
                        pending,
                    };
                }
                State::Stream { inflate, pending } => {
                    if p == output.len() {
                        break;
                    }
                    let held;
                    let src = match pending {
                        Some(b) => {
                            held = [*b];
                            &held[..]
                        }
                        None => &input[c..],
                    };
                    let position = self.total_in + c as u64;
                    let (taken, written, end) =
                        inflate_some(inflate, src, &mut output[p..], Coding::Deflate, position)?;
                    if pending.is_some() {
                        if taken > 0 {
                            *pending = None;
                        }
                    } else {
                        c += taken;
                    }
                    p += written;
                    if end {
                        self.state = State::Done;
                    } else if taken == 0 && written == 0 {
                        break;
                    }
                }
                State::Done => {
                    if c < input.len() {
                        return Err(DecodeError::new(
                            Coding::Deflate,
                            DecodeErrorKind::TrailingData,
                            self.total_in + c as u64,
                        ));
                    }
                    break;
                }
            }
        }
        self.total_in += c as u64;
        Ok((c, p))
    }
}

/// Whether two bytes make a valid zlib header (RFC 1950 §2.2): compression method 8 and
/// a check value that makes them a multiple of 31.
pub(super) fn is_zlib_header(cmf: u8, flg: u8) -> bool {
    cmf & 0x0f == 8 && (u16::from(cmf) << 8 | u16::from(flg)) % 31 == 0
}

/// One call to the inflater: (taken, written, stream ended). `position` is where `input`
/// starts in the coding's input, for errors.
pub(super) fn inflate_some(
    inflate: &mut Decompress,
    input: &[u8],
    output: &mut [u8],
    coding: Coding,
    position: u64,
) -> Result<(usize, usize, bool), DecodeError> {
    let (in_before, out_before) = (inflate.total_in(), inflate.total_out());
    let status = inflate.decompress(input, output, FlushDecompress::None);
    let taken = count(inflate.total_in(), in_before, input.len());
    let written = count(inflate.total_out(), out_before, output.len());
    match status {
        Ok(status) => Ok((taken, written, status == Status::StreamEnd)),
        Err(e) => {
            let detail = match e.message() {
                Some(message) => message.to_owned(),
                None if e.needs_dictionary().is_some() => "needs a preset dictionary".to_owned(),
                None => "invalid deflate data".to_owned(),
            };
            Err(
                DecodeError::new(coding, DecodeErrorKind::Corrupt, position + taken as u64)
                    .with_detail(detail)
                    .with_source(e),
            )
        }
    }
}

/// The growth of a counter from `before` to `after`, at most `max`.
fn count(after: u64, before: u64, max: usize) -> usize {
    usize::try_from(after.saturating_sub(before)).map_or(max, |n| n.min(max))
}
