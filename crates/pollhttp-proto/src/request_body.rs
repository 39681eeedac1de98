//! A request body the connection holds until it is sent, without copying what it can own.

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;

/// The body of a request, queued by [`Connection::send_request`](crate::Connection::send_request)
/// and written after the head (as a second buffer of one vectored write, never appended to
/// the head).
///
/// An owned `Vec<u8>` or `String` is taken as it is, and so are bytes that live for the
/// whole program when given with [`from_static`](RequestBody::from_static) (or as a
/// `Cow::Borrowed`); any borrowed slice converted with `From` (`&[u8]`, `&str`, `&Vec<u8>`,
/// a `&'static` one too) is copied
/// once, since the connection must keep the bytes after the call returns.
///
/// ```
/// use pollhttp_proto::RequestBody;
/// let big = vec![7u8; 1 << 20];
/// let ptr = big.as_ptr();
/// let body = RequestBody::from(big); // moved, not copied
/// assert_eq!(body.as_bytes().as_ptr(), ptr);
/// assert_eq!(RequestBody::from("text").len(), 4);
/// assert!(RequestBody::from(&b""[..]).is_empty());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestBody(Cow<'static, [u8]>);

impl RequestBody {
    /// No body.
    pub const EMPTY: RequestBody = RequestBody(Cow::Borrowed(&[]));

    /// A body of bytes that live for the whole program, not copied.
    pub const fn from_static(bytes: &'static [u8]) -> RequestBody {
        RequestBody(Cow::Borrowed(bytes))
    }

    /// The bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no bytes.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<Vec<u8>> for RequestBody {
    fn from(v: Vec<u8>) -> RequestBody {
        RequestBody(Cow::Owned(v))
    }
}

impl From<String> for RequestBody {
    fn from(s: String) -> RequestBody {
        RequestBody(Cow::Owned(s.into_bytes()))
    }
}

impl From<&[u8]> for RequestBody {
    fn from(b: &[u8]) -> RequestBody {
        RequestBody(Cow::Owned(b.to_vec()))
    }
}

impl<const N: usize> From<&[u8; N]> for RequestBody {
    fn from(b: &[u8; N]) -> RequestBody {
        RequestBody(Cow::Owned(b.to_vec()))
    }
}

impl From<&Vec<u8>> for RequestBody {
    fn from(b: &Vec<u8>) -> RequestBody {
        RequestBody(Cow::Owned(b.clone()))
    }
}

impl From<&str> for RequestBody {
    fn from(s: &str) -> RequestBody {
        RequestBody(Cow::Owned(s.as_bytes().to_vec()))
    }
}

impl From<&String> for RequestBody {
    fn from(s: &String) -> RequestBody {
        RequestBody(Cow::Owned(s.as_bytes().to_vec()))
    }
}

impl From<Cow<'static, [u8]>> for RequestBody {
    fn from(c: Cow<'static, [u8]>) -> RequestBody {
        RequestBody(c)
    }
}
