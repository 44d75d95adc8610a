//! Safe wrapper over `ICorProfilerInfo4` and the newer versions the
//! profiler may use (reference-profiler §1.5). Optional interfaces are
//! queried once and kept as `Option`s.

use super::com_ptr::{ComPtr, Interface};
use super::hresult::{ClrResult, HResult};
use crate::ffi::info::*;
use crate::ffi::types::*;
use crate::ffi::unknown::IUnknownVtbl;

/// `GetRuntimeInformation` results.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RuntimeInformation {
    pub clr_instance_id: u16,
    /// `COR_PRF_RUNTIME_TYPE`: 1 desktop CLR, 2 CoreCLR.
    pub runtime_type: u32,
    pub major: u16,
    pub minor: u16,
    pub build: u16,
    pub qfe: u16,
}

/// The runtime's profiling services.
#[derive(Clone)]
pub struct ProfilerInfo {
    unknown: ComPtr<IUnknownVtbl>,
    info4: ComPtr<ICorProfilerInfo4Vtbl>,
    info5: Option<ComPtr<ICorProfilerInfo5Vtbl>>,
    /// `EnumNgenModuleMethodsInliningThisMethod` (ReadyToRun inliners).
    info6: Option<ComPtr<ICorProfilerInfo6Vtbl>>,
    /// `RequestReJITWithInliners` (.NET Core 3.0 and later).
    info10: Option<ComPtr<ICorProfilerInfo10Vtbl>>,
}

impl std::fmt::Debug for ProfilerInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProfilerInfo")
            .field("info4", &self.info4)
            .finish()
    }
}

impl ProfilerInfo {
    /// Queries `ICorProfilerInfo4` (required) and `ICorProfilerInfo5`,
    /// `ICorProfilerInfo6` and `ICorProfilerInfo10` (optional) from the
    /// object passed to `Initialize`.
    pub fn new(unknown: ComPtr<IUnknownVtbl>) -> ClrResult<ProfilerInfo> {
        let info4 = unknown.query::<ICorProfilerInfo4Vtbl>()?;
        let info5 = unknown.query::<ICorProfilerInfo5Vtbl>().ok();
        let info6 = unknown.query::<ICorProfilerInfo6Vtbl>().ok();
        let info10 = unknown.query::<ICorProfilerInfo10Vtbl>().ok();
        Ok(ProfilerInfo {
            unknown,
            info4,
            info5,
            info6,
            info10,
        })
    }

    /// Whether the runtime implements interface `V` (the minimum-version checks).
    pub fn supports<V: Interface>(&self) -> bool {
        self.unknown.query::<V>().is_ok()
    }

    pub fn has_info5(&self) -> bool {
        self.info5.is_some()
    }

    /// Whether `RequestReJITWithInliners` is available.
    pub fn has_info10(&self) -> bool {
        self.info10.is_some()
    }

    pub(super) fn info6(&self) -> Option<&ComPtr<ICorProfilerInfo6Vtbl>> {
        self.info6.as_ref()
    }

    pub(super) fn info10(&self) -> Option<&ComPtr<ICorProfilerInfo10Vtbl>> {
        self.info10.as_ref()
    }

    pub fn runtime_information(&self) -> ClrResult<RuntimeInformation> {
        let mut info = RuntimeInformation {
            clr_instance_id: 0,
            runtime_type: 0,
            major: 0,
            minor: 0,
            build: 0,
            qfe: 0,
        };
        // SAFETY: every out-pointer refers to a local; no version string is requested.
        let hr = unsafe {
            (self.info4.vtbl().GetRuntimeInformation)(
                self.info4.as_raw(),
                &mut info.clr_instance_id,
                &mut info.runtime_type,
                &mut info.major,
                &mut info.minor,
                &mut info.build,
                &mut info.qfe,
                0,
                std::ptr::null_mut(),
                std::ptr::null_mut(),
            )
        };
        HResult::ok(hr)?;
        Ok(info)
    }

    pub fn set_event_mask(&self, mask: DWORD) -> ClrResult<()> {
        // SAFETY: plain value arguments on a live interface.
        HResult::ok(unsafe { (self.info4.vtbl().SetEventMask)(self.info4.as_raw(), mask) })
    }

    /// `SetEventMask2`; `None` when `ICorProfilerInfo5` is unavailable.
    pub fn set_event_mask2(&self, low: DWORD, high: DWORD) -> Option<ClrResult<()>> {
        let info5 = self.info5.as_ref()?;
        // SAFETY: plain value arguments on a live interface.
        Some(HResult::ok(unsafe {
            (info5.vtbl().SetEventMask2)(info5.as_raw(), low, high)
        }))
    }

    /// The event mask currently applied (low, high).
    pub fn event_mask2(&self) -> Option<ClrResult<(DWORD, DWORD)>> {
        let info5 = self.info5.as_ref()?;
        let (mut low, mut high) = (0, 0);
        // SAFETY: out-pointers refer to locals.
        let hr = unsafe { (info5.vtbl().GetEventMask2)(info5.as_raw(), &mut low, &mut high) };
        Some(HResult::ok(hr).map(|_| (low, high)))
    }

    /// The CLR `ThreadID` of the calling managed thread.
    pub fn current_thread_id(&self) -> ClrResult<ThreadID> {
        let mut id: ThreadID = 0;
        // SAFETY: out-pointer refers to a local.
        HResult::ok(unsafe {
            (self.info4.vtbl().GetCurrentThreadID)(self.info4.as_raw(), &mut id)
        })?;
        Ok(id)
    }

    /// The underlying `ICorProfilerInfo4`.
    pub fn info4(&self) -> &ComPtr<ICorProfilerInfo4Vtbl> {
        &self.info4
    }
}
