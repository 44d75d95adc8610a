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

static VTABLE: ICorProfilerCallback4Vtbl {
    base: ICorProfilerCallback3Vtbl {
        base: ICorProfilerCallback2Vtbl {
            base: ICorProfilerCallbackVtbl {
                base: IUnknownVtbl { QueryInterface: object::query_interface, AddRef: object::add_ref, Release: object::release },
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
                ModuleUnloadStarted: noop::ModuleUnloadStarted,
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
    pub unsafe fn query_interface_raw(this: *mut c_void, riid: *const GUID, ppv: *mut *mut c_void) -> HRESULT {
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

pub unsafe extern "system" fn query_interface(this: *mut c_void, riid: *const GUID, ppv: *mut *mut c_void) -> HRESULT {
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

pub unsafe extern "system" fn add_ref(this: *mut c_void) -> ULONG {
    // SAFETY: `this` is the object being called.
    match unsafe { CallbackObject::from_this(this) } {
        Some(object) => object.references.fetch_add(1, Ordering::Relaxed) + 1,
        None => 0,
    }
}

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
