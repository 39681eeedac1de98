//! Fuzz target: see `pollhttp::fuzzing::no_proxy` for the input format and the properties checked.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| pollhttp::fuzzing::no_proxy(data));
