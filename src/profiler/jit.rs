//! The per-function pipeline of `JITCompilationStarted` and
//! `GetReJITParameters` (reference-profiler §4.8, §5.1, §6.1): identify the
//! function, run the fast pre-filter, then the API instrumentor or the
//! default instrumentor with its skip rules; request a ReJIT on the first
//! JIT and write the wrapper in the ReJIT.

use super::active::Active;
use crate::clr::function_control::FunctionControl;
use crate::clr::metadata_import::MetadataImport;
use crate::config::instrumentation::{
    ApiAttribute, AssemblyVersion, InstrumentationConfiguration, InstrumentationPoint,
    MethodIdentity, MethodTraits,
};
use crate::counters::{self, Counter, Timer};
use crate::ffi::hresult::{CORPROF_E_FUNCTION_IS_PARAMETERIZED, E_FAIL, S_OK};
use crate::ffi::types::{FunctionID, HRESULT};
use crate::instrument::api_wrapper::{build_api_wrapper, ApiTarget};
use crate::instrument::byref_like::ByRefLikeMask;
use crate::instrument::call_shapes::MetadataCalls;
use crate::instrument::function::{
    is_value_type, parameter_text, type_name_and_flags, FunctionIdentity, MD_PINVOKE_IMPL,
    MD_SPECIAL_NAME, MD_UNMANAGED_EXPORT, TD_LAYOUT_MASK, TD_SEQUENTIAL_LAYOUT,
};
use crate::instrument::method_finder::{
    scans_attributes, API_ASSEMBLY, API_ATTRIBUTES, API_TYPE, TRACE_ATTRIBUTE,
    TRANSACTION_ATTRIBUTE,
};
use crate::instrument::rewrite_error::RewriteError;
use crate::instrument::tokens::Tokenizer;
use crate::instrument::wrapper::{build_default_wrapper, OriginalMethod, TracerCall};
use crate::log::{self, Level};
use crate::profiler::byref_like::RuntimeByRefLike;
use crate::profiler::trace_lines::{self, RewriteKind};
use std::sync::Arc;

const ASYNC_STATE_MACHINE_ATTRIBUTE: &str =
    "System.Runtime.CompilerServices.AsyncStateMachineAttribute";

/// Which callback is asking.
pub enum Phase<'a> {
    /// `JITCompilationStarted`: request a ReJIT, rewrite only API methods.
    FirstJit,
    /// `GetReJITParameters`: write the wrapper through the control object.
    ReJit(&'a FunctionControl),
}

/// A function that passed the pre-filter, with what was learned on the way.
struct Candidate {
    identity: FunctionIdentity,
    attribute: ApiAttribute,
    /// `AsyncStateMachineAttribute` found (read only when used; see
    /// [`trace_lines::detect_async`]).
    is_async: bool,
}

impl Active {
    /// Runs the pipeline for one function; the HRESULT is what the callback returns.
    pub fn process_function(&self, function_id: FunctionID, phase: Phase<'_>) -> HRESULT {
        let started = Timer::start();
        // .NET Framework helper bodies (§5.1 HelperInstrumentor; helper_injection.rs).
        if matches!(phase, Phase::FirstJit) && self.helpers.is_active() {
            self.instrument_helper(function_id);
        }
        let configuration = self.configuration();
        let mut candidate = match self.identify(function_id, &configuration) {
            Ok(Some(candidate)) => candidate,
            Ok(None) => return S_OK,
            Err(IdentifyError::Metadata) => {
                crate::log_error!(
                    "An exception was thrown while getting details about a function."
                );
                return E_FAIL;
            }
            Err(IdentifyError::Signature(name)) => {
                crate::log_error!("An SignatureParserException was thrown while possibly instrumenting function: {name}");
                return E_FAIL;
            }
        };
        if matches!(phase, Phase::FirstJit) && !self.first_jit_decision(function_id) {
            return S_OK;
        }
        candidate.is_async = trace_lines::detect_async(
            &candidate.identity,
            matches!(phase, Phase::ReJit(_)),
            || has_attribute(&candidate.identity, ASYNC_STATE_MACHINE_ATTRIBUTE),
        );
        let identity = &candidate.identity;
        crate::log_trace!("Possibly instrumenting: {identity}");
        if identity.type_name == API_TYPE {
            counters::set_matched(true);
            return self.instrument_api(identity, &phase);
        }
        self.instrument_default(&candidate, &configuration, &phase, started)
    }

    /// `Function::Create`: facts, attributes, pre-filter, names, signature.
    fn identify(
        &self,
        function_id: FunctionID,
        configuration: &InstrumentationConfiguration,
    ) -> Result<Option<Candidate>, IdentifyError> {
        let function = self
            .info
            .function_info(function_id)
            .map_err(|_| IdentifyError::Metadata)?;
        let module = self
            .modules
            .get(&self.info, function.module_id)
            .map_err(|_| IdentifyError::Metadata)?;
        // The pre-filter (§4.8) applies unless tracing, for the API assembly,
        // or for a method with an API attribute. The attribute lookups are
        // skipped where they cannot find anything (assemblies never scanned,
        // modules without those attribute types), which makes the
        // assembly-name check possible before any per-method metadata call.
        let tracing = log::global().is_enabled(Level::Trace);
        if tracing && !scans_attributes(&module.assembly_name) {
            trace_lines::not_searching(&module.assembly_name);
        }
        let may_filter = !tracing && module.assembly_name != API_ASSEMBLY;
        let scan =
            scans_attributes(&module.assembly_name) && module.may_carry_attributes(&API_ATTRIBUTES);
        let wanted_assembly = configuration.should_instrument_assembly(&module.assembly_name);
        if may_filter && !scan && !wanted_assembly {
            return Ok(None);
        }
        // Only past the pre-filter: opening a module's metadata has a cost
        // for the application (ModuleFacts::import).
        let Some(import) = module.import() else {
            return Ok(None);
        };
        let attribute = if scan {
            api_attribute(import, function.token)
        } else {
            ApiAttribute::None
        };
        let filtered = may_filter && attribute == ApiAttribute::None;
        if filtered && !wanted_assembly {
            return Ok(None);
        }
        // Most methods that get this far are dropped by their name alone,
        // which needs no copy of the signature.
        if filtered {
            let name = import
                .method_name(function.token)
                .map_err(|_| IdentifyError::Metadata)?;
            if !configuration.should_instrument_method_of(&module.assembly_name, &name) {
                return Ok(None);
            }
        }
        let method = import
            .method_props(function.token)
            .map_err(|_| IdentifyError::Metadata)?;
        let (type_name, type_flags) =
            type_name_and_flags(import, method.class).map_err(|_| IdentifyError::Metadata)?;
        if filtered && !configuration.should_instrument_type(&type_name) {
            return Ok(None);
        }
        let (signature, parameters) = parameter_text(import, &method.signature)
            .map_err(|_| IdentifyError::Signature(method.name.clone()))?;
        Ok(Some(Candidate {
            identity: FunctionIdentity {
                function_id,
                app_domain: module.app_domain_name(&self.info),
                module,
                method_token: function.token,
                method,
                type_name,
                type_flags,
                signature,
                parameters,
            },
            attribute,
            is_async: false,
        }))
    }

    /// `DefaultInstrumentor` (§5.1 step 3).
    fn instrument_default(
        &self,
        candidate: &Candidate,
        configuration: &InstrumentationConfiguration,
        phase: &Phase<'_>,
        started: Timer,
    ) -> HRESULT {
        let identity = &candidate.identity;
        let version = identity
            .module
            .assembly_version()
            .map(|v| AssemblyVersion {
                major: v.major,
                minor: v.minor,
                build: v.build,
                revision: v.revision,
            })
            .unwrap_or_default();
        let lookup = MethodIdentity {
            assembly: &identity.module.assembly_name,
            type_name: &identity.type_name,
            method: &identity.method.name,
            parameters: &identity.parameters,
        };
        let point: Arc<InstrumentationPoint> = match configuration.find_point(&lookup, version) {
            Some(point) => Arc::clone(point),
            None if candidate.attribute != ApiAttribute::None => {
                Arc::new(InstrumentationPoint::for_api_attribute(
                    &identity.module.assembly_name,
                    &identity.type_name,
                    &identity.method.name,
                ))
            }
            None => {
                crate::log_trace!("No instrumentation point for {identity}");
                crate::validation_event!(
                    "decision",
                    function = identity.to_string(),
                    outcome = "no_point"
                );
                return S_OK;
            }
        };
        counters::set_matched(true);
        if identity.type_flags & TD_LAYOUT_MASK == TD_SEQUENTIAL_LAYOUT {
            crate::log_error!("Skipping sequential layout method: {identity}");
            return decided(identity, &point, "skip_sequential_layout");
        }
        if identity
            .module
            .import()
            .is_some_and(|import| is_value_type(import, identity.class_token()).unwrap_or(false))
        {
            crate::log_error!("Skipping value type method: {identity}");
            return decided(identity, &point, "skip_value_type");
        }
        if identity.method.attributes & MD_SPECIAL_NAME != 0 && identity.method.name != ".ctor" {
            crate::log_error!("Skipping SpecialName method: {identity}");
            return decided(identity, &point, "skip_special_name");
        }
        if identity.method.attributes & (MD_PINVOKE_IMPL | MD_UNMANAGED_EXPORT) != 0 {
            crate::log_error!("Skipping interop method: {identity}");
            return decided(identity, &point, "skip_interop");
        }
        match phase {
            Phase::FirstJit => {
                self.request_rejit(identity);
                decided(identity, &point, "rejit_requested")
            }
            Phase::ReJit(control) => {
                crate::log_info!("Instrumenting method: {identity}");
                decided(identity, &point, "instrument");
                let traits = MethodTraits {
                    is_async: candidate.is_async,
                    attribute: candidate.attribute,
                };
                started.stop(Counter::RewriteMatching);
                match self.timed_default_wrapper(identity, &point, traits, control) {
                    Ok(()) => S_OK,
                    Err(error) => report_rewrite_failure(identity, &error),
                }
            }
        }
    }

    /// Requests the ReJIT that will carry the wrapper (§6.1 first JIT).
    fn request_rejit(&self, identity: &FunctionIdentity) {
        let module_id = identity.module.module_id;
        crate::log_debug!("Request reJIT: [{}] {identity}", identity.function_id);
        if let Err(hr) = self
            .info
            .function_from_token(module_id, identity.method_token)
        {
            if hr.0 == CORPROF_E_FUNCTION_IS_PARAMETERIZED {
                self.resolver
                    .remember((module_id, identity.method_token), identity.function_id);
            }
        }
        let method = [(module_id, identity.method_token)];
        let ok = if self.mask_mode.keeps_ready_to_run() {
            self.rejit_with_inliners(&method)
        } else {
            self.info.request_rejit(&method).is_ok()
        };
        if !ok {
            crate::log_error!("ReJIT failed for {identity}");
        }
        crate::validation_event!("rejit_request", function = identity.to_string(), ok = ok);
    }

    /// [`Self::write_default_wrapper`] with the rewrite counters: the total,
    /// the runtime calls made on this thread meanwhile, and the rest (IL).
    fn timed_default_wrapper(
        &self,
        identity: &FunctionIdentity,
        point: &InstrumentationPoint,
        traits: MethodTraits,
        control: &FunctionControl,
    ) -> Result<(), RewriteError> {
        let timer = Timer::start();
        counters::take_runtime_ns();
        let result = self.write_default_wrapper(identity, point, traits, control);
        if counters::enabled() {
            let total = timer.elapsed_ns();
            let runtime = counters::take_runtime_ns();
            counters::record(Counter::Rewrite, total);
            counters::record(Counter::RewriteMetadata, runtime);
            counters::record(Counter::RewriteIl, total.saturating_sub(runtime));
        }
        result
    }

    fn write_default_wrapper(
        &self,
        identity: &FunctionIdentity,
        point: &InstrumentationPoint,
        traits: MethodTraits,
        control: &FunctionControl,
    ) -> Result<(), RewriteError> {
        let module_id = identity.module.module_id;
        let body =
            counters::runtime_call(|| self.info.il_function_body(module_id, identity.method_token))
                .map_err(crate::instrument::tokens::TokenError::from)?;
        let rewrite = counters::runtime_call(|| self.module_rewrite(module_id))
            .map_err(crate::instrument::tokens::TokenError::from)?;
        let locals = counters::runtime_call(|| original_locals(&rewrite.metadata.import, &body))?;
        let byref_like = counters::runtime_call(|| self.byref_like_mask(identity));
        let mut tokens =
            Tokenizer::new(&rewrite.metadata, self.function_runtime(), &rewrite.tokens);
        let original = OriginalMethod {
            body: &body,
            signature: &identity.signature,
            locals: locals.as_deref(),
            byref_like: &byref_like,
        };
        let call = TracerCall {
            tracer_factory_name: &point.tracer_factory_name,
            tracer_arguments: point.tracer_arguments(&traits),
            metric_name: &point.metric_name,
            assembly_name: &identity.module.assembly_name,
            type_def: identity.class_token(),
            type_name: &identity.type_name,
            method_name: &identity.method.name,
            argument_signature: &identity.parameters,
            function_id: identity.function_id as u64,
        };
        let calls = MetadataCalls {
            import: &rewrite.metadata.import,
        };
        let new_body = build_default_wrapper(
            &original,
            &call,
            &self.agent_core_dll,
            self.agent_lookup,
            &mut tokens,
            &calls,
        )?;
        drop(tokens);
        crate::validation_event!(
            "rewrite",
            function = identity.to_string(),
            kind = "default",
            tracer_arguments = format!("{:#x}", call.tracer_arguments),
            original_size = body.len(),
            new_size = new_body.len(),
            body_hash = crate::validation::shape_fingerprint(&new_body, Some(call.function_id)),
            locals_added = if identity.signature.ret.is_void() {
                2u32
            } else {
                3u32
            }
        );
        trace_lines::rewrite_steps_done(identity, RewriteKind::Default);
        counters::runtime_call(|| control.set_il_function_body(&new_body))
            .map_err(|hr| RewriteError::Token(crate::instrument::tokens::TokenError::Metadata(hr)))
    }

    /// `ApiInstrumentor` (§5.1 step 2, §5.6).
    fn instrument_api(&self, identity: &FunctionIdentity, phase: &Phase<'_>) -> HRESULT {
        let name = identity.method.name.as_str();
        if name == ".cctor" || name == "GetAgent" {
            crate::log_debug!("Skipping instrumenting API method: {identity}");
            crate::validation_event!(
                "decision",
                function = identity.to_string(),
                outcome = "api_skip"
            );
            return S_OK;
        }
        crate::log_info!("Instrumenting API method: {identity}");
        crate::validation_event!(
            "decision",
            function = identity.to_string(),
            outcome = "api_instrument"
        );
        match self.write_api_wrapper(identity, phase) {
            Ok(()) => S_OK,
            Err(RewriteError::InvalidMethod(_)) => {
                crate::log_error!("Unexpected instruction in method {identity}");
                S_OK
            }
            Err(error) => report_rewrite_failure(identity, &error),
        }
    }

    fn write_api_wrapper(
        &self,
        identity: &FunctionIdentity,
        phase: &Phase<'_>,
    ) -> Result<(), RewriteError> {
        use crate::instrument::tokens::TokenError;
        let module_id = identity.module.module_id;
        let body = self
            .info
            .il_function_body(module_id, identity.method_token)
            .map_err(TokenError::from)?;
        let rewrite = self.module_rewrite(module_id).map_err(TokenError::from)?;
        let locals = original_locals(&rewrite.metadata.import, &body)?;
        let byref_like = self.byref_like_mask(identity);
        let mut tokens =
            Tokenizer::new(&rewrite.metadata, self.function_runtime(), &rewrite.tokens);
        let original = OriginalMethod {
            body: &body,
            signature: &identity.signature,
            locals: locals.as_deref(),
            byref_like: &byref_like,
        };
        let calls = MetadataCalls {
            import: &rewrite.metadata.import,
        };
        let target = ApiTarget {
            method_name: &identity.method.name,
            agent_core_dll: &self.agent_core_dll,
            lookup: self.agent_lookup,
            function_id: identity.function_id as u64,
        };
        let new_body = build_api_wrapper(&original, &target, &mut tokens, &calls)?;
        drop(tokens);
        crate::validation_event!(
            "rewrite",
            function = identity.to_string(),
            kind = "api",
            original_size = body.len(),
            new_size = new_body.len(),
            body_hash = crate::validation::shape_fingerprint(&new_body, None),
            locals_added = if identity.signature.ret.is_void() {
                0u32
            } else {
                1u32
            }
        );
        trace_lines::rewrite_steps_done(identity, RewriteKind::Api);
        let written = match phase {
            Phase::FirstJit => {
                self.info
                    .set_il_function_body(module_id, identity.method_token, &new_body)
            }
            Phase::ReJit(control) => control.set_il_function_body(&new_body),
        };
        written.map_err(|hr| RewriteError::Token(TokenError::Metadata(hr)))
    }
}

impl Active {
    /// Whether this JIT compilation of `function` is the one that decides
    /// (always, under the original's mask; the first one with tiered
    /// compilation kept, `profiler/first_jit.rs`).
    fn first_jit_decision(&self, function: FunctionID) -> bool {
        !self.mask_mode.keeps_ready_to_run() || self.first_jit_decisions.first(function)
    }

    /// Which of the method's values are byref-like and reach the agent as
    /// `null` (`instrument/byref_like.rs`, compatibility R9).
    fn byref_like_mask(&self, identity: &FunctionIdentity) -> ByRefLikeMask {
        let Some(import) = identity.module.import() else {
            return ByRefLikeMask::default();
        };
        let facts = RuntimeByRefLike {
            active: self,
            module: &identity.module,
            import,
            method: identity.method_token,
            class: identity.class_token(),
        };
        let mask = ByRefLikeMask::of(&identity.signature, &facts);
        if mask.any() {
            crate::log_debug!("Byref-like values are passed to the agent as null: {identity}");
        }
        mask
    }
}

enum IdentifyError {
    Metadata,
    /// The method's signature could not be parsed; carries the method name.
    Signature(String),
}

/// The blob behind the body's local signature token, if it has one.
fn original_locals(import: &MetadataImport, body: &[u8]) -> Result<Option<Vec<u8>>, RewriteError> {
    let header = crate::il::MethodBody::decode(body)?.header;
    if header.local_var_sig_token & 0x00FF_FFFF == 0 {
        return Ok(None);
    }
    import
        .signature_from_token(header.local_var_sig_token)
        .map(Some)
        .map_err(|hr| RewriteError::Token(crate::instrument::tokens::TokenError::Metadata(hr)))
}

/// The API attribute on `method`, by type name (§4.8).
fn api_attribute(import: &MetadataImport, method: u32) -> ApiAttribute {
    if let Ok(Some(blob)) = import.custom_attribute(method, TRANSACTION_ATTRIBUTE) {
        return ApiAttribute::transaction_from_blob(&blob);
    }
    if let Ok(Some(_)) = import.custom_attribute(method, TRACE_ATTRIBUTE) {
        return ApiAttribute::Trace;
    }
    ApiAttribute::None
}

fn has_attribute(identity: &FunctionIdentity, name: &str) -> bool {
    identity
        .module
        .import()
        .map(|import| {
            matches!(
                import.custom_attribute(identity.method_token, name),
                Ok(Some(_))
            )
        })
        .unwrap_or(false)
}

/// Records an instrumentation decision for a method with a point.
fn decided(identity: &FunctionIdentity, point: &InstrumentationPoint, outcome: &str) -> HRESULT {
    crate::validation_event!(
        "decision",
        function = identity.to_string(),
        outcome = outcome,
        point = point.match_key(),
        tracer_factory = point.tracer_factory_name.as_str()
    );
    S_OK
}

/// Logs why a method stays unmodified; the callback still succeeds from the
/// runtime's point of view except for the original's `E_FAIL` cases.
fn report_rewrite_failure(identity: &FunctionIdentity, error: &RewriteError) -> HRESULT {
    crate::validation_event!(
        "rewrite_failed",
        function = identity.to_string(),
        reason = error.to_string()
    );
    match error {
        RewriteError::InvalidMethod(reason) => {
            crate::log_error!("{reason}");
            crate::log_info!("Skipping invalid method: {identity}");
            S_OK
        }
        other => {
            crate::log_error!(
                "An exception was thrown while possibly instrumenting function: {identity}"
            );
            crate::log_error!("{other}");
            E_FAIL
        }
    }
}
