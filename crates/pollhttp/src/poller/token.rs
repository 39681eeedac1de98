//! [`Token`]: how a [`Poller`](crate::Poller) names a registered client.

/// Names one client registered with a [`Poller`](crate::Poller).
///
/// Indexes are small and dense: a new registration reuses the index of a deregistered one,
/// so a caller can keep its clients in a `Vec` and use [`index`](Token::index) to find
/// them. A token that was deregistered is never reported again, even after its index is
/// reused.
///
/// The system poller (mio, on Unix) carries a token as one `usize`, index and generation
/// side by side, and the same limits hold on Windows. On 64-bit targets each gets 32
/// bits. On 32-bit targets the index gets 20 bits (a poller holds at most 1,048,576
/// clients, more than a 32-bit address space has room for at a few KiB each) and the
/// generation 12: an index must be reused 4,096 times before a stale token could pass for
/// a new one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Token {
    /// The slot.
    pub(super) index: u32,
    /// Which registration of the slot: a slot is reused once its client is deregistered.
    pub(super) generation: u32,
}

/// How a token is packed into a `usize`: the index in the low bits, the generation above.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Layout {
    index_bits: u32,
    generation_bits: u32,
}

/// The layout of 64-bit targets.
#[cfg(any(test, target_pointer_width = "64"))]
const LAYOUT_64: Layout = Layout {
    index_bits: 32,
    generation_bits: 32,
};

/// The layout of 32-bit targets (see [`Token`]).
#[cfg(any(test, not(target_pointer_width = "64")))]
const LAYOUT_32: Layout = Layout {
    index_bits: 20,
    generation_bits: 12,
};

#[cfg(target_pointer_width = "64")]
const NATIVE: Layout = LAYOUT_64;
#[cfg(not(target_pointer_width = "64"))]
const NATIVE: Layout = LAYOUT_32;

// A layout that does not fit a `usize` would make distinct tokens collide.
const _: () = assert!(NATIVE.index_bits + NATIVE.generation_bits <= usize::BITS);

impl Layout {
    /// The largest index plus one, in a `u64` so that 32 index bits fit.
    const fn index_limit(self) -> u64 {
        1u64 << self.index_bits
    }

    const fn generation_mask(self) -> u32 {
        if self.generation_bits >= 32 {
            u32::MAX
        } else {
            (1u32 << self.generation_bits) - 1
        }
    }

    /// Index and generation in one value; both must be in range (the poller never
    /// makes others).
    #[cfg(any(test, unix))]
    fn pack(self, index: u32, generation: u32) -> u64 {
        debug_assert!(u64::from(index) < self.index_limit());
        debug_assert!(generation <= self.generation_mask());
        (u64::from(generation & self.generation_mask()) << self.index_bits)
            | (u64::from(index) & (self.index_limit() - 1))
    }

    #[cfg(any(test, unix))]
    fn unpack(self, packed: u64) -> (u32, u32) {
        let index = packed & (self.index_limit() - 1);
        let generation = (packed >> self.index_bits) & u64::from(self.generation_mask());
        // Both were masked to at most 32 bits.
        (index as u32, generation as u32)
    }
}

impl Token {
    /// The slot index of this token: below the largest number of clients registered at
    /// one time.
    pub fn index(self) -> usize {
        self.index as usize
    }

    pub(super) fn new(index: u32, generation: u32) -> Token {
        Token { index, generation }
    }

    /// Whether `index` can name a slot on this target.
    pub(super) fn index_fits(index: u32) -> bool {
        u64::from(index) < NATIVE.index_limit()
    }

    /// The generation after `generation`, wrapping within the bits this target has for it,
    /// so that every generation a slot takes survives packing into a `usize`.
    pub(super) fn next_generation(generation: u32) -> u32 {
        generation.wrapping_add(1) & NATIVE.generation_mask()
    }

    #[cfg(unix)]
    pub(super) fn to_mio(self) -> mio::Token {
        // The packed value fits a usize by the layout's assertion.
        mio::Token(NATIVE.pack(self.index, self.generation) as usize)
    }

    #[cfg(unix)]
    pub(super) fn from_mio(t: mio::Token) -> Token {
        let (index, generation) = NATIVE.unpack(t.0 as u64);
        Token { index, generation }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn generations(layout: Layout, start: u32, steps: u32) -> Vec<u32> {
        let mut g = start;
        (0..steps)
            .map(|_| {
                let now = g;
                g = g.wrapping_add(1) & layout.generation_mask();
                now
            })
            .collect()
    }

    /// Every index up to the limit's edge with many generations, wrapping included, packs
    /// into a distinct value that fits the layout's width and unpacks to itself.
    fn check_layout(layout: Layout, width: u32) {
        let limit = layout.index_limit();
        let indexes = [0u64, 1, 2, 1000, limit / 2, limit - 2, limit - 1];
        let start = layout.generation_mask() - 5;
        let mut seen = HashSet::new();
        for &index in &indexes {
            let index = u32::try_from(index).unwrap();
            for generation in generations(layout, start, 12) {
                let packed = layout.pack(index, generation);
                assert!(
                    width == 64 || packed < 1u64 << width,
                    "{index}/{generation}: {packed:#x} does not fit {width} bits"
                );
                assert!(seen.insert(packed), "{index}/{generation} collides");
                assert_eq!(layout.unpack(packed), (index, generation));
            }
        }
        assert_eq!(layout.index_bits + layout.generation_bits, width);
    }

    #[test]
    fn layouts_keep_tokens_apart() {
        check_layout(LAYOUT_64, 64);
        check_layout(LAYOUT_32, 32);
    }

    #[test]
    fn the_32_bit_layout_used_to_collide() {
        // The old packing, `generation << 32 | index`, truncated to 32 bits, lost the
        // generation: two registrations of one slot looked the same.
        let old =
            |index: u32, generation: u32| ((u64::from(generation) << 32) | u64::from(index)) as u32;
        assert_eq!(old(7, 0), old(7, 1));
        assert_ne!(LAYOUT_32.pack(7, 0), LAYOUT_32.pack(7, 1));
    }

    #[test]
    fn native_round_trip_and_generation_wrap() {
        let max_index = u32::try_from(NATIVE.index_limit() - 1).unwrap_or(u32::MAX);
        assert!(Token::index_fits(max_index));
        assert_eq!(Token::index_fits(u32::MAX), NATIVE.index_bits >= 32);
        let last = NATIVE.generation_mask();
        assert_eq!(Token::next_generation(last), 0);
        assert_eq!(Token::next_generation(0), 1);
        for (index, generation) in [(0, 0), (max_index, last), (3, Token::next_generation(last))] {
            assert_eq!(
                NATIVE.unpack(NATIVE.pack(index, generation)),
                (index, generation)
            );
            #[cfg(unix)]
            {
                let t = Token::new(index, generation);
                assert_eq!(Token::from_mio(t.to_mio()), t);
            }
        }
    }
}
