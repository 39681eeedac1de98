//! What `connect_to_host` accepts as a host, and how a host is written: the one place
//! for the `http://` / `https://` prefix, IP literals, the length limit and `host:port`.

use crate::Error;
use std::fmt;
use std::net::{IpAddr, Ipv6Addr};

/// Longest host name accepted: DNS allows 253 bytes, plus a trailing dot for a fully
/// qualified name. Anything longer cannot resolve, so it fails at once instead of
/// occupying a resolver thread.
pub(crate) const MAX_HOST_LEN: usize = 253 + 1;

/// A connect target after Godot's prefix handling.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Target {
    /// The host as given (brackets removed from IPv6 literals), used for DNS and TLS.
    pub host: String,
    /// The host parsed as an IP address, when it is one.
    pub ip: Option<IpAddr>,
    /// `Some(true)` for `https://`, `Some(false)` for `http://`, `None` without a prefix.
    pub scheme_tls: Option<bool>,
}

/// Strips an `http://` or `https://` prefix (any case) and validates the rest.
///
/// Godot passes whatever follows the prefix to the resolver verbatim; a path, port or
/// credentials there only fail later as CANT_RESOLVE. Rejecting them here, with the
/// reason, saves a lookup and a puzzle.
pub(crate) fn parse_target(input: &str) -> Result<Target, Error> {
    let (rest, scheme_tls) = strip_scheme(input);
    if rest.is_empty() {
        return Err(Error::invalid("host is empty"));
    }
    let bracketed = rest.strip_prefix('[').and_then(|r| r.strip_suffix(']'));
    if let Some(ip) = parse_ip_literal(rest) {
        return Ok(Target {
            host: bracketed.unwrap_or(rest).to_string(),
            ip: Some(ip),
            scheme_tls,
        });
    }
    if bracketed.is_some() {
        return Err(Error::invalid(format!(
            "host {rest:?} is not a valid bracketed IPv6 address"
        )));
    }
    if let Some(bad) = rest
        .bytes()
        .find(|&b| b <= b' ' || b == 0x7f || b"/?#@[]\\:".contains(&b))
    {
        let what = match bad {
            b':' => "a ':' (pass the port as its own argument)",
            b'/' | b'?' | b'#' => "a path or query (pass it to request())",
            b'@' => "credentials",
            _ => "a character not allowed in a host name",
        };
        return Err(Error::invalid(format!("host {rest:?} contains {what}")));
    }
    if rest.len() > MAX_HOST_LEN {
        return Err(Error::invalid(format!(
            "host name is {} bytes long; DNS allows 253",
            rest.len()
        )));
    }
    Ok(Target {
        host: rest.to_string(),
        ip: None,
        scheme_tls,
    })
}

/// Splits an `http://` or `https://` prefix (any case) off `input`: the rest, and
/// `Some(true)` for `https://`, `Some(false)` for `http://`, `None` without a prefix.
///
/// The comparison is on bytes, so a multi-byte character where a prefix would end is
/// simply no prefix.
pub(crate) fn strip_scheme(input: &str) -> (&str, Option<bool>) {
    for (prefix, tls) in [("https://", true), ("http://", false)] {
        let head = input.as_bytes().get(..prefix.len());
        if head.is_some_and(|h| h.eq_ignore_ascii_case(prefix.as_bytes())) {
            // An ASCII prefix matched, so the rest starts on a character boundary.
            if let Some(rest) = input.get(prefix.len()..) {
                return (rest, Some(tls));
            }
        }
    }
    (input, None)
}

/// Parses an IP address literal, so that it can be connected to without a lookup.
///
/// Accepts dotted IPv4 (`127.0.0.1`), IPv6 (`::1`, `fe80::1`) and IPv6 in brackets as
/// written in URLs (`[::1]`). Returns `None` for anything else, including:
///
/// - IPv6 with a zone (`fe80::1%eth0`, `[fe80::1%eth0]`): an [`IpAddr`] has no room for
///   the zone, so these go through the resolver, whose system lookup understands them;
/// - IPv4 in brackets (`[127.0.0.1]`), which URLs do not allow;
/// - shorthand IPv4 (`127.1`, `0x7f.1`), which only the system resolver interprets.
pub(crate) fn parse_ip_literal(host: &str) -> Option<IpAddr> {
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Some(ip);
    }
    let inner = host.strip_prefix('[')?.strip_suffix(']')?;
    inner.parse::<Ipv6Addr>().ok().map(IpAddr::V6)
}

/// Writes `host` with `:port` when given, as in an authority (RFC 3986 section 3.2):
/// a host holding a `:` (an IPv6 literal) goes in brackets unless it already is.
pub(crate) fn write_authority(
    out: &mut impl fmt::Write,
    host: &str,
    port: Option<u16>,
) -> fmt::Result {
    let mut bracketed = String::with_capacity(host.len() + 2);
    crate::proto::push_host(&mut bracketed, host);
    out.write_str(&bracketed)?;
    match port {
        Some(port) => write!(out, ":{port}"),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_and_literals() {
        let t = parse_target("HTTPS://Example.com").unwrap();
        assert_eq!((t.host.as_str(), t.scheme_tls), ("Example.com", Some(true)));
        let t = parse_target("http://10.0.0.1").unwrap();
        assert_eq!(t.scheme_tls, Some(false));
        assert!(t.ip.is_some());
        let t = parse_target("[::1]").unwrap();
        assert_eq!(t.host, "::1");
        let t = parse_target("::1").unwrap();
        assert_eq!(t.host, "::1");
        assert_eq!(parse_target("a.b").unwrap().host, "a.b");
    }

    #[test]
    fn rejects_what_cannot_resolve() {
        for bad in [
            "",
            "http://",
            "localhost:8080",
            "example.com/path",
            "user@example.com",
            "bad host",
            "evil\r\nX: y",
            "[nonsense]",
        ] {
            let e = parse_target(bad).unwrap_err();
            assert_eq!(e.godot_code(), 31, "{bad:?}");
        }
    }

    #[test]
    fn scheme_prefixes() {
        assert_eq!(strip_scheme("http://a"), ("a", Some(false)));
        assert_eq!(strip_scheme("HtTpS://a"), ("a", Some(true)));
        assert_eq!(strip_scheme("https://"), ("", Some(true)));
        assert_eq!(strip_scheme("http:/a"), ("http:/a", None));
        assert_eq!(strip_scheme("ftp://a"), ("ftp://a", None));
        // A multi-byte character where a prefix would end is no prefix, never a panic.
        for s in ["aaaaaaé", "aaaaaaaé", "httpsé", "é", "http:/é", "https:/é"] {
            assert_eq!(strip_scheme(s), (s, None), "{s:?}");
        }
        assert_eq!(strip_scheme("http://é"), ("é", Some(false)));
    }

    #[test]
    fn ip_literals() {
        let t = parse_target("[::1]").unwrap();
        assert_eq!((t.host.as_str(), t.ip), ("::1", parse_ip_literal("::1")));
        let t = parse_target("[0:0::1]").unwrap();
        assert_eq!(t.host, "0:0::1", "the text as given, without brackets");
        assert_eq!(
            parse_target("10.0.0.1").unwrap().ip,
            parse_ip_literal("10.0.0.1")
        );
        for bad in ["[127.0.0.1]", "[fe80::1%eth0]", "[]", "[x]"] {
            let e = parse_target(bad).unwrap_err();
            assert!(e.to_string().contains("bracketed IPv6"), "{bad:?}: {e}");
        }
    }

    #[test]
    fn host_length_limit() {
        let longest = format!("{}.", "a".repeat(MAX_HOST_LEN - 1));
        assert_eq!(parse_target(&longest).unwrap().host, longest);
        let e = parse_target(&"a".repeat(MAX_HOST_LEN + 1)).unwrap_err();
        assert!(e.to_string().contains("DNS allows 253"), "{e}");
    }

    #[test]
    fn authorities() {
        let authority = |host: &str, port| {
            let mut s = String::new();
            write_authority(&mut s, host, port).unwrap();
            s
        };
        assert_eq!(authority("example.com", Some(443)), "example.com:443");
        assert_eq!(authority("fe80::2", Some(8080)), "[fe80::2]:8080");
        assert_eq!(authority("[::1]", None), "[::1]");
        assert_eq!(authority("::1", None), "[::1]");
        assert_eq!(authority("10.0.0.1", Some(1)), "10.0.0.1:1");
    }

    #[test]
    fn host_header_rules() {
        use crate::proto::host_header;
        let t = parse_target("example.com").unwrap();
        assert_eq!(host_header(&t.host, 80, false), "example.com");
        assert_eq!(host_header(&t.host, 443, true), "example.com");
        assert_eq!(host_header(&t.host, 443, false), "example.com:443");
        assert_eq!(host_header(&t.host, 80, true), "example.com:80");
        let t = parse_target("::1").unwrap();
        assert_eq!(host_header(&t.host, 8080, false), "[::1]:8080");
        assert_eq!(host_header(&t.host, 80, false), "[::1]");
    }
}
