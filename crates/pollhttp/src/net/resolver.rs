//! Name resolution that never blocks the caller: the [`Resolver`] a client asks for a
//! host's addresses, the [`ResolveHandle`] its answer comes through (now or later), and
//! the two resolvers that come with the crate: [`SystemResolver`] (the default,
//! `getaddrinfo` on resolver threads) and [`StaticResolver`] (fixed answers).

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

mod fixed;
mod system;

pub use fixed::StaticResolver;
pub use system::SystemResolver;

/// Locks a mutex, ignoring poisoning: every critical section here leaves the state
/// consistent, and lookups themselves run outside the locks.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// What a client asks for a host's addresses: the system's resolver by default
/// ([`SystemResolver`]), fixed answers ([`StaticResolver`]), or a resolver of your own
/// (your DNS client, a service registry, a cache). Set it per client with
/// [`HttpClient::set_resolver`](crate::HttpClient::set_resolver) or
/// [`HttpRequest::set_resolver`](crate::HttpRequest::set_resolver).
///
/// [`resolve`](Resolver::resolve) must not block: it returns a [`ResolveHandle`] at once,
/// answered already ([`ResolveHandle::ready`]) or later, from any thread or from your own
/// loop, through the [`ResolveAnswer`] that [`ResolveHandle::pending`] pairs with it. The
/// client polls the handle from its `poll()`, and its `wait()` sleeps on it. No async
/// runtime is involved.
///
/// The client asks only for names: IP literals are connected to without a lookup. The
/// answer's order is the order of preference (the client interleaves IPv6 and IPv4 from
/// there, see [`Timeouts::attempt_delay`](crate::Timeouts::attempt_delay)); its ports are
/// used as given, so a resolver may send a name to another port (as curl's
/// `--connect-to`). An empty answer is a resolve failure.
///
/// A closure `Fn(&str, u16) -> ResolveHandle` is a resolver too:
///
/// ```
/// use pollhttp::{HttpClient, ResolveHandle};
/// use std::net::SocketAddr;
/// use std::sync::Arc;
///
/// let mut http = HttpClient::new();
/// http.set_resolver(Arc::new(|host: &str, port: u16| {
///     if host == "api.internal" {
///         ResolveHandle::ready(Ok(vec![SocketAddr::from(([10, 0, 0, 7], port))]))
///     } else {
///         pollhttp::SystemResolver.resolve(host, port)
///     }
/// }));
/// # use pollhttp::Resolver;
/// ```
///
/// An answer that comes later, from a thread of yours:
///
/// ```
/// use pollhttp::{ResolveHandle, Resolver};
/// use std::net::SocketAddr;
///
/// struct Slow;
/// impl Resolver for Slow {
///     fn resolve(&self, _host: &str, port: u16) -> ResolveHandle {
///         let (handle, answer) = ResolveHandle::pending();
///         std::thread::spawn(move || {
///             std::thread::sleep(std::time::Duration::from_millis(20));
///             answer.answer(Ok(vec![SocketAddr::from(([127, 0, 0, 1], port))]));
///         });
///         handle
///     }
/// }
///
/// let mut lookup = Slow.resolve("anything", 8080);
/// let addrs = lookup.wait(None).unwrap()?;
/// assert_eq!(addrs, vec![SocketAddr::from(([127, 0, 0, 1], 8080))]);
/// # Ok::<(), std::io::Error>(())
/// ```
pub trait Resolver: Send + Sync {
    /// Starts looking up `host` for a connection to `port`; never blocks.
    fn resolve(&self, host: &str, port: u16) -> ResolveHandle;
}

impl<F> Resolver for F
where
    F: Fn(&str, u16) -> ResolveHandle + Send + Sync,
{
    fn resolve(&self, host: &str, port: u16) -> ResolveHandle {
        self(host, port)
    }
}

/// The answer to one lookup, as a [`Resolver`] returns it: ready now, or pending until
/// its [`ResolveAnswer`] (or the system resolver's thread) gives it.
///
/// [`poll`](ResolveHandle::poll) checks for the answer without blocking and
/// [`wait`](ResolveHandle::wait) sleeps until it arrives. Once answered, every later call
/// returns the same answer again (an error as an equivalent error: same kind, message
/// and OS error code).
///
/// Dropping the handle abandons the lookup: the one who answers can see it
/// ([`ResolveAnswer::is_abandoned`]), and the system resolver lets it go (see
/// [`SystemResolver`]).
pub struct ResolveHandle {
    state: HandleState,
}

enum HandleState {
    Done(io::Result<Vec<SocketAddr>>),
    Waiting {
        source: Source,
        /// The port to put on every address of the answer (the system resolver answers
        /// for all ports at once); `None` keeps the answer's ports.
        port: Option<u16>,
    },
}

/// Who fills the slot a waiting handle looks at.
enum Source {
    /// A [`ResolveAnswer`].
    Answer(Arc<Slot>),
    /// A lookup of the system resolver, maybe shared with other handles.
    System(system::Waiter),
}

impl Source {
    fn slot(&self) -> &Slot {
        match self {
            Source::Answer(slot) => slot,
            Source::System(w) => w.slot(),
        }
    }
}

impl Drop for Source {
    fn drop(&mut self) {
        match self {
            Source::Answer(slot) => {
                slot.release();
            }
            Source::System(w) => w.release(),
        }
    }
}

impl ResolveHandle {
    /// A handle answered already: what a resolver with the answer at hand returns.
    pub fn ready(result: io::Result<Vec<SocketAddr>>) -> ResolveHandle {
        ResolveHandle {
            state: HandleState::Done(result),
        }
    }

    /// A handle to be answered later, and the [`ResolveAnswer`] that answers it (from any
    /// thread: it is `Send`). An answer dropped without answering answers with an error.
    pub fn pending() -> (ResolveHandle, ResolveAnswer) {
        let slot = Arc::new(Slot::new(1));
        let handle = ResolveHandle::waiting(Source::Answer(Arc::clone(&slot)), None);
        (handle, ResolveAnswer { slot: Some(slot) })
    }

    fn waiting(source: Source, port: Option<u16>) -> ResolveHandle {
        ResolveHandle {
            state: HandleState::Waiting { source, port },
        }
    }

    /// The answer if there is one, `None` while the lookup goes on; never blocks.
    pub fn poll(&mut self) -> Option<io::Result<Vec<SocketAddr>>> {
        if let HandleState::Waiting { source, port } = &self.state {
            let answer = source.slot().peek()?;
            self.state = HandleState::Done(with_port(answer, *port));
        }
        self.cached()
    }

    /// Blocks until the answer arrives or `timeout` passes (`None`: no limit), then
    /// returns what [`poll`](ResolveHandle::poll) would: `None` means no answer yet.
    pub fn wait(&mut self, timeout: Option<Duration>) -> Option<io::Result<Vec<SocketAddr>>> {
        if let HandleState::Waiting { source, port } = &self.state {
            let answer = source.slot().wait(timeout)?;
            self.state = HandleState::Done(with_port(answer, *port));
        }
        self.cached()
    }

    /// Whether the answer is in (then [`poll`](ResolveHandle::poll) returns it).
    pub fn is_answered(&self) -> bool {
        match &self.state {
            HandleState::Done(_) => true,
            HandleState::Waiting { source, .. } => source.slot().is_answered(),
        }
    }

    fn cached(&self) -> Option<io::Result<Vec<SocketAddr>>> {
        match &self.state {
            HandleState::Waiting { .. } => None,
            HandleState::Done(Ok(addrs)) => Some(Ok(addrs.clone())),
            HandleState::Done(Err(e)) => Some(Err(crate::error::copy_io_error(e))),
        }
    }
}

impl fmt::Debug for ResolveHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("ResolveHandle");
        match &self.state {
            HandleState::Waiting { .. } => d.field("state", &"pending"),
            HandleState::Done(result) => d.field("result", result),
        };
        d.finish()
    }
}

/// Puts `port` on every address, when given.
fn with_port(
    answer: io::Result<Vec<SocketAddr>>,
    port: Option<u16>,
) -> io::Result<Vec<SocketAddr>> {
    let mut addrs = answer?;
    if let Some(port) = port {
        for a in &mut addrs {
            a.set_port(port);
        }
    }
    Ok(addrs)
}

/// Answers the [`ResolveHandle`] it was made with ([`ResolveHandle::pending`]); `Send`,
/// so a thread or loop of yours can hold it until it knows.
pub struct ResolveAnswer {
    /// `None` once answered.
    slot: Option<Arc<Slot>>,
}

impl ResolveAnswer {
    /// Gives the answer: the addresses in order of preference, or why there are none.
    pub fn answer(mut self, result: io::Result<Vec<SocketAddr>>) {
        if let Some(slot) = self.slot.take() {
            slot.fill(result);
        }
    }

    /// Whether nobody waits for the answer any more (the handle was dropped: the client
    /// gave up, closed or timed out), so the lookup may be skipped.
    pub fn is_abandoned(&self) -> bool {
        self.slot.as_ref().is_none_or(|s| s.is_abandoned())
    }
}

impl Drop for ResolveAnswer {
    fn drop(&mut self) {
        if let Some(slot) = self.slot.take() {
            slot.fill(Err(io::Error::other(
                "the resolver dropped the lookup without an answer",
            )));
        }
    }
}

impl fmt::Debug for ResolveAnswer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResolveAnswer")
            .field("abandoned", &self.is_abandoned())
            .finish()
    }
}

/// Where an answer lands: shared by the handles waiting for it and whoever answers.
pub(crate) struct Slot {
    state: Mutex<SlotState>,
    done: Condvar,
}

struct SlotState {
    answer: Option<io::Result<Vec<SocketAddr>>>,
    /// Handles that have not been dropped.
    handles: usize,
}

impl Slot {
    fn new(handles: usize) -> Slot {
        Slot {
            state: Mutex::new(SlotState {
                answer: None,
                handles,
            }),
            done: Condvar::new(),
        }
    }

    /// Stores the first answer and wakes the waiters; later answers are ignored.
    fn fill(&self, answer: io::Result<Vec<SocketAddr>>) {
        let mut st = lock(&self.state);
        if st.answer.is_none() {
            st.answer = Some(answer);
            self.done.notify_all();
        }
    }

    fn peek(&self) -> Option<io::Result<Vec<SocketAddr>>> {
        copy_answer(lock(&self.state).answer.as_ref()?)
    }

    fn wait(&self, timeout: Option<Duration>) -> Option<io::Result<Vec<SocketAddr>>> {
        // A deadline too far away to represent is no deadline.
        let deadline = timeout.and_then(|t| Instant::now().checked_add(t));
        let mut st = lock(&self.state);
        loop {
            if let Some(answer) = &st.answer {
                return copy_answer(answer);
            }
            st = match deadline {
                None => self.done.wait(st).unwrap_or_else(|e| e.into_inner()),
                Some(deadline) => {
                    let left = deadline.checked_duration_since(Instant::now())?;
                    if left.is_zero() {
                        return None;
                    }
                    self.done
                        .wait_timeout(st, left)
                        .unwrap_or_else(|e| e.into_inner())
                        .0
                }
            };
        }
    }

    fn is_answered(&self) -> bool {
        lock(&self.state).answer.is_some()
    }

    /// Nobody waits for an answer that has not come.
    fn is_abandoned(&self) -> bool {
        let st = lock(&self.state);
        st.handles == 0 && st.answer.is_none()
    }

    fn add_handle(&self) {
        lock(&self.state).handles += 1;
    }

    /// A handle is gone; returns how many remain.
    fn release(&self) -> usize {
        let mut st = lock(&self.state);
        st.handles = st.handles.saturating_sub(1);
        st.handles
    }

    fn handles(&self) -> usize {
        lock(&self.state).handles
    }
}

fn copy_answer(answer: &io::Result<Vec<SocketAddr>>) -> Option<io::Result<Vec<SocketAddr>>> {
    Some(match answer {
        Ok(addrs) => Ok(addrs.clone()),
        Err(e) => Err(crate::error::copy_io_error(e)),
    })
}

#[cfg(test)]
mod tests;
