//! The sockets a [`Poller`](crate::Poller) waits on, on Windows.
//!
//! `WSAPoll` takes borrowed sockets, and [`Poller::poll`](crate::Poller::poll) has no
//! client to borrow them from; naming a socket by its number would need `unsafe` code and
//! could outlive the socket (the client closes and replaces its sockets). So the client
//! keeps a duplicate of each of its sockets (`WSADuplicateSocketW`, through
//! `try_clone_to_owned`) behind an `Arc`, made when a poller first asks for it, and the
//! poller holds only `Weak` references, which it upgrades for the length of one wait.
//!
//! The client drops a duplicate together with the socket it stands for: with the
//! connection (`close`, a failure, a new connect, dropping the client), and for a connect
//! attempt when the attempt ends. So a client that is closed or dropped closes its
//! connection at once, as on Unix, whether or not the poller has been told yet; a
//! duplicate never keeps a connection open.

use super::{HttpClient, Transport};
use std::io;
use std::os::windows::io::{BorrowedSocket, OwnedSocket};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};

/// Which of a client's sockets: a connect attempt in progress (by its number) or the
/// socket of the connection (behind a tunnel or TLS as well).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SocketId {
    /// Connect attempt number `n` of the current connect.
    Attempt(usize),
    /// The connection's socket, from the end of the TCP connect on.
    Stream,
}

/// The duplicates a client keeps for pollers: see the module documentation.
#[derive(Debug, Default)]
pub(crate) struct SharedSockets {
    entries: Vec<(SocketId, Arc<OwnedSocket>)>,
    /// Changes with `entries`, and is never the same for two lists: a poller that saw
    /// this version holds references to exactly these duplicates.
    version: u64,
}

/// Versions for every client's list, so that a poller slot moved to another client
/// (against the rules, but possible) is not fooled by an equal number.
static VERSIONS: AtomicU64 = AtomicU64::new(1);

impl SharedSockets {
    /// Drops every duplicate: the client's sockets are gone or about to change.
    pub(crate) fn clear(&mut self) {
        if !self.entries.is_empty() {
            self.entries.clear();
            self.bump();
        }
    }

    fn bump(&mut self) {
        self.version = VERSIONS.fetch_add(1, Ordering::Relaxed);
    }

    fn has(&self, id: SocketId) -> bool {
        self.entries.iter().any(|(e, _)| *e == id)
    }
}

/// Calls `f` with each socket of `transport`.
fn for_each_socket(transport: &Transport, f: &mut dyn FnMut(SocketId, BorrowedSocket<'_>)) {
    match transport {
        Transport::Stream(s) => {
            if let Some(socket) = s.socket() {
                f(SocketId::Stream, socket);
            }
        }
        Transport::Connecting(c) => c.for_each_socket(f),
        Transport::None => {}
    }
}

/// Whether `transport` still has the socket `id`.
fn has_socket(transport: &Transport, id: SocketId) -> bool {
    let mut found = false;
    for_each_socket(transport, &mut |current, _| found |= current == id);
    found
}

impl HttpClient {
    /// Drops the duplicates of sockets the client no longer has (connect attempts that
    /// ended), so that none keeps a finished attempt open.
    pub(super) fn prune_shared_sockets(&mut self) {
        let transport = &self.transport;
        let shared = self.shared_sockets.get_mut();
        let before = shared.entries.len();
        shared.entries.retain(|(id, _)| has_socket(transport, *id));
        if shared.entries.len() != before {
            shared.bump();
        }
    }

    /// References to duplicates of every socket the client waits on, for a
    /// [`Poller`](crate::Poller) on Windows: put into `out` (replacing what was there)
    /// unless the list is still the one of version `known`. Returns the list's version.
    /// Duplicates a socket the first time it is asked for (two system calls, once per
    /// socket); asking again costs none.
    ///
    /// # Errors
    ///
    /// When the system cannot duplicate a socket (out of resources).
    pub(crate) fn shared_sockets(
        &self,
        known: Option<u64>,
        out: &mut Vec<Weak<OwnedSocket>>,
    ) -> io::Result<u64> {
        let transport = &self.transport;
        let mut shared = self.shared_sockets.borrow_mut();
        let mut count = 0;
        let mut all_known = true;
        for_each_socket(transport, &mut |id, _| {
            count += 1;
            all_known &= shared.has(id);
        });
        if !all_known || count != shared.entries.len() {
            shared.entries.retain(|(id, _)| has_socket(transport, *id));
            shared.bump();
            let mut failed = None;
            for_each_socket(transport, &mut |id, socket| {
                if failed.is_some() || shared.has(id) {
                    return;
                }
                match socket.try_clone_to_owned() {
                    Ok(dup) => shared.entries.push((id, Arc::new(dup))),
                    Err(e) => failed = Some(e),
                }
            });
            if let Some(e) = failed {
                return Err(e);
            }
        }
        if known != Some(shared.version) {
            out.clear();
            out.extend(shared.entries.iter().map(|(_, s)| Arc::downgrade(s)));
        }
        Ok(shared.version)
    }
}
