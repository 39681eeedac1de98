//! The response head: status line and header fields, parsed incrementally.

use crate::{HeaderList, Limits, ProtoError};
use alloc::vec::Vec;
use core::mem::MaybeUninit;

/// Header slots kept on the stack; a larger [`Limits::max_headers`] uses a heap array.
const STACK_HEADERS: usize = 128;

/// A parsed response head: version, status code, reason phrase and header fields.
///
/// It is reused from one response to the next (see [`clear`](ResponseHead::clear)), so its
/// buffers stop growing once they fit the largest head seen.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResponseHead {
    version_minor: u8,
    code: u16,
    reason: Vec<u8>,
    headers: HeaderList,
}

impl ResponseHead {
    /// An empty head (code 0, HTTP/1.0 until filled).
    pub fn new() -> Self {
        ResponseHead::default()
    }

    /// Empties the head, keeping its buffers.
    pub fn clear(&mut self) {
        self.version_minor = 0;
        self.code = 0;
        self.reason.clear();
        self.headers.clear();
    }

    /// The minor version of the status line: 1 for `HTTP/1.1`, 0 for `HTTP/1.0`.
    pub fn version_minor(&self) -> u8 {
        self.version_minor
    }

    /// The status code (100..=999 once parsed; 0 when empty).
    pub fn code(&self) -> u16 {
        self.code
    }

    /// The reason phrase as sent (may be empty; may hold non-ASCII bytes).
    pub fn reason(&self) -> &[u8] {
        &self.reason
    }

    /// The header fields, in arrival order.
    pub fn headers(&self) -> &HeaderList {
        &self.headers
    }
}

/// The outcome of [`HeadParser::parse`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeadParse {
    /// The head is not complete yet: call again with the same bytes plus more.
    Partial,
    /// A complete head was parsed; it used the first `consumed` bytes of the buffer.
    Complete {
        /// Bytes of the buffer that belong to the head, blank line included.
        consumed: usize,
    },
}

/// Finds and parses one response head in a buffer that grows between calls.
///
/// The caller appends received bytes to its buffer and calls [`parse`](HeadParser::parse)
/// with the whole buffer (starting at the first byte of the head) after each read. A head
/// that is complete at the first look (the usual case: it arrives in one read) is parsed
/// in a single pass. Otherwise the parser remembers how far it has already looked for the
/// blank line that ends the head, so a head trickling in one byte per call costs linear time
/// overall, and `httparse` runs once more, when the end has been found.
///
/// Accepted beyond the strict grammar, as RFC 9112 allows: empty lines before the status line
/// (section 2.2), bare LF line endings (section 2.2), several spaces between status-line
/// fields (section 4), whitespace between a field name and its colon (removed, as section 5.1
/// tells proxies to do) and obsolete line folding (each fold becomes one space, section 5.2).
/// Anything that does not start with `HTTP/1.` is rejected as soon as the first bytes show it.
#[derive(Clone, Debug, Default)]
pub struct HeadParser {
    /// Offset of the status line (after any leading empty lines), once found.
    start: usize,
    /// Whether the leading empty lines are behind us.
    leading_done: bool,
    /// Every `\n` before this offset has been checked for the end of the head.
    scanned: usize,
}

impl HeadParser {
    /// A parser waiting for the first byte of a head.
    pub fn new() -> Self {
        HeadParser::default()
    }

    /// Forgets any progress, ready for a new head at the start of a new buffer.
    pub fn reset(&mut self) {
        *self = HeadParser::default();
    }

    /// Looks for a complete head at the start of `buf`.
    ///
    /// `buf` must start at the same byte on every call until the result is
    /// [`Complete`](HeadParse::Complete), and only grow at its end. On `Complete`, `out` holds
    /// the head and the parser resets itself for the next head; on `Partial` or an error,
    /// `out` is left unchanged.
    ///
    /// # Errors
    ///
    /// [`ProtoError::HeadTooLarge`] when no head ends within `limits.max_head_bytes`,
    /// [`ProtoError::TooManyHeaders`] past `limits.max_headers`, and
    /// [`ProtoError::InvalidHead`] for anything that is not an HTTP/1.0 or HTTP/1.1
    /// status line and header section.
    pub fn parse(
        &mut self,
        buf: &[u8],
        limits: &Limits,
        out: &mut ResponseHead,
    ) -> Result<HeadParse, ProtoError> {
        if self.start > buf.len() || self.scanned > buf.len() {
            // The buffer shrank: the caller broke the contract; start over rather than misread.
            self.reset();
        }
        let too_large = ProtoError::HeadTooLarge {
            limit: limits.max_head_bytes,
        };
        // Only bytes within the limit are looked at, so the outcome does not depend on how
        // many bytes past it have arrived.
        let window = buf.get(..limits.max_head_bytes).unwrap_or(buf);
        if !self.leading_done {
            match skip_empty_lines(window, self.start) {
                Ok(i) => {
                    self.start = i;
                    self.scanned = i;
                    self.leading_done = true;
                }
                Err(resume) => {
                    self.start = resume;
                    // Empty lines count towards the head; nothing at all is not too large.
                    return if !buf.is_empty() && buf.len() >= limits.max_head_bytes {
                        Err(too_large)
                    } else {
                        Ok(HeadParse::Partial)
                    };
                }
            }
        }
        if self.start >= limits.max_head_bytes {
            return Err(too_large);
        }
        check_version_prefix(window.get(self.start..).unwrap_or_default())?;
        if self.scanned == self.start {
            // First look at this head: most heads arrive whole, and httparse finds the end
            // while parsing. Anything else (incomplete, too large, malformed) is left to
            // the incremental search below, which decides exactly as if this had not run.
            if let Some(end) = parse_whole(buf, self.start, limits, out) {
                self.reset();
                return Ok(HeadParse::Complete { consumed: end });
            }
        }
        let Some(end) = self.find_end(buf, limits.max_head_bytes) else {
            return if buf.len() >= limits.max_head_bytes {
                Err(too_large)
            } else {
                Ok(HeadParse::Partial)
            };
        };
        let head = buf.get(self.start..end).unwrap_or_default();
        parse_complete(head, limits, out)?;
        self.reset();
        Ok(HeadParse::Complete { consumed: end })
    }

    /// The offset just past the blank line ending the head, looking no further than `limit`.
    fn find_end(&mut self, buf: &[u8], limit: usize) -> Option<usize> {
        let stop = buf.len().min(limit);
        let mut i = self.scanned.max(self.start);
        while i < stop {
            let Some(off) = buf
                .get(i..stop)
                .and_then(|s| s.iter().position(|&b| b == b'\n'))
            else {
                break;
            };
            let nl = i + off;
            // A line end preceded by an empty line (`\n\n` or `\n\r\n`) ends the head; the
            // status line itself is never empty, so looking back is limited to `start`.
            let prev = |k: usize| nl.checked_sub(k).filter(|&p| p >= self.start);
            let ends = match prev(1).and_then(|p| buf.get(p)) {
                Some(b'\n') => true,
                Some(b'\r') => prev(2).and_then(|p| buf.get(p)) == Some(&b'\n'),
                _ => false,
            };
            if ends {
                return Some(nl + 1);
            }
            i = nl + 1;
        }
        self.scanned = stop;
        None
    }
}

/// `Ok` with the offset of the first byte after the empty lines starting at `from`, or
/// `Err` with the offset to resume from when the buffer ends first.
fn skip_empty_lines(buf: &[u8], from: usize) -> Result<usize, usize> {
    let mut i = from;
    loop {
        match buf.get(i) {
            None => return Err(i),
            Some(b'\n') => i += 1,
            Some(b'\r') => match buf.get(i + 1) {
                None => return Err(i),
                Some(b'\n') => i += 2,
                // A lone CR: not an empty line; the version check rejects it.
                Some(_) => return Ok(i),
            },
            Some(_) => return Ok(i),
        }
    }
}

/// Rejects a head whose first bytes already show it is not `HTTP/1.x`, without waiting for
/// the rest: a TLS alert, an `ICY 200 OK` stream or a lower-case `http/1.1` fail at once.
fn check_version_prefix(line: &[u8]) -> Result<(), ProtoError> {
    const PREFIX: &[u8] = b"HTTP/1.";
    let n = line.len().min(PREFIX.len());
    if line.get(..n) == PREFIX.get(..n) {
        Ok(())
    } else {
        Err(ProtoError::InvalidHead {
            why: "not an HTTP/1.x status line",
        })
    }
}

/// Parses the head starting at `buf[start..]` when it is complete there and ends within
/// `limits.max_head_bytes`; returns the offset just past it. `None` (with `out` untouched)
/// when it is incomplete, too large or malformed.
fn parse_whole(buf: &[u8], start: usize, limits: &Limits, out: &mut ResponseHead) -> Option<usize> {
    // Only the bytes within the limit: a head ending past it is incomplete here, and
    // `out` is not touched.
    let head = buf.get(start..buf.len().min(limits.max_head_bytes))?;
    let n = run_httparse(head, limits, out).ok()??;
    start.checked_add(n)
}

/// Parses a complete head (status line through blank line) into `out`.
fn parse_complete(head: &[u8], limits: &Limits, out: &mut ResponseHead) -> Result<(), ProtoError> {
    match run_httparse(head, limits, out)? {
        Some(_) => Ok(()),
        None => Err(ProtoError::InvalidHead {
            why: "malformed head",
        }),
    }
}

/// Runs httparse over `bytes` (which start with the status line); on a complete head
/// fills `out` and returns the head's length, `None` when the head goes on past `bytes`.
/// `out` changes only on success.
fn run_httparse(
    bytes: &[u8],
    limits: &Limits,
    out: &mut ResponseHead,
) -> Result<Option<usize>, ProtoError> {
    let mut config = httparse::ParserConfig::default();
    config
        .allow_obsolete_multiline_headers_in_responses(true)
        .allow_multiple_spaces_in_response_status_delimiters(true)
        .allow_spaces_after_header_name_in_responses(true);
    // Uninitialised slots: httparse writes only those it fills, so a parse costs nothing
    // per unused slot.
    let mut stack = [MaybeUninit::<httparse::Header<'_>>::uninit(); STACK_HEADERS];
    let mut heap: Vec<httparse::Header<'_>>;
    let slots: &mut [MaybeUninit<httparse::Header<'_>>] = if limits.max_headers <= STACK_HEADERS {
        stack.get_mut(..limits.max_headers).unwrap_or_default()
    } else {
        heap = Vec::with_capacity(limits.max_headers);
        let spare = heap.spare_capacity_mut();
        let n = spare.len().min(limits.max_headers);
        spare.get_mut(..n).unwrap_or_default()
    };
    let mut resp = httparse::Response::new(&mut []);
    let n = match config.parse_response_with_uninit_headers(&mut resp, bytes, slots) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(httparse::Error::TooManyHeaders) => {
            return Err(ProtoError::TooManyHeaders {
                limit: limits.max_headers,
            })
        }
        Err(e) => return Err(ProtoError::InvalidHead { why: describe(e) }),
    };
    let (Some(version), Some(code)) = (resp.version, resp.code) else {
        return Err(ProtoError::InvalidHead {
            why: "malformed status line",
        });
    };
    if code < 100 {
        return Err(ProtoError::InvalidHead {
            why: "status code below 100",
        });
    }
    out.clear();
    out.version_minor = version;
    out.code = code;
    // httparse gives the phrase as sent, unless it holds obs-text (then it gives ""):
    // only then is the status line read again here.
    let reason = match resp.reason {
        Some(r) if !r.is_empty() => r.as_bytes(),
        _ => reason_phrase(bytes),
    };
    out.reason.extend_from_slice(reason);
    // Without obsolete line folding the head has one line per field plus the status line
    // and the blank line; counting line ends once (a vectorised loop) spares looking for
    // a fold in every value.
    let head = bytes.get(..n).unwrap_or_default();
    let folded = count_line_ends(head) != resp.headers.len() + 2;
    let fields = resp.headers.iter().map(|h| (h.name, h.value));
    out.headers.extend_from_head(head, fields, folded);
    Ok(Some(n))
}

/// The number of `\n` bytes in `s`.
fn count_line_ends(s: &[u8]) -> usize {
    // Byte-wide counters over runs that cannot overflow them let the loop use every lane
    // of a vector register.
    s.chunks(255)
        .map(|run| {
            let n = run
                .iter()
                .fold(0u8, |n, &b| n.wrapping_add(u8::from(b == b'\n')));
            usize::from(n)
        })
        .sum()
}

/// The reason phrase of a status line already validated by httparse, read from the raw
/// bytes so that obs-text survives (httparse reports such a phrase as empty).
fn reason_phrase(head: &[u8]) -> &[u8] {
    let line_end = head.iter().position(|&b| b == b'\n').unwrap_or(head.len());
    let line = head.get(..line_end).unwrap_or_default();
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    // "HTTP/1.x", spaces, three digits, spaces, reason.
    let rest = line.get(8..).unwrap_or_default();
    let rest = skip_spaces(rest);
    let rest = rest.get(3..).unwrap_or_default();
    skip_spaces(rest)
}

fn skip_spaces(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|&&b| b == b' ').count();
    s.get(n..).unwrap_or_default()
}

fn describe(e: httparse::Error) -> &'static str {
    match e {
        httparse::Error::Version => "not an HTTP/1.0 or HTTP/1.1 status line",
        httparse::Error::Status => "malformed status line",
        httparse::Error::HeaderName => "invalid header field name",
        httparse::Error::HeaderValue => "invalid byte in a header field value",
        httparse::Error::NewLine => "malformed line ending",
        httparse::Error::Token => "invalid token",
        httparse::Error::TooManyHeaders => "too many header fields",
    }
}

#[cfg(test)]
mod tests;
