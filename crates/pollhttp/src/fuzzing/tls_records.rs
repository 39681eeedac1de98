//! The TLS record tracker that tells a clean end of stream from a cut one.

use super::{params, Splits};
use crate::tls::{RecordTracker, PREVIEW_LEN};

/// Follows TLS records through the input with the tracker, fed in segments.
///
/// Parameter bytes: split seed (2), split scale. The rest is what a server sends.
///
/// Properties, after every segment: the tracker is on a record boundary exactly when a
/// model walking 5-byte headers and their lengths ends on one; it calls the stream "not
/// TLS" exactly when the first byte is not a record type from 20 to 23 or the second is
/// not 3, and then its preview is the stream's first bytes (up to 24). Splitting the
/// input differently changes nothing.
pub fn tls_records(data: &[u8]) {
    let ([s0, s1, scale], input) = params::<3>(data);
    let seed = u16::from_le_bytes([s0, s1]);
    let mut tracker = RecordTracker::default();
    let mut seen = 0;
    for seg in Splits::new(seed, scale).cut(input) {
        tracker.scan(seg);
        seen += seg.len();
        check(&tracker, &input[..seen]);
    }
    let mut whole = RecordTracker::default();
    whole.scan(input);
    check(&whole, input);
}

fn check(tracker: &RecordTracker, seen: &[u8]) {
    assert_eq!(
        tracker.at_boundary(),
        on_boundary(seen),
        "{} bytes",
        seen.len()
    );
    let not_tls = seen.first().is_some_and(|b| !(20..=23).contains(b))
        || seen.get(1).is_some_and(|&b| b != 3);
    let preview = &seen[..seen.len().min(PREVIEW_LEN)];
    assert_eq!(tracker.not_tls_preview(), not_tls.then_some(preview));
}

/// Whether `bytes` is a whole number of records.
fn on_boundary(bytes: &[u8]) -> bool {
    let mut at = 0usize;
    while at < bytes.len() {
        let Some(header) = bytes.get(at..at + 5) else {
            return false;
        };
        at += 5 + usize::from(u16::from_be_bytes([header[3], header[4]]));
    }
    at == bytes.len()
}
