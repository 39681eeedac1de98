//! A parsed request as the demo server sees it.

use crate::wire::{has_token, header_lines, header_values};

/// One request: its head as received and the decoded body.
#[derive(Debug)]
pub(crate) struct Request {
    pub(crate) method: String,
    pub(crate) target: String,
    pub(crate) version: String,
    pub(crate) head: Vec<u8>,
    pub(crate) body: Vec<u8>,
}

impl Request {
    /// Parses the request line of `head`; the headers stay in `head` for lookups.
    pub(crate) fn parse(head: Vec<u8>) -> Result<Request, String> {
        let first = head
            .split(|b| *b == b'\n')
            .next()
            .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
            .unwrap_or(&[]);
        let line = std::str::from_utf8(first).map_err(|_| "request line is not UTF-8")?;
        let parts: Vec<&str> = line.split(' ').collect();
        let [method, target, version] = parts[..] else {
            return Err(format!("malformed request line {line:?}"));
        };
        if target.is_empty() {
            return Err(format!("malformed request line {line:?}"));
        }
        if method.is_empty() || !method.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Err(format!("bad method {method:?}"));
        }
        if !matches!(version, "HTTP/1.1" | "HTTP/1.0") {
            return Err(format!("unsupported version {version:?}"));
        }
        for l in header_lines(&head) {
            let colon = l.iter().position(|b| *b == b':');
            if !matches!(colon, Some(c) if c > 0) || l[0] == b' ' || l[0] == b'\t' {
                return Err("malformed header line".into());
            }
        }
        let (method, target, version) =
            (method.to_string(), target.to_string(), version.to_string());
        Ok(Request {
            method,
            target,
            version,
            head,
            body: Vec::new(),
        })
    }

    /// The target's path, without the query.
    pub(crate) fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }

    pub(crate) fn is_head(&self) -> bool {
        self.method == "HEAD"
    }

    /// Whether the connection may stay open after the response (RFC 9112 section 9.3).
    pub(crate) fn keep_alive(&self) -> bool {
        if has_token(&self.head, "connection", "close") {
            return false;
        }
        self.version == "HTTP/1.1" || has_token(&self.head, "connection", "keep-alive")
    }

    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        header_values(&self.head, name).next()
    }

    pub(crate) fn is_chunked(&self) -> bool {
        header_values(&self.head, "transfer-encoding")
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .last()
            .is_some_and(|t| t.eq_ignore_ascii_case("chunked"))
    }

    /// The head as text lines without line ends (request line first).
    pub(crate) fn head_lines(&self) -> Vec<String> {
        self.head
            .split(|b| *b == b'\n')
            .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
            .filter(|l| !l.is_empty())
            .map(|l| String::from_utf8_lossy(l).into_owned())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rejects() {
        let r = Request::parse(b"GET /a?b=1 HTTP/1.1\r\nHost: x\r\n\r\n".to_vec()).unwrap();
        assert_eq!((r.method.as_str(), r.path()), ("GET", "/a"));
        assert!(r.keep_alive());
        assert_eq!(r.header("HOST"), Some("x"));
        let r = Request::parse(b"GET / HTTP/1.0\r\n\r\n".to_vec()).unwrap();
        assert!(!r.keep_alive());
        let r = Request::parse(b"GET / HTTP/1.1\r\nConnection: Close\r\n\r\n".to_vec()).unwrap();
        assert!(!r.keep_alive());
        let r =
            Request::parse(b"POST / HTTP/1.1\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n".to_vec())
                .unwrap();
        assert!(r.is_chunked());
        assert!(Request::parse(b"GET /  HTTP/1.1\r\n\r\n".to_vec()).is_err());
        assert!(Request::parse(b"GET / HTTP/2\r\n\r\n".to_vec()).is_err());
        assert!(Request::parse(b"GET / HTTP/1.1\r\nno colon\r\n\r\n".to_vec()).is_err());
        assert!(Request::parse(b"G3T / HTTP/1.1\r\n\r\n".to_vec()).is_err());
    }
}
