use super::system::{global_pool, lookup_in, LookupFn, Pool, MAX_ACTIVE, MAX_THREADS};
use super::*;
use crate::net::host::{parse_ip_literal, MAX_HOST_LEN};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

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

fn loopback(_host: &str) -> io::Result<Vec<IpAddr>> {
    Ok(vec![IpAddr::V4(Ipv4Addr::LOCALHOST)])
}

fn pool(max_active: usize) -> Arc<Pool> {
    Pool::new(max_active, MAX_THREADS, Duration::from_secs(30))
}

fn start(pool: &Arc<Pool>, host: &str, port: u16, lookup: LookupFn) -> ResolveHandle {
    lookup_in(pool, host, port, lookup)
}

fn expect_ok(r: &mut ResolveHandle) -> Vec<SocketAddr> {
    match r.wait(LONG) {
        Some(Ok(addrs)) => addrs,
        other => panic!("lookup gave {other:?}"),
    }
}

/// Retries `cond` for up to a minute (a guard against hanging, not a timing assertion).
fn eventually(what: &str, mut cond: impl FnMut() -> bool) {
    for _ in 0..6000 {
        if cond() {
            return;
        }
        thread::sleep(Duration::from_millis(10));
    }
    panic!("never happened: {what}");
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
        let mut r = SystemResolver.resolve(host, 443);
        assert!(r.is_answered());
        let addrs = r.poll().expect("a literal needs no thread").unwrap();
        assert_eq!(addrs, vec![SocketAddr::new(ip, 443)]);
    }
}

#[test]
fn localhost_resolves_to_loopback() {
    let mut r = SystemResolver.resolve("localhost", 8080);
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
    let mut r = SystemResolver.resolve("nonexistent.invalid", 80);
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
        let mut r = SystemResolver.resolve(host, 80);
        let err = r.poll().expect("rejected without a lookup").unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{host:?}");
    }
    // The same limit as `connect_to_host` applies to the host argument.
    let err = SystemResolver
        .resolve(&"a".repeat(255), 80)
        .poll()
        .unwrap()
        .unwrap_err();
    assert!(err.to_string().contains("longer than 254 bytes"), "{err}");
}

#[test]
fn many_concurrent_lookups_stay_within_the_limits() {
    // `localhost` comes from the hosts file, so this stays on the machine; names that
    // reach a DNS server are left to the single `.invalid` lookup above.
    let mut lookups: Vec<ResolveHandle> = (0..300u16)
        .map(|i| match i % 3 {
            0 => SystemResolver.resolve("127.0.0.1", i),
            _ => SystemResolver.resolve("localhost", i),
        })
        .collect();
    for (i, r) in lookups.iter_mut().enumerate() {
        let addrs = expect_ok(r);
        assert!(!addrs.is_empty());
        assert!(addrs
            .iter()
            .all(|a| a.port() == i as u16 && a.ip().is_loopback()));
    }
    let (_, peak) = global_pool().threads();
    assert!(peak <= MAX_THREADS, "{peak} resolver threads");
    let (_, peak_active, _) = global_pool().lookups();
    assert!(peak_active <= MAX_ACTIVE, "{peak_active} lookups at once");
}

#[test]
fn thousands_of_queued_lookups_use_at_most_the_limit() {
    let pool = pool(2);
    let names: Vec<String> = (0..2000).map(|i| format!("name{i}")).collect();
    let mut lookups: Vec<ResolveHandle> = names
        .iter()
        .enumerate()
        .map(|(i, name)| start(&pool, name, i as u16, loopback))
        .collect();
    for (i, r) in lookups.iter_mut().enumerate() {
        assert_eq!(expect_ok(r)[0].port(), i as u16);
    }
    let (_, peak) = pool.threads();
    assert!((1..=2).contains(&peak), "{peak} threads");
}

static TWENTY_GATE: Gate = Gate::new();
static TWENTY_STARTED: AtomicUsize = AtomicUsize::new(0);

fn stalled(host: &str) -> io::Result<Vec<IpAddr>> {
    TWENTY_STARTED.fetch_add(1, Ordering::SeqCst);
    TWENTY_GATE.pass();
    loopback(host)
}

#[test]
fn twenty_slow_lookups_do_not_delay_a_fast_one() {
    // On the process's own resolver: twenty names whose lookups hang (a dead DNS server,
    // say) are all running, and a lookup of another name is answered meanwhile.
    let pool = global_pool();
    let mut slow: Vec<ResolveHandle> = (0..20)
        .map(|i| lookup_in(pool, &format!("stalled-{i}.test"), 80, stalled))
        .collect();
    eventually("twenty lookups running", || {
        TWENTY_STARTED.load(Ordering::SeqCst) == 20
    });
    let mut fast = lookup_in(pool, "fast.test", 81, loopback);
    assert_eq!(
        expect_ok(&mut fast),
        vec![SocketAddr::from(([127, 0, 0, 1], 81))]
    );
    assert!(slow.iter_mut().all(|r| r.poll().is_none()), "still stalled");
    TWENTY_GATE.open();
    for r in &mut slow {
        assert_eq!(expect_ok(r)[0].port(), 80);
    }
}

static SHARED_GATE: Gate = Gate::new();
static SHARED_RUNS: AtomicUsize = AtomicUsize::new(0);

fn shared(host: &str) -> io::Result<Vec<IpAddr>> {
    SHARED_RUNS.fetch_add(1, Ordering::SeqCst);
    SHARED_GATE.pass();
    loopback(host)
}

#[test]
fn lookups_of_a_name_in_flight_are_shared() {
    let pool = pool(4);
    let mut first = start(&pool, "same.test", 80, shared);
    eventually("the lookup runs", || {
        SHARED_RUNS.load(Ordering::SeqCst) == 1
    });
    // Another port and another spelling: the same lookup.
    let mut second = start(&pool, "SAME.test", 443, shared);
    SHARED_GATE.open();
    assert_eq!(
        expect_ok(&mut first),
        vec![SocketAddr::from(([127, 0, 0, 1], 80))]
    );
    assert_eq!(
        expect_ok(&mut second),
        vec![SocketAddr::from(([127, 0, 0, 1], 443))]
    );
    assert_eq!(SHARED_RUNS.load(Ordering::SeqCst), 1);
    // Once answered, a new lookup is a new lookup: no answer is cached.
    let mut third = start(&pool, "same.test", 80, shared);
    expect_ok(&mut third);
    assert_eq!(SHARED_RUNS.load(Ordering::SeqCst), 2);
}

static KEEP_GATE: Gate = Gate::new();

fn kept(host: &str) -> io::Result<Vec<IpAddr>> {
    KEEP_GATE.pass();
    loopback(host)
}

#[test]
fn a_shared_lookup_goes_on_while_one_handle_waits() {
    let pool = pool(1);
    let dropped = start(&pool, "kept.test", 1, kept);
    let mut waiting = start(&pool, "kept.test", 2, kept);
    eventually("running", || pool.lookups().0 == 1);
    drop(dropped);
    assert_eq!(pool.lookups(), (1, 1, 0), "still counted: one handle waits");
    KEEP_GATE.open();
    assert_eq!(expect_ok(&mut waiting)[0].port(), 2);
}

static ABANDON_GATE: Gate = Gate::new();
static ABANDON_STARTED: AtomicUsize = AtomicUsize::new(0);

fn hangs(host: &str) -> io::Result<Vec<IpAddr>> {
    ABANDON_STARTED.fetch_add(1, Ordering::SeqCst);
    ABANDON_GATE.pass();
    loopback(host)
}

#[test]
fn abandoned_lookups_do_not_count_against_the_limit() {
    // Two lookups at once at most. Both hang; their clients give up (drop the handles).
    let pool = pool(2);
    let stuck: Vec<ResolveHandle> = (0..2)
        .map(|i| start(&pool, &format!("hang-{i}.test"), 80, hangs))
        .collect();
    eventually("both running", || {
        ABANDON_STARTED.load(Ordering::SeqCst) == 2
    });
    // While they are waited for, a third lookup waits in the queue.
    let mut queued = start(&pool, "queued.test", 81, loopback);
    assert!(queued.wait(Some(Duration::from_millis(50))).is_none());
    drop(stuck);
    // Abandoned: the threads still run getaddrinfo, but the queue moves on.
    assert_eq!(expect_ok(&mut queued)[0].port(), 81);
    let (active, _, abandoned) = pool.lookups();
    assert_eq!((active, abandoned), (0, 2));
    let (threads, _) = pool.threads();
    assert!(
        threads >= 3,
        "the abandoned lookups' threads are still busy"
    );
    // When they end, their answers are dropped and their threads go back to work.
    ABANDON_GATE.open();
    let mut after = start(&pool, "after.test", 82, loopback);
    assert_eq!(expect_ok(&mut after)[0].port(), 82);
}

static CAP_GATE: Gate = Gate::new();
static CAP_STARTED: AtomicUsize = AtomicUsize::new(0);

fn capped(host: &str) -> io::Result<Vec<IpAddr>> {
    CAP_STARTED.fetch_add(1, Ordering::SeqCst);
    CAP_GATE.pass();
    loopback(host)
}

#[test]
fn threads_stay_within_their_cap_even_when_lookups_are_abandoned() {
    let pool = Pool::new(2, 3, Duration::from_secs(30));
    for i in 0..10 {
        // Started and abandoned at once, as a client with a tiny resolve limit would.
        // The first three get a thread each (each abandoned one leaves the limit of two
        // at once); the others find every thread busy and wait in the queue.
        let h = start(&pool, &format!("cap-{i}.test"), 80, capped);
        let running = (i + 1).min(3);
        eventually("the lookup runs or waits", || {
            CAP_STARTED.load(Ordering::SeqCst) >= running
        });
        drop(h);
    }
    eventually("three threads busy", || {
        CAP_STARTED.load(Ordering::SeqCst) == 3
    });
    let (threads, peak) = pool.threads();
    assert_eq!((threads, peak), (3, 3));
    let mut waiting = start(&pool, "patient.test", 81, loopback);
    assert!(
        waiting.wait(Some(Duration::from_millis(50))).is_none(),
        "no thread free"
    );
    CAP_GATE.open();
    assert_eq!(expect_ok(&mut waiting)[0].port(), 81);
    assert!(pool.threads().1 <= 3);
}

static CANCEL_GATE: Gate = Gate::new();
static COUNTED_RUNS: AtomicUsize = AtomicUsize::new(0);

fn blocked(host: &str) -> io::Result<Vec<IpAddr>> {
    CANCEL_GATE.pass();
    loopback(host)
}

fn counted(host: &str) -> io::Result<Vec<IpAddr>> {
    COUNTED_RUNS.fetch_add(1, Ordering::SeqCst);
    loopback(host)
}

#[test]
fn dropping_a_queued_lookup_skips_it() {
    // One lookup at a time, busy with a blocked one: the next waits in the queue.
    let pool = pool(1);
    let mut first = start(&pool, "first", 1, blocked);
    let dropped = start(&pool, "dropped", 2, counted);
    drop(dropped);
    CANCEL_GATE.open();
    expect_ok(&mut first);
    // The queue is first in, first out: once this one is answered the dropped one has
    // been taken off the queue.
    let mut last = start(&pool, "last", 3, loopback);
    expect_ok(&mut last);
    assert_eq!(COUNTED_RUNS.load(Ordering::SeqCst), 0);
}

#[test]
fn empty_answer_is_not_found_naming_the_host() {
    fn nothing(_: &str) -> io::Result<Vec<IpAddr>> {
        Ok(Vec::new())
    }
    let pool = pool(1);
    let mut r = start(&pool, "empty.example", 80, nothing);
    let err = r.wait(LONG).unwrap().unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::NotFound);
    assert!(err.to_string().contains("empty.example"), "{err}");
}

#[test]
fn panicking_lookup_is_an_error_and_the_thread_survives() {
    fn boom(_: &str) -> io::Result<Vec<IpAddr>> {
        panic!("lookup failure under test");
    }
    let pool = pool(1);
    let mut r = start(&pool, "boom", 80, boom);
    assert!(r.wait(LONG).unwrap().is_err());
    let mut after = start(&pool, "after", 81, loopback);
    expect_ok(&mut after);
    assert_eq!(pool.threads().1, 1);
}

#[test]
fn idle_threads_exit() {
    let pool = Pool::new(4, 4, Duration::from_millis(20));
    let mut r = start(&pool, "x", 1, loopback);
    expect_ok(&mut r);
    eventually("the idle thread exits", || pool.threads().0 == 0);
    // And the pool starts a thread again on demand.
    let mut again = start(&pool, "y", 2, loopback);
    expect_ok(&mut again);
}

#[test]
fn bracketed_zone_literal_goes_to_the_lookup_without_brackets() {
    static SEEN: Mutex<String> = Mutex::new(String::new());
    fn record(host: &str) -> io::Result<Vec<IpAddr>> {
        *lock(&SEEN) = host.to_owned();
        loopback(host)
    }
    let pool = pool(1);
    let mut r = start(&pool, "[fe80::1%eth0]", 80, record);
    expect_ok(&mut r);
    assert_eq!(*lock(&SEEN), "fe80::1%eth0");
}

#[test]
fn a_pending_handle_is_answered_from_another_thread() {
    let (mut handle, answer) = ResolveHandle::pending();
    assert!(handle.poll().is_none());
    assert!(!handle.is_answered());
    assert!(!answer.is_abandoned());
    let t = thread::spawn(move || {
        answer.answer(Ok(vec![SocketAddr::from(([127, 0, 0, 1], 5))]));
    });
    assert_eq!(
        expect_ok(&mut handle),
        vec![SocketAddr::from(([127, 0, 0, 1], 5))]
    );
    t.join().unwrap();
    assert!(handle.is_answered());
}

#[test]
fn an_answer_dropped_unanswered_is_an_error_and_a_dropped_handle_abandons() {
    let (mut handle, answer) = ResolveHandle::pending();
    drop(answer);
    let err = handle.poll().unwrap().unwrap_err();
    assert!(err.to_string().contains("without an answer"), "{err}");

    let (handle, answer) = ResolveHandle::pending();
    drop(handle);
    assert!(answer.is_abandoned());
    answer.answer(Ok(Vec::new())); // nobody hears it, nothing breaks
}

#[test]
fn static_answers_by_name_and_port() {
    let a: IpAddr = "192.0.2.1".parse().unwrap();
    let b: IpAddr = "2001:db8::2".parse().unwrap();
    let r = StaticResolver::new()
        .with_ips("h.test", [b, a])
        .with_port_ips("h.test", 8443, [a])
        .with_addrs("moved.test", [SocketAddr::new(a, 9)]);
    let get = |host: &str, port| r.resolve(host, port).poll().unwrap();
    assert_eq!(
        get("H.Test", 80).unwrap(),
        vec![SocketAddr::new(b, 80), SocketAddr::new(a, 80)]
    );
    assert_eq!(get("h.test", 8443).unwrap(), vec![SocketAddr::new(a, 8443)]);
    assert_eq!(get("moved.test", 80).unwrap(), vec![SocketAddr::new(a, 9)]);
    let err = get("other.test", 80).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::NotFound);
    assert!(err.to_string().contains("other.test"), "{err}");
    // With a fallback, unknown names go there.
    let r = r.with_fallback(Arc::new(SystemResolver));
    let addrs = r.resolve("127.0.0.5", 7).poll().unwrap().unwrap();
    assert_eq!(addrs, vec![SocketAddr::from(([127, 0, 0, 5], 7))]);
}

#[test]
fn handles_can_move_between_threads() {
    fn assert_send<T: Send>() {}
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send::<ResolveHandle>();
    assert_send::<ResolveAnswer>();
    assert_send_sync::<StaticResolver>();
    assert_send_sync::<SystemResolver>();
}
