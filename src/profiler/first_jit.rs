//! One first-JIT decision per function while tiered compilation is on
//! (issue 18). With the original's mask every method is JIT-compiled once,
//! so `JITCompilationStarted` runs the pipeline once per function. With
//! tiering, the same function (same `FunctionID`) is compiled again at tier
//! 1, and a method with loops may get an on-stack-replacement compilation:
//! each raises `JITCompilationStarted` for the default IL version again.
//! Deciding again would request another ReJIT (a second code version and a
//! second `Instrumenting method:`), or — for an API method rewritten in
//! place with `SetILFunctionBody` — wrap the already wrapped body, since
//! `GetILFunctionBody` then returns our IL. So the first decision for a
//! function that matched anything is remembered and later compilations of
//! it are left alone: they compile the IL the first decision left in place.
//!
//! Keyed by `FunctionID`, not by methodDef: instantiations of a generic
//! method over value types are distinct functions, each decided once, as
//! under the original's mask. Not used in that mode, whose log must stay
//! line for line the same.

use crate::ffi::types::FunctionID;
use crate::instrument::module_facts::IdHasher;
use parking_lot::Mutex;
use std::collections::HashSet;
use std::hash::BuildHasherDefault;

#[derive(Default)]
pub struct FirstJitDecisions {
    decided: Mutex<HashSet<FunctionID, BuildHasherDefault<IdHasher>>>,
}

impl FirstJitDecisions {
    /// Records the decision for `function`; `false` if one was already made.
    pub fn first(&self, function: FunctionID) -> bool {
        self.decided.lock().insert(function)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_function_is_decided_once() {
        let decisions = FirstJitDecisions::default();
        assert!(decisions.first(0x1000));
        assert!(
            !decisions.first(0x1000),
            "tier 1 / OSR of the same function"
        );
        assert!(decisions.first(0x2000), "another instantiation");
    }
}
