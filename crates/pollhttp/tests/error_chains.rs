//! What an [`Error`] from a real failure on 127.0.0.1 carries: the cause behind it
//! (`source()` down to the system's error code, the `rustls::Error`, the `ProtoError`), who
//! is to blame, and the helpers that answer without matching nested enums.

mod common;
mod tls_support;

use common::{connect, poll_while};
use pollhttp::proto::ProtoError;
use pollhttp::{
    Endpoint, Error, Fault, GodotError, HttpClient, Method, Reason, Status, TlsErrorKind,
    TlsOptions,
};
use pollhttp_testserver::{ScriptedServer, Step};
use rustix::io::Errno;
use std::error::Error as _;
use std::io;
use tls_support::certs::{Ca, Validity};
use tls_support::server::Server;

use pollhttp_testserver::error_chain as chain;

fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// Connects as configured and returns the error the connect ended with.
fn failed_connect(c: &mut HttpClient, port: u16, tls: Option<TlsOptions>) -> Error {
    c.connect_to_host("127.0.0.1", Some(port), tls).unwrap();
    poll_while(c, &[Status::Resolving, Status::Connecting]);
    assert!(c.status().is_error(), "{:?}", c.status());
    c.last_error()
        .cloned()
        .expect("last_error after a failed connect")
}

#[test]
fn a_refused_connect_reaches_econnrefused() {
    let port = closed_port();
    let err = failed_connect(&mut HttpClient::new(), port, None);
    assert_eq!(err.godot(), GodotError::CantConnect);
    let refused = Some(Errno::CONNREFUSED.raw_os_error());
    let os_errors: Vec<i32> = chain(&err)
        .iter()
        .filter_map(|c| c.downcast_ref::<io::Error>())
        .filter_map(io::Error::raw_os_error)
        .collect();
    assert_eq!(os_errors.first().copied(), refused, "{err:?}");
    assert_eq!(err.raw_os_error(), refused);
    assert_eq!(
        err.io_error().map(io::Error::kind),
        Some(io::ErrorKind::ConnectionRefused)
    );
    assert_eq!(err.fault(), Fault::Network);
    assert!(!err.is_caller_error());
    assert!(!err.is_timeout());
    match err.reason() {
        Reason::Connect {
            target, endpoint, ..
        } => {
            assert_eq!(target, &format!("127.0.0.1:{port}"));
            assert_eq!(*endpoint, Endpoint::Origin);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_certificate_failure_reaches_the_rustls_error() {
    let ca = Ca::root("error chain root");
    let leaf = ca.leaf_with(&["127.0.0.1"], Validity::Expired);
    let server = Server::tls(vec![leaf.der.clone()], leaf.key()).start();
    let port = server.port();
    let trusting = TlsOptions::client(Some(tls_support::trusted(&ca)), None);
    let err = failed_connect(&mut HttpClient::new(), port, Some(trusting));
    drop(server.finish());

    assert_eq!(err.godot(), GodotError::CantConnect);
    assert_eq!(err.tls_kind(), Some(TlsErrorKind::Expired));
    assert_eq!(err.fault(), Fault::Peer);
    let tls = err.tls_error().expect("a TLS error");
    let expected_server = format!("127.0.0.1:{port}");
    assert_eq!(tls.server(), Some(expected_server.as_str()));

    let causes = chain(&err);
    let rustls = causes
        .iter()
        .find_map(|c| c.downcast_ref::<rustls::Error>())
        .unwrap_or_else(|| panic!("no rustls::Error in {causes:?}"));
    assert!(
        matches!(
            rustls,
            rustls::Error::InvalidCertificate(
                rustls::CertificateError::Expired | rustls::CertificateError::ExpiredContext { .. }
            )
        ),
        "{rustls:?}"
    );
    assert_eq!(tls.rustls_error(), Some(rustls));
}

#[test]
fn a_bad_request_header_keeps_its_proto_error_and_sends_nothing() {
    let server = ScriptedServer::start(vec![vec![Step::ExpectClose]]);
    let mut c = connect(server.port());
    let err = c
        .request(Method::Get, "/", &["Good: 1", "X: a\r\nInjected: 1"], "")
        .unwrap_err();
    assert_eq!(err.godot(), GodotError::InvalidParameter);
    let proto = err.protocol_error().expect("a ProtoError");
    assert!(
        matches!(proto, ProtoError::InvalidHeader { index: 1, .. }),
        "{proto:?}"
    );
    assert!(proto.is_caller_error());
    assert_eq!(err.reason(), &Reason::InvalidRequest(proto));
    assert_eq!(
        err.source().and_then(|s| s.downcast_ref::<ProtoError>()),
        Some(&proto)
    );
    assert!(err.is_caller_error());
    // Nothing went out, and the connection is still usable.
    assert_eq!(c.status(), Status::Connected);
    c.close();
    let (requests, errors) = server.finish_with_errors();
    assert!(requests.is_empty(), "{requests:?}");
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn a_broken_reply_is_the_peers_protocol_error() {
    let server = ScriptedServer::start(vec![vec![
        Step::ReadHead,
        Step::Send(b"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n".to_vec()),
        Step::ExpectClose,
    ]]);
    let mut c = connect(server.port());
    c.request(Method::Get, "/", &[] as &[&str], "").unwrap();
    poll_while(&mut c, &[Status::Requesting]);
    assert_eq!(c.status(), Status::ConnectionError);
    let err = c.last_error().unwrap();
    assert_eq!(err.protocol_error(), Some(ProtoError::InvalidContentLength));
    assert_eq!(
        err.source().and_then(|s| s.downcast_ref::<ProtoError>()),
        Some(&ProtoError::InvalidContentLength)
    );
    assert_eq!(err.fault(), Fault::Peer);
    drop(c);
    let (_, errors) = server.finish_with_errors();
    assert!(errors.is_empty(), "{errors:?}");
}
