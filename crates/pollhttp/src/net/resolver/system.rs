//! The system's resolver (`getaddrinfo`) on threads of its own, so that no lookup blocks
//! a caller and no slow name holds up the others.
//!
//! A lookup runs on a thread of its own, up to [`MAX_ACTIVE`] at once; threads without
//! work wait [`IDLE_EXIT`] for more, then exit. Lookups of the same name in flight are one
//! lookup. `getaddrinfo` cannot be cancelled: a lookup that every waiter abandoned runs to
//! its end on its thread and its answer is dropped, but it stops counting against
//! [`MAX_ACTIVE`] at once, so abandoned lookups cannot starve new ones. [`MAX_THREADS`]
//! bounds all resolver threads, abandoned lookups included; past it, lookups wait in a
//! queue.

use super::{lock, ResolveHandle, Resolver, Slot, Source};
use crate::net::host::{parse_ip_literal, MAX_HOST_LEN};
use std::collections::{HashMap, VecDeque};
use std::io;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

/// Most lookups that someone waits for running at once, across the whole process. Beyond
/// it lookups queue. Lookups nobody waits for any more do not count.
pub(crate) const MAX_ACTIVE: usize = 64;

/// Most resolver threads alive at once, across the whole process: running lookups
/// (waited for or abandoned) and idle threads.
pub(crate) const MAX_THREADS: usize = 256;

/// How long a resolver thread waits for more work before it exits.
pub(crate) const IDLE_EXIT: Duration = Duration::from_secs(10);

/// The function a thread calls to look a name up: the addresses, in order, without a
/// port (replaced in tests).
pub(crate) type LookupFn = fn(&str) -> io::Result<Vec<IpAddr>>;

/// The operating system's resolver, `getaddrinfo` (the hosts file, DNS, mDNS: whatever
/// the system is set up for), run on resolver threads; the default of every client.
///
/// - IP literals (also `[::1]`) are answered at once, without a thread. An empty host, one
///   longer than 254 bytes, or one holding a NUL byte fails at once
///   ([`io::ErrorKind::InvalidInput`]).
/// - Each lookup runs on a thread of its own, up to 64 lookups at once in the process;
///   more wait in a queue, so thousands of lookups never mean thousands of threads. Idle
///   threads wait 10 s for more work, then exit.
/// - Lookups of the same name while one is in flight share it (one `getaddrinfo`, each
///   answer with its own port).
/// - `getaddrinfo` cannot be cancelled. When every handle of a lookup is dropped (its
///   client timed out, closed or was dropped), the lookup is abandoned: one not started
///   yet is skipped; one running goes on to its end on its thread, its answer is
///   dropped, and it stops counting against the limit of 64 at once, so lookups stuck on
///   a dead DNS server cannot starve the others. At most 256 resolver threads exist in
///   all, abandoned lookups included; past that, lookups wait for a thread.
/// - The answer keeps the system's order (RFC 6724's preference), without duplicates;
///   an empty one is an [`io::ErrorKind::NotFound`] error naming the host.
///
/// ```
/// use pollhttp::{Resolver, SystemResolver};
/// use std::time::Duration;
///
/// let mut lookup = SystemResolver.resolve("localhost", 8080);
/// // A caller's loop would call `poll()` once per frame; here we just wait.
/// match lookup.wait(Some(Duration::from_secs(30))) {
///     Some(Ok(addrs)) => assert!(addrs.iter().all(|a| a.port() == 8080)),
///     Some(Err(e)) => println!("cannot resolve localhost: {e}"),
///     None => println!("still resolving"),
/// }
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SystemResolver;

impl Resolver for SystemResolver {
    fn resolve(&self, host: &str, port: u16) -> ResolveHandle {
        lookup_in(global_pool(), host, port, system_lookup)
    }
}

/// Starts a lookup of `host` in `pool` with `lookup` (the system's, or a test's).
pub(crate) fn lookup_in(
    pool: &Arc<Pool>,
    host: &str,
    port: u16,
    lookup: LookupFn,
) -> ResolveHandle {
    if let Some(ip) = parse_ip_literal(host) {
        return ResolveHandle::ready(Ok(vec![SocketAddr::new(ip, port)]));
    }
    let invalid = |why: String| {
        ResolveHandle::ready(Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("invalid host name: {why}"),
        )))
    };
    if host.is_empty() {
        return invalid("empty".into());
    }
    if host.len() > MAX_HOST_LEN {
        return invalid(format!("longer than {MAX_HOST_LEN} bytes"));
    }
    if host.contains('\0') {
        return invalid("contains a NUL byte".into());
    }
    // A bracketed IPv6 literal with a zone reaches getaddrinfo without its brackets.
    let name = match host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        Some(inner) if inner.contains(':') => inner,
        _ => host,
    };
    pool.submit(name, port, lookup)
}

/// The lookup a thread runs: the system resolver (`getaddrinfo`), duplicates removed,
/// order kept (it is the system's preference order).
fn system_lookup(host: &str) -> io::Result<Vec<IpAddr>> {
    let mut ips: Vec<IpAddr> = Vec::new();
    for addr in (host, 0).to_socket_addrs()? {
        if !ips.contains(&addr.ip()) {
            ips.push(addr.ip());
        }
    }
    Ok(ips)
}

/// One lookup, queued or running, shared by its handles and the pool.
pub(crate) struct Job {
    name: String,
    lookup: LookupFn,
    slot: Slot,
    /// Counted in [`PoolState::active`]: running, and someone waits for it. Read and
    /// written under the pool's lock only.
    counted: AtomicBool,
}

impl Job {
    fn key(&self) -> Key {
        key(&self.name, self.lookup)
    }
}

/// Lookups are shared by name (as DNS compares names: without regard to ASCII case) and
/// lookup function.
type Key = (String, usize);

fn key(name: &str, lookup: LookupFn) -> Key {
    (name.to_ascii_lowercase(), lookup as usize)
}

/// A handle's hold on a lookup of the pool.
pub(super) struct Waiter {
    job: Arc<Job>,
    pool: Arc<Pool>,
}

impl Waiter {
    pub(super) fn slot(&self) -> &Slot {
        &self.job.slot
    }

    /// The handle is gone: the last one abandons a lookup still running.
    pub(super) fn release(&self) {
        let spawn = {
            let mut st = lock(&self.pool.state);
            let left = self.job.slot.release();
            if left > 0 || !self.job.counted.load(Ordering::Relaxed) {
                return;
            }
            // Running with nobody waiting: its thread goes on, outside the limit.
            self.job.counted.store(false, Ordering::Relaxed);
            st.active -= 1;
            st.abandoned += 1;
            self.pool.wake_or_spawn(&mut st)
        };
        if spawn {
            self.pool.spawn();
        }
    }
}

/// The resolver threads and their queue.
pub(crate) struct Pool {
    state: Mutex<PoolState>,
    work: Condvar,
    max_active: usize,
    max_threads: usize,
    idle_exit: Duration,
}

#[derive(Default)]
struct PoolState {
    queue: VecDeque<Arc<Job>>,
    /// Lookups queued or running, for sharing.
    in_flight: HashMap<Key, Arc<Job>>,
    /// Threads alive (including ones being started).
    threads: usize,
    /// Threads alive that run no lookup (waiting for work, or being started).
    idle: usize,
    /// Lookups running that someone waits for.
    active: usize,
    /// Lookups abandoned while running, ever (for tests).
    abandoned: usize,
    /// Most threads alive at once, and most active lookups at once (for tests).
    peak_threads: usize,
    peak_active: usize,
}

pub(crate) fn global_pool() -> &'static Arc<Pool> {
    static POOL: OnceLock<Arc<Pool>> = OnceLock::new();
    POOL.get_or_init(|| Pool::new(MAX_ACTIVE, MAX_THREADS, IDLE_EXIT))
}

impl Pool {
    pub(crate) fn new(max_active: usize, max_threads: usize, idle_exit: Duration) -> Arc<Pool> {
        Arc::new(Pool {
            state: Mutex::new(PoolState::default()),
            work: Condvar::new(),
            max_active: max_active.max(1),
            max_threads: max_threads.max(1),
            idle_exit,
        })
    }

    fn submit(self: &Arc<Self>, name: &str, port: u16, lookup: LookupFn) -> ResolveHandle {
        let (job, spawn) = {
            let mut st = lock(&self.state);
            if let Some(job) = st.in_flight.get(&key(name, lookup)) {
                job.slot.add_handle();
                let job = Arc::clone(job);
                drop(st);
                return self.handle(job, port);
            }
            let job = Arc::new(Job {
                name: name.to_owned(),
                lookup,
                slot: Slot::new(1),
                counted: AtomicBool::new(false),
            });
            st.in_flight.insert(job.key(), Arc::clone(&job));
            st.queue.push_back(Arc::clone(&job));
            let spawn = self.wake_or_spawn(&mut st);
            (job, spawn)
        };
        if spawn {
            self.spawn();
        }
        self.handle(job, port)
    }

    fn handle(self: &Arc<Self>, job: Arc<Job>, port: u16) -> ResolveHandle {
        let waiter = Waiter {
            job,
            pool: Arc::clone(self),
        };
        ResolveHandle::waiting(Source::System(waiter), Some(port))
    }

    /// Work is queued: wakes an idle thread, or says to start one (already counted) when
    /// the queue has more runnable lookups than idle threads and the limits allow it.
    fn wake_or_spawn(&self, st: &mut PoolState) -> bool {
        if st.queue.is_empty() || st.active >= self.max_active {
            return false;
        }
        let runnable = st.queue.len().min(self.max_active - st.active);
        if runnable > st.idle && st.threads < self.max_threads {
            st.threads += 1;
            st.idle += 1;
            st.peak_threads = st.peak_threads.max(st.threads);
            return true;
        }
        self.work.notify_one();
        false
    }

    /// Starts a thread counted by [`wake_or_spawn`](Pool::wake_or_spawn).
    fn spawn(self: &Arc<Self>) {
        let pool = Arc::clone(self);
        let spawned = thread::Builder::new()
            .name("pollhttp-resolver".into())
            .spawn(move || pool.worker());
        let Err(e) = spawned else {
            return;
        };
        let orphans: Vec<Arc<Job>> = {
            let mut st = lock(&self.state);
            st.threads -= 1;
            st.idle -= 1;
            // With no thread left the queue would never drain: fail it instead.
            if st.threads > 0 {
                return;
            }
            let orphans: Vec<Arc<Job>> = st.queue.drain(..).collect();
            for job in &orphans {
                st.in_flight.remove(&job.key());
            }
            orphans
        };
        for job in orphans {
            job.slot.fill(Err(io::Error::new(
                e.kind(),
                format!("cannot start a resolver thread: {e}"),
            )));
        }
    }

    fn worker(&self) {
        let mut st = lock(&self.state);
        loop {
            let job = if st.active < self.max_active {
                st.queue.pop_front()
            } else {
                None
            };
            if let Some(job) = job {
                if job.slot.handles() == 0 {
                    // Abandoned before it started: skipped.
                    remove_in_flight(&mut st, &job);
                    continue;
                }
                st.idle -= 1;
                st.active += 1;
                st.peak_active = st.peak_active.max(st.active);
                job.counted.store(true, Ordering::Relaxed);
                drop(st);
                let result = run(&job);
                st = lock(&self.state);
                if job.counted.swap(false, Ordering::Relaxed) {
                    st.active -= 1;
                }
                remove_in_flight(&mut st, &job);
                // Under the pool's lock, so that no new handle joins a finished lookup.
                job.slot.fill(result);
                st.idle += 1;
                continue;
            }
            let deadline = Instant::now().checked_add(self.idle_exit);
            loop {
                if !st.queue.is_empty() && st.active < self.max_active {
                    break;
                }
                let left = match deadline {
                    Some(d) => d.saturating_duration_since(Instant::now()),
                    None => Duration::from_secs(3600),
                };
                if left.is_zero() {
                    st.idle -= 1;
                    st.threads -= 1;
                    return;
                }
                st = self
                    .work
                    .wait_timeout(st, left)
                    .unwrap_or_else(|e| e.into_inner())
                    .0;
            }
        }
    }

    /// Threads alive, and the most alive at once.
    #[cfg(test)]
    pub(crate) fn threads(&self) -> (usize, usize) {
        let st = lock(&self.state);
        (st.threads, st.peak_threads)
    }

    /// Active lookups now, the most at once, and lookups abandoned while running.
    #[cfg(test)]
    pub(crate) fn lookups(&self) -> (usize, usize, usize) {
        let st = lock(&self.state);
        (st.active, st.peak_active, st.abandoned)
    }
}

fn remove_in_flight(st: &mut PoolState, job: &Arc<Job>) {
    let key = job.key();
    if st.in_flight.get(&key).is_some_and(|j| Arc::ptr_eq(j, job)) {
        st.in_flight.remove(&key);
    }
}

/// Runs the lookup: a panic is an error, an empty answer is `NotFound` naming the host.
fn run(job: &Job) -> io::Result<Vec<SocketAddr>> {
    let result = catch_unwind(AssertUnwindSafe(|| (job.lookup)(&job.name)))
        .unwrap_or_else(|_| Err(io::Error::other("the name lookup panicked")));
    match result {
        Ok(ips) if ips.is_empty() => Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!("no addresses found for host {}", job.name),
        )),
        Ok(ips) => Ok(ips.into_iter().map(|ip| SocketAddr::new(ip, 0)).collect()),
        Err(e) => Err(e),
    }
}
