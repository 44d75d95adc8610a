//! The state of an attached profiler: what `Initialize` established plus
//! the caches the JIT-time pipeline fills.

use crate::clr::info_module::ModuleMetadata;
use crate::clr::{ClrResult, ProfilerInfo};
use crate::config::ignore::IgnoreList;
use crate::config::instrumentation::{InstrumentationConfiguration, XmlSet};
use crate::ffi::types::ModuleID;
use crate::instrument::module_facts::ModuleCache;
use crate::instrument::tokens::TokenCache;
use crate::instrument::tracer_request::AgentLookup;
use crate::profiler::byref_like::ByRefLikeCache;
use crate::profiler::event_mask::MaskMode;
use crate::profiler::first_jit::FirstJitDecisions;
use crate::profiler::function_resolver::FunctionResolver;
use crate::runtime::RuntimeKind;
use crate::thread_profiler::ThreadProfiler;
use parking_lot::{Mutex, RwLock};
use std::collections::HashMap;
use std::sync::Arc;

/// A module's writable metadata and the tokens already produced in it.
pub struct ModuleRewrite {
    pub metadata: ModuleMetadata,
    pub tokens: Mutex<TokenCache>,
}

pub struct Active {
    pub info: ProfilerInfo,
    pub runtime: RuntimeKind,
    /// Absolute path of `NewRelic.Agent.Core.dll` found at start-up (§2.4),
    /// embedded in every wrapper.
    pub agent_core_dll: String,
    /// How wrappers reach `GetFinishTracerDelegate` (chosen at start-up).
    pub agent_lookup: AgentLookup,
    /// The agent home (for the extension files).
    pub home: String,
    /// Swapped whole by a refresh; JIT callbacks see the old or the new one (§6.1).
    configuration: RwLock<Arc<InstrumentationConfiguration>>,
    pub modules: ModuleCache,
    rewrites: Mutex<HashMap<ModuleID, Arc<ModuleRewrite>>>,
    pub resolver: FunctionResolver,
    /// Serialises refreshes (§6.1 concurrency).
    pub(super) refresh_lock: Mutex<()>,
    /// The ignore list of the configuration in force; replaced only by
    /// `ReloadConfiguration` (§4.5).
    pub(super) ignore_list: Mutex<IgnoreList>,
    /// Custom (live) instrumentation documents applied now, and those added
    /// since the last apply (§6.2).
    pub(super) custom: Mutex<XmlSet>,
    pub(super) pending_custom: Mutex<XmlSet>,
    /// The agent's thread-profiling exports (§7); idle until the first request.
    pub thread_profiler: ThreadProfiler,
    /// Which value types are byref-like (`profiler/byref_like.rs`).
    pub byref_like: ByRefLikeCache,
    /// The event mask in force, and with it how configured methods are found.
    pub mask_mode: MaskMode,
    /// Functions whose first-JIT decision is made (ReadyToRun mode only).
    pub(super) first_jit_decisions: FirstJitDecisions,
    /// The .NET Framework helper methods (§5.5; `profiler/helper_injection.rs`).
    pub helpers: crate::profiler::helper_injection::HelperInjection,
}

impl Active {
    pub fn new(
        info: ProfilerInfo,
        runtime: RuntimeKind,
        agent_core_dll: String,
        agent_lookup: AgentLookup,
        home: String,
        configuration: InstrumentationConfiguration,
        ignore_list: IgnoreList,
    ) -> Active {
        Active {
            thread_profiler: ThreadProfiler::new(info.clone()),
            info,
            runtime,
            agent_core_dll,
            agent_lookup,
            home,
            configuration: RwLock::new(Arc::new(configuration)),
            modules: ModuleCache::default(),
            rewrites: Mutex::new(HashMap::new()),
            resolver: FunctionResolver::default(),
            refresh_lock: Mutex::new(()),
            ignore_list: Mutex::new(ignore_list),
            custom: Mutex::new(XmlSet::new()),
            pending_custom: Mutex::new(XmlSet::new()),
            byref_like: ByRefLikeCache::default(),
            mask_mode: MaskMode::Original,
            first_jit_decisions: FirstJitDecisions::default(),
            helpers: Default::default(),
        }
    }

    /// The same state running under `mask_mode` (the original's mask unless set).
    pub fn with_mask_mode(mut self, mask_mode: MaskMode) -> Active {
        self.mask_mode = mask_mode;
        self
    }

    /// The configuration in force now.
    pub fn configuration(&self) -> Arc<InstrumentationConfiguration> {
        Arc::clone(&self.configuration.read())
    }

    /// Installs a new configuration; returns the previous one.
    pub fn replace_configuration(
        &self,
        configuration: InstrumentationConfiguration,
    ) -> Arc<InstrumentationConfiguration> {
        std::mem::replace(&mut *self.configuration.write(), Arc::new(configuration))
    }

    /// Writable metadata for `module_id`, opened once.
    pub fn module_rewrite(&self, module_id: ModuleID) -> ClrResult<Arc<ModuleRewrite>> {
        if let Some(existing) = self.rewrites.lock().get(&module_id) {
            return Ok(Arc::clone(existing));
        }
        let rewrite = Arc::new(ModuleRewrite {
            metadata: self.info.module_metadata(module_id)?,
            tokens: Mutex::new(TokenCache::default()),
        });
        Ok(Arc::clone(
            self.rewrites.lock().entry(module_id).or_insert(rewrite),
        ))
    }

    /// Drops everything cached about a module that is unloading (its id may be reused).
    pub fn forget_module(&self, module_id: ModuleID) {
        self.modules.forget(module_id);
        self.rewrites.lock().remove(&module_id);
        self.byref_like.forget(module_id);
    }
}
