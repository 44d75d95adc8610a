//! Live-instrumentation exports (reference-profiler §6.2) — being implemented.
