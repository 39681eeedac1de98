//! Fuzz target: see `pollhttp::fuzzing::connect_host` for the input format and the properties checked.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| pollhttp::fuzzing::connect_host(data));
