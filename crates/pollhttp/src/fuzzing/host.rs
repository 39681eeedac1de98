//! The host argument of `connect_to_host`.

use super::params;
use crate::net::host::{parse_ip_literal, parse_target, MAX_HOST_LEN};
use crate::proto::host_header;
use crate::proto::{write_request_head, RequestHead};
use std::net::IpAddr;

/// Parses the input as `connect_to_host`'s host argument and writes its `Host` header.
///
/// Parameter bytes: the port (2), whether the connection is TLS. The rest is the host.
///
/// Properties:
/// - the host is accepted exactly when a model of the documented rules accepts it: an
///   optional `http://` or `https://` prefix (any case), then an IP literal (IPv6 also
///   in brackets) or a non-empty name of at most 254 bytes without spaces, controls or
///   any of `/ ? # @ [ ] \ :`;
/// - a rejection is `ERR_INVALID_PARAMETER` and its message holds no CR or LF;
/// - an accepted host parses again to itself, with or without a prefix, and passes the
///   resolver's own checks;
/// - its `Host` header is the host (bracketed when IPv6) with `:port` unless the port is
///   the scheme's default, and the request writer accepts it.
pub fn connect_host(data: &[u8]) {
    let ([p0, p1, flags], rest) = params::<3>(data);
    let port = u16::from_le_bytes([p0, p1]);
    let tls = flags & 1 != 0;
    let input = String::from_utf8_lossy(rest);
    let input = input.as_ref();

    let lower = input.to_ascii_lowercase();
    let (bare, scheme) = if lower.starts_with("https://") {
        (&input[8..], Some(true))
    } else if lower.starts_with("http://") {
        (&input[7..], Some(false))
    } else {
        (input, None)
    };
    let literal = bare.parse::<IpAddr>().ok().or_else(|| {
        let inner = bare.strip_prefix('[')?.strip_suffix(']')?;
        inner.parse::<std::net::Ipv6Addr>().ok().map(IpAddr::V6)
    });
    let name_ok = !bare.is_empty()
        && bare.len() <= MAX_HOST_LEN
        && !bare
            .bytes()
            .any(|b| b <= b' ' || b == 0x7F || b"/?#@[]\\:".contains(&b));
    let accept = literal.is_some() || name_ok;

    let target = match parse_target(input) {
        Err(e) => {
            assert!(!accept, "{input:?} refused: {e}");
            assert_eq!(e.godot_code(), 31);
            assert!(!e.to_string().contains(['\r', '\n']), "{e}");
            return;
        }
        Ok(t) => t,
    };
    assert!(accept, "{input:?} accepted as {target:?}");
    assert_eq!(target.scheme_tls, scheme);
    assert_eq!(target.ip, literal);
    assert!(!target.host.is_empty() && target.host.len() <= MAX_HOST_LEN);
    assert!(!target.host.contains('\0'));
    if let Some(ip) = target.ip {
        assert_eq!(parse_ip_literal(&target.host), Some(ip));
    }
    for again in [
        target.host.clone(),
        format!("http://{}", target.host),
        format!("HTTPS://{}", target.host),
    ] {
        let t = parse_target(&again).unwrap_or_else(|e| panic!("{again:?}: {e}"));
        assert_eq!((&t.host, t.ip), (&target.host, target.ip), "{again:?}");
    }

    let header = host_header(&target.host, port, tls);
    let default = if tls { 443 } else { 80 };
    let mut expected = match target.ip {
        Some(IpAddr::V6(_)) => format!("[{}]", target.host),
        _ => target.host.clone(),
    };
    if port != default {
        expected.push_str(&format!(":{port}"));
    }
    assert_eq!(header, expected);
    let mut out = Vec::new();
    let written = write_request_head(
        &mut out,
        &RequestHead {
            method: "GET",
            target: "/",
            host: &header,
            headers: &[] as &[&str],
            body_len: 0,
            content_length_if_empty: false,
            user_agent: "",
        },
    );
    assert_eq!(written, Ok(()), "{header:?}");
}
