//! Which redirects are followed, and how (RFC 9110 section 15.4).
//!
//! Pure decisions over the response and the request that got it; [`HttpRequest`] carries
//! them out.
//!
//! [`HttpRequest`]: crate::HttpRequest

use super::method::RequestMethodBuf;
use super::target::Target;
use crate::{Method, Reason};

/// What to do with a 3xx response.
#[derive(Debug)]
pub(crate) enum Decision {
    /// Send the next request.
    Follow(Hop),
    /// The 3xx is the answer: not a redirect code, or no usable `Location`.
    Final,
    /// A redirect that is not followed for safety; the request fails with this reason.
    Refuse(Reason),
}

/// The request a redirect asks for.
#[derive(Debug)]
pub(crate) struct Hop {
    pub target: Target,
    pub method: RequestMethodBuf,
    /// Whether the body is sent again (307, 308, and 301/302 for methods other than POST).
    pub keep_body: bool,
    /// Whether the new URL has another scheme, host or port.
    pub cross_origin: bool,
}

/// Whether `code` is a redirect this client follows.
pub(crate) fn is_redirect(code: u16) -> bool {
    matches!(code, 301 | 302 | 303 | 307 | 308)
}

/// Decides what a `code` response with these `Location` values means for a `method`
/// request to `current`.
pub(crate) fn decide<'a>(
    code: u16,
    method: &RequestMethodBuf,
    locations: impl IntoIterator<Item = &'a str>,
    current: &Target,
    allow_https_downgrade: bool,
) -> Decision {
    if !is_redirect(code) {
        return Decision::Final;
    }
    let mut locations = locations.into_iter();
    let (Some(location), None) = (locations.next(), locations.next()) else {
        // None, or several (which one would be meant?).
        return Decision::Final;
    };
    let location = location.trim();
    if location.is_empty() || location.bytes().any(|b| b.is_ascii_control()) {
        return Decision::Final;
    }
    // RFC 3986 section 5 resolution against the URL that was asked for.
    let Ok(mut url) = current.url.join(location) else {
        return Decision::Final;
    };
    // RFC 9110 section 10.2.2: a Location without a fragment inherits the request's.
    if url.fragment().is_none() {
        url.set_fragment(current.url.fragment());
    }
    let Ok(target) = Target::from_url(url) else {
        return Decision::Final;
    };
    if current.origin.tls && !target.origin.tls && !allow_https_downgrade {
        return Decision::Refuse(Reason::RedirectRefused {
            location: target.display_url(),
            why: "it goes from HTTPS to plain HTTP (see set_allow_https_downgrade)",
        });
    }
    let to_get = match code {
        303 => !method.is(Method::Head),
        301 | 302 => method.is(Method::Post),
        _ => false,
    };
    let (method, keep_body) = if to_get {
        (RequestMethodBuf::from(Method::Get), false)
    } else {
        (method.clone(), true)
    };
    Decision::Follow(Hop {
        cross_origin: target.origin != current.origin,
        target,
        method,
        keep_body,
    })
}

/// Headers that carry credentials for one origin: never sent on to another one.
const CREDENTIAL_HEADERS: [&str; 5] = [
    "authorization",
    "cookie",
    "cookie2",
    "proxy-authorization",
    "www-authenticate",
];

/// Removes from `headers` what must not follow the request to a new hop; a caller's own
/// `Host` names the new origin instead, where it stood.
pub(crate) fn headers_for_hop(headers: &mut Vec<String>, hop: &Hop) {
    if hop.cross_origin {
        for line in headers.iter_mut() {
            let name = line.split(':').next().unwrap_or("").trim();
            if name.eq_ignore_ascii_case("host") {
                *line = format!("{name}: {}", hop.target.authority());
            }
        }
    }
    headers.retain(|line| {
        let name = line.split(':').next().unwrap_or("").trim();
        let credential = CREDENTIAL_HEADERS
            .iter()
            .any(|c| name.eq_ignore_ascii_case(c));
        // RFC 9110 section 15.4: a redirect that turns the request into a GET drops the
        // content and the fields describing it.
        let content = name.len() >= 8 && name[..8].eq_ignore_ascii_case("content-")
            || name.eq_ignore_ascii_case("transfer-encoding");
        !(hop.cross_origin && credential || !hop.keep_body && content)
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(url: &str) -> Target {
        Target::parse(url).unwrap()
    }

    fn follow(code: u16, method: Method, location: &str, from: &str) -> Hop {
        match decide(
            code,
            &RequestMethodBuf::from(method),
            [location],
            &target(from),
            false,
        ) {
            Decision::Follow(hop) => hop,
            other => panic!("{code} {location}: {other:?}"),
        }
    }

    #[test]
    fn relative_locations_resolve_against_the_request_url() {
        let base = "http://a.example/b/c/d;p?q#f";
        // RFC 3986 section 5.4.1, with the fragment rule of RFC 9110 section 10.2.2.
        for (loc, want) in [
            ("g", "http://a.example/b/c/g#f"),
            ("./g", "http://a.example/b/c/g#f"),
            ("g/", "http://a.example/b/c/g/#f"),
            ("/g", "http://a.example/g#f"),
            ("//g", "http://g/#f"),
            ("?y", "http://a.example/b/c/d;p?y#f"),
            ("g?y#s", "http://a.example/b/c/g?y#s"),
            ("../g", "http://a.example/b/g#f"),
            ("../../../g", "http://a.example/g#f"),
            ("https://other:8443/x", "https://other:8443/x#f"),
        ] {
            let hop = follow(302, Method::Get, loc, base);
            assert_eq!(hop.target.url.as_str(), want, "{loc}");
        }
    }

    #[test]
    fn methods_change_as_browsers_and_curl_do() {
        let from = "http://h/";
        for (code, method, want, keep) in [
            (301, Method::Post, Method::Get, false),
            (302, Method::Post, Method::Get, false),
            (301, Method::Put, Method::Put, true),
            (302, Method::Delete, Method::Delete, true),
            (303, Method::Post, Method::Get, false),
            (303, Method::Put, Method::Get, false),
            (303, Method::Head, Method::Head, true),
            (307, Method::Post, Method::Post, true),
            (308, Method::Put, Method::Put, true),
        ] {
            let hop = follow(code, method, "/x", from);
            assert!(hop.method.is(want), "{code} {method:?}");
            assert_eq!(hop.keep_body, keep, "{code} {method:?}");
        }
    }

    #[test]
    fn unusable_locations_make_the_3xx_final() {
        let from = target("http://h/");
        let get = RequestMethodBuf::from(Method::Get);
        for locations in [
            vec![],
            vec![""],
            vec!["  "],
            vec!["ftp://h/x"],
            vec!["http://"],
            vec!["/a\r\nX: y"],
            vec!["/a", "/b"],
        ] {
            let d = decide(302, &get, locations.iter().copied(), &from, false);
            assert!(matches!(d, Decision::Final), "{locations:?}: {d:?}");
        }
        for code in [300, 304, 305, 306, 200, 404] {
            let d = decide(code, &get, ["/x"], &from, false);
            assert!(matches!(d, Decision::Final), "{code}");
        }
    }

    #[test]
    fn https_to_http_is_refused_unless_allowed() {
        let from = target("https://h/");
        let get = RequestMethodBuf::from(Method::Get);
        let d = decide(301, &get, ["http://h/"], &from, false);
        assert!(matches!(
            d,
            Decision::Refuse(Reason::RedirectRefused { .. })
        ));
        let d = decide(301, &get, ["http://h/"], &from, true);
        assert!(matches!(d, Decision::Follow(h) if h.cross_origin));
    }

    #[test]
    fn credentials_stay_with_their_origin_and_content_with_its_body() {
        let headers = || {
            vec![
                "Authorization: Basic x".to_string(),
                "cookie: a=b".to_string(),
                "Proxy-Authorization: y".to_string(),
                "Host: h".to_string(),
                "Content-Type: text/plain".to_string(),
                "X-Keep: 1".to_string(),
            ]
        };
        let mut same = headers();
        headers_for_hop(&mut same, &follow(307, Method::Post, "/y", "http://h/"));
        assert_eq!(same, headers());

        let mut other = headers();
        headers_for_hop(
            &mut other,
            &follow(307, Method::Post, "http://h:81/", "http://h/"),
        );
        assert_eq!(
            other,
            ["Host: h:81", "Content-Type: text/plain", "X-Keep: 1"]
        );

        let mut to_get = headers();
        headers_for_hop(&mut to_get, &follow(303, Method::Post, "/y", "http://h/"));
        assert_eq!(to_get.len(), 5);
        assert!(to_get.contains(&"Host: h".to_string()));
        assert!(!to_get.iter().any(|h| h.starts_with("Content-Type")));
    }
}
