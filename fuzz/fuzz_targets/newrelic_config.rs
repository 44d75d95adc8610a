#![no_main]
//! Fuzz target `newrelic_config`: see `harness/newrelic_config.rs`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    newrelic_profiler_fuzz::harness::newrelic_config::run(data);
});
