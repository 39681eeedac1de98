//! Fuzz target: see `pollhttp::fuzzing::request_head` for the input format and the properties checked.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| pollhttp::fuzzing::request_head(data));
