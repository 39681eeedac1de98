//! Time limits of a run (`--max-time`, `--connect-timeout`), checked between polls.

use crate::failure::{code, Failure, Phase};
use std::time::{Duration, Instant};

/// The longest single wait between two polls, so limits are checked often enough even if
/// the client has nothing to report.
const WAIT_SLICE: Duration = Duration::from_millis(100);

/// The deadlines of one run.
pub struct Clock {
    started: Instant,
    total: Option<Instant>,
    connect: Option<Instant>,
}

impl Clock {
    /// Starts counting now.
    pub fn start(max_time: Option<Duration>, connect_timeout: Option<Duration>) -> Clock {
        let started = Instant::now();
        Clock {
            started,
            total: max_time.map(|d| started + d),
            connect: connect_timeout.map(|d| started + d),
        }
    }

    fn deadline(&self, phase: Phase) -> Option<Instant> {
        match (phase, self.total, self.connect) {
            (Phase::Connect, Some(t), Some(c)) => Some(t.min(c)),
            (Phase::Connect, t, c) => t.or(c),
            (_, t, _) => t,
        }
    }

    /// A timeout failure (exit code 28) if the deadline for `phase` has passed.
    pub fn check(&self, phase: Phase, received: u64) -> Result<(), Failure> {
        match self.deadline(phase) {
            Some(d) if Instant::now() >= d => {
                let ms = self.started.elapsed().as_millis();
                let what = if phase == Phase::Connect && self.connect.is_some_and(|c| c <= d) {
                    format!("connection timed out after {ms} milliseconds")
                } else {
                    format!("operation timed out after {ms} milliseconds with {received} bytes received")
                };
                Err(Failure::new(code::TIMEOUT, what))
            }
            _ => Ok(()),
        }
    }

    /// How long the next wait may last: the time left, at most [`WAIT_SLICE`].
    pub fn slice(&self, phase: Phase) -> Duration {
        match self.deadline(phase) {
            Some(d) => d.saturating_duration_since(Instant::now()).min(WAIT_SLICE),
            None => WAIT_SLICE,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_limits_never_expire() {
        let c = Clock::start(None, None);
        assert!(c.check(Phase::Connect, 0).is_ok());
        assert_eq!(c.slice(Phase::Body), WAIT_SLICE);
    }

    #[test]
    fn an_expired_limit_is_exit_28() {
        let c = Clock::start(Some(Duration::ZERO), None);
        let f = c.check(Phase::Body, 12).unwrap_err();
        assert_eq!(f.code, 28);
        assert!(
            f.message.contains("with 12 bytes received"),
            "{}",
            f.message
        );
        assert_eq!(c.slice(Phase::Body), Duration::ZERO);
    }

    #[test]
    fn connect_timeout_only_limits_connecting() {
        let c = Clock::start(None, Some(Duration::ZERO));
        let f = c.check(Phase::Connect, 0).unwrap_err();
        assert!(
            f.message.starts_with("connection timed out"),
            "{}",
            f.message
        );
        assert!(c.check(Phase::Request, 0).is_ok());
        assert!(c.check(Phase::Body, 0).is_ok());
    }
}
