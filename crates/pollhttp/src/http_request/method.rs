//! The request's method, owned, so that it can outlive the caller's string across
//! redirects.

use crate::{Method, RequestMethod};

/// One of Godot's nine methods, or another token (`PROPFIND`, `PURGE`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum RequestMethodBuf {
    Known(Method),
    Other(String),
}

impl RequestMethodBuf {
    /// Whether this is `m`.
    pub fn is(&self, m: Method) -> bool {
        *self == RequestMethodBuf::Known(m)
    }
}

impl RequestMethodBuf {
    /// The method as the client takes it.
    pub fn borrow(&self) -> RequestMethod<'_> {
        match self {
            RequestMethodBuf::Known(m) => RequestMethod::Known(*m),
            RequestMethodBuf::Other(s) => RequestMethod::Other(s),
        }
    }
}

impl From<RequestMethod<'_>> for RequestMethodBuf {
    fn from(m: RequestMethod<'_>) -> Self {
        match m {
            RequestMethod::Known(m) => RequestMethodBuf::Known(m),
            RequestMethod::Other(s) => RequestMethodBuf::Other(s.to_string()),
        }
    }
}

impl From<Method> for RequestMethodBuf {
    fn from(m: Method) -> Self {
        RequestMethodBuf::Known(m)
    }
}
