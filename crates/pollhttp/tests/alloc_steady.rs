//! After warm-up, keep-alive requests whose bodies are read with
//! `read_response_body_into` allocate nothing: a counting global allocator watches the
//! client's thread (the servers' threads are not counted).

use pollhttp::{HttpClient, Method, Poller, Status};
use pollhttp_testserver::loop_server::LoopServer;
use pollhttp_testserver::DemoServer;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::time::Duration;

struct Counting;

thread_local! {
    /// Whether this thread's allocations are being counted, and how many there were.
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

/// Counts one allocation if this thread is counting (tests run on parallel threads, so
/// each keeps its own count).
fn note() {
    if COUNTING.try_with(Cell::get).unwrap_or(false) {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
    }
}

// SAFETY: every call is passed unchanged to the system allocator; counting touches only
// const-initialised thread-locals without destructors, which never allocate.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note();
        System.alloc(layout)
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note();
        System.alloc_zeroed(layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note();
        System.realloc(ptr, layout, new_size)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations made by this thread while `f` runs.
fn count<T>(f: impl FnOnce() -> T) -> (usize, T) {
    let before = ALLOCATIONS.with(Cell::get);
    COUNTING.with(|c| c.set(true));
    let out = f();
    COUNTING.with(|c| c.set(false));
    (ALLOCATIONS.with(Cell::get) - before, out)
}

fn connect(port: u16, blocking: bool) -> HttpClient {
    let mut c = HttpClient::new();
    c.set_blocking_mode(true);
    c.connect_to_host("127.0.0.1", Some(port), None).unwrap();
    c.poll().unwrap();
    assert_eq!(c.status(), Status::Connected);
    c.set_blocking_mode(blocking);
    c
}

/// One request, its body read into `buf`; returns the body length.
fn exchange(c: &mut HttpClient, path: &str, buf: &mut [u8]) -> usize {
    c.request(Method::Get, path, &["Accept: text/plain"], "")
        .unwrap();
    while c.status() == Status::Requesting {
        c.wait(Some(Duration::from_secs(10))).unwrap();
        c.poll().unwrap();
    }
    let mut n = 0;
    while c.status() == Status::Body {
        n += c.read_response_body_into(&mut buf[n..]).unwrap();
        if c.status() == Status::Body {
            c.wait(Some(Duration::from_secs(10))).unwrap();
        }
    }
    assert_eq!(c.status(), Status::Connected, "{:?}", c.last_error());
    assert_eq!(c.response_code(), 200);
    n
}

/// Warms up, then counts the allocations of `runs` requests for `path`.
fn steady(c: &mut HttpClient, path: &str, expected: &[u8], runs: usize) -> usize {
    let mut buf = vec![0u8; 256 * 1024];
    for _ in 0..5 {
        let n = exchange(c, path, &mut buf);
        assert_eq!(&buf[..n], expected);
    }
    // A body read in small pieces grows the receive buffer to its bulk size (once in the
    // connection's life); later large responses may do the same, so do it in warm-up.
    c.request(Method::Get, "/bytes/300000", &[] as &[&str], "")
        .unwrap();
    while c.status() == Status::Requesting {
        c.wait(Some(Duration::from_secs(10))).unwrap();
        c.poll().unwrap();
    }
    let mut got = 0;
    while c.status() == Status::Body {
        got += c.read_response_body_into(&mut buf[..1024]).unwrap();
        if c.status() == Status::Body {
            c.wait(Some(Duration::from_secs(10))).unwrap();
        }
    }
    assert_eq!(got, 300_000);
    let (allocs, ()) = count(|| {
        for _ in 0..runs {
            let n = exchange(c, path, &mut buf);
            assert!(buf[..n] == *expected);
        }
    });
    println!("{path}: {allocs} allocations in {runs} requests");
    allocs
}

#[test]
fn content_length_responses_allocate_nothing() {
    let server = LoopServer::start().unwrap();
    for blocking in [false, true] {
        let mut c = connect(server.port(), blocking);
        assert_eq!(steady(&mut c, "/echo/steady", b"steady", 1000), 0);
    }
}

#[test]
fn bulk_and_chunked_responses_allocate_nothing() {
    let demo = DemoServer::start().unwrap();
    let mut c = connect(demo.port(), false);
    let page = pollhttp_testserver::demo_page();
    assert_eq!(steady(&mut c, "/chunked", page.as_bytes(), 200), 0);
    let hello = pollhttp_testserver::HELLO_BODY.as_bytes();
    assert_eq!(steady(&mut c, "/hello", hello, 200), 0);
    let bytes: Vec<u8> = (0..100_000u64)
        .map(pollhttp_testserver::pattern_byte)
        .collect();
    assert_eq!(steady(&mut c, "/bytes/100000", &bytes, 50), 0);
}

#[test]
fn requests_driven_by_the_poller_allocate_nothing() {
    let server = LoopServer::start().unwrap();
    let mut clients: Vec<HttpClient> = (0..8).map(|_| connect(server.port(), false)).collect();
    let mut poller = Poller::new().unwrap();
    let tokens: Vec<_> = clients
        .iter()
        .map(|c| poller.register(c).unwrap())
        .collect();
    let mut ready = Vec::with_capacity(clients.len());
    let mut buf = vec![0u8; 64 * 1024];
    let mut round = |poller: &mut Poller, clients: &mut [HttpClient]| {
        for (c, &t) in clients.iter_mut().zip(&tokens) {
            c.request(Method::Get, "/echo/fleet", &[] as &[&str], "")
                .unwrap();
            poller.update(t, c).unwrap();
        }
        let mut left = clients.len();
        while left > 0 {
            poller
                .poll(&mut ready, Some(Duration::from_secs(10)))
                .unwrap();
            assert!(!ready.is_empty(), "stalled");
            for &t in &ready {
                let c = &mut clients[t.index()];
                c.poll().unwrap();
                let mut n = 0;
                while c.status() == Status::Body {
                    match c.read_response_body_into(&mut buf[n..]).unwrap() {
                        0 => break,
                        k => n += k,
                    }
                }
                if c.status() == Status::Connected {
                    assert!(buf[..n] == *b"fleet");
                    left -= 1;
                }
                poller.update(t, c).unwrap();
            }
        }
    };
    for _ in 0..5 {
        round(&mut poller, &mut clients);
    }
    let (allocs, ()) = count(|| {
        for _ in 0..200 {
            round(&mut poller, &mut clients);
        }
    });
    println!(
        "poller: {allocs} allocations in {} requests",
        200 * clients.len()
    );
    assert_eq!(allocs, 0);
}

#[test]
fn the_counter_sees_allocations() {
    // The test must be able to fail: an allocation on this thread is counted.
    let (allocs, v) = count(|| vec![1u8; 100]);
    assert_eq!(v.len(), 100);
    assert!(allocs >= 1);
}
