use super::*;
use crate::test_prelude::*;
use crate::BodyKind;

/// A minimal driver: a receive buffer fed in pieces, bodies read in runs of `max_data`.
struct Driver {
    reader: ResponseReader,
    buf: Vec<u8>,
    body: Vec<u8>,
    max_data: usize,
}

impl Driver {
    fn new(method: &str, max_data: usize) -> Driver {
        let mut reader = ResponseReader::new(Limits::default());
        reader.start(Method::parse(method).expect("a known method"));
        Driver {
            reader,
            buf: Vec::new(),
            body: Vec::new(),
            max_data,
        }
    }

    /// Appends `piece` and processes as much as possible.
    fn push(&mut self, piece: &[u8]) -> Result<(), ProtoError> {
        self.buf.extend_from_slice(piece);
        self.pump()
    }

    fn pump(&mut self) -> Result<(), ProtoError> {
        if self.reader.framing().is_none() {
            match self.reader.feed_head(&self.buf)? {
                HeadEvent::NeedMore { consumed } => {
                    assert!(consumed <= self.buf.len());
                    self.buf.drain(..consumed);
                    return Ok(());
                }
                HeadEvent::Complete { consumed } => {
                    assert!(consumed <= self.buf.len());
                    self.buf.drain(..consumed);
                }
            }
        }
        while !self.reader.is_complete() {
            let d = self.reader.read_body(&self.buf, self.max_data)?;
            assert!(d.data.end <= d.consumed && d.consumed <= self.buf.len());
            assert!(d.data.len() <= self.max_data);
            self.body.extend_from_slice(&self.buf[d.data.clone()]);
            self.buf.drain(..d.consumed);
            if d.consumed == 0 {
                break;
            }
        }
        Ok(())
    }
}

const CL_RESPONSE: &[u8] = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 11\r\nX-A: 1\r\n\r\nhello worldHTTP/1.1";
const CHUNKED_RESPONSE: &[u8] = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\nHTTP/1.1";

fn split_everywhere(method: &str, input: &[u8], check: impl Fn(&Driver)) {
    for split in 0..=input.len() {
        for max_data in [1, 4, 65536] {
            let mut d = Driver::new(method, max_data);
            d.push(&input[..split]).unwrap();
            d.push(&input[split..]).unwrap();
            check(&d);
        }
    }
    let mut d = Driver::new(method, 3);
    for b in input.chunks(1) {
        d.push(b).unwrap();
    }
    check(&d);
}

#[test]
fn content_length_response_with_interim_heads() {
    split_everywhere("GET", CL_RESPONSE, |d| {
        let r = &d.reader;
        assert!(r.is_complete() && r.can_reuse());
        assert_eq!(r.head().code(), 200);
        assert_eq!(r.head().headers().get("x-a"), Some(&b"1"[..]));
        assert_eq!(r.head().headers().get("link"), None);
        assert_eq!(r.framing().unwrap().content_length, Some(11));
        assert_eq!(d.body, b"hello world");
        assert_eq!(r.body_received(), 11);
        assert_eq!(
            d.buf, b"HTTP/1.1",
            "the next response's bytes stay buffered"
        );
    });
}

#[test]
fn chunked_response_with_trailers() {
    split_everywhere("GET", CHUNKED_RESPONSE, |d| {
        let r = &d.reader;
        assert!(r.is_complete() && r.can_reuse());
        assert!(r.framing().unwrap().chunked);
        assert_eq!(d.body, b"hello world");
        assert_eq!(r.trailers().get("x-trailer"), Some(&b"t"[..]));
        assert_eq!(d.buf, b"HTTP/1.1");
    });
}

#[test]
fn keep_alive_reuse_stops_allocating() {
    let mut d = Driver::new("GET", 4);
    let mut caps = Vec::new();
    for i in 0..4 {
        if i > 0 {
            d.reader.start(Method::Get);
            d.body.clear();
        }
        let input = if i % 2 == 0 {
            CHUNKED_RESPONSE
        } else {
            CL_RESPONSE
        };
        d.buf.clear();
        d.push(&input[..input.len() - 8]).unwrap();
        assert!(d.reader.can_reuse());
        assert_eq!(d.body, b"hello world");
        caps.push((
            d.reader.head.headers().capacities(),
            d.reader.trailers.capacities(),
        ));
    }
    assert_eq!(caps[2], caps[3]);
    assert_eq!(caps[1], caps[2]);
}

#[test]
fn bodiless_responses() {
    for (method, input) in [
        (
            "HEAD",
            &b"HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n"[..],
        ),
        (
            "HEAD",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
        ),
        ("GET", b"HTTP/1.1 204 No Content\r\n\r\n"),
        (
            "GET",
            b"HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n",
        ),
    ] {
        let mut d = Driver::new(method, 100);
        d.push(input).unwrap();
        d.push(b"NEXT").unwrap();
        assert!(d.reader.is_complete() && d.reader.can_reuse(), "{input:?}");
        assert_eq!(d.reader.framing().unwrap().body, BodyKind::None);
        assert_eq!(d.buf, b"NEXT");
        assert_eq!(d.reader.direct_window(), 0);
        assert_eq!(d.reader.on_eof(), Ok(()));
    }
}

#[test]
fn switching_protocols_and_tunnels() {
    for (method, input) in [
        (
            "GET",
            &b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\nRAW"[..],
        ),
        ("CONNECT", b"HTTP/1.1 200 Connection Established\r\n\r\nRAW"),
    ] {
        // The head ends HTTP: the bytes after it are not body but the other protocol's,
        // left in the driver's buffer.
        let mut d = Driver::new(method, 100);
        d.push(input).unwrap();
        assert_eq!(d.reader.framing().unwrap().body, BodyKind::UntilClose);
        assert!(d.body.is_empty());
        assert_eq!(d.buf, b"RAW");
        assert!(d.reader.is_complete() && d.reader.is_switched() && !d.reader.can_reuse());
        assert_eq!(d.reader.on_eof(), Ok(()));
        assert!(d.reader.is_switched());
    }
    // A refused CONNECT is an ordinary response.
    let mut d = Driver::new("CONNECT", 100);
    d.push(b"HTTP/1.1 407 Proxy Auth\r\nContent-Length: 2\r\n\r\nno")
        .unwrap();
    assert!(d.reader.can_reuse() && !d.reader.is_switched());
    assert_eq!(d.body, b"no");
}

#[test]
fn close_delimited_body() {
    let mut d = Driver::new("GET", 5);
    d.push(b"HTTP/1.0 200 OK\r\n\r\nuntil-eof-body").unwrap();
    assert_eq!(d.body, b"until-eof-body");
    assert!(!d.reader.is_complete());
    assert_eq!(d.reader.direct_window(), u64::MAX);
    d.reader.consume_direct(6).unwrap();
    assert_eq!(d.reader.body_received(), 20);
    assert_eq!(d.reader.on_eof(), Ok(()));
    assert!(d.reader.is_complete());
    assert!(!d.reader.can_reuse());
}

#[test]
fn direct_reads_into_the_caller_buffer() {
    let mut d = Driver::new("GET", 100);
    d.push(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nabc")
        .unwrap();
    assert_eq!(d.body, b"abc");
    assert_eq!(d.reader.direct_window(), 997);
    d.reader.consume_direct(990).unwrap();
    assert_eq!(d.reader.direct_window(), 7);
    d.reader.consume_direct(7).unwrap();
    assert!(d.reader.is_complete() && d.reader.can_reuse());
    assert_eq!(d.reader.body_received(), 1000);
    assert_eq!(d.reader.direct_window(), 0);
    assert_eq!(d.reader.consume_direct(5), Ok(()));
}

#[test]
fn eof_cases() {
    let mut r = ResponseReader::new(Limits::default());
    assert_eq!(r.on_eof(), Ok(()), "nothing expected yet");
    r.start(Method::Get);
    assert_eq!(r.feed_head(b""), Ok(HeadEvent::NeedMore { consumed: 0 }));
    assert_eq!(r.on_eof(), Err(ProtoError::EmptyReply));
    assert_eq!(r.on_eof(), Err(ProtoError::EmptyReply), "sticky");

    r.start(Method::Get);
    r.feed_head(b"HTTP/1.1 200").unwrap();
    assert_eq!(r.on_eof(), Err(ProtoError::TruncatedHead));

    r.start(Method::Get);
    assert_eq!(
        r.feed_head(b"HTTP/1.1 100 Continue\r\n\r\n"),
        Ok(HeadEvent::NeedMore { consumed: 25 })
    );
    assert_eq!(r.feed_head(b""), Ok(HeadEvent::NeedMore { consumed: 0 }));
    assert_eq!(r.on_eof(), Err(ProtoError::TruncatedHead));

    let mut d = Driver::new("GET", 100);
    d.push(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")
        .unwrap();
    assert_eq!(
        d.reader.on_eof(),
        Err(ProtoError::TruncatedBody { remaining: 7 })
    );
    assert!(!d.reader.is_complete());

    let mut d = Driver::new("GET", 100);
    d.push(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel")
        .unwrap();
    assert_eq!(d.reader.on_eof(), Err(ProtoError::TruncatedChunked));
}

#[test]
fn interim_limit() {
    let mut r = ResponseReader::new(Limits {
        max_interim_responses: 2,
        ..Limits::default()
    });
    r.start(Method::Get);
    let two = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 102 Processing\r\n\r\n";
    assert_eq!(
        r.feed_head(two),
        Ok(HeadEvent::NeedMore {
            consumed: two.len()
        })
    );
    assert_eq!(
        r.feed_head(b"HTTP/1.1 100 Continue\r\n\r\n"),
        Err(ProtoError::TooManyInterimResponses { limit: 2 })
    );
}

#[test]
fn errors_are_sticky_until_start() {
    let mut r = ResponseReader::new(Limits::default());
    r.start(Method::Get);
    let e = ProtoError::InvalidHead {
        why: "not an HTTP/1.x status line",
    };
    assert_eq!(r.feed_head(b"ICY 200 OK\r\n\r\n"), Err(e));
    assert_eq!(r.feed_head(b"HTTP/1.1 200 OK\r\n\r\n"), Err(e));
    assert_eq!(r.read_body(b"x", 9), Err(e));
    assert_eq!(r.consume_direct(1), Err(e));
    assert_eq!(r.on_eof(), Err(e));
    assert!(!r.is_complete() && !r.can_reuse());
    r.start(Method::Get);
    assert_eq!(
        r.feed_head(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"),
        Ok(HeadEvent::Complete { consumed: 38 })
    );
    assert!(r.can_reuse());

    // A framing error surfaces from feed_head.
    r.start(Method::Get);
    assert_eq!(
        r.feed_head(b"HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\n"),
        Err(ProtoError::ConflictingContentLength)
    );
    // So does a body limit on Content-Length.
    r.set_limits(Limits {
        max_body_bytes: Some(4),
        ..Limits::default()
    });
    assert_eq!(r.limits().max_body_bytes, Some(4));
    r.start(Method::Get);
    assert_eq!(
        r.feed_head(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"),
        Err(ProtoError::BodyTooLarge { limit: 4 })
    );
}

#[test]
fn calls_out_of_phase_do_nothing() {
    let mut r = ResponseReader::new(Limits::default());
    assert_eq!(
        r.feed_head(b"HTTP/1.1 200 OK\r\n\r\n"),
        Ok(HeadEvent::NeedMore { consumed: 0 })
    );
    assert_eq!(r.read_body(b"abc", 9), Ok(Decoded::nothing()));
    r.start(Method::Get);
    assert_eq!(r.read_body(b"abc", 9), Ok(Decoded::nothing()));
    assert_eq!(r.direct_window(), 0);
    assert!(r.framing().is_none());
    r.feed_head(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
        .unwrap();
    assert_eq!(
        r.feed_head(b"HTTP/1.1 200 OK\r\n\r\n"),
        Ok(HeadEvent::NeedMore { consumed: 0 })
    );
    assert_eq!(r.read_body(b"abc", 9), Ok(Decoded::nothing()));
}

/// xorshift64*: a tiny deterministic generator, enough to shake the parser.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Feeds random and mutated responses in random pieces: nothing may panic, every reported
/// range must be in bounds, and the reader must end complete or with an error.
#[test]
fn random_bytes_never_panic() {
    const SEEDS: &[&[u8]] = &[
        CL_RESPONSE,
        CHUNKED_RESPONSE,
        b"HTTP/1.0 200 OK\r\n\r\nbody",
        b"HTTP/1.1 101 S\r\n\r\nraw",
    ];
    const ALPHABET: &[u8] =
        b"HTTP/1.0 2345;=\"\\\r\n:,chunkedContent-LengthTransfer-Encoding\t\x00\xff0aF";
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let limits = Limits {
        max_head_bytes: 512,
        max_headers: 8,
        max_chunk_line_bytes: 32,
        max_trailer_bytes: 64,
        max_interim_responses: 3,
        max_body_bytes: Some(4096),
    };
    for _ in 0..4000 {
        let mut input: Vec<u8> = match rng.below(3) {
            0 => (0..rng.below(300)).map(|_| rng.next() as u8).collect(),
            1 => (0..rng.below(300))
                .map(|_| ALPHABET[rng.below(ALPHABET.len())])
                .collect(),
            _ => {
                let mut v = SEEDS[rng.below(SEEDS.len())].to_vec();
                for _ in 0..=rng.below(4) {
                    let i = rng.below(v.len() + 1);
                    match rng.below(3) {
                        0 if i < v.len() => v[i] = ALPHABET[rng.below(ALPHABET.len())],
                        1 if i < v.len() => {
                            v.remove(i);
                        }
                        _ => v.insert(i, rng.next() as u8),
                    }
                }
                v
            }
        };
        if rng.below(4) == 0 {
            input.splice(
                0..0,
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                    .iter()
                    .copied(),
            );
        }
        let method = ["GET", "HEAD", "CONNECT"][rng.below(3)];
        let mut d = Driver::new(method, 1 + rng.below(64));
        d.reader.set_limits(limits.clone());
        let mut pos = 0;
        let mut failed = false;
        while pos < input.len() && !failed {
            let n = 1 + rng.below(40);
            let end = (pos + n).min(input.len());
            failed = d.push(&input[pos..end]).is_err();
            pos = end;
            if !failed && rng.below(8) == 0 && d.buf.is_empty() {
                let w = d.reader.direct_window().min(16) as usize;
                failed = d.reader.consume_direct(rng.below(w + 1)).is_err();
            }
        }
        let eof = d.reader.on_eof();
        if failed {
            assert!(eof.is_err() && !d.reader.is_complete());
        } else {
            assert_eq!(eof.is_ok(), d.reader.is_complete());
        }
        assert!(d.reader.body_received() <= 4096);
    }
}
