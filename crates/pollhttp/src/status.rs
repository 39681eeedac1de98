//! The connection status machine's public view, with Godot's names and numbers.

/// Where an [`HttpClient`](crate::HttpClient) stands, as Godot's `HTTPClient.Status`.
///
/// The numeric values are Godot's (`status as i32` gives them), so code ported from
/// GDScript can compare numbers unchanged. Error statuses (`CantResolve`, `CantConnect`,
/// `ConnectionError`, `TlsHandshakeError`) are sticky: only
/// [`connect_to_host`](crate::HttpClient::connect_to_host),
/// [`close`](crate::HttpClient::close) or
/// [`set_connection`](crate::HttpClient::set_connection) leave them.
///
/// ```
/// use pollhttp::Status;
/// assert_eq!(Status::Body as i32, 7);
/// assert_eq!(Status::from_i32(9), Some(Status::TlsHandshakeError));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(i32)]
pub enum Status {
    /// No connection (`STATUS_DISCONNECTED`).
    #[doc(alias = "STATUS_DISCONNECTED")]
    Disconnected = 0,
    /// Waiting for the host name to resolve (`STATUS_RESOLVING`).
    #[doc(alias = "STATUS_RESOLVING")]
    Resolving = 1,
    /// The host name could not be resolved (`STATUS_CANT_RESOLVE`).
    #[doc(alias = "STATUS_CANT_RESOLVE")]
    CantResolve = 2,
    /// Connecting: TCP, then any proxy tunnel and TLS handshake (`STATUS_CONNECTING`).
    #[doc(alias = "STATUS_CONNECTING")]
    Connecting = 3,
    /// No connection could be made (`STATUS_CANT_CONNECT`).
    #[doc(alias = "STATUS_CANT_CONNECT")]
    CantConnect = 4,
    /// Connected and idle: a request may be sent (`STATUS_CONNECTED`).
    #[doc(alias = "STATUS_CONNECTED")]
    Connected = 5,
    /// A request is being sent or its response head awaited (`STATUS_REQUESTING`).
    #[doc(alias = "STATUS_REQUESTING")]
    Requesting = 6,
    /// A response body is ready to be read (`STATUS_BODY`).
    #[doc(alias = "STATUS_BODY")]
    Body = 7,
    /// The connection failed or the peer broke the protocol (`STATUS_CONNECTION_ERROR`).
    #[doc(alias = "STATUS_CONNECTION_ERROR")]
    ConnectionError = 8,
    /// The TLS handshake or certificate verification failed (`STATUS_TLS_HANDSHAKE_ERROR`).
    #[doc(alias = "STATUS_TLS_HANDSHAKE_ERROR")]
    TlsHandshakeError = 9,
}

impl Status {
    /// The status with Godot's number `n`, if there is one.
    pub fn from_i32(n: i32) -> Option<Status> {
        Some(match n {
            0 => Status::Disconnected,
            1 => Status::Resolving,
            2 => Status::CantResolve,
            3 => Status::Connecting,
            4 => Status::CantConnect,
            5 => Status::Connected,
            6 => Status::Requesting,
            7 => Status::Body,
            8 => Status::ConnectionError,
            9 => Status::TlsHandshakeError,
            _ => return None,
        })
    }

    /// Godot's constant name, such as `"STATUS_BODY"`.
    pub fn godot_name(self) -> &'static str {
        match self {
            Status::Disconnected => "STATUS_DISCONNECTED",
            Status::Resolving => "STATUS_RESOLVING",
            Status::CantResolve => "STATUS_CANT_RESOLVE",
            Status::Connecting => "STATUS_CONNECTING",
            Status::CantConnect => "STATUS_CANT_CONNECT",
            Status::Connected => "STATUS_CONNECTED",
            Status::Requesting => "STATUS_REQUESTING",
            Status::Body => "STATUS_BODY",
            Status::ConnectionError => "STATUS_CONNECTION_ERROR",
            Status::TlsHandshakeError => "STATUS_TLS_HANDSHAKE_ERROR",
        }
    }

    /// True for the sticky failure statuses.
    pub fn is_error(self) -> bool {
        matches!(
            self,
            Status::CantResolve
                | Status::CantConnect
                | Status::ConnectionError
                | Status::TlsHandshakeError
        )
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.godot_name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_trip() {
        for n in 0..10 {
            let s = Status::from_i32(n).unwrap();
            assert_eq!(s as i32, n);
        }
        assert_eq!(Status::from_i32(10), None);
        assert_eq!(Status::from_i32(-1), None);
    }
}
