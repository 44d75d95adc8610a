//! `ICorProfilerInfo` … `ICorProfilerInfo11` (corprof.idl): the runtime's
//! services to the profiler. Every slot is declared in IDL order so later
//! slots sit at the right offset; slots the profiler never calls are
//! [`Unused`] pointers.

use super::types::*;
use super::unknown::IUnknownVtbl;
use super::vtable::Unused;
use std::ffi::c_void;

/// `StackSnapshotCallback` (corprof.idl), called once per frame by `DoStackSnapshot`.
pub type StackSnapshotCallback = unsafe extern "system" fn(
    func_id: FunctionID,
    ip: UINT_PTR,
    frame_info: usize,
    context_size: ULONG32,
    context: *mut u8,
    client_data: *mut c_void,
) -> HRESULT;

com_vtable! {
    /// `ICorProfilerInfo`; only the slots the profiler calls carry a signature.
    pub struct ICorProfilerInfoVtbl("ICorProfilerInfo") : IUnknownVtbl("IUnknown") {
        GetClassFromObject: Unused,
        GetClassFromToken: Unused,
        GetCodeInfo: Unused,
        GetEventMask: unsafe extern "system" fn(this: *mut c_void, pdw_events: *mut DWORD,) -> HRESULT,
        GetFunctionFromIP: Unused,
        GetFunctionFromToken: unsafe extern "system" fn(this: *mut c_void, module_id: ModuleID, token: mdToken, p_function_id: *mut FunctionID,) -> HRESULT,
        GetHandleFromThread: Unused,
        GetObjectSize: Unused,
        IsArrayClass: Unused,
        GetThreadInfo: unsafe extern "system" fn(this: *mut c_void, thread_id: ThreadID, pdw_win32_thread_id: *mut DWORD,) -> HRESULT,
        GetCurrentThreadID: unsafe extern "system" fn(this: *mut c_void, p_thread_id: *mut ThreadID,) -> HRESULT,
        GetClassIDInfo: unsafe extern "system" fn(this: *mut c_void, class_id: ClassID, p_module_id: *mut ModuleID, p_type_def_token: *mut mdTypeDef,) -> HRESULT,
        GetFunctionInfo: unsafe extern "system" fn(this: *mut c_void, function_id: FunctionID, p_class_id: *mut ClassID, p_module_id: *mut ModuleID, p_token: *mut mdToken,) -> HRESULT,
        SetEventMask: unsafe extern "system" fn(this: *mut c_void, dw_events: DWORD,) -> HRESULT,
        SetEnterLeaveFunctionHooks: Unused,
        SetFunctionIDMapper: Unused,
        GetTokenAndMetaDataFromFunction: unsafe extern "system" fn(this: *mut c_void, function_id: FunctionID, riid: *const GUID, pp_import: *mut *mut c_void, p_token: *mut mdToken,) -> HRESULT,
        GetModuleInfo: unsafe extern "system" fn(this: *mut c_void, module_id: ModuleID, pp_base_load_address: *mut *const u8, cch_name: ULONG, pcch_name: *mut ULONG, sz_name: *mut WCHAR, p_assembly_id: *mut AssemblyID,) -> HRESULT,
        GetModuleMetaData: unsafe extern "system" fn(this: *mut c_void, module_id: ModuleID, dw_open_flags: DWORD, riid: *const GUID, pp_out: *mut *mut c_void,) -> HRESULT,
        GetILFunctionBody: unsafe extern "system" fn(this: *mut c_void, module_id: ModuleID, method_id: mdMethodDef, pp_method_header: *mut *const u8, pcb_method_size: *mut ULONG,) -> HRESULT,
        GetILFunctionBodyAllocator: unsafe extern "system" fn(this: *mut c_void, module_id: ModuleID, pp_malloc: *mut *mut c_void,) -> HRESULT,
        SetILFunctionBody: unsafe extern "system" fn(this: *mut c_void, module_id: ModuleID, methodid: mdMethodDef, pb_new_il_method_header: *const u8,) -> HRESULT,
        GetAppDomainInfo: unsafe extern "system" fn(this: *mut c_void, app_domain_id: AppDomainID, cch_name: ULONG, pcch_name: *mut ULONG, sz_name: *mut WCHAR, p_process_id: *mut ProcessID,) -> HRESULT,
        GetAssemblyInfo: unsafe extern "system" fn(this: *mut c_void, assembly_id: AssemblyID, cch_name: ULONG, pcch_name: *mut ULONG, sz_name: *mut WCHAR, p_app_domain_id: *mut AppDomainID, p_module_id: *mut ModuleID,) -> HRESULT,
        SetFunctionReJIT: Unused,
        ForceGC: Unused,
        SetILInstrumentedCodeMap: Unused,
        GetInprocInspectionInterface: Unused,
        GetInprocInspectionIThisThread: Unused,
        GetThreadContext: Unused,
        BeginInprocDebugging: Unused,
        EndInprocDebugging: Unused,
        GetILToNativeMapping: Unused,
    }
}

com_vtable! {
    /// `ICorProfilerInfo2`; only the slots the profiler calls carry a signature.
    pub struct ICorProfilerInfo2Vtbl("ICorProfilerInfo2") : ICorProfilerInfoVtbl("ICorProfilerInfo") {
        DoStackSnapshot: unsafe extern "system" fn(this: *mut c_void, thread: ThreadID, callback: Option<StackSnapshotCallback>, info_flags: ULONG32, client_data: *mut c_void, context: *mut BYTE, context_size: ULONG32,) -> HRESULT,
        SetEnterLeaveFunctionHooks2: Unused,
        GetFunctionInfo2: unsafe extern "system" fn(this: *mut c_void, func_id: FunctionID, frame_info: usize, p_class_id: *mut ClassID, p_module_id: *mut ModuleID, p_token: *mut mdToken, c_type_args: ULONG32, pc_type_args: *mut ULONG32, type_args: *mut ClassID,) -> HRESULT,
        GetStringLayout: Unused,
        GetClassLayout: Unused,
        GetClassIDInfo2: unsafe extern "system" fn(this: *mut c_void, class_id: ClassID, p_module_id: *mut ModuleID, p_type_def_token: *mut mdTypeDef, p_parent_class_id: *mut ClassID, c_num_type_args: ULONG32, pc_num_type_args: *mut ULONG32, type_args: *mut ClassID,) -> HRESULT,
        GetCodeInfo2: Unused,
        GetClassFromTokenAndTypeArgs: Unused,
        GetFunctionFromTokenAndTypeArgs: Unused,
        EnumModuleFrozenObjects: Unused,
        GetArrayObjectInfo: Unused,
        GetBoxClassLayout: Unused,
        GetThreadAppDomain: unsafe extern "system" fn(this: *mut c_void, thread_id: ThreadID, p_app_domain_id: *mut AppDomainID,) -> HRESULT,
        GetRVAStaticAddress: Unused,
        GetAppDomainStaticAddress: Unused,
        GetThreadStaticAddress: Unused,
        GetContextStaticAddress: Unused,
        GetStaticFieldInfo: Unused,
        GetGenerationBounds: Unused,
        GetObjectGeneration: Unused,
        GetNotifiedExceptionClauseInfo: Unused,
    }
}

com_vtable! {
    /// `ICorProfilerInfo3`; only the slots the profiler calls carry a signature.
    pub struct ICorProfilerInfo3Vtbl("ICorProfilerInfo3") : ICorProfilerInfo2Vtbl("ICorProfilerInfo2") {
        EnumJITedFunctions: Unused,
        RequestProfilerDetach: Unused,
        SetFunctionIDMapper2: Unused,
        GetStringLayout2: Unused,
        SetEnterLeaveFunctionHooks3: Unused,
        SetEnterLeaveFunctionHooks3WithInfo: Unused,
        GetFunctionEnter3Info: Unused,
        GetFunctionLeave3Info: Unused,
        GetFunctionTailcall3Info: Unused,
        EnumModules: unsafe extern "system" fn(this: *mut c_void, pp_enum: *mut *mut c_void,) -> HRESULT,
        GetRuntimeInformation: unsafe extern "system" fn(this: *mut c_void, p_clr_instance_id: *mut u16, p_runtime_type: *mut u32, p_major_version: *mut u16, p_minor_version: *mut u16, p_build_number: *mut u16, p_qfe_version: *mut u16, cch_version_string: ULONG, pcch_version_string: *mut ULONG, sz_version_string: *mut WCHAR,) -> HRESULT,
        GetThreadStaticAddress2: Unused,
        GetAppDomainsContainingModule: Unused,
        GetModuleInfo2: unsafe extern "system" fn(this: *mut c_void, module_id: ModuleID, pp_base_load_address: *mut *const u8, cch_name: ULONG, pcch_name: *mut ULONG, sz_name: *mut WCHAR, p_assembly_id: *mut AssemblyID, pdw_module_flags: *mut DWORD,) -> HRESULT,
    }
}

com_vtable! {
    /// `ICorProfilerInfo4`; only the slots the profiler calls carry a signature.
    pub struct ICorProfilerInfo4Vtbl("ICorProfilerInfo4") : ICorProfilerInfo3Vtbl("ICorProfilerInfo3") {
        EnumThreads: unsafe extern "system" fn(this: *mut c_void, pp_enum: *mut *mut c_void,) -> HRESULT,
        InitializeCurrentThread: unsafe extern "system" fn(this: *mut c_void,) -> HRESULT,
        RequestReJIT: unsafe extern "system" fn(this: *mut c_void, c_functions: ULONG, module_ids: *mut ModuleID, method_ids: *mut mdMethodDef,) -> HRESULT,
        RequestRevert: unsafe extern "system" fn(this: *mut c_void, c_functions: ULONG, module_ids: *mut ModuleID, method_ids: *mut mdMethodDef, status: *mut HRESULT,) -> HRESULT,
        GetCodeInfo3: Unused,
        GetFunctionFromIP2: Unused,
        GetReJITIDs: Unused,
        GetILToNativeMapping2: Unused,
        EnumJITedFunctions2: Unused,
        GetObjectSize2: Unused,
    }
}

com_vtable! {
    /// `ICorProfilerInfo5`; only the slots the profiler calls carry a signature.
    pub struct ICorProfilerInfo5Vtbl("ICorProfilerInfo5") : ICorProfilerInfo4Vtbl("ICorProfilerInfo4") {
        GetEventMask2: unsafe extern "system" fn(this: *mut c_void, pdw_events_low: *mut DWORD, pdw_events_high: *mut DWORD,) -> HRESULT,
        SetEventMask2: unsafe extern "system" fn(this: *mut c_void, dw_events_low: DWORD, dw_events_high: DWORD,) -> HRESULT,
    }
}

com_vtable! {
    /// `ICorProfilerInfo6`; only the slots the profiler calls carry a signature.
    pub struct ICorProfilerInfo6Vtbl("ICorProfilerInfo6") : ICorProfilerInfo5Vtbl("ICorProfilerInfo5") {
        EnumNgenModuleMethodsInliningThisMethod: unsafe extern "system" fn(this: *mut c_void, inliners_module_id: ModuleID, inlinee_module_id: ModuleID, inlinee_method_id: mdMethodDef, incomplete_data: *mut BOOL, pp_enum: *mut *mut c_void,) -> HRESULT,
    }
}

com_vtable! {
    /// `ICorProfilerInfo7`; only the slots the profiler calls carry a signature.
    pub struct ICorProfilerInfo7Vtbl("ICorProfilerInfo7") : ICorProfilerInfo6Vtbl("ICorProfilerInfo6") {
        ApplyMetaData: Unused,
        GetInMemorySymbolsLength: Unused,
        ReadInMemorySymbols: Unused,
    }
}

com_vtable! {
    /// `ICorProfilerInfo8`; only the slots the profiler calls carry a signature.
    pub struct ICorProfilerInfo8Vtbl("ICorProfilerInfo8") : ICorProfilerInfo7Vtbl("ICorProfilerInfo7") {
        IsFunctionDynamic: Unused,
        GetFunctionFromIP3: Unused,
        GetDynamicFunctionInfo: Unused,
    }
}

com_vtable! {
    /// `ICorProfilerInfo9`; only the slots the profiler calls carry a signature.
    pub struct ICorProfilerInfo9Vtbl("ICorProfilerInfo9") : ICorProfilerInfo8Vtbl("ICorProfilerInfo8") {
        GetNativeCodeStartAddresses: Unused,
        GetILToNativeMapping3: Unused,
        GetCodeInfo4: Unused,
    }
}

com_vtable! {
    /// `ICorProfilerInfo10`; only the slots the profiler calls carry a signature.
    pub struct ICorProfilerInfo10Vtbl("ICorProfilerInfo10") : ICorProfilerInfo9Vtbl("ICorProfilerInfo9") {
        EnumerateObjectReferences: Unused,
        IsFrozenObject: Unused,
        GetLOHObjectSizeThreshold: Unused,
        RequestReJITWithInliners: unsafe extern "system" fn(this: *mut c_void, dw_rejit_flags: DWORD, c_functions: ULONG, module_ids: *mut ModuleID, method_ids: *mut mdMethodDef,) -> HRESULT,
        SuspendRuntime: unsafe extern "system" fn(this: *mut c_void,) -> HRESULT,
        ResumeRuntime: unsafe extern "system" fn(this: *mut c_void,) -> HRESULT,
    }
}

com_vtable! {
    /// `ICorProfilerInfo11`; only the slots the profiler calls carry a signature.
    pub struct ICorProfilerInfo11Vtbl("ICorProfilerInfo11") : ICorProfilerInfo10Vtbl("ICorProfilerInfo10") {
        GetEnvironmentVariable: unsafe extern "system" fn(this: *mut c_void, sz_name: *mut WCHAR, cch_value: ULONG, pcch_value: *mut ULONG, sz_value: *mut WCHAR,) -> HRESULT,
        SetEnvironmentVariable: Unused,
    }
}
