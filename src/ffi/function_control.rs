//! `ICorProfilerFunctionControl` and `IMethodMalloc` (corprof.idl): how a
//! rewritten body is handed to the runtime on the ReJIT and first-JIT paths.

use super::types::*;
use super::unknown::IUnknownVtbl;
use super::vtable::Unused;
use std::ffi::c_void;

com_vtable! {
    /// `ICorProfilerFunctionControl`; only the slots the profiler calls carry a signature.
    pub struct ICorProfilerFunctionControlVtbl("ICorProfilerFunctionControl") : IUnknownVtbl("IUnknown") {
        SetCodegenFlags: unsafe extern "system" fn(this: *mut c_void, flags: DWORD,) -> HRESULT,
        SetILFunctionBody: unsafe extern "system" fn(this: *mut c_void, cb_new_il_method_header: ULONG, pb_new_il_method_header: *const u8,) -> HRESULT,
        SetILInstrumentedCodeMap: Unused,
    }
}

com_vtable! {
    /// `IMethodMalloc`; only the slots the profiler calls carry a signature.
    pub struct IMethodMallocVtbl("IMethodMalloc") : IUnknownVtbl("IUnknown") {
        Alloc: unsafe extern "system" fn(this: *mut c_void, cb: ULONG,) -> *mut c_void,
    }
}
