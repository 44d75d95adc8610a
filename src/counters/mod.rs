//! In-process counters (issue 8; prior-art §3 "in-process counters"): per
//! callback kind and per rewrite phase, the count, total, p50, p99 and max
//! duration, printed to the profiler log at shutdown.
//!
//! Off by default. `NEWRELIC_PROFILER_COUNTERS=1` (or `true`) switches them
//! on at `Initialize`; when off every site costs one relaxed atomic load and
//! reads no clock. Durations go into fixed log-linear histograms of atomics
//! (no allocation, no lock, bounded memory), so quantiles are within 1/16 of
//! the true value.

mod histogram;

use histogram::Histogram;
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

pub const ENABLED_VARIABLE: &str = "NEWRELIC_PROFILER_COUNTERS";

/// What is timed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Counter {
    Initialize,
    ModuleLoadFinished,
    /// Every `JITCompilationStarted` callback…
    JitCompilationStarted,
    /// …split: functions that were not selected (pre-filter or no point) …
    JitUnmatched,
    /// …and functions that were (a ReJIT was requested or an API rewritten).
    JitMatched,
    GetReJitParameters,
    /// One default-wrapper rewrite in `GetReJITParameters`, from reading the
    /// original body to `SetILFunctionBody`…
    Rewrite,
    /// …the decision before it (identity, point lookup, skip rules)…
    RewriteMatching,
    /// …the IL work (decode, wrap, max stack, encode)…
    RewriteIl,
    /// …and the runtime calls (metadata import/emit, IL body get/set).
    RewriteMetadata,
}

const ALL: [Counter; 10] = [
    Counter::Initialize,
    Counter::ModuleLoadFinished,
    Counter::JitCompilationStarted,
    Counter::JitUnmatched,
    Counter::JitMatched,
    Counter::GetReJitParameters,
    Counter::Rewrite,
    Counter::RewriteMatching,
    Counter::RewriteIl,
    Counter::RewriteMetadata,
];

impl Counter {
    /// The name in the log line.
    pub fn name(self) -> &'static str {
        match self {
            Counter::Initialize => "Initialize",
            Counter::ModuleLoadFinished => "ModuleLoadFinished",
            Counter::JitCompilationStarted => "JITCompilationStarted",
            Counter::JitUnmatched => "JITCompilationStarted.unmatched",
            Counter::JitMatched => "JITCompilationStarted.matched",
            Counter::GetReJitParameters => "GetReJITParameters",
            Counter::Rewrite => "rewrite",
            Counter::RewriteMatching => "rewrite.matching",
            Counter::RewriteIl => "rewrite.il",
            Counter::RewriteMetadata => "rewrite.metadata",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

static ENABLED: AtomicBool = AtomicBool::new(false);
static HISTOGRAMS: [Histogram; ALL.len()] = [const { Histogram::new() }; ALL.len()];

thread_local! {
    /// Nanoseconds spent in runtime calls on this thread since the last take.
    static RUNTIME_NS: Cell<u64> = const { Cell::new(0) };
    /// Whether the function of the current JIT callback was selected.
    static MATCHED: Cell<bool> = const { Cell::new(false) };
}

/// Whether counters are being collected.
#[inline]
pub fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// Switches collection on or off (from the environment at `Initialize`).
pub fn set_enabled(on: bool) {
    ENABLED.store(on, Ordering::Relaxed);
}

/// A started measurement; reads the clock only when counters are on.
#[derive(Clone, Copy)]
pub struct Timer(Option<Instant>);

impl Timer {
    pub fn start() -> Timer {
        Timer(enabled().then(Instant::now))
    }

    /// Nanoseconds since the start (0 when counters are off).
    pub fn elapsed_ns(&self) -> u64 {
        self.0
            .map(|start| u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX))
            .unwrap_or(0)
    }

    /// Records the time since the start under `counter`.
    pub fn stop(self, counter: Counter) {
        if self.0.is_some() {
            record(counter, self.elapsed_ns());
        }
    }
}

/// Adds one sample of `ns` nanoseconds.
pub fn record(counter: Counter, ns: u64) {
    if enabled() {
        HISTOGRAMS[counter.index()].record(ns);
    }
}

/// Runs `f`, a call into the runtime, adding its duration to this thread's
/// runtime-call total (see [`take_runtime_ns`]).
#[inline]
pub fn runtime_call<T>(f: impl FnOnce() -> T) -> T {
    if !enabled() {
        return f();
    }
    let start = Instant::now();
    let result = f();
    let ns = u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX);
    RUNTIME_NS.with(|total| total.set(total.get().saturating_add(ns)));
    result
}

/// This thread's runtime-call nanoseconds since the last take.
pub fn take_runtime_ns() -> u64 {
    RUNTIME_NS.with(|total| total.replace(0))
}

/// Marks the function of the current JIT callback as selected or not.
pub fn set_matched(matched: bool) {
    if enabled() {
        MATCHED.with(|m| m.set(matched));
    }
}

/// Whether [`set_matched`] said so since the last call (resets it).
pub fn take_matched() -> bool {
    MATCHED.with(|m| m.replace(false))
}

/// One line per counter with samples:
/// `Counters: <name> count=<n> total_us=<f> p50_us=<f> p99_us=<f> max_us=<f>`.
pub fn report() -> Vec<String> {
    ALL.iter()
        .filter_map(|counter| {
            let h = &HISTOGRAMS[counter.index()];
            let count = h.count();
            (count > 0).then(|| {
                format!(
                    "Counters: {} count={count} total_us={:.1} p50_us={:.2} p99_us={:.2} max_us={:.2}",
                    counter.name(),
                    h.total_ns() as f64 / 1000.0,
                    h.quantile_ns(0.50) as f64 / 1000.0,
                    h.quantile_ns(0.99) as f64 / 1000.0,
                    h.max_ns() as f64 / 1000.0,
                )
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_in_index_order() {
        for (i, counter) in ALL.iter().enumerate() {
            assert_eq!(counter.index(), i);
        }
        let mut names: Vec<_> = ALL.iter().map(|c| c.name()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), ALL.len());
    }

    #[test]
    fn off_by_default_costs_no_clock_and_records_nothing() {
        // The tests of this crate never enable counters globally (they run
        // in parallel); only the disabled path is checked here, the enabled
        // one through the histogram tests and the integration test.
        assert!(!enabled());
        assert!(Timer::start().0.is_none());
        assert_eq!(runtime_call(|| 7), 7);
        assert_eq!(take_runtime_ns(), 0);
    }
}
