use super::*;
use crate::{Interest, StreamPeer};

/// A stream with no descriptor: the poller can only look at it on its tick.
struct NoFd;

impl StreamPeer for NoFd {
    fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
        Err(io::ErrorKind::WouldBlock.into())
    }
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        Ok(buf.len())
    }
}

#[cfg(unix)]
#[test]
fn token_survives_the_trip_through_mio() {
    let t = Token {
        index: 123_456,
        // Near the top of the generations this target's tokens have room for.
        generation: Token::next_generation(u32::MAX - 2),
    };
    assert_eq!(Token::from_mio(t.to_mio()), t);
    assert_eq!(t.index(), 123_456);
}

#[test]
fn disconnected_client_is_never_reported() {
    let mut poller = Poller::new().unwrap();
    let client = HttpClient::new();
    let token = poller.register(&client).unwrap();
    assert_eq!(poller.slots[token.index()].watch, Watch::Parked);
    let mut ready = vec![token];
    poller
        .poll(&mut ready, Some(Duration::from_millis(20)))
        .unwrap();
    assert!(ready.is_empty());
    assert_eq!(poller.len(), 1);
}

#[test]
fn stream_without_descriptor_is_reported_on_the_tick() {
    let mut poller = Poller::new().unwrap();
    let mut client = HttpClient::new();
    client.set_connection(Box::new(NoFd));
    let token = poller.register(&client).unwrap();
    assert_eq!(poller.slots[token.index()].watch, Watch::Tick);
    let mut ready = Vec::new();
    let mut reports = 0;
    for _ in 0..100 {
        // The tick caps the wait, whatever the caller's timeout (here none).
        poller.poll(&mut ready, None).unwrap();
        assert!(ready.iter().all(|&t| t == token));
        reports += ready.len();
        if reports == 3 {
            break;
        }
    }
    assert_eq!(reports, 3);
    // Once closed, the client has nothing to wait for and leaves the tick list.
    client.close();
    poller.update(token, &client).unwrap();
    assert!(poller.ticking.is_empty());
    poller.deregister(token).unwrap();
    assert!(poller.is_empty());
}

#[test]
fn tick_list_removal_keeps_positions_right() {
    let mut poller = Poller::new().unwrap();
    let mut clients: Vec<HttpClient> = (0..4)
        .map(|_| {
            let mut c = HttpClient::new();
            c.set_connection(Box::new(NoFd));
            c
        })
        .collect();
    let tokens: Vec<Token> = clients
        .iter()
        .map(|c| poller.register(c).unwrap())
        .collect();
    poller.deregister(tokens[0]).unwrap();
    clients[2].close();
    poller.update(tokens[2], &clients[2]).unwrap();
    let mut left: Vec<u32> = poller.ticking.clone();
    left.sort_unstable();
    assert_eq!(left, [1, 3]);
    for &i in &poller.ticking {
        assert_eq!(poller.ticking[poller.slots[i as usize].tick_pos], i);
    }
}

/// What the slot of `token` is watched for by the system's part.
fn registered(poller: &Poller, token: Token) -> Option<Interest> {
    poller.readiness.registered_interest(token.index)
}

/// On Unix the connect's registration (edge-triggered) covers the first request and
/// response, saving a re-registration per connection; on Windows each `WSAPoll` asks for
/// exactly what the client waits for (level-triggered: a wider request would report a
/// writable socket at once). Either way the response is reported.
#[test]
fn the_connect_registration_covers_the_first_request() {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        let (mut buf, mut got) = ([0u8; 1024], Vec::new());
        while !got.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = Read::read(&mut s, &mut buf).unwrap();
            assert!(n > 0, "the request never came");
            got.extend_from_slice(&buf[..n]);
        }
        s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi")
            .unwrap();
        // Until the client closes.
        while Read::read(&mut s, &mut buf).is_ok_and(|n| n > 0) {}
    });
    let mut poller = Poller::new().unwrap();
    let mut c = HttpClient::new();
    c.connect_to_host("127.0.0.1", Some(port), None).unwrap();
    let token = poller.register(&c).unwrap();
    assert_eq!(poller.slots[token.index()].watch, Watch::Socket);
    // Connecting waits to write; on Unix the registration covers reading too.
    let connect = if cfg!(unix) {
        Interest::ReadWrite
    } else {
        Interest::Write
    };
    assert_eq!(c.interest(), Some(Interest::Write));
    assert_eq!(registered(&poller, token), Some(connect));
    let mut ready = Vec::new();
    poller
        .poll(&mut ready, Some(Duration::from_secs(30)))
        .unwrap();
    assert_eq!(ready, [token]);
    c.poll().unwrap();
    assert_eq!(c.status(), Status::Connected);
    c.request(crate::Method::Get, "/", &[] as &[&str], "")
        .unwrap();
    poller.update(token, &c).unwrap();
    // Waiting to read now: on Unix the registration is kept as it was (no re-arm).
    assert_eq!(c.interest(), Some(Interest::Read));
    let request = if cfg!(unix) {
        Interest::ReadWrite
    } else {
        Interest::Read
    };
    assert_eq!(registered(&poller, token), Some(request));
    // And the response is reported through it.
    let mut body = Vec::new();
    let mut piece = [0u8; 16];
    for _ in 0..100 {
        if c.status() == Status::Connected && !body.is_empty() {
            break;
        }
        poller
            .poll(&mut ready, Some(Duration::from_secs(30)))
            .unwrap();
        assert_eq!(ready, [token], "the response was not reported");
        c.poll().unwrap();
        while c.status() == Status::Body {
            let n = c.read_response_body_into(&mut piece).unwrap();
            if n == 0 {
                break;
            }
            body.extend_from_slice(&piece[..n]);
        }
        poller.update(token, &c).unwrap();
    }
    assert_eq!(body, b"hi");
    assert_eq!(c.status(), Status::Connected);
    drop(c);
    server.join().unwrap();
}

/// A loopback server that accepts one connection and never answers; it holds the socket
/// until the client closes it.
fn silent_server() -> (u16, std::thread::JoinHandle<()>) {
    use std::io::Read;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        let mut buf = [0u8; 1024];
        while Read::read(&mut s, &mut buf).is_ok_and(|n| n > 0) {}
    });
    (port, server)
}

/// The response-head limit of [`client_waiting_for_head`], on a manual clock: no real wait
/// in these tests comes near it, so it expires only when a test moves the clock.
const HEAD: Duration = Duration::from_secs(60);
const NS: Duration = Duration::from_nanos(1);

/// A poller and a clock it shares with the clients of the test.
fn poller_on_manual_clock() -> (Poller, crate::ManualClock) {
    let clock = crate::ManualClock::new();
    let mut poller = Poller::new().unwrap();
    poller.set_clock(clock.clone());
    (poller, clock)
}

/// Moves `clock` forward to `at`.
fn advance_to(clock: &crate::ManualClock, at: Instant) {
    use crate::Clock;
    clock.advance(at.saturating_duration_since(clock.now()));
}

/// A client on `clock` with a [`HEAD`] response-head limit, connected to `port` through
/// `poller` (driven only by its reports) and with its request sent.
fn client_waiting_for_head(
    poller: &mut Poller,
    clock: &crate::ManualClock,
    port: u16,
) -> (HttpClient, Token) {
    let mut c = HttpClient::new();
    c.set_clock(clock.clone());
    c.set_timeouts(crate::Timeouts {
        response_head: Some(HEAD),
        ..crate::Timeouts::default()
    });
    c.connect_to_host("127.0.0.1", Some(port), None).unwrap();
    let token = poller.register(&c).unwrap();
    let mut ready = Vec::new();
    while c.status() != Status::Connected {
        poller.poll(&mut ready, None).unwrap();
        if ready.contains(&token) {
            c.poll().unwrap();
            poller.update(token, &c).unwrap();
        }
    }
    c.request(crate::Method::Get, "/", &[] as &[&str], "")
        .unwrap();
    assert_eq!(c.status(), Status::Requesting);
    poller.update(token, &c).unwrap();
    assert!(c.next_deadline().is_some());
    (c, token)
}

/// Runs `f` on its own thread and fails if it has not finished within 10 s: `poll(None)`
/// that is never woken would otherwise hang the test.
fn within_guard<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(Duration::from_secs(10))
        .expect("poll was not woken by the client's deadline")
}

#[test]
fn silent_server_is_reported_when_the_head_timeout_expires() {
    use crate::Clock;
    let (port, server) = silent_server();
    let (status, phase) = within_guard(move || {
        let (mut poller, clock) = poller_on_manual_clock();
        let (mut c, token) = client_waiting_for_head(&mut poller, &clock, port);
        let deadline = c.next_deadline().unwrap();
        assert_eq!(deadline, clock.now() + HEAD);
        assert_eq!(poller.deadlines.first(), Some(deadline));
        let mut ready = Vec::new();
        advance_to(&clock, deadline - NS);
        // Whatever the poller reports now (the socket's readiness, if any), the client
        // has nothing to fail for yet.
        poller.poll(&mut ready, Some(Duration::ZERO)).unwrap();
        assert!(ready.iter().all(|&t| t == token));
        if !ready.is_empty() {
            c.poll().unwrap();
            poller.update(token, &c).unwrap();
        }
        assert_eq!(c.status(), Status::Requesting, "one nanosecond early");
        assert_eq!(poller.deadlines.first(), Some(deadline));
        clock.advance(NS);
        // No timeout of its own: only the passed deadline ends this poll.
        poller.poll(&mut ready, None).unwrap();
        assert_eq!(ready, [token]);
        assert!(c.poll().is_err());
        poller.update(token, &c).unwrap();
        // Failed for good: nothing left to wait for, no deadline kept.
        assert_eq!(poller.deadlines.len(), 0);
        assert_eq!(poller.deadlines.first(), None);
        let phase = c.last_error().unwrap().timeout_phase();
        (c.status(), phase)
    });
    assert_eq!(status, Status::ConnectionError);
    assert_eq!(phase, Some(crate::TimeoutPhase::ResponseHead));
    server.join().unwrap();
}

#[test]
fn deregistered_client_deadline_does_not_wake_poll() {
    let (port, server) = silent_server();
    let (mut poller, clock) = poller_on_manual_clock();
    let (c, token) = client_waiting_for_head(&mut poller, &clock, port);
    let deadline = c.next_deadline().unwrap();
    assert_eq!(poller.deadlines.len(), 1);
    poller.deregister(token).unwrap();
    assert_eq!(poller.deadlines.len(), 0);
    // The entry is stale: not a limit on the wait any more.
    assert_eq!(poller.deadlines.first(), None);
    // A new client in the same slot, with no clock running, does not inherit it.
    let other = HttpClient::new();
    let reused = poller.register(&other).unwrap();
    assert_eq!(reused.index(), token.index());
    let mut ready = Vec::new();
    // At and past the old client's deadline.
    for at in [deadline, deadline + HEAD] {
        advance_to(&clock, at);
        poller.poll(&mut ready, Some(Duration::ZERO)).unwrap();
        assert!(ready.is_empty(), "reported {ready:?}");
    }
    assert_eq!(poller.deadlines.entries(), 0);
    drop(c);
    server.join().unwrap();
}

#[test]
fn deadline_moved_later_is_reported_at_its_new_instant_only() {
    use crate::Clock;
    let (early, on_the_eve, late) = within_guard(|| {
        let (mut poller, clock) = poller_on_manual_clock();
        let token = poller.register(&HttpClient::new()).unwrap();
        // Far apart on the clock, and far beyond the guard in real time.
        let start = clock.now();
        poller
            .deadlines
            .set(token.index, Some(start + Duration::from_secs(20)));
        let moved = start + Duration::from_secs(600);
        poller.deadlines.set(token.index, Some(moved));
        let mut ready = Vec::new();
        // Past the first instant, which the queue still holds as a lower bound: nothing
        // is reported, and the caller's timeout still ends the call.
        advance_to(&clock, start + Duration::from_secs(100));
        poller
            .poll(&mut ready, Some(Duration::from_millis(20)))
            .unwrap();
        let early = ready.clone();
        advance_to(&clock, moved - NS);
        poller.poll(&mut ready, Some(Duration::ZERO)).unwrap();
        let on_the_eve = ready.clone();
        // With no timeout of its own, the poll ends at the moved deadline.
        clock.advance(NS);
        poller.poll(&mut ready, None).unwrap();
        (early, on_the_eve, ready)
    });
    assert!(early.is_empty(), "reported early: {early:?}");
    assert!(on_the_eve.is_empty(), "reported one nanosecond early");
    assert_eq!(late.len(), 1);
}

#[test]
fn passed_deadline_is_reported_without_waiting_once() {
    use crate::Clock;
    let (mut poller, token, ready) = within_guard(|| {
        let (mut poller, clock) = poller_on_manual_clock();
        let token = poller.register(&HttpClient::new()).unwrap();
        // An hour ahead of the system's clock: only the poller's clock says it has passed.
        clock.advance(Duration::from_secs(3600));
        poller.deadlines.set(token.index, Some(clock.now()));
        let mut ready = Vec::new();
        // The caller's timeout is an hour: the passed deadline must cut it short.
        poller
            .poll(&mut ready, Some(Duration::from_secs(3600)))
            .unwrap();
        (poller, token, ready)
    });
    assert_eq!(ready, [token]);
    let mut ready = Vec::new();
    // Reported once; the next `update` records the client's next deadline (here none).
    poller.poll(&mut ready, Some(Duration::ZERO)).unwrap();
    assert!(ready.is_empty());
    poller.update(token, &HttpClient::new()).unwrap();
    assert_eq!(poller.deadlines.len(), 0);
}
