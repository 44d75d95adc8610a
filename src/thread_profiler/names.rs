//! The name cache (reference-profiler §7.4): `FunctionID` → (type name,
//! method name), filled by the worker after each thread's walk and read by
//! `RequestFunctionNames`.
//!
//! Two deliberate fixes of the original's QUIRKs:
//! 1. type names are keyed by `(ModuleID, mdTypeDef)`, not by the TypeDef
//!    token alone — tokens are per-module, so two modules' types with the
//!    same token no longer share one (wrong) class name;
//! 2. a function is inserted once, the first time it is seen; the original
//!    re-inserted every cached frame on every sample (with names from a
//!    stale frame slot), so the cache grew with each profile until
//!    `ShutdownThreadProfiler`. Here its size is bounded by the number of
//!    distinct functions and types seen.
//!
//! A function whose names cannot be read (its metadata is unavailable) is
//! remembered as unresolvable, so it is not looked up again on every sample
//! and resolves to the unknown names.

use super::source::ResolvedMethod;
use crate::clr::strings::to_wide_nul;
use crate::ffi::types::{mdTypeDef, FunctionID, ModuleID};
use std::collections::HashMap;
use std::sync::Arc;

/// A NUL-terminated UTF-16 string on the heap. Shared (`Arc`) so that a
/// `RequestFunctionNames` result keeps its strings alive on its own, even if
/// the cache is cleared meanwhile.
pub type Wide = Arc<[u16]>;

/// Encodes an ASCII literal as NUL-terminated UTF-16 at compile time.
const fn ascii_wide<const N: usize>(text: &str) -> [u16; N] {
    let bytes = text.as_bytes();
    assert!(bytes.len() < N, "no room for the terminator");
    let mut out = [0u16; N];
    let mut i = 0;
    while i < bytes.len() {
        out[i] = bytes[i] as u16;
        i += 1;
    }
    out
}

/// The names of an unknown function (§7.1): `UnknownClass` / `UnknownMethod(error)`.
/// Statics, so pointers to them are valid for the life of the process.
pub static UNKNOWN_CLASS: [u16; 13] = ascii_wide("UnknownClass");
pub static UNKNOWN_METHOD: [u16; 21] = ascii_wide("UnknownMethod(error)");

/// A resolved function's names.
#[derive(Clone, Debug)]
pub struct Names {
    pub type_name: Wide,
    pub method: Wide,
}

/// See the module documentation.
#[derive(Default)]
pub struct NameCache {
    /// `None`: seen but unresolvable.
    functions: HashMap<FunctionID, Option<Names>>,
    types: HashMap<(ModuleID, mdTypeDef), Wide>,
}

fn wide(text: &str) -> Wide {
    Arc::from(to_wide_nul(text))
}

impl NameCache {
    /// Whether `function_id` was seen before (resolved or not).
    pub fn contains(&self, function_id: FunctionID) -> bool {
        self.functions.contains_key(&function_id)
    }

    /// The names of a resolved function.
    pub fn get(&self, function_id: FunctionID) -> Option<&Names> {
        self.functions.get(&function_id).and_then(Option::as_ref)
    }

    /// Whether the name of this module's type is cached.
    pub fn has_type(&self, module: ModuleID, type_def: mdTypeDef) -> bool {
        self.types.contains_key(&(module, type_def))
    }

    /// Records a resolved function; an existing entry is kept.
    pub fn insert(&mut self, function_id: FunctionID, method: ResolvedMethod) {
        if self.contains(function_id) {
            return;
        }
        let key = (method.module, method.type_def);
        let type_name = if let Some(known) = self.types.get(&key) {
            Arc::clone(known)
        } else if let Some(name) = method.type_name {
            let name = wide(&name);
            self.types.insert(key, Arc::clone(&name));
            name
        } else {
            // The source skipped the type although it is not cached: keep
            // the function unresolved rather than invent a name.
            self.functions.insert(function_id, None);
            return;
        };
        let names = Names {
            type_name,
            method: wide(&method.method),
        };
        self.functions.insert(function_id, Some(names));
    }

    /// Records a function whose names could not be read.
    pub fn insert_unresolved(&mut self, function_id: FunctionID) {
        self.functions.entry(function_id).or_insert(None);
    }

    /// Forgets everything (`ShutdownThreadProfiler`, §7.1).
    pub fn clear(&mut self) {
        self.functions.clear();
        self.types.clear();
    }

    /// `(functions, types)` held.
    pub fn size(&self) -> (usize, usize) {
        (self.functions.len(), self.types.len())
    }
}
