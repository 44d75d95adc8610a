//! Support code shared by the `il_*` integration tests and benches.
#![allow(dead_code)]

pub mod checks;
pub mod corpus;
pub mod select_all;
pub mod wrapper;
