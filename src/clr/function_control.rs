//! `ICorProfilerFunctionControl`: how a ReJIT hands the new body to the
//! runtime (reference-profiler §6.1). The runtime copies the bytes, so a
//! borrowed slice is enough.

use super::com_ptr::ComPtr;
use super::hresult::{ClrResult, HResult};
use crate::ffi::function_control::ICorProfilerFunctionControlVtbl;

/// The control object passed to one `GetReJITParameters` call.
pub struct FunctionControl {
    control: ComPtr<ICorProfilerFunctionControlVtbl>,
}

impl FunctionControl {
    pub fn new(control: ComPtr<ICorProfilerFunctionControlVtbl>) -> FunctionControl {
        FunctionControl { control }
    }

    /// Replaces the method's IL for this ReJIT.
    pub fn set_il_function_body(&self, body: &[u8]) -> ClrResult<()> {
        let size = u32::try_from(body.len()).map_err(|_| HResult::FAIL)?;
        // SAFETY: `body` is valid for `size` bytes for the duration of the call; the runtime copies it.
        HResult::ok(unsafe {
            (self.control.vtbl().SetILFunctionBody)(self.control.as_raw(), size, body.as_ptr())
        })
    }

    /// `SetCodegenFlags` (e.g. disable inlining of the rewritten method).
    pub fn set_codegen_flags(&self, flags: u32) -> ClrResult<()> {
        // SAFETY: plain value argument on a live interface.
        HResult::ok(unsafe { (self.control.vtbl().SetCodegenFlags)(self.control.as_raw(), flags) })
    }
}
