//! The event mask (reference-profiler §2.6).

/// `COR_PRF_MONITOR_MODULE_LOADS | MONITOR_JIT_COMPILATION | MONITOR_THREADS
/// | ENABLE_REJIT | ENABLE_STACK_SNAPSHOT | USE_PROFILE_IMAGES |
/// DISABLE_ALL_NGEN_IMAGES`, identical for both runtimes. Disabling
/// NGEN/ReadyToRun images makes every method JIT-compiled, so every method
/// is seen.
pub const EVENT_MASK: u32 = 0x0000_0004 // COR_PRF_MONITOR_MODULE_LOADS
    | 0x0000_0020 // COR_PRF_MONITOR_JIT_COMPILATION
    | 0x0000_0200 // COR_PRF_MONITOR_THREADS
    | 0x0004_0000 // COR_PRF_ENABLE_REJIT
    | 0x1000_0000 // COR_PRF_ENABLE_STACK_SNAPSHOT
    | 0x2000_0000 // COR_PRF_USE_PROFILE_IMAGES
    | 0x8000_0000; // COR_PRF_DISABLE_ALL_NGEN_IMAGES

/// `COR_PRF_HIGH_DISABLE_TIERED_COMPILATION`, passed with `SetEventMask2` on CoreCLR.
pub const EVENT_MASK_HIGH_DISABLE_TIERED_COMPILATION: u32 = 0x8;

/// Measurement-only switch (issue 8, docs/performance.md): keep ReadyToRun
/// code and tiered compilation. Methods precompiled in ReadyToRun images
/// raise no `JITCompilationStarted`, so they are instrumented only through
/// the eager module-load ReJIT; attribute-only methods in them are missed.
/// Not a supported configuration.
pub const KEEP_READY_TO_RUN_VARIABLE: &str = "NEWRELIC_PROFILER_KEEP_READY_TO_RUN";

/// `COR_PRF_USE_PROFILE_IMAGES | COR_PRF_DISABLE_ALL_NGEN_IMAGES`: either
/// one makes CoreCLR ignore ReadyToRun code (`ReadyToRunInfo::Initialize`).
const READY_TO_RUN_OFF: u32 = 0x2000_0000 | 0x8000_0000;

/// The low and high masks to set: the reference ones, or with ReadyToRun and
/// tiered compilation left on.
pub fn masks(keep_ready_to_run: bool) -> (u32, u32) {
    if keep_ready_to_run {
        (EVENT_MASK & !READY_TO_RUN_OFF, 0)
    } else {
        (EVENT_MASK, EVENT_MASK_HIGH_DISABLE_TIERED_COMPILATION)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeping_ready_to_run_clears_only_the_image_bits_and_tiering() {
        assert_eq!(masks(false), (0xB004_0224, 0x8));
        assert_eq!(masks(true), (0x1004_0224, 0));
    }

    #[test]
    fn mask_matches_the_reference_value() {
        assert_eq!(EVENT_MASK, 0xB004_0224);
        assert_eq!(EVENT_MASK_HIGH_DISABLE_TIERED_COMPILATION, 0x8);
    }
}
