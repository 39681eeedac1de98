//! [`Token`]: how a [`Poller`](crate::Poller) names a registered client.

/// Names one client registered with a [`Poller`](crate::Poller).
///
/// Indexes are small and dense: a new registration reuses the index of a deregistered one,
/// so a caller can keep its clients in a `Vec` and use [`index`](Token::index) to find
/// them. A token that was deregistered is never reported again, even after its index is
/// reused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Token {
    /// The slot.
    pub(super) index: u32,
    /// Which registration of the slot: a slot is reused once its client is deregistered.
    pub(super) generation: u32,
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

    pub(super) fn to_mio(self) -> mio::Token {
        mio::Token(((self.generation as usize) << 32) | self.index as usize)
    }

    pub(super) fn from_mio(t: mio::Token) -> Token {
        Token {
            index: t.0 as u32,
            generation: (t.0 >> 32) as u32,
        }
    }
}
