//! The `zstd` coding: Zstandard frames (RFC 8878), one after another, through libzstd.

use super::{Coding, DecodeError, DecodeErrorKind};
use std::io;
use zstd::stream::raw::{DParameter, Decoder, InBuffer, Operation, OutBuffer};

/// The largest window accepted, as a power of two: 8 MiB, the limit RFC 9659 sets for
/// the `zstd` content coding.
const WINDOW_LOG_MAX: u32 = 23;

/// Decodes a `zstd` body of one or more frames (skippable frames included).
pub(super) struct ZstdDecoder {
    /// The decoder, or why libzstd could not make one.
    decoder: Result<Decoder<'static>, io::Error>,
    /// Between frames: nothing begun, nothing held back.
    at_boundary: bool,
    /// Frames decoded whole.
    frames: u64,
    total_in: u64,
}

impl ZstdDecoder {
    pub(super) fn new() -> ZstdDecoder {
        let decoder = Decoder::new().and_then(|mut decoder| {
            decoder.set_parameter(DParameter::WindowLogMax(WINDOW_LOG_MAX))?;
            Ok(decoder)
        });
        ZstdDecoder {
            decoder,
            at_boundary: true,
            frames: 0,
            total_in: 0,
        }
    }

    pub(super) fn is_complete(&self) -> bool {
        self.at_boundary && self.frames > 0
    }

    pub(super) fn total_in(&self) -> u64 {
        self.total_in
    }

    pub(super) fn decode(
        &mut self,
        input: &[u8],
        output: &mut [u8],
    ) -> Result<(usize, usize), DecodeError> {
        let decoder = match &mut self.decoder {
            Ok(decoder) => decoder,
            Err(e) => {
                return Err(
                    DecodeError::new(Coding::Zstd, DecodeErrorKind::Unavailable, 0)
                        .with_detail(e.to_string())
                        .with_source(io::Error::new(e.kind(), e.to_string())),
                )
            }
        };
        // Between frames nothing is held back, and asking would start a frame.
        if self.at_boundary && input.is_empty() {
            return Ok((0, 0));
        }
        let mut src = InBuffer::around(input);
        let mut dst = OutBuffer::around(output);
        let result = decoder.run(&mut src, &mut dst);
        let taken = src.pos().min(input.len());
        let written = dst.pos().min(output.len());
        let position = self.total_in;
        self.total_in += taken as u64;
        match result {
            // 0: a frame has been decoded and written out whole.
            Ok(0) => {
                if !self.at_boundary || taken > 0 {
                    self.frames += 1;
                }
                self.at_boundary = true;
                Ok((taken, written))
            }
            Ok(_) => {
                self.at_boundary = false;
                Ok((taken, written))
            }
            Err(e) => {
                // What follows a whole frame and does not start one is not a frame.
                let kind = if self.at_boundary && self.frames > 0 {
                    DecodeErrorKind::TrailingData
                } else {
                    DecodeErrorKind::Corrupt
                };
                Err(
                    DecodeError::new(Coding::Zstd, kind, position + taken as u64)
                        .with_detail(e.to_string())
                        .with_source(e),
                )
            }
        }
    }
}
