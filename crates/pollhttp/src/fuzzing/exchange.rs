//! The whole client against arbitrary server bytes.

use super::{limits, params, MemoryPeer, Splits};
use crate::{HttpClient, Method, Reason, Status, Timeouts};
use std::time::Duration;

/// What the first response came to: what the caller saw of it, and how it ended.
#[derive(Debug, PartialEq, Eq)]
struct First {
    has_response: bool,
    code: u16,
    headers: Vec<String>,
    chunked: bool,
    length: i64,
    body: Vec<u8>,
    end: Result<(), Reason>,
}

/// Drives an [`HttpClient`] over a [`MemoryPeer`] serving the input's server bytes: one
/// or two requests, polling and reading (by chunk or into a buffer, blocking or not) until
/// each ends, within a bounded number of steps. The same bytes served at other split
/// points must give the same first response.
///
/// Parameter bytes: flags (method, blocking, read style, extra polls, second request,
/// reset at the end, trickled writes), read sizes, split seed (2), split scale, limits.
pub fn exchange(data: &[u8]) {
    let ([flags, sizes, s0, s1, scale, lim], server) = params::<6>(data);
    let seed = u16::from_le_bytes([s0, s1]);
    let split = run(server, flags, sizes, lim, Splits::new(seed, scale));
    let whole = run(server, flags, sizes, lim, Splits::whole());
    assert_eq!(
        split, whole,
        "the client depends on how the server's bytes are split"
    );
}

fn run(server: &[u8], flags: u8, sizes: u8, lim: u8, splits: Splits) -> Option<First> {
    let blocking = flags & 0x04 != 0;
    let read_into = flags & 0x08 != 0;
    let extra_polls = flags & 0x10 != 0;
    let rounds = if flags & 0x20 != 0 { 2 } else { 1 };
    let peer = MemoryPeer::new(
        server.to_vec(),
        splits,
        flags & 0x40 != 0,
        flags & 0x80 != 0,
    );

    let mut c = HttpClient::new();
    c.set_timeouts(Timeouts::NONE);
    c.set_limits(limits(lim));
    c.set_blocking_mode(blocking);
    let chunk_size = [256, 300, 4096, 65536][usize::from(sizes) & 3];
    c.set_read_chunk_size(chunk_size)
        .expect("a valid read_chunk_size");
    let into_size = [1, 2, 7, 100, 8191, 8192, 65536, 100_000][usize::from(sizes >> 2) & 7];
    c.set_connection(Box::new(peer));

    // Every step consumes a server byte or a split point, or ends the exchange.
    let budget = 8 * (server.len() + 16);
    let mut steps = 0;
    let mut first = None;
    let mut buf = vec![0u8; into_size];
    let mut total_body = 0usize;
    for round in 0..rounds {
        if round > 0 {
            // The liveness check of an idle connection.
            let _ = c.poll();
        }
        if c.status() != Status::Connected {
            break;
        }
        let (method, url, body): (Method, &str, &[u8]) = match flags & 3 {
            0 => (Method::Get, "/", b""),
            1 => (Method::Head, "/", b""),
            2 => (Method::Connect, "example.com:443", b""),
            _ => (Method::Post, "/form", b"a=1&b=2"),
        };
        c.request_raw(method, url, &[] as &[&str], body)
            .expect("request() in CONNECTED");
        let mut got = Vec::new();
        loop {
            steps += 1;
            assert!(steps <= budget, "no progress in {:?}", c.status());
            match c.status() {
                Status::Requesting => {
                    let _ = c.poll();
                    if blocking {
                        assert_ne!(
                            c.status(),
                            Status::Requesting,
                            "a blocking poll returned early"
                        );
                    }
                }
                Status::Body => {
                    if read_into {
                        if let Ok(n) = c.read_response_body_into(&mut buf) {
                            got.extend_from_slice(&buf[..n]);
                            if blocking && n < buf.len() && c.status() == Status::Body {
                                // Only a failure stops a blocking read short, and it is
                                // reported by the next read, after the bytes before it.
                                assert!(
                                    c.read_response_body_into(&mut buf).is_err(),
                                    "a blocking read returned early"
                                );
                            }
                        }
                    } else {
                        let piece = c.read_response_body_chunk();
                        assert!(piece.len() <= chunk_size);
                        got.extend_from_slice(&piece);
                    }
                    // Extra polls while the body is read; once it has ended, the next
                    // poll is the liveness check of an idle connection, whose outcome
                    // depends on whether the server answered before the whole request
                    // was written (an early answer leaves the connection closed).
                    if extra_polls && c.status() == Status::Body {
                        let _ = c.poll();
                    }
                }
                _ => break,
            }
            let _ = c.wait(Some(Duration::ZERO));
        }
        total_body += got.len();
        assert!(total_body <= server.len(), "more body than server bytes");
        let end = match c.status() {
            Status::Connected | Status::Disconnected => {
                let length = c.response_body_length();
                if c.has_response() && length >= 0 {
                    assert_eq!(got.len() as i64, length, "a short body reported complete");
                }
                Ok(())
            }
            Status::ConnectionError => {
                let err = c
                    .last_error()
                    .expect("an error behind CONNECTION_ERROR")
                    .clone();
                let again = c.poll().expect_err("the error is sticky");
                assert_eq!(again.reason(), err.reason());
                Err(err.reason().clone())
            }
            other => panic!("the exchange ended in {other:?}"),
        };
        if round == 0 {
            first = Some(First {
                has_response: c.has_response(),
                code: c.response_code(),
                headers: c.response_headers(),
                chunked: c.is_response_chunked(),
                length: c.response_body_length(),
                body: got,
                end,
            });
        }
    }
    first
}
