//! Content codings and the `Content-Encoding` field that lists them.

use super::error::UnknownCoding;
use super::MAX_CODINGS;
use std::fmt;

/// One content coding (RFC 9110 §8.4.1), by its registered name.
///
/// ```
/// use pollhttp::decode::Coding;
///
/// assert_eq!(Coding::from_token("X-GZIP"), Some(Coding::Gzip));
/// assert_eq!(Coding::Brotli.as_str(), "br");
/// assert_eq!(Coding::from_token("compress"), None);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Coding {
    /// `gzip` (RFC 1952), also written `x-gzip`; members may follow one another.
    Gzip,
    /// `deflate`: a zlib stream (RFC 1950), or, as browsers accept, raw deflate data
    /// (RFC 1951), told apart by the first two bytes.
    Deflate,
    /// `br`: Brotli (RFC 7932).
    Brotli,
    /// `zstd`: Zstandard (RFC 8878) with a window of at most 8 MiB (RFC 9659); frames may
    /// follow one another. Not built on wasm32, where the browser decodes.
    Zstd,
    /// `identity`: no coding; decoding it copies.
    Identity,
}

impl Coding {
    /// The coding named by a `Content-Encoding` token, ignoring ASCII case; `x-gzip` is
    /// [`Gzip`](Coding::Gzip). `None` for a name this crate does not decode, such as
    /// `compress`.
    pub fn from_token(token: &str) -> Option<Coding> {
        const NAMES: [(&str, Coding); 6] = [
            ("gzip", Coding::Gzip),
            ("x-gzip", Coding::Gzip),
            ("deflate", Coding::Deflate),
            ("br", Coding::Brotli),
            ("zstd", Coding::Zstd),
            ("identity", Coding::Identity),
        ];
        NAMES
            .iter()
            .find(|(name, _)| token.eq_ignore_ascii_case(name))
            .map(|&(_, coding)| coding)
    }

    /// The registered name: `gzip`, `deflate`, `br`, `zstd` or `identity`.
    pub fn as_str(self) -> &'static str {
        match self {
            Coding::Gzip => "gzip",
            Coding::Deflate => "deflate",
            Coding::Brotli => "br",
            Coding::Zstd => "zstd",
            Coding::Identity => "identity",
        }
    }

    /// Whether [`ContentDecoder`](super::ContentDecoder) decodes this coding on this
    /// target: all but [`Zstd`](Coding::Zstd) on wasm32.
    pub fn is_supported(self) -> bool {
        !(cfg!(target_arch = "wasm32") && self == Coding::Zstd)
    }
}

impl fmt::Display for Coding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The codings of a response's `Content-Encoding` field values, in the order applied,
/// without `identity`.
pub(super) fn parse<'a>(
    values: impl IntoIterator<Item = &'a str>,
) -> Result<Vec<Coding>, UnknownCoding> {
    let mut codings = Vec::new();
    for value in values {
        for token in value.split(',') {
            let token = token.trim_matches([' ', '\t']);
            if token.is_empty() {
                continue;
            }
            match Coding::from_token(token) {
                Some(Coding::Identity) => {}
                Some(coding) if coding.is_supported() => {
                    if codings.len() == MAX_CODINGS {
                        return Err(UnknownCoding::too_many(token));
                    }
                    codings.push(coding);
                }
                _ => return Err(UnknownCoding::unknown(token)),
            }
        }
    }
    Ok(codings)
}
