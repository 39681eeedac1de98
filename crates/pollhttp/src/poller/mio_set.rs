//! The [`Poller`](super::Poller)'s system part on Unix: the clients' descriptors in the
//! system's readiness set, through `mio` (epoll on Linux, kqueue on the BSDs and macOS).
//!
//! Clients are watched by their raw descriptor through `mio::unix::SourceFd`, which needs
//! no `unsafe`. mio's readiness is edge-triggered, so a descriptor is re-armed (one
//! `epoll_ctl`) where a client may have left bytes unread in its socket: while connecting
//! (a TLS handshake) and while a body is being read in pieces. Everywhere else the client
//! itself reads until the socket would block, and nothing is done per request.
//!
//! A client connecting to several addresses at once (Happy Eyeballs) shows one descriptor
//! for all its attempts, a readiness set of their sockets (see
//! [`HttpClient::raw_fd`]), so one registration per client still sees every attempt; the
//! start of its next attempt is one of its deadlines.

use super::{Token, NO_SLOT};
use crate::{HttpClient, Interest, Status};
use std::io;
use std::os::fd::RawFd;
use std::time::Duration;

/// Default number of readiness events taken from the system per wait.
const EVENTS_PER_POLL: usize = 1024;

/// The descriptors registered with the system, by slot.
pub(super) struct Readiness {
    poll: mio::Poll,
    events: mio::Events,
    /// Each slot's registration: the descriptor and what it was registered for (which
    /// may be wider than what the client waits for: see [`first_interest`]).
    registered: Vec<Option<(RawFd, Interest)>>,
    /// Which slot registered each descriptor number (`NO_SLOT` if none), so that a slot
    /// never removes a registration that a newer socket with a reused number made.
    fd_owner: Vec<u32>,
}

impl Readiness {
    pub(super) fn new() -> io::Result<Readiness> {
        Ok(Readiness {
            poll: mio::Poll::new()?,
            events: mio::Events::with_capacity(EVENTS_PER_POLL),
            registered: Vec::new(),
            fd_owner: Vec::new(),
        })
    }

    /// Watches the socket of slot `index`'s client, which waits for `interest` in
    /// `status`; `new_socket` says the client's connection changed since the last call.
    /// `Ok(false)`: the client has no descriptor the system can watch (the slot then has
    /// no registration).
    pub(super) fn watch(
        &mut self,
        index: u32,
        token: Token,
        client: &HttpClient,
        status: Status,
        interest: Interest,
        new_socket: bool,
    ) -> io::Result<bool> {
        let Some(fd) = client.raw_fd() else {
            self.unwatch(index);
            return Ok(false);
        };
        match self.registration(index) {
            Some((old, registered)) if old == fd && !new_socket => {
                // Edge-triggered readiness: re-arm where the client may have stopped
                // reading before the socket was empty, or a connect attempt may have moved
                // to a new socket with the same number. Re-arming registers exactly what
                // the client waits for, since a wider registration would report at once.
                let rearm = matches!(status, Status::Body | Status::Connecting);
                if rearm || !covers(registered, interest) {
                    return self.rearm(index, token, fd, interest);
                }
                Ok(true)
            }
            old => {
                if let Some((old, _)) = old {
                    if old != fd {
                        self.remove_fd(index, old);
                    }
                    self.registered[index as usize] = None;
                }
                self.add_fd(index, token, fd, first_interest(status, interest))
            }
        }
    }

    /// Stops watching slot `index`'s socket, if it was.
    pub(super) fn unwatch(&mut self, index: u32) {
        if let Some((fd, _)) = self.registration(index) {
            self.remove_fd(index, fd);
            self.registered[index as usize] = None;
        }
    }

    /// Waits for readiness, `timeout` at most (`None`: no limit).
    pub(super) fn wait(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        self.poll.poll(&mut self.events, timeout)
    }

    /// Forgets the events of an interrupted wait.
    pub(super) fn clear(&mut self) {
        self.events.clear();
    }

    /// Whether the last wait brought any event (for a deregistered token too).
    pub(super) fn any(&self) -> bool {
        !self.events.is_empty()
    }

    /// The tokens the last wait found ready; a token may be stale (the poller checks).
    pub(super) fn ready(&self) -> impl Iterator<Item = Token> + '_ {
        self.events.iter().map(|e| Token::from_mio(e.token()))
    }

    /// What slot `index` is registered for, if anything (for tests).
    #[cfg(test)]
    pub(super) fn registered_interest(&self, index: u32) -> Option<Interest> {
        self.registration(index).map(|(_, i)| i)
    }

    fn registration(&self, index: u32) -> Option<(RawFd, Interest)> {
        self.registered.get(index as usize).copied().flatten()
    }

    fn set_registration(&mut self, index: u32, fd: RawFd, interest: Interest) {
        let i = index as usize;
        if self.registered.len() <= i {
            self.registered.resize(i + 1, None);
        }
        self.registered[i] = Some((fd, interest));
    }

    /// Registers `fd` for a slot that has no registration of its own.
    fn add_fd(
        &mut self,
        index: u32,
        token: Token,
        fd: RawFd,
        interest: Interest,
    ) -> io::Result<bool> {
        let registry = self.poll.registry();
        let mut source = mio::unix::SourceFd(&fd);
        let res = match registry.register(&mut source, token.to_mio(), mio_interest(interest)) {
            // The same socket was registered before (handed back with `set_connection`).
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                registry.reregister(&mut source, token.to_mio(), mio_interest(interest))
            }
            r => r,
        };
        match res {
            Ok(()) => {
                self.set_registration(index, fd, interest);
                self.set_owner(fd, index);
                Ok(true)
            }
            // Not something the system poller can watch (a regular file, say).
            Err(e) if e.kind() == io::ErrorKind::PermissionDenied => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Changes (and re-arms) the registration of the slot's current descriptor.
    fn rearm(
        &mut self,
        index: u32,
        token: Token,
        fd: RawFd,
        interest: Interest,
    ) -> io::Result<bool> {
        let registry = self.poll.registry();
        let mut source = mio::unix::SourceFd(&fd);
        match registry.reregister(&mut source, token.to_mio(), mio_interest(interest)) {
            Ok(()) => {
                self.set_registration(index, fd, interest);
                Ok(true)
            }
            // The socket behind the number was closed and replaced (a connect attempt
            // moving to the next address): the registration went with the old one.
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                self.registered[index as usize] = None;
                self.add_fd(index, token, fd, interest)
            }
            Err(e) => Err(e),
        }
    }

    /// Removes the slot's registration of `fd`, unless a newer registration owns the number.
    fn remove_fd(&mut self, index: u32, fd: RawFd) {
        let Ok(at) = usize::try_from(fd) else { return };
        if self.fd_owner.get(at) != Some(&index) {
            return;
        }
        self.fd_owner[at] = NO_SLOT;
        // Fails harmlessly when the socket is already closed (its registration went with it).
        let _ = self
            .poll
            .registry()
            .deregister(&mut mio::unix::SourceFd(&fd));
    }

    fn set_owner(&mut self, fd: RawFd, index: u32) {
        let Ok(at) = usize::try_from(fd) else { return };
        if self.fd_owner.len() <= at {
            self.fd_owner.resize(at + 1, NO_SLOT);
        }
        self.fd_owner[at] = index;
    }
}

/// What a new descriptor is registered for. A TCP connect in progress waits to write, but
/// is registered to read as well: once connected the client writes its request and waits
/// to read, and that registration already covers it, which saves an `epoll_ctl` per
/// connection. The wider registration costs nothing later: writability edges come only
/// after a write has found the socket's buffer full, when the client wants them anyway.
fn first_interest(status: Status, interest: Interest) -> Interest {
    if status == Status::Connecting && interest == Interest::Write {
        Interest::ReadWrite
    } else {
        interest
    }
}

/// Whether a registration for `registered` reports everything `wanted` needs.
fn covers(registered: Interest, wanted: Interest) -> bool {
    (registered.wants_read() || !wanted.wants_read())
        && (registered.wants_write() || !wanted.wants_write())
}

fn mio_interest(i: Interest) -> mio::Interest {
    match i {
        Interest::Read => mio::Interest::READABLE,
        Interest::Write => mio::Interest::WRITABLE,
        Interest::ReadWrite => mio::Interest::READABLE | mio::Interest::WRITABLE,
    }
}
