//! Fuzz target: see `pollhttp::fuzzing::tls_records` for the input format and the properties checked.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| pollhttp::fuzzing::tls_records(data));
