//! The opt-in reading of proxy environment variables, with curl's `no_proxy` rules.
//!
//! The library never looks at the environment by itself: only a call to
//! [`ProxyConfig::from_env`] or [`ProxyConfig::try_from_env`] does.

use crate::net::host::strip_scheme;
use crate::{Error, ProxyConfig};
use std::net::IpAddr;

impl ProxyConfig {
    /// The proxy the environment asks for, for a connection to `target_host`, or `None`
    /// for a direct connection.
    ///
    /// Reads, like curl:
    /// - for TLS targets `https_proxy`, then `HTTPS_PROXY`;
    /// - for plain targets `http_proxy`, then `HTTP_PROXY` (the upper-case name is
    ///   skipped when `REQUEST_METHOD` is set: in a CGI program a client's `Proxy:`
    ///   request header arrives as `HTTP_PROXY`, the "httpoxy" attack);
    /// - `no_proxy`, then `NO_PROXY`: when `target_host` matches (see
    ///   [`no_proxy_matches`](crate::no_proxy_matches)), `None`.
    ///
    /// The first variable that is set wins; an empty value means no proxy. A value that
    /// [`from_url`](ProxyConfig::from_url) rejects (`socks5://...`, `https://...`) also
    /// gives `None` here; use [`try_from_env`](ProxyConfig::try_from_env) to see the
    /// error instead. Then hand the result to
    /// [`HttpClient::set_http_proxy_config`](crate::HttpClient::set_http_proxy_config)
    /// or [`set_https_proxy_config`](crate::HttpClient::set_https_proxy_config):
    ///
    /// ```no_run
    /// use pollhttp::{HttpClient, ProxyConfig};
    /// let mut http = HttpClient::new();
    /// http.set_https_proxy_config(ProxyConfig::from_env(true, "example.com"));
    /// http.connect_to_host("https://example.com", None, None)?;
    /// # Ok::<(), pollhttp::Error>(())
    /// ```
    pub fn from_env(target_is_tls: bool, target_host: &str) -> Option<ProxyConfig> {
        ProxyConfig::try_from_env(target_is_tls, target_host)
            .ok()
            .flatten()
    }

    /// Like [`from_env`](ProxyConfig::from_env), but a proxy variable that cannot be
    /// parsed is an error (the one of [`from_url`](ProxyConfig::from_url)) instead of
    /// `None`.
    pub fn try_from_env(
        target_is_tls: bool,
        target_host: &str,
    ) -> Result<Option<ProxyConfig>, Error> {
        ProxyConfig::from_env_vars(target_is_tls, target_host, |name| std::env::var(name).ok())
    }

    /// [`try_from_env`](ProxyConfig::try_from_env) over variables that `lookup` gives
    /// (`None` for an unset one) instead of the process environment: for settings kept
    /// elsewhere, for tests, or to override one variable (a command line's
    /// `--noproxy`, say) while keeping the others.
    ///
    /// ```
    /// use pollhttp::ProxyConfig;
    /// let vars = |name: &str| match name {
    ///     "https_proxy" => Some("http://proxy.example:3128".to_string()),
    ///     "no_proxy" => Some("localhost,.internal".to_string()),
    ///     _ => None,
    /// };
    /// let proxy = ProxyConfig::from_env_vars(true, "example.com", vars)?.unwrap();
    /// assert_eq!((proxy.host(), proxy.port()), ("proxy.example", 3128));
    /// assert_eq!(ProxyConfig::from_env_vars(true, "db.internal", vars)?, None);
    /// assert_eq!(ProxyConfig::from_env_vars(false, "example.com", vars)?, None);
    /// # Ok::<(), pollhttp::Error>(())
    /// ```
    pub fn from_env_vars(
        target_is_tls: bool,
        target_host: &str,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Option<ProxyConfig>, Error> {
        let no_proxy = lookup("no_proxy").or_else(|| lookup("NO_PROXY"));
        if no_proxy.is_some_and(|list| no_proxy_matches(&list, target_host)) {
            return Ok(None);
        }
        let value = if target_is_tls {
            lookup("https_proxy").or_else(|| lookup("HTTPS_PROXY"))
        } else {
            lookup("http_proxy").or_else(|| {
                if lookup("REQUEST_METHOD").is_some() {
                    None
                } else {
                    lookup("HTTP_PROXY")
                }
            })
        };
        match value {
            Some(v) if !v.trim().is_empty() => ProxyConfig::from_url(&v).map(Some),
            _ => Ok(None),
        }
    }
}

/// Whether `host` is excluded from proxying by a `no_proxy` list, with curl's rules.
///
/// Entries are separated by commas or white space and compared without case:
/// - `*` matches every host;
/// - a name matches itself and its subdomains, with or without a leading dot:
///   `example.com` and `.example.com` both match `example.com` and `www.example.com`,
///   never `notexample.com`; a trailing dot on either side is ignored;
/// - an IP address matches that address exactly (IPv6 with or without brackets), and
///   `address/bits` matches a CIDR range; IP entries never match names and name entries
///   never match IP addresses.
///
/// `host` is the host as passed to `connect_to_host`, without port (an `http://` or
/// `https://` prefix is ignored).
///
/// ```
/// use pollhttp::no_proxy_matches;
/// let list = "localhost, .internal.example,10.0.0.0/8 ::1";
/// assert!(no_proxy_matches(list, "localhost"));
/// assert!(no_proxy_matches(list, "api.internal.example"));
/// assert!(no_proxy_matches(list, "internal.example"));
/// assert!(no_proxy_matches(list, "10.1.2.3"));
/// assert!(no_proxy_matches(list, "[::1]"));
/// assert!(!no_proxy_matches(list, "example.com"));
/// assert!(!no_proxy_matches(list, "notinternal.example"));
/// ```
pub fn no_proxy_matches(no_proxy: &str, host: &str) -> bool {
    let host = normalize(strip_scheme(host).0);
    if host.is_empty() {
        return false;
    }
    let host_ip = host.parse::<IpAddr>().ok();
    no_proxy
        .split(|c: char| c == ',' || c.is_ascii_whitespace())
        .filter(|e| !e.is_empty())
        .any(|entry| {
            if entry == "*" {
                return true;
            }
            match host_ip {
                Some(ip) => ip_entry_matches(entry, ip),
                None => name_entry_matches(entry, &host),
            }
        })
}

/// The comparison form of a `no_proxy` host or entry: trimmed, lower case, without
/// brackets or a trailing dot.
pub(crate) fn normalize(s: &str) -> String {
    let s = s.trim();
    let s = s
        .strip_prefix('[')
        .and_then(|r| r.strip_suffix(']'))
        .unwrap_or(s);
    s.strip_suffix('.').unwrap_or(s).to_ascii_lowercase()
}

fn name_entry_matches(entry: &str, host: &str) -> bool {
    let entry = normalize(entry);
    let entry = entry.strip_prefix('.').unwrap_or(&entry);
    if entry.is_empty() || entry.parse::<IpAddr>().is_ok() || entry.contains('/') {
        return false;
    }
    host == entry
        || (host.len() > entry.len()
            && host.ends_with(entry)
            && host.as_bytes()[host.len() - entry.len() - 1] == b'.')
}

fn ip_entry_matches(entry: &str, ip: IpAddr) -> bool {
    let (addr, bits) = match entry.split_once('/') {
        Some((a, b)) => match b.parse::<u8>() {
            Ok(bits) => (a, Some(bits)),
            Err(_) => return false,
        },
        None => (entry, None),
    };
    let Ok(net) = normalize(addr).parse::<IpAddr>() else {
        return false;
    };
    match (net, ip) {
        (IpAddr::V4(n), IpAddr::V4(h)) => {
            prefix_equal(&n.octets(), &h.octets(), bits.unwrap_or(32))
        }
        (IpAddr::V6(n), IpAddr::V6(h)) => {
            prefix_equal(&n.octets(), &h.octets(), bits.unwrap_or(128))
        }
        _ => false,
    }
}

/// Whether the first `bits` bits of `a` and `b` agree (a prefix longer than the
/// address matches nothing).
fn prefix_equal(a: &[u8], b: &[u8], bits: u8) -> bool {
    let bits = usize::from(bits);
    if bits > a.len() * 8 {
        return false;
    }
    let (whole, rest) = (bits / 8, bits % 8);
    if a[..whole] != b[..whole] {
        return false;
    }
    if rest == 0 {
        return true;
    }
    let mask = 0xffu8 << (8 - rest);
    a[whole] & mask == b[whole] & mask
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn from_lookup(
        tls: bool,
        host: &str,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Option<ProxyConfig>, Error> {
        ProxyConfig::from_env_vars(tls, host, lookup)
    }

    fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn picks_the_variable_for_the_scheme() {
        let vars = env(&[
            ("http_proxy", "http://plain:3128"),
            ("https_proxy", "http://tunnel:8080"),
        ]);
        let p = from_lookup(false, "example.com", &vars).unwrap().unwrap();
        assert_eq!((p.host(), p.port()), ("plain", 3128));
        let p = from_lookup(true, "example.com", &vars).unwrap().unwrap();
        assert_eq!((p.host(), p.port()), ("tunnel", 8080));
        assert_eq!(from_lookup(true, "x", env(&[])).unwrap(), None);
    }

    #[test]
    fn lower_case_wins_and_upper_case_is_a_fallback() {
        let vars = env(&[("https_proxy", "low:1"), ("HTTPS_PROXY", "up:2")]);
        assert_eq!(
            from_lookup(true, "x", &vars).unwrap().unwrap().host(),
            "low"
        );
        let vars = env(&[("HTTPS_PROXY", "up:2"), ("HTTP_PROXY", "plainup:3")]);
        assert_eq!(from_lookup(true, "x", &vars).unwrap().unwrap().host(), "up");
        assert_eq!(
            from_lookup(false, "x", &vars).unwrap().unwrap().host(),
            "plainup"
        );
    }

    #[test]
    fn upper_case_http_proxy_is_ignored_under_cgi() {
        let vars = env(&[("HTTP_PROXY", "evil:80"), ("REQUEST_METHOD", "GET")]);
        assert_eq!(from_lookup(false, "x", &vars).unwrap(), None);
        let vars = env(&[
            ("http_proxy", "good:80"),
            ("HTTP_PROXY", "evil:80"),
            ("REQUEST_METHOD", "GET"),
        ]);
        assert_eq!(
            from_lookup(false, "x", &vars).unwrap().unwrap().host(),
            "good"
        );
    }

    #[test]
    fn empty_values_mean_no_proxy() {
        let vars = env(&[("https_proxy", ""), ("HTTPS_PROXY", "up:2")]);
        assert_eq!(from_lookup(true, "x", &vars).unwrap(), None);
    }

    #[test]
    fn no_proxy_excludes_and_lower_case_wins() {
        let vars = env(&[
            ("https_proxy", "http://proxy:3128"),
            ("no_proxy", "localhost,.corp.example"),
            ("NO_PROXY", "*"),
        ]);
        assert_eq!(from_lookup(true, "localhost", &vars).unwrap(), None);
        assert_eq!(from_lookup(true, "git.corp.example", &vars).unwrap(), None);
        assert!(from_lookup(true, "example.com", &vars).unwrap().is_some());
        let vars = env(&[("https_proxy", "proxy:3128"), ("NO_PROXY", "*")]);
        assert_eq!(from_lookup(true, "example.com", &vars).unwrap(), None);
    }

    #[test]
    fn bad_values_are_errors_or_none() {
        let vars = env(&[("https_proxy", "socks5://proxy:1080")]);
        assert!(from_lookup(true, "x", &vars).is_err());
        let vars = env(&[("http_proxy", "https://proxy:443")]);
        let err = from_lookup(false, "x", &vars).unwrap_err();
        assert!(err.to_string().contains("https://"), "{err}");
        // An excluded host never looks at the proxy value.
        let vars = env(&[("https_proxy", "socks5://p"), ("no_proxy", "x")]);
        assert_eq!(from_lookup(true, "x", &vars).unwrap(), None);
    }

    #[test]
    fn no_proxy_names() {
        let list = ".example.com, Internal.Test ,";
        for (host, hit) in [
            ("example.com", true),
            ("www.example.com", true),
            ("a.b.EXAMPLE.com", true),
            ("example.com.", true),
            ("notexample.com", false),
            ("example.org", false),
            ("internal.test", true),
            ("x.internal.test", true),
            ("xinternal.test", false),
            ("https://www.example.com", true),
            ("", false),
        ] {
            assert_eq!(no_proxy_matches(list, host), hit, "{host:?}");
        }
        assert!(no_proxy_matches("example.com.", "www.example.com"));
        assert!(no_proxy_matches("a\tb c", "c"));
        assert!(!no_proxy_matches("", "example.com"));
        assert!(!no_proxy_matches(" , .", "example.com"));
    }

    #[test]
    fn non_ascii_hosts_never_split_a_character() {
        // 'é' is two bytes: these put its second byte where `http://` (7 bytes) or
        // `https://` (8 bytes) would end.
        for host in [
            "aaaaaaé.example",
            "aaaaaaaé.example",
            "httpsé",
            "é",
            "ééééé",
            "http://é.example",
            "HTTPS://aé",
        ] {
            assert!(!no_proxy_matches("example.com", host), "{host:?}");
            assert!(no_proxy_matches("*", host), "{host:?}");
        }
        assert!(no_proxy_matches("example", "aaaaaaé.example"));
        assert!(no_proxy_matches("é.example", "http://é.example"));
        assert!(!no_proxy_matches("example", "aaaaaaé.examplé"));
    }

    #[test]
    fn from_env_vars_with_a_non_ascii_host() {
        let vars = env(&[("https_proxy", "proxy:3128"), ("no_proxy", "other")]);
        let p = from_lookup(true, "aaaaaaé.example", &vars)
            .unwrap()
            .unwrap();
        assert_eq!(p.host(), "proxy");
        let vars = env(&[("https_proxy", "proxy:3128"), ("no_proxy", "example")]);
        assert_eq!(from_lookup(true, "aaaaaaé.example", &vars).unwrap(), None);
        assert_eq!(
            from_lookup(true, "aaaaaaaé", &vars)
                .unwrap()
                .unwrap()
                .port(),
            3128
        );
    }

    #[test]
    fn no_proxy_star() {
        assert!(no_proxy_matches("*", "anything.example"));
        assert!(no_proxy_matches("*", "10.0.0.1"));
        assert!(no_proxy_matches("a, *", "b"));
        assert!(!no_proxy_matches("*.example.com", "www.example.com.evil"));
    }

    #[test]
    fn no_proxy_addresses() {
        let list = "127.0.0.1, [::1], 192.168.0.0/16, fd00::/8";
        for (host, hit) in [
            ("127.0.0.1", true),
            ("127.0.0.2", false),
            ("::1", true),
            ("[::1]", true),
            ("::2", false),
            ("192.168.44.1", true),
            ("192.169.0.1", false),
            ("fd12::1", true),
            ("fe80::1", false),
            ("localhost", false),
        ] {
            assert_eq!(no_proxy_matches(list, host), hit, "{host:?}");
        }
        // A name entry never matches an address by suffix, nor the other way round.
        assert!(!no_proxy_matches("0.0.1", "10.0.0.1"));
        assert!(!no_proxy_matches("10.0.0.1", "host10.0.0.1"));
        assert!(!no_proxy_matches("10.0.0.0/33", "10.0.0.1"));
        assert!(!no_proxy_matches("10.0.0.0/x", "10.0.0.1"));
        assert!(no_proxy_matches("10.0.0.0/0", "10.0.0.1"));
        assert!(no_proxy_matches("10.0.0.0/7", "11.255.0.1"));
        assert!(!no_proxy_matches("10.0.0.0/8", "::ffff:10.0.0.1"));
    }
}
