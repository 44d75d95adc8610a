//! The callbacks the original profiler leaves empty: each returns `S_OK`
//! and touches nothing (reference-profiler §1.5). They cannot panic, so they
//! need no unwind guard.

use crate::ffi::hresult::S_OK;
use crate::ffi::types::*;
use std::ffi::c_void;

// ICorProfilerCallback
pub unsafe extern "system" fn AppDomainCreationStarted(
    _this: *mut c_void,
    _app_domain_id: AppDomainID,
) -> HRESULT {
    S_OK
}
pub unsafe extern "system" fn AppDomainCreationFinished(
    _this: *mut c_void,
    _app_domain_id: AppDomainID,
    _hr_status: HRESULT,
) -> HRESULT {
    S_OK
}
pub unsafe extern "system" fn AppDomainShutdownStarted(
    _this: *mut c_void,
    _app_domain_id: AppDomainID,
) -> HRESULT {
    S_OK
}
pub unsafe extern "system" fn AppDomainShutdownFinished(
    _this: *mut c_void,
    _app_domain_id: AppDomainID,
    _hr_status: HRESULT,
) -> HRESULT {
    S_OK
}
pub unsafe extern "system" fn AssemblyLoadStarted(
    _this: *mut c_void,
    _assembly_id: AssemblyID,
) -> HRESULT {
    S_OK
}
pub unsafe extern "system" fn AssemblyLoadFinished(
    _this: *mut c_void,
    _assembly_id: AssemblyID,
    _hr_status: HRESULT,
) -> HRESULT {
    S_OK
}
pub unsafe extern "system" fn AssemblyUnloadStarted(
    _this: *mut c_void,
    _assembly_id: AssemblyID,
) -> HRESULT {
    S_OK
}
pub unsafe extern "system" fn AssemblyUnloadFinished(
    _this: *mut c_void,
    _assembly_id: AssemblyID,
    _hr_status: HRESULT,
) -> HRESULT {
    S_OK
}
pub unsafe extern "system" fn ModuleLoadStarted(
    _this: *mut c_void,
    _module_id: ModuleID,
) -> HRESULT {
    S_OK
}
pub unsafe extern "system" fn ModuleUnloadFinished(
    _this: *mut c_void,
    _module_id: ModuleID,
    _hr_status: HRESULT,
) -> HRESULT {
    S_OK
}
pub unsafe extern "system" fn ModuleAttachedToAssembly(
    _this: *mut c_void,
    _module_id: ModuleID,
    _assembly_id: AssemblyID,
) -> HRESULT {
    S_OK
}
pub unsafe extern "system" fn ClassLoadStarted(_this: *mut c_void, _class_id: ClassID) -> HRESULT {
    S_OK
}
pub unsafe extern "system" fn ClassLoadFinished(
    _this: *mut c_void,
    _class_id: ClassID,
    _hr_status: HRESULT,
) -> HRESULT {
    S_OK
}
pub unsafe extern "system" fn ClassUnloadStarted(
    _this: *mut c_void,
    _class_id: ClassID,
) -> HRESULT {
    S_OK
}
pub unsafe extern "system" fn ClassUnloadFinished(
    _this: *mut c_void,
    _class_id: ClassID,
    _hr_status: HRESULT,
) -> HRESULT {
    S_OK
}
pub unsafe extern "system" fn FunctionUnloadStarted(
    _this: *mut c_void,
    _function_id: FunctionID,
) -> HRESULT {
    S_OK
}
pub unsafe extern "system" fn JITCompilationFinished(
    _this: *mut c_void,
    _function_id: FunctionID,
    _hr_status: HRESULT,
    _f_is_safe_to_block: BOOL,
) -> HRESULT {
    S_OK
}
pub unsafe extern "system" fn JITCachedFunctionSearchStarted(
    _this: *mut c_void,
    _function_id: FunctionID,
    _pb_use_cached_function: *mut BOOL,
) -> HRESULT {
    S_OK
}
pub unsafe extern "system" fn JITCachedFunctionSearchFinished(
    _this: *mut c_void,
    _function_id: FunctionID,
    _result: u32,
) -> HRESULT {
    S_OK
}
pub unsafe extern "system" fn JITFunctionPitched(
    _this: *mut c_void,
    _function_id: FunctionID,
) -> HRESULT {
    S_OK
}
pub unsafe extern "system" fn JITInlining(
    _this: *mut c_void,
    _caller_id: FunctionID,
    _callee_id: FunctionID,
    _pf_should_inline: *mut BOOL,
) -> HRESULT {
    S_OK
}
pub unsafe extern "system" fn ThreadCreated(_this: *mut c_void, _thread_id: ThreadID) -> HRESULT {
    S_OK
}
pub unsafe extern "system" fn ThreadAssignedToOSThread(
    _this: *mut c_void,
    _managed_thread_id: ThreadID,
    _os_thread_id: DWORD,
) -> HRESULT {
    S_OK
}
pub unsafe extern "system" fn RemotingClientInvocationStarted(_this: *mut c_void) -> HRESULT {
    S_OK
}
pub unsafe extern "system" fn RemotingClientSendingMessage(
    _this: *mut c_void,
    _p_cookie: *mut GUID,
    _f_is_async: BOOL,
) -> HRESULT {
    S_OK
}
pub unsafe extern "system" fn RemotingClientReceivingReply(
    _this: *mut c_void,
    _p_cookie: *mut GUID,
    _f_is_async: BOOL,
) -> HRESULT {
    S_OK
}
pub unsafe extern "system" fn RemotingClientInvocationFinished(_this: *mut c_void) -> HRESULT {
    S_OK
}
pub unsafe extern "system" fn RemotingServerReceivingMessage(
    _this: *mut c_void,
    _p_cookie: *mut GUID,
    _f_is_async: BOOL,
) -> HRESULT {
    S_OK
}
pub unsafe extern "system" fn RemotingServerInvocationStarted(_this: *mut c_void) -> HRESULT {
    S_OK
}
pub unsafe extern "system" fn RemotingServerInvocationReturned(_this: *mut c_void) -> HRESULT {
    S_OK
}
pub unsafe extern "system" fn RemotingServerSendingReply(
    _this: *mut c_void,
    _p_cookie: *mut GUID,
    _f_is_async: BOOL,
) -> HRESULT {
    S_OK
}
pub unsafe extern "system" fn UnmanagedToManagedTransition(
    _this: *mut c_void,
    _function_id: FunctionID,
    _reason: u32,
) -> HRESULT {
    S_OK
}
pub unsafe extern "system" fn ManagedToUnmanagedTransition(
    _this: *mut c_void,
    _function_id: FunctionID,
    _reason: u32,
) -> HRESULT {
    S_OK
}
pub unsafe extern "system" fn RuntimeSuspendStarted(
    _this: *mut c_void,
    _suspend_reason: u32,
) -> HRESULT {
    S_OK
}
pub unsafe extern "system" fn RuntimeSuspendFinished(_this: *mut c_void) -> HRESULT {
    S_OK
}
pub unsafe extern "system" fn RuntimeSuspendAborted(_this: *mut c_void) -> HRESULT {
    S_OK
}
pub unsafe extern "system" fn RuntimeResumeStarted(_this: *mut c_void) -> HRESULT {
    S_OK
}
pub unsafe extern "system" fn RuntimeResumeFinished(_this: *mut c_void) -> HRESULT {
    S_OK
}
pub unsafe extern "system" fn RuntimeThreadSuspended(
    _this: *mut c_void,
    _thread_id: ThreadID,
) -> HRESULT {
    S_OK
}
pub unsafe extern "system" fn RuntimeThreadResumed(
    _this: *mut c_void,
    _thread_id: ThreadID,
) -> HRESULT {
    S_OK
}
pub unsafe extern "system" fn MovedReferences(
    _this: *mut c_void,
    _c_moved_object_id_ranges: ULONG,
    _old_object_id_range_start: ObjectID,
    _new_object_id_range_start: ObjectID,
    _c_object_id_range_length: ULONG,
) -> HRESULT {
    S_OK
}
pub unsafe extern "system" fn ObjectAllocated(
    _this: *mut c_void,
    _object_id: ObjectID,
    _class_id: ClassID,
) -> HRESULT {
    S_OK
}
pub unsafe extern "system" fn ObjectsAllocatedByClass(
    _this: *mut c_void,
    _c_class_count: ULONG,
    _class_ids: ClassID,
    _c_objects: ULONG,
) -> HRESULT {
    S_OK
}
pub unsafe extern "system" fn ObjectReferences(
    _this: *mut c_void,
    _object_id: ObjectID,
    _class_id: ClassID,
    _c_object_refs: ULONG,
    _object_ref_ids: ObjectID,
) -> HRESULT {
    S_OK
}
pub unsafe extern "system" fn RootReferences(
    _this: *mut c_void,
    _c_root_refs: ULONG,
    _root_ref_ids: ObjectID,
) -> HRESULT {
    S_OK
}
pub unsafe extern "system" fn ExceptionThrown(
    _this: *mut c_void,
    _thrown_object_id: ObjectID,
) -> HRESULT {
    S_OK
}
pub unsafe extern "system" fn ExceptionSearchFunctionEnter(
    _this: *mut c_void,
    _function_id: FunctionID,
) -> HRESULT {
    S_OK
}
pub unsafe extern "system" fn ExceptionSearchFunctionLeave(_this: *mut c_void) -> HRESULT {
    S_OK
}
pub unsafe extern "system" fn ExceptionSearchFilterEnter(
    _this: *mut c_void,
    _function_id: FunctionID,
) -> HRESULT {
    S_OK
}
pub unsafe extern "system" fn ExceptionSearchFilterLeave(_this: *mut c_void) -> HRESULT {
    S_OK
}
pub unsafe extern "system" fn ExceptionSearchCatcherFound(
    _this: *mut c_void,
    _function_id: FunctionID,
) -> HRESULT {
    S_OK
}
pub unsafe extern "system" fn ExceptionOSHandlerEnter(
    _this: *mut c_void,
    _unused: UINT_PTR,
) -> HRESULT {
    S_OK
}
pub unsafe extern "system" fn ExceptionOSHandlerLeave(
    _this: *mut c_void,
    _unused: UINT_PTR,
) -> HRESULT {
    S_OK
}
pub unsafe extern "system" fn ExceptionUnwindFunctionEnter(
    _this: *mut c_void,
    _function_id: FunctionID,
) -> HRESULT {
    S_OK
}
pub unsafe extern "system" fn ExceptionUnwindFunctionLeave(_this: *mut c_void) -> HRESULT {
    S_OK
}
pub unsafe extern "system" fn ExceptionUnwindFinallyEnter(
    _this: *mut c_void,
    _function_id: FunctionID,
) -> HRESULT {
    S_OK
}
pub unsafe extern "system" fn ExceptionUnwindFinallyLeave(_this: *mut c_void) -> HRESULT {
    S_OK
}
pub unsafe extern "system" fn ExceptionCatcherEnter(
    _this: *mut c_void,
    _function_id: FunctionID,
    _object_id: ObjectID,
) -> HRESULT {
    S_OK
}
pub unsafe extern "system" fn ExceptionCatcherLeave(_this: *mut c_void) -> HRESULT {
    S_OK
}
pub unsafe extern "system" fn COMClassicVTableCreated(
    _this: *mut c_void,
    _wrapped_class_id: ClassID,
    _implemented_iid: *const GUID,
    _p_v_table: *mut c_void,
    _c_slots: ULONG,
) -> HRESULT {
    S_OK
}
pub unsafe extern "system" fn COMClassicVTableDestroyed(
    _this: *mut c_void,
    _wrapped_class_id: ClassID,
    _implemented_iid: *const GUID,
    _p_v_table: *mut c_void,
) -> HRESULT {
    S_OK
}
pub unsafe extern "system" fn ExceptionCLRCatcherFound(_this: *mut c_void) -> HRESULT {
    S_OK
}
pub unsafe extern "system" fn ExceptionCLRCatcherExecute(_this: *mut c_void) -> HRESULT {
    S_OK
}

// ICorProfilerCallback2
pub unsafe extern "system" fn ThreadNameChanged(
    _this: *mut c_void,
    _thread_id: ThreadID,
    _cch_name: ULONG,
    _name: WCHAR,
) -> HRESULT {
    S_OK
}
pub unsafe extern "system" fn GarbageCollectionStarted(
    _this: *mut c_void,
    _c_generations: i32,
    _generation_collected: BOOL,
    _reason: u32,
) -> HRESULT {
    S_OK
}
pub unsafe extern "system" fn SurvivingReferences(
    _this: *mut c_void,
    _c_surviving_object_id_ranges: ULONG,
    _object_id_range_start: ObjectID,
    _c_object_id_range_length: ULONG,
) -> HRESULT {
    S_OK
}
pub unsafe extern "system" fn GarbageCollectionFinished(_this: *mut c_void) -> HRESULT {
    S_OK
}
pub unsafe extern "system" fn FinalizeableObjectQueued(
    _this: *mut c_void,
    _finalizer_flags: DWORD,
    _object_id: ObjectID,
) -> HRESULT {
    S_OK
}
pub unsafe extern "system" fn RootReferences2(
    _this: *mut c_void,
    _c_root_refs: ULONG,
    _root_ref_ids: ObjectID,
    _root_kinds: u32,
    _root_flags: u32,
    _root_ids: UINT_PTR,
) -> HRESULT {
    S_OK
}
pub unsafe extern "system" fn HandleCreated(
    _this: *mut c_void,
    _handle_id: GCHandleID,
    _initial_object_id: ObjectID,
) -> HRESULT {
    S_OK
}
pub unsafe extern "system" fn HandleDestroyed(
    _this: *mut c_void,
    _handle_id: GCHandleID,
) -> HRESULT {
    S_OK
}

// ICorProfilerCallback3
pub unsafe extern "system" fn ProfilerAttachComplete(_this: *mut c_void) -> HRESULT {
    S_OK
}
pub unsafe extern "system" fn ProfilerDetachSucceeded(_this: *mut c_void) -> HRESULT {
    S_OK
}

// ICorProfilerCallback4
pub unsafe extern "system" fn ReJITCompilationFinished(
    _this: *mut c_void,
    _function_id: FunctionID,
    _rejit_id: ReJITID,
    _hr_status: HRESULT,
    _f_is_safe_to_block: BOOL,
) -> HRESULT {
    S_OK
}
pub unsafe extern "system" fn ReJITError(
    _this: *mut c_void,
    _module_id: ModuleID,
    _method_id: mdMethodDef,
    _function_id: FunctionID,
    _hr_status: HRESULT,
) -> HRESULT {
    S_OK
}
pub unsafe extern "system" fn MovedReferences2(
    _this: *mut c_void,
    _c_moved_object_id_ranges: ULONG,
    _old_object_id_range_start: ObjectID,
    _new_object_id_range_start: ObjectID,
    _c_object_id_range_length: SIZE_T,
) -> HRESULT {
    S_OK
}
pub unsafe extern "system" fn SurvivingReferences2(
    _this: *mut c_void,
    _c_surviving_object_id_ranges: ULONG,
    _object_id_range_start: ObjectID,
    _c_object_id_range_length: SIZE_T,
) -> HRESULT {
    S_OK
}
