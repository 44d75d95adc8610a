//! One profile: every managed thread's stack, then names for the functions
//! not seen before (reference-profiler §7.3).
//!
//! Unlike the original, names are not read inside the snapshot callback but
//! right after each `DoStackSnapshot` returns — still with the runtime
//! suspended and the `ThreadDestroyed` lock held, so the `FunctionID`s are
//! as valid as they were in the callback — which keeps the callback free of
//! COM calls and allocation. The result is the same: the thread's hresult
//! is `S_FALSE` when its stack wrapped, otherwise the last name-lookup
//! failure in leaf-to-root order, otherwise `S_OK`.

use super::marshal::ThreadRecord;
use super::names::NameCache;
use super::source::StackSource;
use crate::clr::info_snapshot::FrameBuffer;
use crate::ffi::hresult::{succeeded, S_FALSE, S_OK};
use crate::ffi::types::ThreadID;
use parking_lot::Mutex;

/// Walks every thread `source` enumerates. A thread whose walk fails (no
/// managed frames, exited meanwhile, still running on Unix) is omitted, as
/// in the original, with a Debug line.
/// `stop()` is checked before each thread so a shutdown ends a long profile.
pub fn profile_threads(
    source: &dyn StackSource,
    names: &Mutex<NameCache>,
    frames: &mut FrameBuffer,
    stop: &dyn Fn() -> bool,
) -> Vec<ThreadRecord> {
    let threads = match source.threads() {
        Ok(threads) => threads,
        Err(hr) => {
            crate::log_error!("TP: Could not enumerate the managed threads: {hr:#x}");
            return Vec::new();
        }
    };
    let mut records = Vec::with_capacity(threads.len());
    for thread in threads {
        if stop() {
            crate::log_info!("TP: Shutting down thread profiler");
            break;
        }
        if let Err(hr) = source.snapshot(thread, frames) {
            // Omitted as in the original, but not silently: CoreCLR on Unix
            // answers E_NOTIMPL for a thread still running managed code
            // (an emulator makes a spin before a wait long enough to see it).
            crate::log_debug!(
                "TP: DoStackSnapshot failed for thread {thread:#x}: {hr:#x}, thread omitted"
            );
            continue;
        }
        records.push(record_thread(source, names, thread, frames));
    }
    records
}

/// Names the new functions of one walk and packs it as a record.
fn record_thread(
    source: &dyn StackSource,
    names: &Mutex<NameCache>,
    thread_id: ThreadID,
    frames: &FrameBuffer,
) -> ThreadRecord {
    let wrapped = frames.wrapped();
    let mut hresult = if wrapped { S_FALSE } else { S_OK };
    {
        let mut cache = names.lock();
        for &function_id in frames.frames() {
            if function_id == 0 || cache.contains(function_id) {
                continue;
            }
            let resolved = source.resolve(function_id, &|module, type_def| {
                cache.has_type(module, type_def)
            });
            match resolved {
                Ok(method) => cache.insert(function_id, method),
                Err(hr) => {
                    cache.insert_unresolved(function_id);
                    if !wrapped {
                        hresult = hr.0;
                    }
                }
            }
        }
    }
    let kept = frames.frames();
    let frames = if succeeded(hresult) {
        Box::from(kept)
    } else {
        Box::default()
    };
    ThreadRecord {
        thread_id,
        hresult,
        length: i32::try_from(kept.len()).unwrap_or(i32::MAX),
        frames,
    }
}
