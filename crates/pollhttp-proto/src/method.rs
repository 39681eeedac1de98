//! Request methods with Godot's numbering.

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
}
