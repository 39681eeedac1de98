//! The `br` coding: one Brotli stream (RFC 7932).

use super::{Coding, DecodeError, DecodeErrorKind};
use brotli_decompressor::{BrotliDecompressStream, BrotliResult, BrotliState, StandardAlloc};
use std::error::Error;
use std::fmt;

type State = BrotliState<StandardAlloc, StandardAlloc, StandardAlloc>;

/// Decodes a `br` body. Only standard streams (a window of at most 16 MiB), not the
/// large-window extension.
pub(super) struct BrotliDecoder {
    state: Box<State>,
    done: bool,
    total_in: u64,
}

impl BrotliDecoder {
    pub(super) fn new() -> BrotliDecoder {
        BrotliDecoder {
            state: Box::new(BrotliState::new_strict(
                StandardAlloc::default(),
                StandardAlloc::default(),
                StandardAlloc::default(),
            )),
            done: false,
            total_in: 0,
        }
    }

    pub(super) fn is_complete(&self) -> bool {
        self.done
    }

    pub(super) fn total_in(&self) -> u64 {
        self.total_in
    }

    pub(super) fn decode(
        &mut self,
        input: &[u8],
        output: &mut [u8],
    ) -> Result<(usize, usize), DecodeError> {
        if self.done {
            if input.is_empty() {
                return Ok((0, 0));
            }
            return Err(DecodeError::new(
                Coding::Brotli,
                DecodeErrorKind::TrailingData,
                self.total_in,
            ));
        }
        let (mut available_in, mut input_offset) = (input.len(), 0);
        let (mut available_out, mut output_offset) = (output.len(), 0);
        // Counted per call, so that it cannot overflow on a long stream.
        let mut total_out = 0;
        let result = BrotliDecompressStream(
            &mut available_in,
            &mut input_offset,
            input,
            &mut available_out,
            &mut output_offset,
            output,
            &mut total_out,
            &mut self.state,
        );
        let taken = input_offset.min(input.len());
        let written = output_offset.min(output.len());
        self.total_in += taken as u64;
        match result {
            BrotliResult::ResultSuccess => {
                self.done = true;
                Ok((taken, written))
            }
            BrotliResult::NeedsMoreInput | BrotliResult::NeedsMoreOutput => Ok((taken, written)),
            BrotliResult::ResultFailure => {
                let code = BrotliError(format!("{:?}", self.state.error_code));
                Err(
                    DecodeError::new(Coding::Brotli, DecodeErrorKind::Corrupt, self.total_in)
                        .with_detail(code.0.clone())
                        .with_source(code),
                )
            }
        }
    }
}

/// The decoder's error code, by name (such as `BROTLI_DECODER_ERROR_FORMAT_PADDING_1`).
#[derive(Debug)]
struct BrotliError(String);

impl fmt::Display for BrotliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Error for BrotliError {}
