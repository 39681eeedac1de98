//! The client's proxy settings and what a proxy changes in its requests.

use super::request::invalid_request;
use super::HttpClient;
use crate::conn::connect_request;
use crate::conn::Via;
use crate::net::host::Target;
use crate::{Error, ProxyConfig};
use std::borrow::Cow;

impl HttpClient {
    // ----- proxy settings -----------------------------------------------------------

    /// Sets the HTTP proxy for plain-HTTP connections (Godot's `set_http_proxy`); an
    /// empty host or `None` port unsets it. Replaces any proxy set before, credentials
    /// included. Takes effect on the next
    /// [`connect_to_host`](HttpClient::connect_to_host). For credentials use
    /// [`set_http_proxy_config`](HttpClient::set_http_proxy_config).
    pub fn set_http_proxy(&mut self, host: &str, port: Option<u16>) {
        self.http_proxy = proxy_setting(host, port);
    }

    /// Sets the HTTPS proxy for TLS connections (Godot's `set_https_proxy`): the client
    /// opens a tunnel through it with `CONNECT`. An empty host or `None` port unsets it.
    /// Replaces any proxy set before, credentials included. Takes effect on the next
    /// [`connect_to_host`](HttpClient::connect_to_host).
    pub fn set_https_proxy(&mut self, host: &str, port: Option<u16>) {
        self.https_proxy = proxy_setting(host, port);
    }

    /// Sets (or with `None` unsets) the HTTP proxy for plain-HTTP connections, with
    /// optional credentials. Takes effect on the next
    /// [`connect_to_host`](HttpClient::connect_to_host).
    ///
    /// ```
    /// use pollhttp::{HttpClient, ProxyConfig};
    /// let mut http = HttpClient::new();
    /// http.set_http_proxy_config(Some(ProxyConfig::from_url("http://u:p@127.0.0.1:3128")?));
    /// assert_eq!(http.http_proxy(), Some(("127.0.0.1", 3128)));
    /// http.set_http_proxy("", None);
    /// assert_eq!(http.http_proxy_config(), None);
    /// # Ok::<(), pollhttp::Error>(())
    /// ```
    pub fn set_http_proxy_config(&mut self, proxy: Option<ProxyConfig>) {
        self.http_proxy = proxy;
    }

    /// Sets (or with `None` unsets) the HTTPS proxy for TLS connections, with optional
    /// credentials (sent on the `CONNECT` request only, never to the origin). Takes
    /// effect on the next [`connect_to_host`](HttpClient::connect_to_host).
    pub fn set_https_proxy_config(&mut self, proxy: Option<ProxyConfig>) {
        self.https_proxy = proxy;
    }

    /// The HTTP proxy's host and port, if one is set.
    pub fn http_proxy(&self) -> Option<(&str, u16)> {
        self.http_proxy.as_ref().map(|p| (p.host(), p.port()))
    }

    /// The HTTPS proxy's host and port, if one is set.
    pub fn https_proxy(&self) -> Option<(&str, u16)> {
        self.https_proxy.as_ref().map(|p| (p.host(), p.port()))
    }

    /// The HTTP proxy, with its credentials, if one is set.
    pub fn http_proxy_config(&self) -> Option<&ProxyConfig> {
        self.http_proxy.as_ref()
    }

    /// The HTTPS proxy, with its credentials, if one is set.
    pub fn https_proxy_config(&self) -> Option<&ProxyConfig> {
        self.https_proxy.as_ref()
    }

    // ----- per connection -----------------------------------------------------------

    /// The proxy this connection goes through, if any; sets up absolute-form requests
    /// for an HTTP proxy and builds the `CONNECT` request for an HTTPS proxy.
    pub(super) fn proxy_route(
        &mut self,
        target: &Target,
        port: u16,
        host_header: &str,
        tls: bool,
    ) -> Result<Option<Via>, Error> {
        let proxy = if tls {
            &self.https_proxy
        } else {
            &self.http_proxy
        };
        let Some(proxy) = proxy else {
            return Ok(None);
        };
        let proxy_target = proxy.target()?;
        let authorization = proxy.basic_authorization();
        let tunnel = if tls {
            let request = connect_request(target, port, authorization.as_deref(), &self.user_agent)
                .map_err(invalid_request)?;
            Some((request, self.reader.limits().clone()))
        } else {
            self.forward = Some(Forward {
                origin: format!("http://{host_header}"),
                authorization: authorization.map(|a| format!("Proxy-Authorization: {a}")),
            });
            None
        };
        Ok(Some(Via {
            proxy: proxy_target,
            port: proxy.port(),
            tunnel,
        }))
    }
}

fn proxy_setting(host: &str, port: Option<u16>) -> Option<ProxyConfig> {
    match port {
        Some(p) if !host.is_empty() => Some(ProxyConfig::new(host, p)),
        _ => None,
    }
}

/// Requests through an HTTP proxy: what changes on the wire.
#[derive(Debug)]
pub(super) struct Forward {
    /// `http://host[:port]`, put before origin-form targets.
    origin: String,
    /// The `Proxy-Authorization: ...` header line, when the proxy has credentials.
    authorization: Option<String>,
}

/// Whether a user header has the name `name` (ASCII case-insensitive).
fn has_header<H: AsRef<str>>(headers: &[H], name: &str) -> bool {
    headers.iter().any(|h| {
        h.as_ref()
            .trim_start_matches([' ', '\t'])
            .split_once(':')
            .is_some_and(|(n, _)| n.eq_ignore_ascii_case(name))
    })
}

impl Forward {
    /// The request target as the proxy must see it: origin-form paths become absolute.
    pub(super) fn target<'a>(&'a self, url: &'a str) -> Cow<'a, str> {
        if url.starts_with('/') {
            Cow::Owned(format!("{}{url}", self.origin))
        } else if url == "*" {
            // RFC 9112 section 3.2.4: an absolute form without a path stands for
            // `OPTIONS *` at the origin.
            Cow::Borrowed(&self.origin)
        } else {
            Cow::Borrowed(url)
        }
    }

    /// The `Proxy-Authorization` line to add, unless the caller gave one.
    pub(super) fn authorization_for<H: AsRef<str>>(&self, headers: &[H]) -> Option<&str> {
        self.authorization
            .as_deref()
            .filter(|_| !has_header(headers, "proxy-authorization"))
    }
}
