//! `ICorProfilerCallback` … `ICorProfilerCallback4`: the interfaces the
//! profiler implements and the runtime calls (corprof.idl). Every slot is
//! typed with its exact parameter list — on 32-bit Windows the callee pops
//! its arguments (stdcall), so even the no-op slots must match the IDL.

use super::types::*;
use super::unknown::IUnknownVtbl;
use std::ffi::c_void;

com_vtable! {
    /// `ICorProfilerCallback` (corprof.idl).
    pub struct ICorProfilerCallbackVtbl("ICorProfilerCallback") : IUnknownVtbl("IUnknown") {
        Initialize: unsafe extern "system" fn(this: *mut c_void, p_i_cor_profiler_info_unk: *mut c_void,) -> HRESULT,
        Shutdown: unsafe extern "system" fn(this: *mut c_void,) -> HRESULT,
        AppDomainCreationStarted: unsafe extern "system" fn(this: *mut c_void, app_domain_id: AppDomainID,) -> HRESULT,
        AppDomainCreationFinished: unsafe extern "system" fn(this: *mut c_void, app_domain_id: AppDomainID, hr_status: HRESULT,) -> HRESULT,
        AppDomainShutdownStarted: unsafe extern "system" fn(this: *mut c_void, app_domain_id: AppDomainID,) -> HRESULT,
        AppDomainShutdownFinished: unsafe extern "system" fn(this: *mut c_void, app_domain_id: AppDomainID, hr_status: HRESULT,) -> HRESULT,
        AssemblyLoadStarted: unsafe extern "system" fn(this: *mut c_void, assembly_id: AssemblyID,) -> HRESULT,
        AssemblyLoadFinished: unsafe extern "system" fn(this: *mut c_void, assembly_id: AssemblyID, hr_status: HRESULT,) -> HRESULT,
        AssemblyUnloadStarted: unsafe extern "system" fn(this: *mut c_void, assembly_id: AssemblyID,) -> HRESULT,
        AssemblyUnloadFinished: unsafe extern "system" fn(this: *mut c_void, assembly_id: AssemblyID, hr_status: HRESULT,) -> HRESULT,
        ModuleLoadStarted: unsafe extern "system" fn(this: *mut c_void, module_id: ModuleID,) -> HRESULT,
        ModuleLoadFinished: unsafe extern "system" fn(this: *mut c_void, module_id: ModuleID, hr_status: HRESULT,) -> HRESULT,
        ModuleUnloadStarted: unsafe extern "system" fn(this: *mut c_void, module_id: ModuleID,) -> HRESULT,
        ModuleUnloadFinished: unsafe extern "system" fn(this: *mut c_void, module_id: ModuleID, hr_status: HRESULT,) -> HRESULT,
        ModuleAttachedToAssembly: unsafe extern "system" fn(this: *mut c_void, module_id: ModuleID, assembly_id: AssemblyID,) -> HRESULT,
        ClassLoadStarted: unsafe extern "system" fn(this: *mut c_void, class_id: ClassID,) -> HRESULT,
        ClassLoadFinished: unsafe extern "system" fn(this: *mut c_void, class_id: ClassID, hr_status: HRESULT,) -> HRESULT,
        ClassUnloadStarted: unsafe extern "system" fn(this: *mut c_void, class_id: ClassID,) -> HRESULT,
        ClassUnloadFinished: unsafe extern "system" fn(this: *mut c_void, class_id: ClassID, hr_status: HRESULT,) -> HRESULT,
        FunctionUnloadStarted: unsafe extern "system" fn(this: *mut c_void, function_id: FunctionID,) -> HRESULT,
        JITCompilationStarted: unsafe extern "system" fn(this: *mut c_void, function_id: FunctionID, f_is_safe_to_block: BOOL,) -> HRESULT,
        JITCompilationFinished: unsafe extern "system" fn(this: *mut c_void, function_id: FunctionID, hr_status: HRESULT, f_is_safe_to_block: BOOL,) -> HRESULT,
        JITCachedFunctionSearchStarted: unsafe extern "system" fn(this: *mut c_void, function_id: FunctionID, pb_use_cached_function: *mut BOOL,) -> HRESULT,
        JITCachedFunctionSearchFinished: unsafe extern "system" fn(this: *mut c_void, function_id: FunctionID, result: u32,) -> HRESULT,
        JITFunctionPitched: unsafe extern "system" fn(this: *mut c_void, function_id: FunctionID,) -> HRESULT,
        JITInlining: unsafe extern "system" fn(this: *mut c_void, caller_id: FunctionID, callee_id: FunctionID, pf_should_inline: *mut BOOL,) -> HRESULT,
        ThreadCreated: unsafe extern "system" fn(this: *mut c_void, thread_id: ThreadID,) -> HRESULT,
        ThreadDestroyed: unsafe extern "system" fn(this: *mut c_void, thread_id: ThreadID,) -> HRESULT,
        ThreadAssignedToOSThread: unsafe extern "system" fn(this: *mut c_void, managed_thread_id: ThreadID, os_thread_id: DWORD,) -> HRESULT,
        RemotingClientInvocationStarted: unsafe extern "system" fn(this: *mut c_void,) -> HRESULT,
        RemotingClientSendingMessage: unsafe extern "system" fn(this: *mut c_void, p_cookie: *mut GUID, f_is_async: BOOL,) -> HRESULT,
        RemotingClientReceivingReply: unsafe extern "system" fn(this: *mut c_void, p_cookie: *mut GUID, f_is_async: BOOL,) -> HRESULT,
        RemotingClientInvocationFinished: unsafe extern "system" fn(this: *mut c_void,) -> HRESULT,
        RemotingServerReceivingMessage: unsafe extern "system" fn(this: *mut c_void, p_cookie: *mut GUID, f_is_async: BOOL,) -> HRESULT,
        RemotingServerInvocationStarted: unsafe extern "system" fn(this: *mut c_void,) -> HRESULT,
        RemotingServerInvocationReturned: unsafe extern "system" fn(this: *mut c_void,) -> HRESULT,
        RemotingServerSendingReply: unsafe extern "system" fn(this: *mut c_void, p_cookie: *mut GUID, f_is_async: BOOL,) -> HRESULT,
        UnmanagedToManagedTransition: unsafe extern "system" fn(this: *mut c_void, function_id: FunctionID, reason: u32,) -> HRESULT,
        ManagedToUnmanagedTransition: unsafe extern "system" fn(this: *mut c_void, function_id: FunctionID, reason: u32,) -> HRESULT,
        RuntimeSuspendStarted: unsafe extern "system" fn(this: *mut c_void, suspend_reason: u32,) -> HRESULT,
        RuntimeSuspendFinished: unsafe extern "system" fn(this: *mut c_void,) -> HRESULT,
        RuntimeSuspendAborted: unsafe extern "system" fn(this: *mut c_void,) -> HRESULT,
        RuntimeResumeStarted: unsafe extern "system" fn(this: *mut c_void,) -> HRESULT,
        RuntimeResumeFinished: unsafe extern "system" fn(this: *mut c_void,) -> HRESULT,
        RuntimeThreadSuspended: unsafe extern "system" fn(this: *mut c_void, thread_id: ThreadID,) -> HRESULT,
        RuntimeThreadResumed: unsafe extern "system" fn(this: *mut c_void, thread_id: ThreadID,) -> HRESULT,
        MovedReferences: unsafe extern "system" fn(this: *mut c_void, c_moved_object_id_ranges: ULONG, old_object_id_range_start: ObjectID, new_object_id_range_start: ObjectID, c_object_id_range_length: ULONG,) -> HRESULT,
        ObjectAllocated: unsafe extern "system" fn(this: *mut c_void, object_id: ObjectID, class_id: ClassID,) -> HRESULT,
        ObjectsAllocatedByClass: unsafe extern "system" fn(this: *mut c_void, c_class_count: ULONG, class_ids: ClassID, c_objects: ULONG,) -> HRESULT,
        ObjectReferences: unsafe extern "system" fn(this: *mut c_void, object_id: ObjectID, class_id: ClassID, c_object_refs: ULONG, object_ref_ids: ObjectID,) -> HRESULT,
        RootReferences: unsafe extern "system" fn(this: *mut c_void, c_root_refs: ULONG, root_ref_ids: ObjectID,) -> HRESULT,
        ExceptionThrown: unsafe extern "system" fn(this: *mut c_void, thrown_object_id: ObjectID,) -> HRESULT,
        ExceptionSearchFunctionEnter: unsafe extern "system" fn(this: *mut c_void, function_id: FunctionID,) -> HRESULT,
        ExceptionSearchFunctionLeave: unsafe extern "system" fn(this: *mut c_void,) -> HRESULT,
        ExceptionSearchFilterEnter: unsafe extern "system" fn(this: *mut c_void, function_id: FunctionID,) -> HRESULT,
        ExceptionSearchFilterLeave: unsafe extern "system" fn(this: *mut c_void,) -> HRESULT,
        ExceptionSearchCatcherFound: unsafe extern "system" fn(this: *mut c_void, function_id: FunctionID,) -> HRESULT,
        ExceptionOSHandlerEnter: unsafe extern "system" fn(this: *mut c_void, unused: UINT_PTR,) -> HRESULT,
        ExceptionOSHandlerLeave: unsafe extern "system" fn(this: *mut c_void, unused: UINT_PTR,) -> HRESULT,
        ExceptionUnwindFunctionEnter: unsafe extern "system" fn(this: *mut c_void, function_id: FunctionID,) -> HRESULT,
        ExceptionUnwindFunctionLeave: unsafe extern "system" fn(this: *mut c_void,) -> HRESULT,
        ExceptionUnwindFinallyEnter: unsafe extern "system" fn(this: *mut c_void, function_id: FunctionID,) -> HRESULT,
        ExceptionUnwindFinallyLeave: unsafe extern "system" fn(this: *mut c_void,) -> HRESULT,
        ExceptionCatcherEnter: unsafe extern "system" fn(this: *mut c_void, function_id: FunctionID, object_id: ObjectID,) -> HRESULT,
        ExceptionCatcherLeave: unsafe extern "system" fn(this: *mut c_void,) -> HRESULT,
        COMClassicVTableCreated: unsafe extern "system" fn(this: *mut c_void, wrapped_class_id: ClassID, implemented_iid: *const GUID, p_v_table: *mut c_void, c_slots: ULONG,) -> HRESULT,
        COMClassicVTableDestroyed: unsafe extern "system" fn(this: *mut c_void, wrapped_class_id: ClassID, implemented_iid: *const GUID, p_v_table: *mut c_void,) -> HRESULT,
        ExceptionCLRCatcherFound: unsafe extern "system" fn(this: *mut c_void,) -> HRESULT,
        ExceptionCLRCatcherExecute: unsafe extern "system" fn(this: *mut c_void,) -> HRESULT,
    }
}

com_vtable! {
    /// `ICorProfilerCallback2` (corprof.idl).
    pub struct ICorProfilerCallback2Vtbl("ICorProfilerCallback2") : ICorProfilerCallbackVtbl("ICorProfilerCallback") {
        ThreadNameChanged: unsafe extern "system" fn(this: *mut c_void, thread_id: ThreadID, cch_name: ULONG, name: WCHAR,) -> HRESULT,
        GarbageCollectionStarted: unsafe extern "system" fn(this: *mut c_void, c_generations: i32, generation_collected: BOOL, reason: u32,) -> HRESULT,
        SurvivingReferences: unsafe extern "system" fn(this: *mut c_void, c_surviving_object_id_ranges: ULONG, object_id_range_start: ObjectID, c_object_id_range_length: ULONG,) -> HRESULT,
        GarbageCollectionFinished: unsafe extern "system" fn(this: *mut c_void,) -> HRESULT,
        FinalizeableObjectQueued: unsafe extern "system" fn(this: *mut c_void, finalizer_flags: DWORD, object_id: ObjectID,) -> HRESULT,
        RootReferences2: unsafe extern "system" fn(this: *mut c_void, c_root_refs: ULONG, root_ref_ids: ObjectID, root_kinds: u32, root_flags: u32, root_ids: UINT_PTR,) -> HRESULT,
        HandleCreated: unsafe extern "system" fn(this: *mut c_void, handle_id: GCHandleID, initial_object_id: ObjectID,) -> HRESULT,
        HandleDestroyed: unsafe extern "system" fn(this: *mut c_void, handle_id: GCHandleID,) -> HRESULT,
    }
}

com_vtable! {
    /// `ICorProfilerCallback3` (corprof.idl).
    pub struct ICorProfilerCallback3Vtbl("ICorProfilerCallback3") : ICorProfilerCallback2Vtbl("ICorProfilerCallback2") {
        InitializeForAttach: unsafe extern "system" fn(this: *mut c_void, p_cor_profiler_info_unk: *mut c_void, pv_client_data: *mut c_void, cb_client_data: u32,) -> HRESULT,
        ProfilerAttachComplete: unsafe extern "system" fn(this: *mut c_void,) -> HRESULT,
        ProfilerDetachSucceeded: unsafe extern "system" fn(this: *mut c_void,) -> HRESULT,
    }
}

com_vtable! {
    /// `ICorProfilerCallback4` (corprof.idl).
    pub struct ICorProfilerCallback4Vtbl("ICorProfilerCallback4") : ICorProfilerCallback3Vtbl("ICorProfilerCallback3") {
        ReJITCompilationStarted: unsafe extern "system" fn(this: *mut c_void, function_id: FunctionID, rejit_id: ReJITID, f_is_safe_to_block: BOOL,) -> HRESULT,
        GetReJITParameters: unsafe extern "system" fn(this: *mut c_void, module_id: ModuleID, method_id: mdMethodDef, p_function_control: *mut c_void,) -> HRESULT,
        ReJITCompilationFinished: unsafe extern "system" fn(this: *mut c_void, function_id: FunctionID, rejit_id: ReJITID, hr_status: HRESULT, f_is_safe_to_block: BOOL,) -> HRESULT,
        ReJITError: unsafe extern "system" fn(this: *mut c_void, module_id: ModuleID, method_id: mdMethodDef, function_id: FunctionID, hr_status: HRESULT,) -> HRESULT,
        MovedReferences2: unsafe extern "system" fn(this: *mut c_void, c_moved_object_id_ranges: ULONG, old_object_id_range_start: ObjectID, new_object_id_range_start: ObjectID, c_object_id_range_length: SIZE_T,) -> HRESULT,
        SurvivingReferences2: unsafe extern "system" fn(this: *mut c_void, c_surviving_object_id_ranges: ULONG, object_id_range_start: ObjectID, c_object_id_range_length: SIZE_T,) -> HRESULT,
    }
}
