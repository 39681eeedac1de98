//! Time as the core sees it: given by the driver, never read from a clock.

use core::time::Duration;

/// What the core needs of an instant: order, adding a limit, and the time between two.
/// [`Connection`](crate::Connection) works with any such type, so a driver passes the
/// instants of its own clock as they are: `std::time::Instant` (with the `std` feature),
/// or a [`Timestamp`] where there is no std.
pub trait Time: Copy + Ord + core::fmt::Debug {
    /// `self + d`, or `None` past the last representable instant (a limit that far away
    /// is no limit).
    fn checked_add(self, d: Duration) -> Option<Self>;
    /// The time from `earlier` to `self`, zero when `earlier` is later.
    fn saturating_since(self, earlier: Self) -> Duration;
}

#[cfg(feature = "std")]
impl Time for std::time::Instant {
    fn checked_add(self, d: Duration) -> Option<Self> {
        std::time::Instant::checked_add(&self, d)
    }

    fn saturating_since(self, earlier: Self) -> Duration {
        self.saturating_duration_since(earlier)
    }
}

impl Time for Timestamp {
    fn checked_add(self, d: Duration) -> Option<Self> {
        Timestamp::checked_add(self, d)
    }

    fn saturating_since(self, earlier: Self) -> Duration {
        Timestamp::saturating_since(self, earlier)
    }
}

/// A point in time for drivers without std: how long after an epoch of the driver's
/// choosing (for example when its client was made). The core compares and adds these; it never asks what time it is, so
/// every deadline can be tested by passing made-up instants.
///
/// ```
/// use core::time::Duration;
/// use pollhttp_proto::Timestamp;
/// let t = Timestamp::from_duration(Duration::from_secs(5));
/// let later = t + Duration::from_millis(250);
/// assert_eq!(later.saturating_since(t), Duration::from_millis(250));
/// assert_eq!(t.saturating_since(later), Duration::ZERO);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(Duration);

impl Timestamp {
    /// The epoch itself.
    pub const ZERO: Timestamp = Timestamp(Duration::ZERO);

    /// The instant `since_epoch` after the epoch.
    pub const fn from_duration(since_epoch: Duration) -> Timestamp {
        Timestamp(since_epoch)
    }

    /// How long after the epoch this instant is.
    pub const fn as_duration(self) -> Duration {
        self.0
    }

    /// `self + d`, or `None` past the largest representable instant (a limit that far away
    /// is no limit).
    pub fn checked_add(self, d: Duration) -> Option<Timestamp> {
        self.0.checked_add(d).map(Timestamp)
    }

    /// The time from `earlier` to `self`, zero when `earlier` is later.
    pub fn saturating_since(self, earlier: Timestamp) -> Duration {
        self.0.saturating_sub(earlier.0)
    }
}

impl core::ops::Add<Duration> for Timestamp {
    type Output = Timestamp;

    /// Saturates at the largest representable instant.
    fn add(self, d: Duration) -> Timestamp {
        Timestamp(self.0.saturating_add(d))
    }
}
