//! What goes wrong while undoing content codings.

use super::Coding;
use std::error::Error;
use std::fmt;
use std::io;
use std::sync::Arc;

/// What is wrong with an encoded body; see [`DecodeError::kind`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DecodeErrorKind {
    /// The data is not a valid stream of its coding: a bad header, an invalid block, a
    /// checksum or length that does not match the data.
    Corrupt,
    /// The input ended inside a stream: a member, frame or block begun and not finished,
    /// or a trailer missing.
    Truncated,
    /// More data came after the end of the last stream, and it does not start another
    /// stream of the same coding (gzip members and zstd frames may follow one another).
    TrailingData,
    /// The decoder cannot run: the coding is not built into this target, or its library
    /// failed for a reason that is not the data's.
    Unavailable,
}

impl DecodeErrorKind {
    fn what(self) -> &'static str {
        match self {
            DecodeErrorKind::Corrupt => "corrupt data",
            DecodeErrorKind::Truncated => "truncated stream",
            DecodeErrorKind::TrailingData => "data after the end of the stream",
            DecodeErrorKind::Unavailable => "decoder unavailable",
        }
    }
}

/// A body that could not be decoded, from [`ContentDecoder`](super::ContentDecoder).
///
/// It says which [coding](Self::coding) failed, [how](Self::kind), and after how many
/// bytes of that coding's own input (for a stacked coding, the output of the coding
/// undone before it). [`source`](Error::source) is the decoding library's own error where
/// it has one. It converts into an [`io::Error`] of kind
/// [`InvalidData`](io::ErrorKind::InvalidData) (or
/// [`UnexpectedEof`](io::ErrorKind::UnexpectedEof) when [truncated](DecodeErrorKind::Truncated)).
///
/// ```
/// use pollhttp::decode::{Coding, ContentDecoder, DecodeErrorKind};
///
/// let mut decoder = ContentDecoder::new(&[Coding::Gzip]);
/// let mut out = [0u8; 64];
/// // A gzip header and nothing else: the body was cut short.
/// decoder.decode(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3], &mut out)?;
/// let err = decoder.finish(&mut out).unwrap_err();
/// assert_eq!(err.coding(), Coding::Gzip);
/// assert_eq!(err.kind(), DecodeErrorKind::Truncated);
/// assert_eq!(err.to_string(), "gzip: truncated stream after 10 input bytes");
/// # Ok::<(), pollhttp::decode::DecodeError>(())
/// ```
#[derive(Clone, Debug)]
pub struct DecodeError {
    coding: Coding,
    kind: DecodeErrorKind,
    position: u64,
    detail: Option<Arc<str>>,
    source: Option<Arc<dyn Error + Send + Sync + 'static>>,
}

impl DecodeError {
    pub(super) fn new(coding: Coding, kind: DecodeErrorKind, position: u64) -> DecodeError {
        DecodeError {
            coding,
            kind,
            position,
            detail: None,
            source: None,
        }
    }

    /// Adds a short description of what the decoder saw, such as "CRC32 mismatch".
    pub(super) fn with_detail(mut self, detail: impl Into<Arc<str>>) -> DecodeError {
        self.detail = Some(detail.into());
        self
    }

    /// Adds the library's error as the source.
    pub(super) fn with_source(mut self, source: impl Error + Send + Sync + 'static) -> DecodeError {
        self.source = Some(Arc::new(source));
        self
    }

    /// The coding whose stream is at fault.
    pub fn coding(&self) -> Coding {
        self.coding
    }

    /// What is wrong.
    pub fn kind(&self) -> DecodeErrorKind {
        self.kind
    }

    /// How many bytes of input the failing coding's decoder had taken when it failed:
    /// for [`TrailingData`](DecodeErrorKind::TrailingData), the length of the stream
    /// and so where the extra data starts.
    ///
    /// For the outermost coding (the last applied, the first undone) these are bytes of
    /// the body as received; for a coding further in, bytes of the output of the one
    /// undone before it. Decoders take input in pieces, so for corrupt data this is where
    /// the fault was found, at or a little after the bad byte.
    pub fn position(&self) -> u64 {
        self.position
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.coding, self.kind.what())?;
        if let Some(detail) = &self.detail {
            write!(f, " ({detail})")?;
        }
        match self.kind {
            DecodeErrorKind::Unavailable => Ok(()),
            DecodeErrorKind::TrailingData => write!(f, " at input byte {}", self.position),
            _ => write!(f, " after {} input bytes", self.position),
        }
    }
}

impl Error for DecodeError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match &self.source {
            Some(source) => Some(&**source as &(dyn Error + 'static)),
            None => None,
        }
    }
}

impl From<DecodeError> for io::Error {
    fn from(e: DecodeError) -> io::Error {
        let kind = match e.kind {
            DecodeErrorKind::Truncated => io::ErrorKind::UnexpectedEof,
            DecodeErrorKind::Unavailable => io::ErrorKind::Unsupported,
            _ => io::ErrorKind::InvalidData,
        };
        io::Error::new(kind, e)
    }
}

/// A `Content-Encoding` naming a coding that [`ContentDecoder`](super::ContentDecoder)
/// does not decode, from
/// [`ContentDecoder::from_content_encoding`](super::ContentDecoder::from_content_encoding).
///
/// The body should then be handed on as received, together with its `Content-Encoding`
/// field, for whoever can decode it.
///
/// ```
/// use pollhttp::decode::ContentDecoder;
///
/// let err = ContentDecoder::from_content_encoding(["gzip, compress"]).unwrap_err();
/// assert_eq!(err.token(), "compress");
/// assert_eq!(err.to_string(), "unsupported content coding \"compress\"");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownCoding {
    token: String,
    too_many: bool,
}

impl UnknownCoding {
    pub(super) fn unknown(token: &str) -> UnknownCoding {
        UnknownCoding {
            token: token.to_owned(),
            too_many: false,
        }
    }

    pub(super) fn too_many(token: &str) -> UnknownCoding {
        UnknownCoding {
            token: token.to_owned(),
            too_many: true,
        }
    }

    /// The coding's name as the field wrote it, or, when there were
    /// [too many](Self::is_too_many) codings, the first one past the limit.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// Whether the codings are ones this crate knows but there are more of them than
    /// [`MAX_CODINGS`](super::MAX_CODINGS).
    pub fn is_too_many(&self) -> bool {
        self.too_many
    }
}

impl fmt::Display for UnknownCoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.too_many {
            write!(
                f,
                "more than {} stacked content codings (at {:?})",
                super::MAX_CODINGS,
                self.token
            )
        } else {
            write!(f, "unsupported content coding {:?}", self.token)
        }
    }
}

impl Error for UnknownCoding {}
