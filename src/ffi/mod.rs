//! Raw ABI layer: the exact types, constants and `#[repr(C)]` vtables of the
//! COM interfaces the CLR profiling API uses. Nothing here has behaviour;
//! `crate::clr` wraps it in safe Rust and `crate::com` implements the
//! interfaces the runtime calls into.
//!
//! Names follow the runtime's headers (`mdToken`, `ICorProfilerInfo4Vtbl`,
//! `GetFunctionInfo`) so each item can be checked against its source.
#![allow(
    non_camel_case_types,
    non_snake_case,
    non_upper_case_globals,
    clippy::upper_case_acronyms
)]

#[macro_use]
pub mod vtable;
pub mod callback;
pub mod enums;
pub mod function_control;
pub mod guids;
pub mod hresult;
pub mod info;
pub mod metadata;
pub mod types;
pub mod unknown;
