//! Eager ReJIT when a module with configured methods loads, and the ReJIT
//! bookkeeping callbacks (reference-profiler §6.1).

use super::active::Active;
use super::jit::Phase;
use crate::clr::function_control::FunctionControl;
use crate::config::instrumentation::InstrumentationPoint;
use crate::ffi::hresult::{
    CLDB_E_RECORD_NOTFOUND, CORPROF_E_FUNCTION_IS_PARAMETERIZED, S_FALSE, S_OK,
};
use crate::ffi::types::{mdMethodDef, FunctionID, ModuleID, HRESULT};
use crate::instrument::agent_method::{AGENT_SHIM_CLASS, FINISH_TRACER_METHOD};
use crate::instrument::method_finder::{find_class, ClassLookup};
use crate::instrument::module_facts::ModuleFacts;
use crate::profiler::function_resolver::Resolution;
use std::collections::BTreeSet;

/// The simple name of the agent assembly (`NewRelic.Agent.Core.dll`).
const AGENT_ASSEMBLY: &str = "NewRelic.Agent.Core";

/// The methods of a module named by `points` (`GetMethodDefs`, §6.1): each
/// point's class found by name (nested classes only with
/// [`ClassLookup::Nested`]; the original does not find them, §5.8) and every
/// method of that name, all overloads, regardless of parameters and versions.
pub(super) fn method_defs<'a>(
    import: &crate::clr::metadata_import::MetadataImport,
    points: impl Iterator<Item = &'a std::sync::Arc<InstrumentationPoint>>,
    lookup: ClassLookup,
) -> BTreeSet<mdMethodDef> {
    let mut methods = BTreeSet::new();
    for point in points {
        crate::log_trace!("Fetching {} methods", point.class_name);
        match find_class(import, &point.class_name, lookup) {
            Ok(Some(type_def)) => {
                let found = import
                    .methods_named(type_def, &point.method_name)
                    .unwrap_or_default();
                for batch in found.chunks(5) {
                    crate::log_debug!(
                        "Found {} method(s) matching {}",
                        batch.len(),
                        point.method_name
                    );
                }
                methods.extend(found);
            }
            Ok(None) => crate::log_info!(
                "Unable to find {} for rejit. HR:{}",
                point.class_name,
                CLDB_E_RECORD_NOTFOUND
            ),
            Err(hr) => crate::log_info!("Unable to find {} for rejit. HR:{hr}", point.class_name),
        }
    }
    methods
}

impl Active {
    /// CoreCLR `ModuleLoadFinished`: when the module's assembly is named by
    /// any point, find every method named by those points (all overloads,
    /// ignoring parameters and versions) and request their ReJIT in one
    /// batch, so even their first call runs instrumented. Errors are
    /// swallowed; the callback returns `S_OK`.
    pub fn module_load_finished(&self, module_id: ModuleID, status: HRESULT) -> HRESULT {
        // .NET Framework helper methods (§5.5): profiler/helper_injection.rs.
        let injected = self.inject_helpers(module_id, status);
        if status < 0 || !self.runtime.is_core() {
            return injected;
        }
        let Ok(module) = self.modules.get(&self.info, module_id) else {
            return S_OK;
        };
        if module.path == self.agent_core_dll || module.assembly_name == AGENT_ASSEMBLY {
            self.check_agent_module(&module);
        }
        if self.mask_mode.keeps_ready_to_run() {
            self.scan_module(&module);
            return S_OK;
        }
        let configuration = self.configuration();
        if !configuration.should_instrument_assembly(&module.assembly_name) {
            return S_OK;
        }
        crate::log_trace!("Assembly module loaded: {}", module.assembly_name);
        let Some(import) = module.import() else {
            return S_OK;
        };
        let methods = method_defs(
            import,
            configuration.points_for_assembly(&module.assembly_name),
            ClassLookup::TopLevelOnly,
        );
        crate::validation_event!(
            "module_load",
            module = module.path.as_str(),
            assembly = module.assembly_name.as_str(),
            methods = methods.len()
        );
        self.rejit_methods(module_id, &methods);
        S_OK
    }

    /// The agent assembly has loaded (the first instrumented call loads it):
    /// it must define `AgentShim.GetFinishTracerDelegate`, or every wrapper's
    /// lookup fails — swallowed by the wrapper, so the application runs
    /// unchanged, but the agent sees nothing. The original says nothing;
    /// this Error says why (docs/compatibility.md A1).
    fn check_agent_module(&self, module: &ModuleFacts) {
        let Some(import) = module.import() else {
            return;
        };
        let found = match import.find_type_def(AGENT_SHIM_CLASS, 0) {
            Ok(Some(shim)) => import
                .methods_named(shim, FINISH_TRACER_METHOD)
                .is_ok_and(|methods| !methods.is_empty()),
            _ => false,
        };
        if !found {
            crate::log_error!(
                "The New Relic Agent DLL {} (assembly {}) does not define {AGENT_SHIM_CLASS}.{FINISH_TRACER_METHOD}. Instrumented methods will run without reaching the agent.",
                module.path,
                module.assembly_name
            );
        }
    }

    /// `RequestReJIT` for `methods` of one module in one call, with the Debug line.
    pub(super) fn rejit_methods(&self, module_id: ModuleID, methods: &BTreeSet<mdMethodDef>) {
        if !methods.is_empty() {
            let pairs: Vec<(ModuleID, mdMethodDef)> =
                methods.iter().map(|m| (module_id, *m)).collect();
            let ok = self.info.request_rejit(&pairs).is_ok();
            crate::log_debug!("ReJit {}", if ok { "success" } else { "failed" });
            crate::validation_event!(
                "rejit_request",
                module = module_id,
                methods = methods.len(),
                ok = ok
            );
        }
    }

    /// `RequestRevert` for `methods` of one module in one call, with the Debug line.
    pub(super) fn revert_methods(&self, module_id: ModuleID, methods: &BTreeSet<mdMethodDef>) {
        if !methods.is_empty() {
            let pairs: Vec<(ModuleID, mdMethodDef)> =
                methods.iter().map(|m| (module_id, *m)).collect();
            let ok = self.info.request_revert(&pairs).is_ok();
            crate::log_debug!("Revert {}", if ok { "success" } else { "failed" });
            crate::validation_event!(
                "revert_request",
                module = module_id,
                methods = methods.len(),
                ok = ok
            );
        }
    }

    /// `GetReJITParameters`: find the FunctionID (the generic-method dance
    /// of §6.1), then rewrite through `control`.
    pub fn get_rejit_parameters(
        &self,
        module_id: ModuleID,
        method: mdMethodDef,
        control: &FunctionControl,
    ) -> HRESULT {
        crate::log_trace!("GetReJITParameters called");
        let from_token = self
            .info
            .function_from_token(module_id, method)
            .map_err(|hr| hr.0 == CORPROF_E_FUNCTION_IS_PARAMETERIZED);
        let hr = match self.resolver.resolve((module_id, method), from_token) {
            Resolution::Function(function_id) => {
                crate::log_trace!("ReJIT {function_id}");
                self.process_function(function_id, Phase::ReJit(control))
            }
            Resolution::Queued => S_FALSE,
        };
        crate::log_trace!("GetReJITParameters finished");
        hr
    }

    /// `ReJITCompilationStarted`: a queued generic method now has a
    /// FunctionID; remember it and request the ReJIT again.
    pub fn rejit_compilation_started(&self, function_id: FunctionID) -> HRESULT {
        crate::log_trace!("ReJITCompilationStarted. {function_id}");
        if let Ok(function) = self.info.function_info(function_id) {
            let key = (function.module_id, function.token);
            if self.resolver.on_rejit_started(key, function_id) {
                let _ = self.info.request_rejit(&[key]);
            }
        }
        crate::log_trace!("ReJITCompilationStartedFinished. {function_id}");
        S_OK
    }
}
