//! Timeouts on real loopback connections, with the time given by a `ManualClock`: every
//! limit is crossed by moving the clock, never by waiting.

mod common;

use common::poll_while;
use pollhttp::{Clock, HttpClient, ManualClock, Method, Poller, Status, TimeoutPhase, Timeouts};
use pollhttp_testserver::{ScriptedServer, Step};
use std::time::Duration;

/// Reads the request, says nothing, and waits for the client to close.
fn silent_server() -> ScriptedServer {
    ScriptedServer::start(vec![vec![Step::ReadHead, Step::ExpectClose]])
}

/// Connects `c` (with its clock already set) to 127.0.0.1:`port`.
fn connect_with(c: &mut HttpClient, port: u16) {
    c.connect_to_host("127.0.0.1", Some(port), None).unwrap();
    poll_while(c, &[Status::Resolving, Status::Connecting]);
    assert_eq!(c.status(), Status::Connected);
}

#[test]
fn response_head_expires_when_the_clock_says_so() {
    let server = silent_server();
    let clock = ManualClock::new();
    let mut c = HttpClient::new();
    c.set_clock(clock.clone());
    c.set_timeouts(Timeouts {
        response_head: Some(Duration::from_secs(120)),
        idle: None,
        ..Timeouts::default()
    });
    connect_with(&mut c, server.port());
    c.request(Method::Get, "/", &[], "").unwrap();
    c.poll().unwrap();
    assert_eq!(c.status(), Status::Requesting);
    let deadline = c.next_deadline().expect("the head clock runs");
    assert_eq!(deadline - clock.now(), Duration::from_secs(120));

    clock.advance(Duration::from_secs(120) - Duration::from_nanos(1));
    c.poll().unwrap();
    assert_eq!(c.status(), Status::Requesting, "one nanosecond early");
    clock.advance(Duration::from_nanos(1));
    assert!(c.poll().is_err());
    assert_eq!(c.status(), Status::ConnectionError);
    assert_eq!(
        c.last_error().unwrap().timeout_phase(),
        Some(TimeoutPhase::ResponseHead)
    );
    drop(c);
    server.finish();
}

#[test]
fn poller_reports_a_client_at_its_virtual_deadline() {
    let server = silent_server();
    let clock = ManualClock::new();
    let mut poller = Poller::new().unwrap();
    poller.set_clock(clock.clone());
    let mut c = HttpClient::new();
    c.set_clock(clock.clone());
    c.set_timeouts(Timeouts {
        idle: Some(Duration::from_secs(5)),
        ..Timeouts::default()
    });
    connect_with(&mut c, server.port());
    c.request(Method::Get, "/", &[], "").unwrap();
    c.poll().unwrap();
    assert_eq!(c.status(), Status::Requesting);
    let token = poller.register(&c).unwrap();
    let mut ready = Vec::new();
    poller.poll(&mut ready, Some(Duration::ZERO)).unwrap();
    assert!(ready.is_empty(), "nothing is due yet: {ready:?}");
    clock.advance(Duration::from_secs(5));
    poller.poll(&mut ready, Some(Duration::ZERO)).unwrap();
    assert_eq!(ready, vec![token]);
    assert!(c.poll().is_err());
    assert_eq!(
        c.last_error().unwrap().timeout_phase(),
        Some(TimeoutPhase::Idle)
    );
    drop(c);
    server.finish();
}

#[test]
fn poller_ticks_for_a_resolving_client_while_the_clock_stands_still() {
    // The tick that reports clients with no socket to watch is a real-time cadence.
    let clock = ManualClock::new();
    let mut poller = Poller::new().unwrap();
    poller.set_clock(clock.clone());
    let mut c = HttpClient::new();
    c.set_clock(clock);
    c.connect_to_host("localhost", Some(9), None).unwrap();
    assert_eq!(c.status(), Status::Resolving);
    let token = poller.register(&c).unwrap();
    let mut ready = Vec::new();
    let start = std::time::Instant::now();
    while ready.is_empty() && start.elapsed() < Duration::from_secs(5) {
        poller
            .poll(&mut ready, Some(Duration::from_millis(50)))
            .unwrap();
    }
    assert_eq!(ready, vec![token], "never reported while resolving");
}

#[test]
fn poller_timeout_is_real_time_while_the_clock_stands_still() {
    // A client deadline 30 ms ahead on a clock that never moves: the caller's 100 ms
    // timeout still ends the call.
    let server = silent_server();
    let clock = ManualClock::new();
    let mut poller = Poller::new().unwrap();
    poller.set_clock(clock.clone());
    let mut c = HttpClient::new();
    c.set_clock(clock);
    c.set_timeouts(Timeouts {
        response_head: Some(Duration::from_millis(30)),
        ..Timeouts::default()
    });
    connect_with(&mut c, server.port());
    c.request(Method::Get, "/", &[], "").unwrap();
    c.poll().unwrap();
    poller.register(&c).unwrap();
    let (done, returned) = std::sync::mpsc::channel();
    let waiter = std::thread::spawn(move || {
        let mut ready = Vec::new();
        poller
            .poll(&mut ready, Some(Duration::from_millis(100)))
            .unwrap();
        let _ = done.send(ready);
        poller
    });
    let ready = returned
        .recv_timeout(Duration::from_secs(10))
        .expect("poll() returned within its timeout");
    assert!(ready.is_empty(), "nothing is due on the clock: {ready:?}");
    drop(waiter.join().unwrap());
    drop(c);
    server.finish();
}
