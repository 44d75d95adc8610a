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
