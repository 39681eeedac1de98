//! Host name lookups that never block the caller.
//!
//! `getaddrinfo` can take seconds, so lookups run on a small shared pool of threads: at
//! most [`MAX_WORKERS`], spawned only when work is queued and no thread is free, each
//! leaving after [`IDLE_EXIT`] without work. Lookups wait in a queue, so thousands of
//! them never mean thousands of threads, and a slow lookup holds one thread only.

use super::host::{parse_ip_literal, MAX_HOST_LEN};
use std::collections::VecDeque;
use std::fmt;
use std::io;
use std::net::{SocketAddr, ToSocketAddrs};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

/// Most resolver threads alive at once, across the whole process.
const MAX_WORKERS: usize = 4;

/// How long a resolver thread waits for more work before it exits.
const IDLE_EXIT: Duration = Duration::from_secs(30);

/// The function a worker calls to look a name up (replaced in tests).
type Lookup = fn(&str, u16) -> io::Result<Vec<SocketAddr>>;

/// Locks a mutex, ignoring poisoning: every critical section here leaves the state
/// consistent, and lookups themselves run outside the locks.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// One name lookup in progress on the resolver threads.
///
/// [`start`](Resolve::start) queues the lookup and returns at once;
/// [`poll`](Resolve::poll) checks for the answer without blocking;
/// [`wait`](Resolve::wait) sleeps until it arrives. IP literals (see
/// [`parse_ip_literal`]) are answered at once without any thread.
///
/// Dropping a `Resolve` cancels it: a lookup not yet started is skipped, and the answer
/// of one already running is thrown away when it ends.
///
/// ```text
/// use pollhttp::net::Resolve;
/// use std::time::Duration;
///
/// let mut lookup = Resolve::start("localhost", 8080);
/// // A caller's loop would call `poll()` once per frame; here we just wait.
/// match lookup.wait(Some(Duration::from_secs(30))) {
///     Some(Ok(addrs)) => assert!(addrs.iter().all(|a| a.port() == 8080)),
///     Some(Err(e)) => println!("cannot resolve {}: {e}", lookup.host()),
///     None => println!("still resolving"),
/// }
/// ```
pub struct Resolve {
    host: String,
    state: State,
}

enum State {
    Pending(Arc<Job>),
    Done(io::Result<Vec<SocketAddr>>),
}

impl Resolve {
    /// Starts looking up `host` for `port`; never blocks.
    ///
    /// `host` is a name, an IP literal, or an IPv6 literal in brackets (with or without a
    /// zone, as in `[fe80::1%eth0]`). An empty host, one longer than [`MAX_HOST_LEN`]
    /// (254) bytes or one containing a NUL byte fails at once with
    /// [`io::ErrorKind::InvalidInput`].
    pub fn start(host: &str, port: u16) -> Resolve {
        Resolve::start_in(global_pool(), host, port, system_lookup)
    }

    fn start_in(pool: &Arc<Pool>, host: &str, port: u16, lookup: Lookup) -> Resolve {
        let done = |result| Resolve {
            host: host.to_owned(),
            state: State::Done(result),
        };
        if let Some(ip) = parse_ip_literal(host) {
            return done(Ok(vec![SocketAddr::new(ip, port)]));
        }
        let invalid = |why: String| {
            done(Err(io::Error::new(
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
        let job = Arc::new(Job {
            name: name.to_owned(),
            port,
            lookup,
            state: Mutex::new(JobState::default()),
            done: Condvar::new(),
        });
        pool.submit(Arc::clone(&job));
        Resolve {
            host: host.to_owned(),
            state: State::Pending(job),
        }
    }

    /// Returns the answer if the lookup has finished, `None` while it is still running;
    /// never blocks.
    ///
    /// Once finished, every later call (and [`wait`](Resolve::wait)) returns the same
    /// answer again: the addresses, or an error of the same kind and message (the same OS
    /// error code when there is one). An answer is never empty: no address is an
    /// [`io::ErrorKind::NotFound`] error naming the host.
    pub fn poll(&mut self) -> Option<io::Result<Vec<SocketAddr>>> {
        if let State::Pending(job) = &self.state {
            let result = lock(&job.state).result.take()?;
            self.state = State::Done(result);
        }
        self.cached()
    }

    /// Blocks until the lookup finishes or `timeout` passes (`None`: no limit), then
    /// returns what [`poll`](Resolve::poll) would: `None` means still running.
    pub fn wait(&mut self, timeout: Option<Duration>) -> Option<io::Result<Vec<SocketAddr>>> {
        if let State::Pending(job) = &self.state {
            // A deadline too far away to represent is no deadline.
            let deadline = timeout.and_then(|t| Instant::now().checked_add(t));
            let mut st = lock(&job.state);
            let result = loop {
                if let Some(result) = st.result.take() {
                    break result;
                }
                st = match deadline {
                    None => job.done.wait(st).unwrap_or_else(|e| e.into_inner()),
                    Some(deadline) => {
                        let now = Instant::now();
                        if now >= deadline {
                            return None;
                        }
                        job.done
                            .wait_timeout(st, deadline - now)
                            .unwrap_or_else(|e| e.into_inner())
                            .0
                    }
                };
            };
            drop(st);
            self.state = State::Done(result);
        }
        self.cached()
    }

    /// The host name as given to [`start`](Resolve::start).
    pub fn host(&self) -> &str {
        &self.host
    }

    fn cached(&self) -> Option<io::Result<Vec<SocketAddr>>> {
        match &self.state {
            State::Pending(_) => None,
            State::Done(Ok(addrs)) => Some(Ok(addrs.clone())),
            State::Done(Err(e)) => Some(Err(crate::error::copy_io_error(e))),
        }
    }
}

impl Drop for Resolve {
    fn drop(&mut self) {
        if let State::Pending(job) = &self.state {
            let mut st = lock(&job.state);
            st.cancelled = true;
            st.result = None;
        }
    }
}

impl fmt::Debug for Resolve {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Resolve");
        d.field("host", &self.host);
        match &self.state {
            State::Pending(_) => d.field("state", &"pending"),
            State::Done(result) => d.field("result", result),
        };
        d.finish()
    }
}

/// The lookup a worker runs: the system resolver (`getaddrinfo`), duplicates removed,
/// order kept (it is the system's preference order).
fn system_lookup(host: &str, port: u16) -> io::Result<Vec<SocketAddr>> {
    let mut addrs: Vec<SocketAddr> = Vec::new();
    for addr in (host, port).to_socket_addrs()? {
        if !addrs.contains(&addr) {
            addrs.push(addr);
        }
    }
    Ok(addrs)
}

/// One queued lookup, shared by its [`Resolve`] and the pool.
struct Job {
    name: String,
    port: u16,
    lookup: Lookup,
    state: Mutex<JobState>,
    done: Condvar,
}

#[derive(Default)]
struct JobState {
    cancelled: bool,
    result: Option<io::Result<Vec<SocketAddr>>>,
}

impl Job {
    fn run(&self) {
        if lock(&self.state).cancelled {
            return;
        }
        let result = catch_unwind(AssertUnwindSafe(|| (self.lookup)(&self.name, self.port)))
            .unwrap_or_else(|_| Err(io::Error::other("the name lookup panicked")));
        let result = match result {
            Ok(addrs) if addrs.is_empty() => Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!("no addresses found for host {}", self.name),
            )),
            other => other,
        };
        self.finish(result);
    }

    fn finish(&self, result: io::Result<Vec<SocketAddr>>) {
        let mut st = lock(&self.state);
        if !st.cancelled {
            st.result = Some(result);
            self.done.notify_all();
        }
    }
}

/// The resolver threads and their queue.
struct Pool {
    state: Mutex<PoolState>,
    work: Condvar,
    max_workers: usize,
    idle_exit: Duration,
}

#[derive(Default)]
struct PoolState {
    queue: VecDeque<Arc<Job>>,
    /// Threads alive (including ones being spawned).
    workers: usize,
    /// Threads waiting for work.
    idle: usize,
    /// Most threads ever alive at once, for tests.
    peak_workers: usize,
}

fn global_pool() -> &'static Arc<Pool> {
    static POOL: OnceLock<Arc<Pool>> = OnceLock::new();
    POOL.get_or_init(|| Pool::new(MAX_WORKERS, IDLE_EXIT))
}

impl Pool {
    fn new(max_workers: usize, idle_exit: Duration) -> Arc<Pool> {
        Arc::new(Pool {
            state: Mutex::new(PoolState::default()),
            work: Condvar::new(),
            max_workers: max_workers.max(1),
            idle_exit,
        })
    }

    fn submit(self: &Arc<Self>, job: Arc<Job>) {
        let spawn = {
            let mut st = lock(&self.state);
            st.queue.push_back(job);
            // Each idle thread will take one queued job; spawn only for the excess.
            if st.queue.len() > st.idle && st.workers < self.max_workers {
                st.workers += 1;
                st.peak_workers = st.peak_workers.max(st.workers);
                true
            } else {
                self.work.notify_one();
                false
            }
        };
        if !spawn {
            return;
        }
        let pool = Arc::clone(self);
        let spawned = thread::Builder::new()
            .name("pollhttp-resolver".into())
            .spawn(move || pool.worker());
        if let Err(e) = spawned {
            let orphans: Vec<Arc<Job>> = {
                let mut st = lock(&self.state);
                st.workers -= 1;
                // With no thread left the queue would never drain: fail it instead.
                if st.workers == 0 {
                    st.queue.drain(..).collect()
                } else {
                    Vec::new()
                }
            };
            for job in orphans {
                job.finish(Err(io::Error::new(
                    e.kind(),
                    format!("cannot start a resolver thread: {e}"),
                )));
            }
        }
    }

    fn worker(&self) {
        let mut st = lock(&self.state);
        loop {
            if let Some(job) = st.queue.pop_front() {
                drop(st);
                job.run();
                drop(job);
                st = lock(&self.state);
                continue;
            }
            st.idle += 1;
            let deadline = Instant::now().checked_add(self.idle_exit);
            while st.queue.is_empty() {
                let wait = match deadline {
                    Some(deadline) => match deadline.checked_duration_since(Instant::now()) {
                        Some(left) if !left.is_zero() => left,
                        _ => break,
                    },
                    None => Duration::from_secs(3600),
                };
                st = self
                    .work
                    .wait_timeout(st, wait)
                    .unwrap_or_else(|e| e.into_inner())
                    .0;
            }
            st.idle -= 1;
            if st.queue.is_empty() {
                st.workers -= 1;
                return;
            }
        }
    }

    #[cfg(test)]
    fn counts(&self) -> (usize, usize) {
        let st = lock(&self.state);
        (st.workers, st.peak_workers)
    }
}

#[cfg(test)]
mod tests;
