//! A request URL taken apart: where to connect, what to ask for, and the credentials it
//! carries.

use crate::{Error, GodotError, Reason};
use url::{Host, Position, Url};

/// Scheme, host and port: what decides whether a connection can be reused and whether a
/// redirect leaves the origin (RFC 6454).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Origin {
    pub tls: bool,
    /// The host as `connect_to_host` takes it: a name, an IPv4 address, or an IPv6
    /// address without brackets.
    pub host: String,
    pub port: u16,
}

/// One hop's URL, checked.
#[derive(Clone, Debug)]
pub(crate) struct Target {
    pub url: Url,
    pub origin: Origin,
}

impl Target {
    /// Parses an absolute `http` or `https` URL. Like Godot and curl, a URL without
    /// `://` is taken as `http://`.
    pub fn parse(input: &str) -> Result<Target, Error> {
        if input.bytes().any(|b| b.is_ascii_control()) {
            return Err(bad_url(
                input,
                "it holds a control character (CR, LF, NUL...)",
            ));
        }
        let parsed = if input.contains("://") {
            Url::parse(input)
        } else {
            Url::parse(&format!("http://{input}"))
        };
        let url = parsed.map_err(|e| bad_url(input, &e.to_string()))?;
        Target::from_url(url).map_err(|why| bad_url(input, why))
    }

    /// Checks an already parsed URL (a redirect's target).
    pub fn from_url(url: Url) -> Result<Target, &'static str> {
        let tls = match url.scheme() {
            "http" => false,
            "https" => true,
            _ => return Err("only http and https URLs can be fetched"),
        };
        let host = match url.host() {
            Some(Host::Domain(d)) if !d.is_empty() => d.to_string(),
            Some(Host::Ipv4(a)) => a.to_string(),
            Some(Host::Ipv6(a)) => a.to_string(),
            _ => return Err("the URL has no host"),
        };
        let port = url.port_or_known_default().ok_or("the URL has no port")?;
        if port == 0 {
            return Err("port 0 cannot be connected to");
        }
        Ok(Target {
            origin: Origin { tls, host, port },
            url,
        })
    }

    /// The request target: path and query, never the fragment.
    pub fn request_target(&self) -> &str {
        &self.url[Position::BeforePath..Position::AfterQuery]
    }

    /// `host[:port]` as a `Host` header names it (the port only when not the scheme's).
    pub fn authority(&self) -> String {
        let host = self.url.host_str().unwrap_or_default();
        match self.url.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_string(),
        }
    }

    /// The `Authorization` value for credentials in the URL (`user:pass@`), decoded from
    /// their percent escapes as curl does.
    pub fn basic_authorization(&self) -> Option<String> {
        let user = self.url.username();
        let password = self.url.password();
        if user.is_empty() && password.is_none() {
            return None;
        }
        let user = crate::proxy::percent_decode(user).unwrap_or_else(|_| user.to_string());
        let password = password
            .map(|p| crate::proxy::percent_decode(p).unwrap_or_else(|_| p.to_string()))
            .unwrap_or_default();
        Some(crate::basic_authorization(
            user.as_bytes(),
            password.as_bytes(),
        ))
    }

    /// The URL as shown to the caller: without credentials.
    pub fn display_url(&self) -> String {
        let mut url = self.url.clone();
        // Both fail only for URLs that cannot have credentials, which then have none.
        let _ = url.set_username("");
        let _ = url.set_password(None);
        url.into()
    }
}

fn bad_url(input: &str, why: &str) -> Error {
    Error::new(
        GodotError::InvalidParameter,
        Reason::InvalidArgument(format!("URL {input:?} cannot be fetched: {why}")),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_scheme_host_port_and_target() {
        let t = Target::parse("https://example.com/a/b?x=1#frag").unwrap();
        assert_eq!(
            t.origin,
            Origin {
                tls: true,
                host: "example.com".into(),
                port: 443
            }
        );
        assert_eq!(t.request_target(), "/a/b?x=1");
        let t = Target::parse("http://[::1]:8080").unwrap();
        assert_eq!(t.origin.host, "::1");
        assert_eq!(t.origin.port, 8080);
        assert_eq!(t.request_target(), "/");
        assert_eq!(t.authority(), "[::1]:8080");
        assert_eq!(Target::parse("https://h:443/").unwrap().authority(), "h");
        let t = Target::parse("localhost:81/x").unwrap();
        assert_eq!((t.origin.tls, t.origin.port), (false, 81));
    }

    #[test]
    fn refuses_what_cannot_be_fetched() {
        for bad in [
            "ftp://example.com/",
            "http://exa mple.com/",
            "http://example.com/\r\nX: y",
            "http://example.com:0/",
            "http://",
            "",
        ] {
            let e = Target::parse(bad).unwrap_err();
            assert_eq!(e.godot(), GodotError::InvalidParameter, "{bad:?}");
        }
    }

    #[test]
    fn credentials_become_basic_and_are_not_shown() {
        let t = Target::parse("http://us%40er:p%3Ass@h/").unwrap();
        // base64("us@er:p:ss")
        assert_eq!(
            t.basic_authorization().as_deref(),
            Some("Basic dXNAZXI6cDpzcw==")
        );
        assert_eq!(t.display_url(), "http://h/");
        assert_eq!(
            Target::parse("http://h/").unwrap().basic_authorization(),
            None
        );
    }
}
