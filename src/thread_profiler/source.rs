//! The runtime services a profile is taken with, behind a trait so the
//! sampling and protocol logic can be tested without a runtime.

use crate::clr::info_snapshot::{FrameBuffer, RuntimeSuspension};
use crate::clr::{ClrResult, ProfilerInfo};
use crate::ffi::types::{mdTypeDef, FunctionID, ModuleID, ThreadID};

/// A method's names as the metadata gives them (§7.4: plain metadata names,
/// no `+` nesting and no generic arguments).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolvedMethod {
    pub module: ModuleID,
    pub type_def: mdTypeDef,
    pub method: String,
    /// `None` when the caller already knows the type's name.
    pub type_name: Option<String>,
}

/// What the sampler asks of the runtime.
pub trait StackSource: Send + Sync + 'static {
    /// `InitializeCurrentThread` on the worker before any other call (§7.3).
    fn attach_current_thread(&self) -> ClrResult<()>;
    /// Whether the runtime can be suspended around a profile (Info10).
    fn can_suspend(&self) -> bool;
    fn suspend_runtime(&self) -> ClrResult<()>;
    fn resume_runtime(&self) -> ClrResult<()>;
    /// Every managed thread.
    fn threads(&self) -> ClrResult<Vec<ThreadID>>;
    /// One thread's stack, leaf first, into the preallocated buffer.
    fn snapshot(&self, thread: ThreadID, frames: &mut FrameBuffer) -> ClrResult<()>;
    /// The method behind `function_id`; the type's name is read only when
    /// `type_known(module, type_def)` is false.
    fn resolve(
        &self,
        function_id: FunctionID,
        type_known: &dyn Fn(ModuleID, mdTypeDef) -> bool,
    ) -> ClrResult<ResolvedMethod>;
}

/// The real runtime.
pub struct ClrSource {
    info: ProfilerInfo,
    suspension: Option<RuntimeSuspension>,
}

impl ClrSource {
    pub fn new(info: ProfilerInfo) -> ClrSource {
        let suspension = RuntimeSuspension::query(&info);
        ClrSource { info, suspension }
    }
}

impl StackSource for ClrSource {
    fn attach_current_thread(&self) -> ClrResult<()> {
        self.info.initialize_current_thread()
    }

    fn can_suspend(&self) -> bool {
        self.suspension.is_some()
    }

    fn suspend_runtime(&self) -> ClrResult<()> {
        match &self.suspension {
            Some(s) => s.suspend(),
            None => Err(crate::clr::HResult::UNEXPECTED),
        }
    }

    fn resume_runtime(&self) -> ClrResult<()> {
        match &self.suspension {
            Some(s) => s.resume(),
            None => Err(crate::clr::HResult::UNEXPECTED),
        }
    }

    fn threads(&self) -> ClrResult<Vec<ThreadID>> {
        self.info.threads()
    }

    fn snapshot(&self, thread: ThreadID, frames: &mut FrameBuffer) -> ClrResult<()> {
        self.info.stack_snapshot(thread, frames)
    }

    fn resolve(
        &self,
        function_id: FunctionID,
        type_known: &dyn Fn(ModuleID, mdTypeDef) -> bool,
    ) -> ClrResult<ResolvedMethod> {
        let module = self.info.function_info(function_id)?.module_id;
        let (import, token) = self.info.token_and_metadata(function_id)?;
        let props = import.method_props(token)?;
        let type_name = if type_known(module, props.class) {
            None
        } else {
            Some(import.type_def_props(props.class)?.name)
        };
        Ok(ResolvedMethod {
            module,
            type_def: props.class,
            method: props.name,
            type_name,
        })
    }
}
