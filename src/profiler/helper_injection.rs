//! The .NET Framework helper methods at run time (reference-profiler §5.5,
//! §5.1 HelperInstrumentor): at `ModuleLoadFinished` of the host (mscorlib)
//! the six methods are defined on `System.CannotUnloadAppDomainException`;
//! every other module gets the `mscorlib` AssemblyRef (when missing), the
//! TypeRef and the six MemberRefs; at a helper's first JIT its body is
//! written as a tiny method (`instrument/helper_methods.rs`).
//!
//! On CoreCLR this is off, except under the test-only switch
//! [`TEST_SWITCH`]: the host is then `System.Private.CoreLib`, which still
//! defines `System.CannotUnloadAppDomainException` (the `mscorlib` facade
//! forwards it), and instrumented functions are treated as .NET Framework
//! functions (Framework tokens under `[mscorlib]`, the AppDomain-storage
//! lookup), so the whole Framework path runs under a real JIT.

use super::active::Active;
use crate::clr::assembly_metadata::Version4;
use crate::clr::info_module::ModuleMetadata;
use crate::clr::metadata_define::{MethodDefinition, DCL_ASSERT};
use crate::clr::HResult;
use crate::ffi::hresult::{CLDB_E_RECORD_NOTFOUND, E_FAIL, S_OK};
use crate::ffi::types::{mdMethodDef, mdTypeDef, FunctionID, ModuleID, HRESULT};
use crate::instrument::helper_methods::{
    build_helper_body, dispatch, permission_blob, Helper, HelperDispatch, HelperTokens, HostMethod,
    SignatureClass, CUSTOM_ATTRIBUTE_BLOB, HELPER_ATTRIBUTES, HELPER_CLASS,
    HELPER_CUSTOM_ATTRIBUTES, HELPER_IMPL_FLAGS, UNKNOWN_HELPER_LINE,
};
use crate::instrument::tokens::{TokenError, TokenResult, Tokenizer};
use crate::runtime::RuntimeKind;
use once_cell::sync::OnceCell;
use std::collections::HashMap;

/// Test only: on CoreCLR, inject the helpers into `System.Private.CoreLib`
/// and treat instrumented functions as .NET Framework functions
/// (docs/architecture.md, diagnostic switches).
pub const TEST_SWITCH: &str = "NEWRELIC_PROFILER_TEST_FRAMEWORK_HELPERS";

/// `HASTHIS, 0 parameters, void`: the signature of a default constructor.
const DEFAULT_CONSTRUCTOR: [u8; 3] = [0x20, 0x00, 0x01];
/// The public key token of mscorlib (and of its facade on CoreCLR).
const MSCORLIB_TOKEN: [u8; 8] = [0xB7, 0x7A, 0x5C, 0x56, 0x19, 0x34, 0xE0, 0x89];

/// Where the helpers go, if anywhere.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HelperMode {
    /// CoreCLR: no helpers (§1.4).
    Off,
    /// .NET Framework: the host is mscorlib.
    Framework,
    /// Test only, CoreCLR: the host is `System.Private.CoreLib`.
    CoreLibTest,
}

impl HelperMode {
    pub fn choose(runtime: RuntimeKind, test_switch: bool) -> HelperMode {
        match runtime {
            RuntimeKind::Framework => HelperMode::Framework,
            RuntimeKind::Core if test_switch => HelperMode::CoreLibTest,
            RuntimeKind::Core => HelperMode::Off,
        }
    }

    /// How the host module's file name ends (case-sensitive, §5.5).
    fn host_suffix(self) -> &'static str {
        match self {
            HelperMode::CoreLibTest => "System.Private.CoreLib.dll",
            _ => "mscorlib.dll",
        }
    }
}

/// The injection state of one profiler.
pub struct HelperInjection {
    mode: HelperMode,
    host: OnceCell<HelperHost>,
}

impl Default for HelperInjection {
    fn default() -> Self {
        HelperInjection::new(HelperMode::Off)
    }
}

/// The host module once the helpers are defined in it.
struct HelperHost {
    module_id: ModuleID,
    /// Every method of the helper class, the injected ones included: the
    /// methods HelperInstrumentor looks at.
    class_methods: Vec<mdMethodDef>,
    helpers: HashMap<Helper, mdMethodDef>,
    /// Helpers whose body is set: the runtime keeps a body set with
    /// `SetILFunctionBody` for every later compilation of the method (a
    /// tiered re-JIT included), so it is written once.
    written: parking_lot::Mutex<Vec<mdMethodDef>>,
}

impl HelperInjection {
    pub fn new(mode: HelperMode) -> HelperInjection {
        HelperInjection {
            mode,
            host: OnceCell::new(),
        }
    }

    pub fn mode(&self) -> HelperMode {
        self.mode
    }

    /// Whether a helper body may be due: the helpers were defined.
    pub fn is_active(&self) -> bool {
        self.host.get().is_some()
    }
}

/// What happened at one module load, for the return value of §5.5.
#[derive(Debug, PartialEq, Eq)]
pub enum InjectionOutcome {
    Done,
    /// The module failed to load: its status is returned unchanged.
    ModuleFailed(HRESULT),
    /// No metadata (resource module): skipped.
    NoMetadata,
    /// Module details could not be read.
    DetailsFailed,
}

/// `ModuleLoadFinished`'s return value on .NET Framework (§5.5).
pub fn framework_result(outcome: &InjectionOutcome) -> HRESULT {
    match outcome {
        InjectionOutcome::ModuleFailed(status) => *status,
        InjectionOutcome::DetailsFailed => E_FAIL,
        InjectionOutcome::Done | InjectionOutcome::NoMetadata => S_OK,
    }
}

impl Active {
    /// The runtime flavour of instrumented functions: the process's, except
    /// under the test switch (the original decides it per function, §1.4).
    pub fn function_runtime(&self) -> RuntimeKind {
        match self.helpers.mode() {
            HelperMode::CoreLibTest => RuntimeKind::Framework,
            _ => self.runtime,
        }
    }

    /// Sets where the helpers go (at start-up, before the first callback).
    pub fn with_helpers(mut self, mode: HelperMode) -> Active {
        self.helpers = HelperInjection::new(mode);
        self
    }

    /// `ModuleLoadFinished`, the injection part; the HRESULT of §5.5 on
    /// .NET Framework, `S_OK` on CoreCLR (§1.4) and when off.
    pub fn inject_helpers(&self, module_id: ModuleID, status: HRESULT) -> HRESULT {
        if self.helpers.mode() == HelperMode::Off {
            return S_OK;
        }
        let outcome = self.inject_into_module(module_id, status);
        crate::validation_event!(
            "helper_injection",
            module = module_id,
            outcome = format!("{outcome:?}")
        );
        match self.runtime {
            RuntimeKind::Framework => framework_result(&outcome),
            RuntimeKind::Core => S_OK,
        }
    }

    fn inject_into_module(&self, module_id: ModuleID, status: HRESULT) -> InjectionOutcome {
        if status < 0 {
            return InjectionOutcome::ModuleFailed(status);
        }
        crate::log_trace!("Module Injection Started. {module_id}");
        let Ok(info) = self.info.module_info(module_id) else {
            crate::log_error!("An exception was thrown while getting details about a module.");
            return InjectionOutcome::DetailsFailed;
        };
        let rewrite = match self.module_rewrite(module_id) {
            Ok(rewrite) => rewrite,
            Err(hr) if hr == HResult::POINTER => {
                crate::log_warn!("Failed to get metadata from the module, it is likely a resource module.  ModuleName: {}", info.name);
                return InjectionOutcome::NoMetadata;
            }
            Err(_) => {
                crate::log_error!("An exception was thrown while getting details about a module.");
                return InjectionOutcome::DetailsFailed;
            }
        };
        let metadata = &rewrite.metadata;
        let name = if info.name.is_empty() {
            metadata.import.scope_name().unwrap_or_default()
        } else {
            info.name
        };
        let host_suffix = self.helpers.mode().host_suffix();
        let outcome = if name.ends_with(host_suffix) {
            crate::log_debug!("Injecting helper methods into {name}");
            let _guard = rewrite.tokens.lock();
            self.define_helpers(module_id, metadata);
            InjectionOutcome::Done
        } else if name.ends_with("mscorlib.dll") {
            // Only under the test switch: the mscorlib facade, which is the
            // assembly the references would point at.
            crate::log_trace!(
                "Not injecting references to helper methods into the mscorlib facade {name}"
            );
            InjectionOutcome::Done
        } else {
            inject_references(&name, &rewrite.metadata, &rewrite.tokens)
        };
        if outcome == InjectionOutcome::Done {
            crate::log_trace!("Module Injection Finished. {module_id} : {name}");
        }
        outcome
    }

    /// The six `DefineMethod`s with their attributes and Assert; a failing
    /// method is reported and the next one tried, as in the original.
    fn define_helpers(&self, module_id: ModuleID, metadata: &ModuleMetadata) {
        let mut helpers = HashMap::new();
        for helper in Helper::ALL {
            if let Err(failed) = define_helper(metadata, helper, &mut helpers) {
                failed.log();
                crate::log_error!(
                    "Failed to tokenize method signature: {}. Proceeding to next method.",
                    helper.text(true)
                );
            }
        }
        let class_methods = match metadata.import.find_type_def(HELPER_CLASS, 0) {
            Ok(Some(class)) => metadata.import.methods(class).unwrap_or_default(),
            _ => Vec::new(),
        };
        let _ = self.helpers.host.set(HelperHost {
            module_id,
            class_methods,
            helpers,
            written: parking_lot::Mutex::new(Vec::new()),
        });
    }

    /// HelperInstrumentor (§5.1) for a function at its first JIT: writes the
    /// body of an injected helper; other functions are left alone.
    pub(super) fn instrument_helper(&self, function_id: FunctionID) {
        let Some(host) = self.helpers.host.get() else {
            return;
        };
        let Ok(function) = self.info.function_info(function_id) else {
            return;
        };
        if function.module_id != host.module_id
            || !host.class_methods.contains(&function.token)
            || host.written.lock().contains(&function.token)
        {
            return;
        }
        let Ok(facts) = self.modules.get(&self.info, function.module_id) else {
            return;
        };
        let Some(import) = facts.import() else {
            return;
        };
        let Ok(props) = import.method_props(function.token) else {
            return;
        };
        let helper = match dispatch(HELPER_CLASS, &props.name) {
            HelperDispatch::NotAHelper => return,
            HelperDispatch::Unknown => {
                crate::log_error!("{UNKNOWN_HELPER_LINE}");
                return;
            }
            HelperDispatch::Build(helper) => helper,
        };
        let parameters = crate::instrument::function::parameter_text(import, &props.signature)
            .map(|(_, text)| text)
            .unwrap_or_default();
        // The AppDomain name is read per function, as for every other
        // function line (compatibility R5).
        let display = format!(
            "(Module: {}, AppDomain: {})[{}]{HELPER_CLASS}.{}({parameters})",
            facts.path,
            facts.app_domain_name(&self.info),
            facts.assembly_name,
            props.name
        );
        crate::log_info!("Instrumenting helper method: {display}");
        match self.write_helper_body(host, function.token, helper) {
            Ok(size) => {
                host.written.lock().push(function.token);
                crate::validation_event!(
                    "rewrite",
                    function = display,
                    kind = "helper",
                    new_size = size
                )
            }
            Err(error) => {
                crate::log_error!(
                    "An exception was thrown while possibly instrumenting function: {display}"
                );
                crate::log_error!("{error}");
            }
        }
    }

    /// Builds `helper`'s body with the host's tokens (metadata writes
    /// serialised by the module's token lock) and sets it before its JIT.
    fn write_helper_body(
        &self,
        host: &HelperHost,
        method: mdMethodDef,
        helper: Helper,
    ) -> Result<usize, String> {
        let rewrite = self
            .module_rewrite(host.module_id)
            .map_err(|hr| TokenError::from(hr).to_string())?;
        let _guard = rewrite.tokens.lock();
        let mut tokens = HostTokens {
            metadata: &rewrite.metadata,
            helpers: &host.helpers,
        };
        let body = build_helper_body(helper, &mut tokens).map_err(|e| e.to_string())?;
        self.info
            .set_il_function_body(host.module_id, method, &body)
            .map_err(|hr| TokenError::from(hr).to_string())?;
        Ok(body.len())
    }
}

/// A failed metadata call: the original's `ThrowOnError` line.
struct Failed {
    call: &'static str,
    hr: HResult,
}

impl Failed {
    fn log(&self) {
        crate::log_error!(
            "Win32 function call failed.  Function: {}  HRESULT: 0x{:08x}",
            self.call,
            self.hr
        );
    }
}

fn call<T>(call: &'static str, result: Result<T, HResult>) -> Result<T, Failed> {
    result.map_err(|hr| Failed { call, hr })
}

fn found<T>(call: &'static str, result: Result<Option<T>, HResult>) -> Result<T, Failed> {
    match result {
        Ok(Some(value)) => Ok(value),
        Ok(None) => Err(Failed {
            call,
            hr: HResult(CLDB_E_RECORD_NOTFOUND),
        }),
        Err(hr) => Err(Failed { call, hr }),
    }
}

/// One helper on the host: `DefineMethod` (RVA of the class's default
/// constructor as placeholder), the two custom attributes, the Assert.
fn define_helper(
    metadata: &ModuleMetadata,
    helper: Helper,
    defined: &mut HashMap<Helper, mdMethodDef>,
) -> Result<(), Failed> {
    let import = &metadata.import;
    let class = found("FindTypeDefByName", import.find_type_def(HELPER_CLASS, 0))?;
    let constructor = found(
        "FindMethod",
        import.find_method(class, ".ctor", &DEFAULT_CONSTRUCTOR),
    )?;
    let code_rva = call("GetMethodProps", import.method_props(constructor))?.rva;
    let mut attributes = Vec::new();
    for attribute in HELPER_CUSTOM_ATTRIBUTES {
        let ty = found("FindTypeDefByName", import.find_type_def(attribute, 0))?;
        attributes.push(found(
            "FindMethod",
            import.find_method(ty, ".ctor", &DEFAULT_CONSTRUCTOR),
        )?);
    }
    let signature = helper
        .signature(&mut |c| local_type(metadata, c.name()))
        .map_err(|e| Failed {
            call: "FindTypeDefByName",
            hr: token_hresult(&e),
        })?;
    let token = call(
        "DefineMethod",
        metadata.emit.define_method(&MethodDefinition {
            owner: class,
            name: helper.name(),
            attributes: HELPER_ATTRIBUTES,
            signature: &signature,
            code_rva,
            impl_flags: HELPER_IMPL_FLAGS,
        }),
    )?;
    defined.insert(helper, token);
    for constructor in attributes {
        call(
            "DefineCustomAttribute",
            metadata
                .emit
                .define_custom_attribute(token, constructor, &CUSTOM_ATTRIBUTE_BLOB),
        )?;
    }
    call(
        "DefinePermissionSet",
        metadata
            .emit
            .define_permission_set(token, DCL_ASSERT, &permission_blob()),
    )?;
    Ok(())
}

fn token_hresult(error: &TokenError) -> HResult {
    match error {
        TokenError::Metadata(hr) => *hr,
        _ => HResult::FAIL,
    }
}

/// A TypeDef of the host by name.
fn local_type(metadata: &ModuleMetadata, name: &str) -> TokenResult<mdTypeDef> {
    metadata
        .import
        .find_type_def(name, 0)?
        .ok_or(TokenError::Metadata(HResult(CLDB_E_RECORD_NOTFOUND)))
}

/// Every module but the host: the `mscorlib` AssemblyRef when missing (not
/// in `netstandard.dll`), then the helper class's TypeRef and the six
/// MemberRefs, so later rewrites find them (§5.5).
fn inject_references(
    name: &str,
    metadata: &ModuleMetadata,
    cache: &parking_lot::Mutex<crate::instrument::tokens::TokenCache>,
) -> InjectionOutcome {
    let references = metadata.assembly_import.assembly_refs().and_then(|refs| {
        refs.into_iter()
            .map(|token| metadata.assembly_import.assembly_ref(token).map(|r| r.name))
            .collect::<Result<Vec<_>, _>>()
    });
    let Ok(references) = references else {
        crate::log_error!("An exception was thrown while getting details about a module.");
        return InjectionOutcome::DetailsFailed;
    };
    let has_mscorlib = references.iter().any(|r| r.ends_with("mscorlib"));
    if !name.ends_with("netstandard.dll") && !has_mscorlib {
        crate::log_debug!(
            "Attempting to Inject reference to mscorlib into netstandard Module  {name}"
        );
        let version = Version4 {
            major: 4,
            minor: 0,
            build: 0,
            revision: 0,
        };
        match metadata
            .assembly_emit
            .define_assembly_ref("mscorlib", version, &MSCORLIB_TOKEN, 0)
        {
            Ok(token) => crate::log_debug!(
                "Attempting to Inject reference to mscorlib into netstandard Module  {name} - Success: {token}"
            ),
            Err(hr) => {
                crate::log_debug!("Attempting to Inject reference to mscorlib into netstandard Module  {name} - FAIL: {hr}");
                crate::log_info!("Unable to inject reference to mscorlib into {name}.  This module will not be instrumented.");
                return InjectionOutcome::Done;
            }
        }
    }
    crate::log_debug!("Injecting references to helper methods into {name}");
    let mut tokens = Tokenizer::new(metadata, RuntimeKind::Framework, cache);
    for helper in Helper::ALL {
        if tokens.helper_reference(helper).is_err() {
            crate::log_trace!(
                "Failed to tokenize method signature: {}. Skipping injection of other method references for this module.",
                helper.text(false)
            );
            break;
        }
    }
    InjectionOutcome::Done
}

/// Tokens in the host for the helper bodies: local TypeDefs and MethodDefs
/// (a MemberRef on the local TypeDef if a method is not found), the
/// injected helpers, user strings.
struct HostTokens<'a> {
    metadata: &'a ModuleMetadata,
    helpers: &'a HashMap<Helper, mdMethodDef>,
}

impl HostTokens<'_> {
    fn method_on(&self, owner: &str, name: &str, signature: &[u8]) -> TokenResult<u32> {
        let owner = local_type(self.metadata, owner)?;
        match self.metadata.import.find_method(owner, name, signature)? {
            Some(token) => Ok(token),
            None => Ok(self
                .metadata
                .emit
                .define_member_ref(owner, name, signature)?),
        }
    }
}

impl HelperTokens for HostTokens<'_> {
    fn host_method(&mut self, method: HostMethod) -> TokenResult<u32> {
        let (owner, name) = method.owner_and_name();
        let signature = method.signature(&mut |class| local_type(self.metadata, class))?;
        self.method_on(owner, name, &signature)
    }

    fn class(&mut self, class: SignatureClass) -> TokenResult<u32> {
        local_type(self.metadata, class.name())
    }

    fn helper(&mut self, helper: Helper) -> TokenResult<u32> {
        if let Some(token) = self.helpers.get(&helper) {
            return Ok(*token);
        }
        let signature = helper.signature(&mut |c| local_type(self.metadata, c.name()))?;
        self.method_on(HELPER_CLASS, helper.name(), &signature)
    }

    fn user_string(&mut self, text: &str) -> TokenResult<u32> {
        Ok(self.metadata.emit.define_user_string(text)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mode_follows_the_runtime_and_the_test_switch() {
        assert_eq!(
            HelperMode::choose(RuntimeKind::Framework, false),
            HelperMode::Framework
        );
        assert_eq!(
            HelperMode::choose(RuntimeKind::Core, false),
            HelperMode::Off
        );
        assert_eq!(
            HelperMode::choose(RuntimeKind::Core, true),
            HelperMode::CoreLibTest
        );
        assert_eq!(HelperMode::Framework.host_suffix(), "mscorlib.dll");
        assert_eq!(
            HelperMode::CoreLibTest.host_suffix(),
            "System.Private.CoreLib.dll"
        );
    }

    #[test]
    fn framework_module_load_results_follow_the_reference() {
        const HOST_PROTECTION: HRESULT = 0x8013_1509_u32 as i32;
        assert_eq!(
            framework_result(&InjectionOutcome::ModuleFailed(HOST_PROTECTION)),
            HOST_PROTECTION
        );
        assert_eq!(framework_result(&InjectionOutcome::DetailsFailed), E_FAIL);
        assert_eq!(framework_result(&InjectionOutcome::NoMetadata), S_OK);
        assert_eq!(framework_result(&InjectionOutcome::Done), S_OK);
    }
}
