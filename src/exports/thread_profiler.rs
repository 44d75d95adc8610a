//! Thread-profiler exports (reference-profiler §7.1) — being implemented.
