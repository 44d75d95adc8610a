//! `ICorProfilerModuleEnum`, `ICorProfilerThreadEnum` and
//! `ICorProfilerMethodEnum` (corprof.idl): the cursors `EnumModules`,
//! `EnumThreads` and `EnumNgenModuleMethodsInliningThisMethod` hand out.

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

/// `COR_PRF_METHOD` (corprof.idl): one method of a module.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct COR_PRF_METHOD {
    pub moduleId: ModuleID,
    pub methodId: mdMethodDef,
}

com_vtable! {
    /// `ICorProfilerMethodEnum`.
    pub struct ICorProfilerMethodEnumVtbl("ICorProfilerMethodEnum") : IUnknownVtbl("IUnknown") {
        Skip: Unused,
        Reset: Unused,
        Clone: Unused,
        GetCount: Unused,
        Next: unsafe extern "system" fn(this: *mut c_void, celt: ULONG, elements: *mut COR_PRF_METHOD, pcelt_fetched: *mut ULONG) -> HRESULT,
    }
}
