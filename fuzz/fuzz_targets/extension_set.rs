#![no_main]
//! Fuzz target `extension_set`: see `harness/extension_set.rs`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    newrelic_profiler_fuzz::harness::extension_set::run(data);
});
