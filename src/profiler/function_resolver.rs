//! Maps a ReJIT request `(module, methodDef)` back to a `FunctionID`
//! (reference-profiler §6.1). `GetFunctionFromToken` refuses generic methods
//! and methods of generic types (`CORPROF_E_FUNCTION_IS_PARAMETERIZED`), so:
//! the first JIT of such a method remembers its FunctionID; a ReJIT that
//! finds none queues the method and is skipped; the next
//! `ReJITCompilationStarted` for it records the FunctionID and requests the
//! ReJIT again. All instantiations share one FunctionID, as in the original.
//!
//! The original keys its maps with an ordering that is not a strict weak
//! ordering (QUIRK); here the key is a plain `(module, method)` tuple.

use crate::ffi::types::{mdMethodDef, FunctionID, ModuleID};
use parking_lot::Mutex;
use std::collections::{HashMap, HashSet};

/// `(module, methodDef)`.
pub type MethodKey = (ModuleID, mdMethodDef);

/// What `GetReJITParameters` should do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resolution {
    /// Rewrite using this FunctionID.
    Function(FunctionID),
    /// No FunctionID yet: queued; return `S_FALSE` and wait for the re-request.
    Queued,
}

#[derive(Default)]
pub struct FunctionResolver {
    remembered: Mutex<HashMap<MethodKey, FunctionID>>,
    queued: Mutex<HashSet<MethodKey>>,
}

impl FunctionResolver {
    /// Called before a ReJIT is requested for a JIT-compiled method whose
    /// `GetFunctionFromToken` said "parameterized" (`AddFunctionIfGeneric`).
    pub fn remember(&self, key: MethodKey, function: FunctionID) {
        self.remembered.lock().insert(key, function);
    }

    /// `GetReJITParameters`: `from_token` is `GetFunctionFromToken`, giving
    /// `Ok(id)`, `Err(true)` for "parameterized" or `Err(false)` for any other
    /// failure.
    pub fn resolve(&self, key: MethodKey, from_token: Result<FunctionID, bool>) -> Resolution {
        match from_token {
            Ok(function) => Resolution::Function(function),
            Err(parameterized) => {
                if parameterized {
                    crate::log_trace!("Generic function lookup falling back to map");
                    if let Some(function) = self.remembered.lock().remove(&key) {
                        return Resolution::Function(function);
                    }
                    crate::log_trace!("Generic function lookup failed, queued a reJIT");
                }
                self.queued.lock().insert(key);
                Resolution::Queued
            }
        }
    }

    /// `ReJITCompilationStarted`: if the compiled method was queued, keep its
    /// FunctionID and return true — the caller requests the ReJIT again
    /// (the original's Debug line says so first).
    pub fn on_rejit_started(&self, key: MethodKey, function: FunctionID) -> bool {
        if self.queued.lock().remove(&key) {
            self.remember(key, function);
            crate::log_debug!("Requesting a reJIT of a generic function");
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_methods_resolve_directly() {
        let r = FunctionResolver::default();
        assert_eq!(
            r.resolve((1, 0x0600_0001), Ok(77)),
            Resolution::Function(77)
        );
        assert!(!r.on_rejit_started((1, 0x0600_0001), 77));
    }

    #[test]
    fn generic_methods_use_the_remembered_function_once() {
        let r = FunctionResolver::default();
        r.remember((1, 0x0600_0002), 88);
        assert_eq!(
            r.resolve((1, 0x0600_0002), Err(true)),
            Resolution::Function(88)
        );
        // Consumed: the next ReJIT of the same method queues.
        assert_eq!(r.resolve((1, 0x0600_0002), Err(true)), Resolution::Queued);
        assert!(r.on_rejit_started((1, 0x0600_0002), 99));
        assert_eq!(
            r.resolve((1, 0x0600_0002), Err(true)),
            Resolution::Function(99)
        );
    }

    #[test]
    fn keys_distinguish_module_and_method() {
        // The original's comparator mixed module and method; tuples do not.
        let r = FunctionResolver::default();
        r.remember((1, 2), 10);
        r.remember((2, 1), 20);
        assert_eq!(r.resolve((2, 1), Err(true)), Resolution::Function(20));
        assert_eq!(r.resolve((1, 2), Err(true)), Resolution::Function(10));
    }

    #[test]
    fn other_failures_queue() {
        let r = FunctionResolver::default();
        assert_eq!(r.resolve((3, 4), Err(false)), Resolution::Queued);
        assert!(r.on_rejit_started((3, 4), 5));
        assert!(!r.on_rejit_started((3, 4), 5));
    }
}
