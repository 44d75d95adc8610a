//! The event mask (reference-profiler §2.6) and which of the two the
//! profiler runs with: by default ReadyToRun code and tiered compilation are
//! kept (issue 18, docs/compatibility.md R13); the original's mask, which
//! disables both, stays behind [`DISABLE_READY_TO_RUN_VARIABLE`].

use crate::runtime::RuntimeKind;

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

/// `NEW_RELIC_PROFILER_DISABLE_READY_TO_RUN=true` (or `1`) restores the
/// original's event mask: ReadyToRun code ignored, tiered compilation off.
pub const DISABLE_READY_TO_RUN_VARIABLE: &str = "NEW_RELIC_PROFILER_DISABLE_READY_TO_RUN";

/// `COR_PRF_USE_PROFILE_IMAGES | COR_PRF_DISABLE_ALL_NGEN_IMAGES`: either
/// one makes CoreCLR ignore ReadyToRun code (`ReadyToRunInfo::Initialize`).
const READY_TO_RUN_OFF: u32 = 0x2000_0000 | 0x8000_0000;

/// Which event mask, and with it which way configured methods are found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MaskMode {
    /// The original's mask (§2.6): every method is JIT-compiled at full
    /// optimisation and seen by `JITCompilationStarted`; module load
    /// re-JITs only top-level point classes (§6.1).
    Original,
    /// ReadyToRun code and tiered compilation kept. Precompiled code raises
    /// no JIT event, so module load finds every configured method itself —
    /// nested types, `[Trace]`/`[Transaction]` methods, the agent API — and
    /// re-JITs it together with the callers that inlined it
    /// (`RequestReJITWithInliners`, `profiler/module_scan.rs`).
    KeepReadyToRun,
}

impl MaskMode {
    /// The default on CoreCLR with `ICorProfilerInfo10`; the original's mask
    /// when the variable opts out, on .NET Framework (no ReadyToRun, no
    /// `RequestReJITWithInliners`) and on runtimes without `ICorProfilerInfo10`.
    pub fn choose(runtime: RuntimeKind, opted_out: bool, has_info10: bool) -> MaskMode {
        if runtime.is_core() && has_info10 && !opted_out {
            MaskMode::KeepReadyToRun
        } else {
            MaskMode::Original
        }
    }

    /// The low and high masks to set.
    pub fn masks(self) -> (u32, u32) {
        match self {
            MaskMode::Original => (EVENT_MASK, EVENT_MASK_HIGH_DISABLE_TIERED_COMPILATION),
            MaskMode::KeepReadyToRun => (EVENT_MASK & !READY_TO_RUN_OFF, 0),
        }
    }

    pub fn keeps_ready_to_run(self) -> bool {
        self == MaskMode::KeepReadyToRun
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeping_ready_to_run_clears_only_the_image_bits_and_tiering() {
        assert_eq!(MaskMode::Original.masks(), (0xB004_0224, 0x8));
        assert_eq!(MaskMode::KeepReadyToRun.masks(), (0x1004_0224, 0));
    }

    #[test]
    fn mask_matches_the_reference_value() {
        assert_eq!(EVENT_MASK, 0xB004_0224);
        assert_eq!(EVENT_MASK_HIGH_DISABLE_TIERED_COMPILATION, 0x8);
    }

    #[test]
    fn ready_to_run_is_kept_by_default_on_coreclr_only() {
        use MaskMode::*;
        assert_eq!(
            MaskMode::choose(RuntimeKind::Core, false, true),
            KeepReadyToRun
        );
        assert_eq!(MaskMode::choose(RuntimeKind::Core, true, true), Original);
        assert_eq!(MaskMode::choose(RuntimeKind::Core, false, false), Original);
        assert_eq!(
            MaskMode::choose(RuntimeKind::Framework, false, true),
            Original
        );
    }
}
