use super::*;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Upper bound for waiting on real lookups; only there so a broken test cannot hang.
const LONG: Option<Duration> = Some(Duration::from_secs(120));

/// A switch a test lookup blocks on until the test opens it.
struct Gate {
    open: Mutex<bool>,
    cond: Condvar,
}

impl Gate {
    const fn new() -> Gate {
        Gate {
            open: Mutex::new(false),
            cond: Condvar::new(),
        }
    }

    fn pass(&self) {
        let mut open = lock(&self.open);
        while !*open {
            open = self.cond.wait(open).unwrap_or_else(|e| e.into_inner());
        }
    }

    fn open(&self) {
        *lock(&self.open) = true;
        self.cond.notify_all();
    }
}

fn loopback(_host: &str, port: u16) -> io::Result<Vec<SocketAddr>> {
    Ok(vec![SocketAddr::from((Ipv4Addr::LOCALHOST, port))])
}

fn expect_ok(r: &mut Resolve) -> Vec<SocketAddr> {
    match r.wait(LONG) {
        Some(Ok(addrs)) => addrs,
        other => panic!("lookup of {} gave {other:?}", r.host()),
    }
}

#[test]
fn ip_literals() {
    let v4 = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let v6 = IpAddr::V6(Ipv6Addr::LOCALHOST);
    assert_eq!(parse_ip_literal("127.0.0.1"), Some(v4));
    assert_eq!(parse_ip_literal("::1"), Some(v6));
    assert_eq!(parse_ip_literal("[::1]"), Some(v6));
    assert_eq!(parse_ip_literal("0:0:0:0:0:0:0:1"), Some(v6));
    for not_literal in [
        "localhost",
        "",
        "[]",
        "[127.0.0.1]",
        "[::1",
        "::1]",
        "127.1",
        "127.0.0.1:80",
        "fe80::1%eth0",
        "[fe80::1%eth0]",
        "1.2.3.4.",
    ] {
        assert_eq!(parse_ip_literal(not_literal), None, "{not_literal:?}");
    }
}

#[test]
fn ip_literal_is_answered_at_once() {
    for (host, ip) in [
        ("127.0.0.1", IpAddr::V4(Ipv4Addr::LOCALHOST)),
        ("::1", IpAddr::V6(Ipv6Addr::LOCALHOST)),
        ("[::1]", IpAddr::V6(Ipv6Addr::LOCALHOST)),
    ] {
        let mut r = Resolve::start(host, 443);
        assert_eq!(r.host(), host);
        let addrs = r.poll().expect("a literal needs no thread").unwrap();
        assert_eq!(addrs, vec![SocketAddr::new(ip, 443)]);
    }
}

#[test]
fn localhost_resolves_to_loopback() {
    let mut r = Resolve::start("localhost", 8080);
    let addrs = expect_ok(&mut r);
    assert!(!addrs.is_empty());
    for a in &addrs {
        assert!(a.ip().is_loopback(), "{a}");
        assert_eq!(a.port(), 8080);
    }
    // Later calls keep returning the same answer.
    assert_eq!(r.poll().unwrap().unwrap(), addrs);
    assert_eq!(r.wait(Some(Duration::ZERO)).unwrap().unwrap(), addrs);
}

#[test]
fn reserved_invalid_name_fails() {
    // RFC 6761: `.invalid` never resolves.
    let mut r = Resolve::start("nonexistent.invalid", 80);
    let err = match r.wait(LONG) {
        Some(Err(e)) => e,
        other => panic!("expected an error, got {other:?}"),
    };
    let again = r.poll().unwrap().unwrap_err();
    assert_eq!(again.kind(), err.kind());
    assert_eq!(again.to_string(), err.to_string());
}

#[test]
fn bad_host_names_fail_at_once() {
    for host in ["", "a\0b", &"a".repeat(MAX_HOST_LEN + 1)] {
        let mut r = Resolve::start(host, 80);
        let err = r.poll().expect("rejected without a lookup").unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{host:?}");
    }
    // The same limit as `connect_to_host` applies to the host argument.
    let err = Resolve::start(&"a".repeat(255), 80)
        .poll()
        .unwrap()
        .unwrap_err();
    assert!(err.to_string().contains("longer than 254 bytes"), "{err}");
}

#[test]
fn many_concurrent_lookups_share_a_few_threads() {
    // `localhost` comes from the hosts file, so this stays on the machine; names that
    // reach a DNS server are left to the single `.invalid` lookup above.
    let mut lookups: Vec<Resolve> = (0..300u16)
        .map(|i| match i % 3 {
            0 => Resolve::start("127.0.0.1", i),
            _ => Resolve::start("localhost", i),
        })
        .collect();
    for (i, r) in lookups.iter_mut().enumerate() {
        let addrs = expect_ok(r);
        assert!(!addrs.is_empty());
        assert!(addrs
            .iter()
            .all(|a| a.port() == i as u16 && a.ip().is_loopback()));
    }
    let (_, peak) = global_pool().counts();
    assert!(peak <= MAX_WORKERS, "{peak} resolver threads");
}

#[test]
fn thousands_of_queued_lookups_use_at_most_the_limit() {
    let pool = Pool::new(2, Duration::from_secs(30));
    let mut lookups: Vec<Resolve> = (0..2000u16)
        .map(|i| Resolve::start_in(&pool, "name", i, loopback))
        .collect();
    for (i, r) in lookups.iter_mut().enumerate() {
        assert_eq!(expect_ok(r)[0].port(), i as u16);
    }
    let (_, peak) = pool.counts();
    assert!((1..=2).contains(&peak), "{peak} threads");
}

static SLOW_GATE: Gate = Gate::new();

fn slow(host: &str, port: u16) -> io::Result<Vec<SocketAddr>> {
    SLOW_GATE.pass();
    loopback(host, port)
}

#[test]
fn slow_lookup_does_not_hold_up_others() {
    let pool = Pool::new(4, Duration::from_secs(30));
    let mut stuck = Resolve::start_in(&pool, "slow", 1, slow);
    let mut quick = Resolve::start_in(&pool, "quick", 2, loopback);
    assert_eq!(
        expect_ok(&mut quick),
        vec![SocketAddr::from(([127, 0, 0, 1], 2))]
    );
    assert!(stuck.poll().is_none());
    assert!(stuck.wait(Some(Duration::from_millis(10))).is_none());
    SLOW_GATE.open();
    assert_eq!(expect_ok(&mut stuck)[0].port(), 1);
}

static CANCEL_GATE: Gate = Gate::new();
static COUNTED_RUNS: AtomicUsize = AtomicUsize::new(0);

fn blocked(host: &str, port: u16) -> io::Result<Vec<SocketAddr>> {
    CANCEL_GATE.pass();
    loopback(host, port)
}

fn counted(host: &str, port: u16) -> io::Result<Vec<SocketAddr>> {
    COUNTED_RUNS.fetch_add(1, Ordering::SeqCst);
    loopback(host, port)
}

#[test]
fn dropping_a_queued_lookup_skips_it() {
    // One thread, busy with a blocked lookup: the next one waits in the queue.
    let pool = Pool::new(1, Duration::from_secs(30));
    let mut first = Resolve::start_in(&pool, "first", 1, blocked);
    let dropped = Resolve::start_in(&pool, "dropped", 2, counted);
    drop(dropped);
    CANCEL_GATE.open();
    expect_ok(&mut first);
    // The queue is first in, first out: once this one is answered the dropped one has
    // been taken off the queue.
    let mut last = Resolve::start_in(&pool, "last", 3, loopback);
    expect_ok(&mut last);
    assert_eq!(COUNTED_RUNS.load(Ordering::SeqCst), 0);
}

#[test]
fn empty_answer_is_not_found_naming_the_host() {
    fn nothing(_: &str, _: u16) -> io::Result<Vec<SocketAddr>> {
        Ok(Vec::new())
    }
    let pool = Pool::new(1, Duration::from_secs(30));
    let mut r = Resolve::start_in(&pool, "empty.example", 80, nothing);
    let err = r.wait(LONG).unwrap().unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::NotFound);
    assert!(err.to_string().contains("empty.example"), "{err}");
}

#[test]
fn panicking_lookup_is_an_error_and_the_thread_survives() {
    fn boom(_: &str, _: u16) -> io::Result<Vec<SocketAddr>> {
        panic!("lookup failure under test");
    }
    let pool = Pool::new(1, Duration::from_secs(30));
    let mut r = Resolve::start_in(&pool, "boom", 80, boom);
    assert!(r.wait(LONG).unwrap().is_err());
    let mut after = Resolve::start_in(&pool, "after", 81, loopback);
    expect_ok(&mut after);
    assert_eq!(pool.counts().1, 1);
}

#[test]
fn idle_threads_exit() {
    let pool = Pool::new(4, Duration::from_millis(20));
    let mut r = Resolve::start_in(&pool, "x", 1, loopback);
    expect_ok(&mut r);
    // Bounded retry loop: only a guard against hanging, not a timing assertion.
    let mut workers = usize::MAX;
    for _ in 0..6000 {
        workers = pool.counts().0;
        if workers == 0 {
            break;
        }
        thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(workers, 0);
    // And the pool starts a thread again on demand.
    let mut again = Resolve::start_in(&pool, "y", 2, loopback);
    expect_ok(&mut again);
}

#[test]
fn bracketed_zone_literal_goes_to_the_lookup_without_brackets() {
    static SEEN: Mutex<String> = Mutex::new(String::new());
    fn record(host: &str, port: u16) -> io::Result<Vec<SocketAddr>> {
        *lock(&SEEN) = host.to_owned();
        loopback(host, port)
    }
    let pool = Pool::new(1, Duration::from_secs(30));
    let mut r = Resolve::start_in(&pool, "[fe80::1%eth0]", 80, record);
    expect_ok(&mut r);
    assert_eq!(*lock(&SEEN), "fe80::1%eth0");
    assert_eq!(r.host(), "[fe80::1%eth0]");
}
