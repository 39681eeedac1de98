//! `HttpRequest` against scripted loopback servers: what goes on the wire, what comes
//! back, and how each failure is reported.

use pollhttp::{
    Clock, Completion, GodotError, HttpRequest, HttpRequestResult, ManualClock, Method, Reason,
    RequestMethod, Status,
};
use pollhttp_testserver::{chunked_response, response, ScriptedServer, Step};
use std::time::Duration;

/// Runs `http`'s request to its end.
fn run(http: &mut HttpRequest) -> Completion {
    http.wait_for_completion()
        .expect("a request is in progress")
}

fn get_with(http: &mut HttpRequest, url: &str, headers: &[&str]) -> Completion {
    http.request(url, headers, Method::Get, "").unwrap();
    run(http)
}

fn get(http: &mut HttpRequest, url: &str) -> Completion {
    http.request(url, &[], Method::Get, "").unwrap();
    run(http)
}

fn url(server: &ScriptedServer, path: &str) -> String {
    format!("http://127.0.0.1:{}{path}", server.port())
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The header `name` of a recorded request, case-insensitively.
fn header(request: &[u8], name: &str) -> Option<String> {
    text(request).lines().skip(1).find_map(|l| {
        let (n, v) = l.split_once(':')?;
        n.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
    })
}

fn request_line(request: &[u8]) -> String {
    text(request).lines().next().unwrap_or("").to_string()
}

fn serve(replies: Vec<Vec<u8>>) -> ScriptedServer {
    let mut steps = Vec::new();
    for r in replies {
        steps.push(Step::ReadHead);
        steps.push(Step::Send(r));
    }
    ScriptedServer::start(vec![steps])
}

#[test]
fn a_get_returns_code_headers_and_body() {
    let server = serve(vec![response(200, &[("X-A", "1")], b"hello")]);
    let mut http = HttpRequest::new();
    let done = get(&mut http, &url(&server, "/p?q=1#frag"));
    assert_eq!(done.result, HttpRequestResult::Success, "{:?}", done.error);
    assert_eq!(done.response_code, 200);
    assert_eq!(done.body, b"hello");
    assert!(
        done.headers.iter().any(|h| h == "X-A: 1"),
        "{:?}",
        done.headers
    );
    assert_eq!(done.final_url, url(&server, "/p?q=1#frag"));
    assert!(done.error.is_none());
    assert_eq!(http.downloaded_bytes(), 5);
    assert_eq!(http.body_size(), 5);
    let reqs = server.requests();
    assert_eq!(request_line(&reqs[0]), "GET /p?q=1 HTTP/1.1");
    assert_eq!(
        header(&reqs[0], "accept-encoding").as_deref(),
        Some("gzip, deflate, br, zstd")
    );
    assert!(!http.is_busy());
}

#[test]
fn any_status_code_is_a_success_of_the_exchange() {
    let server = serve(vec![response(404, &[], b"nope")]);
    let done = get(&mut HttpRequest::new(), &url(&server, "/"));
    assert_eq!(
        (done.result, done.response_code, done.body.as_slice()),
        (HttpRequestResult::Success, 404, &b"nope"[..])
    );
}

#[test]
fn a_second_request_while_busy_is_err_busy_and_changes_nothing() {
    let server = serve(vec![response(200, &[], b"one")]);
    let mut http = HttpRequest::new();
    http.request(&url(&server, "/1"), &[], Method::Get, "")
        .unwrap();
    let e = http
        .request(&url(&server, "/2"), &[], Method::Get, "")
        .unwrap_err();
    assert_eq!(e.godot(), GodotError::Busy);
    assert_eq!(e.reason(), &Reason::Busy);
    let done = run(&mut http);
    assert_eq!(done.body, b"one");
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn unusable_urls_and_headers_are_refused_before_anything_is_sent() {
    let mut http = HttpRequest::new();
    for bad in ["ftp://127.0.0.1/", "http://", "mailto://a@b", "http://a b/"] {
        let e = http.request(bad, &[], Method::Get, "").unwrap_err();
        assert_eq!(e.godot(), GodotError::InvalidParameter, "{bad}");
    }
    let e = http
        .request("http://127.0.0.1:1/", &["X: a\r\nY: b"], Method::Get, "")
        .unwrap_err();
    assert_eq!(e.godot(), GodotError::InvalidParameter);
    assert!(!http.is_busy());
}

#[test]
fn requests_to_one_origin_share_a_connection() {
    let server = serve(vec![
        response(200, &[], b"a"),
        response(200, &[], b"b"),
        response(200, &[], b"c"),
    ]);
    let mut http = HttpRequest::new();
    for want in [b"a", b"b", b"c"] {
        let done = get(&mut http, &url(&server, "/"));
        assert_eq!(done.body, want);
        assert_eq!(http.http_client_status(), Status::Connected);
    }
    assert_eq!(server.connections_accepted(), 1);
}

#[test]
fn a_kept_connection_the_server_dropped_is_replaced_once() {
    // The server answers one request, reads the next and closes without a word.
    let server = ScriptedServer::start(vec![
        vec![
            Step::ReadHead,
            Step::Send(response(200, &[], b"first")),
            Step::ReadHead,
            Step::Close,
        ],
        vec![Step::ReadHead, Step::Send(response(200, &[], b"second"))],
    ]);
    let mut http = HttpRequest::new();
    assert_eq!(get(&mut http, &url(&server, "/")).body, b"first");
    let done = get(&mut http, &url(&server, "/"));
    assert_eq!(done.result, HttpRequestResult::Success, "{:?}", done.error);
    assert_eq!(done.body, b"second");
    assert_eq!(server.connections_accepted(), 2);
}

#[test]
fn same_origin_redirects_follow_on_the_same_connection() {
    let server = serve(vec![
        response(301, &[("Location", "/b")], b"moved"),
        response(302, &[("Location", "c")], b""),
        response(307, &[("Location", "../d?x=1")], b"temp"),
        response(308, &[("Location", "/e")], b""),
        response(200, &[], b"end"),
    ]);
    let mut http = HttpRequest::new();
    let done = get(&mut http, &url(&server, "/a/"));
    assert_eq!(done.result, HttpRequestResult::Success, "{:?}", done.error);
    assert_eq!(done.body, b"end");
    assert_eq!(done.final_url, url(&server, "/e"));
    assert_eq!(http.progress().redirects, 4);
    let chain: Vec<(u16, String, Option<&str>)> = done
        .redirects
        .iter()
        .map(|h| (h.code, h.url.clone(), h.header("location")))
        .collect();
    assert_eq!(
        chain,
        [
            (301, url(&server, "/a/"), Some("/b")),
            (302, url(&server, "/b"), Some("c")),
            (307, url(&server, "/c"), Some("../d?x=1")),
            (308, url(&server, "/d?x=1"), Some("/e")),
        ]
    );
    assert_eq!(done.head.unwrap().status_line(), "HTTP/1.1 200 OK");
    let lines: Vec<String> = server.requests().iter().map(|r| request_line(r)).collect();
    assert_eq!(
        lines,
        [
            "GET /a/ HTTP/1.1",
            "GET /b HTTP/1.1",
            "GET /c HTTP/1.1",
            "GET /d?x=1 HTTP/1.1",
            "GET /e HTTP/1.1"
        ]
    );
    assert_eq!(server.connections_accepted(), 1);
}

#[test]
fn methods_and_bodies_change_per_status_code() {
    for (code, method, body_kept) in [
        (301, "GET", false),
        (302, "GET", false),
        (303, "GET", false),
        (307, "POST", true),
        (308, "POST", true),
    ] {
        let server = serve(vec![
            response(code, &[("Location", "/next")], b""),
            response(200, &[], b"ok"),
        ]);
        let mut http = HttpRequest::new();
        http.request(
            &url(&server, "/form"),
            &["Content-Type: text/plain"],
            Method::Post,
            "payload",
        )
        .unwrap();
        let done = run(&mut http);
        assert_eq!(done.body, b"ok", "{code}");
        let reqs = server.requests();
        let second = &reqs[1];
        assert_eq!(
            request_line(second),
            format!("{method} /next HTTP/1.1"),
            "{code}"
        );
        assert_eq!(text(second).ends_with("payload"), body_kept, "{code}");
        assert_eq!(
            header(second, "content-type").is_some(),
            body_kept,
            "{code}"
        );
    }
}

#[test]
fn extension_methods_are_sent_and_kept_across_a_307() {
    let server = serve(vec![
        response(307, &[("Location", "/dav/")], b""),
        response(207, &[], b"<multistatus/>"),
    ]);
    let mut http = HttpRequest::new();
    let propfind = RequestMethod::parse("PROPFIND").unwrap();
    http.request(&url(&server, "/dav"), &["Depth: 1"], propfind, "")
        .unwrap();
    let done = run(&mut http);
    assert_eq!(
        (done.response_code, done.body.as_slice()),
        (207, &b"<multistatus/>"[..])
    );
    let lines: Vec<String> = server.requests().iter().map(|r| request_line(r)).collect();
    assert_eq!(lines, ["PROPFIND /dav HTTP/1.1", "PROPFIND /dav/ HTTP/1.1"]);
    let e = http
        .request(
            &url(&server, "/"),
            &[],
            RequestMethod::Other("BAD METHOD"),
            "",
        )
        .unwrap_err();
    assert_eq!(e.godot(), GodotError::InvalidParameter);
}

#[test]
fn credentials_are_not_sent_to_another_origin() {
    let other = serve(vec![response(200, &[], b"there")]);
    let first = serve(vec![response(
        302,
        &[("Location", &url(&other, "/x"))],
        b"",
    )]);
    let mut http = HttpRequest::new();
    http.request(
        &format!("http://user:pw@127.0.0.1:{}/", first.port()),
        &["Cookie: a=b", "X-Other: kept"],
        Method::Get,
        "",
    )
    .unwrap();
    let done = run(&mut http);
    assert_eq!(done.body, b"there");
    let sent = &first.requests()[0];
    assert_eq!(
        header(sent, "authorization").as_deref(),
        Some("Basic dXNlcjpwdw==")
    );
    assert_eq!(header(sent, "cookie").as_deref(), Some("a=b"));
    let followed = &other.requests()[0];
    assert_eq!(header(followed, "authorization"), None);
    assert_eq!(header(followed, "cookie"), None);
    assert_eq!(header(followed, "x-other").as_deref(), Some("kept"));
}

#[test]
fn the_redirect_limit_returns_the_last_redirect() {
    let server = serve(vec![
        response(302, &[("Location", "/1")], b""),
        response(302, &[("Location", "/2")], b""),
        response(302, &[("Location", "/3")], b""),
    ]);
    let mut http = HttpRequest::new();
    http.set_max_redirects(2).unwrap();
    let done = get(&mut http, &url(&server, "/"));
    assert_eq!(done.result, HttpRequestResult::RedirectLimitReached);
    assert_eq!(done.response_code, 302);
    assert!(done.headers.iter().any(|h| h == "Location: /3"));
    assert!(done.body.is_empty());
    assert_eq!(server.requests().len(), 3);

    let server = serve(vec![response(301, &[("Location", "/1")], b"")]);
    http.set_max_redirects(0).unwrap();
    let done = get(&mut http, &url(&server, "/"));
    assert_eq!(done.result, HttpRequestResult::RedirectLimitReached);
    assert!(http.set_max_redirects(-2).is_err());
    http.set_max_redirects(1000).unwrap();
    assert_eq!(http.max_redirects(), 1000);
}

#[test]
fn with_redirects_off_a_3xx_is_the_answer() {
    let server = serve(vec![response(301, &[("Location", "/x")], b"moved")]);
    let mut http = HttpRequest::new();
    http.set_follow_redirects(false);
    let done = get(&mut http, &url(&server, "/"));
    assert_eq!(done.result, HttpRequestResult::Success);
    assert_eq!(
        (done.response_code, done.body.as_slice()),
        (301, &b"moved"[..])
    );
    assert!(done.redirects.is_empty());
}

#[test]
fn a_redirect_without_location_is_the_answer() {
    let server = serve(vec![response(302, &[], b"no location")]);
    let done = get(&mut HttpRequest::new(), &url(&server, "/"));
    assert_eq!(done.result, HttpRequestResult::Success);
    assert_eq!(done.response_code, 302);
    assert_eq!(done.body, b"no location");
}

#[test]
fn a_declared_length_over_the_limit_fails_before_the_body_is_read() {
    let server = ScriptedServer::start(vec![vec![
        Step::ReadHead,
        Step::Send(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000000\r\n\r\n".to_vec()),
        Step::SendPattern { len: None },
    ]]);
    let mut http = HttpRequest::new();
    http.set_body_size_limit(Some(1000));
    let done = get(&mut http, &url(&server, "/"));
    assert_eq!(done.result, HttpRequestResult::BodySizeLimitExceeded);
    assert_eq!(
        done.error.unwrap().reason(),
        &Reason::BodySizeLimit {
            limit: 1000,
            declared: Some(1_000_000_000)
        }
    );
    assert_eq!(http.downloaded_bytes(), 0);
}

#[test]
fn an_endless_body_stops_at_the_limit() {
    let server = ScriptedServer::start(vec![vec![
        Step::ReadHead,
        Step::Send(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec()),
        Step::SendChunkedPattern {
            chunk_size: 4096,
            chunks: None,
        },
    ]]);
    let mut http = HttpRequest::new();
    http.set_body_size_limit(Some(100_000));
    let done = get(&mut http, &url(&server, "/"));
    assert_eq!(done.result, HttpRequestResult::BodySizeLimitExceeded);
    assert!(done.body.is_empty());
    let p = http.progress();
    assert!(
        p.decoded_bytes > 100_000 && p.decoded_bytes < 100_000 + 65536 + 4096,
        "{p:?}"
    );
}

#[test]
fn failures_map_to_godot_results() {
    // Nothing listens: refused.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let done = get(
        &mut HttpRequest::new(),
        &format!("http://127.0.0.1:{port}/"),
    );
    assert_eq!(done.result, HttpRequestResult::CantConnect);
    assert!(done.error.is_some());

    // Closed without a word.
    let server = ScriptedServer::start(vec![vec![Step::ReadHead, Step::Close]]);
    let done = get(&mut HttpRequest::new(), &url(&server, "/"));
    assert_eq!(
        done.result,
        HttpRequestResult::NoResponse,
        "{:?}",
        done.error
    );

    // A body shorter than declared.
    let server = ScriptedServer::start(vec![vec![
        Step::ReadHead,
        Step::Send(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc".to_vec()),
        Step::Close,
    ]]);
    let done = get(&mut HttpRequest::new(), &url(&server, "/"));
    assert_eq!(done.result, HttpRequestResult::ChunkedBodySizeMismatch);
    assert_eq!(done.response_code, 200);

    // A chunked body cut short.
    let mut cut = chunked_response(200, &[], &[b"abc"]);
    cut.truncate(cut.len() - 5);
    let server = ScriptedServer::start(vec![vec![Step::ReadHead, Step::Send(cut), Step::Close]]);
    let done = get(&mut HttpRequest::new(), &url(&server, "/"));
    assert_eq!(done.result, HttpRequestResult::ChunkedBodySizeMismatch);
}

#[test]
fn the_timeout_covers_the_whole_request_in_virtual_time() {
    let server = ScriptedServer::start(vec![vec![Step::ReadHead, Step::ExpectClose]]);
    let clock = ManualClock::new();
    let mut http = HttpRequest::new();
    http.set_clock(clock.clone());
    http.set_timeout(Some(Duration::from_secs(5)));
    http.request(&url(&server, "/"), &[], Method::Get, "")
        .unwrap();
    while http.http_client_status() != Status::Requesting {
        assert!(http.poll().is_none());
        http.wait(Some(Duration::from_millis(10))).unwrap();
    }
    assert_eq!(server.wait_requests(1, Duration::from_secs(5)).len(), 1);
    let deadline = http.next_deadline().expect("the timeout runs");
    assert_eq!(deadline - clock.now(), Duration::from_secs(5));
    clock.advance(Duration::from_secs(4));
    assert!(http.poll().is_none());
    clock.advance(Duration::from_secs(1));
    let done = http.poll().expect("the timeout has passed");
    assert_eq!(done.result, HttpRequestResult::Timeout);
    let e = done.error.unwrap();
    assert!(e.is_timeout());
    assert!(e.to_string().contains("5s"), "{e}");
}

/// GETs `url` with the body streamed, read in pieces of `piece` bytes as it comes;
/// returns the completion and what was read.
fn stream_from(url: &str, piece: usize) -> (Completion, Vec<u8>) {
    let mut http = HttpRequest::new();
    http.set_stream_body(true);
    // Were wait() to sleep once the body is over, a connection the server keeps open
    // would keep it asleep until this timeout.
    http.set_timeout(Some(Duration::from_secs(5)));
    http.request(url, &[], Method::Get, "").unwrap();
    let mut got = Vec::new();
    let mut buf = vec![0u8; piece];
    let done = loop {
        if let Some(done) = http.poll() {
            break done;
        }
        let n = http.read_body(&mut buf);
        got.extend_from_slice(&buf[..n]);
        if n == 0 {
            http.wait(None).unwrap();
        }
    };
    (done, got)
}

#[test]
fn a_streamed_body_is_read_by_the_caller_in_pieces() {
    let body: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    // The connection stays open after the body: only the request knows it is over.
    let server = ScriptedServer::start(vec![vec![
        Step::ReadHead,
        Step::Send(response(200, &[], &body)),
        Step::ExpectClose,
    ]]);
    let (done, got) = stream_from(&url(&server, "/"), 1000);
    assert_eq!(done.result, HttpRequestResult::Success, "{:?}", done.error);
    assert!(done.body.is_empty());
    assert_eq!(got, body);
}

#[test]
fn a_streaming_caller_sees_the_redirect_heads_before_the_body() {
    let server = serve(vec![
        response(302, &[("Location", "/b")], b"moved"),
        response(200, &[], b"end"),
    ]);
    let mut http = HttpRequest::new();
    http.set_stream_body(true);
    http.request(&url(&server, "/a"), &[], Method::Get, "")
        .unwrap();
    let mut buf = [0u8; 100];
    let mut got = Vec::new();
    let mut seen_first = None;
    let done = loop {
        if let Some(done) = http.poll() {
            break done;
        }
        if http.response_head().is_some() {
            if seen_first.is_none() {
                seen_first = Some(
                    http.redirects()
                        .iter()
                        .map(|h| (h.code, h.url.clone()))
                        .collect::<Vec<_>>(),
                );
            }
            let n = http.read_body(&mut buf);
            got.extend_from_slice(&buf[..n]);
            if n > 0 {
                continue;
            }
        }
        http.wait(Some(Duration::from_millis(50))).unwrap();
    };
    assert_eq!(done.result, HttpRequestResult::Success, "{:?}", done.error);
    assert_eq!(got, b"end");
    assert_eq!(seen_first, Some(vec![(302, url(&server, "/a"))]));
    assert_eq!(done.redirects.len(), 1);
    assert!(http.redirects().is_empty());
}

#[test]
fn waiting_for_the_end_collects_what_a_streaming_caller_left_unread() {
    let server = serve(vec![response(200, &[], b"unread body")]);
    let mut http = HttpRequest::new();
    http.set_stream_body(true);
    http.set_timeout(Some(Duration::from_secs(20)));
    let done = get(&mut http, &url(&server, "/"));
    assert_eq!(done.result, HttpRequestResult::Success, "{:?}", done.error);
    assert_eq!(done.body, b"unread body");
}

#[test]
fn cancel_closes_and_returns_nothing() {
    let server = ScriptedServer::start(vec![vec![Step::ReadHead, Step::ExpectClose]]);
    let mut http = HttpRequest::new();
    http.request(&url(&server, "/"), &[], Method::Get, "")
        .unwrap();
    while http.http_client_status() != Status::Requesting {
        assert!(http.poll().is_none());
        http.wait(Some(Duration::from_millis(10))).unwrap();
    }
    assert_eq!(server.wait_requests(1, Duration::from_secs(5)).len(), 1);
    http.cancel_request();
    assert!(!http.is_busy());
    assert!(http.poll().is_none());
    assert_eq!(http.http_client_status(), Status::Disconnected);
    let errors = server.finish_with_errors().1;
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn blocking_mode_and_the_one_call_form() {
    let server = serve(vec![response(200, &[], b"blocking")]);
    let mut http = HttpRequest::new();
    http.set_blocking_mode(true);
    http.request(&url(&server, "/"), &[], Method::Get, "")
        .unwrap();
    let done = http.poll().expect("blocking mode runs to the end");
    assert_eq!(done.body, b"blocking");

    let server = serve(vec![response(200, &[], b"fetched")]);
    let done = pollhttp::fetch(&url(&server, "/")).unwrap();
    assert_eq!(done.body, b"fetched");
}

/// A fresh directory for one test's files.
fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "pollhttp-http-request-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn files_in(dir: &std::path::Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn a_download_appears_only_when_complete() {
    let dir = temp_dir("complete");
    let file = dir.join("out.bin");
    let server = serve(vec![response(200, &[], b"file contents")]);
    let mut http = HttpRequest::new();
    http.set_download_file(Some(&file));
    let done = get(&mut http, &url(&server, "/"));
    assert_eq!(done.result, HttpRequestResult::Success, "{:?}", done.error);
    assert!(done.body.is_empty());
    assert_eq!(std::fs::read(&file).unwrap(), b"file contents");
    assert_eq!(files_in(&dir), ["out.bin"]);

    // A broken body leaves neither the file nor a temporary one.
    std::fs::remove_file(&file).unwrap();
    let server = ScriptedServer::start(vec![vec![
        Step::ReadHead,
        Step::Send(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial".to_vec()),
        Step::Close,
    ]]);
    let done = get(&mut http, &url(&server, "/"));
    assert_eq!(done.result, HttpRequestResult::ChunkedBodySizeMismatch);
    assert!(files_in(&dir).is_empty(), "{:?}", files_in(&dir));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_download_file_that_cannot_be_opened_is_reported_with_its_cause() {
    let dir = temp_dir("cant-open");
    let server = serve(vec![response(200, &[], b"x")]);
    let mut http = HttpRequest::new();
    http.set_download_file(Some(dir.join("missing-dir").join("f")));
    let done = get(&mut http, &url(&server, "/"));
    assert_eq!(done.result, HttpRequestResult::DownloadFileCantOpen);
    let e = done.error.unwrap();
    assert_eq!(e.godot(), GodotError::FileCantOpen);
    let io = std::error::Error::source(&e).and_then(|s| s.downcast_ref::<std::io::Error>());
    assert_eq!(
        io.map(|e| e.kind()),
        Some(std::io::ErrorKind::NotFound),
        "{e}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_kept_partial_download_resumes_with_range_and_if_range() {
    let dir = temp_dir("resume");
    let file = dir.join("big.bin");
    let mut http = HttpRequest::new();
    http.set_download_file(Some(&file));
    http.set_keep_partial_download(true);

    // First attempt: 4 of 10 bytes, then the connection drops.
    let server = ScriptedServer::start(vec![vec![
        Step::ReadHead,
        Step::Send(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\nETag: \"v1\"\r\n\r\n0123".to_vec()),
        Step::Close,
    ]]);
    let done = get(&mut http, &url(&server, "/"));
    assert_eq!(done.result, HttpRequestResult::ChunkedBodySizeMismatch);
    assert!(!file.exists());
    assert_eq!(std::fs::read(dir.join("big.bin.part")).unwrap(), b"0123");

    // Second: the server continues with a 206.
    let server = serve(vec![response(
        206,
        &[("Content-Range", "bytes 4-9/10"), ("ETag", "\"v1\"")],
        b"456789",
    )]);
    let done = get(&mut http, &url(&server, "/"));
    assert_eq!(done.result, HttpRequestResult::Success, "{:?}", done.error);
    let sent = &server.requests()[0];
    assert_eq!(header(sent, "range").as_deref(), Some("bytes=4-"));
    assert_eq!(header(sent, "if-range").as_deref(), Some("\"v1\""));
    assert_eq!(header(sent, "accept-encoding"), None);
    assert_eq!(std::fs::read(&file).unwrap(), b"0123456789");
    assert_eq!(http.progress().resumed_from, 4);
    assert_eq!(files_in(&dir), ["big.bin"]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_resume_answered_with_200_starts_over_and_416_on_a_whole_file_completes_it() {
    let dir = temp_dir("resume-200");
    let file = dir.join("f");
    let mut http = HttpRequest::new();
    http.set_download_file(Some(&file));
    http.set_keep_partial_download(true);

    std::fs::write(dir.join("f.part"), b"old").unwrap();
    let server = serve(vec![response(200, &[], b"brand new")]);
    let done = get(&mut http, &url(&server, "/"));
    assert_eq!(done.result, HttpRequestResult::Success, "{:?}", done.error);
    assert_eq!(std::fs::read(&file).unwrap(), b"brand new");

    std::fs::remove_file(&file).unwrap();
    std::fs::write(dir.join("f.part"), b"whole").unwrap();
    let server = serve(vec![response(416, &[("Content-Range", "bytes */5")], b"")]);
    let done = get(&mut http, &url(&server, "/"));
    assert_eq!(done.result, HttpRequestResult::Success, "{:?}", done.error);
    assert_eq!(done.response_code, 416);
    assert_eq!(std::fs::read(&file).unwrap(), b"whole");
    assert_eq!(files_in(&dir), ["f"]);

    // A part longer than the resource: dropped, and the whole body asked for again on
    // the same connection.
    std::fs::remove_file(&file).unwrap();
    std::fs::write(dir.join("f.part"), b"longer than it").unwrap();
    let server = serve(vec![
        response(416, &[("Content-Range", "bytes */5")], b"range error page"),
        response(200, &[], b"fresh"),
    ]);
    let done = get(&mut http, &url(&server, "/"));
    assert_eq!(done.result, HttpRequestResult::Success, "{:?}", done.error);
    assert_eq!(done.response_code, 200);
    assert_eq!(std::fs::read(&file).unwrap(), b"fresh");
    let reqs = server.requests();
    assert_eq!(header(&reqs[0], "range").as_deref(), Some("bytes=14-"));
    assert_eq!(header(&reqs[1], "range"), None);
    assert_eq!(server.connections_accepted(), 1);
    assert_eq!(files_in(&dir), ["f"]);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Starts a request to each URL, all on one `Poller`, and drives them to their ends
/// from this thread; the completions come back in the URLs' order.
fn all_on_one_poller(urls: &[String]) -> Vec<Completion> {
    let mut poller = pollhttp::Poller::new().unwrap();
    let mut requests: Vec<HttpRequest> = Vec::new();
    let mut tokens = Vec::new();
    let mut results: Vec<Option<Completion>> = Vec::new();
    for u in urls {
        let mut http = HttpRequest::new();
        http.request(u, &[], Method::Get, "").unwrap();
        // On loopback a request can be over by the end of its first poll().
        results.push(http.poll());
        tokens.push(poller.register(http.client()).unwrap());
        requests.push(http);
    }
    let mut ready = Vec::new();
    let mut rounds = 0;
    while results.iter().any(Option::is_none) {
        rounds += 1;
        assert!(rounds < 100_000, "the poller stopped reporting");
        poller
            .poll(&mut ready, Some(Duration::from_secs(5)))
            .unwrap();
        for t in &ready {
            let i = tokens.iter().position(|x| x == t).unwrap();
            if results[i].is_some() {
                continue;
            }
            results[i] = requests[i].poll();
            poller.update(*t, requests[i].client()).unwrap();
        }
    }
    results.into_iter().map(Option::unwrap).collect()
}

#[test]
fn requests_with_redirects_run_on_one_poller() {
    let servers: Vec<ScriptedServer> = (0..20)
        .map(|i| {
            serve(vec![
                response(302, &[("Location", "/final")], b""),
                response(200, &[], format!("body {i}").as_bytes()),
            ])
        })
        .collect();
    let urls: Vec<String> = servers.iter().map(|s| url(s, "/")).collect();
    for (i, r) in all_on_one_poller(&urls).into_iter().enumerate() {
        assert_eq!(r.result, HttpRequestResult::Success, "{i}: {:?}", r.error);
        assert_eq!(r.body, format!("body {i}").as_bytes());
        assert_eq!(r.final_url, url(&servers[i], "/final"));
    }
}

#[test]
fn two_hundred_and_fifty_six_requests_share_one_thread() {
    use pollhttp_testserver::{pattern_byte, DemoServer};
    let server = DemoServer::start().unwrap();
    let len = |i: usize| 1000 + i * 37;
    let urls: Vec<String> = (0..256)
        .map(|i| server.url(&format!("/bytes/{}", len(i))))
        .collect();
    for (i, r) in all_on_one_poller(&urls).into_iter().enumerate() {
        assert_eq!(r.result, HttpRequestResult::Success, "{i}: {:?}", r.error);
        let want: Vec<u8> = (0..len(i) as u64).map(pattern_byte).collect();
        assert!(r.body == want, "request {i}: body differs");
    }
}

// ---- decoding ----

fn gzip(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn raw_deflate(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn zlib(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn br(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut out = Vec::new();
    {
        let mut w = brotli::CompressorWriter::new(&mut out, 4096, 5, 22);
        w.write_all(data).unwrap();
    }
    out
}

fn zst(data: &[u8]) -> Vec<u8> {
    zstd::encode_all(data, 3).unwrap()
}

fn sample_text(len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len);
    let mut i = 0u64;
    while out.len() < len {
        out.extend_from_slice(
            format!("line {i}: GET /item/{} 200 {}\n", i * 7919 % 1000, i % 13).as_bytes(),
        );
        i += 1;
    }
    out.truncate(len);
    out
}

#[test]
fn every_coding_is_decoded_and_its_headers_removed() {
    let body = sample_text(300_000);
    let mut twice = gzip(&body[..100_000]);
    twice.extend(gzip(&body[100_000..]));
    for (coding, sent) in [
        ("gzip", gzip(&body)),
        ("x-gzip", gzip(&body)),
        ("gzip", twice),
        ("deflate", zlib(&body)),
        ("deflate", raw_deflate(&body)),
        ("br", br(&body)),
        ("zstd", zst(&body)),
        ("gzip, br", br(&gzip(&body))),
        ("deflate, zstd, gzip", gzip(&zst(&zlib(&body)))),
    ] {
        let server = serve(vec![response(200, &[("Content-Encoding", coding)], &sent)]);
        let mut http = HttpRequest::new();
        let done = get(&mut http, &url(&server, "/"));
        assert_eq!(
            done.result,
            HttpRequestResult::Success,
            "{coding}: {:?}",
            done.error
        );
        assert!(done.body == body, "{coding}: decoded body differs");
        assert!(
            !done
                .headers
                .iter()
                .any(|h| h.to_ascii_lowercase().starts_with("content-")),
            "{coding}: {:?}",
            done.headers
        );
        assert_eq!(done.head.unwrap().header("content-encoding"), Some(coding));
        let p = http.progress();
        assert_eq!(
            (p.wire_bytes, p.decoded_bytes),
            (sent.len() as u64, body.len() as u64)
        );
    }
}

#[test]
fn a_streamed_body_is_decoded_as_it_is_read() {
    let body = sample_text(500_000);
    let server = ScriptedServer::start(vec![vec![
        Step::ReadHead,
        Step::Send(chunked_response(
            200,
            &[("Content-Encoding", "gzip")],
            &gzip(&body).chunks(777).collect::<Vec<_>>(),
        )),
        Step::ExpectClose,
    ]]);
    let (done, got) = stream_from(&url(&server, "/"), 1500);
    assert_eq!(done.result, HttpRequestResult::Success, "{:?}", done.error);
    assert!(got == body);
}

#[test]
fn a_truncated_or_corrupt_compressed_body_fails_even_when_its_length_matched() {
    let body = sample_text(50_000);
    let mut cut = gzip(&body);
    cut.truncate(cut.len() - 6);
    let mut corrupt = br(&body);
    let mid = corrupt.len() / 2;
    corrupt[mid] ^= 0x55;
    for (coding, sent) in [("gzip", cut), ("br", corrupt)] {
        // Content-Length matches the bytes sent: only the decoder can tell.
        let server = serve(vec![response(200, &[("Content-Encoding", coding)], &sent)]);
        let done = get(&mut HttpRequest::new(), &url(&server, "/"));
        assert_eq!(
            done.result,
            HttpRequestResult::BodyDecompressFailed,
            "{coding}"
        );
        let e = done.error.unwrap();
        assert!(matches!(e.reason(), Reason::Decode(_)), "{e}");
        assert!(std::error::Error::source(&e).is_some(), "{e}");
    }
}

#[test]
fn a_compression_bomb_stops_at_the_limit() {
    // 1 GiB of zeros, about 1 MiB compressed.
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..1024 {
        std::io::Write::write_all(&mut e, &zeros).unwrap();
    }
    let bomb = e.finish().unwrap();
    assert!(bomb.len() < 2 << 20);
    let server = serve(vec![response(200, &[("Content-Encoding", "gzip")], &bomb)]);
    let mut http = HttpRequest::new();
    http.set_body_size_limit(Some(10 << 20));
    let done = get(&mut http, &url(&server, "/"));
    assert_eq!(done.result, HttpRequestResult::BodySizeLimitExceeded);
    let p = http.progress();
    assert!(p.decoded_bytes <= (10 << 20) + 65536, "{p:?}");
    assert!(p.wire_bytes < bomb.len() as u64, "{p:?}");
}

#[test]
fn what_is_not_decoded_passes_through_with_its_header() {
    let body = sample_text(10_000);
    let packed = gzip(&body);
    // An unknown coding, alone or in a list: untouched.
    for coding in ["compress", "gzip, foo"] {
        let server = serve(vec![response(
            200,
            &[("Content-Encoding", coding)],
            &packed,
        )]);
        let done = get(&mut HttpRequest::new(), &url(&server, "/"));
        assert_eq!(done.result, HttpRequestResult::Success);
        assert_eq!(done.body, packed, "{coding}");
        assert!(done
            .headers
            .iter()
            .any(|h| h == &format!("Content-Encoding: {coding}")));
    }
    // accept_gzip off: nothing asked, nothing decoded.
    let server = serve(vec![response(
        200,
        &[("Content-Encoding", "gzip")],
        &packed,
    )]);
    let mut http = HttpRequest::new();
    http.set_accept_gzip(false);
    let done = get(&mut http, &url(&server, "/"));
    assert_eq!(done.body, packed);
    assert_eq!(header(&server.requests()[0], "accept-encoding"), None);
}

#[test]
fn accept_encoding_is_left_to_a_caller_who_sets_it_or_asks_for_a_range() {
    let server = serve(vec![
        response(200, &[], b"a"),
        response(206, &[("Content-Range", "bytes 0-0/10")], b"b"),
    ]);
    let mut http = HttpRequest::new();
    http.request(
        &url(&server, "/"),
        &["Accept-Encoding: identity"],
        Method::Get,
        "",
    )
    .unwrap();
    run(&mut http);
    http.request(&url(&server, "/"), &["Range: bytes=0-0"], Method::Get, "")
        .unwrap();
    run(&mut http);
    let reqs = server.requests();
    assert_eq!(
        header(&reqs[0], "accept-encoding").as_deref(),
        Some("identity")
    );
    assert_eq!(header(&reqs[1], "accept-encoding"), None);
    assert_eq!(text(&reqs[0]).matches("ccept-Encoding").count(), 1);
}

#[test]
fn without_automatic_headers_only_the_callers_go_out() {
    let body = sample_text(5_000);
    let server = serve(vec![
        response(200, &[], b"plain"),
        response(200, &[("Content-Encoding", "gzip")], &gzip(&body)),
    ]);
    let mut http = HttpRequest::new();
    http.set_automatic_headers(false);
    let host = format!("Host: 127.0.0.1:{}", server.port());
    get_with(&mut http, &url(&server, "/"), &[&host]);
    // Asked for by the caller, the coding is decoded all the same.
    let done = get_with(
        &mut http,
        &url(&server, "/"),
        &[&host, "Accept-Encoding: gzip"],
    );
    assert!(done.body == body);
    let reqs = server.requests();
    assert_eq!(text(&reqs[0]), format!("GET / HTTP/1.1\r\n{host}\r\n\r\n"));
    assert_eq!(header(&reqs[1], "accept-encoding").as_deref(), Some("gzip"));
}

#[test]
fn an_ipv6_literal_url_is_fetched() {
    let server = ScriptedServer::start_v6(vec![vec![
        Step::ReadHead,
        Step::Send(response(200, &[], b"over v6")),
    ]])
    .unwrap_or_else(|e| panic!("this test needs an IPv6 loopback ([::1]): {e}"));
    let done = get(
        &mut HttpRequest::new(),
        &format!("http://[::1]:{}/six", server.port()),
    );
    assert_eq!(done.result, HttpRequestResult::Success, "{:?}", done.error);
    assert_eq!(done.body, b"over v6");
    let host = header(&server.requests()[0], "host");
    assert_eq!(host, Some(format!("[::1]:{}", server.port())));
}
