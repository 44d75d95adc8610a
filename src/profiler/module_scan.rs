//! Module load with ReadyToRun code and tiered compilation kept (issue 18,
//! docs/compatibility.md R13). Precompiled methods never raise
//! `JITCompilationStarted`, which is where the original's mask meets
//! nested-class methods, `[Trace]`/`[Transaction]` methods and the agent API
//! (§5.1, §6.1). So when a module loads, every method the pipeline could
//! instrument is found by metadata — the point methods (nested classes
//! included), the attributed methods, the API methods — and re-JIT-ted
//! before any of its code runs, together with the precompiled callers that
//! inlined it (`RequestReJITWithInliners` with `COR_PRF_REJIT_BLOCK_INLINING`).
//! `GetReJITParameters` then runs the unchanged pipeline on each, which
//! makes the same decision as under the original's mask: a found method is
//! only a candidate.

use super::active::Active;
use super::module_load::method_defs;
use crate::clr::info_rejit::COR_PRF_REJIT_BLOCK_INLINING;
use crate::ffi::types::{mdMethodDef, ModuleID};
use crate::instrument::function::type_name_and_flags;
use crate::instrument::method_finder::{
    api_methods, attribute_constructors, methods_with_attributes, scans_attributes, ClassLookup,
    API_ASSEMBLY, API_ATTRIBUTES,
};
use crate::instrument::module_facts::ModuleFacts;
use crate::log::{self, Level};
use std::collections::BTreeSet;

impl Active {
    /// How point classes are looked up in this mode: nested classes are
    /// found only when ReadyToRun code is kept (the original's lookup, and
    /// its `Unable to find … for rejit` line, otherwise).
    pub fn class_lookup(&self) -> ClassLookup {
        if self.mask_mode.keeps_ready_to_run() {
            ClassLookup::Nested
        } else {
            ClassLookup::TopLevelOnly
        }
    }

    /// Finds the module's candidate methods and re-JITs them with their inliners.
    pub(super) fn scan_module(&self, module: &ModuleFacts) {
        let configuration = self.configuration();
        let assembly = module.assembly_name.as_str();
        let configured = configuration.should_instrument_assembly(assembly);
        // A module that no point names, that is not the API assembly and
        // whose attributes are never scanned (§4.8: System.*, Microsoft.*,
        // NewRelic.*) cannot hold a candidate; its metadata stays closed
        // (ModuleFacts::import says why that matters).
        let import = if configured || assembly == API_ASSEMBLY || scans_attributes(assembly) {
            module.import()
        } else {
            None
        };
        let Some(import) = import else {
            crate::validation_event!(
                "module_load",
                module = module.path.as_str(),
                assembly = assembly,
                methods = 0
            );
            return;
        };
        let mut methods = BTreeSet::new();
        if configured {
            crate::log_trace!("Assembly module loaded: {assembly}");
            methods = method_defs(
                import,
                configuration.points_for_assembly(assembly),
                ClassLookup::Nested,
            );
        }
        let attributed = attributed_methods(module);
        let api = api_methods(import).unwrap_or_default();
        if !attributed.is_empty() {
            crate::log_debug!(
                "Found {} method(s) with [Transaction] or [Trace] attributes in {assembly}",
                attributed.len()
            );
        }
        if !api.is_empty() {
            crate::log_debug!("Found {} agent API method(s) in {assembly}", api.len());
        }
        methods.extend(attributed);
        methods.extend(api);
        crate::validation_event!(
            "module_load",
            module = module.path.as_str(),
            assembly = assembly,
            methods = methods.len()
        );
        if methods.is_empty() {
            return;
        }
        let inliners = self.ready_to_run_inliners(module, &methods);
        let pairs: Vec<(ModuleID, mdMethodDef)> = methods
            .iter()
            .chain(inliners.difference(&methods))
            .map(|m| (module.module_id, *m))
            .collect();
        let ok = self.rejit_with_inliners(&pairs);
        crate::log_debug!("ReJit {}", if ok { "success" } else { "failed" });
        crate::validation_event!(
            "rejit_request",
            module = module.module_id,
            methods = methods.len(),
            inliners = inliners.len(),
            ok = ok
        );
    }

    /// `RequestReJITWithInliners(COR_PRF_REJIT_BLOCK_INLINING)` for
    /// `methods`: the runtime also re-JITs, with their own IL, the methods
    /// whose precompiled or JIT-compiled code inlined one of them, and stops
    /// inlining them. When a requested method is itself such an inliner of
    /// another one in the same batch, the runtime gives it a second new
    /// version that skips `GetReJITParameters`, which would leave it
    /// uninstrumented; a plain `RequestReJIT` of the same batch afterwards
    /// reuses each method's pending version and turns the callback back on
    /// (`ReJitManager::BindILVersion`), so it costs no further version. Falls
    /// back to a plain `RequestReJIT` if the call fails.
    pub(super) fn rejit_with_inliners(&self, methods: &[(ModuleID, mdMethodDef)]) -> bool {
        match self
            .info
            .request_rejit_with_inliners(COR_PRF_REJIT_BLOCK_INLINING, methods)
        {
            Ok(()) if methods.len() < 2 => true,
            Ok(()) | Err(_) => self.info.request_rejit(methods).is_ok(),
        }
    }

    /// The precompiled methods of this module that inline one of `methods`
    /// (`EnumNgenModuleMethodsInliningThisMethod`, from the image's inlining
    /// table). `RequestReJITWithInliners` finds such callers only in modules
    /// that have finished loading, which the module in `ModuleLoadFinished`
    /// has not, so they are requested explicitly: re-JIT-ted with their own
    /// IL, they call the (no longer inlinable) configured method. Named in a
    /// Debug line each.
    fn ready_to_run_inliners(
        &self,
        module: &ModuleFacts,
        methods: &BTreeSet<mdMethodDef>,
    ) -> BTreeSet<mdMethodDef> {
        let mut all = BTreeSet::new();
        for &method in methods {
            let Ok((inliners, incomplete)) =
                self.info
                    .ready_to_run_inliners(module.module_id, module.module_id, method)
            else {
                continue;
            };
            let inliners: Vec<mdMethodDef> = inliners
                .into_iter()
                .filter(|(inliner_module, _)| *inliner_module == module.module_id)
                .map(|(_, inliner)| inliner)
                .collect();
            if inliners.is_empty() {
                continue;
            }
            if log::global().is_enabled(Level::Debug) {
                log_inliners(module, method, &inliners, incomplete);
            }
            all.extend(inliners);
        }
        all
    }
}

/// `ReJIT with inliners: [<assembly>]<Type>.<Method> is inlined into precompiled <Type>.<Method>, …`.
fn log_inliners(
    module: &ModuleFacts,
    method: mdMethodDef,
    inliners: &[mdMethodDef],
    incomplete: bool,
) {
    let Some(import) = module.import() else {
        return;
    };
    let name = |method: mdMethodDef| -> String {
        let method_name = import.method_name(method).unwrap_or_default();
        let type_name = import
            .method_props(method)
            .ok()
            .and_then(|props| type_name_and_flags(import, props.class).ok())
            .map(|(type_name, _)| type_name)
            .unwrap_or_default();
        format!("{type_name}.{method_name}")
    };
    let callers: Vec<String> = inliners.iter().map(|m| name(*m)).collect();
    crate::log_debug!(
        "ReJIT with inliners: [{}]{} is inlined into precompiled {}{}",
        module.assembly_name,
        name(method),
        callers.join(", "),
        if incomplete { " (list incomplete)" } else { "" }
    );
}

/// The module's `[Trace]`/`[Transaction]` methods, unless the assembly is
/// never scanned (§4.8) or has no type or type reference of those names
/// (the cheap check the JIT path uses too).
fn attributed_methods(module: &ModuleFacts) -> BTreeSet<mdMethodDef> {
    let Some(import) = module.import() else {
        return BTreeSet::new();
    };
    if !scans_attributes(&module.assembly_name) || !module.may_carry_attributes(&API_ATTRIBUTES) {
        return BTreeSet::new();
    }
    attribute_constructors(import, &API_ATTRIBUTES)
        .and_then(|constructors| methods_with_attributes(import, &constructors))
        .unwrap_or_default()
}
