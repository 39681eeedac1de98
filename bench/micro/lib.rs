//! Micro-benchmarks of pollhttp's protocol core live in `benches/proto.rs`; run them
//! with `cargo bench -p pollhttp-micro` from `bench/`.
