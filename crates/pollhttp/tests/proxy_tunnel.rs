//! HTTPS through an HTTPS proxy (in-process, loopback): the CONNECT request, every kind
//! of 2xx the proxy may answer, refusals, early closes, and TLS inside the tunnel
//! verified against the origin's name.

mod common;
mod proxy_support;

use common::*;
use pollhttp::{
    Certificates, Endpoint, Fault, GodotError, HttpClient, ProxyConfig, Reason, Status,
    TlsErrorKind, TlsOptions, USER_AGENT,
};
use proxy_support::tls_origin::{TlsOrigin, BODY};
use proxy_support::{basic, OnConnect, ProxyOptions, TestProxy};

fn trusting(origin: &TlsOrigin) -> TlsOptions {
    let ca = Certificates::from_pem(origin.ca_pem().as_bytes()).unwrap();
    TlsOptions::client(Some(ca), None)
}

/// Connects to `localhost:<origin>` through `proxy`; returns the status trace.
fn connect_via(c: &mut HttpClient, proxy: ProxyConfig, origin: &TlsOrigin) -> Vec<Status> {
    c.set_https_proxy_config(Some(proxy));
    c.connect_to_host("localhost", Some(origin.port()), Some(trusting(origin)))
        .unwrap();
    poll_while(c, &[Status::Resolving, Status::Connecting])
}

fn fetch(c: &mut HttpClient) -> Vec<u8> {
    assert_eq!(c.status(), Status::Connected, "{:?}", c.last_error());
    get(c, "/secret");
    assert_eq!(c.response_code(), 200);
    read_body(c).0
}

fn proxy_answering(reply: &[u8]) -> TestProxy {
    TestProxy::with(ProxyOptions {
        on_connect: OnConnect::Answer(reply.to_vec()),
        ..ProxyOptions::default()
    })
}

/// Connects through a proxy that answers `reply` and closes; returns the error.
fn refused_with(reply: &[u8]) -> pollhttp::Error {
    let origin = TlsOrigin::start(&["localhost"]);
    let proxy = proxy_answering(reply);
    let mut c = HttpClient::new();
    let trace = connect_via(&mut c, ProxyConfig::new("127.0.0.1", proxy.port()), &origin);
    assert_eq!(trace, vec![Status::Connecting, Status::CantConnect]);
    let err = c.last_error().cloned().unwrap();
    assert_eq!(err.godot(), GodotError::CantConnect);
    // Sticky, as every failure status.
    assert_eq!(c.poll().unwrap_err().godot(), GodotError::CantConnect);
    assert!(origin.sni().is_empty(), "the origin must not be reached");
    err
}

#[test]
fn connect_bytes_credentials_and_tls_to_the_origin() {
    let origin = TlsOrigin::start(&["localhost"]);
    let proxy = TestProxy::with(ProxyOptions {
        auth: Some(("user".into(), "pa:ss".into())),
        ..ProxyOptions::default()
    });
    let mut c = HttpClient::new();
    let config =
        ProxyConfig::from_url(&format!("http://user:pa%3Ass@127.0.0.1:{}", proxy.port())).unwrap();
    let trace = connect_via(&mut c, config, &origin);
    assert_eq!(trace, vec![Status::Connecting, Status::Connected]);
    assert_eq!(fetch(&mut c), BODY);

    let port = origin.port();
    assert_eq!(
        text(&proxy.requests()[0]),
        format!(
            "CONNECT localhost:{port} HTTP/1.1\r\nHost: localhost:{port}\r\n\
             Proxy-Authorization: {}\r\nUser-Agent: {USER_AGENT}\r\nAccept: */*\r\n\r\n",
            basic("user", "pa:ss")
        )
    );
    // SNI and verification were for the origin's name (the certificate has no IP entry,
    // so checking it against the proxy's 127.0.0.1 would have failed).
    assert_eq!(origin.sni(), vec![Some("localhost".to_string())]);
}

#[test]
fn any_2xx_opens_the_tunnel() {
    for reply in [
        &b"HTTP/1.1 200 Connection established\r\n\r\n"[..],
        b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
        b"HTTP/1.0 200 Connection established\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 99\r\n\r\n",
        b"HTTP/1.1 204 No Content\r\n\r\n",
        b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nProxy-Agent: x\r\n\r\n",
    ] {
        let origin = TlsOrigin::start(&["localhost"]);
        let proxy = TestProxy::with(ProxyOptions {
            on_connect: OnConnect::Relay(reply.to_vec()),
            ..ProxyOptions::default()
        });
        let mut c = HttpClient::new();
        connect_via(&mut c, ProxyConfig::new("127.0.0.1", proxy.port()), &origin);
        assert_eq!(fetch(&mut c), BODY, "{}", text(reply));
    }
}

#[test]
fn blocking_mode_through_the_tunnel() {
    let origin = TlsOrigin::start(&["localhost"]);
    let proxy = TestProxy::start();
    let mut c = HttpClient::new();
    c.set_blocking_mode(true);
    c.set_https_proxy("localhost", Some(proxy.port()));
    c.connect_to_host("localhost", Some(origin.port()), Some(trusting(&origin)))
        .unwrap();
    c.poll().unwrap();
    assert_eq!(fetch(&mut c), BODY);
}

#[test]
fn proxy_authentication_required() {
    let origin = TlsOrigin::start(&["localhost"]);
    let proxy = TestProxy::with(ProxyOptions {
        auth: Some(("user".into(), "pass".into())),
        ..ProxyOptions::default()
    });
    for config in [
        ProxyConfig::new("127.0.0.1", proxy.port()),
        ProxyConfig::new("127.0.0.1", proxy.port()).with_credentials("user", "nope"),
    ] {
        let mut c = HttpClient::new();
        let trace = connect_via(&mut c, config, &origin);
        assert_eq!(trace, vec![Status::Connecting, Status::CantConnect]);
        let err = c.last_error().unwrap();
        assert_eq!(err.godot(), GodotError::CantConnect);
        assert_eq!(
            err.reason(),
            &Reason::ProxyRefused {
                code: 407,
                reason: "Proxy Authentication Required".into()
            }
        );
        assert_eq!(err.proxy_status(), Some(407));
        assert_eq!(err.fault(), Fault::Peer);
    }
    assert!(origin.sni().is_empty());
}

#[test]
fn refusals_carry_the_proxy_status() {
    for (reply, code) in [
        (
            &b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n"[..],
            403,
        ),
        (b"HTTP/1.0 502 Bad Gateway\r\n\r\n<html>no</html>", 502),
        (
            b"HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\r\n",
            503,
        ),
    ] {
        let err = refused_with(reply);
        assert_eq!(err.proxy_status(), Some(code), "{err}");
    }
}

#[test]
fn early_close_during_the_tunnel() {
    assert_eq!(
        refused_with(b"").reason(),
        &Reason::PeerClosed("before the proxy answered CONNECT")
    );
    assert_eq!(
        refused_with(b"HTTP/1.1 200 Connection est").reason(),
        &Reason::PeerClosed("in the middle of the proxy's answer to CONNECT")
    );
}

#[test]
fn bytes_after_the_tunnel_head_are_refused() {
    let err = refused_with(b"HTTP/1.1 200 OK\r\n\r\nSSH-2.0-OpenSSH\r\n");
    assert_eq!(err.reason(), &Reason::UnexpectedData);
}

#[test]
fn garbage_from_the_proxy_is_a_protocol_error() {
    let err = refused_with(b"220 smtp.example ESMTP\r\n\r\n");
    assert!(matches!(err.reason(), Reason::Protocol(_)), "{err}");
}

#[test]
fn the_origin_certificate_is_checked_not_the_proxy() {
    // The tunnel opens, then the origin's certificate does not match the origin's name.
    let origin = TlsOrigin::start(&["other.example"]);
    let proxy = TestProxy::start();
    let mut c = HttpClient::new();
    let trace = connect_via(&mut c, ProxyConfig::new("127.0.0.1", proxy.port()), &origin);
    assert_eq!(trace, vec![Status::Connecting, Status::TlsHandshakeError]);
    match c.last_error().unwrap().reason() {
        Reason::Tls(e) => assert_eq!(e.kind(), TlsErrorKind::WrongName, "{e}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(proxy.requests().len(), 1);
}

#[test]
fn unresolvable_https_proxy() {
    let origin = TlsOrigin::start(&["localhost"]);
    let mut c = HttpClient::new();
    let trace = connect_via(
        &mut c,
        ProxyConfig::new("no-such-proxy.invalid", 3128),
        &origin,
    );
    assert_eq!(trace, vec![Status::Resolving, Status::CantResolve]);
    let err = c.last_error().unwrap();
    assert_eq!(err.godot(), GodotError::CantResolve);
    let msg = err.to_string();
    assert!(msg.contains("no-such-proxy.invalid"), "{msg}");
    assert!(msg.contains("HTTPS proxy"), "{msg}");
}

#[test]
fn refused_https_proxy_port() {
    let origin = TlsOrigin::start(&["localhost"]);
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut c = HttpClient::new();
    let trace = connect_via(&mut c, ProxyConfig::new("127.0.0.1", port), &origin);
    assert_eq!(trace, vec![Status::Connecting, Status::CantConnect]);
    match c.last_error().unwrap().reason() {
        Reason::Connect {
            target, endpoint, ..
        } => {
            assert_eq!(target, &format!("127.0.0.1:{port}"));
            assert_eq!(*endpoint, Endpoint::HttpsProxy);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn unsetting_the_https_proxy() {
    let origin = TlsOrigin::start(&["localhost"]);
    let proxy = TestProxy::start();
    let mut c = HttpClient::new();
    c.set_https_proxy("127.0.0.1", Some(proxy.port()));
    c.set_https_proxy("", None);
    assert_eq!(c.https_proxy(), None);
    c.connect_to_host("localhost", Some(origin.port()), Some(trusting(&origin)))
        .unwrap();
    poll_while(&mut c, &[Status::Resolving, Status::Connecting]);
    assert_eq!(fetch(&mut c), BODY);
    assert!(proxy.requests().is_empty());
}
