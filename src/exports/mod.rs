//! The functions the managed agent P/Invokes (reference-profiler §1.1, §6.2,
//! §7): live instrumentation and the thread profiler.
//!
//! Calling convention: the agent declares them
//! `[DllImport(..., CallingConvention = CallingConvention.Cdecl)]`, so they are
//! `extern "C"` — unlike `DllGetClassObject`/`DllCanUnloadNow`, which the
//! runtime calls as COM entry points (`extern "system"`, i.e. stdcall on
//! 32-bit Windows). On every other target the two conventions coincide.
//!
//! Every export runs under the panic guard and first looks up the live
//! profiler; without one (the profiler detached, or the library was loaded
//! without the runtime) it logs `<Export>: entry point called before the
//! profiler has been initialized` and returns the documented error value.

pub mod live_instrumentation;
pub mod thread_profiler;

use crate::com::guard::guard;
use crate::profiler::{instance, Active, Profiler};

/// Runs `body` with the initialised profiler, or returns `missing` (after
/// logging the not-initialised line and `extra_error`, the original's own
/// text where it has one).
pub(crate) fn with_active<T>(
    export: &'static str,
    missing: T,
    extra_error: Option<&str>,
    body: impl FnOnce(&Profiler, &Active) -> T,
) -> T
where
    T: Copy,
{
    guard(export, missing, || {
        let profiler = instance();
        match profiler.as_ref().and_then(|p| p.active().map(|a| (p, a))) {
            Some((profiler, active)) => body(profiler, active),
            None => {
                crate::profiler::logging_setup::ensure_logging_without_profiler(
                    &crate::system::RealSystem,
                );
                crate::log_error!(
                    "{export}: entry point called before the profiler has been initialized"
                );
                if let Some(text) = extra_error {
                    crate::log_error!("{text}");
                }
                missing
            }
        }
    })
}
