//! The demo server's routes for browser tests (`/cors/`, `/never`, `/stall/N`,
//! `/redirect/N`, `/gzip`, `/site/`), exercised with plain std sockets.

mod common;

use common::{Conn, Reply};
use pollhttp_testserver::{
    demo_page, fill_pattern, fnv1a64, gzipped_demo_page, DemoServer, HELLO_BODY,
};
use std::io::Read;
use std::path::PathBuf;

fn server() -> DemoServer {
    DemoServer::start().expect("start demo server")
}

fn has_cors_headers(r: &Reply) -> bool {
    r.header("access-control-allow-origin").as_deref() == Some("*")
        && r.header("access-control-expose-headers").as_deref() == Some("*")
}

fn has_no_cors_header(r: &Reply) -> bool {
    !r.head.to_ascii_lowercase().contains("access-control-")
}

#[test]
fn cors_prefix_serves_the_route_with_cors_headers() {
    let s = server();
    let mut c = Conn::new(s.addr());
    let r = c.request("GET", "/cors/hello", "", b"");
    assert_eq!((r.code, r.body.as_slice()), (200, HELLO_BODY.as_bytes()));
    assert!(has_cors_headers(&r), "{}", r.head);
    // The same route without the prefix: byte for byte the old answer, no CORS header.
    let r = c.request("GET", "/hello", "", b"");
    assert_eq!((r.code, r.body.as_slice()), (200, HELLO_BODY.as_bytes()));
    assert!(has_no_cors_header(&r), "{}", r.head);

    let r = c.request("GET", "/cors/chunked", "", b"");
    assert!(has_cors_headers(&r), "{}", r.head);
    assert_eq!(r.body, demo_page().as_bytes());
    assert_eq!(
        r.trailer,
        format!(
            "X-Body-Fnv1a64: {:016x}\r\n",
            fnv1a64(demo_page().as_bytes())
        )
    );
    let r = c.request("POST", "/cors/echo", "X-Custom: yes\r\n", b"hi");
    assert!(has_cors_headers(&r), "{}", r.head);
    assert!(r.body.starts_with(b"POST /cors/echo HTTP/1.1\n"));
    assert!(r.body.ends_with(b"\n\nhi"));
    // Errors carry the headers too, so that a page sees the status instead of a network
    // error.
    for (method, target, code) in [
        ("GET", "/cors/nope", 404),
        ("POST", "/cors/hello", 405),
        ("GET", "/cors/status/503", 503),
    ] {
        let r = c.request(method, target, "", b"");
        assert_eq!(r.code, code, "{method} {target}");
        assert!(has_cors_headers(&r), "{method} {target}: {}", r.head);
    }
    // Only a whole path segment is the prefix.
    let r = c.request("GET", "/corshello", "", b"");
    assert_eq!(r.code, 404);
    assert!(has_no_cors_header(&r), "{}", r.head);
}

#[test]
fn options_under_the_prefix_is_a_preflight() {
    let s = server();
    let mut c = Conn::new(s.addr());
    let r = c.request(
        "OPTIONS",
        "/cors/echo",
        "Origin: http://127.0.0.1:1\r\nAccess-Control-Request-Method: PUT\r\n\
         Access-Control-Request-Headers: x-custom\r\n",
        b"",
    );
    assert_eq!(r.code, 204);
    assert_eq!(
        r.header("access-control-allow-origin").as_deref(),
        Some("*")
    );
    assert_eq!(
        r.header("access-control-allow-methods").as_deref(),
        Some("GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS")
    );
    assert_eq!(
        r.header("access-control-allow-headers").as_deref(),
        Some("*, Authorization")
    );
    assert_eq!(r.header("access-control-max-age").as_deref(), Some("0"));
    assert_eq!(r.header("content-length"), None);
    // Any path under the prefix, even one with no route; the connection stays usable.
    assert_eq!(c.request("OPTIONS", "/cors/no/such", "", b"").code, 204);
    assert_eq!(c.request("GET", "/cors/hello", "", b"").code, 200);
    // Without the prefix OPTIONS is just another method.
    let r = c.request("OPTIONS", "/hello", "", b"");
    assert_eq!(r.code, 405);
    assert!(has_no_cors_header(&r), "{}", r.head);
}

#[test]
fn redirect_chain_keeps_its_prefix_and_ends_at_hello() {
    let s = server();
    let mut c = Conn::new(s.addr());
    for (prefix, cors) in [("/cors", true), ("", false)] {
        // Resolve each Location as RFC 3986 does: replace the last path segment.
        let mut target = format!("{prefix}/redirect/3");
        for left in (0..3).rev() {
            let r = c.request("GET", &target, "", b"");
            assert_eq!(r.code, 302, "{target}");
            assert_eq!(r.header("location"), Some(left.to_string()), "{target}");
            assert_eq!(has_cors_headers(&r), cors, "{}", r.head);
            let location = r.header("location").unwrap();
            let base = &target[..=target.rfind('/').unwrap()];
            target = format!("{base}{location}");
        }
        assert_eq!(target, format!("{prefix}/redirect/0"));
        let r = c.request("GET", &target, "", b"");
        assert_eq!((r.code, r.body.as_slice()), (200, HELLO_BODY.as_bytes()));
        assert_eq!(has_cors_headers(&r), cors, "{}", r.head);
    }
    // Any method is redirected; the last hop is /hello's, which only GET and HEAD get.
    assert_eq!(c.request("POST", "/redirect/1", "", b"x").code, 302);
    assert_eq!(c.request("POST", "/redirect/0", "", b"x").code, 405);
    let r = c.request("HEAD", "/redirect/0", "", b"");
    assert_eq!(r.header("content-length").as_deref(), Some("14"));
    assert_eq!(c.request("GET", "/redirect/x", "", b"").code, 400);
    assert_eq!(c.request("GET", "/redirect/-1", "", b"").code, 400);
}

#[test]
fn gzip_sends_the_compressed_page_with_its_length() {
    let s = server();
    let mut c = Conn::new(s.addr());
    let gz = gzipped_demo_page().unwrap();
    assert!(
        gz.len() < demo_page().len(),
        "{} bytes compressed",
        gz.len()
    );
    let r = c.request("GET", "/gzip", "Accept-Encoding: identity\r\n", b"");
    assert_eq!(r.code, 200);
    assert_eq!(r.header("content-encoding").as_deref(), Some("gzip"));
    assert_eq!(r.header("content-length"), Some(gz.len().to_string()));
    assert_eq!(r.body, gz);
    let mut text = String::new();
    flate2::read::GzDecoder::new(r.body.as_slice())
        .read_to_string(&mut text)
        .unwrap();
    assert_eq!(text, demo_page());
    let r = c.request("HEAD", "/cors/gzip", "", b"");
    assert_eq!(r.header("content-length"), Some(gz.len().to_string()));
    assert!(has_cors_headers(&r), "{}", r.head);
    assert_eq!(c.request("GET", "/hello", "", b"").code, 200);
}

#[test]
fn stall_sends_half_its_length_then_holds_the_connection() {
    let s = server();
    let mut c = Conn::new(s.addr());
    c.send(b"GET /stall/100000 HTTP/1.1\r\nHost: x\r\n\r\n");
    let r = c.head();
    assert_eq!(r.code, 200);
    assert_eq!(r.header("content-length").as_deref(), Some("200000"));
    let got = c.exact(100_000);
    let mut want = vec![0u8; 100_000];
    fill_pattern(0, &mut want);
    assert!(got == want, "pattern mismatch");
    assert!(c.is_open_and_quiet(), "the server sent more or closed");
    // Dropping the server ends the connection, and nothing more came before the end.
    drop(s);
    assert_eq!(c.rest(), b"");

    let s = server();
    let mut c = Conn::new(s.addr());
    // A HEAD gets the whole head and the connection goes on.
    let r = c.request("HEAD", "/cors/stall/5", "", b"");
    assert_eq!(r.header("content-length").as_deref(), Some("10"));
    assert!(has_cors_headers(&r), "{}", r.head);
    assert_eq!(c.request("GET", "/stall/x", "", b"").code, 400);
    // 2^62 doubles to 2^63, which still fits; 2^63 would not.
    let r = c.request("HEAD", "/stall/4611686018427387904", "", b"");
    assert_eq!(
        r.header("content-length").as_deref(),
        Some("9223372036854775808")
    );
    assert_eq!(
        c.request("HEAD", "/stall/9223372036854775808", "", b"")
            .code,
        400
    );
    c.send(b"GET /cors/stall/3 HTTP/1.1\r\nHost: x\r\n\r\n");
    let r = c.head();
    assert!(has_cors_headers(&r), "{}", r.head);
    assert_eq!(c.exact(3).len(), 3);
    assert!(c.is_open_and_quiet(), "the server sent more or closed");
}

#[test]
fn never_answers_any_method() {
    let s = server();
    let mut conns = Vec::new();
    for request in [
        "GET /never HTTP/1.1\r\nHost: x\r\n\r\n",
        "POST /cors/never HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi",
    ] {
        let mut c = Conn::new(s.addr());
        c.send(request.as_bytes());
        conns.push(c);
    }
    for c in &mut conns {
        assert!(c.is_open_and_quiet(), "the server answered or closed");
        // More bytes from the client change nothing.
        c.send(b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
        assert!(c.is_open_and_quiet(), "the server answered or closed");
    }
    // Other connections are served meanwhile.
    assert_eq!(
        Conn::new(s.addr()).request("GET", "/hello", "", b"").code,
        200
    );
    drop(s);
    for c in &mut conns {
        assert_eq!(c.rest(), b"");
    }
}

/// `/held` as a number, asked on a connection of its own.
fn held(s: &DemoServer) -> usize {
    let r = Conn::new(s.addr()).request("GET", "/held", "", b"");
    assert_eq!(r.code, 200);
    let text = String::from_utf8(r.body).expect("text");
    text.trim().parse().expect("a number")
}

/// Polls `/held` until it says `n`; a bounded number of tries, each a real request.
fn until_held(s: &DemoServer, n: usize) {
    let mut now = usize::MAX;
    for _ in 0..500 {
        now = held(s);
        if now == n {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!("/held says {now}, not {n}");
}

#[test]
fn held_counts_the_responses_held_open_until_their_clients_close() {
    let s = server();
    assert_eq!(held(&s), 0);
    let mut never = Conn::new(s.addr());
    never.send(b"GET /cors/never HTTP/1.1\r\nHost: x\r\n\r\n");
    let mut stall = Conn::new(s.addr());
    stall.send(b"GET /stall/10 HTTP/1.1\r\nHost: x\r\n\r\n");
    until_held(&s, 2);
    drop(never);
    until_held(&s, 1);
    drop(stall);
    until_held(&s, 0);
}

/// A folder with a few files, removed when dropped.
struct Site(PathBuf);

impl Site {
    fn new(name: &str) -> Site {
        let dir =
            std::env::temp_dir().join(format!("pollhttp-testserver-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("pkg")).unwrap();
        for (file, body) in [
            ("index.html", b"<!DOCTYPE html><p>hi</p>\n".as_slice()),
            ("pkg/app.js", b"export default 1;\n"),
            ("pkg/app_bg.wasm", b"\0asm\x01\0\0\0"),
            ("notes.txt", b"plain\n"),
        ] {
            std::fs::write(dir.join(file), body).unwrap();
        }
        Site(dir)
    }
}

impl Drop for Site {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn site_serves_the_folder_with_types_and_nothing_outside_it() {
    let site = Site::new("site");
    let s = DemoServer::start_with_site(&site.0).unwrap();
    let mut c = Conn::new(s.addr());
    for (target, ty, body) in [
        (
            "/site/index.html",
            "text/html; charset=utf-8",
            b"<!DOCTYPE html><p>hi</p>\n".as_slice(),
        ),
        (
            "/site/pkg/app.js",
            "text/javascript; charset=utf-8",
            b"export default 1;\n",
        ),
        (
            "/site/pkg/app_bg.wasm",
            "application/wasm",
            b"\0asm\x01\0\0\0",
        ),
        ("/site/notes.txt", "application/octet-stream", b"plain\n"),
    ] {
        let r = c.request("GET", target, "", b"");
        assert_eq!(r.code, 200, "{target}");
        assert_eq!(r.header("content-type").as_deref(), Some(ty), "{target}");
        assert_eq!(r.body, body, "{target}");
        assert!(has_no_cors_header(&r), "{}", r.head);
    }
    let r = c.request("GET", "/cors/site/pkg/app.js?v=1", "", b"");
    assert_eq!(r.body, b"export default 1;\n");
    assert!(has_cors_headers(&r), "{}", r.head);
    for (target, code) in [
        ("/site/../Cargo.toml", 403),
        ("/site/pkg/../../x", 403),
        ("/site/./index.html", 403),
        ("/site/", 403),
        ("/site/missing.html", 404),
        ("/site/pkg", 404),
    ] {
        assert_eq!(c.request("GET", target, "", b"").code, code, "{target}");
    }
    assert_eq!(c.request("POST", "/site/index.html", "", b"x").code, 405);
    // Files are read on each request.
    std::fs::write(site.0.join("index.html"), b"changed\n").unwrap();
    assert_eq!(
        c.request("GET", "/site/index.html", "", b"").body,
        b"changed\n"
    );
}

#[test]
fn site_needs_a_folder() {
    let s = server();
    let mut c = Conn::new(s.addr());
    assert_eq!(c.request("GET", "/site/index.html", "", b"").code, 404);
    let site = Site::new("missing");
    assert!(DemoServer::start_with_site(site.0.join("no-such-folder")).is_err());
    assert!(DemoServer::start_with_site(site.0.join("notes.txt")).is_err());
}
