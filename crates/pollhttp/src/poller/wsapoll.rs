//! The [`Poller`](super::Poller)'s system part on Windows: one `WSAPoll` (through rustix's
//! `event::poll`) over the sockets of every watched client per wait.
//!
//! mio registers on Windows only the sockets it owns, and a socket named by its number
//! would take `unsafe` code, with nothing to keep the socket alive while it is polled.
//! Instead each client keeps duplicates of its sockets for pollers
//! ([`HttpClient::shared_sockets`]) and the poller holds `Weak` references to them: a
//! wait upgrades them, borrows them for the one `WSAPoll`, and lets go. A client closed
//! or dropped without telling the poller closes its connection all the same; its
//! references are dead and it is not polled any more.
//!
//! `WSAPoll` is level-triggered: a socket is polled for exactly what its client waits
//! for, and reported for as long as that holds (a body left unread in the socket keeps
//! its client reported, with no re-arming). Each client's connect attempts are all
//! polled, so the first to connect or fail is seen at once. Unlike epoll, a wait passes
//! every watched socket to the system, so its cost grows with the number of clients (as
//! `poll(2)`'s does): fine for hundreds of connections, not meant for tens of thousands.
//!
//! `WSAPoll` refuses an empty list, so a wait with no socket to watch sleeps instead.

use super::Token;
use crate::{HttpClient, Interest, Status};
use rustix::event::{PollFd, PollFlags};
use std::io;
use std::os::windows::io::OwnedSocket;
use std::sync::{Arc, Weak};
use std::time::Duration;

/// One watched client.
struct Watched {
    token: Token,
    flags: PollFlags,
    /// The client's duplicates, and the version of that list.
    sockets: Vec<Weak<OwnedSocket>>,
    version: Option<u64>,
    /// Position in `Readiness::active`.
    pos: usize,
}

/// The watched clients, by slot, and the buffers of a wait.
pub(super) struct Readiness {
    /// By slot; `None` when not watched. Each entry keeps its `sockets` list's allocation
    /// for the next client of the slot.
    watched: Vec<Option<Watched>>,
    /// Lists kept from entries that went away, for the next ones.
    spare: Vec<Vec<Weak<OwnedSocket>>>,
    /// The watched slots, densely.
    active: Vec<u32>,
    /// During a wait: the sockets, upgraded; and for each, whose it is and what for.
    held: Vec<Arc<OwnedSocket>>,
    owners: Vec<(Token, PollFlags)>,
    /// The `PollFd` list's allocation, empty between waits (see [`recycle`]).
    fds: Vec<PollFd<'static>>,
    /// The tokens the last wait found ready.
    ready: Vec<Token>,
}

impl Readiness {
    pub(super) fn new() -> io::Result<Readiness> {
        Ok(Readiness {
            watched: Vec::new(),
            spare: Vec::new(),
            active: Vec::new(),
            held: Vec::new(),
            owners: Vec::new(),
            fds: Vec::new(),
            ready: Vec::new(),
        })
    }

    /// Watches the sockets of slot `index`'s client, which waits for `interest`. No
    /// system call unless the client has a socket it never shared before (duplicated
    /// once). `Ok(false)`: the client has no socket to share (a stream of the caller's
    /// without [`StreamPeer::socket`](crate::StreamPeer::socket)); the slot is then not
    /// watched.
    pub(super) fn watch(
        &mut self,
        index: u32,
        token: Token,
        client: &HttpClient,
        _status: Status,
        interest: Interest,
        _new_socket: bool,
    ) -> io::Result<bool> {
        let i = index as usize;
        if self.watched.len() <= i {
            self.watched.resize_with(i + 1, || None);
        }
        if self.watched[i].is_none() {
            let pos = self.active.len();
            self.active.push(index);
            self.watched[i] = Some(Watched {
                token,
                flags: PollFlags::empty(),
                sockets: self.spare.pop().unwrap_or_default(),
                version: None,
                pos,
            });
        }
        let Some(w) = self.watched[i].as_mut() else {
            return Ok(false);
        };
        w.token = token;
        w.flags = poll_flags(interest);
        w.version = Some(client.shared_sockets(w.version, &mut w.sockets)?);
        if w.sockets.is_empty() {
            self.unwatch(index);
            return Ok(false);
        }
        Ok(true)
    }

    /// Stops watching slot `index`'s sockets, if it was.
    pub(super) fn unwatch(&mut self, index: u32) {
        let Some(mut w) = self.watched.get_mut(index as usize).and_then(Option::take) else {
            return;
        };
        self.active.swap_remove(w.pos);
        if let Some(&moved) = self.active.get(w.pos) {
            if let Some(m) = self.watched[moved as usize].as_mut() {
                m.pos = w.pos;
            }
        }
        w.sockets.clear();
        self.spare.push(w.sockets);
    }

    /// Waits until a watched socket is ready, `timeout` at most (`None`: no limit).
    pub(super) fn wait(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        self.ready.clear();
        self.held.clear();
        self.owners.clear();
        for &index in &self.active {
            let Some(w) = self.watched.get(index as usize).and_then(Option::as_ref) else {
                continue;
            };
            // A dead reference: the client closed that socket since its last update.
            for socket in w.sockets.iter().filter_map(Weak::upgrade) {
                self.held.push(socket);
                self.owners.push((w.token, w.flags));
            }
        }
        if self.held.is_empty() {
            sleep(timeout);
            return Ok(());
        }
        // Room for every socket to be ready, taken when the number of sockets grows rather
        // than when more of them happen to be ready at once.
        self.ready.reserve(self.held.len());
        let mut fds = recycle(std::mem::take(&mut self.fds));
        fds.extend(
            self.held
                .iter()
                .zip(&self.owners)
                .map(|(socket, &(_, flags))| PollFd::new(&**socket, flags)),
        );
        let ts = timeout.map(crate::conn::poll_timespec);
        let res = rustix::event::poll(&mut fds, ts.as_ref());
        if let Ok(n) = res {
            if n > 0 {
                for (fd, &(token, _)) in fds.iter().zip(&self.owners) {
                    // Errors and hang-ups come whatever was asked for: the client's own
                    // poll() finds out which.
                    if !fd.revents().is_empty() {
                        self.ready.push(token);
                    }
                }
            }
        }
        self.fds = recycle(fds);
        self.held.clear();
        res.map(drop).map_err(io::Error::from)
    }

    /// Forgets the result of an interrupted wait.
    pub(super) fn clear(&mut self) {
        self.ready.clear();
    }

    /// Whether the last wait found any socket ready.
    pub(super) fn any(&self) -> bool {
        !self.ready.is_empty()
    }

    /// The tokens the last wait found ready (once per socket: a client with several
    /// connect attempts may be named more than once; the poller reports it once).
    pub(super) fn ready(&self) -> impl Iterator<Item = Token> + '_ {
        self.ready.iter().copied()
    }

    /// What slot `index` is polled for, if anything (for tests).
    #[cfg(test)]
    pub(super) fn registered_interest(&self, index: u32) -> Option<Interest> {
        let w = self.watched.get(index as usize)?.as_ref()?;
        Some(
            match (
                w.flags.contains(PollFlags::IN),
                w.flags.contains(PollFlags::OUT),
            ) {
                (true, true) => Interest::ReadWrite,
                (false, true) => Interest::Write,
                _ => Interest::Read,
            },
        )
    }
}

fn poll_flags(interest: Interest) -> PollFlags {
    let mut flags = PollFlags::empty();
    if interest.wants_read() {
        flags |= PollFlags::IN;
    }
    if interest.wants_write() {
        flags |= PollFlags::OUT;
    }
    flags
}

/// An empty list of any lifetime on the allocation of another: the list borrows the
/// sockets of one wait only, and keeping its allocation makes a wait allocate nothing.
/// The standard library collects a `Vec`'s own iterator, filtered into a type of the
/// same size and alignment, in place, reusing its allocation.
// `filter` would keep the item type, and with it the lifetime that is to change.
#[allow(clippy::unnecessary_filter_map)]
fn recycle<'a, 'b>(mut fds: Vec<PollFd<'a>>) -> Vec<PollFd<'b>> {
    fds.clear();
    fds.into_iter().filter_map(|_| None).collect()
}

/// A wait with no socket to poll: the timeout, or for ever in slices (as a wait with
/// nothing registered does on Unix).
fn sleep(timeout: Option<Duration>) {
    match timeout {
        Some(t) => std::thread::sleep(t),
        None => loop {
            std::thread::sleep(Duration::from_secs(3600));
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recycled_list_keeps_its_allocation() {
        // What makes a wait allocate nothing: the standard library's in-place collection.
        let list: Vec<PollFd<'static>> = Vec::with_capacity(300);
        let at = list.as_ptr() as usize;
        let again: Vec<PollFd<'_>> = recycle(list);
        assert_eq!((again.as_ptr() as usize, again.capacity()), (at, 300));
    }
}
