//! `/never` and `/stall/N`: responses that stop, for tests of cancelling and of timeouts.

use super::routes::Responder;
use std::io::{self, Read};
use std::sync::atomic::{AtomicUsize, Ordering};

impl Responder<'_> {
    /// `/never`: no answer at all.
    pub(super) fn never(&self, held: &AtomicUsize) -> io::Result<bool> {
        self.hold(held);
        Ok(false)
    }

    /// `/stall/N`: a head promising `2*N` bytes, the first `N` bytes of the pattern, then
    /// nothing more.
    pub(super) fn stall(&self, count: &str, held: &AtomicUsize) -> io::Result<bool> {
        let Some(n) = count
            .parse::<u64>()
            .ok()
            .filter(|n| n.checked_mul(2).is_some())
        else {
            return self.text(
                400,
                "400 Bad Request: /stall/N needs a decimal byte count below 2^63\n",
            );
        };
        let headers = [
            ("Content-Type", "application/octet-stream".to_string()),
            ("Content-Length", (2 * n).to_string()),
        ];
        self.write(&self.head(200, &headers))?;
        if self.head_only {
            // The head is the whole answer to a HEAD: nothing is missing.
            return Ok(self.keep_alive);
        }
        self.pattern(n)?;
        self.hold(held);
        Ok(false)
    }

    /// Keeps the connection open without answering: reads and drops whatever the client
    /// sends until it closes, the server is dropped (which shuts the socket down) or the
    /// idle limit (the socket's read timeout) passes. `held` counts the connection
    /// meanwhile.
    fn hold(&self, held: &AtomicUsize) {
        held.fetch_add(1, Ordering::SeqCst);
        let mut sink = [0u8; 4096];
        while matches!((&*self.out).read(&mut sink), Ok(n) if n > 0) {}
        held.fetch_sub(1, Ordering::SeqCst);
    }
}
