//! The tutorial's script against the demo server, natively: the lines a page would show.
#![cfg(not(target_arch = "wasm32"))]

use pollhttp_testserver::{demo_page, DemoServer, HELLO_BODY};
use pollhttp_web_demo::{Progress, Tutorial};
use std::thread;
use std::time::Duration;

/// Frames before a run counts as stuck: minutes of them, far more than a loopback fetch
/// needs, so only a script that never ends reaches it.
const MAX_FRAMES: usize = 60_000;

/// Runs the script to its end, a short sleep standing in for each frame.
fn run(port: u16, path: &str) -> (Progress, Vec<String>) {
    let mut tutorial = Tutorial::new("127.0.0.1", port, path);
    for _ in 0..MAX_FRAMES {
        match tutorial.frame() {
            Progress::Running => thread::sleep(Duration::from_millis(2)),
            end => return (end, tutorial.lines().to_vec()),
        }
    }
    panic!(
        "still running after {MAX_FRAMES} frames: {:?}",
        tutorial.lines()
    );
}

/// Splits off the leading run of `line` and returns how many there were.
fn count_leading(lines: &mut &[String], line: &str) -> usize {
    let n = lines.iter().take_while(|l| *l == line).count();
    *lines = &lines[n..];
    n
}

#[test]
fn chunked_page_prints_the_tutorials_lines() {
    let server = DemoServer::start().unwrap();
    let (end, lines) = run(server.port(), "/chunked");
    assert_eq!(end, Progress::Done, "{lines:#?}");
    let mut rest = lines.as_slice();
    assert!(count_leading(&mut rest, "Connecting...") >= 1, "{lines:#?}");
    assert!(count_leading(&mut rest, "Requesting...") >= 1, "{lines:#?}");
    let want = [
        "response? true".to_string(),
        "code: 200".to_string(),
        r#"**headers:\n{ "Server": "pollhttp-testserver", "Content-Type": "text/html; charset=utf-8", "Transfer-Encoding": "chunked", "Trailer": "X-Body-Fnv1a64" }"#.to_string(),
        "Response is Chunked!".to_string(),
        format!("bytes got: {}", demo_page().len()),
        format!("Text: {}", demo_page()),
    ];
    assert_eq!(rest, want);
}

#[test]
fn length_delimited_body_prints_its_length() {
    let server = DemoServer::start().unwrap();
    let (end, lines) = run(server.port(), "/hello");
    assert_eq!(end, Progress::Done, "{lines:#?}");
    let tail = &lines[lines.len() - 5..];
    assert_eq!(tail[0], "code: 200");
    assert_eq!(tail[2], "Response Length: 14");
    assert_eq!(tail[3], "bytes got: 14");
    assert_eq!(tail[4], format!("Text: {HELLO_BODY}"));
}

#[test]
fn a_bodiless_response_ends_after_its_head() {
    let server = DemoServer::start().unwrap();
    let (end, lines) = run(server.port(), "/status/204");
    assert_eq!(end, Progress::Done, "{lines:#?}");
    let tail = &lines[lines.len() - 5..];
    assert_eq!(tail[0], "code: 204");
    assert_eq!(tail[2], "Response Length: 0");
    assert_eq!(tail[3], "bytes got: 0");
    assert_eq!(tail[4], "Text: ");
    // A finished script stays finished.
    let mut t = Tutorial::new("127.0.0.1", server.port(), "/status/204");
    while t.frame() == Progress::Running {}
    let printed = t.lines().len();
    assert_eq!(t.frame(), Progress::Done);
    assert_eq!(t.lines().len(), printed);
}

#[test]
fn a_refused_connection_fails_like_the_tutorials_assert() {
    // A port that was just listened on and is closed again refuses connections.
    let port = {
        let server = DemoServer::start().unwrap();
        server.port()
    };
    let (end, lines) = run(port, "/chunked");
    match end {
        Progress::Failed(why) => {
            assert!(why.starts_with("expected STATUS_CONNECTED, got "), "{why}")
        }
        other => panic!("{other:?}: {lines:#?}"),
    }
    assert!(lines.iter().all(|l| l == "Connecting..."), "{lines:#?}");
}

#[test]
fn each_frame_prints_at_most_one_waiting_line() {
    // The script awaits a frame after every "Connecting..." and "Requesting...", so a
    // frame adds one of those lines or none, never two.
    let server = DemoServer::start().unwrap();
    let mut t = Tutorial::new("127.0.0.1", server.port(), "/slow");
    let mut before = 0;
    for _ in 0..MAX_FRAMES {
        let end = t.frame();
        let new = &t.lines()[before..];
        let waiting = new
            .iter()
            .filter(|l| *l == "Connecting..." || *l == "Requesting...")
            .count();
        assert!(waiting <= 1, "{new:?}");
        before = t.lines().len();
        if end != Progress::Running {
            assert_eq!(end, Progress::Done);
            return;
        }
        thread::sleep(Duration::from_millis(2));
    }
    panic!("still running after {MAX_FRAMES} frames");
}
