//! `HttpRequest` over TLS: the connection kept across requests, the HTTPS-to-HTTP rule,
//! and certificate failures reported as TLS_HANDSHAKE_ERROR.

mod tls_support;

use pollhttp::{Completion, HttpRequest, HttpRequestResult, Method, Reason, TlsOptions};
use tls_support::certs::Ca;
use tls_support::server::{pattern_bytes, Server};
use tls_support::trusted;

fn get(http: &mut HttpRequest, url: &str) -> Completion {
    http.request(url, &[], Method::Get, "").unwrap();
    http.wait_for_completion().expect("in progress")
}

fn header<'a>(done: &'a Completion, name: &str) -> Option<&'a str> {
    done.headers.iter().find_map(|h| {
        let (n, v) = h.split_once(':')?;
        n.eq_ignore_ascii_case(name).then_some(v.trim())
    })
}

#[test]
fn https_requests_share_one_verified_connection() {
    let ca = Ca::root("http request root");
    let leaf = ca.leaf(&["localhost"]);
    let server = Server::tls(vec![leaf.der.clone()], leaf.key()).start();
    let mut http = HttpRequest::new();
    http.set_tls_options(Some(TlsOptions::client(Some(trusted(&ca)), None)));
    let base = format!("https://localhost:{}", server.port());
    let first = get(&mut http, &format!("{base}/hello"));
    assert_eq!(
        first.result,
        HttpRequestResult::Success,
        "{:?}",
        first.error
    );
    assert_eq!(first.body, b"hello over tls");
    let second = get(&mut http, &format!("{base}/chunked/100000"));
    assert_eq!(second.body, pattern_bytes(100_000));
    assert_eq!(header(&first, "x-conn"), Some("0"));
    assert_eq!(header(&second, "x-conn"), Some("0"));
    assert_eq!(header(&second, "x-request"), Some("1"));
}

#[test]
fn a_redirect_from_https_to_http_is_refused_unless_allowed() {
    let ca = Ca::root("http request root");
    let leaf = ca.leaf(&["localhost"]);
    let tls = Server::tls(vec![leaf.der.clone()], leaf.key()).start();
    let plain = Server::plain().start();
    let target = format!("http://127.0.0.1:{}/hello", plain.port());
    let start = format!("https://localhost:{}/to/{target}", tls.port());
    let mut http = HttpRequest::new();
    http.set_tls_options(Some(TlsOptions::client(Some(trusted(&ca)), None)));
    let done = get(&mut http, &start);
    assert_eq!(done.result, HttpRequestResult::RequestFailed);
    assert_eq!(done.response_code, 302);
    assert!(
        matches!(
            done.error.as_ref().unwrap().reason(),
            Reason::RedirectRefused { .. }
        ),
        "{:?}",
        done.error
    );

    http.set_allow_https_downgrade(true);
    let done = get(&mut http, &start);
    assert_eq!(done.result, HttpRequestResult::Success, "{:?}", done.error);
    assert_eq!(done.body, b"hello over tls");
    assert_eq!(done.final_url, target);
}

#[test]
fn an_untrusted_certificate_is_a_tls_handshake_error() {
    let ca = Ca::root("http request root");
    let other = Ca::root("another root");
    let leaf = ca.leaf(&["localhost"]);
    let server = Server::tls(vec![leaf.der.clone()], leaf.key()).start();
    let mut http = HttpRequest::new();
    http.set_tls_options(Some(TlsOptions::client(Some(trusted(&other)), None)));
    let done = get(
        &mut http,
        &format!("https://localhost:{}/hello", server.port()),
    );
    assert_eq!(done.result, HttpRequestResult::TlsHandshakeError);
    assert!(done.error.unwrap().tls_kind().is_some());
}
