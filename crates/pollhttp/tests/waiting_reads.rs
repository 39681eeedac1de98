//! Reads that wait (blocking mode, and `wait()` while a response is due) on a connection
//! used for many exchanges, where the socket waits and reads in one system call: answers,
//! timeouts and resets must come out exactly as on a fresh connection.

use pollhttp::{HttpClient, Method, Reason, Status, TimeoutPhase, Timeouts};
use pollhttp_testserver::{response, ScriptedServer, Step};
use std::io::ErrorKind;
use std::time::Duration;

/// Exchanges before the fault: more than a connection needs to switch its reads.
const WARM_EXCHANGES: usize = 6;

/// A keep-alive connection serving `WARM_EXCHANGES` answers (`body-0`, `body-1`, ...),
/// then `fault` for the next request.
fn warm_then(fault: Vec<Step>) -> ScriptedServer {
    let mut steps = Vec::new();
    for i in 0..WARM_EXCHANGES {
        steps.push(Step::ReadHead);
        // The answer comes late, so that each read has to wait for it.
        steps.push(Step::Sleep(Duration::from_millis(5)));
        steps.push(Step::Send(response(
            200,
            &[],
            format!("body-{i}").as_bytes(),
        )));
    }
    steps.extend(fault);
    ScriptedServer::start(vec![steps])
}

fn client(server: &ScriptedServer, blocking: bool, timeouts: Timeouts) -> HttpClient {
    let mut c = HttpClient::new();
    c.set_blocking_mode(blocking);
    c.set_timeouts(timeouts);
    c.connect_to_host("127.0.0.1", Some(server.port()), None)
        .unwrap();
    while matches!(c.status(), Status::Resolving | Status::Connecting) {
        c.poll().unwrap();
        c.wait(Some(Duration::from_millis(100))).unwrap();
    }
    assert_eq!(c.status(), Status::Connected, "{:?}", c.last_error());
    c
}

/// Sends a GET and drives the client until the head is in (or it failed), waiting with
/// `wait()` between polls as a caller's loop does.
fn get(c: &mut HttpClient) {
    c.request(Method::Get, "/", &[] as &[&str], "").unwrap();
    for _ in 0..10_000 {
        let _ = c.poll();
        if c.status() != Status::Requesting {
            return;
        }
        c.wait(None).unwrap();
    }
    panic!("the head never came: {:?}", c.status());
}

fn body(c: &mut HttpClient) -> Vec<u8> {
    let mut out = Vec::new();
    let mut buf = [0u8; 256];
    for _ in 0..10_000 {
        if c.status() != Status::Body {
            return out;
        }
        match c.read_response_body_into(&mut buf) {
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(_) => return out,
        }
        if c.status() == Status::Body {
            c.wait(None).unwrap();
        }
    }
    panic!("the body never ended");
}

fn warm_up(c: &mut HttpClient) {
    for i in 0..WARM_EXCHANGES {
        get(c);
        assert_eq!(c.response_code(), 200, "{:?}", c.last_error());
        assert_eq!(body(c), format!("body-{i}").as_bytes());
        assert_eq!(c.status(), Status::Connected, "{:?}", c.last_error());
    }
}

/// Serves the warm-up exchanges, then sends one more request that meets `fault`; the
/// client is left where that request ended, and the reason it failed (if it did).
fn request_meeting(
    fault: Vec<Step>,
    blocking: bool,
    timeouts: Timeouts,
) -> (HttpClient, ScriptedServer, Option<Reason>) {
    let server = warm_then(fault);
    let mut c = client(&server, blocking, timeouts);
    warm_up(&mut c);
    get(&mut c);
    let reason = c.last_error().map(|e| e.reason().clone());
    (c, server, reason)
}

fn head_timeout(ms: u64) -> Timeouts {
    Timeouts {
        response_head: Some(Duration::from_millis(ms)),
        ..Timeouts::default()
    }
}

#[test]
fn a_late_head_after_many_exchanges_times_out_in_both_modes() {
    // 1.5 s is long enough that a blocking socket read may wait a whole receive slice
    // before the rest of the wait goes through poll(2).
    for (blocking, ms) in [(true, 300), (false, 300), (true, 1500)] {
        let fault = vec![Step::ReadHead, Step::Sleep(Duration::from_millis(ms + 700))];
        let (c, server, reason) = request_meeting(fault, blocking, head_timeout(ms));
        assert_eq!(c.status(), Status::ConnectionError, "blocking {blocking}");
        assert_eq!(
            reason,
            Some(Reason::Timeout {
                phase: TimeoutPhase::ResponseHead,
                after: Duration::from_millis(ms),
            }),
            "blocking {blocking}, {ms} ms"
        );
        drop(c);
        let _ = server.finish_with_errors();
    }
}

#[test]
fn a_stalled_body_after_many_exchanges_hits_the_idle_timeout() {
    for blocking in [true, false] {
        let fault = vec![
            Step::ReadHead,
            Step::Send(b"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nsome".to_vec()),
            Step::Sleep(Duration::from_secs(1)),
        ];
        let idle = Duration::from_millis(300);
        let timeouts = Timeouts {
            idle: Some(idle),
            ..Timeouts::default()
        };
        let (mut c, server, reason) = request_meeting(fault, blocking, timeouts);
        assert_eq!(c.status(), Status::Body, "{reason:?}");
        let got = body(&mut c);
        assert_eq!(got, b"some", "blocking {blocking}");
        assert_eq!(c.status(), Status::ConnectionError);
        assert_eq!(
            c.last_error().map(|e| e.reason().clone()),
            Some(Reason::Timeout {
                phase: TimeoutPhase::Idle,
                after: idle,
            }),
            "blocking {blocking}"
        );
        drop(c);
        let _ = server.finish_with_errors();
    }
}

#[test]
fn a_reset_or_close_while_waiting_for_the_head_is_reported_by_poll() {
    for blocking in [true, false] {
        for end in [Step::Reset, Step::Close] {
            let reset = matches!(end, Step::Reset);
            let fault = vec![Step::ReadHead, Step::Sleep(Duration::from_millis(50)), end];
            let (c, server, reason) = request_meeting(fault, blocking, Timeouts::default());
            assert_eq!(c.status(), Status::ConnectionError, "blocking {blocking}");
            let expected = if reset {
                matches!(&reason, Some(Reason::Io(e)) if e.kind() == ErrorKind::ConnectionReset)
            } else {
                matches!(reason, Some(Reason::Protocol(_) | Reason::PeerClosed(_)))
            };
            assert!(expected, "blocking {blocking}, reset {reset}: {reason:?}");
            drop(c);
            let _ = server.finish_with_errors();
        }
    }
}

#[test]
fn a_large_body_after_many_exchanges_arrives_whole_in_blocking_mode() {
    let big: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    let server = warm_then(vec![
        Step::ReadHead,
        Step::SendPaced {
            bytes: response(200, &[], &big),
            piece: 70_000,
            delay: Duration::from_millis(3),
        },
        Step::ExpectClose,
    ]);
    let mut c = client(&server, true, Timeouts::default());
    warm_up(&mut c);
    get(&mut c);
    assert_eq!(c.status(), Status::Body);
    let mut got = Vec::new();
    let mut buf = vec![0u8; 100_000];
    while c.status() == Status::Body {
        let n = c.read_response_body_into(&mut buf).unwrap();
        got.extend_from_slice(&buf[..n]);
    }
    assert_eq!(got.len(), big.len());
    assert!(got == big, "the body arrived changed");
    assert_eq!(c.status(), Status::Connected);
    c.close();
    server.finish();
}
