//! Request validation and the bytes of a request head.

use crate::syntax::{has_space_or_ctl, has_value_ctl, is_token, parse_decimal, push_decimal};
use crate::ProtoError;
use alloc::vec::Vec;

/// Everything needed to write a request head (the body is sent separately, after it).
///
/// ```
/// use pollhttp_proto::{write_request_head, RequestHead};
/// let mut out = Vec::new();
/// write_request_head(&mut out, &RequestHead {
///     method: "POST",
///     target: "/submit",
///     host: "example.com:8080",
///     headers: &["Content-Type: text/plain"],
///     body_len: 5,
///     content_length_if_empty: true,
///     user_agent: "pollhttp/0.1",
/// })?;
/// assert_eq!(out, b"POST /submit HTTP/1.1\r\n\
///     Host: example.com:8080\r\n\
///     Content-Type: text/plain\r\n\
///     Content-Length: 5\r\n\
///     User-Agent: pollhttp/0.1\r\n\
///     Accept: */*\r\n\r\n");
/// # Ok::<(), pollhttp_proto::ProtoError>(())
/// ```
#[derive(Clone, Debug)]
pub struct RequestHead<'a, H: AsRef<str>> {
    /// The method token, such as `"GET"`.
    pub method: &'a str,
    /// The request target, such as `"/path?q=1"` (see [`validate_target`]).
    pub target: &'a str,
    /// The value of the automatic `Host` header, already formatted by the caller
    /// (`"example.com"`, `"example.com:8080"`, `"[::1]:8080"`).
    pub host: &'a str,
    /// User headers `"Name: value"`, sent after `Host` and in order, trimmed of surrounding
    /// spaces and tabs.
    pub headers: &'a [H],
    /// Length of the body that will follow the head.
    pub body_len: usize,
    /// Send `Content-Length: 0` for an empty body (wanted for POST, PUT and PATCH, which
    /// servers may otherwise answer with 411 Length Required).
    pub content_length_if_empty: bool,
    /// The value of the automatic `User-Agent` header; empty means no such header.
    pub user_agent: &'a str,
}

/// Whether one of `headers` (`"Name: value"` strings) has the field name `name`, compared
/// ASCII case-insensitively.
///
/// ```
/// use pollhttp_proto::has_field;
/// assert!(has_field(&["Upgrade: websocket"], "upgrade"));
/// assert!(!has_field(&["X-Upgrade: no"], "upgrade"));
/// ```
pub fn has_field<H: AsRef<str>>(headers: &[H], name: &str) -> bool {
    headers.iter().any(|h| {
        h.as_ref()
            .trim_start_matches([' ', '\t'])
            .split_once(':')
            .is_some_and(|(n, _)| n.eq_ignore_ascii_case(name))
    })
}

/// Checks that `token` is a valid method: a non-empty RFC 9110 token.
///
/// # Errors
///
/// [`ProtoError::InvalidMethod`] otherwise (spaces, CR, LF, NUL, non-ASCII, empty).
pub fn validate_method(token: &str) -> Result<(), ProtoError> {
    if is_token(token.as_bytes()) {
        Ok(())
    } else {
        Err(ProtoError::InvalidMethod)
    }
}

/// Checks a request target the way Godot does, plus a guard against request-line injection.
///
/// Every method accepts a target starting with `/`, `http://` or `https://` (prefixes
/// compared case-sensitively); OPTIONS also accepts exactly `*`; CONNECT also accepts an
/// authority `host:port` whose first `:` is neither the first nor the last character. No
/// byte may be a space, a control character or DEL; other non-ASCII UTF-8 is sent as is.
///
/// # Errors
///
/// [`ProtoError::InvalidTarget`] saying which rule failed.
pub fn validate_target(method: &str, target: &str) -> Result<(), ProtoError> {
    let fail = |why| Err(ProtoError::InvalidTarget { why });
    if target.is_empty() {
        return fail("empty target");
    }
    if has_space_or_ctl(target.as_bytes()) {
        return fail("space or control character in target");
    }
    if target.starts_with('/') || target.starts_with("http://") || target.starts_with("https://") {
        return Ok(());
    }
    match method {
        "OPTIONS" if target == "*" => Ok(()),
        "OPTIONS" => fail("target must start with '/', 'http://' or 'https://', or be '*'"),
        "CONNECT" => match target.find(':') {
            Some(colon) if colon > 0 && colon + 1 < target.len() => Ok(()),
            _ => fail("CONNECT target must be host:port"),
        },
        _ => fail("target must start with '/', 'http://' or 'https://'"),
    }
}

/// One user header, checked and split: `(trimmed entry, name, value)`.
fn split_header(index: usize, raw: &str) -> Result<(&str, &str, &str), ProtoError> {
    let fail = |why| Err(ProtoError::InvalidHeader { index, why });
    let entry = raw.trim_matches([' ', '\t']);
    if entry.is_empty() {
        return fail("empty header");
    }
    let Some(colon) = entry.find(':').filter(|&c| c >= 1) else {
        return fail("expected \"Name: value\" with a non-empty name before ':'");
    };
    let (name, value) = (&entry[..colon], &entry[colon + 1..]);
    if !is_token(name.as_bytes()) {
        return fail("header name is not a token (no spaces or separators allowed)");
    }
    if has_value_ctl(value.as_bytes()) {
        return fail("control character (CR, LF, NUL...) in header value");
    }
    Ok((entry, name, value))
}

/// Checks user headers as Godot's `verify_headers` does, and more strictly.
///
/// Each entry, trimmed of surrounding spaces and tabs, must be `Name: value` with a non-empty
/// RFC 9110 token as name; the value may hold any byte but control characters (HTAB is
/// allowed), so CR, LF and NUL cannot inject extra header lines.
///
/// # Errors
///
/// [`ProtoError::InvalidHeader`] with the index of the first bad entry.
pub fn validate_headers<H: AsRef<str>>(headers: &[H]) -> Result<(), ProtoError> {
    for (index, h) in headers.iter().enumerate() {
        split_header(index, h.as_ref())?;
    }
    Ok(())
}

/// Which automatic headers the user's own headers replace.
#[derive(Default)]
struct UserOverrides {
    host: bool,
    content_length: bool,
    transfer_encoding: bool,
    user_agent: bool,
    accept: bool,
}

/// Checks the user headers against each other and the body; returns what they override.
fn overrides<H: AsRef<str>>(headers: &[H], body_len: usize) -> Result<UserOverrides, ProtoError> {
    let mut o = UserOverrides::default();
    for (index, h) in headers.iter().enumerate() {
        let (_, name, value) = split_header(index, h.as_ref())?;
        let fail = |why| Err(ProtoError::InvalidHeader { index, why });
        let is = |n: &str| name.eq_ignore_ascii_case(n);
        if is("host") {
            if o.host {
                return fail("more than one Host header");
            }
            o.host = true;
        } else if is("content-length") {
            // Two fields are one too many even when equal: an intermediary that keeps the
            // other one is where request smuggling starts.
            if o.content_length {
                return fail("more than one Content-Length header");
            }
            let value = value.trim_matches([' ', '\t']).as_bytes();
            if parse_decimal(value) != Some(body_len as u64) {
                return fail("Content-Length does not match the body length");
            }
            if o.transfer_encoding {
                return fail("Content-Length together with Transfer-Encoding");
            }
            o.content_length = true;
        } else if is("transfer-encoding") {
            if o.content_length {
                return fail("Transfer-Encoding together with Content-Length");
            }
            o.transfer_encoding = true;
        } else if is("user-agent") {
            o.user_agent = true;
        } else if is("accept") {
            o.accept = true;
        }
    }
    Ok(o)
}

/// Validates a request and appends its head (request line, headers, blank line) to `out`.
///
/// `Host` comes first (RFC 9110 section 7.2), then the user headers in order, each trimmed,
/// then the other automatic headers in Godot's order: `Content-Length` (for a non-empty body, or `0` when
/// `content_length_if_empty`), `User-Agent` (unless empty) and `Accept: */*`. A user header
/// with the same name (any case) replaces its automatic twin; a user `Transfer-Encoding`
/// also replaces the automatic `Content-Length` (the caller then encodes the body itself).
///
/// # Errors
///
/// Nothing is appended on error:
/// - [`ProtoError::InvalidMethod`], [`ProtoError::InvalidTarget`], [`ProtoError::InvalidHeader`]
///   as in the `validate_*` functions;
/// - [`ProtoError::InvalidHeader`] for a user `Content-Length` that differs from `body_len`
///   (the extra or missing bytes would corrupt the next exchange on the connection), one
///   combined with `Transfer-Encoding`, a second `Content-Length`, or a second `Host`;
/// - [`ProtoError::InvalidAutomaticHeader`] for a `host` with spaces or control characters, or
///   a `user_agent` with control characters.
pub fn write_request_head<H: AsRef<str>>(
    out: &mut Vec<u8>,
    req: &RequestHead<'_, H>,
) -> Result<(), ProtoError> {
    validate_method(req.method)?;
    validate_target(req.method, req.target)?;
    write_request_head_checked_line(out, req, true)
}

/// [`write_request_head`] for a caller that has already validated the request line: a
/// method that passes [`validate_method`] and a target that passes [`validate_target`]
/// (the client checks the target first, as Godot does, and its methods are constant
/// tokens). Everything else is checked, with the same errors.
///
/// With `automatic` false, `host`, `user_agent` and `content_length_if_empty` are ignored:
/// the head holds the user headers alone, plus the `Content-Length` of a non-empty body
/// that no user `Content-Length` or `Transfer-Encoding` frames (the body could not be
/// delimited otherwise).
pub(crate) fn write_request_head_checked_line<H: AsRef<str>>(
    out: &mut Vec<u8>,
    req: &RequestHead<'_, H>,
    automatic: bool,
) -> Result<(), ProtoError> {
    let mut o = overrides(req.headers, req.body_len)?;
    if !automatic {
        // Nothing automatic is written: as if the user had given each of them.
        o.host = true;
        o.user_agent = true;
        o.accept = true;
    }
    if !o.host && has_space_or_ctl(req.host.as_bytes()) {
        return Err(ProtoError::InvalidAutomaticHeader {
            name: "Host",
            why: "space or control character",
        });
    }
    if !o.user_agent && has_value_ctl(req.user_agent.as_bytes()) {
        return Err(ProtoError::InvalidAutomaticHeader {
            name: "User-Agent",
            why: "control character",
        });
    }
    let send_length = !o.content_length
        && !o.transfer_encoding
        && (req.body_len > 0 || (automatic && req.content_length_if_empty));

    let user_len: usize = req.headers.iter().map(|h| h.as_ref().len() + 2).sum();
    out.reserve(
        req.method.len() + req.target.len() + user_len + req.host.len() + req.user_agent.len() + 96,
    );
    out.extend_from_slice(req.method.as_bytes());
    out.push(b' ');
    out.extend_from_slice(req.target.as_bytes());
    out.extend_from_slice(b" HTTP/1.1\r\n");
    // RFC 9110 section 7.2: Host is the first field after the request line, so that a
    // server or proxy routing on it need not scan the rest.
    if !o.host {
        out.extend_from_slice(b"Host: ");
        out.extend_from_slice(req.host.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    for h in req.headers {
        let entry = h.as_ref().trim_matches([' ', '\t']);
        out.extend_from_slice(entry.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    if send_length {
        out.extend_from_slice(b"Content-Length: ");
        push_decimal(out, req.body_len as u64);
        out.extend_from_slice(b"\r\n");
    }
    if !o.user_agent && !req.user_agent.is_empty() {
        out.extend_from_slice(b"User-Agent: ");
        out.extend_from_slice(req.user_agent.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    if !o.accept {
        out.extend_from_slice(b"Accept: */*\r\n");
    }
    out.extend_from_slice(b"\r\n");
    Ok(())
}

#[cfg(test)]
mod tests;
