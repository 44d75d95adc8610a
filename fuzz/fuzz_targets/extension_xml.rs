#![no_main]
//! Fuzz target `extension_xml`: see `harness/extension_xml.rs`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    newrelic_profiler_fuzz::harness::extension_xml::run(data);
});
