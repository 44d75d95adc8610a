//! Per-module facts the matcher needs for every JIT-compiled method —
//! module path, assembly name and version, AppDomain — fetched once per
//! module instead of once per method (the original re-reads them for each
//! function; the answers cannot change while the module is loaded).

use crate::clr::assembly_metadata::Version4;
use crate::clr::metadata_import::MetadataImport;
use crate::clr::{ClrResult, ProfilerInfo};
use crate::ffi::types::ModuleID;
use once_cell::sync::OnceCell;
use parking_lot::RwLock;
use std::collections::HashMap;
use std::sync::Arc;

/// What is known about one loaded module.
pub struct ModuleFacts {
    pub module_id: ModuleID,
    /// `GetModuleInfo` name: the file path.
    pub path: String,
    /// Simple assembly name (`GetAssemblyInfo`).
    pub assembly_name: String,
    pub app_domain: String,
    /// The assembly's version from its metadata (§4.6), read on first need:
    /// only points with version bounds ask for it.
    assembly_version: OnceCell<Option<Version4>>,
    /// Read-only metadata, absent for modules without it (resources).
    pub import: Option<MetadataImport>,
}

impl ModuleFacts {
    pub fn assembly_version(&self, info: &ProfilerInfo) -> Option<Version4> {
        *self.assembly_version.get_or_init(|| {
            info.assembly_import(self.module_id)
                .and_then(|a| a.assembly())
                .map(|a| a.version)
                .ok()
        })
    }

    /// `IsCoreClr()` of the original's `Function`: the AppDomain is `clrhost` (§1.4).
    pub fn is_core_app_domain(&self) -> bool {
        self.app_domain == "clrhost"
    }
}

/// A cache of [`ModuleFacts`], filled on first use and emptied when a module unloads.
#[derive(Default)]
pub struct ModuleCache {
    modules: RwLock<HashMap<ModuleID, Arc<ModuleFacts>>>,
}

impl ModuleCache {
    pub fn get(&self, info: &ProfilerInfo, module_id: ModuleID) -> ClrResult<Arc<ModuleFacts>> {
        if let Some(facts) = self.modules.read().get(&module_id) {
            return Ok(Arc::clone(facts));
        }
        let facts = Arc::new(read_facts(info, module_id)?);
        self.modules.write().insert(module_id, Arc::clone(&facts));
        Ok(facts)
    }

    /// Forgets a module (its id may be reused after unload).
    pub fn forget(&self, module_id: ModuleID) {
        self.modules.write().remove(&module_id);
    }
}

fn read_facts(info: &ProfilerInfo, module_id: ModuleID) -> ClrResult<ModuleFacts> {
    let module = info.module_info(module_id)?;
    let assembly = info.assembly_info(module.assembly_id)?;
    let app_domain = info
        .app_domain_name(assembly.app_domain_id)
        .unwrap_or_default();
    let import = info.metadata_import(module_id).ok();
    Ok(ModuleFacts {
        module_id,
        path: module.name,
        assembly_name: assembly.name,
        app_domain,
        assembly_version: OnceCell::new(),
        import,
    })
}
