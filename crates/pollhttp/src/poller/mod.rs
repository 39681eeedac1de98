//! [`Poller`]: one thread waiting on many clients at once, waking only for the ready ones.
//!
//! What is shared by every system lives here: the slots and their tokens, the clients
//! reported every tick (resolving, or over a stream without a socket), the clients
//! reported at once (input already received), and the deadline queue (`deadlines.rs`).
//! How the sockets are watched is the system's part:
//!
//! - Unix (`mio_set.rs`): the system's readiness set through `mio` (epoll on Linux, kqueue
//!   on the BSDs and macOS), which holds each client's descriptor between polls, so that
//!   a poll costs one system call whatever the number of clients and idle clients cost
//!   nothing.
//! - Windows (`wsapoll.rs`): one `WSAPoll` over every watched socket per wait, on
//!   duplicates of the sockets that the clients keep (see [`HttpClient`]'s
//!   `shared_sockets`): mio watches only sockets it owns, and a socket named by its
//!   number would take `unsafe` code. A wait costs time in proportion to the number of
//!   clients, as `poll(2)` does.
//!
//! A silent server never makes a socket ready, so the poller also keeps each client's
//! [`next_deadline`](HttpClient::next_deadline) (taken at `register` and `update`) in a
//! deadline queue (`deadlines.rs`), and reports the client once that instant has
//! passed: its `poll()` then turns the expired [timeout](crate::Timeouts) into
//! CONNECTION_ERROR. A poll looks only at the front of the queue, and a deadline that
//! merely moves later (as every request moves a client's clocks) costs the queue nothing:
//! clients whose deadline is far away cost nothing per poll or per request.

use crate::{HttpClient, Status};
use deadlines::DeadlineQueue;
use std::io;
use std::time::{Duration, Instant};
pub use token::Token;

#[cfg(unix)]
use mio_set::Readiness;
#[cfg(windows)]
use wsapoll::Readiness;

/// No slot: the index a slot never has, so that the system's part can mark a socket
/// number as unowned.
const NO_SLOT: u32 = u32::MAX;

/// How one client is being watched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Watch {
    /// Nothing to wait for (disconnected or failed): never reported.
    Parked,
    /// Reported every tick (resolving, or a stream without a socket).
    Tick,
    /// Its sockets are watched by the system's part (`Readiness`).
    Socket,
}

struct Slot {
    generation: u32,
    used: bool,
    watch: Watch,
    /// The client's connection serial when last seen: a new one means a new socket even if
    /// the descriptor number is the same.
    serial: u64,
    /// Position in `Poller::ticking` while `watch` is `Tick`.
    tick_pos: usize,
    /// Queued in `Poller::soon`.
    soon: bool,
    /// `Poller::round` of the last poll that reported this slot (no duplicates).
    reported: u64,
}

/// Waits on many [`HttpClient`]s from one thread and says which ones have something to do.
///
/// A caller registers each client, then loops: [`poll`](Poller::poll) fills a list of
/// ready tokens; for each, the caller drives that client (`poll()`, reads the body, sends
/// the next request) and then calls [`update`](Poller::update), which follows the client's
/// socket (a new descriptor after a reconnect) and what it waits for (writing the request,
/// reading the response). A keep-alive request costs the poller no system call of its own
/// beyond its share of the one wait that serves every ready client. On Unix clients with
/// nothing to do cost nothing per poll; on Windows each wait passes their sockets to the
/// system (see [Windows](#windows)).
///
/// `update` must be called after every call that may change a client's status (`poll`,
/// `request`, body reads, `connect_to_host`, `close`), before the next
/// [`poll`](Poller::poll) of the poller; a client not updated may be missed.
///
/// A client with a running [timeout](crate::Timeouts) is reported once its
/// [`next_deadline`](HttpClient::next_deadline) has passed, even if its socket stays
/// silent, so that the caller's `poll()` fails it with [`Reason::Timeout`](crate::Reason).
///
/// Clients being resolved have no socket yet: while any is registered, `poll` waits at
/// most [`TICK`](Poller::TICK) and reports them every tick, so that the caller sees the
/// resolver's answer. A client whose input is already received (see
/// [`HttpClient::has_pending_input`]) is reported by the next `poll` without waiting.
///
/// An idle keep-alive connection is reported when the server closes it, so that the
/// caller's `poll()` turns it into CONNECTION_ERROR. One case is seen only at the next
/// request, as with any client that reuses connections: a close that had already arrived
/// when the last response was read (the readiness was used up by that read).
///
/// ```no_run
/// use pollhttp::{HttpClient, Method, Poller, Status};
/// use std::time::Duration;
///
/// let mut poller = Poller::new()?;
/// let mut clients = Vec::new();
/// for _ in 0..100 {
///     let mut c = HttpClient::new();
///     c.connect_to_host("127.0.0.1", Some(8080), None)?;
///     let token = poller.register(&c)?;
///     assert_eq!(token.index(), clients.len());
///     clients.push(c);
/// }
/// let mut ready = Vec::new();
/// let mut body = vec![0u8; 64 * 1024];
/// for _ in 0..1000 {
///     poller.poll(&mut ready, Some(Duration::from_secs(1)))?;
///     for &token in &ready {
///         let c = &mut clients[token.index()];
///         let before = c.status();
///         if c.poll().is_err() {
///             // Failed: `c.status()` and `c.last_error()` say how.
///         }
///         while c.status() == Status::Body {
///             match c.read_response_body_into(&mut body) {
///                 Ok(0) | Err(_) => break,
///                 Ok(n) => println!("{n} body bytes"),
///             }
///         }
///         if c.status() == Status::Connected && before != Status::Connected {
///             // Just connected, or a response just ended: send the next request.
///             c.request(Method::Get, "/", &[] as &[&str], "")?;
///         }
///         poller.update(token, c)?;
///     }
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Windows
///
/// The same calls, with `WSAPoll` doing the waiting: one call per wait over the sockets of
/// every registered client (each of the connect attempts of a client racing several
/// addresses), with the nearest client deadline as its timeout. Where mio's readiness on
/// Unix is edge-triggered, `WSAPoll`'s is level-triggered: a client is polled for exactly
/// what it waits for and reported for as long as that holds (a body left in the socket),
/// and the wait's cost grows with the number of clients, as `poll(2)`'s does: it is meant
/// for hundreds of connections, not tens of thousands.
///
/// The poller never names a socket by its number: each client lends it duplicates of its
/// sockets (`WSADuplicateSocketW`, made once per socket at `register` or `update`), which
/// the client closes with the sockets they stand for. So a client closed or dropped
/// without telling the poller closes its connection all the same, as on Unix. A caller's
/// own stream is watched through `StreamPeer::socket` (a method of Windows builds only);
/// without it, the client is reported every [`TICK`](Poller::TICK).
///
/// # Errors
///
/// The poller's calls fail with the system's [`io::Error`] (from epoll, kqueue or
/// `WSAPoll`; a token that is not registered is `InvalidInput`): they stand for no Godot
/// error, so they are not turned into [`pollhttp::Error`](crate::Error). A client's
/// `Error` converts into an `io::Error` that holds it, so a function using both can
/// return `io::Result` and use `?` on either:
///
/// ```
/// use pollhttp::{GodotError, HttpClient, Poller, Token};
/// use std::io;
///
/// fn start(poller: &mut Poller, port: u16) -> io::Result<(HttpClient, Token)> {
///     let mut c = HttpClient::new();
///     c.connect_to_host("127.0.0.1", Some(port), None)?;
///     let token = poller.register(&c)?;
///     Ok((c, token))
/// }
///
/// let mut poller = Poller::new()?;
/// let err = start(&mut poller, 0).unwrap_err(); // port 0 cannot be connected to
/// assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
/// let client_error = err.get_ref().and_then(|e| e.downcast_ref::<pollhttp::Error>());
/// assert_eq!(client_error.map(|e| e.godot()), Some(GodotError::InvalidParameter));
/// # Ok::<(), io::Error>(())
/// ```
pub struct Poller {
    /// The system's part: what watches the sockets and waits.
    readiness: Readiness,
    slots: Vec<Slot>,
    free: Vec<u32>,
    /// Slots reported every tick.
    ticking: Vec<u32>,
    last_tick: Instant,
    /// Slots to report at the next poll without waiting.
    soon: Vec<Token>,
    /// Counts polls, to report each slot at most once per poll.
    round: u64,
    len: usize,
    /// The slots' deadlines, recorded by `update`.
    deadlines: DeadlineQueue,
    /// Where the time comes from (`None`: the system's clock); the clients' must be the
    /// same, since their deadlines are compared with it.
    clock: Option<std::sync::Arc<dyn crate::Clock>>,
}

impl std::fmt::Debug for Poller {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Poller")
            .field("clients", &self.len)
            .field("ticking", &self.ticking.len())
            .field("timed", &self.deadlines.len())
            .finish_non_exhaustive()
    }
}

impl Poller {
    /// How often clients that have no descriptor to watch are reported anyway: clients
    /// whose host name is being resolved on the resolver thread (which has no socket to
    /// wake a poller), and clients over a custom [`StreamPeer`](crate::StreamPeer)
    /// without a descriptor (on Windows: without `StreamPeer::socket`).
    pub const TICK: Duration = Duration::from_millis(5);

    /// A poller with no clients.
    ///
    /// # Errors
    ///
    /// When the system poller cannot be created (out of descriptors, say).
    pub fn new() -> io::Result<Poller> {
        Ok(Poller {
            readiness: Readiness::new()?,
            slots: Vec::new(),
            free: Vec::new(),
            ticking: Vec::new(),
            last_tick: Instant::now(),
            soon: Vec::new(),
            round: 0,
            len: 0,
            deadlines: DeadlineQueue::default(),
            clock: None,
        })
    }

    /// Reads the time from `clock` instead of the system's clock, to compare the
    /// clients' deadlines with; give every registered client the same clock
    /// ([`HttpClient::set_clock`]). For tests and simulations of timeouts. The
    /// [`TICK`](Poller::TICK) of resolving clients and the `timeout` of
    /// [`poll`](Poller::poll) stay real time, as the waits are.
    pub fn set_clock(&mut self, clock: impl crate::Clock + 'static) {
        self.clock = Some(std::sync::Arc::new(clock));
    }

    fn now(&self) -> Instant {
        match &self.clock {
            None => Instant::now(),
            Some(c) => c.now(),
        }
    }

    /// Number of registered clients.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when no client is registered.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Starts watching `client` in whatever status it is, returning its token.
    ///
    /// # Errors
    ///
    /// When the system refuses the registration (out of memory or past its limit of
    /// watched descriptors; on Windows, when a socket cannot be duplicated), or when the
    /// poller already holds as many clients as a [`Token`] can name (over four billion;
    /// 1,048,576 on 32-bit targets). A descriptor that cannot be watched at all (not a
    /// socket) is reported every [`TICK`](Poller::TICK) instead.
    pub fn register(&mut self, client: &HttpClient) -> io::Result<Token> {
        let index = match self.free.pop() {
            Some(i) => i,
            None => {
                let i = u32::try_from(self.slots.len())
                    .ok()
                    .filter(|&i| i != NO_SLOT && Token::index_fits(i))
                    .ok_or_else(|| io::Error::other("too many clients in one poller"))?;
                self.slots.push(Slot {
                    generation: 0,
                    used: false,
                    watch: Watch::Parked,
                    serial: 0,
                    tick_pos: 0,
                    soon: false,
                    reported: 0,
                });
                i
            }
        };
        let slot = &mut self.slots[index as usize];
        slot.used = true;
        slot.watch = Watch::Parked;
        slot.serial = client.connection_serial();
        slot.soon = false;
        let token = Token::new(index, slot.generation);
        self.len += 1;
        if let Err(e) = self.update(token, client) {
            self.release(index);
            return Err(e);
        }
        Ok(token)
    }

    /// Follows `client` after the caller has driven it: a new socket, a change between
    /// waiting to write and waiting to read, resolving, or nothing left to wait for.
    /// Costs no system call when nothing changed, except on Unix while a body is being
    /// read or a connection is being set up (the descriptor is re-armed); on Windows a
    /// socket seen for the first time is duplicated (two calls, once per socket). Also
    /// records the client's [`next_deadline`](HttpClient::next_deadline).
    ///
    /// # Errors
    ///
    /// `InvalidInput` for a token that is not registered; otherwise as
    /// [`register`](Poller::register).
    pub fn update(&mut self, token: Token, client: &HttpClient) -> io::Result<()> {
        let index = self.check(token)?;
        self.deadlines.set(index, client.next_deadline());
        let status = client.status();
        let serial = client.connection_serial();
        let slot = &mut self.slots[index as usize];
        let new_socket = slot.serial != serial;
        slot.serial = serial;
        let watched = match client.interest() {
            Some(interest) => {
                match self
                    .readiness
                    .watch(index, token, client, status, interest, new_socket)
                {
                    Ok(watched) => watched,
                    Err(e) => {
                        self.readiness.unwatch(index);
                        self.set_watch(index, Watch::Parked);
                        return Err(e);
                    }
                }
            }
            None => {
                self.readiness.unwatch(index);
                false
            }
        };
        let new = if watched {
            Watch::Socket
        } else if client.interest().is_some() || status == Status::Resolving {
            Watch::Tick
        } else {
            Watch::Parked
        };
        self.set_watch(index, new);
        if client.has_pending_input() {
            let slot = &mut self.slots[index as usize];
            if !slot.soon {
                slot.soon = true;
                self.soon.push(token);
            }
        }
        Ok(())
    }

    /// Stops watching the client of `token`; the token is not reported again.
    ///
    /// # Errors
    ///
    /// `InvalidInput` for a token that is not registered.
    pub fn deregister(&mut self, token: Token) -> io::Result<()> {
        let index = self.check(token)?;
        match self.slots[index as usize].watch {
            Watch::Socket => self.readiness.unwatch(index),
            Watch::Tick => self.untick(index),
            Watch::Parked => {}
        }
        self.release(index);
        Ok(())
    }

    /// Waits until a registered client has something to do or `timeout` passes (`None`:
    /// no limit), and puts the tokens of the clients to drive into `ready` (cleared first;
    /// each token once). `ready` may come back empty: the timeout passed, a signal
    /// interrupted the wait, or the only news was for a token deregistered since.
    ///
    /// Waits not at all when a client already holds input, at most
    /// [`TICK`](Poller::TICK) while a client is resolving, and never past the earliest
    /// [`next_deadline`](HttpClient::next_deadline) recorded by `register` or `update`:
    /// clients whose deadline has passed are reported (once; `update` records the next
    /// one), and their `poll()` enters the timeout's error status. Allocates only while
    /// `ready` or the deadline queue grows.
    ///
    /// # Errors
    ///
    /// When the system poller fails (not for a signal).
    pub fn poll(&mut self, ready: &mut Vec<Token>, timeout: Option<Duration>) -> io::Result<()> {
        ready.clear();
        self.round += 1;
        // When the wait began, once a limit made it look at the clock.
        let mut started = None;
        loop {
            let (wait, by_deadline) = self.wait_time(timeout, &mut started);
            let interrupted = match self.readiness.wait(wait) {
                Ok(()) => false,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {
                    self.readiness.clear();
                    true
                }
                Err(e) => return Err(e),
            };
            self.collect(ready);
            // The front of the deadline queue is a lower bound (see `deadlines.rs`):
            // a wait it ended may find that deadline moved later and nothing due. Then
            // the wait goes on, within what is left of the caller's timeout.
            if !by_deadline || interrupted || !ready.is_empty() || self.readiness.any() {
                return Ok(());
            }
        }
    }

    /// How long the next wait may last: `timeout` shortened to what is left of it since
    /// `started`, to the next tick and to the front of the deadline queue; and whether the
    /// deadline queue is what limits it.
    fn wait_time(
        &mut self,
        timeout: Option<Duration>,
        started: &mut Option<Instant>,
    ) -> (Option<Duration>, bool) {
        if !self.soon.is_empty() {
            return (Some(Duration::ZERO), false);
        }
        // The tick is a cadence in real time; the clients' deadlines are instants of the
        // clock they were given; the caller's timeout is real time, as every wait is.
        let tick = (!self.ticking.is_empty()).then(|| self.last_tick + Self::TICK);
        let first = self.deadlines.first();
        if tick.is_none() && first.is_none() && started.is_none() {
            return (timeout, false);
        }
        let real_now = Instant::now();
        let timeout = match *started {
            None => {
                *started = Some(real_now);
                timeout
            }
            Some(at) => timeout.map(|t| t.saturating_sub(real_now.saturating_duration_since(at))),
        };
        let tick_left = tick.map(|t| t.saturating_duration_since(real_now));
        let deadline_left = first.map(|d| {
            let now = if self.clock.is_some() {
                self.now()
            } else {
                real_now
            };
            d.saturating_duration_since(now)
        });
        let (left, by_deadline) = match (tick_left, deadline_left) {
            (Some(t), Some(d)) if d < t => (d, true),
            (Some(t), _) => (t, false),
            (None, Some(d)) => (d, true),
            (None, None) => return (timeout, false),
        };
        match timeout {
            Some(t) if t <= left => (Some(t), false),
            _ => (Some(left), by_deadline),
        }
    }

    /// Puts into `ready` the clients with news after a wait: readiness events, input
    /// already held, passed deadlines and the tick.
    fn collect(&mut self, ready: &mut Vec<Token>) {
        for token in self.readiness.ready() {
            Self::report(&mut self.slots, self.round, token, ready);
        }
        for token in self.soon.drain(..) {
            if let Some(slot) = self.slots.get_mut(token.index()) {
                if slot.generation == token.generation {
                    slot.soon = false;
                }
            }
            Self::report(&mut self.slots, self.round, token, ready);
        }
        if self.deadlines.len() == 0 && self.ticking.is_empty() {
            return;
        }
        let now = self.now();
        // Reported once: the caller's `update` records the client's next deadline.
        while let Some(index) = self.deadlines.pop_due(now) {
            let token = self.token_of(index);
            Self::report(&mut self.slots, self.round, token, ready);
        }
        let real_now = Instant::now();
        if !self.ticking.is_empty()
            && real_now.saturating_duration_since(self.last_tick) >= Self::TICK
        {
            self.last_tick = real_now;
            for &index in &self.ticking {
                let token = self.token_of(index);
                Self::report(&mut self.slots, self.round, token, ready);
            }
        }
    }

    /// The current token of a slot in use.
    fn token_of(&self, index: u32) -> Token {
        Token::new(index, self.slots[index as usize].generation)
    }

    fn report(slots: &mut [Slot], round: u64, token: Token, ready: &mut Vec<Token>) {
        let Some(slot) = slots.get_mut(token.index()) else {
            return;
        };
        if slot.used && slot.generation == token.generation && slot.reported != round {
            slot.reported = round;
            ready.push(token);
        }
    }

    fn check(&self, token: Token) -> io::Result<u32> {
        match self.slots.get(token.index()) {
            Some(s) if s.used && s.generation == token.generation => Ok(token.index),
            _ => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "token is not registered with this poller",
            )),
        }
    }

    fn release(&mut self, index: u32) {
        let slot = &mut self.slots[index as usize];
        slot.used = false;
        slot.watch = Watch::Parked;
        slot.soon = false;
        slot.generation = Token::next_generation(slot.generation);
        self.free.push(index);
        self.len -= 1;
        self.deadlines.set(index, None);
    }

    /// Moves a slot between the tick list and the rest (the system's part is told by
    /// the caller).
    fn set_watch(&mut self, index: u32, new: Watch) {
        let old = self.slots[index as usize].watch;
        if old == new {
            return;
        }
        if old == Watch::Tick {
            self.untick(index);
        }
        if new == Watch::Tick {
            self.tick(index);
        }
        self.slots[index as usize].watch = new;
    }

    fn tick(&mut self, index: u32) {
        let slot = &mut self.slots[index as usize];
        slot.watch = Watch::Tick;
        slot.tick_pos = self.ticking.len();
        if self.ticking.is_empty() {
            // The first tick comes one tick from now, not at once.
            self.last_tick = Instant::now();
        }
        self.ticking.push(index);
    }

    fn untick(&mut self, index: u32) {
        let pos = self.slots[index as usize].tick_pos;
        if self.ticking.get(pos) != Some(&index) {
            return;
        }
        self.ticking.swap_remove(pos);
        if let Some(&moved) = self.ticking.get(pos) {
            self.slots[moved as usize].tick_pos = pos;
        }
        self.slots[index as usize].watch = Watch::Parked;
    }
}

mod deadlines;
#[cfg(unix)]
mod mio_set;
mod token;
#[cfg(windows)]
mod wsapoll;

#[cfg(test)]
mod tests;
