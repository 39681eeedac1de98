//! The client's proxy settings and what a proxy changes in its requests.

use super::request::invalid_request;
use super::HttpClient;
use crate::conn::Via;
use crate::net::host::Target;
use crate::proto::{connect_request, ProxyForm, Route};
use crate::{Error, ProxyConfig};

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

    /// Whom this connection talks to, and the proxy it goes through, if any: requests in
    /// absolute form for an HTTP proxy, a `CONNECT` tunnel for an HTTPS proxy.
    pub(super) fn proxy_route(
        &mut self,
        target: &Target,
        port: u16,
        host_header: String,
        tls: bool,
    ) -> Result<(Route, Option<Via>), Error> {
        let proxy = if tls {
            &self.https_proxy
        } else {
            &self.http_proxy
        };
        let Some(proxy) = proxy else {
            let route = Route {
                host_header,
                ..Route::default()
            };
            return Ok((route, None));
        };
        let proxy_target = proxy.target()?;
        let authorization = proxy.basic_authorization();
        let mut route = Route {
            host_header,
            ..Route::default()
        };
        if tls {
            let request = connect_request(
                &target.host,
                port,
                authorization.as_deref(),
                self.conn.user_agent(),
            )
            .map_err(invalid_request)?;
            route.tunnel = Some(request);
        } else {
            route.proxy_form = Some(ProxyForm::new(&route.host_header, authorization.as_deref()));
        }
        let via = Via {
            proxy: proxy_target,
            port: proxy.port(),
            tunnel: tls,
        };
        Ok((route, Some(via)))
    }
}

fn proxy_setting(host: &str, port: Option<u16>) -> Option<ProxyConfig> {
    match port {
        Some(p) if !host.is_empty() => Some(ProxyConfig::new(host, p)),
        _ => None,
    }
}
