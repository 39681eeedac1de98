//! Fuzz target: see `pollhttp::fuzzing::query_string` for the input format and the properties checked.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| pollhttp::fuzzing::query_string(data));
