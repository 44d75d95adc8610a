//! The profiler's behaviour behind the COM callbacks, in safe Rust on plain
//! values (reference-profiler §2, §5, §6). `crate::com` unwraps raw
//! pointers and calls these methods.

mod agent_dll;
mod event_mask;
mod initialize;
mod logging_setup;
#[cfg(test)]
mod tests;

use crate::clr::function_control::FunctionControl;
use crate::clr::ProfilerInfo;
use crate::ffi::hresult::{S_FALSE, S_OK};
use crate::ffi::types::*;
use crate::runtime::RuntimeKind;
use crate::system::{RealSystem, SystemCalls};
use once_cell::sync::OnceCell;
use parking_lot::RwLock;
use std::sync::{Arc, Weak};

pub use event_mask::{EVENT_MASK, EVENT_MASK_HIGH_DISABLE_TIERED_COMPILATION};

/// What a successful `Initialize` established; read-only afterwards.
pub struct Active {
    pub info: ProfilerInfo,
    pub runtime: RuntimeKind,
    /// Absolute path of `NewRelic.Agent.Core.dll` found at start-up (§2.4).
    pub agent_core_dll: String,
}

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
        crate::log_info!("Profiler shutdown");
        S_OK
    }

    /// `ModuleLoadFinished`: eager ReJIT of configured methods on CoreCLR
    /// arrives with the instrumentation issue; until then nothing to do.
    pub fn module_load_finished(&self, _module_id: ModuleID, _status: HRESULT) -> HRESULT {
        S_OK
    }

    /// `JITCompilationStarted`.
    pub fn jit_compilation_started(
        &self,
        function_id: FunctionID,
        _is_safe_to_block: bool,
    ) -> HRESULT {
        crate::log_trace!("JITCompilationStarted. {function_id}");
        crate::log_trace!("JITCompilationStartedFinished. {function_id}");
        S_OK
    }

    /// `ReJITCompilationStarted`.
    pub fn rejit_compilation_started(
        &self,
        _function_id: FunctionID,
        _rejit_id: ReJITID,
        _is_safe_to_block: bool,
    ) -> HRESULT {
        S_OK
    }

    /// `GetReJITParameters`: nothing is queued for ReJIT yet, so the
    /// original IL stands (`S_FALSE`).
    pub fn get_rejit_parameters(
        &self,
        _module_id: ModuleID,
        _method_id: mdMethodDef,
        _control: Option<FunctionControl>,
    ) -> HRESULT {
        S_FALSE
    }

    /// `ThreadDestroyed`.
    pub fn thread_destroyed(&self, _thread_id: ThreadID) -> HRESULT {
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
