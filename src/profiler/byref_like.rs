//! The runtime side of byref-like classification (`instrument/byref_like.rs`):
//! is the value type a signature names a `ref struct`?
//!
//! A TypeDef of the method's own module is asked directly for
//! `IsByRefLikeAttribute`. A TypeRef is followed to the module that
//! defines the type, through metadata only (no type loading inside a JIT
//! callback): its resolution scope names an AssemblyRef (or, for a nested
//! type, the enclosing TypeRef); the loaded module of that assembly is found
//! by enumerating modules (`ICorProfilerInfo::EnumModules`); there the type
//! is looked up by name, and when the assembly only forwards it (a facade
//! such as `System.Runtime`, whose `ExportedType` row points at
//! `System.Private.CoreLib`, ECMA-335 II.22.14) the forwarder is followed.
//! Only when that fails (the defining assembly is not loaded) is the name
//! checked against a short list of framework byref-like types.
//! Answers are cached per (module, token) until the module unloads.

use super::active::Active;
use crate::clr::metadata_import::MetadataImport;
use crate::ffi::types::{mdMethodDef, mdToken, mdTypeDef, ModuleID};
use crate::instrument::byref_like::{
    ByRefLikeFacts, GP_ALLOW_BYREF_LIKE, IS_BYREF_LIKE_ATTRIBUTE, KNOWN_BYREF_LIKE,
};
use crate::instrument::module_facts::ModuleFacts;
use parking_lot::Mutex;
use std::collections::HashMap;
use std::sync::Arc;

/// Type forwarders and nesting followed before giving up.
const MAX_DEPTH: usize = 8;

/// Table tags of the tokens a resolution scope can hold (ECMA-335 II.22.38).
const TABLE_MODULE: u32 = 0x00;
const TABLE_TYPE_REF: u32 = 0x01;
const TABLE_TYPE_DEF: u32 = 0x02;
const TABLE_MODULE_REF: u32 = 0x1A;
const TABLE_ASSEMBLY_REF: u32 = 0x23;

/// What has been learned so far; emptied per module at unload.
#[derive(Default)]
pub struct ByRefLikeCache {
    types: Mutex<HashMap<(ModuleID, mdToken), bool>>,
    /// Loaded module of each assembly name seen while enumerating modules.
    assemblies: Mutex<HashMap<String, ModuleID>>,
}

impl ByRefLikeCache {
    pub fn forget(&self, module_id: ModuleID) {
        self.types
            .lock()
            .retain(|(module, _), _| *module != module_id);
        self.assemblies
            .lock()
            .retain(|_, module| *module != module_id);
    }
}

/// [`ByRefLikeFacts`] for one method being rewritten.
pub struct RuntimeByRefLike<'a> {
    pub active: &'a Active,
    pub module: &'a Arc<ModuleFacts>,
    pub import: &'a MetadataImport,
    pub method: mdMethodDef,
    pub class: mdTypeDef,
}

impl ByRefLikeFacts for RuntimeByRefLike<'_> {
    fn is_byref_like_type(&self, token: u32) -> bool {
        let key = (self.module.module_id, token);
        if let Some(known) = self.active.byref_like.types.lock().get(&key) {
            return *known;
        }
        let answer = self
            .active
            .type_is_byref_like(self.module, self.import, token);
        self.active.byref_like.types.lock().insert(key, answer);
        answer
    }

    fn allows_byref_like(&self, method_param: bool, index: u32) -> bool {
        let owner = if method_param {
            self.method
        } else {
            self.class
        };
        self.import
            .generic_params(owner)
            .map(|params| {
                params
                    .iter()
                    .any(|(i, flags)| *i == index && flags & GP_ALLOW_BYREF_LIKE != 0)
            })
            .unwrap_or(false)
    }
}

impl Active {
    fn type_is_byref_like(
        &self,
        module: &Arc<ModuleFacts>,
        import: &MetadataImport,
        token: mdToken,
    ) -> bool {
        match token >> 24 {
            TABLE_TYPE_DEF => has_byref_like_attribute(import, token),
            TABLE_TYPE_REF => match self.resolve_type_ref(module, import, token, 0) {
                Some((defining, type_def)) => defining
                    .import()
                    .is_some_and(|i| has_byref_like_attribute(i, type_def)),
                None => {
                    let name = import
                        .type_ref_props(token)
                        .map(|(_, name)| name)
                        .unwrap_or_default();
                    let known = KNOWN_BYREF_LIKE.contains(&name.as_str());
                    crate::log_debug!(
                        "Unable to find the definition of {name}; byref-like by name: {known}"
                    );
                    known
                }
            },
            _ => false,
        }
    }

    /// The module and TypeDef a TypeRef of `module` stands for.
    fn resolve_type_ref(
        &self,
        module: &Arc<ModuleFacts>,
        import: &MetadataImport,
        type_ref: mdToken,
        depth: usize,
    ) -> Option<(Arc<ModuleFacts>, mdTypeDef)> {
        if depth > MAX_DEPTH {
            return None;
        }
        let (scope, name) = import.type_ref_props(type_ref).ok()?;
        match scope >> 24 {
            TABLE_ASSEMBLY_REF => {
                let assembly_import = self.info.assembly_import(module.module_id).ok()?;
                let assembly = assembly_import.assembly_ref(scope).ok()?.name;
                self.find_in_assembly(&assembly, &name, depth + 1)
            }
            TABLE_TYPE_REF => {
                let (outer_module, outer) =
                    self.resolve_type_ref(module, import, scope, depth + 1)?;
                let nested = outer_module.import()?.find_type_def(&name, outer).ok()??;
                Some((outer_module, nested))
            }
            TABLE_MODULE | TABLE_MODULE_REF => {
                let def = import.find_type_def(&name, 0).ok()??;
                Some((Arc::clone(module), def))
            }
            _ => None,
        }
    }

    /// A top-level type `name` defined by, or forwarded from, `assembly`.
    fn find_in_assembly(
        &self,
        assembly: &str,
        name: &str,
        depth: usize,
    ) -> Option<(Arc<ModuleFacts>, mdTypeDef)> {
        if depth > MAX_DEPTH {
            return None;
        }
        let module = self.loaded_module_of(assembly)?;
        if let Ok(Some(def)) = module.import()?.find_type_def(name, 0) {
            return Some((module, def));
        }
        let assembly_import = self.info.assembly_import(module.module_id).ok()?;
        let exported = assembly_import.exported_type(name, 0).ok()??;
        if exported.implementation >> 24 != TABLE_ASSEMBLY_REF {
            return None;
        }
        let target = assembly_import
            .assembly_ref(exported.implementation)
            .ok()?
            .name;
        self.find_in_assembly(&target, name, depth + 1)
    }

    /// The loaded module of an assembly (simple name), enumerating the
    /// runtime's modules when it is not known yet.
    fn loaded_module_of(&self, assembly: &str) -> Option<Arc<ModuleFacts>> {
        let known = self.byref_like.assemblies.lock().get(assembly).copied();
        if let Some(module_id) = known {
            if let Ok(facts) = self.modules.get(&self.info, module_id) {
                return Some(facts);
            }
        }
        let mut found = None;
        for module_id in self.info.modules().ok()? {
            let Ok(facts) = self.modules.get(&self.info, module_id) else {
                continue;
            };
            self.byref_like
                .assemblies
                .lock()
                .insert(facts.assembly_name.clone(), module_id);
            if facts.assembly_name == assembly {
                found = Some(facts);
            }
        }
        found
    }
}

fn has_byref_like_attribute(import: &MetadataImport, type_def: mdTypeDef) -> bool {
    matches!(
        import.custom_attribute(type_def, IS_BYREF_LIKE_ATTRIBUTE),
        Ok(Some(_))
    )
}
