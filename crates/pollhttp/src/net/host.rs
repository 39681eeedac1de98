//! What `connect_to_host` accepts as a host, and how it is written in `Host`.

use crate::Error;
use std::net::IpAddr;

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
    if let Some(inner) = rest.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
        return match inner.parse::<std::net::Ipv6Addr>() {
            Ok(ip) => Ok(Target {
                host: inner.to_string(),
                ip: Some(IpAddr::V6(ip)),
                scheme_tls,
            }),
            Err(_) => Err(Error::invalid(format!(
                "host {rest:?} is not a valid bracketed IPv6 address"
            ))),
        };
    }
    if let Ok(ip) = rest.parse::<IpAddr>() {
        return Ok(Target {
            host: rest.to_string(),
            ip: Some(ip),
            scheme_tls,
        });
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
    if rest.len() > 253 + 1 {
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

fn strip_scheme(input: &str) -> (&str, Option<bool>) {
    for (prefix, tls) in [("https://", true), ("http://", false)] {
        if input.len() >= prefix.len()
            && input.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
        {
            return (&input[prefix.len()..], Some(tls));
        }
    }
    (input, None)
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
}
