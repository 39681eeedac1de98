use super::*;
use pollhttp_testserver::BlackHole;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener};

/// Drives a connect to its end; the step limit only guards against a hang.
fn finish(c: &mut TcpConnect) -> Result<TcpStream, io::Error> {
    for _ in 0..1000 {
        match c.poll(Instant::now()) {
            ConnectPoll::Pending => {
                c.wait(Some(Duration::from_secs(10))).unwrap();
            }
            ConnectPoll::Connected(s) => return Ok(s),
            ConnectPoll::Failed(e) => return Err(e),
        }
    }
    panic!("connect never finished: {c:?}");
}

/// A loopback port with nothing listening on it.
fn closed_port() -> SocketAddr {
    let l = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    l.local_addr().unwrap()
}

/// An address that never answers, checked.
fn black_hole(addr: &str) -> BlackHole {
    let hole = BlackHole::bind(addr.parse().unwrap())
        .unwrap_or_else(|e| panic!("cannot make an unanswered address on {addr}: {e}"));
    hole.verify().unwrap_or_else(|e| panic!("{e}"));
    hole
}

fn outcomes(c: &TcpConnect) -> Vec<(SocketAddr, AttemptOutcome)> {
    c.attempts()
        .iter()
        .map(|a| (a.addr, a.outcome.clone()))
        .collect()
}

fn check_stream(mut s: TcpStream, listener: &TcpListener) {
    assert_eq!(s.peer_addr().unwrap(), listener.local_addr().unwrap());
    assert!(s.nodelay().unwrap());
    let mut buf = [0u8; 8];
    let e = s.read(&mut buf).unwrap_err();
    assert_eq!(
        e.kind(),
        io::ErrorKind::WouldBlock,
        "the stream must be non-blocking"
    );
    // And it is a working connection.
    let (mut server, _) = listener.accept().unwrap();
    server.write_all(b"hi").unwrap();
    let mut got = Vec::new();
    while got.len() < 2 {
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                crate::StreamPeer::wait(&mut s, crate::Interest::Read, None).unwrap();
            }
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!(got, b"hi");
}

#[test]
fn connects_over_ipv4_loopback() {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let addr = listener.local_addr().unwrap();
    let t0 = Instant::now();
    let mut c = TcpConnect::start(vec![addr], t0);
    #[cfg(unix)]
    assert!(c.raw_fd().is_some());
    assert_eq!(c.interest(), Interest::Write);
    assert_eq!(
        c.drain_events().collect::<Vec<_>>(),
        vec![AttemptEvent::Started {
            attempt: 0,
            more: false,
            at: t0
        }]
    );
    let s = finish(&mut c).unwrap();
    assert_eq!(outcomes(&c), vec![(addr, AttemptOutcome::Connected)]);
    assert_eq!(c.attempts()[0].started, t0);
    assert!(c.attempts()[0].ended.is_some());
    check_stream(s, &listener);
    // The stream has been handed over: asking again is an error, not a hang.
    match c.poll(Instant::now()) {
        ConnectPoll::Failed(e) => assert_eq!(e.kind(), io::ErrorKind::InvalidInput),
        other => panic!("{other:?}"),
    }
}

#[test]
fn connects_over_ipv6_loopback() {
    let listener = TcpListener::bind("[::1]:0").unwrap_or_else(|e| {
        panic!("cannot listen on [::1] ({e}): the machine needs IPv6 on its loopback interface")
    });
    let mut c = TcpConnect::start(vec![listener.local_addr().unwrap()], Instant::now());
    let s = finish(&mut c).unwrap();
    check_stream(s, &listener);
}

#[test]
fn refused_port_fails_naming_the_address() {
    let addr = closed_port();
    let mut c = TcpConnect::start(vec![addr], Instant::now());
    let e = finish(&mut c).unwrap_err();
    assert_eq!(e.kind(), io::ErrorKind::ConnectionRefused, "{e}");
    assert!(e.to_string().contains(&addr.to_string()), "{e}");
    match &outcomes(&c)[..] {
        [(a, AttemptOutcome::Failed(why))] => {
            assert_eq!(*a, addr);
            assert_eq!(why.kind(), io::ErrorKind::ConnectionRefused);
        }
        other => panic!("{other:?}"),
    }
    let events: Vec<AttemptEvent> = c.drain_events().collect();
    assert!(matches!(
        events[..],
        [
            AttemptEvent::Started { attempt: 0, .. },
            AttemptEvent::Failed { attempt: 0 }
        ]
    ));
    // Failure is sticky.
    match c.poll(Instant::now()) {
        ConnectPoll::Failed(again) => assert_eq!(again.to_string(), e.to_string()),
        other => panic!("{other:?}"),
    }
    assert!(c.wait(Some(Duration::ZERO)).unwrap());
}

#[test]
fn a_refused_attempt_starts_the_next_address_at_once() {
    let refused = closed_port();
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let mut c = TcpConnect::start(
        vec![refused, listener.local_addr().unwrap()],
        Instant::now(),
    );
    // No attempt delay is involved: polls alone get there.
    let s = finish(&mut c).unwrap();
    let got = outcomes(&c);
    assert_eq!(got.len(), 2);
    assert!(
        matches!(&got[0], (a, AttemptOutcome::Failed(e)) if *a == refused && e.kind() == io::ErrorKind::ConnectionRefused),
        "{got:?}"
    );
    assert_eq!(
        got[1],
        (listener.local_addr().unwrap(), AttemptOutcome::Connected)
    );
    check_stream(s, &listener);
}

#[test]
fn all_failing_lists_every_address() {
    let (a, b) = (closed_port(), closed_port());
    let mut c = TcpConnect::start(vec![a, b], Instant::now());
    let e = finish(&mut c).unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains(&format!("connect to {b} failed")), "{msg}");
    assert!(msg.contains("2 addresses tried"), "{msg}");
    assert!(msg.contains(&a.to_string()), "{msg}");
    let tried: Vec<SocketAddr> = c.attempts().iter().map(|f| f.addr).collect();
    assert_eq!(tried, vec![a, b]);
}

#[test]
fn the_last_addresss_own_error_is_the_source() {
    use std::error::Error as _;
    let refused = Some(rustix::io::Errno::CONNREFUSED.raw_os_error());
    let mut c = TcpConnect::start(vec![closed_port(), closed_port()], Instant::now());
    let e = finish(&mut c).unwrap_err();
    // The message is ours, so the outer error has no code; one level down has it.
    assert_eq!(e.raw_os_error(), None);
    let last = e.source().and_then(|s| s.downcast_ref::<io::Error>());
    assert_eq!(last.and_then(io::Error::raw_os_error), refused);
    // A copy (as a poll after the failure gives, and as a reason keeps) keeps it too.
    let copy = crate::error::copy_io_error(&e);
    assert_eq!(copy.to_string(), e.to_string());
    let last = copy.source().and_then(|s| s.downcast_ref::<io::Error>());
    assert_eq!(last.and_then(io::Error::raw_os_error), refused);
}

#[test]
fn more_addresses_than_listed_end_with_an_ellipsis() {
    let addrs: Vec<SocketAddr> = (0..LISTED_IN_ERROR + 1).map(|_| closed_port()).collect();
    let mut c = TcpConnect::start(addrs.clone(), Instant::now());
    let msg = finish(&mut c).unwrap_err().to_string();
    let listed: Vec<String> = addrs[..LISTED_IN_ERROR]
        .iter()
        .map(|a| a.to_string())
        .collect();
    let want = format!(
        "({} addresses tried: {}, ...)",
        addrs.len(),
        listed.join(", ")
    );
    assert!(msg.ends_with(&want), "{msg}");
}

#[test]
fn no_addresses_is_an_error() {
    let mut c = TcpConnect::start(Vec::new(), Instant::now());
    assert!(c.attempts().is_empty());
    match c.poll(Instant::now()) {
        ConnectPoll::Failed(e) => assert_eq!(e.kind(), io::ErrorKind::InvalidInput),
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_expired_attempt_alone_moves_on_to_the_next_address() {
    let hole = black_hole("127.0.0.1:0");
    let second = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let mut c = TcpConnect::start(
        vec![hole.addr(), second.local_addr().unwrap()],
        Instant::now(),
    );
    assert!(matches!(c.poll(Instant::now()), ConnectPoll::Pending));
    c.expire(
        0,
        io::Error::new(io::ErrorKind::TimedOut, "too slow"),
        Instant::now(),
    );
    let s = finish(&mut c).unwrap();
    assert_eq!(
        outcomes(&c),
        vec![
            (hole.addr(), AttemptOutcome::TimedOut),
            (second.local_addr().unwrap(), AttemptOutcome::Connected)
        ]
    );
    check_stream(s, &second);
}

#[test]
fn the_last_expired_attempt_is_named_in_the_error() {
    let hole = black_hole("127.0.0.1:0");
    let refused = closed_port();
    let mut c = TcpConnect::start(vec![hole.addr(), refused], Instant::now());
    c.expire(
        0,
        io::Error::new(io::ErrorKind::TimedOut, "slow"),
        Instant::now(),
    );
    let e = finish(&mut c).unwrap_err();
    assert_eq!(e.kind(), io::ErrorKind::ConnectionRefused);
    assert!(e.to_string().contains("2 addresses tried"), "{e}");
}

#[test]
fn racing_attempts_the_first_to_connect_wins_and_the_others_are_closed() {
    let hole = black_hole("127.0.0.1:0");
    let live = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let t0 = Instant::now();
    let mut c = TcpConnect::start(vec![hole.addr(), live.local_addr().unwrap()], t0);
    assert!(matches!(c.poll(t0), ConnectPoll::Pending));
    assert_eq!(pollhttp_testserver::syn_sent_to(hole.addr()), 1);
    // The attempt delay passed (the core says so): the next address, the first going on.
    let t1 = t0 + Duration::from_millis(250);
    assert!(c.start_next(t1));
    assert!(!c.has_more());
    #[cfg(unix)]
    assert_eq!(
        c.interest(),
        Interest::Read,
        "two attempts: the set is watched"
    );
    let s = finish(&mut c).unwrap();
    assert_eq!(
        outcomes(&c),
        vec![
            (hole.addr(), AttemptOutcome::Abandoned),
            (live.local_addr().unwrap(), AttemptOutcome::Connected)
        ]
    );
    assert_eq!(c.attempts()[1].started, t1);
    // The loser's socket is closed: the kernel has nothing left connecting there.
    assert_eq!(pollhttp_testserver::syn_sent_to(hole.addr()), 0);
    check_stream(s, &live);
}

#[test]
#[cfg(unix)]
fn the_set_wakes_for_any_attempt_not_only_the_newest() {
    // Two unanswered attempts; then the first one's address makes room and its SYN
    // retransmission (about a second after the first SYN) gets through. A caller watching
    // only the descriptor `raw_fd` gives is woken, and `wait` returns.
    let mut first = black_hole("127.0.0.1:0");
    let second = black_hole("127.0.0.1:0");
    let t0 = Instant::now();
    let mut c = TcpConnect::start(vec![first.addr(), second.addr()], t0);
    assert!(c.start_next(t0));
    assert_eq!(c.interest(), Interest::Read);
    assert!(matches!(c.poll(t0), ConnectPoll::Pending));
    let watched = |c: &TcpConnect, timeout| {
        use std::os::fd::AsRawFd;
        let fd = c.watched_fd().unwrap();
        assert_eq!(Some(fd.as_raw_fd()), c.raw_fd());
        crate::conn::wait_fd(fd, Interest::Read, Some(timeout)).unwrap()
    };
    assert!(!watched(&c, Duration::ZERO), "nothing to report yet");
    first.release().unwrap();
    assert!(
        watched(&c, Duration::from_secs(30)),
        "the set's descriptor never became readable"
    );
    assert!(c.wait(Some(Duration::ZERO)).unwrap());
    match c.poll(Instant::now()) {
        ConnectPoll::Connected(s) => assert_eq!(s.peer_addr().unwrap(), first.addr()),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        outcomes(&c),
        vec![
            (first.addr(), AttemptOutcome::Connected),
            (second.addr(), AttemptOutcome::Abandoned)
        ]
    );
}

#[test]
#[cfg(unix)]
fn a_polled_set_goes_quiet_until_the_next_news() {
    // The set's news is taken by `poll`, so a caller's poller is not woken again and
    // again for an attempt that is still in progress.
    let first = black_hole("127.0.0.1:0");
    let refused = closed_port();
    let second = black_hole("127.0.0.1:0");
    let t0 = Instant::now();
    let mut c = TcpConnect::start(vec![first.addr(), refused, second.addr()], t0);
    assert!(
        c.start_next(t0),
        "the refused one is replaced by the next at once"
    );
    assert!(matches!(c.poll(t0), ConnectPoll::Pending));
    let fd = c.watched_fd().unwrap();
    assert!(!crate::conn::wait_fd(fd, Interest::Read, Some(Duration::ZERO)).unwrap());
    let got = outcomes(&c);
    assert_eq!(got.len(), 3, "{got:?}");
    assert!(matches!(got[1].1, AttemptOutcome::Failed(_)), "{got:?}");
    assert_eq!(got[2], (second.addr(), AttemptOutcome::Pending));
}

#[test]
fn families_are_interleaved_starting_with_the_first() {
    let v6 = |n: u16| {
        SocketAddr::from((
            std::net::Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, n),
            443,
        ))
    };
    let v4 = |n: u8| SocketAddr::from(([192, 0, 2, n], 443));
    assert_eq!(
        interleave(vec![v6(1), v6(2), v6(3), v4(1), v4(2)]),
        vec![v6(1), v4(1), v6(2), v4(2), v6(3)]
    );
    assert_eq!(
        interleave(vec![v4(1), v6(1), v6(2), v4(2), v6(3)]),
        vec![v4(1), v6(1), v4(2), v6(2), v6(3)]
    );
    // One family: as given. Duplicates go.
    assert_eq!(interleave(vec![v4(2), v4(1), v4(2)]), vec![v4(2), v4(1)]);
    assert_eq!(interleave(Vec::new()), Vec::<SocketAddr>::new());
    assert_eq!(
        interleave(vec![v6(1), v4(1), v4(2), v4(3)]),
        vec![v6(1), v4(1), v4(2), v4(3)]
    );
}

#[test]
fn handles_can_move_between_threads() {
    fn assert_send<T: Send>() {}
    assert_send::<TcpConnect>();
    assert_send::<ConnectPoll>();
    assert_send::<crate::ResolveHandle>();
}

#[test]
fn a_shortage_of_descriptors_is_this_machines_fault() {
    use crate::{Endpoint, Fault, Reason};
    let failed = |errno: rustix::io::Errno| {
        let last = io::Error::from_raw_os_error(errno.raw_os_error());
        let addr = closed_port();
        io::Error::new(
            last.kind(),
            ConnectFailed {
                last_addr: addr,
                last,
                listed: vec![addr],
                tried: 1,
            },
        )
    };
    let fault = |e: io::Error| {
        Reason::Connect {
            target: "h:1".into(),
            endpoint: Endpoint::Origin,
            error: e.into(),
        }
        .fault()
    };
    assert_eq!(fault(failed(rustix::io::Errno::MFILE)), Fault::Local);
    assert_eq!(
        fault(failed(rustix::io::Errno::CONNREFUSED)),
        Fault::Network
    );
}
