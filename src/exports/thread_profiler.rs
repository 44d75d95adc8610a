//! Thread-profiler exports (reference-profiler §7.1), with exactly the C
//! signatures the agent's `LinuxNativeMethods`/`WindowsNativeMethods`
//! declare (`CallingConvention.Cdecl`, hence `extern "C"`; see the module
//! above). Without an initialised profiler (§1.1): `E_UNEXPECTED` for
//! `RequestProfile`/`RequestFunctionNames`, 0 for
//! `GetCurrentExecutionEngineThreadId`, nothing for the others.
//!
//! These functions only check and write the caller's pointers; the work is
//! in [`crate::thread_profiler`].

use super::with_active;
use crate::ffi::hresult::{E_ABORT, E_INVALIDARG, E_UNEXPECTED, S_OK};
use crate::ffi::types::{FunctionID, HRESULT, UINT_PTR};
use std::ffi::c_void;

/// `HRESULT RequestProfile(void** snapshots, int* length)`: takes a profile
/// of every managed thread and hands out an array of 24-byte (64-bit)
/// `MarshaledThreadProfile` records owned by the profiler until
/// `ReleaseProfile` or `ShutdownThreadProfiler`.
///
/// # Safety
/// Non-null arguments must point at writable storage for a pointer and an
/// `int`.
#[no_mangle]
pub unsafe extern "C" fn RequestProfile(snapshots: *mut *mut c_void, length: *mut i32) -> HRESULT {
    with_active("RequestProfile", E_UNEXPECTED, None, |_, active| {
        if snapshots.is_null() || length.is_null() {
            return E_INVALIDARG;
        }
        let (address, count, hr) = match active.thread_profiler.request_profile() {
            Ok((address, count)) => (address.get(), count, S_OK),
            Err(hr) if hr == E_ABORT => (0, 0, hr),
            Err(hr) => {
                crate::validation_event!(
                    "export",
                    name = "RequestProfile",
                    result = hr,
                    threads = 0i32
                );
                return hr;
            }
        };
        crate::validation_event!(
            "export",
            name = "RequestProfile",
            result = hr,
            threads = count
        );
        // SAFETY: both pointers are non-null and, per the contract, writable.
        unsafe {
            *snapshots = address as *mut c_void;
            *length = count;
        }
        hr
    })
}

/// `void ReleaseProfile(void)`: frees the last profile, allowing the next request.
#[no_mangle]
pub extern "C" fn ReleaseProfile() {
    with_active("ReleaseProfile", (), None, |_, active| {
        crate::validation_event!("export", name = "ReleaseProfile");
        active.thread_profiler.release_profile()
    })
}

/// `HRESULT RequestFunctionNames(UINT_PTR* functionIds, int length, void** results)`:
/// an array of `length` `{FunctionID, LPCWSTR type, LPCWSTR method}` entries
/// in `*results`, owned by the profiler until the next call or shutdown.
/// `E_INVALIDARG` for null pointers or a length that is not positive (the
/// original checks only 0; a negative length made it fail allocating).
///
/// # Safety
/// `function_ids` must point at `length` readable ids and `results` at
/// writable storage for a pointer (when non-null).
#[no_mangle]
pub unsafe extern "C" fn RequestFunctionNames(
    function_ids: *const UINT_PTR,
    length: i32,
    results: *mut *mut c_void,
) -> HRESULT {
    with_active("RequestFunctionNames", E_UNEXPECTED, None, |_, active| {
        if results.is_null() || function_ids.is_null() || length <= 0 {
            return E_INVALIDARG;
        }
        let Ok(count) = usize::try_from(length) else {
            return E_INVALIDARG;
        };
        // SAFETY: non-null, and per the contract `count` ids are readable.
        let ids: &[FunctionID] = unsafe { std::slice::from_raw_parts(function_ids, count) };
        let address = active.thread_profiler.function_names(ids);
        crate::validation_event!(
            "export",
            name = "RequestFunctionNames",
            result = S_OK,
            count = count
        );
        // SAFETY: non-null and, per the contract, writable.
        unsafe { *results = address.get() as *mut c_void };
        S_OK
    })
}

/// `void ShutdownThreadProfiler(void)`: stops the worker, aborts a waiting
/// request, frees all results and clears the name cache.
#[no_mangle]
pub extern "C" fn ShutdownThreadProfiler() {
    with_active("ShutdownThreadProfiler", (), None, |_, active| {
        crate::validation_event!("export", name = "ShutdownThreadProfiler");
        active.thread_profiler.shutdown()
    })
}

/// `uintptr_t GetCurrentExecutionEngineThreadId(void)`: the calling managed
/// thread's CLR `ThreadID` (the id profiles report), or 0.
#[no_mangle]
pub extern "C" fn GetCurrentExecutionEngineThreadId() -> UINT_PTR {
    with_active("GetCurrentExecutionEngineThreadId", 0, None, |_, active| {
        active.info.current_thread_id().unwrap_or(0)
    })
}
