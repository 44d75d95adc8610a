#![no_main]
//! Fuzz target `signature`: see `harness/signature.rs`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    newrelic_profiler_fuzz::harness::signature::run(data);
});
