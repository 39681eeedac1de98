//! Undoing a response's `Content-Encoding`: gzip, deflate, Brotli and Zstandard, stacked
//! as the field lists them, decoded as the body arrives.
//!
//! [`ContentDecoder`] takes the body in pieces of any size and writes the decoded bytes
//! into a buffer of the caller's: it never writes more than that buffer holds and keeps
//! only fixed buffers of its own, so a small body that decodes to gigabytes (a
//! compression bomb) costs time in proportion to what the caller takes, not memory. It
//! checks what the formats let it check: gzip's CRC32 and length, zlib's Adler-32,
//! zstd's checksum when a frame has one, and that each stream ended. A body cut short is
//! an error from [`finish`](ContentDecoder::finish) even when its length matched a
//! `Content-Length`.
//!
//! ```
//! use flate2::{write::GzEncoder, Compression};
//! use pollhttp::decode::ContentDecoder;
//! use std::io::Write;
//!
//! // A gzip body, as a server would send it.
//! let mut gz = GzEncoder::new(Vec::new(), Compression::default());
//! gz.write_all(b"hello, hello, hello")?;
//! let body = gz.finish()?;
//!
//! let mut decoder = ContentDecoder::from_content_encoding(["gzip"])?
//!     .expect("gzip is a coding to undo");
//! let mut out = [0u8; 8]; // any size: the decoder fills it, never more
//! let mut decoded = Vec::new();
//! // As pieces of the body arrive (here, 5 bytes at a time):
//! for mut piece in body.chunks(5) {
//!     while !piece.is_empty() {
//!         let (used, n) = decoder.decode(piece, &mut out)?;
//!         decoded.extend_from_slice(&out[..n]);
//!         piece = &piece[used..];
//!     }
//! }
//! // The body has ended: drain what is left, and learn whether it was whole.
//! loop {
//!     let n = decoder.finish(&mut out)?;
//!     if n == 0 {
//!         break;
//!     }
//!     decoded.extend_from_slice(&out[..n]);
//! }
//! assert_eq!(decoded, b"hello, hello, hello");
//! assert!(decoder.is_done());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod brotli;
mod coding;
mod deflate;
mod error;
mod gzip;
#[cfg(not(target_arch = "wasm32"))]
mod zstd;

#[cfg(test)]
mod tests;

pub use coding::Coding;
pub use error::{DecodeError, DecodeErrorKind, UnknownCoding};

use brotli::BrotliDecoder;
use deflate::DeflateDecoder;
use gzip::GzipDecoder;
#[cfg(not(target_arch = "wasm32"))]
use zstd::ZstdDecoder;

/// The most codings [`ContentDecoder::from_content_encoding`] stacks; a response that
/// lists more is refused with [`UnknownCoding`], since each costs memory and every
/// one multiplies the work per byte received. Real servers apply one, rarely two.
pub const MAX_CODINGS: usize = 4;

/// The buffer between two stacked decoders.
const PIPE_SIZE: usize = 32 * 1024;

/// How many rounds through a stack one [`ContentDecoder::decode`] call makes at most,
/// once it has taken input or written output: a stack can pass much data between its
/// stages without writing any out, and a call should return in bounded time.
const MAX_ROUNDS: usize = 32;

/// A stack of decoders undoing a response's content codings, in the reverse of the
/// order they were applied, as the body arrives.
///
/// Feed the body to [`decode`](Self::decode) as it arrives, then call
/// [`finish`](Self::finish) until it returns `Ok(0)`; see the [module](self) for a
/// complete loop.
///
/// # Memory
///
/// Each stacked coding has a 32 KiB buffer in front of its decoder, and each decoder
/// keeps the window its format needs: 32 KiB for gzip and deflate, up to 16 MiB for
/// Brotli and up to 8 MiB for zstd, sized by what the stream declares. None of it grows
/// with the size of the input or the output.
pub struct ContentDecoder {
    /// As applied, in order, as given to [`new`](Self::new).
    codings: Vec<Coding>,
    /// The decoders, in decoding order (the last applied coding first), without identity.
    stages: Vec<Stage>,
    /// `pipes[i]` carries the output of `stages[i]` to `stages[i + 1]`.
    pipes: Vec<Pipe>,
    /// The first error, returned again by every later call.
    failed: Option<DecodeError>,
    /// [`finish`](Self::finish) has returned `Ok(0)`: everything is out and whole.
    finished: bool,
}

impl ContentDecoder {
    /// The decoder for a response with these `Content-Encoding` field values, in the order
    /// they came; a value may list several codings separated by commas, and several
    /// fields add up to one list (RFC 9110 §5.3).
    ///
    /// Names are compared ignoring ASCII case, `x-gzip` is `gzip`, white space around
    /// names and empty list elements are ignored.
    ///
    /// - `Ok(None)`: nothing to decode (no coding, or only `identity`).
    /// - `Err(UnknownCoding)`: a coding this crate does not decode (such as `compress`),
    ///   or more than [`MAX_CODINGS`] codings. The body should then be handed on as
    ///   received, together with the `Content-Encoding` field.
    ///
    /// ```
    /// use pollhttp::decode::{Coding, ContentDecoder};
    ///
    /// let decoder = ContentDecoder::from_content_encoding(["gzip", " , BR"])?.unwrap();
    /// assert_eq!(decoder.codings(), [Coding::Gzip, Coding::Brotli]);
    /// assert!(ContentDecoder::from_content_encoding(["identity"])?.is_none());
    /// assert!(ContentDecoder::from_content_encoding([] as [&str; 0])?.is_none());
    /// assert!(ContentDecoder::from_content_encoding(["foo"]).is_err());
    /// # Ok::<(), pollhttp::decode::UnknownCoding>(())
    /// ```
    pub fn from_content_encoding<'a>(
        values: impl IntoIterator<Item = &'a str>,
    ) -> Result<Option<ContentDecoder>, UnknownCoding> {
        let codings = coding::parse(values)?;
        if codings.is_empty() {
            return Ok(None);
        }
        Ok(Some(ContentDecoder::new(&codings)))
    }

    /// A decoder for these codings, given in the order they were applied (the order of
    /// `Content-Encoding`); they are undone in reverse. `identity` entries are skipped;
    /// with no other coding the decoder copies its input.
    ///
    /// There is no limit on the number of codings here (the caller chose them); a
    /// coding not built into this target ([`Coding::is_supported`]) fails on first use
    /// with [`DecodeErrorKind::Unavailable`].
    pub fn new(codings: &[Coding]) -> ContentDecoder {
        let stages: Vec<Stage> = codings
            .iter()
            .rev()
            .filter(|&&coding| coding != Coding::Identity)
            .map(|&coding| Stage::new(coding))
            .collect();
        let pipes = (1..stages.len()).map(|_| Pipe::new()).collect();
        ContentDecoder {
            codings: codings.to_vec(),
            stages,
            pipes,
            failed: None,
            finished: false,
        }
    }

    /// The codings, in the order they were applied (the order of `Content-Encoding`),
    /// without `identity` when they came from
    /// [`from_content_encoding`](Self::from_content_encoding).
    pub fn codings(&self) -> &[Coding] {
        &self.codings
    }

    /// Decodes from the start of `input` into `output`; returns how many bytes of `input`
    /// it took and how many it wrote at the start of `output`.
    ///
    /// It writes at most `output.len()` bytes and may take input without writing any (a
    /// header, or data that fills its internal buffers); what it took is its own, so the
    /// next call passes the rest. It makes progress: when `input` is not empty and
    /// `output` is not full, it takes or writes at least one byte, or fails. With an
    /// empty `input` it writes out what it holds, as far as `output` allows. One call does
    /// a bounded amount of work and may return before all of `input` is taken.
    ///
    /// An error is final: this and every later call return it again.
    pub fn decode(
        &mut self,
        input: &[u8],
        output: &mut [u8],
    ) -> Result<(usize, usize), DecodeError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        self.pump(input, output, false).inspect_err(|e| {
            self.failed = Some(e.clone());
        })
    }

    /// The input has ended: writes what remains into `output` and checks that every
    /// stream ended where the input did.
    ///
    /// Call it until it returns `Ok(0)`:
    /// - `Ok(n)` with `n > 0`: `n` bytes were written at the start of `output`; call
    ///   again.
    /// - `Ok(0)`, with a non-empty `output`: everything has been written and every stream
    ///   ended whole; [`is_done`](Self::is_done) is now true. (An empty `output` also gets
    ///   `Ok(0)`, with nothing done or checked.)
    /// - `Err`: a stream was cut short ([`DecodeErrorKind::Truncated`]), or the data left
    ///   in the decoder is corrupt. A body that has no bytes at all decodes to nothing
    ///   without error, as browsers accept.
    ///
    /// An error is final: this and every later call return it again.
    pub fn finish(&mut self, output: &mut [u8]) -> Result<usize, DecodeError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        if output.is_empty() {
            return Ok(0);
        }
        let result = self.pump(&[], output, true).and_then(|(_, produced)| {
            if produced > 0 {
                return Ok(produced);
            }
            // Nothing more comes out: each stream must have ended. A decoder that never
            // had input (the body, or the stream inside it, was empty) has nothing to end.
            match self
                .stages
                .iter()
                .find(|stage| !stage.is_complete() && stage.total_in() > 0)
            {
                Some(stage) => Err(DecodeError::new(
                    stage.coding(),
                    DecodeErrorKind::Truncated,
                    stage.total_in(),
                )),
                None => Ok(0),
            }
        });
        match &result {
            Ok(0) => self.finished = true,
            Ok(_) => {}
            Err(e) => self.failed = Some(e.clone()),
        }
        result
    }

    /// Whether every stream has ended and everything decoded has been written out: the
    /// end of each coding's stream (for gzip and zstd, of a member or frame after which
    /// the input may end) has been seen, or [`finish`](Self::finish) has returned
    /// `Ok(0)`. More input may still follow in gzip or zstd, as another member or
    /// frame.
    pub fn is_done(&self) -> bool {
        self.finished
            || (self.failed.is_none()
                && self.pipes.iter().all(Pipe::is_empty)
                && self.stages.iter().all(Stage::is_complete))
    }

    /// Runs `input` through the stages into `output`, round after round, until nothing
    /// moves, `output` is full, or (unless `finishing`) the rounds run out.
    fn pump(
        &mut self,
        input: &[u8],
        output: &mut [u8],
        finishing: bool,
    ) -> Result<(usize, usize), DecodeError> {
        if self.stages.is_empty() {
            // Identity only: a copy.
            let n = input.len().min(output.len());
            output[..n].copy_from_slice(&input[..n]);
            return Ok((n, n));
        }
        let (mut consumed, mut produced) = (0, 0);
        let mut rounds = 0;
        loop {
            let mut moved = false;
            for (i, stage) in self.stages.iter_mut().enumerate() {
                let (before, after) = self.pipes.split_at_mut(i);
                let src: &[u8] = match before.last() {
                    Some(pipe) => pipe.data(),
                    None => &input[consumed..],
                };
                let dst: &mut [u8] = match after.first_mut() {
                    Some(pipe) => pipe.space(),
                    None => &mut output[produced..],
                };
                if dst.is_empty() {
                    continue;
                }
                let (c, p) = stage.decode(src, dst)?;
                match before.last_mut() {
                    Some(pipe) => pipe.consume(c),
                    None => consumed += c,
                }
                match after.first_mut() {
                    Some(pipe) => pipe.fill(p),
                    None => produced += p,
                }
                moved |= c > 0 || p > 0;
            }
            rounds += 1;
            if !moved
                || produced == output.len()
                || (!finishing && rounds >= MAX_ROUNDS && (consumed > 0 || produced > 0))
            {
                return Ok((consumed, produced));
            }
        }
    }
}

impl std::fmt::Debug for ContentDecoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ContentDecoder")
            .field("codings", &self.codings)
            .field("buffered", &self.pipes.iter().map(Pipe::len).sum::<usize>())
            .field("failed", &self.failed)
            .field("done", &self.is_done())
            .finish()
    }
}

/// One coding's decoder.
enum Stage {
    Gzip(GzipDecoder),
    Deflate(DeflateDecoder),
    Brotli(BrotliDecoder),
    #[cfg(not(target_arch = "wasm32"))]
    Zstd(ZstdDecoder),
    /// A coding this target does not build.
    Unavailable(Coding),
}

impl Stage {
    fn new(coding: Coding) -> Stage {
        match coding {
            Coding::Gzip => Stage::Gzip(GzipDecoder::new()),
            Coding::Deflate => Stage::Deflate(DeflateDecoder::new()),
            Coding::Brotli => Stage::Brotli(BrotliDecoder::new()),
            #[cfg(not(target_arch = "wasm32"))]
            Coding::Zstd => Stage::Zstd(ZstdDecoder::new()),
            // Identity never becomes a stage.
            other => Stage::Unavailable(other),
        }
    }

    fn coding(&self) -> Coding {
        match self {
            Stage::Gzip(_) => Coding::Gzip,
            Stage::Deflate(_) => Coding::Deflate,
            Stage::Brotli(_) => Coding::Brotli,
            #[cfg(not(target_arch = "wasm32"))]
            Stage::Zstd(_) => Coding::Zstd,
            Stage::Unavailable(coding) => *coding,
        }
    }

    /// Decodes from `input` into `output` (not empty); returns (taken, written).
    fn decode(&mut self, input: &[u8], output: &mut [u8]) -> Result<(usize, usize), DecodeError> {
        match self {
            Stage::Gzip(d) => d.decode(input, output),
            Stage::Deflate(d) => d.decode(input, output),
            Stage::Brotli(d) => d.decode(input, output),
            #[cfg(not(target_arch = "wasm32"))]
            Stage::Zstd(d) => d.decode(input, output),
            Stage::Unavailable(coding) => {
                Err(DecodeError::new(*coding, DecodeErrorKind::Unavailable, 0)
                    .with_detail("not built for this target"))
            }
        }
    }

    /// At the end of a stream (of a member or frame, for gzip and zstd), with nothing
    /// held back: the input may end here.
    fn is_complete(&self) -> bool {
        match self {
            Stage::Gzip(d) => d.is_complete(),
            Stage::Deflate(d) => d.is_complete(),
            Stage::Brotli(d) => d.is_complete(),
            #[cfg(not(target_arch = "wasm32"))]
            Stage::Zstd(d) => d.is_complete(),
            Stage::Unavailable(_) => false,
        }
    }

    /// Bytes of input taken so far.
    fn total_in(&self) -> u64 {
        match self {
            Stage::Gzip(d) => d.total_in(),
            Stage::Deflate(d) => d.total_in(),
            Stage::Brotli(d) => d.total_in(),
            #[cfg(not(target_arch = "wasm32"))]
            Stage::Zstd(d) => d.total_in(),
            Stage::Unavailable(_) => 0,
        }
    }
}

/// A fixed buffer from one stage to the next.
struct Pipe {
    buf: Box<[u8]>,
    start: usize,
    end: usize,
}

impl Pipe {
    fn new() -> Pipe {
        Pipe {
            buf: vec![0; PIPE_SIZE].into_boxed_slice(),
            start: 0,
            end: 0,
        }
    }

    fn data(&self) -> &[u8] {
        &self.buf[self.start..self.end]
    }

    fn len(&self) -> usize {
        self.end - self.start
    }

    fn is_empty(&self) -> bool {
        self.start == self.end
    }

    fn consume(&mut self, n: usize) {
        self.start = (self.start + n).min(self.end);
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        }
    }

    /// The free space after the data, moving the data to the front when it has reached
    /// the end.
    fn space(&mut self) -> &mut [u8] {
        if self.end == self.buf.len() && self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        &mut self.buf[self.end..]
    }

    fn fill(&mut self, n: usize) {
        self.end = (self.end + n).min(self.buf.len());
    }
}
