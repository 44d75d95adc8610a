//! Integration tests: the real .NET 10 runtime loads the freshly built
//! profiler and runs small C# fixtures (`tests/apps`). Each test asserts on
//! the application's output and on the profiler log.
//!
//! These tests need the .NET SDK (`dotnet` on PATH) and fail with a clear
//! message when it is missing; they are never skipped.

mod outcome;
mod support;
mod target;

/// The IL corpus reader and the select-everything generator (`tests/support`).
#[path = "../support/mod.rs"]
mod il_support;

mod agent_record;
mod artifact;
mod attach;
mod comparison;
mod demo;
mod diagnostics;
mod everything;
mod everything_report;
mod framework_helpers;
mod instrumentation;
mod instrumentation_config;
mod live_instrumentation;
mod log_location;
mod logging;
mod package;
mod process_filter;
mod ready_to_run;
mod reference_runs;
mod reliability;
mod startup_failures;
mod thread_profiler;
mod validation;
mod windows;
