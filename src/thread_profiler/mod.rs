//! The thread profiler behind `RequestProfile`, `ReleaseProfile`,
//! `RequestFunctionNames` and `ShutdownThreadProfiler` (reference-profiler §7).
//!
//! A dedicated native worker thread, started by the first request, takes
//! the profiles: the runtime only allows `SuspendRuntime` and cross-thread
//! `DoStackSnapshot` from a thread that called `InitializeCurrentThread`
//! and is not itself managed (prior-art §4.5). A request hands the worker a
//! job and waits for the result; `ShutdownThreadProfiler` stops the worker,
//! aborts a waiting request with `E_ABORT`, frees every result and clears
//! the name cache; a later request starts a new worker.
//!
//! Shutdown is tracked with an epoch counter instead of the original's
//! boolean flag that is reset at the end of `Shutdown`: a request that
//! wakes only after the flag was reset would otherwise wait forever.

mod marshal;
mod names;
mod sampler;
mod source;
#[cfg(test)]
mod tests;

pub use marshal::{
    Address, MarshaledName, MarshaledThreadProfile, NameTable, Profile, ThreadRecord,
};
pub use names::{NameCache, UNKNOWN_CLASS, UNKNOWN_METHOD};
pub use source::{ClrSource, ResolvedMethod, StackSource};

use crate::clr::info_snapshot::FrameBuffer;
use crate::clr::ProfilerInfo;
use crate::com::guard::guard;
use crate::ffi::hresult::{E_ABORT, E_FAIL, E_UNEXPECTED};
use crate::ffi::types::{FunctionID, HRESULT};
use parking_lot::{Condvar, Mutex};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Instant;

/// The thread profiler of one attached profiler.
pub struct ThreadProfiler {
    shared: Arc<Shared>,
}

struct Shared {
    source: Box<dyn StackSource>,
    /// Suspend the runtime around each profile (Linux, §7.3; on Windows the
    /// runtime suspends each target thread itself).
    suspend: bool,
    /// Serialises worker start-up with shutdown, so a request cannot start a
    /// new worker while a shutdown is still joining the old one.
    lifecycle: Mutex<()>,
    control: Mutex<Control>,
    /// Wakes the worker: a request or a shutdown.
    work: Condvar,
    /// Wakes waiting requests: a result or a shutdown.
    done: Condvar,
    /// `control.epoch`, readable by the worker between threads without the lock.
    epoch: AtomicU64,
    /// Held for a whole profile; `ThreadDestroyed` takes it so no thread is
    /// destroyed while the stacks are walked (§7.3).
    snapshots: Mutex<()>,
    names: Mutex<NameCache>,
    /// The last `RequestFunctionNames` result.
    name_table: Mutex<Option<NameTable>>,
}

#[derive(Default)]
struct Control {
    /// Incremented by every shutdown.
    epoch: u64,
    worker: Option<JoinHandle<()>>,
    /// A profile was asked for and the worker has not started it yet.
    requested: bool,
    /// A request is waiting for the result.
    waiting: bool,
    /// The worker's finished profile, not yet collected by the request.
    result: Option<Vec<ThreadRecord>>,
    /// The profile handed to the agent, until `ReleaseProfile`.
    held: Option<Profile>,
}

impl ThreadProfiler {
    /// A thread profiler over the real runtime. Nothing is started until
    /// the agent asks for a profile.
    pub fn new(info: ProfilerInfo) -> ThreadProfiler {
        ThreadProfiler::with_source(Box::new(ClrSource::new(info)), cfg!(unix))
    }

    /// A thread profiler over any source (tests).
    pub fn with_source(source: Box<dyn StackSource>, suspend: bool) -> ThreadProfiler {
        ThreadProfiler {
            shared: Arc::new(Shared {
                source,
                suspend,
                lifecycle: Mutex::new(()),
                control: Mutex::new(Control::default()),
                work: Condvar::new(),
                done: Condvar::new(),
                epoch: AtomicU64::new(0),
                snapshots: Mutex::new(()),
                names: Mutex::new(NameCache::default()),
                name_table: Mutex::new(None),
            }),
        }
    }

    /// `RequestProfile` (§7.1): the profile's address and record count, valid
    /// until [`ThreadProfiler::release_profile`] or shutdown. `E_FAIL` while
    /// a previous profile is unreleased (or another request is waiting),
    /// `E_UNEXPECTED` when the runtime cannot be suspended where it must,
    /// `E_ABORT` when a shutdown comes while waiting.
    pub fn request_profile(&self) -> Result<(Address, i32), HRESULT> {
        let shared = &self.shared;
        let lifecycle = shared.lifecycle.lock();
        let mut control = shared.control.lock();
        if control.held.is_some() || control.waiting {
            return Err(E_FAIL);
        }
        if shared.suspend && !shared.source.can_suspend() {
            crate::log_debug!(
                "TP: RequestProfile called without proper initialization. (corProfilerInfo10)"
            );
            return Err(E_UNEXPECTED);
        }
        if control.worker.as_ref().is_some_and(JoinHandle::is_finished) {
            // Cannot happen short of a bug; start a new worker rather than wait forever.
            control.worker = None;
        }
        if control.worker.is_none() {
            crate::log_trace!("TP: starting profile thread");
            let worker = Arc::clone(shared);
            let epoch = control.epoch;
            let spawned = std::thread::Builder::new()
                .name("NewRelic thread profiler".to_string())
                .spawn(move || worker.run(epoch));
            match spawned {
                Ok(handle) => control.worker = Some(handle),
                Err(e) => {
                    crate::log_error!("TP: Unable to start the profile thread: {e}");
                    return Err(E_UNEXPECTED);
                }
            }
        }
        let epoch = control.epoch;
        control.waiting = true;
        control.requested = true;
        control.result = None;
        shared.work.notify_all();
        drop(lifecycle);
        loop {
            if control.epoch != epoch {
                crate::log_info!("TP: Shutting down thread profiler");
                crate::log_trace!("The thread profile was aborted.");
                return Err(E_ABORT);
            }
            if let Some(records) = control.result.take() {
                control.waiting = false;
                let profile = Profile::new(records);
                let view = (profile.address(), profile.count());
                if view.1 == 0 {
                    crate::log_debug!(
                        "RequestProfile failed    : The thread profile was empty (zero-sized/null data)."
                    );
                } else {
                    // An empty profile is not held: like the original, it
                    // does not block the next request.
                    control.held = Some(profile);
                }
                return Ok(view);
            }
            shared.done.wait(&mut control);
        }
    }

    /// `ReleaseProfile`: frees the last profile.
    pub fn release_profile(&self) {
        let released = self.shared.control.lock().held.take();
        drop(released);
    }

    /// `RequestFunctionNames`: one entry per id (unknown ids get the unknown
    /// names), valid until the next call or shutdown. Runs on the caller's
    /// thread.
    pub fn function_names(&self, ids: &[FunctionID]) -> Address {
        let table = NameTable::build(ids, &self.shared.names.lock());
        let address = table.address();
        let previous = self.shared.name_table.lock().replace(table);
        drop(previous);
        address
    }

    /// `ShutdownThreadProfiler` and the runtime's `Shutdown`: stops the
    /// worker (a profile in progress ends after the current thread), aborts
    /// a waiting request, frees all results and clears the name cache.
    pub fn shutdown(&self) {
        let shared = &self.shared;
        let _lifecycle = shared.lifecycle.lock();
        let (worker, held) = {
            let mut control = shared.control.lock();
            control.epoch += 1;
            shared.epoch.store(control.epoch, Ordering::Release);
            control.requested = false;
            control.waiting = false;
            control.result = None;
            shared.work.notify_all();
            shared.done.notify_all();
            (control.worker.take(), control.held.take())
        };
        match worker {
            Some(handle) if handle.thread().id() != std::thread::current().id() => {
                if handle.join().is_err() {
                    crate::log_error!("TP: Exception thrown while profiling.");
                }
                crate::log_trace!("TP: profile thread shut down");
            }
            Some(_) => {}
            None => {
                crate::log_trace!("TP: Shutdown called while thread is not running")
            }
        }
        drop(held);
        let names = shared.name_table.lock().take();
        drop(names);
        shared.names.lock().clear();
    }

    /// `ThreadDestroyed`: waits while a profile is being taken, so the
    /// runtime does not free a thread that is being walked.
    pub fn thread_destroyed(&self) {
        drop(self.shared.snapshots.lock());
    }

    /// `(functions, types)` in the name cache.
    pub fn name_cache_size(&self) -> (usize, usize) {
        self.shared.names.lock().size()
    }
}

impl Drop for ThreadProfiler {
    fn drop(&mut self) {
        let running = self.shared.control.lock().worker.is_some();
        if running {
            self.shutdown();
        }
    }
}

/// Resumes the runtime when a profile ends, also by unwinding.
struct Suspension<'a>(&'a dyn StackSource);

impl<'a> Suspension<'a> {
    fn begin(source: &'a dyn StackSource) -> Option<Suspension<'a>> {
        match source.suspend_runtime() {
            Ok(()) => Some(Suspension(source)),
            Err(hr) => {
                crate::log_error!("TP: SuspendRuntime failed: {hr:#x}");
                None
            }
        }
    }
}

impl Drop for Suspension<'_> {
    fn drop(&mut self) {
        if let Err(hr) = self.0.resume_runtime() {
            crate::log_error!("TP: ResumeRuntime failed: {hr:#x}");
        }
    }
}

impl Shared {
    /// The worker: waits for requests until the epoch it was started in ends.
    fn run(self: Arc<Self>, epoch: u64) {
        crate::log_trace!("TP: profile thread started");
        if let Err(hr) = self.source.attach_current_thread() {
            crate::log_error!("TP: InitializeCurrentThread failed: {hr:#x}");
        }
        // Allocated here, once, never inside a snapshot.
        let mut frames = FrameBuffer::new();
        loop {
            {
                let mut control = self.control.lock();
                while !control.requested && control.epoch == epoch {
                    self.work.wait(&mut control);
                }
                if control.epoch != epoch {
                    crate::log_info!("TP: Shutting down thread profiler");
                    break;
                }
                control.requested = false;
            }
            let started = Instant::now();
            let records = guard("ThreadProfiler", None, || {
                Some(self.profile_all(&mut frames, epoch))
            })
            .unwrap_or_else(|| {
                crate::log_error!("TP: Exception thrown while profiling.");
                Vec::new()
            });
            let (functions, types) = self.names.lock().size();
            crate::log_trace!(
                "TP: profiled {} threads in {} us; name cache: {functions} functions, {types} types",
                records.len(),
                started.elapsed().as_micros()
            );
            let mut control = self.control.lock();
            if control.epoch == epoch {
                control.result = Some(records);
                self.done.notify_all();
            }
        }
        crate::log_trace!("TP: profile thread terminating");
    }

    /// One profile, with the runtime suspended (where required) and thread
    /// destruction held off; both are released in reverse order on return.
    fn profile_all(&self, frames: &mut FrameBuffer, epoch: u64) -> Vec<ThreadRecord> {
        let _suspension = if self.suspend {
            Suspension::begin(self.source.as_ref())
        } else {
            None
        };
        let _no_thread_exits = self.snapshots.lock();
        let stop = || self.epoch.load(Ordering::Acquire) != epoch;
        sampler::profile_threads(self.source.as_ref(), &self.names, frames, &stop)
    }
}
