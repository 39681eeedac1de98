//! Plain HTTP through an HTTP proxy (an in-process one on loopback): the exact bytes the
//! proxy receives, credentials, settings and failures to reach the proxy.

mod common;
mod proxy_support;

use common::*;
use pollhttp::{Endpoint, GodotError, HttpClient, Method, ProxyConfig, Reason, Status, USER_AGENT};
use pollhttp_testserver::{response, ScriptedServer, Step};
use proxy_support::{basic, ProxyOptions, TestProxy};

fn origin(body: &[u8]) -> ScriptedServer {
    ScriptedServer::start(vec![vec![
        Step::ReadHead,
        Step::Send(response(200, &[], body)),
        Step::Close,
    ]])
}

fn authenticating_proxy() -> TestProxy {
    TestProxy::with(ProxyOptions {
        auth: Some(("user".into(), "pass".into())),
        ..ProxyOptions::default()
    })
}

/// Connects to `host:port` with `proxy` as HTTP proxy; returns the status trace.
fn connect_via(c: &mut HttpClient, proxy: ProxyConfig, host: &str, port: u16) -> Vec<Status> {
    c.set_http_proxy_config(Some(proxy));
    c.connect_to_host(host, Some(port), None).unwrap();
    poll_while(c, &[Status::Resolving, Status::Connecting])
}

#[test]
fn forward_request_bytes_with_credentials() {
    let server = origin(b"hi");
    let proxy = authenticating_proxy();
    let mut c = HttpClient::new();
    let config = ProxyConfig::new("127.0.0.1", proxy.port()).with_credentials("user", "pass");
    let trace = connect_via(&mut c, config, "127.0.0.1", server.port());
    assert_eq!(trace, vec![Status::Connecting, Status::Connected]);
    c.request(Method::Get, "/path?x=1", &["X-Test: 1"], "")
        .unwrap();
    poll_while(&mut c, &[Status::Requesting]);
    assert_eq!(c.response_code(), 200);
    let (body, _) = read_body(&mut c);
    assert_eq!(body, b"hi");

    let port = server.port();
    assert_eq!(
        text(&proxy.requests()[0]),
        format!(
            "GET http://127.0.0.1:{port}/path?x=1 HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\
             X-Test: 1\r\nProxy-Authorization: {}\r\n\
             User-Agent: {USER_AGENT}\r\nAccept: */*\r\n\r\n",
            basic("user", "pass")
        )
    );
    // The proxy passed it on in origin form; the credentials stayed with it.
    let at_origin = text(&server.finish()[0]);
    assert!(
        at_origin.starts_with("GET /path?x=1 HTTP/1.1\r\nHost: 127.0.0.1:"),
        "{at_origin}"
    );
    assert!(!at_origin.contains("Proxy-Authorization"), "{at_origin}");
}

#[test]
fn forward_without_credentials_has_no_proxy_authorization() {
    let server = origin(b"ok");
    let proxy = TestProxy::start();
    let mut c = HttpClient::new();
    c.set_http_proxy("127.0.0.1", Some(proxy.port()));
    c.connect_to_host("127.0.0.1", Some(server.port()), None)
        .unwrap();
    poll_while(&mut c, &[Status::Resolving, Status::Connecting]);
    c.request(Method::Post, "/submit", &[] as &[&str], "data")
        .unwrap();
    poll_while(&mut c, &[Status::Requesting]);
    assert_eq!(read_body(&mut c).0, b"ok");
    let port = server.port();
    assert_eq!(
        text(&proxy.requests()[0]),
        format!(
            "POST http://127.0.0.1:{port}/submit HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\
             Content-Length: 4\r\nUser-Agent: {USER_AGENT}\r\nAccept: */*\r\n\r\n"
        )
    );
    assert!(text(&server.finish()[0]).ends_with("\r\n\r\ndata"));
}

#[test]
fn proxy_name_is_resolved_off_thread() {
    let server = origin(b"named");
    let proxy = TestProxy::start();
    let mut c = HttpClient::new();
    let trace = connect_via(
        &mut c,
        ProxyConfig::new("localhost", proxy.port()),
        "127.0.0.1",
        server.port(),
    );
    assert_eq!(trace[0], Status::Resolving, "{trace:?}");
    assert_eq!(c.status(), Status::Connected, "{:?}", c.last_error());
    get(&mut c, "/");
    assert_eq!(read_body(&mut c).0, b"named");
}

#[test]
fn origin_name_is_left_to_the_proxy_and_port_80_is_implied() {
    // The origin is never dialled (the test proxy answers 502 for non-loopback hosts),
    // and the client never resolves it: only the proxy sees the name.
    let proxy = TestProxy::start();
    let mut c = HttpClient::new();
    let config = ProxyConfig::new("127.0.0.1", proxy.port());
    connect_via(&mut c, config, "origin.invalid", 80);
    assert_eq!(c.status(), Status::Connected, "{:?}", c.last_error());
    get(&mut c, "/a");
    assert_eq!(c.response_code(), 502);
    assert_eq!(
        text(&proxy.requests()[0]),
        format!(
            "GET http://origin.invalid/a HTTP/1.1\r\nHost: origin.invalid\r\n\
             User-Agent: {USER_AGENT}\r\nAccept: */*\r\n\r\n"
        )
    );
}

#[test]
fn absolute_urls_and_options_star() {
    let proxy = TestProxy::start();
    let closed = closed_port();
    let mut c = HttpClient::new();
    connect_via(
        &mut c,
        ProxyConfig::new("127.0.0.1", proxy.port()),
        "[::1]",
        closed,
    );
    c.request(Method::Get, "http://other.invalid:81/x", &[] as &[&str], "")
        .unwrap();
    poll_while(&mut c, &[Status::Requesting]);
    read_body(&mut c);

    connect_via(
        &mut c,
        ProxyConfig::new("127.0.0.1", proxy.port()),
        "[::1]",
        closed,
    );
    c.request(Method::Options, "*", &[] as &[&str], "").unwrap();
    poll_while(&mut c, &[Status::Requesting]);
    let reqs = proxy.requests();
    assert!(
        text(&reqs[0]).starts_with(&format!(
            "GET http://other.invalid:81/x HTTP/1.1\r\nHost: [::1]:{closed}\r\n"
        )),
        "{}",
        text(&reqs[0])
    );
    assert!(
        text(&reqs[1]).starts_with(&format!("OPTIONS http://[::1]:{closed} HTTP/1.1\r\n")),
        "{}",
        text(&reqs[1])
    );
}

#[test]
fn a_user_proxy_authorization_replaces_the_automatic_one() {
    let proxy = authenticating_proxy();
    let mut c = HttpClient::new();
    let config = ProxyConfig::new("127.0.0.1", proxy.port()).with_credentials("user", "wrong");
    connect_via(&mut c, config, "origin.invalid", 80);
    let mine = format!("proxy-authorization: {}", basic("user", "pass"));
    c.request(Method::Get, "/", &[mine.as_str()], "").unwrap();
    poll_while(&mut c, &[Status::Requesting]);
    // The proxy accepted the caller's credentials (and then answered 502 for the origin).
    assert_eq!(c.response_code(), 502);
    let sent = text(&proxy.requests()[0]);
    assert_eq!(sent.matches(&basic("user", "pass")).count(), 1, "{sent}");
    assert!(!sent.contains(&basic("user", "wrong")), "{sent}");
}

#[test]
fn a_407_from_an_http_proxy_is_an_ordinary_response() {
    let proxy = authenticating_proxy();
    let mut c = HttpClient::new();
    connect_via(
        &mut c,
        ProxyConfig::new("127.0.0.1", proxy.port()),
        "origin.invalid",
        80,
    );
    get(&mut c, "/");
    assert_eq!(c.status(), Status::Body);
    assert_eq!(c.response_code(), 407);
    assert!(c
        .response_headers()
        .contains(&"Proxy-Authenticate: Basic realm=\"test\"".to_string()));
    assert_eq!(read_body(&mut c).0, b"denied");
    assert_eq!(c.last_error(), None);
}

#[test]
fn unsetting_the_proxy_connects_directly() {
    for unset in [("", Some(1u16)), ("127.0.0.1", None)] {
        let server = origin(b"direct");
        let proxy = TestProxy::start();
        let mut c = HttpClient::new();
        c.set_http_proxy("127.0.0.1", Some(proxy.port()));
        assert_eq!(c.http_proxy(), Some(("127.0.0.1", proxy.port())));
        c.set_http_proxy(unset.0, unset.1);
        assert_eq!(c.http_proxy(), None);
        let mut c = connect_with(c, server.port());
        get(&mut c, "/d");
        assert_eq!(read_body(&mut c).0, b"direct");
        assert!(text(&server.finish()[0]).starts_with("GET /d HTTP/1.1\r\n"));
        assert!(proxy.requests().is_empty());
    }
}

#[test]
fn an_https_proxy_is_not_used_for_plain_http() {
    let server = origin(b"direct");
    let proxy = TestProxy::start();
    let mut c = HttpClient::new();
    c.set_https_proxy("127.0.0.1", Some(proxy.port()));
    let mut c = connect_with(c, server.port());
    get(&mut c, "/");
    assert_eq!(read_body(&mut c).0, b"direct");
    assert!(proxy.requests().is_empty());
}

fn connect_with(mut c: HttpClient, port: u16) -> HttpClient {
    c.connect_to_host("127.0.0.1", Some(port), None).unwrap();
    poll_while(&mut c, &[Status::Resolving, Status::Connecting]);
    assert_eq!(c.status(), Status::Connected, "{:?}", c.last_error());
    c
}

#[test]
fn unresolvable_http_proxy() {
    let mut c = HttpClient::new();
    c.set_http_proxy("no-such-proxy.invalid", Some(3128));
    c.connect_to_host("127.0.0.1", Some(1), None).unwrap();
    let trace = poll_while(&mut c, &[Status::Resolving, Status::Connecting]);
    assert_eq!(trace, vec![Status::Resolving, Status::CantResolve]);
    let err = c.last_error().unwrap();
    assert_eq!(err.godot(), GodotError::CantResolve);
    let msg = err.to_string();
    assert!(msg.contains("no-such-proxy.invalid"), "{msg}");
    assert!(msg.contains("HTTP proxy"), "{msg}");
}

/// A loopback port nothing listens on (bound, then released).
fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

#[test]
fn refused_http_proxy_port() {
    let port = closed_port();
    let mut c = HttpClient::new();
    c.set_http_proxy("127.0.0.1", Some(port));
    c.connect_to_host("127.0.0.1", Some(80), None).unwrap();
    poll_while(&mut c, &[Status::Resolving, Status::Connecting]);
    assert_eq!(c.status(), Status::CantConnect);
    let err = c.last_error().unwrap();
    assert_eq!(err.godot(), GodotError::CantConnect);
    match err.reason() {
        Reason::Connect {
            target, endpoint, ..
        } => {
            assert_eq!(target, &format!("127.0.0.1:{port}"));
            assert_eq!(*endpoint, Endpoint::HttpProxy);
        }
        other => panic!("{other:?}"),
    }
    // The proxy's refusal is the system's, code and all, at the end of the chain.
    assert_eq!(
        err.raw_os_error(),
        Some(rustix::io::Errno::CONNREFUSED.raw_os_error())
    );
}

#[test]
fn unusable_proxy_settings_are_invalid_parameters() {
    for config in [
        ProxyConfig::new("", 3128),
        ProxyConfig::new("proxy:3128", 3128),
        ProxyConfig::new("https://proxy", 3128),
        ProxyConfig::new("proxy", 0),
        ProxyConfig::new("proxy", 1).with_credentials("a:b", "c"),
    ] {
        let mut c = HttpClient::new();
        c.set_http_proxy_config(Some(config.clone()));
        let err = c.connect_to_host("127.0.0.1", Some(80), None).unwrap_err();
        assert_eq!(err.godot(), GodotError::InvalidParameter, "{config:?}");
        assert_eq!(c.status(), Status::Disconnected, "{config:?}");
    }
}

#[test]
fn http_request_goes_through_the_proxy_with_its_credentials() {
    let server = ScriptedServer::start(vec![vec![
        Step::ReadHead,
        Step::Send(response(301, &[("Location", "/moved")], b"")),
        Step::ReadHead,
        Step::Send(response(200, &[], b"via proxy")),
    ]]);
    let proxy = authenticating_proxy();
    let mut http = pollhttp::HttpRequest::new();
    http.set_http_proxy(Some(
        ProxyConfig::new("127.0.0.1", proxy.port()).with_credentials("user", "pass"),
    ));
    let port = server.port();
    http.request(
        &format!("http://127.0.0.1:{port}/first"),
        &[],
        Method::Get,
        "",
    )
    .unwrap();
    let done = http.wait_for_completion().unwrap();
    assert_eq!(done.body, b"via proxy", "{:?}", done.error);
    // The test proxy records the first head of each connection and relays the rest.
    let first = text(&proxy.requests()[0]);
    assert!(
        first.starts_with(&format!("GET http://127.0.0.1:{port}/first HTTP/1.1\r\n")),
        "{first}"
    );
    assert!(first.contains(&basic("user", "pass")), "{first}");
    let at_origin = server.finish();
    assert_eq!(at_origin.len(), 2);
    assert!(text(&at_origin[1]).starts_with(&format!("GET http://127.0.0.1:{port}/moved ")));
}
