//! `ICorProfilerModuleEnum` and `ICorProfilerThreadEnum` (corprof.idl): the
//! cursors `EnumModules` and `EnumThreads` hand out.

use super::types::*;
use super::unknown::IUnknownVtbl;
use super::vtable::Unused;
use std::ffi::c_void;

com_vtable! {
    /// `ICorProfilerModuleEnum`.
    pub struct ICorProfilerModuleEnumVtbl("ICorProfilerModuleEnum") : IUnknownVtbl("IUnknown") {
        Skip: Unused,
        Reset: Unused,
        Clone: Unused,
        GetCount: unsafe extern "system" fn(this: *mut c_void, pcelt: *mut ULONG) -> HRESULT,
        Next: unsafe extern "system" fn(this: *mut c_void, celt: ULONG, ids: *mut ModuleID, pcelt_fetched: *mut ULONG) -> HRESULT,
    }
}

com_vtable! {
    /// `ICorProfilerThreadEnum`.
    pub struct ICorProfilerThreadEnumVtbl("ICorProfilerThreadEnum") : IUnknownVtbl("IUnknown") {
        Skip: Unused,
        Reset: Unused,
        Clone: Unused,
        GetCount: unsafe extern "system" fn(this: *mut c_void, pcelt: *mut ULONG) -> HRESULT,
        Next: unsafe extern "system" fn(this: *mut c_void, celt: ULONG, ids: *mut ThreadID, pcelt_fetched: *mut ULONG) -> HRESULT,
    }
}
