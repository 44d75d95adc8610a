//! Metadata interfaces (cor.h): `IMetaDataImport(2)`, `IMetaDataEmit(2)`,
//! `IMetaDataAssemblyImport`, `IMetaDataAssemblyEmit`. The assembly
//! interfaces derive from `IUnknown`, not from the import/emit ones.

use super::types::*;
use super::unknown::IUnknownVtbl;
use super::vtable::Unused;
use std::ffi::c_void;

/// `ASSEMBLYMETADATA` (cor.h): version, locale and platform lists of an assembly.
/// `sz_locale` may be null for neutral assemblies (prior-art §4.12).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct ASSEMBLYMETADATA {
    pub usMajorVersion: u16,
    pub usMinorVersion: u16,
    pub usBuildNumber: u16,
    pub usRevisionNumber: u16,
    pub szLocale: *mut u16,
    pub cbLocale: ULONG,
    pub rProcessor: *mut DWORD,
    pub ulProcessor: ULONG,
    pub rOS: *mut c_void,
    pub ulOS: ULONG,
}

impl Default for ASSEMBLYMETADATA {
    fn default() -> Self {
        ASSEMBLYMETADATA {
            usMajorVersion: 0,
            usMinorVersion: 0,
            usBuildNumber: 0,
            usRevisionNumber: 0,
            szLocale: std::ptr::null_mut(),
            cbLocale: 0,
            rProcessor: std::ptr::null_mut(),
            ulProcessor: 0,
            rOS: std::ptr::null_mut(),
            ulOS: 0,
        }
    }
}

com_vtable! {
    /// `IMetaDataImport`; only the slots the profiler calls carry a signature.
    pub struct IMetaDataImportVtbl("IMetaDataImport") : IUnknownVtbl("IUnknown") {
        CloseEnum: unsafe extern "system" fn(this: *mut c_void, h_enum: HCORENUM,),
        CountEnum: Unused,
        ResetEnum: Unused,
        EnumTypeDefs: unsafe extern "system" fn(this: *mut c_void, ph_enum: *mut HCORENUM, r_type_defs: *mut mdTypeDef, c_max: ULONG, pc_type_defs: *mut ULONG,) -> HRESULT,
        EnumInterfaceImpls: Unused,
        EnumTypeRefs: unsafe extern "system" fn(this: *mut c_void, ph_enum: *mut HCORENUM, r_type_refs: *mut mdTypeRef, c_max: ULONG, pc_type_refs: *mut ULONG,) -> HRESULT,
        FindTypeDefByName: unsafe extern "system" fn(this: *mut c_void, sz_type_def: *const u16, tk_enclosing_class: mdToken, ptd: *mut mdTypeDef,) -> HRESULT,
        GetScopeProps: unsafe extern "system" fn(this: *mut c_void, sz_name: *mut u16, cch_name: ULONG, pch_name: *mut ULONG, pmvid: *mut GUID,) -> HRESULT,
        GetModuleFromScope: unsafe extern "system" fn(this: *mut c_void, pmd: *mut mdModule,) -> HRESULT,
        GetTypeDefProps: unsafe extern "system" fn(this: *mut c_void, td: mdTypeDef, sz_type_def: *mut u16, cch_type_def: ULONG, pch_type_def: *mut ULONG, pdw_type_def_flags: *mut DWORD, ptk_extends: *mut mdToken,) -> HRESULT,
        GetInterfaceImplProps: Unused,
        GetTypeRefProps: unsafe extern "system" fn(this: *mut c_void, tr: mdTypeRef, ptk_resolution_scope: *mut mdToken, sz_name: *mut u16, cch_name: ULONG, pch_name: *mut ULONG,) -> HRESULT,
        ResolveTypeRef: Unused,
        EnumMembers: Unused,
        EnumMembersWithName: Unused,
        EnumMethods: unsafe extern "system" fn(this: *mut c_void, ph_enum: *mut HCORENUM, cl: mdTypeDef, r_methods: *mut mdMethodDef, c_max: ULONG, pc_tokens: *mut ULONG,) -> HRESULT,
        EnumMethodsWithName: unsafe extern "system" fn(this: *mut c_void, ph_enum: *mut HCORENUM, cl: mdTypeDef, sz_name: *const u16, r_methods: *mut mdMethodDef, c_max: ULONG, pc_tokens: *mut ULONG,) -> HRESULT,
        EnumFields: Unused,
        EnumFieldsWithName: Unused,
        EnumParams: Unused,
        EnumMemberRefs: unsafe extern "system" fn(this: *mut c_void, ph_enum: *mut HCORENUM, tk_parent: mdToken, r_member_refs: *mut mdMemberRef, c_max: ULONG, pc_tokens: *mut ULONG,) -> HRESULT,
        EnumMethodImpls: Unused,
        EnumPermissionSets: Unused,
        FindMember: Unused,
        FindMethod: unsafe extern "system" fn(this: *mut c_void, td: mdTypeDef, sz_name: *const u16, pv_sig_blob: *const u8, cb_sig_blob: ULONG, pmb: *mut mdMethodDef,) -> HRESULT,
        FindField: Unused,
        FindMemberRef: unsafe extern "system" fn(this: *mut c_void, td: mdTypeRef, sz_name: *const u16, pv_sig_blob: *const u8, cb_sig_blob: ULONG, pmr: *mut mdMemberRef,) -> HRESULT,
        GetMethodProps: unsafe extern "system" fn(this: *mut c_void, mb: mdMethodDef, p_class: *mut mdTypeDef, sz_method: *mut u16, cch_method: ULONG, pch_method: *mut ULONG, pdw_attr: *mut DWORD, ppv_sig_blob: *mut *const u8, pcb_sig_blob: *mut ULONG, pul_code_rva: *mut ULONG, pdw_impl_flags: *mut DWORD,) -> HRESULT,
        GetMemberRefProps: unsafe extern "system" fn(this: *mut c_void, mr: mdMemberRef, ptk: *mut mdToken, sz_member: *mut u16, cch_member: ULONG, pch_member: *mut ULONG, ppv_sig_blob: *mut *const u8, pb_sig: *mut ULONG,) -> HRESULT,
        EnumProperties: Unused,
        EnumEvents: Unused,
        GetEventProps: Unused,
        EnumMethodSemantics: Unused,
        GetMethodSemantics: Unused,
        GetClassLayout: Unused,
        GetFieldMarshal: Unused,
        GetRVA: Unused,
        GetPermissionSetProps: Unused,
        GetSigFromToken: unsafe extern "system" fn(this: *mut c_void, md_sig: mdSignature, ppv_sig: *mut *const u8, pcb_sig: *mut ULONG,) -> HRESULT,
        GetModuleRefProps: Unused,
        EnumModuleRefs: Unused,
        GetTypeSpecFromToken: unsafe extern "system" fn(this: *mut c_void, typespec: mdTypeSpec, ppv_sig: *mut *const u8, pcb_sig: *mut ULONG,) -> HRESULT,
        GetNameFromToken: Unused,
        EnumUnresolvedMethods: Unused,
        GetUserString: unsafe extern "system" fn(this: *mut c_void, stk: mdString, sz_string: *mut u16, cch_string: ULONG, pch_string: *mut ULONG,) -> HRESULT,
        GetPinvokeMap: Unused,
        EnumSignatures: Unused,
        EnumTypeSpecs: Unused,
        EnumUserStrings: Unused,
        GetParamForMethodIndex: Unused,
        EnumCustomAttributes: unsafe extern "system" fn(this: *mut c_void, ph_enum: *mut HCORENUM, tk: mdToken, tk_type: mdToken, r_custom_attributes: *mut mdToken, c_max: ULONG, pc_custom_attributes: *mut ULONG,) -> HRESULT,
        GetCustomAttributeProps: unsafe extern "system" fn(this: *mut c_void, cv: mdToken, ptk_obj: *mut mdToken, ptk_type: *mut mdToken, pp_blob: *mut *const c_void, pcb_size: *mut ULONG,) -> HRESULT,
        FindTypeRef: unsafe extern "system" fn(this: *mut c_void, tk_resolution_scope: mdToken, sz_name: *const u16, ptr: *mut mdTypeRef,) -> HRESULT,
        GetMemberProps: unsafe extern "system" fn(this: *mut c_void, mb: mdToken, p_class: *mut mdTypeDef, sz_member: *mut u16, cch_member: ULONG, pch_member: *mut ULONG, pdw_attr: *mut DWORD, ppv_sig_blob: *mut *const u8, pcb_sig_blob: *mut ULONG, pul_code_rva: *mut ULONG, pdw_impl_flags: *mut DWORD, pdw_c_plus_type_flag: *mut DWORD, pp_value: *mut *const c_void, pcch_value: *mut ULONG,) -> HRESULT,
        GetFieldProps: Unused,
        GetPropertyProps: Unused,
        GetParamProps: Unused,
        GetCustomAttributeByName: unsafe extern "system" fn(this: *mut c_void, tk_obj: mdToken, sz_name: *const u16, pp_data: *mut *mut c_void, pcb_data: *mut ULONG,) -> HRESULT,
        IsValidToken: Unused,
        GetNestedClassProps: unsafe extern "system" fn(this: *mut c_void, td_nested_class: mdTypeDef, ptd_enclosing_class: *mut mdTypeDef,) -> HRESULT,
        GetNativeCallConvFromSig: Unused,
        IsGlobal: Unused,
    }
}

com_vtable! {
    /// `IMetaDataImport2`; only the slots the profiler calls carry a signature.
    pub struct IMetaDataImport2Vtbl("IMetaDataImport2") : IMetaDataImportVtbl("IMetaDataImport") {
        EnumGenericParams: unsafe extern "system" fn(this: *mut c_void, ph_enum: *mut HCORENUM, tk: mdToken, r_generic_params: *mut mdGenericParam, c_max: ULONG, pc_generic_params: *mut ULONG,) -> HRESULT,
        GetGenericParamProps: unsafe extern "system" fn(this: *mut c_void, gp: mdGenericParam, pul_param_seq: *mut ULONG, pdw_param_flags: *mut DWORD, pt_owner: *mut mdToken, reserved_: *mut DWORD, wzname: *mut u16, cch_name: ULONG, pch_name: *mut ULONG,) -> HRESULT,
        GetMethodSpecProps: unsafe extern "system" fn(this: *mut c_void, mi: mdMethodSpec, tk_parent: *mut mdToken, ppv_sig_blob: *mut *const u8, pcb_sig_blob: *mut ULONG,) -> HRESULT,
        EnumGenericParamConstraints: Unused,
        GetGenericParamConstraintProps: Unused,
        GetPEKind: Unused,
        GetVersionString: Unused,
        EnumMethodSpecs: Unused,
    }
}

com_vtable! {
    /// `IMetaDataEmit`; only the slots the profiler calls carry a signature.
    pub struct IMetaDataEmitVtbl("IMetaDataEmit") : IUnknownVtbl("IUnknown") {
        SetModuleProps: Unused,
        Save: Unused,
        SaveToStream: Unused,
        GetSaveSize: Unused,
        DefineTypeDef: Unused,
        DefineNestedType: Unused,
        SetHandler: Unused,
        DefineMethod: unsafe extern "system" fn(this: *mut c_void, td: mdTypeDef, sz_name: *const u16, dw_method_flags: DWORD, pv_sig_blob: *const u8, cb_sig_blob: ULONG, ul_code_rva: ULONG, dw_impl_flags: DWORD, pmd: *mut mdMethodDef,) -> HRESULT,
        DefineMethodImpl: Unused,
        DefineTypeRefByName: unsafe extern "system" fn(this: *mut c_void, tk_resolution_scope: mdToken, sz_name: *const u16, ptr: *mut mdTypeRef,) -> HRESULT,
        DefineImportType: Unused,
        DefineMemberRef: unsafe extern "system" fn(this: *mut c_void, tk_import: mdToken, sz_name: *const u16, pv_sig_blob: *const u8, cb_sig_blob: ULONG, pmr: *mut mdMemberRef,) -> HRESULT,
        DefineImportMember: Unused,
        DefineEvent: Unused,
        SetClassLayout: Unused,
        DeleteClassLayout: Unused,
        SetFieldMarshal: Unused,
        DeleteFieldMarshal: Unused,
        DefinePermissionSet: unsafe extern "system" fn(this: *mut c_void, tk: mdToken, dw_action: DWORD, pv_permission: *const c_void, cb_permission: ULONG, ppm: *mut mdPermission,) -> HRESULT,
        SetRVA: Unused,
        GetTokenFromSig: unsafe extern "system" fn(this: *mut c_void, pv_sig: *const u8, cb_sig: ULONG, pmsig: *mut mdSignature,) -> HRESULT,
        DefineModuleRef: Unused,
        SetParent: Unused,
        GetTokenFromTypeSpec: unsafe extern "system" fn(this: *mut c_void, pv_sig: *const u8, cb_sig: ULONG, ptypespec: *mut mdTypeSpec,) -> HRESULT,
        SaveToMemory: Unused,
        DefineUserString: unsafe extern "system" fn(this: *mut c_void, sz_string: *const u16, cch_string: ULONG, pstk: *mut mdString,) -> HRESULT,
        DeleteToken: Unused,
        SetMethodProps: Unused,
        SetTypeDefProps: Unused,
        SetEventProps: Unused,
        SetPermissionSetProps: Unused,
        DefinePinvokeMap: Unused,
        SetPinvokeMap: Unused,
        DeletePinvokeMap: Unused,
        DefineCustomAttribute: unsafe extern "system" fn(this: *mut c_void, tk_owner: mdToken, tk_ctor: mdToken, p_custom_attribute: *const c_void, cb_custom_attribute: ULONG, pcv: *mut mdCustomAttribute,) -> HRESULT,
        SetCustomAttributeValue: Unused,
        DefineField: Unused,
        DefineProperty: Unused,
        DefineParam: Unused,
        SetFieldProps: Unused,
        SetPropertyProps: Unused,
        SetParamProps: Unused,
        DefineSecurityAttributeSet: Unused,
        ApplyEditAndContinue: Unused,
        TranslateSigWithScope: Unused,
        SetMethodImplFlags: Unused,
        SetFieldRVA: Unused,
        Merge: Unused,
        MergeEnd: Unused,
    }
}

com_vtable! {
    /// `IMetaDataEmit2`; only the slots the profiler calls carry a signature.
    pub struct IMetaDataEmit2Vtbl("IMetaDataEmit2") : IMetaDataEmitVtbl("IMetaDataEmit") {
        DefineMethodSpec: unsafe extern "system" fn(this: *mut c_void, tk_parent: mdToken, pv_sig_blob: *const u8, cb_sig_blob: ULONG, pmi: *mut mdMethodSpec,) -> HRESULT,
        GetDeltaSaveSize: Unused,
        SaveDelta: Unused,
        SaveDeltaToStream: Unused,
        SaveDeltaToMemory: Unused,
        DefineGenericParam: Unused,
        SetGenericParamProps: Unused,
        ResetENCLog: Unused,
    }
}

com_vtable! {
    /// `IMetaDataAssemblyImport`; only the slots the profiler calls carry a signature.
    pub struct IMetaDataAssemblyImportVtbl("IMetaDataAssemblyImport") : IUnknownVtbl("IUnknown") {
        GetAssemblyProps: unsafe extern "system" fn(this: *mut c_void, mda: mdAssembly, ppb_public_key: *mut *mut c_void, pcb_public_key: *mut ULONG, pul_hash_alg_id: *mut ULONG, sz_name: *mut u16, cch_name: ULONG, pch_name: *mut ULONG, p_meta_data: *mut ASSEMBLYMETADATA, pdw_assembly_flags: *mut DWORD,) -> HRESULT,
        GetAssemblyRefProps: unsafe extern "system" fn(this: *mut c_void, mdar: mdAssemblyRef, ppb_public_key_or_token: *mut *mut c_void, pcb_public_key_or_token: *mut ULONG, sz_name: *mut u16, cch_name: ULONG, pch_name: *mut ULONG, p_meta_data: *mut ASSEMBLYMETADATA, ppb_hash_value: *mut *mut c_void, pcb_hash_value: *mut ULONG, pdw_assembly_ref_flags: *mut DWORD,) -> HRESULT,
        GetFileProps: Unused,
        GetExportedTypeProps: unsafe extern "system" fn(this: *mut c_void, mdct: mdExportedType, sz_name: *mut u16, cch_name: ULONG, pch_name: *mut ULONG, ptk_implementation: *mut mdToken, ptk_type_def: *mut mdTypeDef, pdw_exported_type_flags: *mut DWORD,) -> HRESULT,
        GetManifestResourceProps: Unused,
        EnumAssemblyRefs: unsafe extern "system" fn(this: *mut c_void, ph_enum: *mut HCORENUM, r_assembly_refs: *mut mdAssemblyRef, c_max: ULONG, pc_tokens: *mut ULONG,) -> HRESULT,
        EnumFiles: Unused,
        EnumExportedTypes: Unused,
        EnumManifestResources: Unused,
        GetAssemblyFromScope: unsafe extern "system" fn(this: *mut c_void, ptk_assembly: *mut mdAssembly,) -> HRESULT,
        FindExportedTypeByName: unsafe extern "system" fn(this: *mut c_void, sz_name: *const u16, mdt_exported_type: mdToken, ptk_exported_type: *mut mdExportedType,) -> HRESULT,
        FindManifestResourceByName: Unused,
        CloseEnum: unsafe extern "system" fn(this: *mut c_void, h_enum: HCORENUM,),
        FindAssembliesByName: Unused,
    }
}

com_vtable! {
    /// `IMetaDataAssemblyEmit`; only the slots the profiler calls carry a signature.
    pub struct IMetaDataAssemblyEmitVtbl("IMetaDataAssemblyEmit") : IUnknownVtbl("IUnknown") {
        DefineAssembly: Unused,
        DefineAssemblyRef: unsafe extern "system" fn(this: *mut c_void, pb_public_key_or_token: *mut c_void, cb_public_key_or_token: ULONG, sz_name: *const u16, p_meta_data: *mut ASSEMBLYMETADATA, pb_hash_value: *mut c_void, cb_hash_value: ULONG, dw_assembly_ref_flags: DWORD, pmdar: *mut mdAssemblyRef,) -> HRESULT,
        DefineFile: Unused,
        DefineExportedType: Unused,
        DefineManifestResource: Unused,
        SetAssemblyProps: Unused,
        SetAssemblyRefProps: Unused,
        SetFileProps: Unused,
        SetExportedTypeProps: Unused,
        SetManifestResourceProps: Unused,
    }
}
