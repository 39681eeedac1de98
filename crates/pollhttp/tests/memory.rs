//! Huge and endless bodies stream in constant memory.
//!
//! The server generates its bytes on the fly, so the only memory that could grow is the
//! client's. Resident memory is read from `/proc/self/status` around gigabytes of body
//! read through a 64 KiB buffer; the bound asserted is on memory, not on time. The tests
//! in this file share the process's memory figures, so they run one at a time.
#![cfg(target_os = "linux")]

use pollhttp::proto::{Limits, ProtoError};
use pollhttp::{HttpClient, Method, Reason, Status};
use pollhttp_testserver::{pattern_byte, ScriptedServer, Step};
use std::sync::Mutex;
use std::time::{Duration, Instant};

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

const GIB: u64 = 1024 * 1024 * 1024;
/// Growth of resident memory allowed while streaming: far below the gigabytes streamed,
/// well above allocator noise.
const MAX_GROWTH_KIB: u64 = 32 * 1024;
/// A stuck stream fails the test instead of hanging it.
const GUARD: Duration = Duration::from_secs(300);

/// `VmRSS` and `VmHWM` of this process, in KiB.
fn memory_kib() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or_else(|| panic!("no {name} in /proc/self/status"))
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// Resets the peak (`VmHWM`) to the current resident size, where the kernel allows it.
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn connect(server: &ScriptedServer, limits: Limits) -> HttpClient {
    let mut c = HttpClient::new();
    c.set_limits(limits);
    c.set_blocking_mode(true);
    c.connect_to_host("127.0.0.1", Some(server.port()), None)
        .unwrap();
    c.poll().unwrap();
    assert_eq!(c.status(), Status::Connected, "{:?}", c.last_error());
    c.request(Method::Get, "/", &[] as &[&str], "").unwrap();
    c
}

/// Reads up to `want` body bytes through a 64 KiB buffer, checking them against the
/// pattern from body offset `offset` on; returns how many were read before the body ended
/// or `want` was reached.
fn stream(c: &mut HttpClient, offset: u64, want: u64) -> u64 {
    let mut buf = vec![0u8; 64 * 1024];
    let mut got: u64 = 0;
    let start = Instant::now();
    while c.status() == Status::Body && got < want {
        assert!(start.elapsed() < GUARD, "stream stuck at {got} bytes");
        let room = usize::try_from(want - got)
            .unwrap_or(usize::MAX)
            .min(buf.len());
        let n = match c.read_response_body_into(&mut buf[..room]) {
            Ok(n) => n,
            Err(_) => break,
        };
        // Spot checks keep a debug build fast; a shifted or repeated piece still shows.
        for i in [0, n / 2, n.saturating_sub(1)] {
            if i < n {
                let at = offset + got + i as u64;
                assert_eq!(buf[i], pattern_byte(at), "byte {at}");
            }
        }
        got += n as u64;
    }
    got
}

fn assert_constant_memory(before: (u64, u64), what: &str) {
    let after = memory_kib();
    let growth = after.0.saturating_sub(before.0);
    let peak_growth = after.1.saturating_sub(before.0);
    eprintln!(
        "{what}: VmRSS {} -> {} KiB, VmHWM {} KiB",
        before.0, after.0, after.1
    );
    assert!(
        growth < MAX_GROWTH_KIB,
        "{what}: resident memory grew by {growth} KiB"
    );
    assert!(
        peak_growth < MAX_GROWTH_KIB,
        "{what}: peak resident memory grew by {peak_growth} KiB"
    );
}

#[test]
fn ten_gib_declared_body_streams_in_constant_memory() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let declared = 10 * GIB;
    let server = ScriptedServer::start(vec![vec![
        Step::ReadHead,
        Step::Send(format!("HTTP/1.1 200 OK\r\nContent-Length: {declared}\r\n\r\n").into()),
        Step::SendPattern {
            len: Some(declared),
        },
    ]]);
    let mut c = connect(&server, Limits::default());
    c.poll().unwrap();
    assert_eq!(c.response_body_length(), declared as i64);
    // Warm up (buffers allocated once), then measure.
    assert_eq!(stream(&mut c, 0, 1 << 20), 1 << 20);
    reset_peak();
    let before = memory_kib();
    let read = stream(&mut c, 1 << 20, 2 * GIB);
    assert_eq!(read, 2 * GIB, "{:?}", c.last_error());
    assert_eq!(c.status(), Status::Body);
    assert_constant_memory(before, "10 GiB Content-Length, 2 GiB read");
    c.close();
}

#[test]
fn endless_chunked_body_streams_in_constant_memory() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let server = ScriptedServer::start(vec![vec![
        Step::ReadHead,
        Step::Send(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec()),
        Step::SendChunkedPattern {
            chunk_size: 100_000,
            chunks: None,
        },
    ]]);
    let mut c = connect(&server, Limits::default());
    c.poll().unwrap();
    assert!(c.is_response_chunked());
    assert_eq!(stream(&mut c, 0, 1 << 20), 1 << 20);
    reset_peak();
    let before = memory_kib();
    let read = stream(&mut c, 1 << 20, GIB);
    assert_eq!(read, GIB, "{:?}", c.last_error());
    assert_constant_memory(before, "endless chunked, 1 GiB read");
    c.close();
}

#[test]
fn endless_chunked_body_is_refused_by_max_body_bytes_in_constant_memory() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let limit = 512 * 1024 * 1024;
    let server = ScriptedServer::start(vec![vec![
        Step::ReadHead,
        Step::Send(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec()),
        Step::SendChunkedPattern {
            chunk_size: 65_536,
            chunks: None,
        },
    ]]);
    let limits = Limits {
        max_body_bytes: Some(limit),
        ..Limits::default()
    };
    let mut c = connect(&server, limits);
    c.poll().unwrap();
    reset_peak();
    let before = memory_kib();
    let read = stream(&mut c, 0, u64::MAX);
    assert!(read <= limit && read > limit - 65_536, "{read}");
    assert_eq!(c.status(), Status::ConnectionError);
    assert_eq!(
        c.last_error().unwrap().reason(),
        &Reason::Protocol(ProtoError::BodyTooLarge { limit })
    );
    assert_constant_memory(before, "endless chunked refused at 512 MiB");
}
