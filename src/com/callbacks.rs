//! The callbacks the original profiler implements (reference-profiler §1.5),
//! each unwrapping `this`, guarding against panics and handing plain values
//! to [`crate::profiler::Profiler`].

use super::callback_object::CallbackObject;
use super::guard::guard;
use crate::clr::function_control::FunctionControl;
use crate::clr::ComPtr;
use crate::ffi::hresult::{CORPROF_E_PROFILER_CANCEL_ACTIVATION, E_FAIL, E_POINTER, S_OK};
use crate::ffi::types::*;
use crate::ffi::unknown::IUnknownVtbl;
use crate::profiler::Profiler;
use std::ffi::c_void;

/// Runs `body` with the profiler behind `this`, under the panic guard.
fn dispatch(
    this: *mut c_void,
    entry: &'static str,
    on_panic: HRESULT,
    body: impl FnOnce(&Profiler) -> HRESULT,
) -> HRESULT {
    guard(entry, on_panic, || {
        // SAFETY: the runtime calls through the pointer our class factory handed out.
        match unsafe { CallbackObject::from_this(this) } {
            Some(object) => body(object.profiler()),
            None => E_POINTER,
        }
    })
}

pub unsafe extern "system" fn Initialize(this: *mut c_void, info_unknown: *mut c_void) -> HRESULT {
    dispatch(
        this,
        "Initialize",
        CORPROF_E_PROFILER_CANCEL_ACTIVATION,
        |profiler| {
            // SAFETY: the runtime passes its live profiler-info object; we keep our own reference.
            match unsafe { ComPtr::<IUnknownVtbl>::from_borrowed(info_unknown) } {
                Some(unknown) => profiler.initialize(unknown),
                None => CORPROF_E_PROFILER_CANCEL_ACTIVATION,
            }
        },
    )
}

pub unsafe extern "system" fn Shutdown(this: *mut c_void) -> HRESULT {
    dispatch(this, "Shutdown", E_FAIL, |profiler| profiler.shutdown())
}

pub unsafe extern "system" fn ModuleLoadFinished(
    this: *mut c_void,
    module_id: ModuleID,
    hr_status: HRESULT,
) -> HRESULT {
    dispatch(this, "ModuleLoadFinished", S_OK, |profiler| {
        profiler.module_load_finished(module_id, hr_status)
    })
}

/// Not implemented by the original (returns `S_OK`); used here only to drop
/// cached facts about the unloading module.
pub unsafe extern "system" fn ModuleUnloadStarted(
    this: *mut c_void,
    module_id: ModuleID,
) -> HRESULT {
    dispatch(this, "ModuleUnloadStarted", S_OK, |profiler| {
        profiler.module_unload_started(module_id)
    })
}

pub unsafe extern "system" fn JITCompilationStarted(
    this: *mut c_void,
    function_id: FunctionID,
    is_safe_to_block: BOOL,
) -> HRESULT {
    dispatch(this, "JITCompilationStarted", E_FAIL, |profiler| {
        profiler.jit_compilation_started(function_id, is_safe_to_block != 0)
    })
}

pub unsafe extern "system" fn ThreadDestroyed(this: *mut c_void, thread_id: ThreadID) -> HRESULT {
    dispatch(this, "ThreadDestroyed", S_OK, |profiler| {
        profiler.thread_destroyed(thread_id)
    })
}

/// Attach is not supported in practice; the original returns `S_OK` and does nothing.
pub unsafe extern "system" fn InitializeForAttach(
    _this: *mut c_void,
    _info_unknown: *mut c_void,
    _client_data: *mut c_void,
    _client_data_size: u32,
) -> HRESULT {
    S_OK
}

pub unsafe extern "system" fn ReJITCompilationStarted(
    this: *mut c_void,
    function_id: FunctionID,
    rejit_id: ReJITID,
    is_safe_to_block: BOOL,
) -> HRESULT {
    dispatch(this, "ReJITCompilationStarted", S_OK, |profiler| {
        profiler.rejit_compilation_started(function_id, rejit_id, is_safe_to_block != 0)
    })
}

pub unsafe extern "system" fn GetReJITParameters(
    this: *mut c_void,
    module_id: ModuleID,
    method_id: mdMethodDef,
    function_control: *mut c_void,
) -> HRESULT {
    dispatch(this, "GetReJITParameters", E_FAIL, |profiler| {
        // SAFETY: the runtime passes a live ICorProfilerFunctionControl for this call.
        let control = unsafe { ComPtr::from_borrowed(function_control) }.map(FunctionControl::new);
        profiler.get_rejit_parameters(module_id, method_id, control)
    })
}
