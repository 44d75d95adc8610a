//! Per-module facts the matcher needs for every JIT-compiled method —
//! module path, assembly name and version — fetched once per module instead
//! of once per method (the original re-reads them for each function; they
//! cannot change while the module is loaded). The AppDomain *name* is the
//! exception: the runtime renames the default domain (`DefaultDomain` →
//! `clrhost`) after System.Private.CoreLib has loaded, so it is read for
//! each function that is logged, as the original does (compatibility R5).

use crate::clr::assembly_metadata::Version4;
use crate::clr::metadata_import::MetadataImport;
use crate::clr::{ClrResult, ProfilerInfo};
use crate::ffi::types::{AppDomainID, ModuleID};
use once_cell::sync::OnceCell;
use parking_lot::RwLock;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

/// What is known about one loaded module.
pub struct ModuleFacts {
    pub module_id: ModuleID,
    /// `GetModuleInfo` name: the file path.
    pub path: String,
    /// Simple assembly name (`GetAssemblyInfo`).
    pub assembly_name: String,
    /// The AppDomain the assembly was loaded into; its name is read when
    /// needed ([`ModuleFacts::app_domain_name`]).
    pub app_domain_id: AppDomainID,
    /// The assembly's version from its metadata (§4.6), read on first need:
    /// only points with version bounds ask for it.
    assembly_version: OnceCell<Option<Version4>>,
    /// Whether any method can carry one of the agent's API attributes; read
    /// on first need (see [`ModuleFacts::may_carry_attributes`]).
    api_attributes: OnceCell<bool>,
    /// Read-only metadata, absent for modules without it (resources);
    /// opened on first need ([`ModuleFacts::import`]).
    import: OnceCell<Option<MetadataImport>>,
    info: ProfilerInfo,
}

impl ModuleFacts {
    /// The module's metadata importer, opened on first use. Opening it is
    /// not free for the application: CoreCLR answers `GetModuleMetaData`
    /// (even read-only) by switching the module's own metadata reader to
    /// its read-write form for the rest of the process, and every later
    /// type load and JIT compilation of that module then reads through it.
    /// Opened for every module at load, that was most of what the profiler
    /// cost a start-up once ReadyToRun code was kept (docs/performance.md),
    /// so the callbacks ask only for modules whose metadata they must read:
    /// assemblies named by the configuration, the API assembly, assemblies
    /// that may carry `[Trace]`/`[Transaction]` (§4.8), methods being
    /// rewritten.
    pub fn import(&self) -> Option<&MetadataImport> {
        self.import
            .get_or_init(|| self.info.metadata_import(self.module_id).ok())
            .as_ref()
    }

    /// The assembly's version, read on first need (version-ranged points).
    pub fn assembly_version(&self) -> Option<Version4> {
        *self.assembly_version.get_or_init(|| {
            self.info
                .assembly_import(self.module_id)
                .and_then(|a| a.assembly())
                .map(|a| a.version)
                .ok()
        })
    }

    /// Whether a custom attribute whose type is named one of `names` can
    /// exist in this module: a TypeRef or top-level TypeDef of that name.
    /// Without one, `GetCustomAttributeByName` (which matches the attribute
    /// type by name) finds nothing for any method, so the two lookups per
    /// JIT-compiled method (§4.8) can be skipped. Computed once per module,
    /// for the first set of names asked (the matcher only ever asks one);
    /// any metadata failure answers `true`, keeping the per-method lookups.
    pub fn may_carry_attributes(&self, names: &[&str]) -> bool {
        *self.api_attributes.get_or_init(|| {
            let Some(import) = self.import() else {
                return false;
            };
            let defined = names
                .iter()
                .map(|name| import.find_type_def(name, 0))
                .collect::<ClrResult<Vec<_>>>();
            let Ok(defined) = defined else { return true };
            if defined.iter().any(Option::is_some) {
                return true;
            }
            let Ok(refs) = import.type_refs() else {
                return true;
            };
            refs.into_iter()
                .any(|type_ref| match import.type_ref_props(type_ref) {
                    Ok((_, name)) => names.contains(&name.as_str()),
                    Err(_) => true,
                })
        })
    }

    /// The AppDomain's name now (`GetAppDomainInfo`), empty if the runtime
    /// cannot say. Read per function, not cached: CoreLib loads while the
    /// default domain is still called `DefaultDomain`; by the time its
    /// methods are compiled the runtime calls it `clrhost` (reference runs
    /// hello-finest, corelib; compatibility R5).
    pub fn app_domain_name(&self, info: &ProfilerInfo) -> String {
        info.app_domain_name(self.app_domain_id).unwrap_or_default()
    }
}

/// A cache of [`ModuleFacts`], filled on first use and emptied when a module unloads.
#[derive(Default)]
pub struct ModuleCache {
    modules: RwLock<HashMap<ModuleID, Arc<ModuleFacts>, BuildHasherDefault<IdHasher>>>,
}

/// Hasher for runtime ids (addresses): one multiply instead of SipHash on
/// the hottest lookup of the JIT callback. The keys come from the runtime,
/// not from an adversary.
#[derive(Default)]
pub struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(*b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u64(&mut self, value: u64) {
        self.0 = (value ^ (value >> 29)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
    fn write_usize(&mut self, value: usize) {
        self.write_u64(value as u64);
    }
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
    Ok(ModuleFacts {
        module_id,
        path: module.name,
        assembly_name: assembly.name,
        app_domain_id: assembly.app_domain_id,
        assembly_version: OnceCell::new(),
        api_attributes: OnceCell::new(),
        import: OnceCell::new(),
        info: info.clone(),
    })
}
