//! Memory per idle connected client: resident memory (VmRSS) and this thread's live heap
//! bytes before and after connecting 1,000 clients, then after one keep-alive request each.
//! Kernel socket buffers are not part of either figure. The in-process loop server adds a
//! slab entry of well under 100 bytes per connection to the resident figure.
//!
//! This file holds one test on purpose: a process of its own, so that memory freed by
//! other tests cannot be reused and hide the cost being measured.
//!
//! The heap figure is counted by this file's allocator, on every system. Resident memory
//! comes from `/proc/self/status`: on Linux, and for a Windows program under Wine (which
//! runs it as a Linux process and shows Linux's files on its `Z:` drive); Windows itself
//! has no such file, and there only the heap is measured, as the test's name says.
#![cfg(any(target_os = "linux", windows))]

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

/// Resident memory in KiB: from `/proc/self/status`, which Linux always has (a failure
/// there is the test's); `None` only on Windows outside Wine.
fn resident_kib() -> Option<u64> {
    let rss = pollhttp_testserver::process::rss_kib();
    if cfg!(target_os = "linux") || pollhttp_testserver::under_wine() {
        assert!(rss.is_some(), "no VmRSS in /proc/self/status");
    }
    rss
}

#[test]
fn heap_per_idle_connection_and_resident_memory_where_proc_exists() {
    // Each connection takes two descriptors here (the server is in this process).
    pollhttp_testserver::process::require_nofile(2 * CLIENTS as u64 + 100);
    let server = LoopServer::start().unwrap();
    let rss0 = resident_kib();
    let heap0 = LIVE.with(Cell::get);

    let mut fleet = Fleet::connect(CLIENTS, "127.0.0.1", server.port());
    fleet.run(0, Duration::from_secs(60)).unwrap();
    let rss1 = resident_kib();
    let heap1 = LIVE.with(Cell::get);

    fleet.run(1, Duration::from_secs(60)).unwrap();
    assert_eq!(fleet.responses(), CLIENTS);
    let rss2 = resident_kib();
    let heap2 = LIVE.with(Cell::get);

    let heap = |b: isize| (b - heap0) as f64 / CLIENTS as f64 / 1024.0;
    println!(
        "heap per connection: {:.2} KiB connected, no request yet; {:.2} KiB idle after one \
         keep-alive request",
        heap(heap1),
        heap(heap2)
    );
    // The heap figure is exact: it must at least hold the clients themselves, and stay
    // far below a buffer of hundreds of KiB per connection.
    assert!(heap(heap1) * 1024.0 >= std::mem::size_of::<pollhttp::HttpClient>() as f64);
    assert!(
        heap(heap1) < BOUND_KIB,
        "{:.1} KiB heap per connection",
        heap(heap1)
    );
    assert!(
        heap(heap2) < BOUND_KIB,
        "{:.1} KiB heap per connection",
        heap(heap2)
    );

    let (Some(rss0), Some(rss1), Some(rss2)) = (rss0, rss1, rss2) else {
        println!("resident memory: not measured, this system has no /proc/self/status");
        return;
    };
    let per = |kib: u64| (kib.saturating_sub(rss0)) as f64 / CLIENTS as f64;
    println!(
        "resident per connection: {:.2} KiB connected, no request yet; {:.2} KiB idle after \
         one keep-alive request",
        per(rss1),
        per(rss2)
    );
    assert!(per(rss1) < BOUND_KIB, "{:.1} KiB per connection", per(rss1));
    assert!(per(rss2) < BOUND_KIB, "{:.1} KiB per connection", per(rss2));
}
