//! The `pollhttp` binary through proxies: `-x`, `--proxy-user`, `--noproxy` and the proxy
//! environment variables. Scripted loopback servers stand in for the proxies and record
//! exactly what they received.

mod runner;

use pollhttp_testserver::{response, DemoServer, ScriptedServer, Step, HELLO_BODY};
use runner::pollhttp;
use std::net::TcpListener;

/// A stand-in proxy that answers one request with `reply` and records it.
fn fake_proxy(reply: Vec<u8>) -> ScriptedServer {
    ScriptedServer::start(vec![vec![Step::ReadHead, Step::Send(reply), Step::Close]])
}

fn closed_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

fn ua() -> String {
    format!("pollhttp/{}", env!("CARGO_PKG_VERSION"))
}

#[test]
fn proxy_option_with_credentials_sends_absolute_form() {
    let proxy = fake_proxy(response(200, &[], b"via proxy"));
    let r = pollhttp(
        &[
            "-x",
            &format!("http://127.0.0.1:{}", proxy.port()),
            "-U",
            "user:pass",
            "http://origin.invalid:8080/x?y=1",
        ],
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "via proxy");
    let got = String::from_utf8(proxy.finish()[0].clone()).unwrap();
    assert_eq!(
        got,
        format!(
            "GET http://origin.invalid:8080/x?y=1 HTTP/1.1\r\nHost: origin.invalid:8080\r\n\
             User-Agent: {}\r\nAccept: */*\r\nProxy-Authorization: Basic dXNlcjpwYXNz\r\n\r\n",
            ua()
        )
    );
}

#[test]
fn verbose_shows_the_proxy_and_the_wire_request() {
    let proxy = fake_proxy(response(200, &[], b"ok"));
    let url = format!("http://u%40x:p@127.0.0.1:{}", proxy.port());
    let r = pollhttp(&["-v", "-x", &url, "http://origin.invalid/"], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for want in [
        format!(
            "* proxy: http://u@x:***@127.0.0.1:{} (absolute-form requests)\n",
            proxy.port()
        ),
        "> GET http://origin.invalid/ HTTP/1.1\n".to_string(),
        "> Proxy-Authorization: Basic dUB4OnA=\n".to_string(),
    ] {
        assert!(
            r.stderr.contains(&want),
            "missing {want:?} in:\n{}",
            r.stderr
        );
    }
    let got = String::from_utf8(proxy.finish()[0].clone()).unwrap();
    assert!(
        got.contains("\r\nProxy-Authorization: Basic dUB4OnA=\r\n"),
        "{got}"
    );
}

#[test]
fn environment_proxy_is_used() {
    let proxy = fake_proxy(response(200, &[], b"env proxy"));
    let env_url = format!("http://127.0.0.1:{}", proxy.port());
    let r = pollhttp(&["http://origin.invalid/"], &[("http_proxy", &env_url)]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "env proxy");
    let got = String::from_utf8(proxy.finish()[0].clone()).unwrap();
    assert!(
        got.starts_with("GET http://origin.invalid/ HTTP/1.1\r\n"),
        "{got}"
    );
}

#[test]
fn no_proxy_and_noproxy_go_direct() {
    let dead = format!("http://127.0.0.1:{}", closed_port());
    let s = DemoServer::start().expect("demo server");
    let url = s.url("/hello");
    // no_proxy in the environment.
    let r = pollhttp(&[&url], &[("http_proxy", &dead), ("no_proxy", "127.0.0.1")]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, HELLO_BODY);
    // --noproxy, also against -x.
    let r = pollhttp(&["-x", &dead, "--noproxy", "127.0.0.0/8", &url], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // -x "" disables the environment's proxy.
    let r = pollhttp(&["-x", "", &url], &[("http_proxy", &dead)]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // Without an exclusion the dead proxy is tried: exit 7.
    let r = pollhttp(&[&url], &[("http_proxy", &dead)]);
    assert_eq!(r.code, 7, "{}", r.stderr);
    assert!(r.stderr.contains("HTTP proxy 127.0.0.1:"), "{}", r.stderr);
}

#[test]
fn refused_tunnel_gives_exit_56_with_the_proxy_status() {
    let proxy = fake_proxy(
        b"HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n".to_vec(),
    );
    let r = pollhttp(
        &["https://origin.invalid/"],
        &[("HTTPS_PROXY", &format!("127.0.0.1:{}", proxy.port()))],
    );
    assert_eq!(r.code, 56, "{}", r.stderr);
    assert!(
        r.stderr.contains("407 Proxy Authentication Required"),
        "{}",
        r.stderr
    );
    let got = String::from_utf8(proxy.finish()[0].clone()).unwrap();
    assert_eq!(
        got,
        format!(
            "CONNECT origin.invalid:443 HTTP/1.1\r\nHost: origin.invalid:443\r\n\
             User-Agent: {}\r\nAccept: */*\r\n\r\n",
            ua()
        )
    );
}

#[test]
fn unresolvable_proxy_gives_exit_5() {
    let r = pollhttp(
        &["-x", "no-such-proxy.invalid:3128", "http://origin.invalid/"],
        &[],
    );
    assert_eq!(r.code, 5, "{}", r.stderr);
    assert!(
        r.stderr
            .starts_with("pollhttp: cannot resolve proxy no-such-proxy.invalid"),
        "{}",
        r.stderr
    );
}

#[test]
fn unsupported_proxies_are_refused_before_connecting() {
    let r = pollhttp(&["-x", "https://p:443", "http://origin.invalid/"], &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("not supported"), "{}", r.stderr);
    let r = pollhttp(
        &["http://origin.invalid/"],
        &[("http_proxy", "socks5://127.0.0.1:1080")],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
}
