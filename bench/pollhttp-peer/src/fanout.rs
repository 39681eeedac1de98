//! Fan-out: many `HttpClient`s driven from one thread.
//!
//! By default with the library's own [`Poller`] (`mode=poller`), as its documentation
//! shows: wait, drive each ready client until it would block, then `update` it.
//! `PEER_POLLHTTP_FANOUT=mio` instead registers each client's `raw_fd()` edge-triggered
//! (read and write, once) with a bare mio instance (`mode=epoll`), the least a caller can
//! do, which shows what the `Poller`'s bookkeeping costs.
//!
//! An event for a client drives it until it would block, which the non-blocking
//! `poll()` / `read_response_body_into()` calls report by leaving the status unchanged or
//! returning less than asked.

use crate::Peer;
use bench_common::Args;
use mio::unix::SourceFd;
use mio::{Events, Interest, Poll, Token};
use pollhttp::{HttpClient, Method, Poller, Status};
use std::os::fd::RawFd;
use std::time::Duration;

/// Body buffer shared by all clients (bodies are discarded).
const BUF: usize = 64 * 1024;

struct Slot {
    client: HttpClient,
    /// The descriptor registered for this slot (bare mio mode only).
    fd: Option<RawFd>,
    /// Responses completely read.
    done: u64,
    /// A request was sent and its response is not read completely yet.
    in_flight: bool,
    finished: bool,
}

/// Whether the run uses the library's `Poller` (else bare mio).
pub fn uses_poller() -> bool {
    std::env::var_os("PEER_POLLHTTP_FANOUT").is_none_or(|v| v != "mio")
}

/// Runs `conns` clients of `n` sequential GETs each; returns (requests, bytes, conns).
pub fn run(peer: Peer, args: &Args) -> (u64, u64, u64) {
    let t = &args.target;
    let tls = peer.tls_options(t);
    let mut slots = Vec::with_capacity(args.conns);
    for _ in 0..args.conns {
        let mut client = HttpClient::new();
        if let Err(e) = client.connect_to_host(&t.host, Some(t.port), tls.clone()) {
            peer.fail("connect_to_host", e);
        }
        slots.push(Slot {
            client,
            fd: None,
            done: 0,
            in_flight: false,
            finished: false,
        });
    }
    let bytes = if uses_poller() {
        with_poller(peer, args, &mut slots)
    } else {
        with_mio(peer, args, &mut slots)
    };
    (args.n * args.conns as u64, bytes, args.conns as u64)
}

fn with_poller(peer: Peer, args: &Args, slots: &mut [Slot]) -> u64 {
    let mut poller = Poller::new().unwrap_or_else(|e| peer.fail("poller", e));
    for (i, s) in slots.iter().enumerate() {
        let token = poller
            .register(&s.client)
            .unwrap_or_else(|e| peer.fail("register", e));
        if token.index() != i {
            peer.fail(
                "register",
                format!("token {} for client {i}", token.index()),
            );
        }
    }
    let mut ready = Vec::with_capacity(slots.len());
    let mut buf = vec![0u8; BUF];
    let (mut bytes, mut finished) = (0, 0);
    while finished < slots.len() {
        if let Err(e) = poller.poll(&mut ready, None) {
            peer.fail("poller.poll", e);
        }
        for &token in &ready {
            let Some(slot) = slots.get_mut(token.index()) else {
                continue;
            };
            if slot.finished {
                continue;
            }
            bytes += drive(peer, slot, args, &mut buf);
            if slot.finished {
                finished += 1;
            }
            if let Err(e) = poller.update(token, &slot.client) {
                peer.fail("poller.update", e);
            }
        }
    }
    bytes
}

fn with_mio(peer: Peer, args: &Args, slots: &mut [Slot]) -> u64 {
    let mut poll = Poll::new().unwrap_or_else(|e| peer.fail("epoll", e));
    for (i, s) in slots.iter_mut().enumerate() {
        sync_fd(peer, &poll, s, i);
    }
    let mut events = Events::with_capacity(slots.len());
    let mut buf = vec![0u8; BUF];
    let (mut bytes, mut finished) = (0, 0);
    while finished < slots.len() {
        // A client still resolving has no socket to wake us: look at it now and then.
        let resolving = slots.iter().any(|s| s.fd.is_none() && !s.finished);
        let timeout = resolving.then_some(Duration::from_millis(1));
        if let Err(e) = poll.poll(&mut events, timeout) {
            if e.kind() != std::io::ErrorKind::Interrupted {
                peer.fail("epoll_wait", e);
            }
        }
        let ticking: Vec<usize> = if resolving {
            (0..slots.len())
                .filter(|&i| slots[i].fd.is_none())
                .collect()
        } else {
            Vec::new()
        };
        for i in events.iter().map(|e| e.token().0).chain(ticking) {
            let Some(slot) = slots.get_mut(i) else {
                continue;
            };
            if slot.finished {
                continue;
            }
            bytes += drive(peer, slot, args, &mut buf);
            sync_fd(peer, &poll, slot, i);
            if slot.finished {
                finished += 1;
            }
        }
    }
    bytes
}

/// Advances one client until it would block; returns the body bytes read.
fn drive(peer: Peer, slot: &mut Slot, args: &Args, buf: &mut [u8]) -> u64 {
    let mut bytes = 0;
    loop {
        match slot.client.status() {
            Status::Resolving | Status::Connecting => {
                if let Err(e) = slot.client.poll() {
                    peer.fail("connect", e);
                }
                if matches!(slot.client.status(), Status::Resolving | Status::Connecting) {
                    return bytes;
                }
            }
            Status::Connected => {
                if slot.in_flight {
                    let code = slot.client.response_code();
                    if code != 200 {
                        peer.fail("response", format!("status code {code}"));
                    }
                    slot.in_flight = false;
                    slot.done += 1;
                }
                if slot.done == args.n {
                    slot.finished = true;
                    return bytes;
                }
                let path = &args.target.path;
                if let Err(e) = slot.client.request(Method::Get, path, &[] as &[&str], "") {
                    peer.fail("request", e);
                }
                slot.in_flight = true;
                // request() has written the request; the response raises a readable edge.
                return bytes;
            }
            Status::Requesting => {
                if let Err(e) = slot.client.poll() {
                    peer.fail("poll", e);
                }
                if slot.client.status() == Status::Requesting {
                    return bytes;
                }
            }
            Status::Body => {
                let k = slot
                    .client
                    .read_response_body_into(buf)
                    .unwrap_or_else(|e| peer.fail("body", e));
                bytes += k as u64;
                if k < buf.len() && slot.client.status() == Status::Body {
                    return bytes;
                }
            }
            s => peer.fail(
                "connection",
                format!("status {s:?}: {:?}", slot.client.last_error()),
            ),
        }
    }
}

/// Keeps the bare mio registration in step with the client's socket, which appears once
/// resolving is over and changes if the client moves to another address.
fn sync_fd(peer: Peer, poll: &Poll, slot: &mut Slot, i: usize) {
    let fd = slot.client.raw_fd();
    if fd == slot.fd {
        return;
    }
    if let Some(old) = slot.fd {
        // The old socket may be closed already (and so gone from epoll): ignore errors.
        let _ = poll.registry().deregister(&mut SourceFd(&old));
    }
    if let Some(new) = fd {
        if let Err(e) = poll.registry().register(
            &mut SourceFd(&new),
            Token(i),
            Interest::READABLE | Interest::WRITABLE,
        ) {
            peer.fail("epoll_ctl", e);
        }
    }
    slot.fd = fd;
}
