//! Happy Eyeballs over real loopback sockets: a dead first address (a [`BlackHole`],
//! whose SYNs are never answered) costs one attempt delay, not a connect timeout; the
//! families are interleaved; refused addresses are skipped at once; the losers' sockets
//! are closed; `wait()`, the `Poller` and a caller's own poller on `raw_fd()` see every
//! attempt. Time is a `ManualClock` wherever the clock decides; where the network does,
//! the tests look at which address won and at the list of attempts, not at the time.

mod common;

use common::{poll_while, read_body};
use pollhttp::{
    AttemptOutcome, Clock, ConnectAttempt, HttpClient, HttpRequest, HttpRequestResult, ManualClock,
    Method, StaticResolver, Status, TimeoutPhase, Timeouts,
};
use pollhttp::{Poller, ResolveHandle, Resolver};
use pollhttp_testserver::{BlackHole, DemoServer, HELLO_BODY};
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const DELAY: Duration = Timeouts::DEFAULT_ATTEMPT_DELAY;
/// Only there so that a broken test ends instead of hanging.
const GUARD: Duration = Duration::from_secs(30);

/// An address that never answers, checked; the test fails here, saying why, on a system
/// where a full accept queue does not drop SYNs.
fn black_hole(addr: &str) -> BlackHole {
    let hole = BlackHole::bind(addr.parse().unwrap())
        .unwrap_or_else(|e| panic!("cannot make an unanswered address on {addr}: {e}"));
    hole.verify().unwrap_or_else(|e| panic!("{e}"));
    hole
}

/// A loopback address with nothing listening.
fn refused() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

/// A client asking `addrs` (in this order) for the name `dual.test`.
fn client_for(addrs: &[SocketAddr]) -> HttpClient {
    let mut c = HttpClient::new();
    c.set_resolver(Arc::new(
        StaticResolver::new().with_addrs("dual.test", addrs.iter().copied()),
    ));
    c
}

fn outcomes(c: &HttpClient) -> Vec<(SocketAddr, AttemptOutcome)> {
    c.connect_attempts()
        .iter()
        .map(|a| (a.addr, a.outcome.clone()))
        .collect()
}

/// Polls (waiting on the sockets for real, the manual clock standing still) until the
/// client leaves `states`.
fn settle(c: &mut HttpClient, states: &[Status]) {
    let end = Instant::now() + GUARD;
    while states.contains(&c.status()) {
        assert!(Instant::now() < end, "stuck in {:?}", c.status());
        let _ = c.poll();
        if states.contains(&c.status()) {
            c.wait(Some(Duration::from_millis(20))).unwrap();
        }
    }
}

/// GETs /hello on a connected client and checks the answer.
fn hello(c: &mut HttpClient) {
    c.request(Method::Get, "/hello", &[], "").unwrap();
    poll_while(c, &[Status::Requesting]);
    assert_eq!(c.response_code(), 200);
    let (body, _) = read_body(c);
    assert_eq!(body, HELLO_BODY.as_bytes());
}

#[test]
fn a_dead_first_address_costs_one_attempt_delay() {
    let hole = black_hole("127.0.0.1:0");
    let server = DemoServer::start().unwrap();
    let clock = ManualClock::new();
    let mut c = client_for(&[hole.addr(), server.addr()]);
    c.set_clock(clock.clone());
    let t0 = clock.now();
    c.connect_to_host("dual.test", Some(80), None).unwrap();
    assert_eq!(c.status(), Status::Resolving);
    c.poll().unwrap();
    assert_eq!(c.status(), Status::Connecting);
    // The dead address does not answer, however long the sockets are watched...
    for _ in 0..3 {
        c.wait(Some(Duration::from_millis(20))).unwrap();
        c.poll().unwrap();
    }
    assert_eq!(c.status(), Status::Connecting);
    assert_eq!(outcomes(&c), vec![(hole.addr(), AttemptOutcome::Pending)]);
    assert_eq!(pollhttp_testserver::syn_sent_to(hole.addr()), 1);
    // ...and the next address is due one attempt delay after the first started.
    assert_eq!(c.next_deadline(), Some(t0 + DELAY));
    clock.advance(DELAY);
    settle(&mut c, &[Status::Connecting]);
    assert_eq!(c.status(), Status::Connected, "{:?}", c.last_error());
    assert_eq!(
        clock.now() - t0,
        DELAY,
        "the exchange took one attempt delay"
    );
    assert_eq!(
        outcomes(&c),
        vec![
            (hole.addr(), AttemptOutcome::Abandoned),
            (server.addr(), AttemptOutcome::Connected)
        ]
    );
    let started: Vec<Instant> = c.connect_attempts().iter().map(|a| a.started).collect();
    assert_eq!(started, vec![t0, t0 + DELAY]);
    // The loser's socket is closed: nothing of this process is connecting there any more.
    assert_eq!(pollhttp_testserver::syn_sent_to(hole.addr()), 0);
    hello(&mut c);
    // The list stays with the connection.
    assert_eq!(c.connect_attempts().len(), 2);
}

#[test]
fn families_are_interleaved_so_a_dead_ipv6_route_costs_one_delay() {
    // Two dead IPv6 addresses first, as a resolver preferring IPv6 on a host whose IPv6
    // route drops everything would answer: the second attempt is the IPv4 address.
    let dead1 = black_hole("[::1]:0");
    let dead2 = black_hole("[::1]:0");
    let server = DemoServer::start().unwrap();
    let clock = ManualClock::new();
    let mut c = client_for(&[dead1.addr(), dead2.addr(), server.addr()]);
    c.set_clock(clock.clone());
    c.connect_to_host("dual.test", Some(80), None).unwrap();
    c.poll().unwrap();
    clock.advance(DELAY);
    settle(&mut c, &[Status::Connecting]);
    assert_eq!(c.status(), Status::Connected, "{:?}", c.last_error());
    assert_eq!(
        outcomes(&c),
        vec![
            (dead1.addr(), AttemptOutcome::Abandoned),
            (server.addr(), AttemptOutcome::Connected)
        ],
        "dead2 was never tried"
    );
    assert_eq!(pollhttp_testserver::syn_sent_to(dead1.addr()), 0);
    hello(&mut c);
}

#[test]
fn refused_addresses_are_skipped_at_once() {
    let (a, b) = (refused(), refused());
    let server = DemoServer::start().unwrap();
    let clock = ManualClock::new();
    let mut c = client_for(&[a, b, server.addr()]);
    c.set_clock(clock.clone());
    let t0 = clock.now();
    c.connect_to_host("dual.test", Some(80), None).unwrap();
    settle(&mut c, &[Status::Resolving, Status::Connecting]);
    assert_eq!(c.status(), Status::Connected, "{:?}", c.last_error());
    assert_eq!(clock.now(), t0, "no delay was waited for");
    let got = outcomes(&c);
    assert_eq!(got.len(), 3, "{got:?}");
    for (i, addr) in [a, b].into_iter().enumerate() {
        match &got[i] {
            (at, AttemptOutcome::Failed(e)) if *at == addr => {
                assert_eq!(e.kind(), std::io::ErrorKind::ConnectionRefused)
            }
            other => panic!("attempt {i}: {other:?}"),
        }
    }
    assert_eq!(got[2], (server.addr(), AttemptOutcome::Connected));
    hello(&mut c);
}

#[test]
fn every_attempt_timing_out_is_cant_connect_after_the_last_ones_limit() {
    let holes = [black_hole("127.0.0.1:0"), black_hole("127.0.0.1:0")];
    let clock = ManualClock::new();
    let mut c = client_for(&[holes[0].addr(), holes[1].addr()]);
    c.set_clock(clock.clone());
    c.set_timeouts(Timeouts {
        connect: Some(Duration::from_secs(1)),
        ..Timeouts::default()
    });
    let t0 = clock.now();
    c.connect_to_host("dual.test", Some(80), None).unwrap();
    c.poll().unwrap();
    clock.advance(DELAY);
    c.poll().unwrap();
    assert_eq!(c.connect_attempts().len(), 2);
    // At 1 s the first attempt's limit expires: closed, the second goes on.
    clock.advance(Duration::from_secs(1) - DELAY);
    c.poll().unwrap();
    assert_eq!(c.status(), Status::Connecting);
    assert_eq!(pollhttp_testserver::syn_sent_to(holes[0].addr()), 0);
    assert_eq!(c.next_deadline(), Some(t0 + DELAY + Duration::from_secs(1)));
    clock.advance(DELAY);
    let err = c.poll().unwrap_err();
    assert_eq!(c.status(), Status::CantConnect);
    assert_eq!(err.timeout_phase(), Some(TimeoutPhase::Connect));
    assert_eq!(
        outcomes(&c),
        vec![
            (holes[0].addr(), AttemptOutcome::TimedOut),
            (holes[1].addr(), AttemptOutcome::TimedOut)
        ]
    );
    assert_eq!(pollhttp_testserver::syn_sent_to(holes[1].addr()), 0);
}

#[test]
fn without_an_attempt_delay_each_address_waits_for_the_one_before() {
    let hole = black_hole("127.0.0.1:0");
    let server = DemoServer::start().unwrap();
    let clock = ManualClock::new();
    let mut c = client_for(&[hole.addr(), server.addr()]);
    c.set_clock(clock.clone());
    c.set_timeouts(Timeouts {
        connect: Some(Duration::from_secs(2)),
        attempt_delay: None,
        ..Timeouts::default()
    });
    let t0 = clock.now();
    c.connect_to_host("dual.test", Some(80), None).unwrap();
    c.poll().unwrap();
    assert_eq!(c.next_deadline(), Some(t0 + Duration::from_secs(2)));
    clock.advance(Duration::from_secs(2));
    settle(&mut c, &[Status::Connecting]);
    assert_eq!(c.status(), Status::Connected, "{:?}", c.last_error());
    assert_eq!(
        outcomes(&c),
        vec![
            (hole.addr(), AttemptOutcome::TimedOut),
            (server.addr(), AttemptOutcome::Connected)
        ]
    );
}

#[test]
fn closing_while_connecting_closes_every_attempt() {
    let holes = [black_hole("127.0.0.1:0"), black_hole("127.0.0.1:0")];
    let clock = ManualClock::new();
    let mut c = client_for(&[holes[0].addr(), holes[1].addr()]);
    c.set_clock(clock.clone());
    c.connect_to_host("dual.test", Some(80), None).unwrap();
    c.poll().unwrap();
    clock.advance(DELAY);
    c.poll().unwrap();
    assert_eq!(pollhttp_testserver::syn_sent_to(holes[0].addr()), 1);
    assert_eq!(pollhttp_testserver::syn_sent_to(holes[1].addr()), 1);
    c.close();
    assert_eq!(pollhttp_testserver::syn_sent_to(holes[0].addr()), 0);
    assert_eq!(pollhttp_testserver::syn_sent_to(holes[1].addr()), 0);
    assert_eq!(
        outcomes(&c),
        vec![
            (holes[0].addr(), AttemptOutcome::Abandoned),
            (holes[1].addr(), AttemptOutcome::Abandoned)
        ]
    );
    // A new connect starts a new list.
    c.connect_to_host("127.0.0.1", Some(refused().port()), None)
        .unwrap();
    assert_eq!(c.connect_attempts().len(), 1);
}

/// Two unanswered attempts in progress, the older one's address then making room: its
/// SYN retransmission (about a second after its first SYN, real time) gets through. Whoever
/// waits on the client must be woken by the OLDER attempt.
struct OlderWins {
    first: BlackHole,
    second: BlackHole,
    clock: ManualClock,
    client: HttpClient,
}

impl OlderWins {
    fn start() -> OlderWins {
        let first = black_hole("127.0.0.1:0");
        let second = black_hole("127.0.0.1:0");
        let clock = ManualClock::new();
        let mut client = client_for(&[first.addr(), second.addr()]);
        client.set_clock(clock.clone());
        client.connect_to_host("dual.test", Some(80), None).unwrap();
        client.poll().unwrap();
        OlderWins {
            first,
            second,
            clock,
            client,
        }
    }

    /// Both attempts in progress now.
    fn second_attempt(&mut self) {
        self.clock.advance(DELAY);
        self.client.poll().unwrap();
        assert_eq!(self.client.connect_attempts().len(), 2);
        assert_eq!(self.client.status(), Status::Connecting);
    }

    fn release_first(&mut self) {
        self.first.release().unwrap();
    }

    fn check_won_by_the_first(&self) {
        assert_eq!(self.client.status(), Status::Connected);
        assert_eq!(
            outcomes(&self.client),
            vec![
                (self.first.addr(), AttemptOutcome::Connected),
                (self.second.addr(), AttemptOutcome::Abandoned)
            ]
        );
        assert_eq!(pollhttp_testserver::syn_sent_to(self.second.addr()), 0);
    }
}

#[test]
fn wait_watches_every_attempt() {
    let mut t = OlderWins::start();
    t.second_attempt();
    t.release_first();
    let end = Instant::now() + GUARD;
    while t.client.status() == Status::Connecting {
        assert!(Instant::now() < end, "never connected");
        // No deadline is due on the manual clock: only a socket can end this wait.
        assert!(t.client.wait(Some(GUARD)).unwrap(), "the wait timed out");
        t.client.poll().unwrap();
    }
    t.check_won_by_the_first();
}

#[test]
fn the_poller_watches_every_attempt() {
    let mut t = OlderWins::start();
    let mut poller = Poller::new().unwrap();
    poller.set_clock(t.clock.clone());
    let token = poller.register(&t.client).unwrap();
    let mut ready = Vec::new();
    poller.poll(&mut ready, Some(Duration::ZERO)).unwrap();
    assert!(ready.is_empty(), "{ready:?}");
    // The attempt delay is a deadline like the others: the poller reports it.
    t.clock.advance(DELAY);
    poller.poll(&mut ready, Some(Duration::ZERO)).unwrap();
    assert_eq!(ready, vec![token]);
    t.client.poll().unwrap();
    assert_eq!(t.client.connect_attempts().len(), 2);
    poller.update(token, &t.client).unwrap();
    poller.poll(&mut ready, Some(Duration::ZERO)).unwrap();
    assert!(ready.is_empty(), "nothing new: {ready:?}");
    t.release_first();
    let end = Instant::now() + GUARD;
    while t.client.status() == Status::Connecting {
        assert!(Instant::now() < end, "never reported");
        poller.poll(&mut ready, Some(GUARD)).unwrap();
        if ready.contains(&token) {
            t.client.poll().unwrap();
            poller.update(token, &t.client).unwrap();
        }
    }
    t.check_won_by_the_first();
}

/// Unix only: it registers `raw_fd()` with mio's `SourceFd`. On Windows a caller's own
/// poller would have to borrow `raw_socket()` by its number, which takes `unsafe` code.
#[test]
#[cfg(unix)]
fn a_callers_own_poller_on_raw_fd_watches_every_attempt() {
    // What an engine's event loop does: register `raw_fd()` for `interest()`, follow the
    // descriptor when it changes, poll the client when woken or at `next_deadline()`.
    use mio::unix::SourceFd;
    let mut t = OlderWins::start();
    t.second_attempt();
    let mut poll = mio::Poll::new().unwrap();
    let mut events = mio::Events::with_capacity(8);
    let mut registered = None;
    let end = Instant::now() + GUARD;
    let mut released = false;
    while t.client.status() == Status::Connecting {
        assert!(Instant::now() < end, "never woken");
        let fd = t.client.raw_fd().expect("a descriptor while connecting");
        let interest = match t.client.interest() {
            Some(pollhttp::Interest::Read) => mio::Interest::READABLE,
            Some(pollhttp::Interest::Write) => mio::Interest::WRITABLE,
            _ => mio::Interest::READABLE | mio::Interest::WRITABLE,
        };
        if registered != Some(fd) {
            if let Some(old) = registered {
                let _ = poll.registry().deregister(&mut SourceFd(&old));
            }
            poll.registry()
                .register(&mut SourceFd(&fd), mio::Token(0), interest)
                .unwrap();
            registered = Some(fd);
        } else {
            poll.registry()
                .reregister(&mut SourceFd(&fd), mio::Token(0), interest)
                .unwrap();
        }
        if !released {
            poll.poll(&mut events, Some(Duration::ZERO)).unwrap();
            assert!(events.is_empty(), "woken with nothing to do");
            t.release_first();
            released = true;
        }
        poll.poll(&mut events, Some(GUARD)).unwrap();
        assert!(!events.is_empty(), "the wait timed out");
        t.client.poll().unwrap();
    }
    t.check_won_by_the_first();
}

#[test]
fn blocking_mode_connects_past_a_dead_address() {
    // Real time: a blocking poll() waits on both attempts and the delay.
    let hole = black_hole("127.0.0.1:0");
    let server = DemoServer::start().unwrap();
    let mut c = client_for(&[hole.addr(), server.addr()]);
    c.set_blocking_mode(true);
    c.connect_to_host("dual.test", Some(80), None).unwrap();
    c.poll().unwrap();
    assert_eq!(c.status(), Status::Connected);
    assert_eq!(
        outcomes(&c),
        vec![
            (hole.addr(), AttemptOutcome::Abandoned),
            (server.addr(), AttemptOutcome::Connected)
        ]
    );
    assert_eq!(pollhttp_testserver::syn_sent_to(hole.addr()), 0);
    c.request(Method::Get, "/hello", &[], "").unwrap();
    c.poll().unwrap();
    assert_eq!(c.response_code(), 200);
}

#[test]
fn http_request_passes_its_resolver_on() {
    let hole = black_hole("127.0.0.1:0");
    let server = DemoServer::start().unwrap();
    let mut http = HttpRequest::new();
    http.set_resolver(Arc::new(
        StaticResolver::new().with_addrs("dual.test", [hole.addr(), server.addr()]),
    ));
    http.set_timeout(Some(GUARD));
    http.request("http://dual.test/hello", &[], Method::Get, "")
        .unwrap();
    let done = loop {
        if let Some(done) = http.poll() {
            break done;
        }
        http.wait(Some(Duration::from_millis(50))).unwrap();
    };
    assert_eq!(done.result, HttpRequestResult::Success, "{:?}", done.error);
    assert_eq!(done.text(), HELLO_BODY);
    let attempts: Vec<&ConnectAttempt> = http.client().connect_attempts().iter().collect();
    assert_eq!(attempts.len(), 2);
    assert_eq!(attempts[0].outcome, AttemptOutcome::Abandoned);
    assert_eq!(
        (attempts[1].addr, &attempts[1].outcome),
        (server.addr(), &AttemptOutcome::Connected)
    );
}

/// A resolver of the test's own: names starting with `slow` are never answered (their
/// answers are kept until the resolver is dropped), others are the demo server.
struct Stalling {
    server: SocketAddr,
    held: Mutex<Vec<pollhttp::ResolveAnswer>>,
}

impl Resolver for Stalling {
    fn resolve(&self, host: &str, _port: u16) -> ResolveHandle {
        if host.starts_with("slow") {
            let (handle, answer) = ResolveHandle::pending();
            self.held.lock().unwrap().push(answer);
            handle
        } else {
            ResolveHandle::ready(Ok(vec![self.server]))
        }
    }
}

#[test]
fn twenty_slow_lookups_do_not_delay_a_fast_one() {
    let server = DemoServer::start().unwrap();
    let resolver = Arc::new(Stalling {
        server: server.addr(),
        held: Mutex::new(Vec::new()),
    });
    let mut poller = Poller::new().unwrap();
    let mut slow: Vec<HttpClient> = (0..20)
        .map(|i| {
            let mut c = HttpClient::new();
            c.set_resolver(resolver.clone());
            c.connect_to_host(&format!("slow{i}.test"), Some(80), None)
                .unwrap();
            poller.register(&c).unwrap();
            c
        })
        .collect();
    let mut fast = HttpClient::new();
    fast.set_resolver(resolver.clone());
    fast.connect_to_host("fast.test", Some(80), None).unwrap();
    let token = poller.register(&fast).unwrap();
    let mut ready = Vec::new();
    let end = Instant::now() + GUARD;
    let mut sent = false;
    while !fast.is_response_complete() {
        assert!(Instant::now() < end, "the fast name was held up");
        poller
            .poll(&mut ready, Some(Duration::from_secs(1)))
            .unwrap();
        for c in &mut slow {
            let _ = c.poll();
        }
        if ready.contains(&token) {
            let _ = fast.poll();
            if fast.status() == Status::Connected && !sent {
                fast.request(Method::Get, "/hello", &[], "").unwrap();
                sent = true;
            }
            while fast.status() == Status::Body {
                if fast.read_response_body_chunk().is_empty() {
                    break;
                }
            }
            poller.update(token, &fast).unwrap();
        }
    }
    assert_eq!(fast.response_code(), 200);
    assert!(slow.iter().all(|c| c.status() == Status::Resolving));
    assert_eq!(resolver.held.lock().unwrap().len(), 20);
}
