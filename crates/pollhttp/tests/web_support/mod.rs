//! What the browser tests share: the demo server's address, a frame that gives control
//! back to the browser, and loops that poll once per frame.
#![allow(dead_code)]

use pollhttp::{HttpClient, HttpRequest, Status};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// The most frames a test waits for anything: about 10 s of `setTimeout(0)` turns, far
/// more than a loopback answer takes, so a client that never gets there fails the test.
pub const MAX_FRAMES: usize = 5_000;

/// `http://127.0.0.1:PORT` of the demo server.
pub fn server() -> &'static str {
    env!(
        "POLLHTTP_WEB_SERVER",
        "run the browser tests with scripts/web/test.sh, which starts the server and sets it"
    )
}

pub fn port() -> u16 {
    let port = server().rsplit(':').next().and_then(|p| p.parse().ok());
    port.expect("POLLHTTP_WEB_SERVER ends in :PORT")
}

/// Gives control back to the browser for one turn of its event loop, as a game's frame
/// does: promises settle only then.
pub async fn frame() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let global = js_sys::global().unchecked_into::<web_sys::Window>();
        global
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0)
            .expect("setTimeout");
    });
    JsFuture::from(promise)
        .await
        .expect("a timer does not fail");
}

/// Polls until the status leaves `during`, one poll per frame.
pub async fn poll_while(http: &mut HttpClient, during: Status) -> Status {
    for _ in 0..MAX_FRAMES {
        if http.status() != during {
            return http.status();
        }
        let _ = http.poll();
        frame().await;
    }
    panic!("still {during} after {MAX_FRAMES} frames");
}

/// Connects to the demo server by name and polls to CONNECTED.
pub async fn connected() -> HttpClient {
    let mut http = HttpClient::new();
    http.connect_to_host("localhost", Some(port()), None)
        .expect("connect_to_host");
    assert_eq!(http.status(), Status::Resolving);
    http.poll().expect("poll");
    assert_eq!(http.status(), Status::Connecting);
    http.poll().expect("poll");
    assert_eq!(http.status(), Status::Connected);
    http
}

/// Reads the body to its end, one `read_response_body_chunk` per frame; returns the
/// pieces.
pub async fn read_body(http: &mut HttpClient) -> Vec<Vec<u8>> {
    let mut pieces = Vec::new();
    for _ in 0..MAX_FRAMES {
        if http.status() != Status::Body {
            return pieces;
        }
        let chunk = http.read_response_body_chunk();
        if chunk.is_empty() {
            frame().await;
        } else {
            pieces.push(chunk);
        }
    }
    panic!("the body did not end within {MAX_FRAMES} frames");
}

/// Runs an `HttpRequest` to its completion, one poll per frame.
pub async fn complete(http: &mut HttpRequest) -> pollhttp::Completion {
    for _ in 0..MAX_FRAMES {
        if let Some(done) = http.poll() {
            return done;
        }
        frame().await;
    }
    panic!("no completion within {MAX_FRAMES} frames");
}

/// The demo server's `/bytes/N` pattern (`pollhttp_testserver::pattern_byte`).
pub fn pattern_byte(offset: u64) -> u8 {
    let i = offset % 65_521;
    (i.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 56) as u8
}

/// The body of a GET of `path` on the demo server, as text.
pub async fn get_text(path: &str) -> String {
    let mut http = connected().await;
    http.request(pollhttp::Method::Get, path, &[], "")
        .expect("request");
    poll_while(&mut http, Status::Requesting).await;
    assert_eq!(http.response_code(), 200, "{path}");
    String::from_utf8(read_body(&mut http).await.concat()).expect("text")
}

/// How many `/never` and `/stall/N` responses the demo server holds open.
pub async fn held() -> usize {
    let text = get_text("/cors/held").await;
    text.trim().parse().expect("/held gives a number")
}

/// Waits until the demo server holds `n` responses open: how a test sees an abort reach
/// the server (the browser closes the connection of an aborted HTTP/1.1 fetch).
pub async fn until_held(n: usize) {
    let mut now = usize::MAX;
    for _ in 0..200 {
        now = held().await;
        if now == n {
            return;
        }
        frame().await;
    }
    panic!("the server still holds {now} responses open, not {n}");
}
