//! ReJIT requests and runtime-wide enumerations (reference-profiler §6).

use super::com_ptr::ComPtr;
use super::enumerator::drain_items;
use super::hresult::{ClrResult, HResult};
use super::info::ProfilerInfo;
use crate::ffi::enums::{
    ICorProfilerMethodEnumVtbl, ICorProfilerModuleEnumVtbl, ICorProfilerThreadEnumVtbl,
    COR_PRF_METHOD,
};
use crate::ffi::types::*;
use std::ffi::c_void;

/// Modules are fetched 100 at a time, as in the original (§6.2).
const MODULE_BATCH: usize = 100;
/// Threads are fetched 40 at a time (§7.3).
const THREAD_BATCH: usize = 40;
/// Inlining methods are fetched 16 at a time.
const METHOD_BATCH: usize = 16;

/// `COR_PRF_REJIT_BLOCK_INLINING` (corprof.idl `COR_PRF_REJIT_FLAGS`): the
/// runtime also re-JITs every method that inlined a requested one (from the
/// ReadyToRun images' inlining tables and its own record of JIT inlining) and
/// stops inlining it from then on.
pub const COR_PRF_REJIT_BLOCK_INLINING: u32 = 0x1;

impl ProfilerInfo {
    /// `RequestReJIT` for `(module, method)` pairs in one call.
    pub fn request_rejit(&self, methods: &[(ModuleID, mdMethodDef)]) -> ClrResult<()> {
        if methods.is_empty() {
            return Ok(());
        }
        let (mut modules, mut tokens): (Vec<ModuleID>, Vec<mdMethodDef>) =
            methods.iter().copied().unzip();
        let count = u32::try_from(methods.len()).map_err(|_| HResult::FAIL)?;
        let info = self.info4();
        // SAFETY: both arrays hold `count` elements and outlive the call.
        HResult::ok(unsafe {
            (info.vtbl().RequestReJIT)(
                info.as_raw(),
                count,
                modules.as_mut_ptr(),
                tokens.as_mut_ptr(),
            )
        })
    }

    /// `ICorProfilerInfo10::RequestReJITWithInliners`: like
    /// [`Self::request_rejit`], and with [`COR_PRF_REJIT_BLOCK_INLINING`] the
    /// methods that inlined a requested one are re-JIT-ted too, with their
    /// own IL and without a `GetReJITParameters` call. `Err(E_NOINTERFACE)`
    /// without `ICorProfilerInfo10`.
    pub fn request_rejit_with_inliners(
        &self,
        flags: u32,
        methods: &[(ModuleID, mdMethodDef)],
    ) -> ClrResult<()> {
        if methods.is_empty() {
            return Ok(());
        }
        let info = self
            .info10()
            .ok_or(HResult(crate::ffi::hresult::E_NOINTERFACE))?;
        let (mut modules, mut tokens): (Vec<ModuleID>, Vec<mdMethodDef>) =
            methods.iter().copied().unzip();
        let count = u32::try_from(methods.len()).map_err(|_| HResult::FAIL)?;
        // SAFETY: both arrays hold `count` elements and outlive the call.
        HResult::ok(unsafe {
            (info.vtbl().RequestReJITWithInliners)(
                info.as_raw(),
                flags,
                count,
                modules.as_mut_ptr(),
                tokens.as_mut_ptr(),
            )
        })
    }

    /// The methods of the ReadyToRun module `inliners` whose precompiled code
    /// inlined `inlinee` of module `inlinee_module`
    /// (`ICorProfilerInfo6::EnumNgenModuleMethodsInliningThisMethod`), and
    /// whether the runtime said the list may be incomplete.
    pub fn ready_to_run_inliners(
        &self,
        inliners: ModuleID,
        inlinee_module: ModuleID,
        inlinee: mdMethodDef,
    ) -> ClrResult<(Vec<(ModuleID, mdMethodDef)>, bool)> {
        let info = self
            .info6()
            .ok_or(HResult(crate::ffi::hresult::E_NOINTERFACE))?;
        let mut incomplete: BOOL = 0;
        let mut raw: *mut c_void = std::ptr::null_mut();
        // SAFETY: out-pointers refer to locals.
        HResult::ok(unsafe {
            (info.vtbl().EnumNgenModuleMethodsInliningThisMethod)(
                info.as_raw(),
                inliners,
                inlinee_module,
                inlinee,
                &mut incomplete,
                &mut raw,
            )
        })?;
        // SAFETY: success hands us one reference to the enumerator (null when there is none).
        let Some(cursor): Option<ComPtr<ICorProfilerMethodEnumVtbl>> =
            (unsafe { ComPtr::from_owned(raw) })
        else {
            return Ok((Vec::new(), incomplete != 0));
        };
        let methods = drain_items(METHOD_BATCH, |batch: &mut [COR_PRF_METHOD], fetched| {
            // SAFETY: `batch` holds `batch.len()` elements; `fetched` is a local.
            unsafe {
                (cursor.vtbl().Next)(
                    cursor.as_raw(),
                    batch.len() as ULONG,
                    batch.as_mut_ptr(),
                    fetched,
                )
            }
        })?;
        let pairs = methods.iter().map(|m| (m.moduleId, m.methodId)).collect();
        Ok((pairs, incomplete != 0))
    }

    /// `RequestRevert` for `(module, method)` pairs; per-method status not requested.
    pub fn request_revert(&self, methods: &[(ModuleID, mdMethodDef)]) -> ClrResult<()> {
        if methods.is_empty() {
            return Ok(());
        }
        let (mut modules, mut tokens): (Vec<ModuleID>, Vec<mdMethodDef>) =
            methods.iter().copied().unzip();
        let count = u32::try_from(methods.len()).map_err(|_| HResult::FAIL)?;
        let info = self.info4();
        // SAFETY: both arrays hold `count` elements; a null status array is allowed.
        HResult::ok(unsafe {
            (info.vtbl().RequestRevert)(
                info.as_raw(),
                count,
                modules.as_mut_ptr(),
                tokens.as_mut_ptr(),
                std::ptr::null_mut(),
            )
        })
    }

    /// Every loaded module.
    pub fn modules(&self) -> ClrResult<Vec<ModuleID>> {
        let info = self.info4();
        let mut raw: *mut c_void = std::ptr::null_mut();
        // SAFETY: out-pointer refers to a local.
        HResult::ok(unsafe { (info.vtbl().EnumModules)(info.as_raw(), &mut raw) })?;
        // SAFETY: success hands us one reference to the enumerator.
        let cursor: ComPtr<ICorProfilerModuleEnumVtbl> =
            unsafe { ComPtr::from_owned(raw) }.ok_or(HResult::POINTER)?;
        drain_items(MODULE_BATCH, |batch: &mut [usize], fetched| {
            // SAFETY: `batch` holds `batch.len()` ids; `fetched` is a local.
            unsafe {
                (cursor.vtbl().Next)(
                    cursor.as_raw(),
                    batch.len() as ULONG,
                    batch.as_mut_ptr(),
                    fetched,
                )
            }
        })
    }

    /// Every managed thread.
    pub fn threads(&self) -> ClrResult<Vec<ThreadID>> {
        let info = self.info4();
        let mut raw: *mut c_void = std::ptr::null_mut();
        // SAFETY: out-pointer refers to a local.
        HResult::ok(unsafe { (info.vtbl().EnumThreads)(info.as_raw(), &mut raw) })?;
        // SAFETY: success hands us one reference to the enumerator.
        let cursor: ComPtr<ICorProfilerThreadEnumVtbl> =
            unsafe { ComPtr::from_owned(raw) }.ok_or(HResult::POINTER)?;
        drain_items(THREAD_BATCH, |batch: &mut [usize], fetched| {
            // SAFETY: `batch` holds `batch.len()` ids; `fetched` is a local.
            unsafe {
                (cursor.vtbl().Next)(
                    cursor.as_raw(),
                    batch.len() as ULONG,
                    batch.as_mut_ptr(),
                    fetched,
                )
            }
        })
    }

    /// Makes a native thread known to the runtime before it calls ReJIT or
    /// stack-snapshot APIs (prior-art §4.5).
    pub fn initialize_current_thread(&self) -> ClrResult<()> {
        let info = self.info4();
        // SAFETY: no arguments.
        HResult::ok(unsafe { (info.vtbl().InitializeCurrentThread)(info.as_raw()) })
    }
}
