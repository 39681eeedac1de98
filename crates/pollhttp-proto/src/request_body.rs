//! A request body the connection holds until it is sent, without copying what it can own.

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

/// The body of a request, queued by [`Connection::send_request`](crate::Connection::send_request)
/// and written after the head (as a second buffer of one vectored write, never appended to
/// the head).
///
/// An owned `Vec<u8>` or `String` is taken as it is, and so are bytes that live for the
/// whole program when given with [`from_static`](RequestBody::from_static) (or as a
/// `Cow::Borrowed`) and bytes shared as an `Arc<[u8]>` (a body sent more than once, as a
/// redirect may ask, costs a reference count, not a copy); any borrowed slice converted
/// with `From` (`&[u8]`, `&str`, `&Vec<u8>`, a `&'static` one too) is copied
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
///
/// // Shared: the same bytes, sent twice, never copied.
/// let shared: std::sync::Arc<[u8]> = vec![1u8; 1000].into();
/// let again = RequestBody::from(shared.clone());
/// assert_eq!(again.as_bytes().as_ptr(), shared.as_ptr());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestBody(Bytes);

/// Where a body's bytes live.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Bytes {
    Cow(Cow<'static, [u8]>),
    Shared(Arc<[u8]>),
}

impl Default for Bytes {
    fn default() -> Self {
        Bytes::Cow(Cow::Borrowed(&[]))
    }
}

impl RequestBody {
    /// No body.
    pub const EMPTY: RequestBody = RequestBody(Bytes::Cow(Cow::Borrowed(&[])));

    /// A body of bytes that live for the whole program, not copied.
    pub const fn from_static(bytes: &'static [u8]) -> RequestBody {
        RequestBody(Bytes::Cow(Cow::Borrowed(bytes)))
    }

    /// The bytes.
    pub fn as_bytes(&self) -> &[u8] {
        match &self.0 {
            Bytes::Cow(c) => c,
            Bytes::Shared(a) => a,
        }
    }

    /// The length in bytes.
    pub fn len(&self) -> usize {
        self.as_bytes().len()
    }

    /// Whether there are no bytes.
    pub fn is_empty(&self) -> bool {
        self.as_bytes().is_empty()
    }
}

impl From<Vec<u8>> for RequestBody {
    fn from(v: Vec<u8>) -> RequestBody {
        RequestBody(Bytes::Cow(Cow::Owned(v)))
    }
}

impl From<String> for RequestBody {
    fn from(s: String) -> RequestBody {
        RequestBody(Bytes::Cow(Cow::Owned(s.into_bytes())))
    }
}

impl From<&[u8]> for RequestBody {
    fn from(b: &[u8]) -> RequestBody {
        RequestBody(Bytes::Cow(Cow::Owned(b.to_vec())))
    }
}

impl<const N: usize> From<&[u8; N]> for RequestBody {
    fn from(b: &[u8; N]) -> RequestBody {
        RequestBody(Bytes::Cow(Cow::Owned(b.to_vec())))
    }
}

impl From<&Vec<u8>> for RequestBody {
    fn from(b: &Vec<u8>) -> RequestBody {
        RequestBody(Bytes::Cow(Cow::Owned(b.clone())))
    }
}

impl From<&str> for RequestBody {
    fn from(s: &str) -> RequestBody {
        RequestBody(Bytes::Cow(Cow::Owned(s.as_bytes().to_vec())))
    }
}

impl From<&String> for RequestBody {
    fn from(s: &String) -> RequestBody {
        RequestBody(Bytes::Cow(Cow::Owned(s.as_bytes().to_vec())))
    }
}

impl From<Cow<'static, [u8]>> for RequestBody {
    fn from(c: Cow<'static, [u8]>) -> RequestBody {
        RequestBody(Bytes::Cow(c))
    }
}

impl From<Arc<[u8]>> for RequestBody {
    /// Shares the bytes: sending the same body again costs no copy.
    fn from(a: Arc<[u8]>) -> RequestBody {
        RequestBody(Bytes::Shared(a))
    }
}
