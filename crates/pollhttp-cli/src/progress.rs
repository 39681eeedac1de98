//! A progress bar on standard error for long downloads to a file.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

/// Bodies smaller than this finish too fast for a bar to help.
const LARGE: u64 = 1024 * 1024;

/// Shows download progress when it makes sense, and does nothing otherwise.
pub struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    /// Whether a bar may be shown at all: output goes to a file, not silenced, and standard
    /// error is a terminal someone watches.
    pub fn wanted(to_file: bool, silent: bool) -> bool {
        to_file && !silent && std::io::stderr().is_terminal()
    }

    /// A bar for a body of `length` bytes (`None` when unknown), if `wanted` and the body is
    /// large or of unknown size.
    pub fn new(wanted: bool, length: Option<u64>) -> Progress {
        if !wanted || length.is_some_and(|n| n < LARGE) {
            return Progress { bar: None };
        }
        let bar = match length {
            Some(n) => {
                let bar = ProgressBar::with_draw_target(Some(n), ProgressDrawTarget::stderr());
                bar.set_style(
                    ProgressStyle::with_template(
                        "{bytes:>10}/{total_bytes} [{wide_bar}] {bytes_per_sec:>12} eta {eta}",
                    )
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
                );
                bar
            }
            None => {
                let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
                bar.set_style(
                    ProgressStyle::with_template(
                        "{spinner} {bytes:>10} {bytes_per_sec:>12} {elapsed}",
                    )
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                );
                bar
            }
        };
        Progress { bar: Some(bar) }
    }

    /// Shows how far the body has come: its bytes as received, which is what its
    /// length counts (a compressed body is longer once decoded).
    pub fn update(&self, progress: &pollhttp::Progress) {
        if let Some(bar) = &self.bar {
            bar.set_position(progress.wire_bytes);
        }
    }

    /// Leaves the final state on the screen, on a line of its own.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish();
            // The bar leaves the cursor at the end of its line.
            note!();
        }
    }

    /// Stops the bar where it is, for when the transfer failed and an error line follows.
    pub fn abandon(&self) {
        if let Some(bar) = &self.bar {
            bar.abandon();
            note!();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_bar_unless_wanted_and_large() {
        assert!(Progress::new(false, None).bar.is_none());
        assert!(Progress::new(true, Some(1000)).bar.is_none());
        assert!(Progress::new(true, Some(LARGE)).bar.is_some());
        assert!(Progress::new(true, None).bar.is_some());
        assert!(!Progress::wanted(false, false));
        assert!(!Progress::wanted(true, true));
    }
}
