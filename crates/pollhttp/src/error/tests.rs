use super::*;
use crate::TimeoutPhase;
use rustix::io::Errno;
use std::error::Error as _;
use std::time::Duration;

fn os(errno: Errno) -> io::Error {
    io::Error::from_raw_os_error(errno.raw_os_error())
}

fn shared(e: io::Error) -> SharedIoError {
    e.into()
}

use pollhttp_testserver::error_chain as chain;

fn tls_from_rustls() -> TlsError {
    TlsError::from_rustls(&rustls::Error::InvalidCertificate(
        rustls::CertificateError::Expired,
    ))
}

/// One reason of every variant, each with the fault it must have.
fn every_reason() -> Vec<(Reason, Fault)> {
    vec![
        (Reason::InvalidArgument("x".into()), Fault::Caller),
        (
            Reason::InvalidRequest(ProtoError::InvalidMethod),
            Fault::Caller,
        ),
        (
            Reason::WrongStatus {
                call: "request",
                status: Status::Body,
            },
            Fault::Caller,
        ),
        (Reason::NotConnected, Fault::Caller),
        (Reason::Unsupported("socks5".into()), Fault::Caller),
        (
            Reason::Resolve {
                host: "h".into(),
                endpoint: Endpoint::Origin,
                error: shared(io::Error::new(io::ErrorKind::NotFound, "no such host")),
            },
            Fault::Network,
        ),
        (
            Reason::Connect {
                target: "127.0.0.1:9".into(),
                endpoint: Endpoint::HttpProxy,
                error: shared(os(Errno::CONNREFUSED)),
            },
            Fault::Network,
        ),
        (Reason::Tls(tls_from_rustls()), Fault::Peer),
        (Reason::io(&os(Errno::CONNRESET)), Fault::Network),
        (Reason::PeerClosed("while idle"), Fault::Peer),
        (Reason::Protocol(ProtoError::EmptyReply), Fault::Peer),
        (Reason::UnexpectedData, Fault::Peer),
        (
            Reason::Timeout {
                phase: TimeoutPhase::Idle,
                after: Duration::from_secs(1),
            },
            Fault::Timeout,
        ),
        (
            Reason::ProxyRefused {
                code: 403,
                reason: String::new(),
            },
            Fault::Peer,
        ),
    ]
}

#[test]
fn every_reason_has_a_fault() {
    for (reason, fault) in every_reason() {
        assert_eq!(reason.fault(), fault, "{reason:?}");
        let err = Error::new(GodotError::ConnectionError, reason.clone());
        assert_eq!(err.fault(), fault, "{reason:?}");
        assert_eq!(err.is_caller_error(), fault == Fault::Caller, "{reason:?}");
    }
}

#[test]
fn io_errors_are_sorted_by_what_they_carry() {
    let fault = |e: io::Error| Reason::io(&e).fault();
    #[cfg(unix)]
    let shortages = [Errno::MFILE, Errno::NFILE, Errno::NOBUFS, Errno::NOMEM];
    // Winsock has no ENFILE or ENOMEM of its own.
    #[cfg(not(unix))]
    let shortages = [Errno::MFILE, Errno::NOBUFS];
    for errno in shortages {
        assert_eq!(fault(os(errno)), Fault::Local, "{errno:?}");
    }
    assert_eq!(fault(os(Errno::ACCESS)), Fault::Local);
    assert_eq!(fault(os(Errno::CONNREFUSED)), Fault::Network);
    assert_eq!(fault(os(Errno::TIMEDOUT)), Fault::Network);
    assert_eq!(fault(io::ErrorKind::InvalidInput.into()), Fault::Caller);
    assert_eq!(fault(io::ErrorKind::UnexpectedEof.into()), Fault::Peer);
    // A TLS error inside an I/O error is sorted as a TLS error.
    let bad_config = TlsError::new(TlsErrorKind::InvalidConfig, "x");
    assert_eq!(fault(bad_config.into()), Fault::Caller);
    let closed = TlsError::new(TlsErrorKind::Closed, "mid-record");
    assert_eq!(fault(closed.into()), Fault::Peer);
    // A handshake broken by the stream is the stream's failure.
    let reset = TlsError::from_io(&os(Errno::CONNRESET));
    assert_eq!(Reason::Tls(reset).fault(), Fault::Network);
}

#[test]
fn a_timeout_constant_is_a_timeout_whatever_the_reason() {
    let e = Error::new(GodotError::Timeout, Reason::NotConnected);
    assert_eq!(e.fault(), Fault::Timeout);
    assert!(e.is_timeout());
    assert_eq!(e.timeout_phase(), None);
    // The system's own ETIMEDOUT is not one of the client's limits.
    let e = Error::io(GodotError::CantConnect, &os(Errno::TIMEDOUT));
    assert!(!e.is_timeout());
    assert_eq!(
        e.io_error().map(io::Error::kind),
        Some(io::ErrorKind::TimedOut)
    );
}

#[test]
fn copies_of_io_errors_keep_the_os_code_and_the_tls_error() {
    let copy = copy_io_error(&os(Errno::CONNREFUSED));
    assert_eq!(copy.raw_os_error(), Some(Errno::CONNREFUSED.raw_os_error()));
    assert_eq!(copy.kind(), io::ErrorKind::ConnectionRefused);

    let tls = tls_from_rustls();
    let copy = copy_io_error(&io::Error::from(tls.clone()));
    let inner = copy.get_ref().and_then(|i| i.downcast_ref::<TlsError>());
    assert_eq!(inner, Some(&tls));
    assert!(inner.and_then(TlsError::rustls_error).is_some());

    let plain = io::Error::new(io::ErrorKind::NotFound, "no addresses found for host h");
    let copy = copy_io_error(&plain);
    assert_eq!(copy.kind(), plain.kind());
    assert_eq!(copy.to_string(), plain.to_string());
}

#[test]
fn shared_io_errors_compare_by_kind_code_and_message() {
    assert_eq!(shared(os(Errno::CONNRESET)), shared(os(Errno::CONNRESET)));
    assert_ne!(shared(os(Errno::CONNRESET)), shared(os(Errno::CONNREFUSED)));
    let a = shared(io::Error::other("a"));
    assert_ne!(a, shared(io::Error::other("b")));
    assert_ne!(a, shared(io::Error::new(io::ErrorKind::InvalidData, "a")));
    assert_eq!(a.clone(), a);
    // Errors holding them stay comparable, and clones equal.
    let e = Error::io(GodotError::ConnectionError, &os(Errno::CONNRESET));
    assert_eq!(e.clone(), e);
    assert_eq!(
        e,
        Error::io(GodotError::ConnectionError, &os(Errno::CONNRESET))
    );
}

#[test]
fn source_is_the_io_error_with_its_code() {
    let e = Error::io(GodotError::ConnectionError, &os(Errno::CONNRESET));
    let source = e.source().and_then(|s| s.downcast_ref::<io::Error>());
    assert_eq!(
        source.and_then(io::Error::raw_os_error),
        Some(Errno::CONNRESET.raw_os_error())
    );
    assert_eq!(e.raw_os_error(), Some(Errno::CONNRESET.raw_os_error()));
}

#[test]
fn source_of_a_tls_failure_reaches_the_rustls_error() {
    let e = Error::from(tls_from_rustls());
    let causes = chain(&e);
    assert_eq!(causes.len(), 2, "{causes:?}");
    assert!(causes[0].downcast_ref::<TlsError>().is_some());
    assert_eq!(
        causes[1].downcast_ref::<rustls::Error>(),
        Some(&rustls::Error::InvalidCertificate(
            rustls::CertificateError::Expired
        ))
    );
    assert_eq!(e.tls_kind(), Some(TlsErrorKind::Expired));
    assert!(e.io_error().is_none());
}

#[test]
fn source_of_a_tls_error_carried_by_io_reaches_rustls() {
    let tls = tls_from_rustls();
    let e = Error::io(GodotError::ConnectionError, &io::Error::from(tls.clone()));
    assert_eq!(e.tls_error(), Some(&tls));
    assert_eq!(e.tls_kind(), Some(TlsErrorKind::Expired));
    assert!(chain(&e)
        .iter()
        .any(|c| c.downcast_ref::<rustls::Error>().is_some()));
    assert_eq!(e.fault(), Fault::Peer);
}

#[test]
fn source_of_protocol_errors_is_the_proto_error() {
    let peer = ProtoError::TruncatedBody { remaining: 3 };
    let caller = ProtoError::InvalidTarget {
        why: "empty target",
    };
    for (reason, want) in [
        (Reason::Protocol(peer), peer),
        (Reason::InvalidRequest(caller), caller),
    ] {
        let e = Error::new(GodotError::ConnectionError, reason);
        assert_eq!(
            e.source().and_then(|s| s.downcast_ref::<ProtoError>()),
            Some(&want)
        );
        assert_eq!(e.protocol_error(), Some(want));
    }
}

#[test]
fn reasons_without_a_cause_have_no_source() {
    for (reason, _) in every_reason() {
        let has_cause = matches!(
            reason,
            Reason::InvalidRequest(_)
                | Reason::Protocol(_)
                | Reason::Resolve { .. }
                | Reason::Connect { .. }
                | Reason::Io(_)
                | Reason::Tls(_)
        );
        let e = Error::new(GodotError::Failed, reason.clone());
        assert_eq!(e.source().is_some(), has_cause, "{reason:?}");
    }
}

#[test]
fn helpers_answer_only_for_their_reasons() {
    for (reason, _) in every_reason() {
        let e = Error::new(GodotError::CantConnect, reason.clone());
        assert_eq!(
            e.proxy_status().is_some(),
            matches!(reason, Reason::ProxyRefused { .. }),
            "{reason:?}"
        );
        assert_eq!(
            e.is_timeout(),
            matches!(reason, Reason::Timeout { .. }),
            "{reason:?}"
        );
        assert_eq!(
            e.io_error().is_some(),
            matches!(
                reason,
                Reason::Io(_) | Reason::Resolve { .. } | Reason::Connect { .. }
            ),
            "{reason:?}"
        );
        assert_eq!(
            e.tls_error().is_some(),
            matches!(reason, Reason::Tls(_)),
            "{reason:?}"
        );
        assert_eq!(
            e.protocol_error().is_some(),
            matches!(reason, Reason::Protocol(_) | Reason::InvalidRequest(_)),
            "{reason:?}"
        );
    }
    let refused = Error::new(
        GodotError::CantConnect,
        Reason::ProxyRefused {
            code: 407,
            reason: "Proxy Authentication Required".into(),
        },
    );
    assert_eq!(refused.proxy_status(), Some(407));
}

#[test]
fn io_error_of_a_tls_failure_is_the_streams() {
    let e = Error::from(TlsError::from_io(&os(Errno::CONNRESET)));
    assert_eq!(
        e.io_error().and_then(io::Error::raw_os_error),
        Some(Errno::CONNRESET.raw_os_error())
    );
    assert_eq!(e.raw_os_error(), Some(Errno::CONNRESET.raw_os_error()));
}

#[test]
fn tls_errors_convert_with_the_godot_constant_of_their_kind() {
    let config = Error::from(TlsError::new(TlsErrorKind::InvalidConfig, "bad PEM"));
    assert_eq!(config.godot(), GodotError::InvalidParameter);
    assert!(config.is_caller_error());
    let handshake = Error::from(TlsError::new(TlsErrorKind::UnknownIssuer, ""));
    assert_eq!(handshake.godot(), GodotError::CantConnect);
    assert_eq!(handshake.fault(), Fault::Peer);
}

#[test]
fn errors_convert_into_io_errors_of_a_fitting_kind() {
    let kind = |e: Error| io::Error::from(e).kind();
    let with = |reason| Error::new(GodotError::ConnectionError, reason);
    assert_eq!(
        kind(Error::io(
            GodotError::ConnectionError,
            &os(Errno::CONNRESET)
        )),
        io::ErrorKind::ConnectionReset
    );
    assert_eq!(
        kind(with(Reason::Timeout {
            phase: TimeoutPhase::Total,
            after: Duration::from_secs(1)
        })),
        io::ErrorKind::TimedOut
    );
    assert_eq!(kind(Error::invalid("x")), io::ErrorKind::InvalidInput);
    assert_eq!(
        kind(with(Reason::Unsupported("socks5".into()))),
        io::ErrorKind::Unsupported
    );
    assert_eq!(
        kind(with(Reason::PeerClosed("x"))),
        io::ErrorKind::UnexpectedEof
    );
    assert_eq!(
        kind(with(Reason::Protocol(ProtoError::InvalidChunkSize))),
        io::ErrorKind::InvalidData
    );
    assert_eq!(
        kind(with(Reason::ProxyRefused {
            code: 403,
            reason: String::new()
        })),
        io::ErrorKind::Other
    );
    // The error comes back out, and stays the io::Error's source chain.
    let e = with(Reason::Protocol(ProtoError::EmptyReply));
    let io = io::Error::from(e.clone());
    assert_eq!(
        io.get_ref().and_then(|i| i.downcast_ref::<Error>()),
        Some(&e)
    );
    assert!(io
        .source()
        .and_then(|s| s.downcast_ref::<ProtoError>())
        .is_some());
}

#[test]
fn messages_name_the_proxy_by_its_role() {
    let refused = shared(io::Error::new(io::ErrorKind::ConnectionRefused, "refused"));
    let connect = |endpoint| Reason::Connect {
        target: "127.0.0.1:3128".into(),
        endpoint,
        error: refused.clone(),
    };
    assert_eq!(
        connect(Endpoint::HttpsProxy).to_string(),
        "cannot connect to HTTPS proxy 127.0.0.1:3128: refused"
    );
    assert_eq!(
        connect(Endpoint::Origin).to_string(),
        "cannot connect to 127.0.0.1:3128: refused"
    );
    let resolve = Reason::Resolve {
        host: "proxy.invalid".into(),
        endpoint: Endpoint::HttpProxy,
        error: shared(io::Error::new(io::ErrorKind::NotFound, "no such host")),
    };
    assert_eq!(
        resolve.to_string(),
        "cannot resolve proxy.invalid (the HTTP proxy): no such host"
    );
}

#[test]
fn errors_stay_small() {
    // Every fallible call returns one by value; the causes live behind pointers. On
    // Windows a `PathBuf` (in `Reason::DownloadFile`) is 8 bytes larger than elsewhere (a
    // WTF-8 buffer with a flag), and with it the largest reason.
    let limit = if cfg!(windows) { 72 } else { 64 };
    assert!(
        std::mem::size_of::<Error>() <= limit,
        "{}",
        std::mem::size_of::<Error>()
    );
    assert_eq!(
        std::mem::size_of::<SharedIoError>(),
        std::mem::size_of::<usize>()
    );
}
