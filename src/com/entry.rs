//! The two COM exports the runtime looks up (reference-profiler §1.1).

use super::class_factory::ClassFactory;
use super::guard::guard;
use crate::ffi::hresult::{E_FAIL, E_POINTER, S_OK};
use crate::ffi::types::{GUID, HRESULT};
use std::ffi::c_void;

/// Creates a class factory and returns the interface `riid` on it. The
/// CLSID is ignored — any CLSID is accepted, so the CoreCLR and the
/// Framework GUIDs both work (§1.3).
///
/// # Safety
/// Called by the runtime with COM conventions: `riid` points at a GUID and
/// `ppv` at writable storage for one pointer.
#[no_mangle]
pub unsafe extern "system" fn DllGetClassObject(
    _rclsid: *const GUID,
    riid: *const GUID,
    ppv: *mut *mut c_void,
) -> HRESULT {
    guard("DllGetClassObject", E_FAIL, || {
        if ppv.is_null() || riid.is_null() {
            return E_POINTER;
        }
        let factory = ClassFactory::create();
        // SAFETY: `factory` is a live object with one reference; the
        // caller's reference comes from QueryInterface, then ours is dropped.
        unsafe {
            let vtbl = *(factory as *const &'static crate::ffi::unknown::IClassFactoryVtbl);
            let hr = (vtbl.QueryInterface)(factory, riid, ppv);
            (vtbl.Release)(factory);
            hr
        }
    })
}

/// Always `S_OK`, as in the original.
#[no_mangle]
pub extern "system" fn DllCanUnloadNow() -> HRESULT {
    S_OK
}
