//! How far a request has come, for progress bars.

/// Bytes received so far for the current response's body, and what is expected.
///
/// `wire_bytes` count the body as sent (compressed, if it was); `decoded_bytes` what the
/// caller gets. For a resumed download, `resumed_from` bytes were already on disk and
/// `expected_wire` counts only the rest.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    /// Body bytes received from the server (after de-chunking, before decoding).
    pub wire_bytes: u64,
    /// Body bytes after decoding (equal to `wire_bytes` when nothing is decoded).
    pub decoded_bytes: u64,
    /// The body's `Content-Length`, when the server gave one.
    pub expected_wire: Option<u64>,
    /// Bytes of a kept partial download this response continues.
    pub resumed_from: u64,
    /// Redirects followed so far.
    pub redirects: u32,
}

impl Progress {
    /// The fraction of the body received, `0.0..=1.0`, when its size is known.
    ///
    /// ```
    /// let p = pollhttp::Progress { wire_bytes: 25, expected_wire: Some(100), ..Default::default() };
    /// assert_eq!(p.fraction(), Some(0.25));
    /// ```
    pub fn fraction(&self) -> Option<f64> {
        let total = self.expected_wire?;
        if total == 0 {
            return Some(1.0);
        }
        Some((self.wire_bytes.min(total) as f64) / (total as f64))
    }
}
