//! The fuzz harnesses as a library, so each fuzz target is one line and the
//! main crate's `tests/fuzz_regressions.rs` runs the very same code on the
//! kept crashers and corpora (it includes `harness/` by path).

#[path = "harness/mod.rs"]
pub mod harness;
