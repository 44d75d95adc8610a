//! `IClassFactory` (reference-profiler §1.2): hands out the callback object.

use super::callback_object::CallbackObject;
use super::guard::guard;
use crate::ffi::guids::{IID_IClassFactory, IID_IUnknown};
use crate::ffi::hresult::{CLASS_E_NOAGGREGATION, E_FAIL, E_NOINTERFACE, E_POINTER, S_OK};
use crate::ffi::types::{BOOL, GUID, HRESULT, ULONG};
use crate::ffi::unknown::{IClassFactoryVtbl, IUnknownVtbl};
use std::ffi::c_void;
use std::sync::atomic::{fence, AtomicU32, Ordering};

/// The COM object: a vtable pointer followed by the reference count.
#[repr(C)]
pub struct ClassFactory {
    vtbl: &'static IClassFactoryVtbl,
    references: AtomicU32,
}

static VTABLE: IClassFactoryVtbl = IClassFactoryVtbl {
    base: IUnknownVtbl {
        QueryInterface: query_interface,
        AddRef: add_ref,
        Release: release,
    },
    CreateInstance: create_instance,
    LockServer: lock_server,
};

impl ClassFactory {
    /// A new factory holding one reference, as a raw COM pointer.
    pub fn create() -> *mut c_void {
        let factory = Box::new(ClassFactory {
            vtbl: &VTABLE,
            references: AtomicU32::new(1),
        });
        Box::into_raw(factory).cast()
    }
}

/// # Safety
/// `this` must be null or a pointer produced by [`ClassFactory::create`] that still holds a reference.
unsafe fn factory<'a>(this: *mut c_void) -> Option<&'a ClassFactory> {
    // SAFETY: guaranteed by the caller; null is handled.
    unsafe { this.cast::<ClassFactory>().as_ref() }
}

unsafe extern "system" fn query_interface(
    this: *mut c_void,
    riid: *const GUID,
    ppv: *mut *mut c_void,
) -> HRESULT {
    guard("IClassFactory::QueryInterface", E_FAIL, || {
        if ppv.is_null() {
            return E_POINTER;
        }
        // SAFETY: `ppv` is non-null and the caller provides writable storage.
        unsafe { *ppv = std::ptr::null_mut() };
        // SAFETY: a non-null `riid` from the caller points at a GUID.
        let Some(iid) = (unsafe { riid.as_ref() }) else {
            return E_POINTER;
        };
        // SAFETY: `this` is the object the caller is calling through.
        let Some(object) = (unsafe { factory(this) }) else {
            return E_POINTER;
        };
        if *iid == IID_IUnknown || *iid == IID_IClassFactory {
            object.references.fetch_add(1, Ordering::Relaxed);
            // SAFETY: as above.
            unsafe { *ppv = this };
            S_OK
        } else {
            E_NOINTERFACE
        }
    })
}

unsafe extern "system" fn add_ref(this: *mut c_void) -> ULONG {
    // SAFETY: `this` is the object the caller is calling through.
    match unsafe { factory(this) } {
        Some(object) => object.references.fetch_add(1, Ordering::Relaxed) + 1,
        None => 0,
    }
}

unsafe extern "system" fn release(this: *mut c_void) -> ULONG {
    // SAFETY: `this` is the object the caller is calling through.
    let Some(object) = (unsafe { factory(this) }) else {
        return 0;
    };
    let remaining = object.references.fetch_sub(1, Ordering::Release) - 1;
    if remaining == 0 {
        fence(Ordering::Acquire);
        // SAFETY: the last reference is gone; the Box came from `create`.
        drop(unsafe { Box::from_raw(this.cast::<ClassFactory>()) });
    }
    remaining
}

unsafe extern "system" fn create_instance(
    _this: *mut c_void,
    outer: *mut c_void,
    riid: *const GUID,
    ppv: *mut *mut c_void,
) -> HRESULT {
    guard("IClassFactory::CreateInstance", E_FAIL, || {
        if ppv.is_null() {
            return E_POINTER;
        }
        // SAFETY: `ppv` is non-null writable storage from the caller.
        unsafe { *ppv = std::ptr::null_mut() };
        if !outer.is_null() {
            return CLASS_E_NOAGGREGATION;
        }
        let object = CallbackObject::create();
        // SAFETY: `object` is a live callback object holding one reference;
        // QueryInterface adds the caller's reference, then ours is dropped.
        unsafe {
            let hr = CallbackObject::query_interface_raw(object, riid, ppv);
            CallbackObject::release_raw(object);
            hr
        }
    })
}

unsafe extern "system" fn lock_server(_this: *mut c_void, _lock: BOOL) -> HRESULT {
    S_OK
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ffi::guids::IID_ICorProfilerCallback4;

    fn vtbl(object: *mut c_void) -> &'static IClassFactoryVtbl {
        // SAFETY: test objects come from ClassFactory::create.
        unsafe { *(object as *const &'static IClassFactoryVtbl) }
    }

    #[test]
    fn query_interface_accepts_only_unknown_and_class_factory() {
        let f = ClassFactory::create();
        let v = vtbl(f);
        let mut out = std::ptr::null_mut();
        // SAFETY: `f` is live for the whole test.
        unsafe {
            assert_eq!((v.QueryInterface)(f, &IID_IClassFactory, &mut out), S_OK);
            assert_eq!(out, f);
            assert_eq!((v.Release)(f), 1);
            assert_eq!((v.QueryInterface)(f, &IID_IUnknown, &mut out), S_OK);
            assert_eq!((v.Release)(f), 1);
            out = 1 as *mut c_void;
            assert_eq!(
                (v.QueryInterface)(f, &IID_ICorProfilerCallback4, &mut out),
                E_NOINTERFACE
            );
            assert!(out.is_null());
            assert_eq!(
                (v.QueryInterface)(f, &IID_IUnknown, std::ptr::null_mut()),
                E_POINTER
            );
            assert_eq!((v.AddRef)(f), 2);
            assert_eq!((v.Release)(f), 1);
            assert_eq!((v.LockServer)(f, 1), S_OK);
            assert_eq!((v.Release)(f), 0);
        }
    }

    #[test]
    fn aggregation_is_refused() {
        let f = ClassFactory::create();
        let v = vtbl(f);
        let mut out = std::ptr::null_mut();
        let outer = 0x1234 as *mut c_void;
        // SAFETY: `f` is live; `outer` is never dereferenced on this path.
        unsafe {
            assert_eq!(
                (v.CreateInstance)(f, outer, &IID_ICorProfilerCallback4, &mut out),
                CLASS_E_NOAGGREGATION
            );
            assert!(out.is_null());
            (v.Release)(f);
        }
    }
}
