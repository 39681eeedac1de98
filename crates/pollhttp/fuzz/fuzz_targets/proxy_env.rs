//! Fuzz target: see `pollhttp::fuzzing::proxy_env` for the input format and the properties checked.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| pollhttp::fuzzing::proxy_env(data));
