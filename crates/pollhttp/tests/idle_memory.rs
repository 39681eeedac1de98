//! Memory per idle connected client: resident memory (VmRSS) and this thread's live heap
//! bytes before and after connecting 1,000 clients, then after one keep-alive request each.
//! Kernel socket buffers are not part of either figure. The in-process loop server adds a
//! slab entry of well under 100 bytes per connection to the resident figure.
//!
//! This file holds one test on purpose: a process of its own, so that memory freed by
//! other tests cannot be reused and hide the cost being measured. Resident memory comes
//! from `/proc/self/status`, hence Linux only.
#![cfg(target_os = "linux")]

use pollhttp_testserver::fleet::Fleet;
use pollhttp_testserver::loop_server::LoopServer;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::time::Duration;

struct LiveBytes;

thread_local! {
    /// Bytes allocated minus bytes freed by this thread.
    static LIVE: Cell<isize> = const { Cell::new(0) };
}

fn add(n: isize) {
    let _ = LIVE.try_with(|l| l.set(l.get() + n));
}

// SAFETY: every call is passed unchanged to the system allocator; the bookkeeping touches
// only a const-initialised thread-local without a destructor, which never allocates.
unsafe impl GlobalAlloc for LiveBytes {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        add(layout.size() as isize);
        System.alloc(layout)
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        add(layout.size() as isize);
        System.alloc_zeroed(layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        add(new_size as isize - layout.size() as isize);
        System.realloc(ptr, layout, new_size)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        add(-(layout.size() as isize));
        System.dealloc(ptr, layout)
    }
}

#[global_allocator]
static GLOBAL: LiveBytes = LiveBytes;

const CLIENTS: usize = 1000;
/// A generous bound: the point is to catch a buffer of hundreds of KiB per connection.
const BOUND_KIB: f64 = 200.0;

#[test]
fn memory_per_idle_connection() {
    // Each connection takes two descriptors here (the server is in this process).
    pollhttp_testserver::process::require_nofile(2 * CLIENTS as u64 + 100);
    let server = LoopServer::start().unwrap();
    let rss0 = pollhttp_testserver::process::rss_kib().expect("VmRSS in /proc/self/status");
    let heap0 = LIVE.with(Cell::get);

    let mut fleet = Fleet::connect(CLIENTS, "127.0.0.1", server.port());
    fleet.run(0, Duration::from_secs(60)).unwrap();
    let rss1 = pollhttp_testserver::process::rss_kib().unwrap();
    let heap1 = LIVE.with(Cell::get);

    fleet.run(1, Duration::from_secs(60)).unwrap();
    assert_eq!(fleet.responses(), CLIENTS);
    let rss2 = pollhttp_testserver::process::rss_kib().unwrap();
    let heap2 = LIVE.with(Cell::get);

    let per = |kib: u64| (kib.saturating_sub(rss0)) as f64 / CLIENTS as f64;
    let heap = |b: isize| (b - heap0) as f64 / CLIENTS as f64 / 1024.0;
    println!(
        "connected, no request yet: {:.2} KiB resident, {:.2} KiB heap per connection",
        per(rss1),
        heap(heap1)
    );
    println!(
        "idle after one keep-alive request: {:.2} KiB resident, {:.2} KiB heap per connection",
        per(rss2),
        heap(heap2)
    );
    assert!(per(rss1) < BOUND_KIB, "{:.1} KiB per connection", per(rss1));
    assert!(per(rss2) < BOUND_KIB, "{:.1} KiB per connection", per(rss2));
    // The heap figure is exact and must at least hold the clients themselves.
    assert!(heap(heap1) * 1024.0 >= std::mem::size_of::<pollhttp::HttpClient>() as f64);
}
