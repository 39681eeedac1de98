//! The deterministic byte pattern that [`DemoServer`](crate::DemoServer)'s `/bytes/N` sends.
//!
//! The pattern repeats with a prime period, so a client that drops, repeats or shifts bytes
//! produces a mismatch at once, and the server streams any length from one precomputed table
//! without computing per byte.

use std::sync::OnceLock;

/// The pattern's period: the largest prime below 2^16.
pub(crate) const PERIOD: usize = 65_521;

/// The table holds one period plus enough to serve any slice of up to `PERIOD` bytes
/// without wrapping.
fn table() -> &'static [u8] {
    static TABLE: OnceLock<Vec<u8>> = OnceLock::new();
    TABLE.get_or_init(|| (0..2 * PERIOD).map(|i| mix((i % PERIOD) as u64)).collect())
}

fn mix(i: u64) -> u8 {
    (i.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 56) as u8
}

/// The pattern byte at `offset` of a `/bytes/N` body.
///
/// ```
/// let mut buf = [0u8; 4];
/// pollhttp_testserver::fill_pattern(10, &mut buf);
/// assert_eq!(buf[0], pollhttp_testserver::pattern_byte(10));
/// ```
pub fn pattern_byte(offset: u64) -> u8 {
    mix(offset % PERIOD as u64)
}

/// Fills `buf` with the pattern bytes starting at `offset`.
pub fn fill_pattern(offset: u64, buf: &mut [u8]) {
    let mut pos = offset;
    for piece in buf.chunks_mut(PERIOD) {
        piece.copy_from_slice(pattern_slice(pos, piece.len()));
        pos += piece.len() as u64;
    }
}

/// The pattern bytes from `offset` on: `len` of them, or [`PERIOD`] if `len` is larger.
pub(crate) fn pattern_slice(offset: u64, len: usize) -> &'static [u8] {
    let start = (offset % PERIOD as u64) as usize;
    &table()[start..start + len.min(PERIOD)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_matches_byte_by_byte_across_the_period() {
        let mut buf = vec![0u8; 3 * PERIOD + 17];
        let offset = PERIOD as u64 - 5;
        fill_pattern(offset, &mut buf);
        for (i, b) in buf.iter().enumerate() {
            assert_eq!(*b, pattern_byte(offset + i as u64), "at {i}");
        }
    }

    #[test]
    fn pattern_is_not_trivially_periodic() {
        let a: Vec<u8> = (0..256).map(pattern_byte).collect();
        let b: Vec<u8> = (256..512).map(pattern_byte).collect();
        assert_ne!(a, b);
        assert_ne!(pattern_byte(0), pattern_byte(1));
    }
}
