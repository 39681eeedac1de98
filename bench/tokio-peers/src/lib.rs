//! What the tokio-based peers share: a current_thread runtime and the way a run is
//! timed and reported on it.

use bench_common::{Args, Workload};
use std::future::Future;

/// A single-threaded tokio runtime with I/O and timers, as the peers run on.
fn runtime(client: &str) -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| bench_common::die(client, format!("runtime: {e}")))
}

/// Builds the runtime, runs `work` (the measured part, which returns
/// `(requests, bytes, conns)`) on it and prints the report line.
pub fn measure(client: &'static str, args: &Args, work: impl Future<Output = (u64, u64, u64)>) {
    let rt = runtime(client);
    let mode = if args.workload == Workload::Fanout {
        "tasks"
    } else {
        "current_thread"
    };
    bench_common::measure(client, args.workload, mode, || rt.block_on(work));
}
