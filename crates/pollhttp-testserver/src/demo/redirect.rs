//! `/redirect/N`: a chain of `N` redirects, for tests of following them.

use super::routes::Responder;
use std::io;

impl Responder<'_> {
    /// A `302` to the next hop, `next` being the hop count left after it. The `Location`
    /// is the bare number, a relative reference that resolves against `.../redirect/N` to
    /// `.../redirect/{next}`, so a chain stays under whatever prefix (`/cors/`) it began.
    pub(super) fn redirect(&self, next: u64) -> io::Result<bool> {
        let body = format!("302 Found: redirect/{next}\n");
        self.fixed_with(
            302,
            &[("Location", next.to_string())],
            "text/plain; charset=utf-8",
            body.as_bytes(),
        )
    }
}
