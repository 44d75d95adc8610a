//! What the thread profiler needs from the runtime (reference-profiler §7.3):
//! `DoStackSnapshot` into a preallocated frame buffer, `SuspendRuntime` /
//! `ResumeRuntime` (`ICorProfilerInfo10`), and the function → metadata
//! lookups that turn a `FunctionID` into names.

use super::com_ptr::ComPtr;
use super::hresult::{ClrResult, HResult};
use super::info::ProfilerInfo;
use super::metadata_import::MetadataImport;
use crate::ffi::guids::IID_IMetaDataImport2;
use crate::ffi::hresult::S_OK;
use crate::ffi::info::{ICorProfilerInfo10Vtbl, StackSnapshotCallback};
use crate::ffi::metadata::IMetaDataImport2Vtbl;
use crate::ffi::types::*;
use std::ffi::c_void;

/// Frames kept per thread (§7.3). A deeper stack wraps: writing restarts at
/// slot 0 and only the frames after the last wrap — the root-most ones,
/// since the runtime reports leaf first — are kept.
pub const MAX_FRAMES: usize = 1337;

/// `COR_PRF_SNAPSHOT_DEFAULT`.
const SNAPSHOT_DEFAULT: ULONG32 = 0;

/// The frames of one stack walk, written by the snapshot callback.
///
/// The callback runs while the target thread is stopped, possibly holding
/// the allocator's or the loader's lock, so it must not allocate, lock or
/// panic: the storage is allocated once (by the worker, outside any
/// snapshot) and the callback only stores an integer and moves an index.
pub struct FrameBuffer {
    frames: Box<[FunctionID]>,
    next: usize,
    wrapped: bool,
}

impl Default for FrameBuffer {
    fn default() -> Self {
        FrameBuffer::new()
    }
}

impl FrameBuffer {
    pub fn new() -> FrameBuffer {
        FrameBuffer {
            frames: vec![0; MAX_FRAMES].into_boxed_slice(),
            next: 0,
            wrapped: false,
        }
    }

    /// Forgets the previous walk (the storage is reused for every thread).
    pub fn reset(&mut self) {
        self.next = 0;
        self.wrapped = false;
    }

    /// Appends a frame, wrapping at [`MAX_FRAMES`]. Never allocates or panics.
    pub fn push(&mut self, function_id: FunctionID) {
        if self.next >= self.frames.len() {
            self.next = 0;
            self.wrapped = true;
        }
        if let Some(slot) = self.frames.get_mut(self.next) {
            *slot = function_id;
            self.next += 1;
        }
    }

    /// The kept frames, leaf first (after a wrap: those written since it).
    pub fn frames(&self) -> &[FunctionID] {
        self.frames.get(..self.next).unwrap_or(&[])
    }

    /// Whether the stack was deeper than [`MAX_FRAMES`] (reported as `S_FALSE`).
    pub fn wrapped(&self) -> bool {
        self.wrapped
    }
}

/// `StackSnapshotCallback`: records the frame and always continues.
///
/// # Safety
/// `client_data` must be the `FrameBuffer` that [`ProfilerInfo::stack_snapshot`]
/// passed to `DoStackSnapshot`, which calls back synchronously on that thread.
unsafe extern "system" fn record_frame(
    function_id: FunctionID,
    _ip: UINT_PTR,
    _frame_info: usize,
    _context_size: ULONG32,
    _context: *mut u8,
    client_data: *mut c_void,
) -> HRESULT {
    // SAFETY: `client_data` is the exclusive `&mut FrameBuffer` lent for the
    // duration of the DoStackSnapshot call that invokes this callback.
    if let Some(frames) = unsafe { client_data.cast::<FrameBuffer>().as_mut() } {
        frames.push(function_id);
    }
    S_OK
}

/// Compile-time check that the callback has exactly the IDL's type.
const _: StackSnapshotCallback = record_frame;

impl ProfilerInfo {
    /// Walks `thread`'s managed stack (leaf first) into `frames`, which is
    /// reset first. Fails e.g. when the thread has no managed frames or is
    /// not suspended where the platform requires it.
    pub fn stack_snapshot(&self, thread: ThreadID, frames: &mut FrameBuffer) -> ClrResult<()> {
        frames.reset();
        let info = self.info4();
        let client: *mut FrameBuffer = frames;
        // SAFETY: the callback matches the IDL signature; `client` is an
        // exclusive borrow that outlives the synchronous call; a null
        // context with size 0 asks for the walk from the last managed frame.
        HResult::ok(unsafe {
            (info.vtbl().DoStackSnapshot)(
                info.as_raw(),
                thread,
                Some(record_frame),
                SNAPSHOT_DEFAULT,
                client.cast(),
                std::ptr::null_mut(),
                0,
            )
        })
    }

    /// `GetTokenAndMetaDataFromFunction`: the method's token and its module's
    /// metadata (fails for methods without metadata, which stack walks do not report anyway).
    pub fn token_and_metadata(
        &self,
        function_id: FunctionID,
    ) -> ClrResult<(MetadataImport, mdToken)> {
        let info = self.info4();
        let mut import: *mut c_void = std::ptr::null_mut();
        let mut token: mdToken = 0;
        // SAFETY: the IID names IMetaDataImport2; out-pointers refer to locals.
        HResult::ok(unsafe {
            (info.vtbl().GetTokenAndMetaDataFromFunction)(
                info.as_raw(),
                function_id,
                &IID_IMetaDataImport2,
                &mut import,
                &mut token,
            )
        })?;
        // SAFETY: success hands us one reference to an IMetaDataImport2.
        let import: ComPtr<IMetaDataImport2Vtbl> =
            unsafe { ComPtr::from_owned(import) }.ok_or(HResult::POINTER)?;
        Ok((MetadataImport::new(import), token))
    }
}

/// `ICorProfilerInfo10::SuspendRuntime` / `ResumeRuntime`. On Linux the
/// runtime only walks another thread's stack while the runtime is suspended
/// (there is no safe way to stop one thread), so the original suspends
/// around every profile there (§7.3).
#[derive(Clone)]
pub struct RuntimeSuspension {
    info10: ComPtr<ICorProfilerInfo10Vtbl>,
}

impl RuntimeSuspension {
    /// `None` when the runtime lacks `ICorProfilerInfo10` (before .NET Core 3.0).
    pub fn query(info: &ProfilerInfo) -> Option<RuntimeSuspension> {
        info.info4()
            .query::<ICorProfilerInfo10Vtbl>()
            .ok()
            .map(|info10| RuntimeSuspension { info10 })
    }

    /// Stops every managed thread at a safe point. Must be called from a
    /// native thread that called `InitializeCurrentThread`.
    pub fn suspend(&self) -> ClrResult<()> {
        // SAFETY: no arguments.
        HResult::ok(unsafe { (self.info10.vtbl().SuspendRuntime)(self.info10.as_raw()) })
    }

    /// Undoes a successful [`RuntimeSuspension::suspend`].
    pub fn resume(&self) -> ClrResult<()> {
        // SAFETY: no arguments.
        HResult::ok(unsafe { (self.info10.vtbl().ResumeRuntime)(self.info10.as_raw()) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_wrap_at_the_cap_and_keep_the_root_most() {
        let mut buffer = FrameBuffer::new();
        for id in 1..=MAX_FRAMES {
            buffer.push(id);
        }
        assert!(!buffer.wrapped());
        assert_eq!(buffer.frames().len(), MAX_FRAMES);
        for id in MAX_FRAMES + 1..=2000 {
            buffer.push(id);
        }
        assert!(buffer.wrapped());
        let kept: Vec<usize> = (MAX_FRAMES + 1..=2000).collect();
        assert_eq!(buffer.frames(), &kept[..]);
        buffer.reset();
        assert!(!buffer.wrapped());
        assert!(buffer.frames().is_empty());
    }

    #[test]
    fn the_callback_records_through_client_data() {
        let mut buffer = FrameBuffer::new();
        let client: *mut FrameBuffer = &mut buffer;
        for id in [7usize, 0, 9] {
            // SAFETY: `client` is an exclusive pointer to a live buffer.
            let hr = unsafe { record_frame(id, 0, 0, 0, std::ptr::null_mut(), client.cast()) };
            assert_eq!(hr, S_OK);
        }
        // SAFETY: a null client is tolerated.
        let hr = unsafe { record_frame(1, 0, 0, 0, std::ptr::null_mut(), std::ptr::null_mut()) };
        assert_eq!(hr, S_OK);
        assert_eq!(buffer.frames(), &[7, 0, 9]);
    }
}
