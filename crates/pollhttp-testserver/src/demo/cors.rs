//! The `/cors/` prefix: the same routes, readable by a page of any origin.
//!
//! A browser hands a cross-origin response to the page's script only when the response
//! allows it (`Access-Control-Allow-Origin`), shows the script only a few response headers
//! unless more are exposed (`Access-Control-Expose-Headers`), and asks first with an
//! `OPTIONS` preflight before a request that is not "simple" (another method, a custom
//! header). The routes without the prefix send none of these headers, so the same server
//! also plays a server that refuses cross-origin reads.

use super::routes::Responder;
use std::io;

/// The prefix that adds the CORS headers to a route.
const PREFIX: &str = "/cors";

/// The headers every response under the prefix carries, redirects and errors included: any
/// origin may read it and see all of its headers.
pub(super) const CORS_RESPONSE_HEADERS: [(&str, &str); 2] = [
    ("Access-Control-Allow-Origin", "*"),
    ("Access-Control-Expose-Headers", "*"),
];

/// The methods a preflight allows: every method of Godot's that a browser lets a page send
/// (it refuses TRACE and CONNECT itself).
const ALLOW_METHODS: &str = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";

/// `*` allows any request header but, by the Fetch standard, never `Authorization`, which
/// has to be named for a request with basic-authentication credentials to pass.
const ALLOW_HEADERS: &str = "*, Authorization";

/// Whether `path` is under the prefix, and the route it names: `/cors/hello` is
/// `(true, "/hello")`; `/hello` and `/corsx` are themselves with `false`.
pub(super) fn split_cors_prefix(path: &str) -> (bool, &str) {
    match path.strip_prefix(PREFIX) {
        Some(rest) if rest.starts_with('/') => (true, rest),
        _ => (false, path),
    }
}

impl Responder<'_> {
    /// The answer to a preflight: `204` allowing every method and header, not to be cached
    /// (`Access-Control-Max-Age: 0`), so that each test's preflight reaches the server.
    pub(super) fn preflight(&self) -> io::Result<bool> {
        let headers = [
            ("Access-Control-Allow-Origin", "*".to_string()),
            ("Access-Control-Allow-Methods", ALLOW_METHODS.to_string()),
            ("Access-Control-Allow-Headers", ALLOW_HEADERS.to_string()),
            ("Access-Control-Max-Age", "0".to_string()),
        ];
        self.write(&self.head(204, &headers))?;
        Ok(self.keep_alive)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_is_a_whole_path_segment() {
        assert_eq!(split_cors_prefix("/cors/hello"), (true, "/hello"));
        assert_eq!(split_cors_prefix("/cors/"), (true, "/"));
        assert_eq!(split_cors_prefix("/cors/cors/x"), (true, "/cors/x"));
        assert_eq!(split_cors_prefix("/cors"), (false, "/cors"));
        assert_eq!(split_cors_prefix("/corsx/hello"), (false, "/corsx/hello"));
        assert_eq!(split_cors_prefix("/hello"), (false, "/hello"));
    }
}
