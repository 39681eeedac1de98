//! The request's method, owned, so that it can outlive the caller's string across
//! redirects.

use crate::Method;

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

    /// The token sent on the request line.
    pub fn as_str(&self) -> &str {
        match self {
            RequestMethodBuf::Known(m) => m.as_str(),
            RequestMethodBuf::Other(s) => s,
        }
    }
}

impl From<Method> for RequestMethodBuf {
    fn from(m: Method) -> Self {
        RequestMethodBuf::Known(m)
    }
}
