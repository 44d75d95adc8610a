//! The profiler's behaviour behind the COM callbacks, in safe Rust on plain
//! values (reference-profiler §2, §5, §6). `crate::com` unwraps raw
//! pointers and calls these methods.

pub mod active;
mod agent_dll;
pub mod byref_like;
pub mod event_mask;
mod first_jit;
pub mod function_resolver;
pub mod helper_injection;
mod initialize;
pub mod jit;
pub(crate) mod logging_setup;
mod module_load;
mod module_scan;
mod refresh;
#[cfg(test)]
mod tests;
pub mod trace_lines;

use crate::clr::function_control::FunctionControl;
use crate::counters::{self, Counter, Timer};
use crate::ffi::hresult::{S_FALSE, S_OK};
use crate::ffi::types::*;
use crate::system::{RealSystem, SystemCalls};
use once_cell::sync::OnceCell;
use parking_lot::RwLock;
use std::sync::{Arc, Weak};

pub use event_mask::{
    MaskMode, DISABLE_READY_TO_RUN_VARIABLE, EVENT_MASK, EVENT_MASK_HIGH_DISABLE_TIERED_COMPILATION,
};

pub use active::Active;
pub use refresh::oversized_document;

/// One profiler instance, owned by its COM callback object.
pub struct Profiler {
    system: Box<dyn SystemCalls>,
    active: OnceCell<Active>,
}

impl Default for Profiler {
    fn default() -> Self {
        Profiler::new()
    }
}

impl Profiler {
    pub fn new() -> Profiler {
        Profiler::with_system(Box::new(RealSystem))
    }

    /// A profiler over another operating-system view (tests).
    pub fn with_system(system: Box<dyn SystemCalls>) -> Profiler {
        Profiler {
            system,
            active: OnceCell::new(),
        }
    }

    pub fn system(&self) -> &dyn SystemCalls {
        self.system.as_ref()
    }

    /// The state set by a successful `Initialize`, if any.
    pub fn active(&self) -> Option<&Active> {
        self.active.get()
    }

    /// `ICorProfilerCallback::Shutdown` (§3.6 lifecycle lines).
    pub fn shutdown(&self) -> HRESULT {
        crate::log_info!("Profiler shutting down");
        if let Some(active) = self.active() {
            active.thread_profiler.shutdown();
        }
        crate::log_info!("Profiler shutdown");
        if counters::enabled() {
            for line in counters::report() {
                crate::log_info!("{line}");
            }
        }
        crate::validation_event!("shutdown");
        crate::validation::close();
        S_OK
    }

    /// `ModuleLoadFinished` (§6.1): eager ReJIT on CoreCLR.
    pub fn module_load_finished(&self, module_id: ModuleID, status: HRESULT) -> HRESULT {
        let timer = Timer::start();
        let hr = match self.active() {
            Some(active) => active.module_load_finished(module_id, status),
            None => S_OK,
        };
        timer.stop(Counter::ModuleLoadFinished);
        hr
    }

    /// `ModuleUnloadStarted`: forget the module's cached facts (ids can be reused).
    pub fn module_unload_started(&self, module_id: ModuleID) -> HRESULT {
        if let Some(active) = self.active() {
            active.forget_module(module_id);
        }
        S_OK
    }

    /// `JITCompilationStarted` (§5.1, §6.1).
    pub fn jit_compilation_started(
        &self,
        function_id: FunctionID,
        _is_safe_to_block: bool,
    ) -> HRESULT {
        let timer = Timer::start();
        crate::log_trace!("JITCompilationStarted. {function_id}");
        counters::take_matched();
        let hr = match self.active() {
            Some(active) => active.process_function(function_id, jit::Phase::FirstJit),
            None => S_OK,
        };
        crate::log_trace!("JITCompilationStartedFinished. {function_id}");
        if counters::enabled() {
            let ns = timer.elapsed_ns();
            counters::record(Counter::JitCompilationStarted, ns);
            let split = if counters::take_matched() {
                Counter::JitMatched
            } else {
                Counter::JitUnmatched
            };
            counters::record(split, ns);
        }
        hr
    }

    /// `ReJITCompilationStarted` (§6.1 generic methods).
    pub fn rejit_compilation_started(
        &self,
        function_id: FunctionID,
        _rejit_id: ReJITID,
        _is_safe_to_block: bool,
    ) -> HRESULT {
        match self.active() {
            Some(active) => active.rejit_compilation_started(function_id),
            None => S_OK,
        }
    }

    /// `GetReJITParameters` (§6.1): `S_FALSE` leaves the original IL.
    pub fn get_rejit_parameters(
        &self,
        module_id: ModuleID,
        method_id: mdMethodDef,
        control: Option<FunctionControl>,
    ) -> HRESULT {
        let timer = Timer::start();
        let hr = match (self.active(), control) {
            (Some(active), Some(control)) => {
                active.get_rejit_parameters(module_id, method_id, &control)
            }
            _ => S_FALSE,
        };
        timer.stop(Counter::GetReJitParameters);
        hr
    }

    /// `ThreadDestroyed`.
    pub fn thread_destroyed(&self, _thread_id: ThreadID) -> HRESULT {
        if let Some(active) = self.active() {
            active.thread_profiler.thread_destroyed();
        }
        S_OK
    }
}

/// The profiler the agent's exports talk to: the one whose callback object
/// was created last and still lives (the original's "singleton-ish"
/// pointer, §1.1).
static INSTANCE: RwLock<Option<Weak<Profiler>>> = RwLock::new(None);

pub fn set_instance(profiler: &Arc<Profiler>) {
    *INSTANCE.write() = Some(Arc::downgrade(profiler));
}

/// Clears the instance if it is still `profiler`.
pub fn clear_instance(profiler: &Arc<Profiler>) {
    let mut slot = INSTANCE.write();
    if slot
        .as_ref()
        .is_some_and(|weak| std::ptr::eq(weak.as_ptr(), Arc::as_ptr(profiler)))
    {
        *slot = None;
    }
}

/// The live profiler, if any.
pub fn instance() -> Option<Arc<Profiler>> {
    INSTANCE.read().as_ref().and_then(Weak::upgrade)
}
