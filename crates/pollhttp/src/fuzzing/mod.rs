//! Harnesses shared by the fuzz targets (`crates/pollhttp/fuzz`) and the tests that replay
//! their corpus, so that both run exactly the same code. Not part of the API.
//!
//! Each harness takes arbitrary bytes: the first few choose parameters (limits, read sizes,
//! where the input is split), the rest is what a server sends or what a caller passes.
//! Besides "no panic", each checks properties that must hold for any input:
//!
//! - splitting the input differently never changes the outcome (head, body, error);
//! - nothing is reported complete that was truncated;
//! - the work is bounded: a loop that stops making progress panics as a hang would;
//! - what a caller passes is accepted exactly as documented, and what is written from
//!   it reads back the same (the harness of each says how).
//!
//! Server side: [`response_head`], [`chunked`], [`exchange`], [`tls_records`]. Caller
//! side: [`request_head`], [`connect_host`], [`proxy_url`], [`proxy_env`], [`no_proxy`],
//! [`query_string`].

mod exchange;
mod host;
mod peer;
mod proxy;
mod query;
mod request;
mod tls_records;

pub use exchange::exchange;
pub use host::connect_host;
pub use peer::MemoryPeer;
pub use proxy::{no_proxy, proxy_env, proxy_url};
pub use query::query_string;
pub use request::request_head;
pub use tls_records::tls_records;

use crate::proto::{
    ChunkedDecoder, HeadEvent, HeadParse, HeadParser, HeaderList, Limits, ProtoError, ResponseHead,
    ResponseReader,
};

/// Segment lengths for cutting an input into reads, from a seed: the same seed always
/// cuts the same way.
#[derive(Clone, Debug)]
pub struct Splits {
    state: u64,
    scale: usize,
}

impl Splits {
    /// Segments of 1 to a scale picked by `scale`, at pseudo-random lengths from `seed`.
    pub fn new(seed: u16, scale: u8) -> Splits {
        const SCALES: [usize; 8] = [1, 2, 3, 8, 17, 256, 4096, usize::MAX];
        Splits {
            state: (u64::from(seed) + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1,
            scale: SCALES[usize::from(scale) % SCALES.len()],
        }
    }

    /// One segment: the whole input at once.
    pub fn whole() -> Splits {
        Splits {
            state: 1,
            scale: usize::MAX,
        }
    }

    /// The next segment length (at least 1).
    pub fn next_len(&mut self) -> usize {
        if self.scale == usize::MAX {
            return usize::MAX;
        }
        // xorshift64
        self.state ^= self.state << 13;
        self.state ^= self.state >> 7;
        self.state ^= self.state << 17;
        let r = usize::try_from(self.state % self.scale as u64).unwrap_or(0);
        1 + r
    }

    /// Cuts `data` into segments.
    pub fn cut<'a>(&mut self, data: &'a [u8]) -> Vec<&'a [u8]> {
        let mut out = Vec::new();
        let mut rest = data;
        while !rest.is_empty() {
            let n = self.next_len().min(rest.len());
            let (a, b) = rest.split_at(n);
            out.push(a);
            rest = b;
        }
        out
    }
}

/// The first `N` bytes of `data` as parameters (zero-padded), and the rest.
pub fn params<const N: usize>(data: &[u8]) -> ([u8; N], &[u8]) {
    let mut p = [0u8; N];
    let n = data.len().min(N);
    p[..n].copy_from_slice(&data[..n]);
    (p, &data[n..])
}

/// The input cut at `0xFF` bytes (which UTF-8 never holds) into strings, invalid UTF-8
/// replaced: how the caller-side harnesses take several strings from one input.
pub fn fields(data: &[u8]) -> Vec<String> {
    data.split(|&b| b == 0xFF)
        .map(|f| String::from_utf8_lossy(f).into_owned())
        .collect()
}

/// Limits picked by one parameter byte: the defaults, or small ones that the fuzzer can
/// actually reach.
pub fn limits(sel: u8) -> Limits {
    if sel & 1 == 0 {
        let mut l = Limits::default();
        if sel & 2 != 0 {
            l.max_body_bytes = Some(u64::from(sel >> 2) * 7);
        }
        return l;
    }
    const HEAD: [usize; 4] = [0, 16, 64, 300];
    const HEADERS: [usize; 4] = [0, 1, 3, 129];
    Limits {
        max_head_bytes: HEAD[usize::from(sel >> 1) & 3],
        max_headers: HEADERS[usize::from(sel >> 3) & 3],
        max_chunk_line_bytes: [0, 3, 8, 40][usize::from(sel >> 5) & 3],
        max_trailer_bytes: [0, 5, 30, 200][usize::from(sel >> 5) & 3],
        max_interim_responses: usize::from(sel >> 6),
        max_body_bytes: (sel & 0x80 != 0).then_some(u64::from(sel & 0x1f)),
    }
}

const METHODS: [&str; 4] = ["GET", "HEAD", "CONNECT", "POST"];

/// Parses response heads out of `data` two ways: incrementally over segments, as bytes
/// arrive, and at once over the whole input. Both must agree, for [`HeadParser`] and for
/// [`ResponseReader::feed_head`].
pub fn response_head(data: &[u8]) {
    let ([lim, s0, s1, scale, method], input) = params::<5>(data);
    let limits = limits(lim);
    let seed = u16::from_le_bytes([s0, s1]);
    let method = METHODS[usize::from(method) % METHODS.len()];

    let split = parse_head(input, &limits, Splits::new(seed, scale));
    let whole = parse_head(input, &limits, Splits::whole());
    assert_eq!(split, whole, "HeadParser depends on how the input is split");

    let split = feed_head(input, &limits, method, Splits::new(seed, scale));
    let whole = feed_head(input, &limits, method, Splits::whole());
    assert_eq!(
        split, whole,
        "ResponseReader depends on how the input is split"
    );
}

type HeadOutcome = Result<Option<(usize, ResponseHead)>, ProtoError>;

fn parse_head(input: &[u8], limits: &Limits, mut splits: Splits) -> HeadOutcome {
    let mut parser = HeadParser::new();
    let mut head = ResponseHead::new();
    let mut len = 0;
    let mut last = Ok(None);
    for seg in splits.cut(input) {
        len += seg.len();
        match parser.parse(&input[..len], limits, &mut head)? {
            HeadParse::Partial => last = Ok(None),
            HeadParse::Complete { consumed } => {
                assert!(consumed <= len);
                return Ok(Some((consumed, head)));
            }
        }
    }
    last
}

type ReaderOutcome =
    Result<Option<(usize, ResponseHead, Option<crate::proto::Framing>)>, ProtoError>;

fn feed_head(input: &[u8], limits: &Limits, method: &str, mut splits: Splits) -> ReaderOutcome {
    let mut reader = ResponseReader::new(limits.clone());
    reader.start(crate::Method::parse(method).unwrap_or(crate::Method::Get));
    let mut buf: Vec<u8> = Vec::new();
    let mut dropped = 0;
    for seg in splits.cut(input) {
        buf.extend_from_slice(seg);
        match reader.feed_head(&buf)? {
            HeadEvent::NeedMore { consumed } => {
                assert!(consumed <= buf.len());
                buf.drain(..consumed);
                dropped += consumed;
            }
            HeadEvent::Complete { consumed } => {
                assert!(consumed <= buf.len());
                let framing = reader.framing().copied();
                assert!(framing.is_some());
                return Ok(Some((dropped + consumed, reader.head().clone(), framing)));
            }
        }
    }
    if input.is_empty() {
        assert_eq!(reader.on_eof(), Err(ProtoError::EmptyReply));
    }
    Ok(None)
}

/// Decodes a chunked body from `data` with a small `max_data` over segments, and at once
/// with no `max_data` limit: the data, trailers, end and error must be the same.
pub fn chunked(data: &[u8]) {
    let ([lim, s0, s1, scale, max], input) = params::<5>(data);
    let limits = limits(lim);
    let seed = u16::from_le_bytes([s0, s1]);
    const MAX_DATA: [usize; 8] = [1, 2, 3, 7, 64, 4096, 65536, usize::MAX];
    let max_data = MAX_DATA[usize::from(max) % MAX_DATA.len()];

    let split = decode_chunked(input, &limits, max_data, Splits::new(seed, scale));
    let whole = decode_chunked(input, &limits, usize::MAX, Splits::whole());
    assert_eq!(split, whole, "ChunkedDecoder depends on splits or max_data");
}

#[derive(Debug, PartialEq, Eq)]
struct ChunkedOutcome {
    body: Vec<u8>,
    trailers: HeaderList,
    end: Result<Option<usize>, ProtoError>,
}

fn decode_chunked(
    input: &[u8],
    limits: &Limits,
    max_data: usize,
    mut splits: Splits,
) -> ChunkedOutcome {
    let mut dec = ChunkedDecoder::new();
    let mut trailers = HeaderList::new();
    let mut body = Vec::new();
    let mut buf: Vec<u8> = Vec::new();
    let mut used = 0;
    let mut end = Ok(None);
    'segments: for seg in splits.cut(input) {
        buf.extend_from_slice(seg);
        // Every call consumes input or returns data; a call doing neither is where the
        // decoder waits for more.
        for _ in 0..=2 * buf.len() + 2 {
            match dec.decode(&buf, max_data, limits, &mut trailers) {
                Err(e) => {
                    end = Err(e);
                    break 'segments;
                }
                Ok(d) => {
                    assert!(d.consumed <= buf.len() && d.data.end <= d.consumed);
                    assert!(d.data.len() <= max_data);
                    body.extend_from_slice(&buf[d.data.clone()]);
                    buf.drain(..d.consumed);
                    used += d.consumed;
                    if dec.is_done() {
                        end = Ok(Some(used));
                        break 'segments;
                    }
                    if d.consumed == 0 {
                        continue 'segments;
                    }
                }
            }
        }
        panic!("ChunkedDecoder made no progress over {} bytes", buf.len());
    }
    ChunkedOutcome {
        body,
        trailers,
        end,
    }
}
