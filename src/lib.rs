//! Drop-in Rust replacement for the New Relic .NET agent's native CLR profiler.
#![allow(non_snake_case)] // the library name is fixed by the agent: `NewRelicProfiler`

pub mod il;
