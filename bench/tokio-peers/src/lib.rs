//! What the tokio-based peers share: a current_thread runtime.

/// A single-threaded tokio runtime with I/O and timers, as the peers run on.
pub fn runtime(client: &str) -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| bench_common::die(client, format!("runtime: {e}")))
}
