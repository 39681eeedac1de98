//! The response head: status line and header fields, parsed incrementally.

use super::{HeaderList, Limits, ProtoError};

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
/// with the whole buffer (starting at the first byte of the head) after each read. The
/// parser remembers how far it has already looked for the blank line that ends the head, so a
/// head trickling in one byte per call costs linear time overall; `httparse` runs once, when
/// the end has been found.
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
        if !self.leading_done {
            match skip_empty_lines(buf, self.start) {
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
        check_version_prefix(buf.get(self.start..).unwrap_or_default())?;
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

/// Parses a complete head (status line through blank line) into `out`.
fn parse_complete(head: &[u8], limits: &Limits, out: &mut ResponseHead) -> Result<(), ProtoError> {
    let mut config = httparse::ParserConfig::default();
    config
        .allow_obsolete_multiline_headers_in_responses(true)
        .allow_multiple_spaces_in_response_status_delimiters(true)
        .allow_spaces_after_header_name_in_responses(true);
    let mut stack = [httparse::EMPTY_HEADER; STACK_HEADERS];
    let mut heap;
    let slots: &mut [httparse::Header<'_>] = if limits.max_headers <= STACK_HEADERS {
        stack.get_mut(..limits.max_headers).unwrap_or_default()
    } else {
        heap = vec![httparse::EMPTY_HEADER; limits.max_headers];
        &mut heap
    };
    let mut resp = httparse::Response::new(slots);
    match config.parse_response(&mut resp, head) {
        Ok(httparse::Status::Complete(_)) => {}
        Ok(httparse::Status::Partial) => {
            return Err(ProtoError::InvalidHead {
                why: "malformed head",
            })
        }
        Err(httparse::Error::TooManyHeaders) => {
            return Err(ProtoError::TooManyHeaders {
                limit: limits.max_headers,
            })
        }
        Err(e) => return Err(ProtoError::InvalidHead { why: describe(e) }),
    }
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
    out.reason.extend_from_slice(reason_phrase(head));
    for h in resp.headers.iter() {
        if h.value.contains(&b'\n') {
            out.headers.push_unfolded(h.name, h.value);
        } else {
            out.headers.push(h.name.as_bytes(), h.value);
        }
    }
    Ok(())
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
#[path = "head_tests.rs"]
mod tests;
