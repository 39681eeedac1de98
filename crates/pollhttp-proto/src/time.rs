//! Time as the core sees it: given by the driver, never read from a clock.

use core::time::Duration;

/// A point in time: how long after an epoch of the driver's choosing (for example when its
/// client was made). The core compares and adds these; it never asks what time it is, so
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
