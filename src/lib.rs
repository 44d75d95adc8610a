//! Drop-in Rust replacement for the New Relic .NET agent's native CLR
//! profiler (`libNewRelicProfiler.so` / `NewRelic.Profiler.dll`).
//!
//! Layers, bottom up: [`ffi`] (raw ABI types and vtables), [`com`] (the COM
//! objects the runtime calls), [`clr`] (safe wrappers over the runtime's
//! interfaces), then plain safe Rust: [`system`], [`log`], [`config`],
//! [`il`] (the IL engine), [`profiler`], [`thread_profiler`]. `unsafe`
//! lives only in `ffi`, `com`, `clr`, the OS shims of `system` and the
//! pointer handling of the agent's C exports in `exports` (and in unit
//! tests that build fake COM objects).
#![allow(non_snake_case)] // the library name is fixed by the agent: `NewRelicProfiler`

pub mod clr;
pub mod com;
pub mod compare;
pub mod config;
pub mod counters;
pub mod exports;
pub mod ffi;
pub mod il;
pub mod instrument;
#[macro_use]
pub mod log;
pub mod profiler;
pub mod runtime;
pub mod system;
pub mod thread_profiler;
#[macro_use]
pub mod validation;
