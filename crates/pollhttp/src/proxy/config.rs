//! Proxy settings: where an HTTP proxy is and the credentials it wants.
//!
//! A proxy is used in one of two ways, chosen by the connection (as in Godot):
//!
//! - plain `http://` connections go through the **HTTP proxy**
//!   ([`HttpClient::set_http_proxy_config`](crate::HttpClient::set_http_proxy_config)):
//!   the TCP connection goes to the proxy and each request names the origin in absolute
//!   form (`GET http://example.com/path HTTP/1.1`);
//! - TLS connections go through the **HTTPS proxy**
//!   ([`HttpClient::set_https_proxy_config`](crate::HttpClient::set_https_proxy_config)):
//!   the client asks the proxy for a tunnel with `CONNECT example.com:443`, then runs TLS
//!   with the origin through it, so the proxy sees only ciphertext.
//!
//! Both speak plain HTTP to the proxy itself; TLS to the proxy (an `https://` proxy URL)
//! and SOCKS are not supported. Credentials are sent as `Proxy-Authorization: Basic`.

use crate::net::host::{parse_target, write_authority, Target};
use crate::{Error, GodotError, Reason};
use std::fmt;

/// The port used when a proxy URL names none, as curl does.
pub const DEFAULT_PROXY_PORT: u16 = 1080;

/// An HTTP proxy: host, port and optional Basic credentials.
///
/// ```
/// use pollhttp::ProxyConfig;
/// let proxy = ProxyConfig::from_url("http://alice:s%3Acret@proxy.example:3128")?;
/// assert_eq!((proxy.host(), proxy.port()), ("proxy.example", 3128));
/// assert_eq!(proxy.credentials(), Some(("alice", "s:cret")));
/// assert_eq!(proxy.basic_authorization().as_deref(), Some("Basic YWxpY2U6czpjcmV0"));
///
/// let same = ProxyConfig::new("proxy.example", 3128).with_credentials("alice", "s:cret");
/// assert_eq!(proxy, same);
/// // The password never shows in Debug or Display output.
/// assert_eq!(proxy.to_string(), "http://alice:***@proxy.example:3128");
/// # Ok::<(), pollhttp::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct ProxyConfig {
    host: String,
    port: u16,
    credentials: Option<(String, String)>,
}

impl ProxyConfig {
    /// A proxy at `host:port` without credentials.
    ///
    /// `host` is a name or an IP address (IPv6 with or without brackets). It is checked
    /// when a connection starts: a host that cannot be one makes
    /// [`connect_to_host`](crate::HttpClient::connect_to_host) fail with
    /// `ERR_INVALID_PARAMETER`.
    pub fn new(host: impl Into<String>, port: u16) -> ProxyConfig {
        ProxyConfig {
            host: host.into(),
            port,
            credentials: None,
        }
    }

    /// Adds credentials, sent as `Proxy-Authorization: Basic base64(user:password)`.
    ///
    /// The user name must not contain `:` (RFC 7617 cannot carry it); the password may.
    /// A `:` in the user name makes the connection fail with `ERR_INVALID_PARAMETER`.
    pub fn with_credentials(
        mut self,
        user: impl Into<String>,
        password: impl Into<String>,
    ) -> ProxyConfig {
        self.credentials = Some((user.into(), password.into()));
        self
    }

    /// Parses a proxy URL: `[http://][user[:password]@]host[:port][/]`.
    ///
    /// The scheme is optional and must be `http` (any case). `user` and `password` are
    /// percent-decoded (`%40` for `@`, `%3A` for `:`) and must decode to UTF-8; a user
    /// without a password gets an empty one. IPv6 hosts go in brackets. The port
    /// defaults to [`DEFAULT_PROXY_PORT`] (1080), as in curl.
    ///
    /// # Errors
    ///
    /// `ERR_INVALID_PARAMETER` with [`Reason::Unsupported`] for an `https://` proxy (TLS
    /// to the proxy itself is not supported; an `http://` proxy still carries HTTPS
    /// requests encrypted end to end, through a `CONNECT` tunnel) or any other scheme
    /// (`socks5://`...), and with [`Reason::InvalidArgument`] for a malformed URL: an
    /// empty or invalid host, a path, a bad port, a bad percent escape or a user name
    /// that decodes to one holding `:`. Messages never include the password.
    pub fn from_url(url: &str) -> Result<ProxyConfig, Error> {
        let url = url.trim();
        // Only a scheme name (RFC 3986 section 3.1) before "://" makes a scheme: the
        // separator may also sit inside a password, which must never reach a message.
        let (scheme, rest) = match url.split_once("://") {
            Some((scheme, rest)) if is_scheme(scheme) => (scheme, rest),
            _ => ("http", url),
        };
        if scheme.eq_ignore_ascii_case("https") {
            return Err(unsupported(
                "TLS to the proxy (an https:// proxy URL) is not supported; use its http:// \
                 address: HTTPS requests still pass through it encrypted end to end, in a \
                 CONNECT tunnel",
            ));
        }
        if !scheme.eq_ignore_ascii_case("http") {
            return Err(unsupported(format!(
                "proxy scheme {scheme:?} is not supported; only http:// proxies are"
            )));
        }
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        let (userinfo, host_port) = match rest.rfind('@') {
            Some(i) => (Some(&rest[..i]), &rest[i + 1..]),
            None => (None, rest),
        };
        if host_port.contains(['/', '?', '#']) {
            return Err(invalid("a proxy URL has no path, query or fragment"));
        }
        let (host, port) = split_host_port(host_port)?;
        let mut config = ProxyConfig::new(host, port);
        if let Some(userinfo) = userinfo {
            let (user, password) = userinfo.split_once(':').unwrap_or((userinfo, ""));
            config.credentials = Some((percent_decode(user)?, percent_decode(password)?));
        }
        // With the credentials in place, so that a decoded user name holding a ':' is
        // refused here rather than by every connection.
        config.target()?;
        Ok(config)
    }

    /// The proxy's host, as given (without brackets when parsed from a URL).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The proxy's port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The user name and password, if set.
    pub fn credentials(&self) -> Option<(&str, &str)> {
        self.credentials
            .as_ref()
            .map(|(u, p)| (u.as_str(), p.as_str()))
    }

    /// The value of the `Proxy-Authorization` header for the credentials:
    /// `"Basic " + base64(user ":" password)` (RFC 7617, UTF-8), or `None` without
    /// credentials.
    pub fn basic_authorization(&self) -> Option<String> {
        let (user, password) = self.credentials.as_ref()?;
        Some(crate::basic_authorization(
            user.as_bytes(),
            password.as_bytes(),
        ))
    }

    /// Checks the settings for a connection and returns where to connect.
    pub(crate) fn target(&self) -> Result<Target, Error> {
        let target = parse_target(&self.host)
            .map_err(|e| invalid(format!("proxy host {:?}: {}", self.host, e.reason())))?;
        if target.scheme_tls == Some(true) {
            return Err(unsupported(
                "TLS to the proxy (https://) is not supported; give the proxy's host only",
            ));
        }
        if self.port == 0 {
            return Err(invalid("proxy port 0 cannot be connected to"));
        }
        if let Some((user, _)) = &self.credentials {
            if user.contains(':') {
                return Err(invalid(
                    "proxy user name contains ':', which Basic authentication cannot carry \
                     (RFC 7617)",
                ));
            }
        }
        Ok(target)
    }
}

impl fmt::Display for ProxyConfig {
    /// As a URL, with the password (if any) replaced by `***`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("http://")?;
        if let Some((user, password)) = &self.credentials {
            let mask = if password.is_empty() { "" } else { ":***" };
            write!(f, "{user}{mask}@")?;
        }
        write_authority(f, &self.host, Some(self.port))
    }
}

impl fmt::Debug for ProxyConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProxyConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("user", &self.credentials.as_ref().map(|(u, _)| u))
            .finish_non_exhaustive()
    }
}

fn invalid(why: impl Into<String>) -> Error {
    Error::invalid(format!("invalid proxy: {}", why.into()))
}

fn unsupported(why: impl Into<String>) -> Error {
    Error::new(
        GodotError::InvalidParameter,
        Reason::Unsupported(why.into()),
    )
}

/// `ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )`.
fn is_scheme(s: &str) -> bool {
    let mut bytes = s.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_alphabetic())
        && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
}

/// Splits `host[:port]` or `[v6]:port`; the port defaults to [`DEFAULT_PROXY_PORT`].
fn split_host_port(s: &str) -> Result<(&str, u16), Error> {
    let (host, port) = if let Some(rest) = s.strip_prefix('[') {
        let Some(end) = rest.find(']') else {
            return Err(invalid("'[' without ']' around an IPv6 address"));
        };
        let after = &rest[end + 1..];
        let port = match after.strip_prefix(':') {
            Some(p) => Some(p),
            None if after.is_empty() => None,
            None => return Err(invalid("unexpected text after ']'")),
        };
        let host = &rest[..end];
        if host.parse::<std::net::Ipv6Addr>().is_err() {
            return Err(invalid(
                "brackets hold something that is not an IPv6 address",
            ));
        }
        (host, port)
    } else {
        match s.split_once(':') {
            Some((_, p)) if p.contains(':') => {
                return Err(invalid("an IPv6 proxy address must be in brackets"))
            }
            Some((h, p)) => (h, Some(p)),
            None => (s, None),
        }
    };
    if host.is_empty() {
        return Err(invalid("the proxy URL has no host"));
    }
    let port = match port {
        None | Some("") => DEFAULT_PROXY_PORT,
        Some(p) => match p.parse::<u16>() {
            Ok(n) if n > 0 && p.bytes().all(|b| b.is_ascii_digit()) => n,
            _ => return Err(invalid(format!("port {p:?} is not a number in 1..=65535"))),
        },
    };
    Ok((host, port))
}

/// Decodes `%XX` escapes (RFC 3986); the result must be UTF-8.
pub(crate) fn percent_decode(s: &str) -> Result<String, Error> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .filter(|_| bytes[i + 1].is_ascii_hexdigit() && bytes[i + 2].is_ascii_hexdigit());
            match hex {
                Some(b) => out.push(b),
                None => {
                    return Err(invalid(
                        "credentials hold a '%' that is not followed by two hex digits",
                    ))
                }
            }
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| invalid("credentials do not decode to UTF-8"))
}

#[cfg(test)]
mod tests;
