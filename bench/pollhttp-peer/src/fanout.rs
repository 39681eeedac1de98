//! Fan-out: many `HttpClient`s driven from one thread.
//!
//! Each client's socket (`raw_fd()`) is registered edge-triggered for read and write
//! with one mio (epoll) instance; an event for a client drives it until it would
//! block, which is what the non-blocking `poll()` / `read_response_body_into()` calls
//! report by leaving the status unchanged or returning less than asked.

use crate::Peer;
use bench_common::Args;
use mio::unix::SourceFd;
use mio::{Events, Interest, Poll, Token};
use pollhttp::{HttpClient, Method, Status};
use std::os::fd::RawFd;
use std::time::Duration;

/// Body buffer shared by all clients (bodies are discarded).
const BUF: usize = 64 * 1024;

struct Slot {
    client: HttpClient,
    /// The descriptor registered for this slot, if any.
    fd: Option<RawFd>,
    /// Responses completely read.
    done: u64,
    /// A request was sent and its response is not read completely yet.
    in_flight: bool,
    finished: bool,
}

/// Runs `conns` clients of `n` sequential GETs each; returns (requests, bytes, conns).
pub fn run(peer: Peer, args: &Args) -> (u64, u64, u64) {
    let t = &args.target;
    let mut poll = Poll::new().unwrap_or_else(|e| peer.fail("epoll", e));
    let mut slots = Vec::with_capacity(args.conns);
    for i in 0..args.conns {
        let mut client = HttpClient::new();
        if let Err(e) = client.connect_to_host(&t.host, Some(t.port), None) {
            peer.fail("connect_to_host", e);
        }
        let mut slot = Slot {
            client,
            fd: None,
            done: 0,
            in_flight: false,
            finished: false,
        };
        sync_fd(peer, &poll, &mut slot, i);
        slots.push(slot);
    }
    let mut events = Events::with_capacity(args.conns);
    let mut buf = vec![0u8; BUF];
    let mut bytes = 0;
    let mut finished = 0;
    while finished < args.conns {
        // A client still resolving has no socket to wake us: look at it now and then.
        let resolving = slots.iter().any(|s| s.fd.is_none() && !s.finished);
        let timeout = resolving.then_some(Duration::from_millis(1));
        if let Err(e) = poll.poll(&mut events, timeout) {
            if e.kind() != std::io::ErrorKind::Interrupted {
                peer.fail("epoll_wait", e);
            }
        }
        let tokens: Vec<usize> = if resolving {
            (0..slots.len())
                .filter(|&i| slots[i].fd.is_none())
                .collect()
        } else {
            Vec::new()
        };
        for i in events.iter().map(|e| e.token().0).chain(tokens) {
            let Some(slot) = slots.get_mut(i) else {
                continue;
            };
            if slot.finished {
                continue;
            }
            bytes += drive(peer, &poll, slot, i, args, &mut buf);
            if slot.finished {
                finished += 1;
            }
        }
    }
    (args.n * args.conns as u64, bytes, args.conns as u64)
}

/// Advances one client until it would block; returns the body bytes read.
fn drive(peer: Peer, poll: &Poll, slot: &mut Slot, i: usize, args: &Args, buf: &mut [u8]) -> u64 {
    let mut bytes = 0;
    loop {
        match slot.client.status() {
            Status::Resolving | Status::Connecting => {
                if let Err(e) = slot.client.poll() {
                    peer.fail("connect", e);
                }
                sync_fd(peer, poll, slot, i);
                if matches!(slot.client.status(), Status::Resolving | Status::Connecting) {
                    return bytes;
                }
            }
            Status::Connected => {
                if slot.in_flight {
                    if slot.client.response_code() != 200 {
                        peer.fail(
                            "response",
                            format!("status code {}", slot.client.response_code()),
                        );
                    }
                    slot.in_flight = false;
                    slot.done += 1;
                }
                if slot.done == args.n {
                    slot.finished = true;
                    return bytes;
                }
                if let Err(e) =
                    slot.client
                        .request(Method::Get, &args.target.path, &[] as &[&str], "")
                {
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

/// Keeps the registration in step with the client's socket, which appears once
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
