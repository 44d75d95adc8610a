//! The memory handed to the managed agent (reference-profiler §7.2). The
//! agent reads it field by field with `Marshal.ReadInt64/ReadInt32/ReadIntPtr`
//! (`ThreadProfilingSampler.GetProfile`) and `Marshal.PtrToStructure` of a
//! sequential `{UIntPtr; LPWStr; LPWStr}` class (`FidTypeMethodName`), so the
//! layouts are `#[repr(C)]` and checked by size and offset below.
//!
//! Pointers into the profiler's memory are kept as [`Address`]es: plain
//! pointer-sized integers, never dereferenced in Rust, which keeps these
//! records ordinary `Send` data. Everything they point to is owned by the
//! same value ([`Profile`], [`NameTable`]), which the thread profiler holds
//! until `ReleaseProfile` / the next call / `ShutdownThreadProfiler`.

use super::names::{NameCache, Wide, UNKNOWN_CLASS, UNKNOWN_METHOD};
use crate::ffi::types::{FunctionID, ThreadID, HRESULT};
use std::sync::Arc;

/// A pointer handed to managed code, as a pointer-sized integer.
#[repr(transparent)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Address(usize);

impl Address {
    pub const NULL: Address = Address(0);

    pub fn of<T>(pointer: *const T) -> Address {
        Address(pointer as usize)
    }

    pub fn get(self) -> usize {
        self.0
    }

    pub fn is_null(self) -> bool {
        self.0 == 0
    }
}

/// One thread of a profile (the original's `MarshaledThreadProfile`).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MarshaledThreadProfile {
    /// The CLR `ThreadID` (what `GetCurrentExecutionEngineThreadId` returns).
    pub thread_id: ThreadID,
    /// `S_OK`, `S_FALSE` (stack deeper than the cap) or a name-lookup failure.
    pub hresult: HRESULT,
    /// Frames kept (also set when `hresult` is a failure, as in the original).
    pub length: i32,
    /// `uintptr_t[length]`, leaf first; null unless `hresult` succeeded and `length > 0`.
    pub fids: Address,
}

/// One `RequestFunctionNames` entry (the original's
/// `MarshaledFunctiondDTypeNameMethodNameEntry`, `alignas(intptr_t)`).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MarshaledName {
    pub function_id: FunctionID,
    /// NUL-terminated UTF-16.
    pub type_name: Address,
    /// NUL-terminated UTF-16.
    pub method_name: Address,
}

/// A thread's walk as the sampler produced it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ThreadRecord {
    pub thread_id: ThreadID,
    pub hresult: HRESULT,
    pub length: i32,
    /// Empty when `hresult` failed.
    pub frames: Box<[FunctionID]>,
}

/// A complete profile in the agent's layout, with the frame arrays it points to.
pub struct Profile {
    records: Vec<MarshaledThreadProfile>,
    /// Heap blocks `records[..].fids` point into; moving the boxes into this
    /// vector does not move their contents.
    frames: Vec<Box<[FunctionID]>>,
}

impl Profile {
    pub fn new(threads: Vec<ThreadRecord>) -> Profile {
        let mut records = Vec::with_capacity(threads.len());
        let mut frames = Vec::with_capacity(threads.len());
        for thread in threads {
            let fids = if thread.frames.is_empty() {
                Address::NULL
            } else {
                Address::of(thread.frames.as_ptr())
            };
            records.push(MarshaledThreadProfile {
                thread_id: thread.thread_id,
                hresult: thread.hresult,
                length: thread.length,
                fids,
            });
            frames.push(thread.frames);
        }
        Profile { records, frames }
    }

    /// The array's address; null when empty.
    pub fn address(&self) -> Address {
        if self.records.is_empty() {
            Address::NULL
        } else {
            Address::of(self.records.as_ptr())
        }
    }

    /// Number of records, as the agent's `int`.
    pub fn count(&self) -> i32 {
        i32::try_from(self.records.len()).unwrap_or(i32::MAX)
    }

    pub fn records(&self) -> &[MarshaledThreadProfile] {
        &self.records
    }

    /// The frames `records()[index].fids` points to (empty when it is null).
    pub fn frames_of(&self, index: usize) -> &[FunctionID] {
        self.frames.get(index).map(|f| &f[..]).unwrap_or(&[])
    }
}

/// A `RequestFunctionNames` result with the strings it points to.
pub struct NameTable {
    entries: Vec<MarshaledName>,
    /// Keeps every string an entry points to alive.
    _strings: Vec<Wide>,
}

impl NameTable {
    /// One entry per id, in order; unknown ids get the unknown names.
    pub fn build(ids: &[FunctionID], cache: &NameCache) -> NameTable {
        let mut entries = Vec::with_capacity(ids.len());
        let mut strings = Vec::new();
        for &function_id in ids {
            let (type_name, method_name) = match cache.get(function_id) {
                Some(names) => {
                    let pair = (
                        Address::of(names.type_name.as_ptr()),
                        Address::of(names.method.as_ptr()),
                    );
                    strings.push(Arc::clone(&names.type_name));
                    strings.push(Arc::clone(&names.method));
                    pair
                }
                None => (
                    Address::of(UNKNOWN_CLASS.as_ptr()),
                    Address::of(UNKNOWN_METHOD.as_ptr()),
                ),
            };
            entries.push(MarshaledName {
                function_id,
                type_name,
                method_name,
            });
        }
        NameTable {
            entries,
            _strings: strings,
        }
    }

    /// The array's address; null when empty.
    pub fn address(&self) -> Address {
        if self.entries.is_empty() {
            Address::NULL
        } else {
            Address::of(self.entries.as_ptr())
        }
    }

    pub fn entries(&self) -> &[MarshaledName] {
        &self.entries
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::{align_of, offset_of, size_of};

    const PTR: usize = size_of::<*const u8>();

    #[test]
    fn thread_profile_layout_matches_the_agent() {
        assert_eq!(size_of::<Address>(), PTR);
        assert_eq!(align_of::<Address>(), align_of::<*const u8>());
        assert_eq!(offset_of!(MarshaledThreadProfile, thread_id), 0);
        assert_eq!(offset_of!(MarshaledThreadProfile, hresult), PTR);
        assert_eq!(offset_of!(MarshaledThreadProfile, length), PTR + 4);
        assert_eq!(offset_of!(MarshaledThreadProfile, fids), PTR + 8);
        assert_eq!(size_of::<MarshaledThreadProfile>(), 2 * PTR + 8);
        #[cfg(target_pointer_width = "64")]
        {
            assert_eq!(size_of::<MarshaledThreadProfile>(), 24);
            assert_eq!(offset_of!(MarshaledThreadProfile, fids), 16);
        }
    }

    #[test]
    fn name_entry_layout_matches_the_agent() {
        assert_eq!(offset_of!(MarshaledName, function_id), 0);
        assert_eq!(offset_of!(MarshaledName, type_name), PTR);
        assert_eq!(offset_of!(MarshaledName, method_name), 2 * PTR);
        assert_eq!(size_of::<MarshaledName>(), 3 * PTR);
        assert_eq!(align_of::<MarshaledName>(), align_of::<isize>());
    }

    #[test]
    fn failed_and_empty_threads_carry_no_frame_pointer() {
        let profile = Profile::new(vec![
            ThreadRecord {
                thread_id: 1,
                hresult: 0,
                length: 2,
                frames: vec![10, 11].into_boxed_slice(),
            },
            ThreadRecord {
                thread_id: 2,
                hresult: crate::ffi::hresult::E_FAIL,
                length: 3,
                frames: Box::default(),
            },
        ]);
        let records = profile.records();
        assert_eq!(profile.count(), 2);
        assert!(!records[0].fids.is_null());
        assert!(records[1].fids.is_null());
        assert_eq!(records[1].length, 3);
        assert_eq!(profile.address(), Address::of(records.as_ptr()));
        assert!(Profile::new(Vec::new()).address().is_null());
    }

    #[test]
    fn unknown_names_are_terminated_utf16() {
        let text = |w: &[u16]| String::from_utf16(&w[..w.len() - 1]).unwrap();
        assert_eq!(text(&UNKNOWN_CLASS), "UnknownClass");
        assert_eq!(text(&UNKNOWN_METHOD), "UnknownMethod(error)");
        assert_eq!(UNKNOWN_CLASS.last(), Some(&0));
        assert_eq!(UNKNOWN_METHOD.last(), Some(&0));
    }
}
