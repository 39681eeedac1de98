//! Micro-benchmarks of the sans-IO protocol core (`pollhttp::proto`): no sockets, so
//! they measure parsing and framing alone.
//!
//! divan rather than criterion: a fraction of the dependencies and build time on a
//! 2-core machine, one attribute per benchmark, and `AllocProfiler` counts allocations
//! per iteration, which is the property these paths are meant to have (none in the
//! steady state). Criterion's baselines and reports are not needed here: the suite's
//! regression signal is the end-to-end table and, where wanted, callgrind counts.
//!
//! Run: `cd bench && cargo bench -p pollhttp-micro`.

use divan::counter::BytesCount;
use divan::{black_box, AllocProfiler, Bencher};
use pollhttp::proto::{
    write_request_head, ChunkedDecoder, HeadEvent, HeadParse, HeadParser, HeaderList, Limits,
    RequestHead, ResponseHead, ResponseReader,
};

#[global_allocator]
static ALLOC: AllocProfiler = AllocProfiler::system();

fn main() {
    divan::main();
}

/// A typical nginx-style response head with ten header fields.
const HEAD: &[u8] = b"HTTP/1.1 200 OK\r\n\
Server: nginx/1.22.1\r\n\
Date: Sat, 01 Nov 2026 12:00:00 GMT\r\n\
Content-Type: application/octet-stream\r\n\
Content-Length: 65536\r\n\
Last-Modified: Sat, 01 Nov 2026 11:59:00 GMT\r\n\
Connection: keep-alive\r\n\
ETag: \"6724c2b4-10000\"\r\n\
Accept-Ranges: bytes\r\n\
Cache-Control: max-age=3600\r\n\
X-Request-Id: 4f1c2a9e7b3d4c55\r\n\
\r\n";

/// `HeadParser` alone: find the end of the head and parse it (httparse underneath)
/// into a reused `ResponseHead`.
#[divan::bench]
fn head_parser_10_headers(b: Bencher) {
    let limits = Limits::default();
    let mut parser = HeadParser::new();
    let mut head = ResponseHead::new();
    b.counter(BytesCount::of_slice(HEAD)).bench_local(|| {
        match parser.parse(black_box(HEAD), &limits, &mut head) {
            Ok(HeadParse::Complete { consumed }) => consumed,
            other => panic!("head not parsed: {other:?}"),
        }
    });
}

/// Reference point: `httparse` alone on the same head (what `HeadParser` calls once
/// it has found the end), into a stack array of 16 headers.
#[divan::bench]
fn httparse_alone_10_headers(b: Bencher) {
    b.counter(BytesCount::of_slice(HEAD)).bench_local(|| {
        let mut headers = [httparse::EMPTY_HEADER; 16];
        let mut resp = httparse::Response::new(&mut headers);
        match resp.parse(black_box(HEAD)) {
            Ok(httparse::Status::Complete(n)) => n,
            other => panic!("head not parsed: {other:?}"),
        }
    });
}

/// The head in one piece through `ResponseReader`, which also decides the framing;
/// the reader is reused across iterations as the client reuses it across requests.
#[divan::bench]
fn reader_head_10_headers(b: Bencher) {
    let mut reader = ResponseReader::new(Limits::default());
    b.counter(BytesCount::of_slice(HEAD)).bench_local(|| {
        reader.start("GET");
        match reader.feed_head(black_box(HEAD)) {
            Ok(HeadEvent::Complete { consumed }) => consumed,
            other => panic!("head not parsed: {other:?}"),
        }
    });
}

/// The same head arriving in 64-byte pieces (a slow or fragmented peer), to show
/// that re-feeding a partial head does not rescan from the start each time.
#[divan::bench]
fn reader_head_10_headers_in_64_byte_pieces(b: Bencher) {
    let mut reader = ResponseReader::new(Limits::default());
    let mut pending: Vec<u8> = Vec::with_capacity(HEAD.len());
    b.counter(BytesCount::of_slice(HEAD)).bench_local(|| {
        reader.start("GET");
        pending.clear();
        let mut end = 0;
        let mut done = 0;
        while end < HEAD.len() {
            let next = (end + 64).min(HEAD.len());
            pending.extend_from_slice(&HEAD[end..next]);
            end = next;
            match reader.feed_head(black_box(&pending)) {
                Ok(HeadEvent::Complete { consumed }) => {
                    done = consumed;
                    break;
                }
                Ok(HeadEvent::NeedMore { consumed }) => {
                    pending.drain(..consumed);
                }
                Err(e) => panic!("head not parsed: {e}"),
            }
        }
        done
    });
}

/// 64 KiB of body in 4 KiB chunks, chunk framing included.
fn chunked_body() -> Vec<u8> {
    let mut v = Vec::new();
    let chunk = vec![b'x'; 4096];
    for _ in 0..16 {
        v.extend_from_slice(b"1000\r\n");
        v.extend_from_slice(&chunk);
        v.extend_from_slice(b"\r\n");
    }
    v.extend_from_slice(b"0\r\n\r\n");
    v
}

/// `ChunkedDecoder` alone over a 64 KiB body of 16 chunks of 4 KiB: the data is
/// located, not copied.
#[divan::bench]
fn chunked_decoder_64k_in_4k_chunks(b: Bencher) {
    let body = chunked_body();
    let limits = Limits::default();
    let mut trailers = HeaderList::new();
    let mut dec = ChunkedDecoder::new();
    b.counter(BytesCount::new(64 * 1024usize)).bench_local(|| {
        dec.reset();
        let mut at = 0;
        let mut data = 0;
        while !dec.is_done() {
            let d = dec
                .decode(black_box(&body[at..]), usize::MAX, &limits, &mut trailers)
                .expect("valid chunked body");
            data += d.data.len();
            at += d.consumed;
        }
        assert_eq!(data, 64 * 1024);
        data
    });
}

/// The same body through `ResponseReader` (head included), as the client decodes what
/// it has received.
#[divan::bench]
fn reader_chunked_64k_in_4k_chunks(b: Bencher) {
    let head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    let body = chunked_body();
    let mut reader = ResponseReader::new(Limits::default());
    b.counter(BytesCount::new(64 * 1024usize)).bench_local(|| {
        reader.start("GET");
        match reader.feed_head(head) {
            Ok(HeadEvent::Complete { .. }) => {}
            other => panic!("head not parsed: {other:?}"),
        }
        let mut at = 0;
        let mut data = 0;
        while !reader.is_complete() {
            let d = reader
                .read_body(black_box(&body[at..]), usize::MAX)
                .expect("valid chunked body");
            data += d.data.len();
            at += d.consumed;
        }
        assert_eq!(data, 64 * 1024);
        data
    });
}

/// Writes a GET head with the automatic headers and two caller headers into a
/// reused buffer.
#[divan::bench]
fn request_head_write(b: Bencher) {
    let headers = ["Accept-Encoding: identity", "X-Trace: 1"];
    let mut out = Vec::with_capacity(512);
    b.bench_local(|| {
        out.clear();
        let head = RequestHead {
            method: "GET",
            target: black_box("/assets/level-07/terrain.bin?rev=1234"),
            host: "cdn.example.com:8080",
            headers: &headers,
            body_len: 0,
            content_length_if_empty: false,
            user_agent: "pollhttp/0.1.0",
        };
        write_request_head(&mut out, &head).expect("valid request");
        out.len()
    });
}
