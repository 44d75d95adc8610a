//! Fuzz harnesses: one `run(&[u8])` per target. Each drives a public entry
//! point of the profiler library on arbitrary input and panics only when an
//! invariant the library promises is broken; the library itself must never
//! panic, hang or blow up in memory on any input.
//!
//! Shared by the fuzz binaries (`fuzz/fuzz_targets/*`) and the main crate's
//! `tests/fuzz_regressions.rs`, which replays the kept crashers and the
//! committed corpora through the same functions in plain `cargo test`.

pub mod extension_set;
pub mod extension_xml;
pub mod fake_system;
pub mod fake_tokens;
pub mod il_body;
pub mod il_input;
pub mod il_wrap;
pub mod newrelic_config;
pub mod signature;

#[path = "../../tests/support/checks.rs"]
pub mod checks;

/// A harness entry point.
pub type Run = fn(&[u8]);

/// Every target by name, as `scripts/fuzz` and the regression test know them.
pub const TARGETS: [(&str, Run); 6] = [
    ("extension_xml", extension_xml::run),
    ("extension_set", extension_set::run),
    ("newrelic_config", newrelic_config::run),
    ("il_body", il_body::run),
    ("il_wrap", il_wrap::run),
    ("signature", signature::run),
];
