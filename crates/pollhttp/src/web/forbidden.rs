//! The request headers and methods a page may not send: the browser would drop or refuse
//! them, so the client refuses them first, by name, instead of letting them vanish.
//!
//! The lists are the Fetch standard's "forbidden request-header" names and prefixes and
//! its forbidden methods.

/// Names the browser sets itself or keeps from pages (compared without case).
const FORBIDDEN_NAMES: [&str; 22] = [
    "accept-charset",
    "accept-encoding",
    "access-control-request-headers",
    "access-control-request-method",
    "access-control-request-private-network",
    "connection",
    "content-length",
    "cookie",
    "cookie2",
    "date",
    "dnt",
    "expect",
    "host",
    "keep-alive",
    "origin",
    "referer",
    "set-cookie",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "via",
];

/// Prefixes of names the browser keeps for itself.
const FORBIDDEN_PREFIXES: [&str; 2] = ["proxy-", "sec-"];

/// Headers that name a method to use instead; forbidden when they name a forbidden one.
const METHOD_OVERRIDES: [&str; 3] = [
    "x-http-method",
    "x-http-method-override",
    "x-method-override",
];

/// Methods `fetch` refuses.
const FORBIDDEN_METHODS: [&str; 3] = ["CONNECT", "TRACE", "TRACK"];

/// Why a page cannot send header `name` with `value`, or `None` when it can.
pub(crate) fn header_refusal(name: &str, value: &str) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    if FORBIDDEN_NAMES.contains(&lower.as_str()) {
        return Some("the browser sets this header itself and does not let a page send it");
    }
    if FORBIDDEN_PREFIXES.iter().any(|p| lower.starts_with(p)) {
        return Some("the browser keeps Proxy-* and Sec-* headers for itself");
    }
    if METHOD_OVERRIDES.contains(&lower.as_str())
        && value.split(',').any(|m| method_refusal(m.trim()).is_some())
    {
        return Some("it names a method the browser does not send");
    }
    None
}

/// Why a page cannot send a request with `method`, or `None` when it can.
pub(crate) fn method_refusal(method: &str) -> Option<&'static str> {
    FORBIDDEN_METHODS
        .iter()
        .any(|m| m.eq_ignore_ascii_case(method))
        .then_some("browsers do not send CONNECT, TRACE or TRACK requests")
}
