//! Why a run failed, as one line of text and a curl-compatible exit code.

use pollhttp::proto::ProtoError;
use pollhttp::tls::rustls::AlertDescription;
use pollhttp::{
    Completion, Endpoint, Error, HttpRequestResult, Reason, Status, TlsError, TlsErrorKind,
};
use std::fmt;

/// Exit codes, numbered as curl numbers them where curl has one.
pub mod code {
    /// Generic failure, or a protocol other than http/https.
    pub const FAILED: u8 = 1;
    /// A usage error (bad option or option value).
    pub const USAGE: u8 = 2;
    /// The URL is malformed.
    pub const BAD_URL: u8 = 3;
    /// The proxy's host name could not be resolved.
    pub const RESOLVE_PROXY: u8 = 5;
    /// The host name could not be resolved.
    pub const RESOLVE: u8 = 6;
    /// No connection could be made.
    pub const CONNECT: u8 = 7;
    /// The server's reply could not be understood.
    pub const WEIRD_REPLY: u8 = 8;
    /// The connection closed before the whole body arrived.
    pub const PARTIAL: u8 = 18;
    /// `--fail` and a response code of 400 or more.
    pub const HTTP_ERROR: u8 = 22;
    /// Writing the output failed.
    pub const WRITE: u8 = 23;
    /// The client certificate or its key (`--cert`, `--key`) could not be used.
    pub const CLIENT_CERT: u8 = 58;
    /// Reading a `@file` for the request body failed.
    pub const READ: u8 = 26;
    /// `--max-time` or `--connect-timeout` ran out.
    pub const TIMEOUT: u8 = 28;
    /// `-C`: the server's answer does not continue the file where it ends.
    pub const RANGE: u8 = 33;
    /// The TLS handshake failed (also: no TLS version in common, a peer that does not
    /// speak TLS).
    pub const TLS: u8 = 35;
    /// More redirects than `--max-redirs` allows.
    pub const TOO_MANY_REDIRECTS: u8 = 47;
    /// The body could not be decoded from its `Content-Encoding` (`--compressed`).
    pub const BAD_CONTENT_ENCODING: u8 = 61;
    /// The body is larger than `--max-filesize` allows.
    pub const FILE_TOO_LARGE: u8 = 63;
    /// The server closed the connection without sending anything.
    pub const EMPTY_REPLY: u8 = 52;
    /// Receiving from the connection failed (also: the proxy refused the CONNECT
    /// tunnel, as curl reports it).
    pub const RECV: u8 = 56;
    /// The server's certificate failed verification (expired, not yet valid, wrong
    /// name, unknown issuer, self-signed, unusable, revoked by a `--crlfile` list or of
    /// unknown revocation status).
    pub const PEER_VERIFY: u8 = 60;
    /// The CA certificate file (or the operating system's store) could not be used.
    pub const CA_CERT: u8 = 77;
    /// The revocation list file (`--crlfile`) could not be read.
    pub const CRL_FILE: u8 = 82;
    /// The server ended the handshake with a `certificate_required` alert: it wants a
    /// client certificate (`--cert`).
    pub const CLIENT_CERT_REQUIRED: u8 = 98;
    /// The server's public key matches none of the `--pinnedpubkey` hashes.
    pub const PINNED_KEY: u8 = 90;
    /// `--cert-status`: no stapled OCSP response, an untrustworthy one, or one that does
    /// not say "good".
    pub const CERT_STATUS: u8 = 91;
}

fn rustls_alert(alert: AlertDescription) -> pollhttp::tls::rustls::Error {
    pollhttp::tls::rustls::Error::AlertReceived(alert)
}

/// What the client was doing when it failed; the same error means different things.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Resolving the host name and connecting; `proxy` when through a proxy, whose name
    /// is then the one resolved.
    Connect {
        /// A proxy is in use.
        proxy: bool,
    },
    /// Sending the request and waiting for the response head.
    Request,
    /// Reading the response body.
    Body,
}

/// A failed run: the exit code and the one-line reason printed after `pollhttp: `.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// The process exit code.
    pub code: u8,
    /// The reason, one line.
    pub message: String,
}

impl Failure {
    /// A failure with this exit code and message.
    pub fn new(code: u8, message: impl Into<String>) -> Failure {
        Failure {
            code,
            message: message.into(),
        }
    }

    /// Classifies a request that ended without success, as curl numbers its failures.
    /// `proxy` says whether a proxy was in use (whose name is then the one resolved).
    pub fn from_completion(done: &Completion, proxy: bool) -> Failure {
        use code::*;
        let Some(err) = done.error.as_ref() else {
            return Failure::new(FAILED, format!("request failed ({:?})", done.result));
        };
        match (done.result, err.reason()) {
            (HttpRequestResult::RedirectLimitReached, Reason::RedirectLimit { limit }) => {
                Failure::new(
                    TOO_MANY_REDIRECTS,
                    format!("maximum ({limit}) redirects followed"),
                )
            }
            (HttpRequestResult::BodyDecompressFailed, _) => Failure::new(
                BAD_CONTENT_ENCODING,
                format!(
                    "error while processing content unencoding: {}",
                    err.reason()
                ),
            ),
            (
                HttpRequestResult::BodySizeLimitExceeded,
                Reason::BodySizeLimit { limit, declared },
            ) => Failure::new(
                FILE_TOO_LARGE,
                match declared {
                    Some(len) => format!(
                        "maximum file size exceeded: the body's Content-Length ({len}) \
                             is over --max-filesize ({limit})"
                    ),
                    None => format!(
                        "maximum file size exceeded: the body grew over --max-filesize \
                             ({limit})"
                    ),
                },
            ),
            _ => {
                let phase = match done.result {
                    HttpRequestResult::CantResolve
                    | HttpRequestResult::CantConnect
                    | HttpRequestResult::TlsHandshakeError => Phase::Connect { proxy },
                    _ if done.head.is_some() => Phase::Body,
                    _ => Phase::Request,
                };
                Failure::from_client(err, phase)
            }
        }
    }

    /// Classifies an error from the client.
    pub fn from_client(err: &Error, phase: Phase) -> Failure {
        use code::*;
        if err.is_timeout() {
            return Failure::new(TIMEOUT, format!("operation timed out: {}", err.reason()));
        }
        match err.reason() {
            Reason::Resolve {
                host,
                endpoint,
                error,
            } => match endpoint {
                // curl's "could not resolve proxy" has a code of its own.
                Endpoint::HttpProxy | Endpoint::HttpsProxy => Failure::new(
                    RESOLVE_PROXY,
                    format!("cannot resolve proxy {host}: {error}"),
                ),
                _ => Failure::new(RESOLVE, format!("cannot resolve host {host}: {error}")),
            },
            Reason::Connect {
                target,
                endpoint,
                error,
            } => {
                let whom = match endpoint {
                    Endpoint::HttpProxy | Endpoint::HttpsProxy => format!("{endpoint} {target}"),
                    _ => target.clone(),
                };
                Failure::new(CONNECT, format!("cannot connect to {whom}: {error}"))
            }
            Reason::Tls(e) => Failure::from_tls(e),
            Reason::PeerClosed(when) => match phase {
                Phase::Connect { .. } => {
                    Failure::new(CONNECT, format!("connection closed by peer {when}"))
                }
                Phase::Request => Failure::new(
                    EMPTY_REPLY,
                    format!("empty reply from server (connection closed by peer {when})"),
                ),
                Phase::Body => Failure::new(
                    PARTIAL,
                    format!(
                        "transfer closed with outstanding data (connection closed by peer {when})"
                    ),
                ),
            },
            Reason::Io(detail) => match phase {
                Phase::Connect { .. } => Failure::new(CONNECT, format!("cannot connect: {detail}")),
                Phase::Request | Phase::Body => {
                    Failure::new(RECV, format!("failure receiving data: {detail}"))
                }
            },
            Reason::Protocol(e @ ProtoError::BodyTooLarge { .. }) => {
                Failure::new(FILE_TOO_LARGE, format!("maximum file size exceeded: {e}"))
            }
            Reason::Protocol(e @ ProtoError::EmptyReply) => {
                Failure::new(EMPTY_REPLY, format!("empty reply from server: {e}"))
            }
            Reason::Protocol(
                e @ (ProtoError::TruncatedBody { .. } | ProtoError::TruncatedChunked),
            ) => Failure::new(
                PARTIAL,
                format!("transfer closed with outstanding data: {e}"),
            ),
            Reason::Protocol(e) => match phase {
                Phase::Body => Failure::new(RECV, format!("bad response body: {e}")),
                _ => Failure::new(WEIRD_REPLY, format!("weird server reply: {e}")),
            },
            Reason::UnexpectedData => Failure::new(WEIRD_REPLY, err.reason().to_string()),
            Reason::ProxyRefused { .. } => Failure::new(RECV, err.reason().to_string()),
            Reason::InvalidArgument(what) => {
                Failure::new(USAGE, format!("invalid request: {what}"))
            }
            Reason::InvalidRequest(e) => Failure::new(USAGE, format!("invalid request: {e}")),
            Reason::Unsupported(what) => Failure::new(FAILED, format!("unsupported: {what}")),
            _ => Failure::new(FAILED, err.to_string()),
        }
    }

    /// Classifies a TLS failure as curl does: the stapled OCSP response (`--cert-status`)
    /// is 91, other certificate checks (revocation lists included) are 60, a pin mismatch is 90, everything else about the handshake 35 — except a
    /// `certificate_required` alert in the handshake (98), and a TLS 1.3 server's refusal
    /// of the client certificate, which comes with the first read after the handshake:
    /// curl calls that a receive error, 56.
    pub fn from_tls(e: &TlsError) -> Failure {
        use code::*;
        if e.from_ocsp_staple() {
            return Failure::new(CERT_STATUS, format!("TLS certificate status: {e}"));
        }
        let hint = if e.kind() == TlsErrorKind::ClientCertificateRequired {
            "; --cert FILE presents one"
        } else {
            ""
        };
        match e.kind() {
            TlsErrorKind::UnknownIssuer | TlsErrorKind::SelfSigned => Failure::new(
                PEER_VERIFY,
                format!(
                    "TLS certificate problem: {e}; --cacert FILE trusts its CA, -k skips \
                     verification"
                ),
            ),
            TlsErrorKind::Expired
            | TlsErrorKind::NotYetValid
            | TlsErrorKind::WrongName
            | TlsErrorKind::BadCertificate
            | TlsErrorKind::Revoked
            | TlsErrorKind::RevocationUnknown
            | TlsErrorKind::RevocationListExpired
            | TlsErrorKind::BadRevocationList => {
                Failure::new(PEER_VERIFY, format!("TLS certificate problem: {e}"))
            }
            TlsErrorKind::PinMismatch => Failure::new(PINNED_KEY, format!("TLS: {e}")),
            TlsErrorKind::ClientCertificateRequired | TlsErrorKind::ClientCertificateRejected
                if e.after_handshake() =>
            {
                Failure::new(RECV, format!("TLS client certificate refused: {e}{hint}"))
            }
            TlsErrorKind::ClientCertificateRequired
                if e.rustls_error()
                    == Some(&rustls_alert(AlertDescription::CertificateRequired)) =>
            {
                Failure::new(
                    CLIENT_CERT_REQUIRED,
                    format!("TLS client certificate required: {e}{hint}"),
                )
            }
            TlsErrorKind::ClientCertificateRequired | TlsErrorKind::ClientCertificateRejected => {
                Failure::new(TLS, format!("TLS client certificate refused: {e}{hint}"))
            }
            _ => Failure::new(TLS, format!("TLS handshake failed: {e}")),
        }
    }

    /// Classifies an error status when the client kept no error detail.
    pub fn from_status(status: Status, phase: Phase) -> Failure {
        use code::*;
        match status {
            Status::CantResolve => match phase {
                Phase::Connect { proxy: true } => {
                    Failure::new(RESOLVE_PROXY, "cannot resolve proxy")
                }
                _ => Failure::new(RESOLVE, "cannot resolve host"),
            },
            Status::CantConnect => Failure::new(CONNECT, "cannot connect to host"),
            Status::TlsHandshakeError => Failure::new(TLS, "TLS handshake failed"),
            Status::Disconnected if phase == Phase::Request => {
                Failure::new(EMPTY_REPLY, "empty reply from server")
            }
            _ => match phase {
                Phase::Connect { .. } => {
                    Failure::new(CONNECT, format!("cannot connect ({status})"))
                }
                Phase::Request => Failure::new(RECV, format!("connection failed ({status})")),
                Phase::Body => Failure::new(
                    RECV,
                    format!("connection failed during the body ({status})"),
                ),
            },
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pollhttp::GodotError;
    use std::io;

    const DIRECT: Phase = Phase::Connect { proxy: false };
    const PROXIED: Phase = Phase::Connect { proxy: true };

    fn err(godot: GodotError, reason: Reason) -> Error {
        Error::new(godot, reason)
    }

    fn resolve(endpoint: Endpoint) -> Error {
        err(
            GodotError::CantResolve,
            Reason::Resolve {
                host: "nonexistent.invalid".into(),
                endpoint,
                error: io::Error::new(io::ErrorKind::NotFound, "no such host").into(),
            },
        )
    }

    fn refused(endpoint: Endpoint) -> Error {
        err(
            GodotError::CantConnect,
            Reason::Connect {
                target: "127.0.0.1:9".into(),
                endpoint,
                error: io::Error::from(io::ErrorKind::ConnectionRefused).into(),
            },
        )
    }

    #[test]
    fn client_errors_map_to_curl_codes() {
        let f = Failure::from_client(&resolve(Endpoint::Origin), DIRECT);
        assert_eq!(f.code, 6);
        assert_eq!(
            f.message,
            "cannot resolve host nonexistent.invalid: no such host"
        );

        assert_eq!(
            Failure::from_client(&refused(Endpoint::Origin), DIRECT).code,
            7
        );
        assert_eq!(
            Failure::from_client(
                &err(
                    GodotError::CantConnect,
                    Reason::Tls(TlsError::new(TlsErrorKind::Expired, "bad cert"))
                ),
                DIRECT
            )
            .code,
            60
        );
        let closed = err(
            GodotError::ConnectionError,
            Reason::PeerClosed("before the response"),
        );
        assert_eq!(Failure::from_client(&closed, Phase::Request).code, 52);
        assert_eq!(Failure::from_client(&closed, Phase::Body).code, 18);
        let io = Error::io(
            GodotError::ConnectionError,
            &std::io::Error::from(std::io::ErrorKind::ConnectionReset),
        );
        assert_eq!(Failure::from_client(&io, Phase::Body).code, 56);
        assert_eq!(Failure::from_client(&io, DIRECT).code, 7);
        let timeout = err(GodotError::Timeout, Reason::NotConnected);
        assert_eq!(Failure::from_client(&timeout, Phase::Request).code, 28);
        assert_eq!(
            Failure::from_client(&Error::invalid("bad"), Phase::Request).code,
            2
        );
        let bad_header = ProtoError::InvalidHeader {
            index: 0,
            why: "empty header",
        };
        let f = Failure::from_client(
            &err(
                GodotError::InvalidParameter,
                Reason::InvalidRequest(bad_header),
            ),
            Phase::Request,
        );
        assert_eq!(f, Failure::new(2, format!("invalid request: {bad_header}")));
    }

    #[test]
    fn a_proxy_that_cannot_be_resolved_is_exit_5() {
        for proxy in [Endpoint::HttpProxy, Endpoint::HttpsProxy] {
            let f = Failure::from_client(&resolve(proxy), PROXIED);
            assert_eq!(f.code, code::RESOLVE_PROXY);
            assert_eq!(
                f.message,
                "cannot resolve proxy nonexistent.invalid: no such host"
            );
        }
        // The reason says whose name it was, whatever the phase says.
        assert_eq!(
            Failure::from_client(&resolve(Endpoint::HttpsProxy), DIRECT).code,
            code::RESOLVE_PROXY
        );
        assert_eq!(
            Failure::from_client(&resolve(Endpoint::Origin), PROXIED).code,
            code::RESOLVE
        );
        // Without a reason only the phase knows.
        assert_eq!(
            Failure::from_status(Status::CantResolve, PROXIED),
            Failure::new(code::RESOLVE_PROXY, "cannot resolve proxy")
        );
    }

    #[test]
    fn a_refusing_proxy_is_named() {
        let f = Failure::from_client(&refused(Endpoint::HttpProxy), PROXIED);
        assert_eq!(f.code, code::CONNECT);
        assert!(
            f.message
                .starts_with("cannot connect to HTTP proxy 127.0.0.1:9: "),
            "{}",
            f.message
        );
        let f = Failure::from_client(&refused(Endpoint::Origin), DIRECT);
        assert!(
            f.message.starts_with("cannot connect to 127.0.0.1:9: "),
            "{}",
            f.message
        );
    }

    #[test]
    fn tls_errors_map_to_curl_codes() {
        use TlsErrorKind::*;
        let cases = [
            (Expired, 60),
            (NotYetValid, 60),
            (WrongName, 60),
            (UnknownIssuer, 60),
            (SelfSigned, 60),
            (BadCertificate, 60),
            (PinMismatch, 90),
            (ProtocolVersion, 35),
            (NotTls, 35),
            (HandshakeFailure, 35),
            (InvalidConfig, 35),
            (Io, 35),
            (Closed, 35),
            (Revoked, 60),
            (RevocationUnknown, 60),
            (RevocationListExpired, 60),
            (BadRevocationList, 60),
            (ClientCertificateRequired, 35),
            (ClientCertificateRejected, 35),
        ];
        for (kind, expected) in cases {
            let e = TlsError::new(kind, "detail");
            let f = Failure::from_client(
                &err(GodotError::CantConnect, Reason::Tls(e.clone())),
                DIRECT,
            );
            assert_eq!(f.code, expected, "{kind:?}");
            assert!(f.message.contains(&e.to_string()), "{}", f.message);
        }
        let f = Failure::from_tls(&TlsError::new(UnknownIssuer, "x"));
        assert!(f.message.contains("--cacert"), "{}", f.message);
    }

    #[test]
    fn statuses_map_to_curl_codes() {
        assert_eq!(Failure::from_status(Status::CantResolve, DIRECT).code, 6);
        assert_eq!(Failure::from_status(Status::CantConnect, DIRECT).code, 7);
        assert_eq!(
            Failure::from_status(Status::TlsHandshakeError, DIRECT).code,
            35
        );
        assert_eq!(
            Failure::from_status(Status::Disconnected, Phase::Request).code,
            52
        );
        assert_eq!(
            Failure::from_status(Status::ConnectionError, Phase::Body).code,
            56
        );
    }
}
