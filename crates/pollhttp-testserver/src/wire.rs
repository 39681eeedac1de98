//! Building responses and reading request heads: the small bits of HTTP/1.1 both servers share.

use std::time::Duration;

/// How long any single blocking wait of the servers (accept, read, write) may last.
pub const IO_TIMEOUT: Duration = Duration::from_secs(10);

/// The standard reason phrase for `code`, or `"Unknown"`.
///
/// ```
/// assert_eq!(pollhttp_testserver::reason_phrase(404), "Not Found");
/// ```
pub fn reason_phrase(code: u16) -> &'static str {
    match code {
        100 => "Continue",
        101 => "Switching Protocols",
        102 => "Processing",
        103 => "Early Hints",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        203 => "Non-Authoritative Information",
        204 => "No Content",
        205 => "Reset Content",
        206 => "Partial Content",
        300 => "Multiple Choices",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        410 => "Gone",
        411 => "Length Required",
        413 => "Content Too Large",
        414 => "URI Too Long",
        418 => "I'm a teapot",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Unknown",
    }
}

fn status_line_and_headers(code: u16, headers: &[(&str, &str)]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {code} {}\r\n", reason_phrase(code)).into_bytes();
    for (name, value) in headers {
        out.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
    }
    out
}

/// A complete response with a `Content-Length` header added after `headers`.
///
/// ```
/// let r = pollhttp_testserver::response(200, &[("X-A", "1")], b"hi");
/// assert_eq!(r, b"HTTP/1.1 200 OK\r\nX-A: 1\r\nContent-Length: 2\r\n\r\nhi");
/// ```
pub fn response(code: u16, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = status_line_and_headers(code, headers);
    out.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
    out.extend_from_slice(body);
    out
}

/// A complete chunked response: `Transfer-Encoding: chunked` is added after `headers`, each
/// non-empty element of `chunks` becomes one chunk (empty ones are skipped, since an empty
/// chunk would end the body), and the last-chunk `0` ends it with no trailer.
///
/// ```
/// let r = pollhttp_testserver::chunked_response(200, &[], &[b"hello", b"", b" world"]);
/// assert!(r.ends_with(b"\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"));
/// ```
pub fn chunked_response(code: u16, headers: &[(&str, &str)], chunks: &[&[u8]]) -> Vec<u8> {
    let mut out = status_line_and_headers(code, headers);
    out.extend_from_slice(b"Transfer-Encoding: chunked\r\n\r\n");
    for chunk in chunks.iter().filter(|c| !c.is_empty()) {
        out.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        out.extend_from_slice(chunk);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"0\r\n\r\n");
    out
}

/// Where the head in `buf` ends (the index just past `\r\n\r\n`), searching from `from`.
pub(crate) fn find_head_end(buf: &[u8], from: usize) -> Option<usize> {
    let start = from.saturating_sub(3);
    buf.get(start..)?
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|p| start + p + 4)
}

/// The header lines of a head (everything after the first line), without line ends.
pub(crate) fn header_lines(head: &[u8]) -> impl Iterator<Item = &[u8]> {
    head.split(|b| *b == b'\n')
        .skip(1)
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .filter(|l| !l.is_empty())
}

/// Every value of header `name` (case-insensitive), trimmed, in order.
pub(crate) fn header_values<'a, 'n>(
    head: &'a [u8],
    name: &'n str,
) -> impl Iterator<Item = &'a str> + use<'a, 'n> {
    header_lines(head).filter_map(move |line| {
        let colon = line.iter().position(|b| *b == b':')?;
        let (n, v) = line.split_at(colon);
        if !n.eq_ignore_ascii_case(name.as_bytes()) {
            return None;
        }
        std::str::from_utf8(&v[1..]).ok().map(str::trim)
    })
}

/// The request's `Content-Length`: `Ok(None)` when absent, an error when malformed or when
/// several values disagree.
pub(crate) fn content_length(head: &[u8]) -> Result<Option<u64>, String> {
    let mut found: Option<u64> = None;
    for value in header_values(head, "content-length") {
        if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("malformed Content-Length {value:?}"));
        }
        let n: u64 = value
            .parse()
            .map_err(|_| format!("Content-Length {value:?} out of range"))?;
        if found.is_some_and(|f| f != n) {
            return Err("conflicting Content-Length values".to_string());
        }
        found = Some(n);
    }
    Ok(found)
}

/// Whether a comma-separated header (such as `Connection`) lists `token`, in any case.
pub(crate) fn has_token(head: &[u8], name: &str, token: &str) -> bool {
    header_values(head, name).any(|v| v.split(',').any(|t| t.trim().eq_ignore_ascii_case(token)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn head_end_found_across_search_restarts() {
        let buf = b"GET / HTTP/1.1\r\nA: b\r\n\r\nbody";
        assert_eq!(find_head_end(buf, 0), Some(buf.len() - 4));
        // Resuming just after the first two bytes of the terminator must still find it.
        assert_eq!(find_head_end(buf, buf.len() - 6), Some(buf.len() - 4));
        assert_eq!(find_head_end(b"GET / HTTP/1.1\r\n\r", 0), None);
        assert_eq!(find_head_end(b"", 10), None);
    }

    #[test]
    fn content_length_rules() {
        let h = |s: &str| s.as_bytes().to_vec();
        assert_eq!(
            content_length(&h("POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\n")),
            Ok(Some(3))
        );
        assert_eq!(
            content_length(&h("GET / HTTP/1.1\r\nHost: a\r\n\r\n")),
            Ok(None)
        );
        assert_eq!(
            content_length(&h(
                "POST / HTTP/1.1\r\ncontent-length: 3\r\nCONTENT-LENGTH: 3\r\n\r\n"
            )),
            Ok(Some(3))
        );
        assert!(content_length(&h(
            "POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n"
        ))
        .is_err());
        assert!(content_length(&h("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n")).is_err());
        assert!(content_length(&h(
            "POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n"
        ))
        .is_err());
    }

    #[test]
    fn tokens_are_case_insensitive_lists() {
        let head = b"GET / HTTP/1.1\r\nConnection: keep-alive, Close\r\n\r\n";
        assert!(has_token(head, "connection", "close"));
        assert!(!has_token(head, "connection", "upgrade"));
    }

    #[test]
    fn response_builders() {
        assert_eq!(
            response(404, &[], b""),
            b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n".to_vec()
        );
        assert_eq!(
            chunked_response(200, &[("A", "b")], &[b"abcdefghijklmnopq"]),
            b"HTTP/1.1 200 OK\r\nA: b\r\nTransfer-Encoding: chunked\r\n\r\n11\r\nabcdefghijklmnopq\r\n0\r\n\r\n"
                .to_vec()
        );
    }
}
