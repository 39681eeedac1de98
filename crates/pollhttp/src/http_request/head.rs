//! A response head as `HttpRequest` keeps it: the final one, and each redirect's.

use crate::HttpClient;

/// One response's status line and header fields, with the URL that answered.
///
/// [`Completion::redirects`](crate::Completion::redirects) holds one per redirect
/// followed, and [`HttpRequest::response_head`](crate::HttpRequest::response_head) the
/// final one: enough to print every head of a chain, as `curl -i -L` does.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ResponseHead {
    /// The URL the request went to (without credentials).
    pub url: String,
    /// The status code.
    pub code: u16,
    /// The reason phrase as sent (invalid UTF-8 replaced).
    pub reason: String,
    /// The HTTP minor version: 1 for HTTP/1.1, 0 for HTTP/1.0.
    pub version_minor: u8,
    /// The header lines, `"Name: value"`, in the order received.
    pub headers: Vec<String>,
}

impl ResponseHead {
    /// The head of the client's current response.
    pub(crate) fn of(client: &HttpClient, url: String) -> ResponseHead {
        let (reason, version_minor) = client
            .response()
            .map(|r| (r.reason().into_owned(), r.version_minor()))
            .unwrap_or_default();
        ResponseHead {
            url,
            code: client.response_code(),
            reason,
            version_minor,
            headers: client.response_headers(),
        }
    }

    /// The status line, such as `HTTP/1.1 200 OK`.
    ///
    /// ```
    /// let mut head = pollhttp::ResponseHead::default();
    /// head.code = 404;
    /// head.reason = "Not Found".into();
    /// head.version_minor = 1;
    /// assert_eq!(head.status_line(), "HTTP/1.1 404 Not Found");
    /// ```
    pub fn status_line(&self) -> String {
        if self.reason.is_empty() {
            format!("HTTP/1.{} {}", self.version_minor, self.code)
        } else {
            format!(
                "HTTP/1.{} {} {}",
                self.version_minor, self.code, self.reason
            )
        }
    }

    /// The first value of the header `name`, case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find_map(|h| {
            let (n, v) = h.split_once(':')?;
            n.trim().eq_ignore_ascii_case(name).then_some(v.trim())
        })
    }
}
