//! How injected code obtains the `MethodInfo` of the agent method it calls
//! (reference-profiler §5.4.1). Kept apart from the wrapper so the lookup
//! strategy can change (a cached delegate, later) without touching what the
//! agent receives.
//!
//! CoreCLR (and Framework with AppDomain caching disabled), per call:
//! `Assembly.LoadFrom(<agent path>).GetType(<class>).GetMethod(<method>[, <types>])`.

use super::tokens::{KnownMethod, TokenResult};
use super::wrapper_tokens::WrapperTokens;
use crate::il::{Instruction, OpCode};

/// The agent's shim class and entry point for the default wrapper.
pub const AGENT_SHIM_CLASS: &str = "NewRelic.Agent.Core.AgentShim";
pub const FINISH_TRACER_METHOD: &str = "GetFinishTracerDelegate";
/// The agent's API class for the API wrapper (§5.6).
pub const AGENT_API_CLASS: &str = "NewRelic.Agent.Core.AgentApi";

/// Instructions leaving the `MethodInfo` on the stack. `parameter_types`,
/// when given, are pushed by the caller's closure as a `Type[]` and select
/// an overload (`GetMethod(string, Type[])`).
pub fn push_method_info(
    tokens: &mut dyn WrapperTokens,
    agent_core_dll: &str,
    class: &str,
    method: &str,
    parameter_types: Option<Vec<Instruction>>,
) -> TokenResult<Vec<Instruction>> {
    let mut code = vec![
        Instruction::token(OpCode::Ldstr, tokens.user_string(agent_core_dll)?),
        Instruction::token(OpCode::Call, tokens.method(KnownMethod::AssemblyLoadFrom)?),
        Instruction::token(OpCode::Ldstr, tokens.user_string(class)?),
        Instruction::token(
            OpCode::Callvirt,
            tokens.method(KnownMethod::AssemblyGetType)?,
        ),
        Instruction::token(OpCode::Ldstr, tokens.user_string(method)?),
    ];
    match parameter_types {
        Some(types) => {
            code.extend(types);
            code.push(Instruction::token(
                OpCode::Callvirt,
                tokens.method(KnownMethod::TypeGetMethodWithTypes)?,
            ));
        }
        None => code.push(Instruction::token(
            OpCode::Callvirt,
            tokens.method(KnownMethod::TypeGetMethod)?,
        )),
    }
    Ok(code)
}

/// The .NET Framework path (§5.4.1, §5.5): the same `MethodInfo`, through
/// the helper injected into mscorlib, which keeps it in AppDomain storage
/// under `cache_key` (`<class>.<method>_<function id>`) after the first
/// lookup. `parameter_types` as for [`push_method_info`]; `null` without.
pub fn push_method_info_from_app_domain_storage(
    tokens: &mut dyn WrapperTokens,
    cache_key: &str,
    agent_core_dll: &str,
    class: &str,
    method: &str,
    parameter_types: Option<Vec<Instruction>>,
) -> TokenResult<Vec<Instruction>> {
    let mut code = Vec::with_capacity(6);
    for text in [cache_key, agent_core_dll, class, method] {
        code.push(Instruction::token(OpCode::Ldstr, tokens.user_string(text)?));
    }
    match parameter_types {
        Some(types) => code.extend(types),
        None => code.push(Instruction::simple(OpCode::Ldnull)),
    }
    code.push(Instruction::token(
        OpCode::Call,
        tokens.method(KnownMethod::HelperGetMethodFromStorageOrReflection)?,
    ));
    Ok(code)
}

/// The AppDomain storage key of §5.4.1: `<class>.<method>_<function id>`
/// (function id 0 for the default wrapper's `GetFinishTracerDelegate`).
pub fn app_domain_cache_key(class: &str, method: &str, function_id: u64) -> String {
    format!("{class}.{method}_{function_id}")
}
