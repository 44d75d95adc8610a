#![no_main]
//! Fuzz target `il_body`: see `harness/il_body.rs`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    newrelic_profiler_fuzz::harness::il_body::run(data);
});
