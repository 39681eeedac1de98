//! The browser client in a real browser: `HttpClient` and `HttpRequest` over `fetch`, in
//! headless Chromium, against the project's loopback demo server.
//!
//! Run by `scripts/web/test.sh`, which starts `pollhttp-web-testserver` and passes its
//! address at build time as `POLLHTTP_WEB_SERVER`. The test page comes from
//! wasm-bindgen's runner on another port, so every request here is cross-origin: routes
//! under `/cors/` allow it, the others do not.
#![cfg(target_arch = "wasm32")]

use pollhttp::{
    GodotError, HttpClient, HttpRequest, HttpRequestResult, Limits, ManualClock, Method, Reason,
    Status, TimeoutPhase, Timeouts,
};
use std::time::Duration;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

mod web_support;
use web_support::*;

#[wasm_bindgen_test]
async fn the_tutorial_loop_runs_as_on_the_native_client() {
    let mut http = connected().await;
    http.request(Method::Get, "/cors/hello", &["Accept: */*"], "")
        .expect("request");
    assert_eq!(http.status(), Status::Requesting);
    // The browser settles the fetch only between tasks: polls within one make no progress.
    http.poll().expect("poll");
    http.poll().expect("poll");
    assert_eq!(http.status(), Status::Requesting);
    assert_eq!(
        poll_while(&mut http, Status::Requesting).await,
        Status::Body
    );
    assert!(http.has_response());
    assert_eq!(http.response_code(), 200);
    let headers = http.response_headers_as_dictionary();
    assert!(
        headers
            .iter()
            .any(|(n, v)| n == "content-type" && v.starts_with("text/plain")),
        "{headers:?}"
    );
    let body = read_body(&mut http).await.concat();
    assert_eq!(body, b"Hello, world!\n");
    assert_eq!(http.status(), Status::Disconnected);
    assert!(http.is_response_complete());
    assert!(http.last_error().is_none());
}

#[wasm_bindgen_test]
async fn a_chunked_body_is_read_in_pieces_no_larger_than_the_chunk_size() {
    let mut http = connected().await;
    http.set_read_chunk_size(256).expect("chunk size");
    http.request(Method::Get, "/cors/chunked", &[], "")
        .expect("request");
    assert_eq!(
        poll_while(&mut http, Status::Requesting).await,
        Status::Body
    );
    assert!(http.is_response_chunked());
    assert_eq!(http.response_body_length(), -1);
    let pieces = read_body(&mut http).await;
    assert!(pieces.len() > 4, "{} pieces", pieces.len());
    assert!(pieces.iter().all(|p| !p.is_empty() && p.len() <= 256));
    let page = String::from_utf8(pieces.concat()).expect("the page is text");
    assert!(page.starts_with("<!DOCTYPE html>"), "{page}");
    assert!(page.trim_end().ends_with("</html>"), "{page}");
    assert!(http.is_response_complete());
}

#[wasm_bindgen_test]
async fn a_long_body_arrives_whole_and_in_order() {
    const LEN: u64 = 4 * 1024 * 1024;
    let mut http = connected().await;
    http.request(Method::Get, &format!("/cors/bytes/{LEN}"), &[], "")
        .expect("request");
    assert_eq!(
        poll_while(&mut http, Status::Requesting).await,
        Status::Body
    );
    // Cross-origin: the browser may have decoded, so the length is not vouched for.
    assert_eq!(http.response_body_length(), -1);
    let mut buf = vec![0u8; 100_000];
    let mut at = 0u64;
    for _ in 0..MAX_FRAMES {
        if http.status() != Status::Body {
            break;
        }
        let n = http.read_response_body_into(&mut buf).expect("read");
        if n == 0 {
            frame().await;
            continue;
        }
        for (i, b) in buf[..n].iter().enumerate() {
            assert_eq!(*b, pattern_byte(at + i as u64), "byte {}", at + i as u64);
        }
        at += n as u64;
    }
    assert_eq!(at, LEN);
    assert_eq!(http.status(), Status::Disconnected);
    assert!(http.is_response_complete());
}

#[wasm_bindgen_test]
async fn a_404_is_a_response_like_any_other() {
    let mut http = connected().await;
    http.request(Method::Get, "/cors/status/404", &[], "")
        .expect("request");
    assert_eq!(
        poll_while(&mut http, Status::Requesting).await,
        Status::Body
    );
    assert_eq!(http.response_code(), 404);
    let body = read_body(&mut http).await.concat();
    assert!(!body.is_empty());
    assert!(http.is_response_complete());
}

#[wasm_bindgen_test]
async fn a_post_body_and_a_custom_header_reach_the_server() {
    let mut http = connected().await;
    http.request(Method::Post, "/cors/echo", &["X-Test: one two"], "the body")
        .expect("request");
    assert_eq!(
        poll_while(&mut http, Status::Requesting).await,
        Status::Body
    );
    assert_eq!(http.response_code(), 200);
    let echo = String::from_utf8(read_body(&mut http).await.concat()).expect("text");
    assert!(echo.starts_with("POST /cors/echo HTTP/1.1"), "{echo}");
    assert!(
        echo.lines()
            .any(|l| l.eq_ignore_ascii_case("x-test: one two")),
        "{echo}"
    );
    assert!(echo.ends_with("\n\nthe body"), "{echo}");
}

#[wasm_bindgen_test]
async fn a_response_without_cors_headers_is_a_connection_error_with_the_browsers_message() {
    let mut http = connected().await;
    http.request(Method::Get, "/hello", &[], "")
        .expect("request");
    assert_eq!(
        poll_while(&mut http, Status::Requesting).await,
        Status::ConnectionError
    );
    let e = http.last_error().expect("the failure is kept");
    assert_eq!(e.godot(), GodotError::ConnectionError);
    let text = e.to_string();
    assert!(text.contains("fetch failed"), "{text}");
    assert!(text.contains("TypeError"), "{text}");
    assert!(!http.has_response());
}

#[wasm_bindgen_test]
async fn a_server_that_never_answers_times_out_in_virtual_time_and_the_fetch_is_aborted() {
    let clock = ManualClock::new();
    let mut http = HttpClient::new();
    http.set_clock(clock.clone());
    http.set_timeouts(Timeouts {
        response_head: Some(Duration::from_secs(5)),
        ..Timeouts::default()
    });
    http.connect_to_host("127.0.0.1", Some(port()), None)
        .expect("connect");
    assert_eq!(http.status(), Status::Connecting); // an IP address: nothing to resolve
    poll_while(&mut http, Status::Connecting).await;
    let before = held().await;
    http.request(Method::Get, "/cors/never", &[], "")
        .expect("request");
    let deadline = http.next_deadline().expect("response_head runs");
    for _ in 0..20 {
        http.poll().expect("no limit has expired yet");
        frame().await;
    }
    assert_eq!(http.status(), Status::Requesting);
    // The server holds the request: else the check after the abort could pass before
    // the request ever got there.
    until_held(before + 1).await;
    clock.advance(Duration::from_secs(5));
    assert!(http.next_deadline() == Some(deadline));
    let e = http.poll().expect_err("response_head expired");
    assert_eq!(http.status(), Status::ConnectionError);
    assert_eq!(e.timeout_phase(), Some(TimeoutPhase::ResponseHead));
    assert!(
        matches!(e.reason(), Reason::Timeout { after, .. } if *after == Duration::from_secs(5))
    );
    until_held(before).await;
}

#[wasm_bindgen_test]
async fn a_body_that_stalls_trips_the_idle_limit() {
    let clock = ManualClock::new();
    let before = held().await;
    let mut http = connected().await;
    http.set_clock(clock.clone());
    http.set_timeouts(Timeouts {
        idle: Some(Duration::from_secs(2)),
        ..Timeouts::default()
    });
    http.request(Method::Get, "/cors/stall/1000", &[], "")
        .expect("request");
    assert_eq!(
        poll_while(&mut http, Status::Requesting).await,
        Status::Body
    );
    let mut got = 0;
    for _ in 0..MAX_FRAMES {
        got += http.read_response_body_chunk().len();
        if got == 1000 {
            break;
        }
        frame().await;
    }
    assert_eq!(got, 1000);
    for _ in 0..10 {
        assert!(http.read_response_body_chunk().is_empty());
        frame().await;
    }
    assert_eq!(http.status(), Status::Body);
    until_held(before + 1).await;
    clock.advance(Duration::from_secs(2));
    let e = http.poll().expect_err("idle expired");
    assert_eq!(e.timeout_phase(), Some(TimeoutPhase::Idle));
    assert_eq!(http.status(), Status::ConnectionError);
    until_held(before).await;
}

#[wasm_bindgen_test]
async fn close_in_the_middle_of_the_body_stops_the_transfer() {
    let before = held().await;
    let mut http = connected().await;
    http.request(Method::Get, "/cors/stall/3000", &[], "")
        .expect("request");
    assert_eq!(
        poll_while(&mut http, Status::Requesting).await,
        Status::Body
    );
    let mut got = 0;
    for _ in 0..MAX_FRAMES {
        got += http.read_response_body_chunk().len();
        if got > 0 {
            break;
        }
        frame().await;
    }
    assert!(got > 0);
    until_held(before + 1).await;
    http.close();
    // The fetch is aborted: the browser closes the connection, and the server sees it.
    until_held(before).await;
    assert_eq!(http.status(), Status::Disconnected);
    assert!(!http.has_response());
    assert!(http.read_response_body_chunk().is_empty());
    // The client is as new: the next request works.
    http.connect_to_host("127.0.0.1", Some(port()), None)
        .expect("connect");
    poll_while(&mut http, Status::Connecting).await;
    http.request(Method::Get, "/cors/hello", &[], "")
        .expect("request");
    poll_while(&mut http, Status::Requesting).await;
    assert_eq!(read_body(&mut http).await.concat(), b"Hello, world!\n");
}

#[wasm_bindgen_test]
async fn headers_and_methods_the_browser_forbids_are_refused_by_name() {
    let mut http = connected().await;
    for header in [
        "Host: example.com",
        "Accept-Encoding: gzip",
        "Content-Length: 3",
        "Cookie: a=b",
        "Origin: http://evil.test",
        "Referer: http://x.test/",
        "Connection: close",
        "Transfer-Encoding: chunked",
        "TE: trailers",
        "Proxy-Authorization: Basic eA==",
        "Sec-Fetch-Mode: no-cors",
        "X-HTTP-Method-Override: TRACE",
    ] {
        let e = http
            .request(Method::Get, "/cors/hello", &[header], "")
            .expect_err(header);
        assert_eq!(e.godot(), GodotError::InvalidParameter, "{header}");
        let name = header.split(':').next().unwrap_or_default();
        assert!(e.to_string().contains(name), "{header}: {e}");
        assert_eq!(http.status(), Status::Connected, "nothing was sent");
    }
    for method in [Method::Trace, Method::Connect] {
        let e = http
            .request(method, "/cors/hello", &[], "")
            .expect_err("a forbidden method");
        assert_eq!(e.godot(), GodotError::Unavailable);
    }
    let e = http
        .request(Method::Options, "*", &[], "")
        .expect_err("no URL for *");
    assert_eq!(e.godot(), GodotError::InvalidParameter);
    // The browser refuses a body on GET; its reason comes back, and nothing is sent.
    let e = http
        .request(Method::Get, "/cors/hello", &[], "a body")
        .expect_err("a GET with a body");
    assert_eq!(e.godot(), GodotError::InvalidParameter);
    assert!(e.to_string().contains("refused"), "{e}");
    assert_eq!(http.status(), Status::Connected);
    let e = http
        .request(Method::Get, "/cors/hello", &["X-Bad: a\r\nHost: b"], "")
        .expect_err("CR LF");
    assert_eq!(e.godot(), GodotError::InvalidParameter);
    assert_eq!(http.status(), Status::Connected);
}

#[wasm_bindgen_test]
async fn blocking_mode_and_proxies_are_refused_not_ignored() {
    let mut http = HttpClient::new();
    http.set_blocking_mode(true);
    let e = http
        .connect_to_host("127.0.0.1", Some(port()), None)
        .expect_err("blocking mode");
    assert_eq!(e.godot(), GodotError::Unavailable);
    http.set_blocking_mode(false);
    http.set_http_proxy("127.0.0.1", Some(3128));
    let e = http
        .connect_to_host("127.0.0.1", Some(port()), None)
        .expect_err("a proxy");
    assert_eq!(e.godot(), GodotError::Unavailable);
    http.set_http_proxy_config(None);
    http.connect_to_host("127.0.0.1", Some(port()), None)
        .expect("no proxy now");
    let e = http.set_user_agent("x/1").expect_err("the browser's own");
    assert_eq!(e.godot(), GodotError::Unavailable);
}

#[wasm_bindgen_test]
async fn the_body_limit_aborts_a_long_body() {
    let mut http = connected().await;
    http.set_limits(Limits {
        max_body_bytes: Some(10_000),
        ..Limits::default()
    });
    http.request(Method::Get, "/cors/bytes/1000000", &[], "")
        .expect("request");
    poll_while(&mut http, Status::Requesting).await;
    let mut buf = vec![0u8; 4096];
    let mut failed = None;
    for _ in 0..MAX_FRAMES {
        match http.read_response_body_into(&mut buf) {
            Ok(0) => frame().await,
            Ok(_) => {}
            Err(e) => {
                failed = Some(e);
                break;
            }
        }
    }
    let e = failed.expect("the limit stops the body");
    assert!(e.to_string().contains("max_body_bytes"), "{e}");
    assert_eq!(http.status(), Status::ConnectionError);
}

#[wasm_bindgen_test]
async fn http_request_follows_redirects_through_the_browser() {
    let mut http = HttpRequest::new();
    http.request(
        &format!("{}/cors/redirect/3", server()),
        &[],
        Method::Get,
        "",
    )
    .expect("request");
    let done = complete(&mut http).await;
    assert_eq!(done.result, HttpRequestResult::Success, "{:?}", done.error);
    assert_eq!(done.response_code, 200);
    assert_eq!(done.text(), "Hello, world!\n");
    assert!(
        done.final_url.ends_with("/cors/redirect/0"),
        "{}",
        done.final_url
    );
}

#[wasm_bindgen_test]
async fn http_request_with_no_redirects_allowed_reports_the_limit() {
    let mut http = HttpRequest::new();
    http.set_max_redirects(0).expect("0 is allowed");
    http.request(
        &format!("{}/cors/redirect/1", server()),
        &[],
        Method::Get,
        "",
    )
    .expect("request");
    let done = complete(&mut http).await;
    assert_eq!(done.result, HttpRequestResult::RedirectLimitReached);

    http.set_max_redirects(8).expect("8 is allowed");
    http.set_follow_redirects(false);
    http.request(
        &format!("{}/cors/redirect/1", server()),
        &[],
        Method::Get,
        "",
    )
    .expect("request");
    let done = complete(&mut http).await;
    assert_eq!(done.result, HttpRequestResult::RequestFailed);
    let e = done.error.expect("why");
    assert!(matches!(e.reason(), Reason::RedirectRefused { .. }), "{e}");
}

#[wasm_bindgen_test]
async fn http_request_does_not_decode_what_the_browser_decoded() {
    let mut http = HttpRequest::new();
    http.request(&format!("{}/cors/gzip", server()), &[], Method::Get, "")
        .expect("request");
    let done = complete(&mut http).await;
    assert_eq!(done.result, HttpRequestResult::Success, "{:?}", done.error);
    assert!(!done.body.starts_with(&[0x1f, 0x8b]), "still gzip");
    let text = std::str::from_utf8(&done.body).expect("decoded text");
    let head = done.head.as_ref().expect("the head as received");
    let sent = head
        .headers
        .iter()
        .find_map(|h| h.strip_prefix("content-length: "))
        .and_then(|v| v.parse::<usize>().ok())
        .expect("the server's Content-Length is shown (exposed)");
    assert!(
        sent < text.len(),
        "{sent} wire bytes, {} decoded",
        text.len()
    );
    assert!(head.headers.iter().any(|h| h == "content-encoding: gzip"));
    // The delivered headers describe the bytes delivered.
    assert!(!done
        .headers
        .iter()
        .any(|h| h.starts_with("content-encoding")));
    assert!(!done.headers.iter().any(|h| h.starts_with("content-length")));
    assert_eq!(http.progress().expected_wire, None);
    assert_eq!(http.body_size(), -1);
}

#[wasm_bindgen_test]
async fn http_request_refuses_a_download_file_and_streams_instead() {
    let mut http = HttpRequest::new();
    http.set_download_file(Some("out.bin"));
    let e = http
        .request(&format!("{}/cors/hello", server()), &[], Method::Get, "")
        .expect_err("no file system");
    assert_eq!(e.godot(), GodotError::Unavailable);
    assert!(e.to_string().contains("download_file"), "{e}");

    http.set_download_file(None::<&str>);
    http.set_stream_body(true);
    http.request(
        &format!("{}/cors/bytes/300000", server()),
        &[],
        Method::Get,
        "",
    )
    .expect("request");
    let mut buf = vec![0u8; 8192];
    let mut at = 0u64;
    let done = loop {
        if let Some(done) = http.poll() {
            break done;
        }
        match http.read_body(&mut buf) {
            0 => frame().await,
            n => {
                assert!(buf[..n]
                    .iter()
                    .enumerate()
                    .all(|(i, b)| *b == pattern_byte(at + i as u64)));
                at += n as u64;
                assert_eq!(http.progress().decoded_bytes, at);
            }
        }
    };
    assert_eq!(done.result, HttpRequestResult::Success, "{:?}", done.error);
    assert_eq!(at, 300_000);
}

#[wasm_bindgen_test]
async fn http_request_times_out_and_aborts() {
    let clock = ManualClock::new();
    let mut http = HttpRequest::new();
    http.set_clock(clock.clone());
    http.set_timeout(Some(Duration::from_secs(3)));
    let before = held().await;
    http.request(&format!("{}/cors/never", server()), &[], Method::Get, "")
        .expect("request");
    for _ in 0..20 {
        assert!(http.poll().is_none());
        frame().await;
    }
    until_held(before + 1).await;
    clock.advance(Duration::from_secs(3));
    let done = http.poll().expect("the timeout ends it");
    assert_eq!(done.result, HttpRequestResult::Timeout);
    assert_eq!(http.http_client_status(), Status::Disconnected);
    until_held(before).await;
}
