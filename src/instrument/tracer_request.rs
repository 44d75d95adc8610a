//! The first protected region of the default wrapper (reference-profiler
//! §5.4, TRY_A): obtain the agent's finish delegate by calling
//! `AgentShim.GetFinishTracerDelegate` with the eleven tracer arguments.
//!
//! Three ways to reach the agent method, chosen once per process
//! ([`AgentLookup`]); the agent receives the same eleven values each way:
//!
//! * **Per-call reflection** — the original's CoreCLR path (§5.4.1):
//!   `Assembly.LoadFrom(path).GetType(class).GetMethod(name)` and
//!   `MethodBase.Invoke(null, object[11])` on every call of every
//!   instrumented method. Used when `NEW_RELIC_DISABLE_APPDOMAIN_CACHING` is
//!   true and on CoreCLR runtimes older than .NET 5 (no public
//!   `AppContext.SetData`).
//! * **Cached typed delegate** (the default; docs/compatibility.md R8) — the
//!   first call looks the method up as above, turns it into a
//!   ``Func`12<…, Action<object, Exception>>`` and stores it with
//!   `AppContext.SetData`; every call fetches it with `AppContext.GetData`
//!   and invokes it directly: no assembly load, no member lookup, no
//!   `object[11]`, no boxing of the two integers. This is the Framework
//!   agent's AppDomain cache (§5.4.1) brought to CoreCLR without injecting
//!   helper methods into CoreLib.
//! * **AppDomain storage through the mscorlib helper** — the original's
//!   .NET Framework path (§5.4.1, §5.5): the `MethodInfo` comes from
//!   `CannotUnloadAppDomainException.GetMethodFromAppDomainStorageOrReflectionOrThrow`
//!   (looked up once per AppDomain, then read from AppDomain data), then
//!   `MethodBase.Invoke(null, object[11])` as in the per-call path.
//!
//! ```text
//!   ldstr KEY; call AppContext.GetData; isinst Func; dup; brtrue HAVE
//!   pop
//!   ldstr KEY; <MethodInfo lookup>; ldtoken Func; call Type.GetTypeFromHandle
//!   callvirt MethodInfo.CreateDelegate(Type); call AppContext.SetData
//!   ldstr KEY; call AppContext.GetData; castclass Func
//! HAVE:
//!   <the eleven arguments, typed>; callvirt Func.Invoke
//! ```

use super::agent_method::{
    app_domain_cache_key, push_method_info, push_method_info_from_app_domain_storage,
    AGENT_SHIM_CLASS, FINISH_TRACER_METHOD,
};
use super::byref_like::ByRefLikeMask;
use super::rewrite_error::RewriteError;
use super::tokens::KnownMethod;
use super::wrapper::{argument_array, TracerCall};
use super::wrapper_tokens::WrapperTokens;
use crate::il::signature::MethodSig;
use crate::il::{Instruction, OpCode};

/// How injected code reaches `AgentShim.GetFinishTracerDelegate`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AgentLookup {
    /// Reflection and `MethodBase.Invoke` on every call (the original on CoreCLR).
    PerCallReflection,
    /// A typed delegate cached in `AppContext` data (the default).
    CachedDelegate,
    /// .NET Framework: the `MethodInfo` from AppDomain storage through the
    /// helper injected into mscorlib, then `MethodBase.Invoke` (§5.4.1).
    AppDomainHelper,
}

impl AgentLookup {
    /// Whether wrappers call the helper methods of §5.5.
    pub fn uses_helpers(self) -> bool {
        self == AgentLookup::AppDomainHelper
    }
}

/// The `AppContext` data name the cached delegate is stored under; one per
/// process, like the Framework agent's AppDomain cache key (§5.4.1).
pub const CACHE_KEY: &str = "NewRelic.Agent.Core.AgentShim.GetFinishTracerDelegate";

/// The TRY_A code, leaving the finish delegate (typed `object`) on the stack.
pub struct TracerRequest {
    pub code: Vec<Instruction>,
    /// `(branch, target)`: indexes into `code` of a placeholder to replace by
    /// `brtrue <label of target>` once the instructions have labels.
    pub branch: Option<(usize, usize)>,
}

/// Builds the call of `GetFinishTracerDelegate` for `call`.
pub fn tracer_request(
    sig: &MethodSig,
    byref_like: &ByRefLikeMask,
    call: &TracerCall<'_>,
    agent_core_dll: &str,
    lookup: AgentLookup,
    tokens: &mut dyn WrapperTokens,
) -> Result<TracerRequest, RewriteError> {
    let method = (sig, byref_like);
    match lookup {
        AgentLookup::PerCallReflection | AgentLookup::AppDomainHelper => {
            per_call(method, call, agent_core_dll, lookup, tokens)
        }
        AgentLookup::CachedDelegate => cached(method, call, agent_core_dll, tokens),
    }
}

/// The wrapped method's signature and its byref-like values.
type Method<'a> = (&'a MethodSig, &'a ByRefLikeMask);

fn per_call(
    sig: Method<'_>,
    call: &TracerCall<'_>,
    agent_core_dll: &str,
    lookup: AgentLookup,
    tokens: &mut dyn WrapperTokens,
) -> Result<TracerRequest, RewriteError> {
    let object = tokens.framework_type("System.Object")?;
    let mut code = if lookup.uses_helpers() {
        // The original passes function id 0 here: one entry for every wrapper.
        let key = app_domain_cache_key(AGENT_SHIM_CLASS, FINISH_TRACER_METHOD, 0);
        push_method_info_from_app_domain_storage(
            tokens,
            &key,
            agent_core_dll,
            AGENT_SHIM_CLASS,
            FINISH_TRACER_METHOD,
            None,
        )?
    } else {
        push_method_info(
            tokens,
            agent_core_dll,
            AGENT_SHIM_CLASS,
            FINISH_TRACER_METHOD,
            None,
        )?
    };
    code.push(Instruction::simple(OpCode::Ldnull));
    code.push(Instruction::ldc_i4(11));
    code.push(Instruction::token(OpCode::Newarr, object));
    for (index, value) in arguments(sig, call, tokens, true)?.into_iter().enumerate() {
        code.push(Instruction::simple(OpCode::Dup));
        code.push(Instruction::ldc_i4(index as i32));
        code.extend(value);
        code.push(Instruction::simple(OpCode::Stelem_Ref));
    }
    code.push(Instruction::token(
        OpCode::Callvirt,
        tokens.method(KnownMethod::MethodBaseInvoke)?,
    ));
    Ok(TracerRequest { code, branch: None })
}

fn cached(
    sig: Method<'_>,
    call: &TracerCall<'_>,
    agent_core_dll: &str,
    tokens: &mut dyn WrapperTokens,
) -> Result<TracerRequest, RewriteError> {
    let key = tokens.user_string(CACHE_KEY)?;
    let get_data = tokens.method(KnownMethod::AppContextGetData)?;
    let func = tokens.finish_tracer_func()?;
    let mut code = vec![
        Instruction::token(OpCode::Ldstr, key),
        Instruction::token(OpCode::Call, get_data),
        Instruction::token(OpCode::Isinst, func),
        Instruction::simple(OpCode::Dup),
        // Placeholder for `brtrue HAVE`.
        Instruction::simple(OpCode::Nop),
        Instruction::simple(OpCode::Pop),
        Instruction::token(OpCode::Ldstr, key),
    ];
    let branch = code.len() - 3;
    code.extend(push_method_info(
        tokens,
        agent_core_dll,
        AGENT_SHIM_CLASS,
        FINISH_TRACER_METHOD,
        None,
    )?);
    code.extend([
        Instruction::token(OpCode::Ldtoken, func),
        Instruction::token(
            OpCode::Call,
            tokens.method(KnownMethod::TypeGetTypeFromHandle)?,
        ),
        Instruction::token(
            OpCode::Callvirt,
            tokens.method(KnownMethod::MethodInfoCreateDelegate)?,
        ),
        Instruction::token(OpCode::Call, tokens.method(KnownMethod::AppContextSetData)?),
        Instruction::token(OpCode::Ldstr, key),
        Instruction::token(OpCode::Call, get_data),
        Instruction::token(OpCode::Castclass, func),
    ]);
    let have = code.len();
    for value in arguments(sig, call, tokens, false)? {
        code.extend(value);
    }
    code.push(Instruction::token(
        OpCode::Callvirt,
        tokens.method(KnownMethod::FinishTracerFuncInvoke)?,
    ));
    Ok(TracerRequest {
        code,
        branch: Some((branch, have)),
    })
}

/// The eleven values in parameter order (§5.4); `boxed` boxes the two
/// integers for the `object[]` of the reflective call.
fn arguments(
    (sig, byref_like): Method<'_>,
    call: &TracerCall<'_>,
    tokens: &mut dyn WrapperTokens,
    boxed: bool,
) -> Result<Vec<Vec<Instruction>>, RewriteError> {
    let mut string = |text: &str| -> Result<Vec<Instruction>, RewriteError> {
        Ok(vec![Instruction::token(
            OpCode::Ldstr,
            tokens.user_string(text)?,
        )])
    };
    // The original inserts these two through a path that drops leading spaces (QUIRK kept).
    let factory = string(call.tracer_factory_name.trim_start_matches(' '))?;
    let metric = string(call.metric_name.trim_start_matches(' '))?;
    let assembly = string(call.assembly_name)?;
    let type_name = string(call.type_name)?;
    let method_name = string(call.method_name)?;
    let signature = string(call.argument_signature)?;
    let mut tracer_arguments = vec![Instruction::ldc_i4(call.tracer_arguments as i32)];
    let mut function_id = vec![Instruction::ldc_i8(call.function_id as i64)];
    if boxed {
        let uint32 = tokens.framework_type("System.UInt32")?;
        tracer_arguments.push(Instruction::token(OpCode::Box, uint32));
        let uint64 = tokens.framework_type("System.UInt64")?;
        function_id.push(Instruction::token(OpCode::Box, uint64));
    }
    let from_handle = tokens.method(KnownMethod::TypeGetTypeFromHandle)?;
    let this = if sig.has_this() {
        Instruction::ldarg(0)
    } else {
        Instruction::simple(OpCode::Ldnull)
    };
    Ok(vec![
        factory,
        tracer_arguments,
        metric,
        assembly,
        vec![
            Instruction::token(OpCode::Ldtoken, call.type_def),
            Instruction::token(OpCode::Call, from_handle),
        ],
        type_name,
        method_name,
        signature,
        vec![this],
        argument_array(sig, byref_like, tokens)?,
        function_id,
    ])
}
