//! Where the client reads the time.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// The instant type of [`Clock`] and of every deadline here: `std::time::Instant`, except
/// on `wasm32-unknown-unknown`, where std's panics and the [`web_time`] crate's reads the page's
/// `performance.now()`.
pub use web_time::Instant;

/// A source of monotonic time for [`HttpClient`](crate::HttpClient) and
/// [`Poller`](crate::Poller) deadlines: the system's clock by default, or a
/// [`ManualClock`] that a test or a simulation moves by hand, so that timeouts can be
/// checked without waiting for them.
///
/// The clock decides when a [`Timeouts`](crate::Timeouts) limit has expired. Waits on a
/// socket (blocking mode, [`HttpClient::wait`](crate::HttpClient::wait)) still sleep in
/// real time, for at most the time the clock says is left, and then look at the clock
/// again: in blocking mode, a clock that stands still while the peer is silent keeps the
/// call waiting, so a test that needs a blocking call to time out moves the clock from
/// another thread (or uses non-blocking calls, which return at once).
pub trait Clock: Send + Sync {
    /// The current instant. Must never go backwards.
    fn now(&self) -> Instant;
}

/// The system's monotonic clock ([`Instant::now`]).
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }
}

/// A clock that stands still until [`advance`](ManualClock::advance) moves it; clones
/// share the same time.
///
/// ```
/// use pollhttp::{Clock, HttpClient, ManualClock, Timeouts};
/// use std::time::Duration;
///
/// let clock = ManualClock::new();
/// let mut http = HttpClient::new();
/// http.set_clock(clock.clone());
/// let before = clock.now();
/// clock.advance(Duration::from_secs(30));
/// assert_eq!(clock.now() - before, Duration::from_secs(30));
/// ```
#[derive(Clone, Debug)]
pub struct ManualClock(Arc<Mutex<Instant>>);

impl ManualClock {
    /// A clock that starts at the system's current instant.
    pub fn new() -> ManualClock {
        ManualClock(Arc::new(Mutex::new(Instant::now())))
    }

    /// Moves the clock (and every clone of it) forward by `by`.
    pub fn advance(&self, by: Duration) {
        let mut t = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        *t += by;
    }
}

impl Default for ManualClock {
    fn default() -> Self {
        ManualClock::new()
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Instant {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A client's clock: the system's unless the caller set one, which is then read through
/// the trait object (the default case costs no indirect call).
#[derive(Clone, Default)]
pub(crate) struct ClientClock(Option<Arc<dyn Clock>>);

impl ClientClock {
    /// The one place a client reads the time.
    pub(crate) fn now(&self) -> Instant {
        match &self.0 {
            None => Instant::now(),
            Some(c) => c.now(),
        }
    }

    /// Reads the time from `clock` from now on.
    pub(crate) fn set(&mut self, clock: impl Clock + 'static) {
        self.0 = Some(Arc::new(clock));
    }
}
