#![no_main]
//! Fuzz target `il_wrap`: see `harness/il_wrap.rs`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    newrelic_profiler_fuzz::harness::il_wrap::run(data);
});
