//! Request methods: Godot's nine with Godot's numbering, and any other token.

use crate::syntax::is_token;
use crate::ProtoError;

/// An HTTP request method, as Godot's `HTTPClient.Method` (same numbers).
///
/// ```
/// use pollhttp_proto::Method;
/// assert_eq!(Method::Patch as i32, 8);
/// assert_eq!(Method::Get.as_str(), "GET");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(i32)]
pub enum Method {
    /// `GET` (`METHOD_GET` = 0).
    #[doc(alias = "METHOD_GET")]
    Get = 0,
    /// `HEAD` (`METHOD_HEAD` = 1): the response never has a body.
    #[doc(alias = "METHOD_HEAD")]
    Head = 1,
    /// `POST` (`METHOD_POST` = 2).
    #[doc(alias = "METHOD_POST")]
    Post = 2,
    /// `PUT` (`METHOD_PUT` = 3).
    #[doc(alias = "METHOD_PUT")]
    Put = 3,
    /// `DELETE` (`METHOD_DELETE` = 4).
    #[doc(alias = "METHOD_DELETE")]
    Delete = 4,
    /// `OPTIONS` (`METHOD_OPTIONS` = 5): the URL may be `*`.
    #[doc(alias = "METHOD_OPTIONS")]
    Options = 5,
    /// `TRACE` (`METHOD_TRACE` = 6).
    #[doc(alias = "METHOD_TRACE")]
    Trace = 6,
    /// `CONNECT` (`METHOD_CONNECT` = 7): the URL is `host:port`.
    #[doc(alias = "METHOD_CONNECT")]
    Connect = 7,
    /// `PATCH` (`METHOD_PATCH` = 8).
    #[doc(alias = "METHOD_PATCH")]
    Patch = 8,
}

impl Method {
    /// All methods in Godot's order.
    #[doc(alias = "METHOD_MAX")]
    pub const ALL: [Method; 9] = [
        Method::Get,
        Method::Head,
        Method::Post,
        Method::Put,
        Method::Delete,
        Method::Options,
        Method::Trace,
        Method::Connect,
        Method::Patch,
    ];

    /// The request-line token.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Head => "HEAD",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
            Method::Options => "OPTIONS",
            Method::Trace => "TRACE",
            Method::Connect => "CONNECT",
            Method::Patch => "PATCH",
        }
    }

    /// The method with Godot's number `n` (0..=8).
    pub fn from_i32(n: i32) -> Option<Method> {
        usize::try_from(n)
            .ok()
            .and_then(|i| Method::ALL.get(i).copied())
    }

    /// Parses a method token, case-insensitively (`"get"` gives `Get`).
    pub fn parse(token: &str) -> Option<Method> {
        Method::ALL
            .iter()
            .copied()
            .find(|m| m.as_str().eq_ignore_ascii_case(token))
    }

    /// Whether an empty body still gets `Content-Length: 0` (methods that carry content).
    pub fn expects_body(self) -> bool {
        matches!(self, Method::Post | Method::Put | Method::Patch)
    }
}

impl core::fmt::Display for Method {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The method a request is sent with: one of Godot's nine, or any other token (RFC 9110
/// section 9.1, e.g. `PROPFIND`, `PURGE`).
///
/// Everything that takes a method for a request ([`Connection::send_request`], pollhttp's
/// `HttpClient::request`) takes `impl Into<RequestMethod>`, so a [`Method`] passes as it
/// is. Methods are case-sensitive: [`parse`](RequestMethod::parse) gives
/// [`Known`](RequestMethod::Known) only for the exact upper-case names, and `"get"` is an
/// extension method sent as `get`.
///
/// ```
/// use pollhttp_proto::{Method, RequestMethod};
/// assert_eq!(RequestMethod::parse("GET"), Ok(RequestMethod::Known(Method::Get)));
/// assert_eq!(RequestMethod::parse("PROPFIND"), Ok(RequestMethod::Other("PROPFIND")));
/// assert_eq!(RequestMethod::parse("get").map(|m| m.as_str()), Ok("get"));
/// assert!(RequestMethod::parse("BAD METHOD").is_err());
/// assert_eq!(RequestMethod::from(Method::Put).as_str(), "PUT");
/// ```
///
/// [`Connection::send_request`]: crate::Connection::send_request
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RequestMethod<'a> {
    /// One of Godot's nine methods.
    Known(Method),
    /// Any other method token, sent exactly as given. It is checked when the request is
    /// written: a value that is not a token is refused there with
    /// [`ProtoError::InvalidMethod`].
    Other(&'a str),
}

impl From<Method> for RequestMethod<'_> {
    fn from(method: Method) -> Self {
        RequestMethod::Known(method)
    }
}

impl<'a> RequestMethod<'a> {
    /// The request-line token.
    pub fn as_str(&self) -> &'a str {
        match *self {
            RequestMethod::Known(m) => m.as_str(),
            RequestMethod::Other(token) => token,
        }
    }

    /// Reads a method token: the exact upper-case names of Godot's nine give
    /// [`Known`](RequestMethod::Known), any other valid token (RFC 9110 `tchar`s) gives
    /// [`Other`](RequestMethod::Other). Methods are case-sensitive, so `"get"` is an
    /// extension method, not `GET`.
    ///
    /// # Errors
    ///
    /// [`ProtoError::InvalidMethod`] (a caller error) for an empty string or one with a
    /// byte that is not a `tchar` (space, CR, LF, NUL, `/`, non-ASCII...).
    pub fn parse(token: &'a str) -> Result<RequestMethod<'a>, ProtoError> {
        if !is_token(token.as_bytes()) {
            return Err(ProtoError::InvalidMethod);
        }
        Ok(known(token).map_or(RequestMethod::Other(token), RequestMethod::Known))
    }

    /// The method whose rules frame the response: the method itself for
    /// [`Known`](RequestMethod::Known); for [`Other`](RequestMethod::Other), the method of
    /// that exact name if there is one, else [`Method::Get`], a method whose response may
    /// have a body and that is neither `HEAD` (no body ever) nor `CONNECT` (a 2xx opens a
    /// tunnel).
    ///
    /// ```
    /// use pollhttp_proto::{Method, RequestMethod};
    /// assert_eq!(RequestMethod::Other("PROPFIND").framing_method(), Method::Get);
    /// assert_eq!(RequestMethod::Other("HEAD").framing_method(), Method::Head);
    /// assert_eq!(RequestMethod::Other("head").framing_method(), Method::Get);
    /// ```
    pub fn framing_method(&self) -> Method {
        match *self {
            RequestMethod::Known(m) => m,
            RequestMethod::Other(token) => known(token).unwrap_or(Method::Get),
        }
    }

    /// Whether an empty body still gets `Content-Length: 0`: as
    /// [`Method::expects_body`] for Godot's methods, never for an extension method (its
    /// semantics are unknown here; give the header to send it).
    pub fn expects_body(&self) -> bool {
        match *self {
            RequestMethod::Known(m) => m.expects_body(),
            RequestMethod::Other(token) => known(token).is_some_and(Method::expects_body),
        }
    }
}

/// The method spelled exactly `token`, if it is one of the nine.
fn known(token: &str) -> Option<Method> {
    Method::ALL.iter().copied().find(|m| m.as_str() == token)
}

impl core::fmt::Display for RequestMethod<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_tokens() {
        for (i, m) in Method::ALL.iter().enumerate() {
            assert_eq!(*m as i32, i as i32);
            assert_eq!(Method::from_i32(i as i32), Some(*m));
            assert_eq!(Method::parse(&m.as_str().to_lowercase()), Some(*m));
        }
        assert_eq!(Method::from_i32(9), None);
        assert_eq!(Method::from_i32(-1), None);
        assert_eq!(Method::parse("BREW"), None);
    }

    #[test]
    fn request_methods_parse_case_sensitively() {
        for m in Method::ALL {
            assert_eq!(
                RequestMethod::parse(m.as_str()),
                Ok(RequestMethod::Known(m))
            );
            assert_eq!(RequestMethod::from(m).as_str(), m.as_str());
            let lower = m.as_str().to_lowercase();
            let parsed = RequestMethod::parse(&lower).unwrap();
            assert_eq!(parsed, RequestMethod::Other(lower.as_str()));
            assert_eq!(parsed.as_str(), lower);
            assert_eq!(parsed.framing_method(), Method::Get);
        }
        for ok in ["PROPFIND", "PURGE", "M-SEARCH", "x_y", "A!#$%&'*+-.^_`|~9"] {
            assert_eq!(RequestMethod::parse(ok), Ok(RequestMethod::Other(ok)));
        }
        for bad in [
            "",
            " ",
            "GET ",
            " GET",
            "BAD METHOD",
            "GET\r\n",
            "G\0T",
            "GET/",
            "G\u{c9}T",
            "(x)",
        ] {
            assert_eq!(
                RequestMethod::parse(bad),
                Err(ProtoError::InvalidMethod),
                "{bad:?}"
            );
        }
        assert!(ProtoError::InvalidMethod.is_caller_error());
    }

    #[test]
    fn framing_and_bodies_of_request_methods() {
        assert_eq!(
            RequestMethod::Known(Method::Head).framing_method(),
            Method::Head
        );
        assert_eq!(
            RequestMethod::Other("CONNECT").framing_method(),
            Method::Connect
        );
        assert_eq!(RequestMethod::Other("PURGE").framing_method(), Method::Get);
        assert!(RequestMethod::Known(Method::Post).expects_body());
        assert!(RequestMethod::Other("PATCH").expects_body());
        assert!(!RequestMethod::Other("PROPFIND").expects_body());
        assert!(!RequestMethod::Known(Method::Get).expects_body());
        assert_eq!(alloc::format!("{}", RequestMethod::Other("PURGE")), "PURGE");
    }
}
