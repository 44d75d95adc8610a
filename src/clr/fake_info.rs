//! A fake `ICorProfilerInfo` COM object for unit tests of the start-up
//! sequence: it answers `QueryInterface` for a chosen set of interfaces,
//! reports a chosen runtime, and records the calls it receives. Slots it
//! does not implement return `E_NOTIMPL` (safe on the C calling convention,
//! where the caller pops the arguments).

use crate::ffi::guids::*;
use crate::ffi::hresult::{E_NOINTERFACE, E_NOTIMPL, S_OK};
use crate::ffi::info::ICorProfilerInfo11Vtbl;
use crate::ffi::types::*;
use parking_lot::Mutex;
use std::ffi::c_void;
use std::mem::{offset_of, size_of};
use std::sync::atomic::{AtomicU32, Ordering};

/// What the fake runtime answers.
#[derive(Clone, Debug)]
pub struct FakeRuntime {
    /// Interfaces `QueryInterface` succeeds for (IUnknown always does).
    pub interfaces: Vec<GUID>,
    pub runtime_type: u32,
    pub runtime_info_hr: HRESULT,
    pub major: u16,
    pub minor: u16,
    pub set_event_mask_hr: HRESULT,
}

impl FakeRuntime {
    /// A .NET 10 CoreCLR with every interface up to ICorProfilerInfo11.
    pub fn coreclr() -> FakeRuntime {
        FakeRuntime {
            interfaces: vec![
                IID_ICorProfilerInfo,
                IID_ICorProfilerInfo2,
                IID_ICorProfilerInfo3,
                IID_ICorProfilerInfo4,
                IID_ICorProfilerInfo5,
                IID_ICorProfilerInfo6,
                IID_ICorProfilerInfo7,
                IID_ICorProfilerInfo8,
                IID_ICorProfilerInfo9,
                IID_ICorProfilerInfo10,
                IID_ICorProfilerInfo11,
            ],
            runtime_type: 2,
            runtime_info_hr: S_OK,
            major: 10,
            minor: 0,
            set_event_mask_hr: S_OK,
        }
    }

    /// .NET Framework 4.8: up to ICorProfilerInfo9 on the desktop CLR.
    pub fn framework() -> FakeRuntime {
        let mut runtime = FakeRuntime::coreclr();
        runtime
            .interfaces
            .retain(|iid| *iid != IID_ICorProfilerInfo10 && *iid != IID_ICorProfilerInfo11);
        runtime.runtime_type = 1;
        runtime.major = 4;
        runtime
    }

    pub fn without(mut self, iid: GUID) -> FakeRuntime {
        self.interfaces.retain(|i| *i != iid);
        self
    }
}

#[repr(C)]
struct FakeObject {
    vtbl: *const usize,
    references: AtomicU32,
    runtime: FakeRuntime,
    calls: Mutex<Vec<String>>,
}

/// Owns one fake object; dropping it frees the object and its vtable.
pub struct FakeInfo {
    object: *mut FakeObject,
    vtbl: *mut [usize],
}

const SLOTS: usize = size_of::<ICorProfilerInfo11Vtbl>() / size_of::<usize>();

macro_rules! slot {
    ($($field:tt)+) => {
        offset_of!(ICorProfilerInfo11Vtbl, $($field)+) / size_of::<usize>()
    };
}

impl FakeInfo {
    pub fn new(runtime: FakeRuntime) -> FakeInfo {
        let mut table = vec![not_implemented as *const () as usize; SLOTS].into_boxed_slice();
        table[0] = query_interface as *const () as usize;
        table[1] = add_ref as *const () as usize;
        table[2] = release as *const () as usize;
        table[slot!(
            base.base
                .base
                .base
                .base
                .base
                .base
                .base
                .GetRuntimeInformation
        )] = get_runtime_information as *const () as usize;
        table[slot!(
            base.base
                .base
                .base
                .base
                .base
                .base
                .base
                .base
                .base
                .SetEventMask
        )] = set_event_mask as *const () as usize;
        table[slot!(base.base.base.base.base.base.SetEventMask2)] =
            set_event_mask2 as *const () as usize;
        let vtbl = Box::into_raw(table);
        let object = Box::into_raw(Box::new(FakeObject {
            vtbl: vtbl as *const usize,
            references: AtomicU32::new(1),
            runtime,
            calls: Mutex::new(Vec::new()),
        }));
        FakeInfo { object, vtbl }
    }

    /// The COM pointer to hand to `Initialize`.
    pub fn as_raw(&self) -> *mut c_void {
        self.object.cast()
    }

    /// Calls received, e.g. `SetEventMask2(0xb0040224, 0x8)`.
    pub fn calls(&self) -> Vec<String> {
        // SAFETY: the object lives until `self` is dropped.
        unsafe { (*self.object).calls.lock().clone() }
    }

    /// Outstanding references (1 = only ours).
    pub fn references(&self) -> u32 {
        // SAFETY: as above.
        unsafe { (*self.object).references.load(Ordering::SeqCst) }
    }
}

impl Drop for FakeInfo {
    fn drop(&mut self) {
        // SAFETY: both allocations came from Box::into_raw in `new` and are freed once.
        unsafe {
            drop(Box::from_raw(self.object));
            drop(Box::from_raw(self.vtbl));
        }
    }
}

/// # Safety
/// `this` must be a live `FakeObject`.
unsafe fn object<'a>(this: *mut c_void) -> &'a FakeObject {
    // SAFETY: guaranteed by the caller.
    unsafe { &*(this as *const FakeObject) }
}

unsafe extern "system" fn not_implemented(_this: *mut c_void) -> HRESULT {
    E_NOTIMPL
}

unsafe extern "system" fn query_interface(
    this: *mut c_void,
    riid: *const GUID,
    ppv: *mut *mut c_void,
) -> HRESULT {
    // SAFETY: called through the fake's own vtable with COM arguments.
    unsafe {
        let object = object(this);
        if *riid == IID_IUnknown || object.runtime.interfaces.contains(&*riid) {
            object.references.fetch_add(1, Ordering::SeqCst);
            *ppv = this;
            S_OK
        } else {
            *ppv = std::ptr::null_mut();
            E_NOINTERFACE
        }
    }
}

unsafe extern "system" fn add_ref(this: *mut c_void) -> ULONG {
    // SAFETY: called through the fake's own vtable.
    unsafe { object(this).references.fetch_add(1, Ordering::SeqCst) + 1 }
}

unsafe extern "system" fn release(this: *mut c_void) -> ULONG {
    // SAFETY: called through the fake's own vtable; the memory is freed by `FakeInfo::drop`.
    unsafe { object(this).references.fetch_sub(1, Ordering::SeqCst) - 1 }
}

#[allow(clippy::too_many_arguments)]
unsafe extern "system" fn get_runtime_information(
    this: *mut c_void,
    _clr_instance_id: *mut u16,
    runtime_type: *mut u32,
    major: *mut u16,
    minor: *mut u16,
    _build: *mut u16,
    _qfe: *mut u16,
    _cch: ULONG,
    _pcch: *mut ULONG,
    _version: *mut u16,
) -> HRESULT {
    // SAFETY: out-pointers come from the wrapper under test and are valid.
    unsafe {
        let object = object(this);
        object
            .calls
            .lock()
            .push("GetRuntimeInformation".to_string());
        *runtime_type = object.runtime.runtime_type;
        *major = object.runtime.major;
        *minor = object.runtime.minor;
        object.runtime.runtime_info_hr
    }
}

unsafe extern "system" fn set_event_mask(this: *mut c_void, mask: DWORD) -> HRESULT {
    // SAFETY: called through the fake's own vtable.
    let object = unsafe { object(this) };
    object.calls.lock().push(format!("SetEventMask({mask:#x})"));
    object.runtime.set_event_mask_hr
}

unsafe extern "system" fn set_event_mask2(this: *mut c_void, low: DWORD, high: DWORD) -> HRESULT {
    // SAFETY: called through the fake's own vtable.
    let object = unsafe { object(this) };
    object
        .calls
        .lock()
        .push(format!("SetEventMask2({low:#x}, {high:#x})"));
    object.runtime.set_event_mask_hr
}
