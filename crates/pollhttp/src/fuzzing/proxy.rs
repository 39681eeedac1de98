//! Proxy settings: proxy URLs, the proxy environment variables and `no_proxy` lists.

use super::{fields, params};
use crate::net::host::{strip_scheme, write_authority};
// The comparison form is the library's own; what is checked here is matching on it.
use crate::proxy::normalize;
use crate::{no_proxy_matches, Error, GodotError, ProxyConfig, Reason};
use std::collections::HashMap;
use std::net::IpAddr;

/// Stands for a password in the inputs built by [`proxy_url`]; the key sign never occurs
/// elsewhere in them, so finding the marker in a message means the password leaked.
const MARK: &str = "\u{1F511}pw";

/// Parses a proxy URL with [`ProxyConfig::from_url`].
///
/// The first parameter byte picks the input: the rest of the bytes as the URL, or a URL
/// built as `A:<marker>B@C` from three pieces of the rest (split at `0xFF`; `B` and `C`
/// without `@`), so that the marker is always inside the password.
///
/// Properties:
/// - an error is `ERR_INVALID_PARAMETER` with an `InvalidArgument` or `Unsupported`
///   reason, and its message never holds the password;
/// - a parsed proxy is one a connection accepts (`target()` succeeds, the port is not
///   0), its `Display` is `http://user[:***]@host:port` and neither it nor `Debug`
///   shows the password;
/// - writing the parsed proxy back as a URL, credentials percent-encoded, parses to
///   the same proxy.
pub fn proxy_url(data: &[u8]) {
    let ([mode], rest) = params::<1>(data);
    let url = if mode & 1 == 0 {
        String::from_utf8_lossy(rest).into_owned()
    } else {
        let parts = fields(rest);
        let part = |i: usize, no_at: bool| {
            parts
                .get(i)
                .map_or("", String::as_str)
                .chars()
                .filter(|&c| c != '\u{1F511}' && !(no_at && c == '@'))
                .collect::<String>()
        };
        format!(
            "{}:{MARK}{}@{}",
            part(0, false),
            part(1, true),
            part(2, true)
        )
    };
    let marked = mode & 1 != 0;

    match ProxyConfig::from_url(&url) {
        Err(e) => {
            check_error(&e);
            if marked {
                assert!(!e.to_string().contains(MARK), "{url:?}: {e}");
            }
        }
        Ok(config) => {
            if let Err(e) = config.target() {
                panic!("{url:?} parses to {config:?}, which a connection refuses: {e}");
            }
            assert_ne!(config.port(), 0);
            let mut shown = String::from("http://");
            if let Some((user, password)) = config.credentials() {
                shown.push_str(user);
                if !password.is_empty() {
                    shown.push_str(":***");
                }
                shown.push('@');
            }
            let _ = write_authority(&mut shown, config.host(), Some(config.port()));
            assert_eq!(config.to_string(), shown);
            let user_has_mark = config.credentials().is_some_and(|(u, _)| u.contains(MARK));
            if marked && !user_has_mark {
                assert!(config.credentials().is_some_and(|(_, p)| p.contains(MARK)));
                assert!(!config.to_string().contains(MARK));
                assert!(!format!("{config:?}").contains(MARK));
            }

            let mut again = String::from("http://");
            if let Some((user, password)) = config.credentials() {
                again.push_str(&percent_encode(user));
                again.push(':');
                again.push_str(&percent_encode(password));
                again.push('@');
            }
            let _ = write_authority(&mut again, config.host(), Some(config.port()));
            match ProxyConfig::from_url(&again) {
                Ok(back) => assert_eq!(back, config, "{again:?}"),
                Err(e) => panic!("{url:?} gives {config:?}, but {again:?} fails: {e}"),
            }
        }
    }
}

fn check_error(e: &Error) {
    assert_eq!(e.godot(), GodotError::InvalidParameter, "{e}");
    assert!(
        matches!(
            e.reason(),
            Reason::InvalidArgument(_) | Reason::Unsupported(_)
        ),
        "{e:?}"
    );
}

fn percent_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The variables [`ProxyConfig::from_env_vars`] may read, in the order the input sets them.
const VARS: [&str; 7] = [
    "no_proxy",
    "NO_PROXY",
    "http_proxy",
    "HTTP_PROXY",
    "https_proxy",
    "HTTPS_PROXY",
    "REQUEST_METHOD",
];

/// Picks the proxy for a host from variables with [`ProxyConfig::from_env_vars`].
///
/// Parameter byte: bit 7 says TLS, bits 0 to 6 which of the variables are set. The rest
/// is split at `0xFF`: the target host, then the values of the set variables in order.
///
/// Properties: only those variables are asked for, and the answer is the documented
/// one: `None` for a host excluded by `no_proxy` (else `NO_PROXY`), else the first set
/// proxy variable for the scheme (the upper-case `HTTP_PROXY` not under CGI) parsed by
/// `from_url`, `None` when unset or blank.
pub fn proxy_env(data: &[u8]) {
    let ([set], rest) = params::<1>(data);
    let tls = set & 0x80 != 0;
    let parts = fields(rest);
    let host = parts.first().map_or("", String::as_str);
    let mut values = parts.iter().skip(1);
    let mut vars = HashMap::new();
    for (i, name) in VARS.iter().enumerate() {
        if set & (1 << i) != 0 {
            vars.insert(*name, values.next().cloned().unwrap_or_default());
        }
    }
    let asked = std::cell::RefCell::new(Vec::new());
    let lookup = |name: &str| {
        asked.borrow_mut().push(name.to_string());
        vars.get(name).cloned()
    };
    let got = ProxyConfig::from_env_vars(tls, host, lookup);
    for name in asked.borrow().iter() {
        assert!(VARS.contains(&name.as_str()), "asked for {name:?}");
    }

    let var = |name: &str| vars.get(name).map(String::as_str);
    let no_proxy = var("no_proxy").or_else(|| var("NO_PROXY"));
    let expected = if no_proxy.is_some_and(|list| no_proxy_matches(list, host)) {
        Ok(None)
    } else {
        let value = if tls {
            var("https_proxy").or_else(|| var("HTTPS_PROXY"))
        } else {
            var("http_proxy").or_else(|| {
                var("REQUEST_METHOD")
                    .is_none()
                    .then(|| var("HTTP_PROXY"))
                    .flatten()
            })
        };
        match value {
            Some(v) if !v.trim().is_empty() => ProxyConfig::from_url(v).map(Some),
            _ => Ok(None),
        }
    };
    assert_eq!(got, expected, "{host:?} {vars:?}");
    if let Err(e) = &got {
        check_error(e);
    }
}

/// Matches a host against a `no_proxy` list with [`no_proxy_matches`].
///
/// The input is split at `0xFF` into the list and the host.
///
/// Properties:
/// - a list matches when one of its entries alone does;
/// - ASCII case never matters, nor an `http://` or `https://` prefix on the host;
/// - `*` matches every host that is not empty;
/// - an entry equal to the host matches it, and a name entry that matches a host name
///   also matches its subdomains, and only hosts that are the name or end in `.name`.
pub fn no_proxy(data: &[u8]) {
    let parts = fields(data);
    let list = parts.first().map_or("", String::as_str);
    let host = parts.get(1).map_or("", String::as_str);

    let hit = no_proxy_matches(list, host);
    let entries: Vec<&str> = list
        .split(|c: char| c == ',' || c.is_ascii_whitespace())
        .filter(|e| !e.is_empty())
        .collect();
    assert_eq!(
        hit,
        entries.iter().any(|e| no_proxy_matches(e, host)),
        "{list:?} {host:?}"
    );
    assert_eq!(
        no_proxy_matches(&list.to_ascii_uppercase(), &host.to_ascii_lowercase()),
        hit,
        "{list:?} {host:?}: case"
    );
    let (bare, scheme) = strip_scheme(host);
    if scheme.is_none() {
        for prefix in ["http://", "HTTPS://"] {
            let prefixed = format!("{prefix}{host}");
            assert_eq!(
                no_proxy_matches(list, &prefixed),
                hit,
                "{list:?} {prefixed:?}"
            );
        }
    }
    let normal = normalize(bare);
    assert_eq!(no_proxy_matches("*", host), !normal.is_empty(), "{host:?}");

    let plain = !bare.is_empty()
        && !bare.contains(|c: char| c == ',' || c == '/' || c.is_ascii_whitespace());
    // A name entry is compared without its leading dot, and one that then reads as an
    // IP address is no name entry: ".0.0.0.1" matches no host, not even itself.
    let is_ip = normal.parse::<IpAddr>().is_ok();
    let dotless = normal.strip_prefix('.').unwrap_or(&normal);
    let name_entry = !dotless.is_empty() && dotless.parse::<IpAddr>().is_err();
    if plain && (is_ip || name_entry) {
        assert!(
            no_proxy_matches(bare, host),
            "{host:?} does not match itself"
        );
    }
    let name = plain && !normal.starts_with('.') && !is_ip;
    if !name || normal.is_empty() {
        return;
    }
    for entry in entries.iter().filter(|e| **e != "*") {
        if !no_proxy_matches(entry, host) {
            continue;
        }
        // Built on the normal form, whose surrounding white space and one trailing dot
        // are gone, with a dot of its own for normalizing to take off again.
        let sub = format!("a.{normal}.");
        assert!(
            no_proxy_matches(entry, &sub),
            "{entry:?} {host:?} but not {sub:?}"
        );
        let e = normalize(entry);
        let e = e.strip_prefix('.').unwrap_or(&e);
        assert!(
            normal == e || normal.ends_with(&format!(".{e}")),
            "{entry:?} matches {host:?}"
        );
    }
}
