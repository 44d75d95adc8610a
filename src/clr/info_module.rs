//! `ICorProfilerInfo` queries about functions, modules and assemblies, and
//! access to their metadata and IL (reference-profiler §4.8, §5.2).

use super::assembly_metadata::{AssemblyEmit, AssemblyImport};
use super::com_ptr::{ComPtr, Interface};
use super::hresult::{ClrResult, HResult};
use super::info::ProfilerInfo;
use super::metadata_emit::MetadataEmit;
use super::metadata_import::{copy_blob, MetadataImport};
use super::strings::read_wide_string;
use crate::ffi::function_control::IMethodMallocVtbl;
use crate::ffi::metadata::*;
use crate::ffi::types::*;
use crate::ffi::unknown::IUnknownVtbl;
use std::ffi::c_void;

/// `CorOpenFlags`: read-only, or read-write (needed to emit tokens).
const OF_READ: DWORD = 0x0;
const OF_WRITE: DWORD = 0x1;

/// `GetFunctionInfo`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FunctionInfo {
    /// May be 0 for methods of generic types (prior-art §4.11).
    pub class_id: ClassID,
    pub module_id: ModuleID,
    pub token: mdMethodDef,
}

/// `GetModuleInfo`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModuleInfo {
    /// The module's file path (empty for dynamic modules).
    pub name: String,
    pub assembly_id: AssemblyID,
}

/// `GetAssemblyInfo`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssemblyInfo {
    /// Simple name (no version or culture).
    pub name: String,
    pub app_domain_id: AppDomainID,
    pub module_id: ModuleID,
}

/// Everything needed to rewrite a method: read its metadata and emit new tokens.
#[derive(Clone)]
pub struct ModuleMetadata {
    pub import: MetadataImport,
    pub emit: MetadataEmit,
    pub assembly_import: AssemblyImport,
    pub assembly_emit: AssemblyEmit,
}

impl ProfilerInfo {
    pub fn function_info(&self, function_id: FunctionID) -> ClrResult<FunctionInfo> {
        let info = self.info4();
        let mut out = FunctionInfo {
            class_id: 0,
            module_id: 0,
            token: 0,
        };
        // SAFETY: out-pointers refer to locals.
        HResult::ok(unsafe {
            (info.vtbl().GetFunctionInfo)(
                info.as_raw(),
                function_id,
                &mut out.class_id,
                &mut out.module_id,
                &mut out.token,
            )
        })?;
        Ok(out)
    }

    pub fn module_info(&self, module_id: ModuleID) -> ClrResult<ModuleInfo> {
        let info = self.info4();
        let mut assembly_id: AssemblyID = 0;
        let mut base: *const u8 = std::ptr::null();
        let name = read_wide_string(|cap, needed, buf| {
            // SAFETY: `buf` holds `cap` units; out-pointers refer to locals.
            unsafe {
                (info.vtbl().GetModuleInfo)(
                    info.as_raw(),
                    module_id,
                    &mut base,
                    cap,
                    needed,
                    buf.as_mut_ptr(),
                    &mut assembly_id,
                )
            }
        })?;
        Ok(ModuleInfo { name, assembly_id })
    }

    pub fn assembly_info(&self, assembly_id: AssemblyID) -> ClrResult<AssemblyInfo> {
        let info = self.info4();
        let (mut app_domain_id, mut module_id): (AppDomainID, ModuleID) = (0, 0);
        let name = read_wide_string(|cap, needed, buf| {
            // SAFETY: `buf` holds `cap` units; out-pointers refer to locals.
            unsafe {
                (info.vtbl().GetAssemblyInfo)(
                    info.as_raw(),
                    assembly_id,
                    cap,
                    needed,
                    buf.as_mut_ptr(),
                    &mut app_domain_id,
                    &mut module_id,
                )
            }
        })?;
        Ok(AssemblyInfo {
            name,
            app_domain_id,
            module_id,
        })
    }

    /// The simple name of the assembly a module belongs to.
    pub fn module_assembly_name(&self, module_id: ModuleID) -> ClrResult<String> {
        let module = self.module_info(module_id)?;
        Ok(self.assembly_info(module.assembly_id)?.name)
    }

    pub fn app_domain_name(&self, app_domain_id: AppDomainID) -> ClrResult<String> {
        let info = self.info4();
        let mut process: ProcessID = 0;
        read_wide_string(|cap, needed, buf| {
            // SAFETY: `buf` holds `cap` units; out-pointer refers to a local.
            unsafe {
                (info.vtbl().GetAppDomainInfo)(
                    info.as_raw(),
                    app_domain_id,
                    cap,
                    needed,
                    buf.as_mut_ptr(),
                    &mut process,
                )
            }
        })
    }

    fn module_metadata_interface<V: Interface>(
        &self,
        module_id: ModuleID,
        flags: DWORD,
    ) -> ClrResult<ComPtr<V>> {
        let info = self.info4();
        let mut out: *mut c_void = std::ptr::null_mut();
        // SAFETY: the IID names `V`; out-pointer refers to a local.
        HResult::ok(unsafe {
            (info.vtbl().GetModuleMetaData)(info.as_raw(), module_id, flags, &V::IID, &mut out)
        })?;
        // SAFETY: success hands us one reference to an object implementing `V`.
        unsafe { ComPtr::from_owned(out) }.ok_or(HResult::POINTER)
    }

    /// Read-only metadata of a module (fails for resource and some dynamic modules).
    pub fn metadata_import(&self, module_id: ModuleID) -> ClrResult<MetadataImport> {
        self.module_metadata_interface::<IMetaDataImport2Vtbl>(module_id, OF_READ)
            .map(MetadataImport::new)
    }

    /// Read-only assembly-level metadata (the module's assembly identity).
    pub fn assembly_import(&self, module_id: ModuleID) -> ClrResult<AssemblyImport> {
        self.module_metadata_interface::<IMetaDataAssemblyImportVtbl>(module_id, OF_READ)
            .map(AssemblyImport::new)
    }

    /// Read-write metadata of a module, with its assembly-level interfaces.
    pub fn module_metadata(&self, module_id: ModuleID) -> ClrResult<ModuleMetadata> {
        let unknown =
            self.module_metadata_interface::<IUnknownVtbl>(module_id, OF_READ | OF_WRITE)?;
        Ok(ModuleMetadata {
            import: MetadataImport::new(unknown.query()?),
            emit: MetadataEmit::new(unknown.query()?),
            assembly_import: AssemblyImport::new(unknown.query()?),
            assembly_emit: AssemblyEmit::new(unknown.query()?),
        })
    }

    /// A copy of the method's current IL body (header, code and extra sections).
    pub fn il_function_body(&self, module_id: ModuleID, method: mdMethodDef) -> ClrResult<Vec<u8>> {
        let info = self.info4();
        let (mut body, mut size): (*const u8, ULONG) = (std::ptr::null(), 0);
        // SAFETY: out-pointers refer to locals.
        HResult::ok(unsafe {
            (info.vtbl().GetILFunctionBody)(info.as_raw(), module_id, method, &mut body, &mut size)
        })?;
        if body.is_null() {
            return Err(HResult::FAIL);
        }
        // SAFETY: the runtime reports a body valid for `size` bytes while the module is loaded.
        Ok(unsafe { copy_blob(body, size) })
    }

    /// `GetFunctionFromToken`; the error keeps `CORPROF_E_FUNCTION_IS_PARAMETERIZED`
    /// distinguishable for the generic-method path (§6.1).
    pub fn function_from_token(
        &self,
        module_id: ModuleID,
        token: mdToken,
    ) -> ClrResult<FunctionID> {
        let info = self.info4();
        let mut function: FunctionID = 0;
        // SAFETY: out-pointer refers to a local.
        HResult::ok(unsafe {
            (info.vtbl().GetFunctionFromToken)(info.as_raw(), module_id, token, &mut function)
        })?;
        Ok(function)
    }

    /// Replaces a method's IL before its first JIT: the body is copied into
    /// memory from the module's `IMethodMalloc`, as the runtime requires.
    pub fn set_il_function_body(
        &self,
        module_id: ModuleID,
        method: mdMethodDef,
        body: &[u8],
    ) -> ClrResult<()> {
        let info = self.info4();
        let mut malloc: *mut c_void = std::ptr::null_mut();
        // SAFETY: out-pointer refers to a local.
        HResult::ok(unsafe {
            (info.vtbl().GetILFunctionBodyAllocator)(info.as_raw(), module_id, &mut malloc)
        })?;
        // SAFETY: success hands us one reference to an IMethodMalloc.
        let malloc: ComPtr<IMethodMallocVtbl> =
            unsafe { ComPtr::from_owned(malloc) }.ok_or(HResult::POINTER)?;
        let size = u32::try_from(body.len()).map_err(|_| HResult::FAIL)?;
        // SAFETY: Alloc returns `size` writable bytes owned by the runtime (never freed by us).
        let target = unsafe { (malloc.vtbl().Alloc)(malloc.as_raw(), size) };
        if target.is_null() {
            return Err(HResult(crate::ffi::hresult::E_OUTOFMEMORY));
        }
        // SAFETY: `target` has room for `body.len()` bytes and does not overlap `body`.
        unsafe { std::ptr::copy_nonoverlapping(body.as_ptr(), target.cast::<u8>(), body.len()) };
        // SAFETY: the body now lives in runtime-owned memory for the method's lifetime.
        HResult::ok(unsafe {
            (info.vtbl().SetILFunctionBody)(info.as_raw(), module_id, method, target.cast::<u8>())
        })
    }
}
