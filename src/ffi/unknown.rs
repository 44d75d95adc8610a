//! `IUnknown` and `IClassFactory` (the COM entry, reference-profiler §1.2).

use super::types::{BOOL, GUID, HRESULT, ULONG};
use super::vtable::VtableLayout;
use std::ffi::c_void;

/// `IUnknown`: the first three slots of every COM vtable.
#[repr(C)]
pub struct IUnknownVtbl {
    pub QueryInterface: unsafe extern "system" fn(
        this: *mut c_void,
        riid: *const GUID,
        ppv: *mut *mut c_void,
    ) -> HRESULT,
    pub AddRef: unsafe extern "system" fn(this: *mut c_void) -> ULONG,
    pub Release: unsafe extern "system" fn(this: *mut c_void) -> ULONG,
}

impl VtableLayout for IUnknownVtbl {
    const INTERFACE: &'static str = "IUnknown";
    const BASE: &'static str = "";
    const OWN_METHODS: &'static [&'static str] = &["QueryInterface", "AddRef", "Release"];
    const BASE_SIZE: usize = 0;
    fn own_offsets() -> Vec<usize> {
        vec![
            std::mem::offset_of!(IUnknownVtbl, QueryInterface),
            std::mem::offset_of!(IUnknownVtbl, AddRef),
            std::mem::offset_of!(IUnknownVtbl, Release),
        ]
    }
}

com_vtable! {
    /// `IClassFactory`, implemented by the profiler's class factory.
    pub struct IClassFactoryVtbl("IClassFactory") : IUnknownVtbl("IUnknown") {
        CreateInstance: unsafe extern "system" fn(
            this: *mut c_void,
            outer: *mut c_void,
            riid: *const GUID,
            ppv: *mut *mut c_void,
        ) -> HRESULT,
        LockServer: unsafe extern "system" fn(this: *mut c_void, lock: BOOL) -> HRESULT,
    }
}
