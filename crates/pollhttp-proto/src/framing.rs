//! How a response body is delimited (RFC 9112 section 6.3) and whether the connection
//! survives it.

use crate::syntax::{is_field_name, is_token, list_contains, parse_decimal, trim_ows};
use crate::{HeaderList, Method, ProtoError, ResponseHead};

/// How the body of a response ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyKind {
    /// No body: a response to HEAD, a 1xx, 204 or 304.
    None,
    /// Exactly this many bytes (`Content-Length`).
    Length(u64),
    /// `Transfer-Encoding` ending in `chunked`.
    Chunked,
    /// Everything until the server closes the connection: no usable framing, a
    /// `Transfer-Encoding` not ending in `chunked`, or the raw bytes after a 101 Switching
    /// Protocols or a successful CONNECT.
    UntilClose,
}

/// The framing decision for one response.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Framing {
    /// How the body ends.
    pub body: BodyKind,
    /// The `Content-Length` value when it is what delimits the body; `None` otherwise
    /// (including a length that `Transfer-Encoding` overrides or a HEAD response's length).
    pub content_length: Option<u64>,
    /// Whether the body uses chunked framing.
    pub chunked: bool,
    /// Whether the connection may carry another request once this body is read.
    pub keep_alive: bool,
}

impl Framing {
    fn until_close() -> Framing {
        Framing {
            body: BodyKind::UntilClose,
            content_length: None,
            chunked: false,
            keep_alive: false,
        }
    }
}

/// Decides how the body of `head` is delimited, following RFC 9112 section 6.3 in order.
///
/// 1. A 101 response, or a 2xx response to CONNECT, hands the connection over to another
///    protocol: the bytes after the head are [`BodyKind::UntilClose`] and the connection is
///    not reused for HTTP.
/// 2. A response to HEAD, a 1xx, 204 or 304 has no body, whatever its framing headers say.
/// 3. `Transfer-Encoding` (all field lines and list elements, case-insensitive) overrides
///    `Content-Length`: ending in `chunked` gives [`BodyKind::Chunked`]; any other list gives
///    [`BodyKind::UntilClose`]. With both headers present the connection closes after the
///    response, since an intermediary may have framed it differently.
/// 4. Otherwise `Content-Length` (every field line and list element `1*DIGIT`, all equal)
///    gives [`BodyKind::Length`].
/// 5. Otherwise the body runs until the server closes.
///
/// The connection is kept for HTTP/1.1 unless `Connection` lists `close`; never for HTTP/1.0.
/// `request_method` is compared case-sensitively, as methods are (`"HEAD"`, `"CONNECT"`).
///
/// ```
/// use pollhttp_proto::{decide_framing, BodyKind, HeadParse, HeadParser, Limits, ResponseHead};
/// let mut head = ResponseHead::new();
/// let bytes = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n";
/// HeadParser::new().parse(bytes, &Limits::default(), &mut head)?;
/// let framing = decide_framing("GET", &head)?;
/// assert_eq!(framing.body, BodyKind::Chunked);
/// assert!(framing.keep_alive);
/// # Ok::<(), pollhttp_proto::ProtoError>(())
/// ```
///
/// # Errors
///
/// [`ProtoError::InvalidTransferEncoding`], [`ProtoError::InvalidContentLength`] and
/// [`ProtoError::ConflictingContentLength`] when the framing headers cannot be trusted.
pub fn decide_framing(request_method: &str, head: &ResponseHead) -> Result<Framing, ProtoError> {
    let method = match request_method {
        "HEAD" => Some(Method::Head),
        "CONNECT" => Some(Method::Connect),
        _ => None,
    };
    decide(method, head).map(|(framing, _)| framing)
}

/// [`decide_framing`] for a known method; the flag says the head switched protocols (rule 1).
pub(crate) fn decide_framing_for(
    method: Method,
    head: &ResponseHead,
) -> Result<(Framing, bool), ProtoError> {
    decide(Some(method), head)
}

fn decide(method: Option<Method>, head: &ResponseHead) -> Result<(Framing, bool), ProtoError> {
    let code = head.code();
    if code == 101 || (method == Some(Method::Connect) && (200..300).contains(&code)) {
        return Ok((Framing::until_close(), true));
    }
    decide_http(method == Some(Method::Head), head).map(|f| (f, false))
}

fn decide_http(head_request: bool, head: &ResponseHead) -> Result<Framing, ProtoError> {
    let code = head.code();
    let fields = FramingFields::scan(head.headers());
    let persistent = head.version_minor() >= 1 && !fields.close;

    if head_request || (100..200).contains(&code) || code == 204 || code == 304 {
        return Ok(Framing {
            body: BodyKind::None,
            content_length: None,
            chunked: false,
            keep_alive: persistent,
        });
    }
    if let Some(chunked_last) = fields.transfer_coding.finish()? {
        if !chunked_last {
            return Ok(Framing::until_close());
        }
        return Ok(Framing {
            body: BodyKind::Chunked,
            content_length: None,
            chunked: true,
            keep_alive: persistent && !fields.content_length.present,
        });
    }
    if let Some(n) = fields.content_length.finish()? {
        return Ok(Framing {
            body: BodyKind::Length(n),
            content_length: Some(n),
            chunked: false,
            keep_alive: persistent,
        });
    }
    Ok(Framing::until_close())
}

/// What the framing fields say, gathered in one pass over the header list (the decision
/// needs `Connection`, `Transfer-Encoding` and `Content-Length`; looking each up
/// separately would walk the list once per name).
struct FramingFields {
    /// `Connection` lists `close`.
    close: bool,
    transfer_coding: TransferCoding,
    content_length: ContentLength,
}

impl FramingFields {
    fn scan(headers: &HeaderList) -> FramingFields {
        let mut fields = FramingFields {
            close: false,
            transfer_coding: TransferCoding::default(),
            content_length: ContentLength::default(),
        };
        // The length test first: most fields are none of the three, and are passed over
        // without looking at their bytes.
        for (i, len) in headers.name_lengths().enumerate() {
            if !matches!(len, 10 | 14 | 17) {
                continue;
            }
            let (name, value) = headers.field_bytes(i);
            match len {
                10 if is_field_name(name, "Connection") => {
                    // The two usual values whole, before splitting the list.
                    fields.close |= match value {
                        b"keep-alive" => false,
                        b"close" => true,
                        _ => list_contains(value, "close"),
                    };
                }
                14 if is_field_name(name, "Content-Length") => {
                    fields.content_length.add(value);
                }
                17 if is_field_name(name, "Transfer-Encoding") => {
                    fields.transfer_coding.add(value);
                }
                _ => {}
            }
        }
        fields
    }
}

/// Every `Transfer-Encoding` field line, in order.
#[derive(Default)]
struct TransferCoding {
    present: bool,
    codings: usize,
    chunked: usize,
    last_chunked: bool,
    /// The first element that is not acceptable; later lines are not looked at.
    error: Option<ProtoError>,
}

impl TransferCoding {
    fn add(&mut self, value: &[u8]) {
        self.present = true;
        if self.error.is_some() {
            return;
        }
        // Empty list elements are allowed and skipped (RFC 9110 section 5.6.1.2).
        for element in value.split(|&b| b == b',').map(trim_ows) {
            if element.is_empty() {
                continue;
            }
            let (name, params) = match element.iter().position(|&b| b == b';') {
                Some(i) => (&element[..i], Some(&element[i + 1..])),
                None => (element, None),
            };
            let name = trim_ows(name);
            if !is_token(name) {
                self.error = Some(ProtoError::InvalidTransferEncoding {
                    why: "a transfer coding is not a token",
                });
                return;
            }
            let is_chunked = name.eq_ignore_ascii_case(b"chunked");
            if is_chunked && params.is_some() {
                self.error = Some(ProtoError::InvalidTransferEncoding {
                    why: "chunked takes no parameters",
                });
                return;
            }
            self.codings += 1;
            self.chunked += usize::from(is_chunked);
            self.last_chunked = is_chunked;
        }
    }

    /// `None` without `Transfer-Encoding`; otherwise whether `chunked` is the final coding.
    fn finish(&self) -> Result<Option<bool>, ProtoError> {
        if !self.present {
            return Ok(None);
        }
        if let Some(e) = self.error {
            return Err(e);
        }
        if self.codings == 0 {
            return Err(ProtoError::InvalidTransferEncoding { why: "empty list" });
        }
        if self.chunked > 1 {
            return Err(ProtoError::InvalidTransferEncoding {
                why: "chunked applied more than once",
            });
        }
        Ok(Some(self.last_chunked))
    }
}

/// Every `Content-Length` field line, in order.
#[derive(Default)]
struct ContentLength {
    present: bool,
    value: Option<u64>,
    /// The first bad or disagreeing element; later lines are not looked at.
    error: Option<ProtoError>,
}

impl ContentLength {
    fn add(&mut self, value: &[u8]) {
        self.present = true;
        if self.error.is_some() {
            return;
        }
        for element in value.split(|&b| b == b',') {
            let Some(n) = parse_decimal(trim_ows(element)) else {
                self.error = Some(ProtoError::InvalidContentLength);
                return;
            };
            match self.value {
                Some(m) if m != n => {
                    self.error = Some(ProtoError::ConflictingContentLength);
                    return;
                }
                _ => self.value = Some(n),
            }
        }
    }

    /// The agreed `Content-Length`, if any.
    fn finish(&self) -> Result<Option<u64>, ProtoError> {
        match self.error {
            Some(e) => Err(e),
            None => Ok(self.value),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_prelude::*;
    use crate::{HeadParse, HeadParser, Limits};

    fn head(bytes: &str) -> ResponseHead {
        let mut h = ResponseHead::new();
        let full = format!("{bytes}\r\n\r\n");
        let r = HeadParser::new().parse(full.as_bytes(), &Limits::default(), &mut h);
        assert!(
            matches!(r, Ok(HeadParse::Complete { .. })),
            "{bytes:?}: {r:?}"
        );
        h
    }

    const fn f(body: BodyKind, cl: Option<u64>, chunked: bool, keep_alive: bool) -> Framing {
        Framing {
            body,
            content_length: cl,
            chunked,
            keep_alive,
        }
    }

    const NONE_KA: Framing = f(BodyKind::None, None, false, true);
    const NONE_CLOSE: Framing = f(BodyKind::None, None, false, false);
    const CLOSE: Framing = f(BodyKind::UntilClose, None, false, false);
    const CHUNKED: Framing = f(BodyKind::Chunked, None, true, true);
    const CHUNKED_CLOSE: Framing = f(BodyKind::Chunked, None, true, false);
    const fn len(n: u64) -> Framing {
        f(BodyKind::Length(n), Some(n), false, true)
    }
    const fn len_close(n: u64) -> Framing {
        f(BodyKind::Length(n), Some(n), false, false)
    }
    const fn te(why: &'static str) -> ProtoError {
        ProtoError::InvalidTransferEncoding { why }
    }
    const BAD_CL: ProtoError = ProtoError::InvalidContentLength;
    const CONFLICT: ProtoError = ProtoError::ConflictingContentLength;

    #[test]
    fn framing_table() {
        let table: &[(&str, &str, Result<Framing, ProtoError>)] = &[
            // No body, whatever the headers say.
            (
                "HEAD",
                "HTTP/1.1 200 OK\r\nContent-Length: 1234",
                Ok(NONE_KA),
            ),
            (
                "HEAD",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked",
                Ok(NONE_KA),
            ),
            (
                "HEAD",
                "HTTP/1.1 200 OK\r\nContent-Length: abc",
                Ok(NONE_KA),
            ),
            (
                "HEAD",
                "HTTP/1.0 200 OK\r\nContent-Length: 5",
                Ok(NONE_CLOSE),
            ),
            (
                "GET",
                "HTTP/1.1 204 No Content\r\nContent-Length: 10",
                Ok(NONE_KA),
            ),
            (
                "GET",
                "HTTP/1.1 304 Not Modified\r\nContent-Length: 10",
                Ok(NONE_KA),
            ),
            (
                "GET",
                "HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked",
                Ok(NONE_KA),
            ),
            ("GET", "HTTP/1.1 100 Continue", Ok(NONE_KA)),
            ("GET", "HTTP/1.1 103 Early Hints\r\nLink: </a>", Ok(NONE_KA)),
            (
                "GET",
                "HTTP/1.1 204 No Content\r\nConnection: close",
                Ok(NONE_CLOSE),
            ),
            // The connection changes hands.
            (
                "GET",
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket",
                Ok(CLOSE),
            ),
            ("HEAD", "HTTP/1.1 101 Switching Protocols", Ok(CLOSE)),
            ("CONNECT", "HTTP/1.1 200 Connection Established", Ok(CLOSE)),
            ("CONNECT", "HTTP/1.1 204 OK\r\nContent-Length: 5", Ok(CLOSE)),
            (
                "CONNECT",
                "HTTP/1.1 407 Auth\r\nContent-Length: 3",
                Ok(len(3)),
            ),
            ("GET", "HTTP/1.1 200 OK", Ok(CLOSE)),
            // Transfer-Encoding lists.
            (
                "GET",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked",
                Ok(CHUNKED),
            ),
            (
                "GET",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked",
                Ok(CHUNKED),
            ),
            (
                "GET",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding:  CHUNKED  ",
                Ok(CHUNKED),
            ),
            (
                "GET",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked",
                Ok(CHUNKED),
            ),
            (
                "GET",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip,chunked",
                Ok(CHUNKED),
            ),
            (
                "GET",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked",
                Ok(CHUNKED),
            ),
            (
                "GET",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip;q=1, chunked",
                Ok(CHUNKED),
            ),
            (
                "GET",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: , chunked,",
                Ok(CHUNKED),
            ),
            (
                "GET",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip",
                Ok(CLOSE),
            ),
            (
                "GET",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: gzip",
                Ok(CLOSE),
            ),
            (
                "GET",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip",
                Ok(CLOSE),
            ),
            (
                "GET",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: identity\r\nContent-Length: 5",
                Ok(CLOSE),
            ),
            (
                "GET",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked",
                Err(te("chunked applied more than once")),
            ),
            (
                "GET",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked",
                Err(te("chunked applied more than once")),
            ),
            (
                "GET",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip, chunked",
                Err(te("chunked applied more than once")),
            ),
            (
                "GET",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding:",
                Err(te("empty list")),
            ),
            (
                "GET",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: , ,",
                Err(te("empty list")),
            ),
            (
                "GET",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chun ked",
                Err(te("a transfer coding is not a token")),
            ),
            (
                "GET",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: \"chunked\"",
                Err(te("a transfer coding is not a token")),
            ),
            (
                "GET",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked;x=1",
                Err(te("chunked takes no parameters")),
            ),
            // Both: chunked wins, the length is dropped, the connection closes after.
            (
                "GET",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 100",
                Ok(CHUNKED_CLOSE),
            ),
            (
                "GET",
                "HTTP/1.1 200 OK\r\nContent-Length: abc\r\nTransfer-Encoding: chunked",
                Ok(CHUNKED_CLOSE),
            ),
            // Content-Length.
            ("GET", "HTTP/1.1 200 OK\r\nContent-Length: 5", Ok(len(5))),
            ("GET", "HTTP/1.1 200 OK\r\nContent-Length: 0", Ok(len(0))),
            ("GET", "HTTP/1.1 200 OK\r\nContent-Length: 0005", Ok(len(5))),
            ("GET", "HTTP/1.1 200 OK\r\nContent-Length: 5, 5", Ok(len(5))),
            (
                "GET",
                "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5",
                Ok(len(5)),
            ),
            (
                "GET",
                "HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551615",
                Ok(len(u64::MAX)),
            ),
            (
                "GET",
                "HTTP/1.1 200 OK\r\nContent-Length: 5, 6",
                Err(CONFLICT),
            ),
            (
                "GET",
                "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 5",
                Err(CONFLICT),
            ),
            ("GET", "HTTP/1.1 200 OK\r\nContent-Length: +5", Err(BAD_CL)),
            ("GET", "HTTP/1.1 200 OK\r\nContent-Length: -5", Err(BAD_CL)),
            ("GET", "HTTP/1.1 200 OK\r\nContent-Length: abc", Err(BAD_CL)),
            ("GET", "HTTP/1.1 200 OK\r\nContent-Length: 5 5", Err(BAD_CL)),
            (
                "GET",
                "HTTP/1.1 200 OK\r\nContent-Length: 5,,5",
                Err(BAD_CL),
            ),
            ("GET", "HTTP/1.1 200 OK\r\nContent-Length: 5,", Err(BAD_CL)),
            (
                "GET",
                "HTTP/1.1 200 OK\r\nContent-Length: 0x10",
                Err(BAD_CL),
            ),
            ("GET", "HTTP/1.1 200 OK\r\nContent-Length:", Err(BAD_CL)),
            (
                "GET",
                "HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551616",
                Err(BAD_CL),
            ),
            (
                "GET",
                "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999",
                Err(BAD_CL),
            ),
            // Versions and Connection tokens.
            (
                "GET",
                "HTTP/1.0 200 OK\r\nContent-Length: 5",
                Ok(len_close(5)),
            ),
            (
                "GET",
                "HTTP/1.0 200 OK\r\nContent-Length: 5\r\nConnection: keep-alive",
                Ok(len_close(5)),
            ),
            ("GET", "HTTP/1.0 200 OK", Ok(CLOSE)),
            (
                "GET",
                "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked",
                Ok(CHUNKED_CLOSE),
            ),
            (
                "GET",
                "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close",
                Ok(len_close(5)),
            ),
            (
                "GET",
                "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: CLOSE",
                Ok(len_close(5)),
            ),
            (
                "GET",
                "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: keep-alive, Close",
                Ok(len_close(5)),
            ),
            (
                "GET",
                "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: Upgrade\r\nConnection: close",
                Ok(len_close(5)),
            ),
            (
                "GET",
                "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: closed",
                Ok(len(5)),
            ),
            (
                "GET",
                "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: keep-alive",
                Ok(len(5)),
            ),
            (
                "GET",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close",
                Ok(CHUNKED_CLOSE),
            ),
            ("GET", "HTTP/1.1 200 OK\r\nConnection: close", Ok(CLOSE)),
            // Methods are case-sensitive: "head" is not HEAD.
            ("head", "HTTP/1.1 200 OK\r\nContent-Length: 5", Ok(len(5))),
        ];
        for (method, h, want) in table {
            assert_eq!(&decide_framing(method, &head(h)), want, "{method} {h:?}");
        }
    }
}
