//! A Rust-native, borrowed view of the current response.

use crate::proto::{HeaderList, ResponseHead};
use crate::ResponseCode;
use std::borrow::Cow;

/// The response head (and, once the body is read, its trailers), borrowed from an
/// [`HttpClient`](crate::HttpClient).
///
/// ```no_run
/// # let client = pollhttp::HttpClient::new();
/// if let Some(resp) = client.response() {
///     println!("{} {}", resp.status(), resp.reason());
///     for cookie in resp.headers().get_all("set-cookie") {
///         println!("cookie: {cookie}");
///     }
/// }
/// ```
#[derive(Clone, Copy)]
pub struct Response<'a> {
    head: &'a ResponseHead,
    trailers: &'a HeaderList,
}

impl<'a> Response<'a> {
    pub(crate) fn new(head: &'a ResponseHead, trailers: &'a HeaderList) -> Response<'a> {
        Response { head, trailers }
    }

    /// The numeric status code.
    pub fn status(&self) -> u16 {
        self.head.code()
    }

    /// The status as a named [`ResponseCode`], when Godot names it.
    pub fn code(&self) -> Option<ResponseCode> {
        ResponseCode::from_u16(self.head.code())
    }

    /// The reason phrase as sent (invalid UTF-8 replaced).
    pub fn reason(&self) -> Cow<'a, str> {
        String::from_utf8_lossy(self.head.reason())
    }

    /// The HTTP minor version of the response: 1 for HTTP/1.1, 0 for HTTP/1.0.
    pub fn version_minor(&self) -> u8 {
        self.head.version_minor()
    }

    /// The header fields, case-insensitive, every value kept.
    pub fn headers(&self) -> Headers<'a> {
        Headers {
            list: self.head.headers(),
        }
    }

    /// Trailer fields of a chunked body; empty until the body has been read to its end.
    pub fn trailers(&self) -> Headers<'a> {
        Headers {
            list: self.trailers,
        }
    }
}

/// A case-insensitive, multi-value view of header fields in arrival order.
#[derive(Clone, Copy)]
pub struct Headers<'a> {
    list: &'a HeaderList,
}

impl<'a> Headers<'a> {
    /// The first value of `name` (any case), as text (invalid UTF-8 replaced).
    pub fn get(&self, name: &str) -> Option<Cow<'a, str>> {
        self.list.get(name).map(String::from_utf8_lossy)
    }

    /// The first value of `name` as raw bytes.
    pub fn get_bytes(&self, name: &str) -> Option<&'a [u8]> {
        self.list.get(name)
    }

    /// Every value of `name` (any case), in arrival order.
    pub fn get_all(&self, name: &'a str) -> impl Iterator<Item = Cow<'a, str>> + 'a {
        self.list.get_all(name).map(String::from_utf8_lossy)
    }

    /// True when `name` is present.
    pub fn contains(&self, name: &str) -> bool {
        self.list.get(name).is_some()
    }

    /// All fields as `(name, value)` pairs in arrival order.
    pub fn iter(&self) -> impl Iterator<Item = (&'a str, Cow<'a, str>)> + 'a {
        self.list
            .iter()
            .map(|(n, v)| (n, String::from_utf8_lossy(v)))
    }

    /// Number of fields.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// True when there are no fields.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}
