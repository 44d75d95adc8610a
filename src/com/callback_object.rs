//! The profiler's COM object: `ICorProfilerCallback4` and everything it
//! inherits, with every slot in IDL order (reference-profiler §1.5). The
//! object only owns a reference count and the [`Profiler`] it dispatches to;
//! the behaviour lives in `crate::profiler`.

use super::callbacks;
use super::callbacks_noop as noop;
use super::guard::guard;
use crate::ffi::callback::*;
use crate::ffi::guids::*;
use crate::ffi::hresult::{E_FAIL, E_NOINTERFACE, E_POINTER, S_OK};
use crate::ffi::types::{GUID, HRESULT, ULONG};
use crate::ffi::unknown::IUnknownVtbl;
use crate::profiler::Profiler;
use std::ffi::c_void;
use std::sync::atomic::{fence, AtomicU32, Ordering};
use std::sync::Arc;

/// Layout: the vtable pointer first (COM), then our state.
#[repr(C)]
pub struct CallbackObject {
    vtbl: &'static ICorProfilerCallback4Vtbl,
    references: AtomicU32,
    profiler: Arc<Profiler>,
}

/// The interfaces `QueryInterface` answers for (§1.5): IUnknown and
/// Callback..Callback4; higher versions are not implemented.
const IMPLEMENTED: [GUID; 5] = [
    IID_IUnknown,
    IID_ICorProfilerCallback,
    IID_ICorProfilerCallback2,
    IID_ICorProfilerCallback3,
    IID_ICorProfilerCallback4,
];

pub(super) mod object {
    pub use super::{add_ref, query_interface, release};
}

static VTABLE: ICorProfilerCallback4Vtbl = ICorProfilerCallback4Vtbl {
    base: ICorProfilerCallback3Vtbl {
        base: ICorProfilerCallback2Vtbl {
            base: ICorProfilerCallbackVtbl {
                base: IUnknownVtbl {
                    QueryInterface: object::query_interface,
                    AddRef: object::add_ref,
                    Release: object::release,
                },
                Initialize: callbacks::Initialize,
                Shutdown: callbacks::Shutdown,
                AppDomainCreationStarted: noop::AppDomainCreationStarted,
                AppDomainCreationFinished: noop::AppDomainCreationFinished,
                AppDomainShutdownStarted: noop::AppDomainShutdownStarted,
                AppDomainShutdownFinished: noop::AppDomainShutdownFinished,
                AssemblyLoadStarted: noop::AssemblyLoadStarted,
                AssemblyLoadFinished: noop::AssemblyLoadFinished,
                AssemblyUnloadStarted: noop::AssemblyUnloadStarted,
                AssemblyUnloadFinished: noop::AssemblyUnloadFinished,
                ModuleLoadStarted: noop::ModuleLoadStarted,
                ModuleLoadFinished: callbacks::ModuleLoadFinished,
                ModuleUnloadStarted: callbacks::ModuleUnloadStarted,
                ModuleUnloadFinished: noop::ModuleUnloadFinished,
                ModuleAttachedToAssembly: noop::ModuleAttachedToAssembly,
                ClassLoadStarted: noop::ClassLoadStarted,
                ClassLoadFinished: noop::ClassLoadFinished,
                ClassUnloadStarted: noop::ClassUnloadStarted,
                ClassUnloadFinished: noop::ClassUnloadFinished,
                FunctionUnloadStarted: noop::FunctionUnloadStarted,
                JITCompilationStarted: callbacks::JITCompilationStarted,
                JITCompilationFinished: noop::JITCompilationFinished,
                JITCachedFunctionSearchStarted: noop::JITCachedFunctionSearchStarted,
                JITCachedFunctionSearchFinished: noop::JITCachedFunctionSearchFinished,
                JITFunctionPitched: noop::JITFunctionPitched,
                JITInlining: noop::JITInlining,
                ThreadCreated: noop::ThreadCreated,
                ThreadDestroyed: callbacks::ThreadDestroyed,
                ThreadAssignedToOSThread: noop::ThreadAssignedToOSThread,
                RemotingClientInvocationStarted: noop::RemotingClientInvocationStarted,
                RemotingClientSendingMessage: noop::RemotingClientSendingMessage,
                RemotingClientReceivingReply: noop::RemotingClientReceivingReply,
                RemotingClientInvocationFinished: noop::RemotingClientInvocationFinished,
                RemotingServerReceivingMessage: noop::RemotingServerReceivingMessage,
                RemotingServerInvocationStarted: noop::RemotingServerInvocationStarted,
                RemotingServerInvocationReturned: noop::RemotingServerInvocationReturned,
                RemotingServerSendingReply: noop::RemotingServerSendingReply,
                UnmanagedToManagedTransition: noop::UnmanagedToManagedTransition,
                ManagedToUnmanagedTransition: noop::ManagedToUnmanagedTransition,
                RuntimeSuspendStarted: noop::RuntimeSuspendStarted,
                RuntimeSuspendFinished: noop::RuntimeSuspendFinished,
                RuntimeSuspendAborted: noop::RuntimeSuspendAborted,
                RuntimeResumeStarted: noop::RuntimeResumeStarted,
                RuntimeResumeFinished: noop::RuntimeResumeFinished,
                RuntimeThreadSuspended: noop::RuntimeThreadSuspended,
                RuntimeThreadResumed: noop::RuntimeThreadResumed,
                MovedReferences: noop::MovedReferences,
                ObjectAllocated: noop::ObjectAllocated,
                ObjectsAllocatedByClass: noop::ObjectsAllocatedByClass,
                ObjectReferences: noop::ObjectReferences,
                RootReferences: noop::RootReferences,
                ExceptionThrown: noop::ExceptionThrown,
                ExceptionSearchFunctionEnter: noop::ExceptionSearchFunctionEnter,
                ExceptionSearchFunctionLeave: noop::ExceptionSearchFunctionLeave,
                ExceptionSearchFilterEnter: noop::ExceptionSearchFilterEnter,
                ExceptionSearchFilterLeave: noop::ExceptionSearchFilterLeave,
                ExceptionSearchCatcherFound: noop::ExceptionSearchCatcherFound,
                ExceptionOSHandlerEnter: noop::ExceptionOSHandlerEnter,
                ExceptionOSHandlerLeave: noop::ExceptionOSHandlerLeave,
                ExceptionUnwindFunctionEnter: noop::ExceptionUnwindFunctionEnter,
                ExceptionUnwindFunctionLeave: noop::ExceptionUnwindFunctionLeave,
                ExceptionUnwindFinallyEnter: noop::ExceptionUnwindFinallyEnter,
                ExceptionUnwindFinallyLeave: noop::ExceptionUnwindFinallyLeave,
                ExceptionCatcherEnter: noop::ExceptionCatcherEnter,
                ExceptionCatcherLeave: noop::ExceptionCatcherLeave,
                COMClassicVTableCreated: noop::COMClassicVTableCreated,
                COMClassicVTableDestroyed: noop::COMClassicVTableDestroyed,
                ExceptionCLRCatcherFound: noop::ExceptionCLRCatcherFound,
                ExceptionCLRCatcherExecute: noop::ExceptionCLRCatcherExecute,
            },
            ThreadNameChanged: noop::ThreadNameChanged,
            GarbageCollectionStarted: noop::GarbageCollectionStarted,
            SurvivingReferences: noop::SurvivingReferences,
            GarbageCollectionFinished: noop::GarbageCollectionFinished,
            FinalizeableObjectQueued: noop::FinalizeableObjectQueued,
            RootReferences2: noop::RootReferences2,
            HandleCreated: noop::HandleCreated,
            HandleDestroyed: noop::HandleDestroyed,
        },
        InitializeForAttach: callbacks::InitializeForAttach,
        ProfilerAttachComplete: noop::ProfilerAttachComplete,
        ProfilerDetachSucceeded: noop::ProfilerDetachSucceeded,
    },
    ReJITCompilationStarted: callbacks::ReJITCompilationStarted,
    GetReJITParameters: callbacks::GetReJITParameters,
    ReJITCompilationFinished: noop::ReJITCompilationFinished,
    ReJITError: noop::ReJITError,
    MovedReferences2: noop::MovedReferences2,
    SurvivingReferences2: noop::SurvivingReferences2,
};

impl CallbackObject {
    /// A new callback object with one reference, as a raw COM pointer. Its
    /// profiler becomes the process-wide instance the agent's exports use.
    pub fn create() -> *mut c_void {
        let profiler = Arc::new(Profiler::new());
        crate::profiler::set_instance(&profiler);
        let object = Box::new(CallbackObject {
            vtbl: &VTABLE,
            references: AtomicU32::new(1),
            profiler,
        });
        Box::into_raw(object).cast()
    }

    /// The object behind a `this` pointer the runtime passed.
    ///
    /// # Safety
    /// `this` must be null or a pointer from [`CallbackObject::create`] that still holds a reference.
    pub unsafe fn from_this<'a>(this: *mut c_void) -> Option<&'a CallbackObject> {
        // SAFETY: guaranteed by the caller; null is handled.
        unsafe { this.cast::<CallbackObject>().as_ref() }
    }

    pub fn profiler(&self) -> &Profiler {
        &self.profiler
    }

    /// # Safety
    /// As for [`CallbackObject::from_this`]; `riid` and `ppv` as in COM.
    pub unsafe fn query_interface_raw(
        this: *mut c_void,
        riid: *const GUID,
        ppv: *mut *mut c_void,
    ) -> HRESULT {
        // SAFETY: forwarded contract.
        unsafe { query_interface(this, riid, ppv) }
    }

    /// # Safety
    /// As for [`CallbackObject::from_this`]; gives up one reference.
    pub unsafe fn release_raw(this: *mut c_void) -> ULONG {
        // SAFETY: forwarded contract.
        unsafe { release(this) }
    }
}

/// # Safety
/// Called by COM clients with `this` from [`CallbackObject::create`] (or null).
pub unsafe extern "system" fn query_interface(
    this: *mut c_void,
    riid: *const GUID,
    ppv: *mut *mut c_void,
) -> HRESULT {
    guard("ICorProfilerCallback::QueryInterface", E_FAIL, || {
        if ppv.is_null() {
            return E_POINTER;
        }
        // SAFETY: `ppv` is non-null writable storage from the caller.
        unsafe { *ppv = std::ptr::null_mut() };
        // SAFETY: a non-null `riid` points at a GUID.
        let Some(iid) = (unsafe { riid.as_ref() }) else {
            return E_POINTER;
        };
        // SAFETY: `this` is the object being called.
        let Some(object) = (unsafe { CallbackObject::from_this(this) }) else {
            return E_POINTER;
        };
        if IMPLEMENTED.contains(iid) {
            object.references.fetch_add(1, Ordering::Relaxed);
            // SAFETY: as above.
            unsafe { *ppv = this };
            S_OK
        } else {
            E_NOINTERFACE
        }
    })
}

/// # Safety
/// Called by COM clients with `this` from [`CallbackObject::create`] (or null).
pub unsafe extern "system" fn add_ref(this: *mut c_void) -> ULONG {
    // SAFETY: `this` is the object being called.
    match unsafe { CallbackObject::from_this(this) } {
        Some(object) => object.references.fetch_add(1, Ordering::Relaxed) + 1,
        None => 0,
    }
}

/// # Safety
/// Called by COM clients with `this` from [`CallbackObject::create`] (or null).
pub unsafe extern "system" fn release(this: *mut c_void) -> ULONG {
    // SAFETY: `this` is the object being called.
    let Some(object) = (unsafe { CallbackObject::from_this(this) }) else {
        return 0;
    };
    let remaining = object.references.fetch_sub(1, Ordering::Release) - 1;
    if remaining == 0 {
        fence(Ordering::Acquire);
        // SAFETY: the last reference is gone; the Box came from `create`.
        let object = unsafe { Box::from_raw(this.cast::<CallbackObject>()) };
        crate::profiler::clear_instance(&object.profiler);
        drop(object);
    }
    remaining
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::com::entry::DllGetClassObject;
    use crate::com::guard::inject_panic_in_next_call;
    use crate::ffi::hresult::E_FAIL;
    use crate::ffi::unknown::IClassFactoryVtbl;

    /// A callback object obtained the way the runtime does: DllGetClassObject
    /// (with an arbitrary CLSID), then IClassFactory::CreateInstance.
    fn create_through_com(iid: &GUID) -> *mut c_void {
        let any_clsid = GUID::new(1, 2, 3, [4; 8]);
        let mut factory = std::ptr::null_mut();
        let mut object = std::ptr::null_mut();
        // SAFETY: COM calls with valid out-pointers; every pointer used comes from the previous call.
        unsafe {
            assert_eq!(
                DllGetClassObject(&any_clsid, &IID_IClassFactory, &mut factory),
                S_OK
            );
            let vtbl = *(factory as *const &'static IClassFactoryVtbl);
            assert_eq!(
                (vtbl.CreateInstance)(factory, std::ptr::null_mut(), iid, &mut object),
                S_OK
            );
            assert_eq!((vtbl.Release)(factory), 0);
        }
        assert!(!object.is_null());
        object
    }

    fn vtbl(object: *mut c_void) -> &'static ICorProfilerCallback4Vtbl {
        // SAFETY: test objects come from CallbackObject::create.
        unsafe { *(object as *const &'static ICorProfilerCallback4Vtbl) }
    }

    #[test]
    fn query_interface_answers_unknown_and_callback_1_to_4_only() {
        let object = create_through_com(&IID_ICorProfilerCallback4);
        let v = vtbl(object);
        for iid in IMPLEMENTED {
            let mut out = std::ptr::null_mut();
            // SAFETY: `object` is live.
            unsafe {
                assert_eq!((v.QueryInterface)(object, &iid, &mut out), S_OK);
                assert_eq!(out, object);
                (v.Release)(object);
            }
        }
        let callback5 = GUID::parse("8DFBA405-8C9F-45F8-BFFA-83B14CEF78B5").unwrap();
        for iid in [callback5, IID_IClassFactory, IID_ICorProfilerInfo4] {
            let mut out = 1 as *mut c_void;
            // SAFETY: `object` is live.
            unsafe { assert_eq!((v.QueryInterface)(object, &iid, &mut out), E_NOINTERFACE) };
            assert!(out.is_null());
        }
        // SAFETY: `object` is live; this drops the last reference.
        unsafe {
            assert_eq!((v.AddRef)(object), 2);
            assert_eq!((v.Release)(object), 1);
            assert_eq!((v.Release)(object), 0);
        }
    }

    #[test]
    fn create_instance_for_an_unknown_interface_fails_cleanly() {
        let any_clsid = GUID::new(9, 9, 9, [9; 8]);
        let mut factory = std::ptr::null_mut();
        let mut object = 1 as *mut c_void;
        // SAFETY: as in create_through_com.
        unsafe {
            assert_eq!(
                DllGetClassObject(&any_clsid, &IID_IClassFactory, &mut factory),
                S_OK
            );
            let vtbl = *(factory as *const &'static IClassFactoryVtbl);
            let bogus = GUID::new(0xdead, 0xbeef, 0, [0; 8]);
            assert_eq!(
                (vtbl.CreateInstance)(factory, std::ptr::null_mut(), &bogus, &mut object),
                E_NOINTERFACE
            );
            assert!(object.is_null());
            (vtbl.Release)(factory);
        }
    }

    #[test]
    fn a_panic_inside_a_callback_becomes_an_hresult() {
        let object = create_through_com(&IID_ICorProfilerCallback4);
        let v = vtbl(object);
        // SAFETY: `object` is live; the callbacks get plain values.
        unsafe {
            inject_panic_in_next_call();
            assert_eq!(
                (v.base.base.base.JITCompilationStarted)(object, 42, 1),
                E_FAIL
            );
            inject_panic_in_next_call();
            assert_eq!(
                (v.GetReJITParameters)(object, 1, 0x0600_0001, std::ptr::null_mut()),
                E_FAIL
            );
            inject_panic_in_next_call();
            assert_eq!(
                (v.base.base.base.Initialize)(object, std::ptr::null_mut()),
                crate::ffi::hresult::CORPROF_E_PROFILER_CANCEL_ACTIVATION
            );
            // After a contained panic the object keeps working.
            assert_eq!(
                (v.base.base.base.JITCompilationStarted)(object, 42, 1),
                S_OK
            );
            assert_eq!((v.base.base.base.AppDomainCreationStarted)(object, 7), S_OK);
            assert_eq!((v.ReJITError)(object, 1, 2, 3, E_FAIL), S_OK);
            assert_eq!((v.base.base.base.Shutdown)(object), S_OK);
            (v.Release)(object);
        }
    }

    #[test]
    fn initialize_with_a_null_info_pointer_detaches() {
        let object = create_through_com(&IID_ICorProfilerCallback);
        let v = vtbl(object);
        // SAFETY: `object` is live; a null IUnknown is a value the runtime could pass.
        unsafe {
            assert_eq!(
                (v.base.base.base.Initialize)(object, std::ptr::null_mut()),
                crate::ffi::hresult::CORPROF_E_PROFILER_CANCEL_ACTIVATION
            );
            (v.Release)(object);
        }
    }
}
