//! Rewriting the public API type `NewRelic.Api.Agent.NewRelic`
//! (reference-profiler §5.6): each method calls the agent's
//! `NewRelic.Agent.Core.AgentApi.<same name>(<same parameter types>)` by
//! reflection and runs its own body only when that call throws.
//!
//! ```text
//!   try { [result =] <AgentApi MethodInfo>.Invoke(null, object[] { args }) }
//!   catch (Exception) { <original body, every ret → exit>; [exit: stloc result] }
//!   [ldloc result] ret
//! ```
//!
//! The `MethodInfo` comes from per-call reflection, or on .NET Framework
//! from AppDomain storage through the mscorlib helper under
//! `NewRelic.Agent.Core.AgentApi.<method>_<function id>` (§5.4.1, §5.6).

use super::agent_method::{
    app_domain_cache_key, push_method_info, push_method_info_from_app_domain_storage,
    AGENT_API_CLASS,
};
use super::rewrite_error::RewriteError;
use super::tokens::KnownMethod;
use super::tracer_request::AgentLookup;
use super::wrapper::{argument_array, OriginalMethod};
use super::wrapper_tokens::WrapperTokens;
use crate::il::signature::{append_locals, TypeSig};
use crate::il::{CallResolver, CallShape, EncodeOptions, Handler, Instruction, MethodBody, OpCode};

/// The agent method an API method calls, and how it is found.
pub struct ApiTarget<'a> {
    /// The agent method's name (the API method's own).
    pub method_name: &'a str,
    pub agent_core_dll: &'a str,
    pub lookup: AgentLookup,
    /// The API method's FunctionID, part of the AppDomain storage key.
    pub function_id: u64,
}

/// Rewrites an API method to call `target`.
pub fn build_api_wrapper(
    original: &OriginalMethod<'_>,
    target: &ApiTarget<'_>,
    tokens: &mut dyn WrapperTokens,
    calls: &dyn CallResolver,
) -> Result<Vec<u8>, RewriteError> {
    let sig = original.signature;
    let mut b = MethodBody::decode(original.body)?;
    let last_is_ret = b
        .last()
        .and_then(|l| b.get(l))
        .is_some_and(|i| i.opcode == OpCode::Ret);
    if !last_is_ret {
        return Err(RewriteError::InvalidMethod(
            "Unexpected instruction in method",
        ));
    }
    let returns = !sig.ret.is_void();
    let exception_type = tokens.framework_type("System.Exception")?;
    let original_max_stack = b.header.max_stack;
    let result = if returns {
        let appended = append_locals(original.locals, std::slice::from_ref(&sig.ret))?;
        b.header.local_var_sig_token = tokens.local_signature(&appended.blob)?;
        Some(appended.first_index)
    } else {
        None
    };
    if b.header.form == crate::il::HeaderForm::Tiny {
        b.header.flags |= 0x0010;
    }

    // The original body becomes the catch handler: pop the exception first.
    let exit = b.retarget_returns()?;
    if let Some(result) = result {
        let store = b.create(Instruction::stloc(result));
        b.insert_after(exit, &[store])?;
    }
    let end = b.create(Instruction::simple(OpCode::Nop));
    let leave_handler = b.create(Instruction::branch(OpCode::Leave, end));
    b.push_back(&[leave_handler])?;
    let pop = b.create(Instruction::simple(OpCode::Pop));
    b.push_front(&[pop])?;
    let (Some(handler_first), Some(handler_last)) = (b.first(), b.last()) else {
        return Err(RewriteError::InvalidMethod("empty method body"));
    };

    // The protected call into the agent.
    let types = parameter_types(sig, tokens)?;
    let mut call = if target.lookup.uses_helpers() {
        let key = app_domain_cache_key(AGENT_API_CLASS, target.method_name, target.function_id);
        push_method_info_from_app_domain_storage(
            tokens,
            &key,
            target.agent_core_dll,
            AGENT_API_CLASS,
            target.method_name,
            Some(types),
        )?
    } else {
        push_method_info(
            tokens,
            target.agent_core_dll,
            AGENT_API_CLASS,
            target.method_name,
            Some(types),
        )?
    };
    call.push(Instruction::simple(OpCode::Ldnull));
    call.extend(argument_array(sig, original.byref_like, tokens)?);
    call.push(Instruction::token(
        OpCode::Call,
        tokens.method(KnownMethod::MethodBaseInvoke)?,
    ));
    match result {
        Some(result) => {
            if is_value_type(&sig.ret) {
                call.push(Instruction::token(
                    OpCode::Unbox_Any,
                    tokens.type_token(&sig.ret)?,
                ));
            }
            call.push(Instruction::stloc(result));
        }
        None => call.push(Instruction::simple(OpCode::Pop)),
    }
    let protected: Vec<_> = call.into_iter().map(|i| b.create(i)).collect();
    let leave_try = b.create(Instruction::branch(OpCode::Leave, end));
    let mut front = protected.clone();
    front.push(leave_try);
    b.push_front(&front)?;
    b.add_clause(crate::il::ExceptionClause::new(
        Handler::Catch(exception_type),
        front[0],
        leave_try,
        handler_first,
        handler_last,
    ));
    b.push_back(&[end])?;
    if let Some(result) = result {
        let load = b.create(Instruction::ldloc(result));
        b.push_back(&[load])?;
    }
    let ret = b.create(Instruction::simple(OpCode::Ret));
    b.push_back(&[ret])?;

    let resolver = ApiCalls {
        tokens: &*tokens,
        inner: calls,
    };
    let computed = b.compute_max_stack(&resolver)?;
    b.header.max_stack = computed.max(original_max_stack);
    Ok(b.encode_with(&EncodeOptions {
        force_fat_header: true,
        force_fat_eh: false,
        shrink_branches: false,
    })?)
}

/// `new Type[] { typeof(P0), … }`, by-ref parameters as their element type (§5.6).
fn parameter_types(
    sig: &crate::il::signature::MethodSig,
    tokens: &mut dyn WrapperTokens,
) -> Result<Vec<Instruction>, RewriteError> {
    let type_class = tokens.framework_type("System.Type")?;
    let from_handle = tokens.method(KnownMethod::TypeGetTypeFromHandle)?;
    let mut code = vec![
        Instruction::ldc_i4(sig.params.len() as i32),
        Instruction::token(OpCode::Newarr, type_class),
    ];
    for (index, param) in sig.params.iter().enumerate() {
        let plain = match param.unmodified() {
            TypeSig::ByRef(inner) => inner.as_ref(),
            other => other,
        };
        code.push(Instruction::simple(OpCode::Dup));
        code.push(Instruction::ldc_i4(index as i32));
        code.push(Instruction::token(
            OpCode::Ldtoken,
            tokens.type_token(plain)?,
        ));
        code.push(Instruction::token(OpCode::Call, from_handle));
        code.push(Instruction::simple(OpCode::Stelem_Ref));
    }
    Ok(code)
}

/// Whether a return value needs `unbox.any` out of the reflective result.
/// The original stores the `object` unconverted, which is only valid for
/// reference types; value types are unboxed here (docs/compatibility.md).
fn is_value_type(ty: &TypeSig) -> bool {
    use crate::il::signature::Primitive;
    match ty.unmodified() {
        TypeSig::Primitive(Primitive::String | Primitive::Object) => false,
        TypeSig::Primitive(_) | TypeSig::ValueType(_) => true,
        TypeSig::GenericInst { value_type, .. } => *value_type,
        _ => false,
    }
}

struct ApiCalls<'a> {
    tokens: &'a dyn WrapperTokens,
    inner: &'a dyn CallResolver,
}

impl CallResolver for ApiCalls<'_> {
    fn call_shape(&self, token: u32) -> Option<CallShape> {
        self.tokens
            .known_call_shape(token)
            .or_else(|| self.inner.call_shape(token))
    }
}
