//! `host:port` as HTTP writes it: the one place that puts IPv6 literals in brackets.

use alloc::string::String;
use core::fmt::Write;

/// Writes `host` as it appears in `Host`, a request target or a URL: an IPv6 literal (a
/// host containing `:`) in brackets unless it already is, anything else as given
/// (RFC 3986 section 3.2.2).
///
/// ```
/// let mut s = String::new();
/// pollhttp_proto::push_host(&mut s, "::1");
/// pollhttp_proto::push_host(&mut s, "[::2]");
/// assert_eq!(s, "[::1][::2]");
/// ```
pub fn push_host(out: &mut String, host: &str) {
    if host.contains(':') && !host.starts_with('[') {
        out.push('[');
        out.push_str(host);
        out.push(']');
    } else {
        out.push_str(host);
    }
}

/// `host:port`, with an IPv6 literal in brackets: the authority form of `CONNECT` and how
/// messages name a server.
///
/// ```
/// use pollhttp_proto::authority;
/// assert_eq!(authority("example.com", 443), "example.com:443");
/// assert_eq!(authority("::1", 8080), "[::1]:8080");
/// ```
pub fn authority(host: &str, port: u16) -> String {
    let mut out = String::with_capacity(host.len() + 8);
    push_host(&mut out, host);
    let _ = write!(out, ":{port}");
    out
}

/// The value of `Host` for `host` on `port`: the port only when it is not the scheme's
/// default (RFC 9110 section 7.2).
///
/// ```
/// use pollhttp_proto::host_header;
/// assert_eq!(host_header("example.com", 443, true), "example.com");
/// assert_eq!(host_header("example.com", 443, false), "example.com:443");
/// assert_eq!(host_header("::1", 80, false), "[::1]");
/// ```
pub fn host_header(host: &str, port: u16, tls: bool) -> String {
    let default_port = if tls { 443 } else { 80 };
    if port == default_port {
        let mut out = String::with_capacity(host.len() + 2);
        push_host(&mut out, host);
        out
    } else {
        authority(host, port)
    }
}
