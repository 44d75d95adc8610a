//! `ComPtr<V>`: an owned reference to a COM object whose vtable is `V`.
//! Clone is `AddRef`, drop is `Release`, and `query` is `QueryInterface` —
//! the only places the profiler touches reference counts.

use super::hresult::{ClrResult, HResult};
use crate::ffi::guids::*;
use crate::ffi::types::GUID;
use crate::ffi::unknown::IUnknownVtbl;
use std::ffi::c_void;
use std::marker::PhantomData;
use std::ptr::NonNull;

/// A vtable type that belongs to a COM interface with a known IID.
///
/// # Safety
/// `IID` must identify an interface whose vtable layout is exactly `Self`,
/// and `Self` must begin with the `IUnknown` slots.
pub unsafe trait Interface {
    const IID: GUID;
}

macro_rules! interface {
    ($vtbl:path, $iid:expr) => {
        // SAFETY: the vtable is checked slot by slot against the IDL in
        // tests/idl_vtables.rs and starts with IUnknown through `base`.
        unsafe impl Interface for $vtbl {
            const IID: GUID = $iid;
        }
    };
}

use crate::ffi::enums::*;
use crate::ffi::function_control::*;
use crate::ffi::info::*;
use crate::ffi::metadata::*;

interface!(IUnknownVtbl, IID_IUnknown);
interface!(ICorProfilerInfoVtbl, IID_ICorProfilerInfo);
interface!(ICorProfilerInfo2Vtbl, IID_ICorProfilerInfo2);
interface!(ICorProfilerInfo3Vtbl, IID_ICorProfilerInfo3);
interface!(ICorProfilerInfo4Vtbl, IID_ICorProfilerInfo4);
interface!(ICorProfilerInfo5Vtbl, IID_ICorProfilerInfo5);
interface!(ICorProfilerInfo6Vtbl, IID_ICorProfilerInfo6);
interface!(ICorProfilerInfo7Vtbl, IID_ICorProfilerInfo7);
interface!(ICorProfilerInfo8Vtbl, IID_ICorProfilerInfo8);
interface!(ICorProfilerInfo9Vtbl, IID_ICorProfilerInfo9);
interface!(ICorProfilerInfo10Vtbl, IID_ICorProfilerInfo10);
interface!(ICorProfilerInfo11Vtbl, IID_ICorProfilerInfo11);
interface!(
    ICorProfilerFunctionControlVtbl,
    IID_ICorProfilerFunctionControl
);
interface!(IMethodMallocVtbl, IID_IMethodMalloc);
interface!(IMetaDataImportVtbl, IID_IMetaDataImport);
interface!(IMetaDataImport2Vtbl, IID_IMetaDataImport2);
interface!(IMetaDataEmitVtbl, IID_IMetaDataEmit);
interface!(IMetaDataEmit2Vtbl, IID_IMetaDataEmit2);
interface!(IMetaDataAssemblyImportVtbl, IID_IMetaDataAssemblyImport);
interface!(IMetaDataAssemblyEmitVtbl, IID_IMetaDataAssemblyEmit);

// The enumerators are only ever received, never queried for; their IIDs
// (corprof.idl) are kept for completeness.
interface!(
    ICorProfilerModuleEnumVtbl,
    GUID::new(
        0xb026_6d75,
        0x2081,
        0x4493,
        [0xaf, 0x7f, 0x02, 0x8b, 0xa3, 0x4d, 0xb8, 0x91]
    )
);
interface!(
    ICorProfilerThreadEnumVtbl,
    GUID::new(
        0x5711_94f7,
        0x25ed,
        0x419f,
        [0xaa, 0x8b, 0x70, 0x16, 0xb3, 0x15, 0x97, 0x01]
    )
);

interface!(
    ICorProfilerMethodEnumVtbl,
    GUID::new(
        0xfccee788,
        0x0088,
        0x454b,
        [0xa8, 0x11, 0xc9, 0x9f, 0x29, 0x8d, 0x19, 0x42]
    )
);

/// An owned COM interface pointer.
pub struct ComPtr<V: Interface> {
    raw: NonNull<c_void>,
    _vtbl: PhantomData<*const V>,
}

// SAFETY: the CLR profiling and metadata interfaces are free-threaded: the
// runtime calls them from any thread and documents them as thread-safe.
unsafe impl<V: Interface> Send for ComPtr<V> {}
// SAFETY: as above; every method takes `this` by pointer and synchronises internally.
unsafe impl<V: Interface> Sync for ComPtr<V> {}

impl<V: Interface> ComPtr<V> {
    /// Takes ownership of one reference held in `raw`; `None` for null.
    ///
    /// # Safety
    /// `raw` must be null or a live COM object implementing `V`, and the
    /// caller must own one reference that this value will release.
    pub unsafe fn from_owned(raw: *mut c_void) -> Option<ComPtr<V>> {
        NonNull::new(raw).map(|raw| ComPtr {
            raw,
            _vtbl: PhantomData,
        })
    }

    /// Adds a reference to an object the caller only borrows (e.g. a
    /// callback parameter); `None` for null.
    ///
    /// # Safety
    /// `raw` must be null or a live COM object implementing `V`.
    pub unsafe fn from_borrowed(raw: *mut c_void) -> Option<ComPtr<V>> {
        let ptr = NonNull::new(raw)?;
        // SAFETY: the caller guarantees a live object; AddRef is always valid on one.
        unsafe { (Self::unknown_vtbl(ptr).AddRef)(raw) };
        Some(ComPtr {
            raw: ptr,
            _vtbl: PhantomData,
        })
    }

    /// The interface pointer, still owned by `self`.
    pub fn as_raw(&self) -> *mut c_void {
        self.raw.as_ptr()
    }

    /// The vtable, for the wrapper layer's calls.
    pub fn vtbl(&self) -> &V {
        // SAFETY: a COM object's first word points at its vtable, and
        // `Interface` guarantees that vtable is laid out as `V`.
        unsafe { &**(self.raw.as_ptr() as *const *const V) }
    }

    fn unknown_vtbl<'a>(ptr: NonNull<c_void>) -> &'a IUnknownVtbl {
        // SAFETY: every COM vtable starts with the IUnknown slots.
        unsafe { &**(ptr.as_ptr() as *const *const IUnknownVtbl) }
    }

    /// `QueryInterface` for `U`.
    pub fn query<U: Interface>(&self) -> ClrResult<ComPtr<U>> {
        let mut out: *mut c_void = std::ptr::null_mut();
        // SAFETY: `self` is live; `out` is a valid out-pointer.
        let hr = unsafe {
            (Self::unknown_vtbl(self.raw).QueryInterface)(self.as_raw(), &U::IID, &mut out)
        };
        HResult::ok(hr)?;
        // SAFETY: a successful QueryInterface returns one owned reference to `U`.
        unsafe { ComPtr::from_owned(out) }.ok_or(HResult::POINTER)
    }
}

impl<V: Interface> Clone for ComPtr<V> {
    fn clone(&self) -> Self {
        // SAFETY: `self` holds a reference, so the object is live.
        unsafe { (Self::unknown_vtbl(self.raw).AddRef)(self.as_raw()) };
        ComPtr {
            raw: self.raw,
            _vtbl: PhantomData,
        }
    }
}

impl<V: Interface> Drop for ComPtr<V> {
    fn drop(&mut self) {
        // SAFETY: releases the one reference this value owns.
        unsafe { (Self::unknown_vtbl(self.raw).Release)(self.as_raw()) };
    }
}

impl<V: Interface> std::fmt::Debug for ComPtr<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ComPtr({:p})", self.raw)
    }
}
