//! The default instrumentation wrapper (reference-profiler §5.3–5.4): ask
//! the agent for a finish delegate, run the original body, report the
//! result or the exception, and never let an agent failure change what the
//! method does.
//!
//! ```text
//!   tracer = null; userException = null
//!   try { tracer = GetFinishTracerDelegate(…11 arguments…) } catch (Exception) { }
//!         (reached by reflection or through a cached delegate: tracer_request.rs)
//!   try { <original body, every ret → exit>; exit: [stloc result] }
//!   catch (Exception) {
//!       userException = e
//!       if (tracer != null) try { ((Action<object,Exception>)tracer)(null, e) } catch (Exception) { }
//!       rethrow
//!   }
//!   if (tracer != null) try { ((Action<object,Exception>)tracer)(box result | null, null) } catch (Exception) { }
//!   [ldloc result] ret
//! ```

use super::byref_like::ByRefLikeMask;
use super::rewrite_error::RewriteError;
use super::tokens::KnownMethod;
use super::tracer_request::{tracer_request, AgentLookup};
use super::wrapper_tokens::WrapperTokens;
use crate::il::signature::{append_locals, MethodSig, Primitive, TypeSig};
use crate::il::{
    CallResolver, CallShape, EncodeOptions, Handler, Instruction, Label, MethodBody, OpCode,
};

/// `CorILMethod_InitLocals`.
const INIT_LOCALS: u16 = 0x0010;

/// Everything the wrapper passes to `GetFinishTracerDelegate`, in order (§5.4).
pub struct TracerCall<'a> {
    pub tracer_factory_name: &'a str,
    pub tracer_arguments: u32,
    pub metric_name: &'a str,
    pub assembly_name: &'a str,
    /// The owning TypeDef (open generic definition for generic types).
    pub type_def: u32,
    pub type_name: &'a str,
    pub method_name: &'a str,
    pub argument_signature: &'a str,
    pub function_id: u64,
}

/// The method being wrapped.
pub struct OriginalMethod<'a> {
    /// As returned by `GetILFunctionBody`.
    pub body: &'a [u8],
    pub signature: &'a MethodSig,
    /// The blob behind the local signature token, `None` when the token is 0.
    pub locals: Option<&'a [u8]>,
    /// Which parameters and whether the return value are byref-like: passed
    /// to the agent as `null` instead of boxed (`byref_like.rs`).
    pub byref_like: &'a ByRefLikeMask,
}

/// Rewrites `original` into the wrapper; returns the new body bytes.
pub fn build_default_wrapper(
    original: &OriginalMethod<'_>,
    call: &TracerCall<'_>,
    agent_core_dll: &str,
    lookup: AgentLookup,
    tokens: &mut dyn WrapperTokens,
    calls: &dyn CallResolver,
) -> Result<Vec<u8>, RewriteError> {
    let sig = original.signature;
    if sig.ret.is_byref() || matches!(sig.ret.unmodified(), TypeSig::Ptr(_) | TypeSig::FnPtr(_)) {
        return Err(RewriteError::Unsupported(
            "by-ref and pointer return types cannot be boxed",
        ));
    }
    let mut b = MethodBody::decode(original.body)?;
    preprocess_checks(&b)?;
    b.reserve(96 + 6 * sig.params.len());

    // Locals: tracer (object), userException (Exception), [result].
    let exception_type = tokens.framework_type("System.Exception")?;
    let returns = !sig.ret.is_void();
    let mut new_locals = vec![
        TypeSig::Primitive(Primitive::Object),
        TypeSig::Class(exception_type),
    ];
    if returns {
        new_locals.push(sig.ret.clone());
    }
    let appended = append_locals(original.locals, &new_locals)?;
    let tracer = appended.first_index;
    let user_exception = tracer + 1;
    let result = tracer + 2;
    let original_max_stack = b.header.max_stack;
    b.header.local_var_sig_token = tokens.local_signature(&appended.blob)?;
    if b.header.form == crate::il::HeaderForm::Tiny {
        b.header.flags |= INIT_LOCALS;
    }

    let action = tokens.action_of_object_exception()?;
    let action_invoke = tokens.method(KnownMethod::ActionInvoke)?;

    // User code: every `ret` to one exit that stores the result.
    let exit = b.retarget_returns()?;
    if returns {
        let store = b.create(Instruction::stloc(result));
        b.insert_after(exit, &[store])?;
    }
    let (Some(user_first), Some(user_last)) = (b.first(), b.last()) else {
        return Err(RewriteError::InvalidMethod("empty method body"));
    };

    // TRY_B: catch { userException = e; if (tracer) TRY_C { finish(null, e) }; rethrow }
    let after_b = b.create(Instruction::simple(OpCode::Nop));
    let rethrow = b.create(Instruction::simple(OpCode::Rethrow));
    let mut handler_b = vec![
        b.create(Instruction::stloc(user_exception)),
        b.create(Instruction::ldloc(tracer)),
        b.create(Instruction::branch(OpCode::Brfalse, rethrow)),
    ];
    let finish_with_exception = [
        b.create(Instruction::ldloc(tracer)),
        b.create(Instruction::token(OpCode::Castclass, action)),
        b.create(Instruction::simple(OpCode::Ldnull)),
        b.create(Instruction::ldloc(user_exception)),
        b.create(Instruction::token(OpCode::Callvirt, action_invoke)),
    ];
    handler_b.extend_from_slice(&finish_with_exception);
    handler_b.push(rethrow);
    b.wrap_range(
        user_first,
        user_last,
        Handler::Catch(exception_type),
        &handler_b,
        after_b,
    )?;
    let after_c = b.create(Instruction::simple(OpCode::Nop));
    swallow(&mut b, &finish_with_exception, exception_type, after_c)?;

    // Epilogue: if (tracer) TRY_D { finish(box result | null, null) }; [ldloc result]; ret
    let done = b.create(Instruction::simple(OpCode::Nop));
    let mut finish = vec![
        b.create(Instruction::ldloc(tracer)),
        b.create(Instruction::token(OpCode::Castclass, action)),
    ];
    if returns && original.byref_like.ret {
        // A byref-like result cannot be boxed: the agent sees null (compatibility R9).
        finish.push(b.create(Instruction::simple(OpCode::Ldnull)));
    } else if returns {
        finish.push(b.create(Instruction::ldloc(result)));
        match tokens.box_token(&sig.ret)? {
            Some(token) => finish.push(b.create(Instruction::token(OpCode::Box, token))),
            None => return Err(RewriteError::Unsupported("the return type cannot be boxed")),
        }
    } else {
        finish.push(b.create(Instruction::simple(OpCode::Ldnull)));
    }
    finish.push(b.create(Instruction::simple(OpCode::Ldnull)));
    finish.push(b.create(Instruction::token(OpCode::Callvirt, action_invoke)));
    let check = [
        b.create(Instruction::ldloc(tracer)),
        b.create(Instruction::branch(OpCode::Brfalse, done)),
    ];
    b.push_back(&check)?;
    b.push_back(&finish)?;
    swallow(&mut b, &finish, exception_type, done)?;
    let mut tail = Vec::new();
    if returns {
        tail.push(b.create(Instruction::ldloc(result)));
    }
    tail.push(b.create(Instruction::simple(OpCode::Ret)));
    b.push_back(&tail)?;

    // Prologue: clear the locals, then TRY_A obtaining the finish delegate.
    let mut prologue = vec![
        b.create(Instruction::simple(OpCode::Ldnull)),
        b.create(Instruction::stloc(tracer)),
        b.create(Instruction::simple(OpCode::Ldnull)),
        b.create(Instruction::stloc(user_exception)),
    ];
    let request = tracer_request(
        sig,
        original.byref_like,
        call,
        agent_core_dll,
        lookup,
        tokens,
    )?;
    let get_tracer: Vec<Label> = request
        .code
        .into_iter()
        .chain(std::iter::once(Instruction::stloc(tracer)))
        .map(|i| b.create(i))
        .collect();
    if let Some((branch, target)) = request.branch {
        let (Some(&from), Some(&to)) = (get_tracer.get(branch), get_tracer.get(target)) else {
            return Err(RewriteError::InvalidMethod(
                "tracer request branch out of range",
            ));
        };
        b.replace(from, Instruction::branch(OpCode::Brtrue, to))?;
    }
    prologue.extend_from_slice(&get_tracer);
    b.push_front(&prologue)?;
    let after_a = b.create(Instruction::simple(OpCode::Nop));
    swallow(&mut b, &get_tracer, exception_type, after_a)?;

    let resolver = WrapperCalls {
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

/// The original's preprocessor rejects a body with returns whose last
/// instruction is not `ret` (§5.3); `tail.` calls and `jmp` cannot survive
/// having their `ret` moved, so those methods are left alone too.
fn preprocess_checks(b: &MethodBody) -> Result<(), RewriteError> {
    if b.count(OpCode::Tail) > 0 {
        return Err(RewriteError::Unsupported(
            "tail.-prefixed calls cannot be wrapped",
        ));
    }
    if b.count(OpCode::Jmp) > 0 {
        return Err(RewriteError::Unsupported("jmp cannot be wrapped"));
    }
    let rets = b.count(OpCode::Ret);
    if rets > 0 {
        let last_is_ret = b
            .last()
            .and_then(|l| b.get(l))
            .is_some_and(|i| i.opcode == OpCode::Ret);
        if !last_is_ret {
            return Err(RewriteError::InvalidMethod(
                "Last instruction was not RET, aborting",
            ));
        }
    }
    if rets > 1 {
        crate::log_debug!("Rewriting multi-return method");
    }
    Ok(())
}

/// Wraps placed `code` in `try { code } catch (Exception) { pop }`;
/// execution continues at `after` (created, not yet placed), which the
/// region places right behind the handler.
fn swallow(
    b: &mut MethodBody,
    code: &[Label],
    exception_type: u32,
    after: Label,
) -> Result<(), RewriteError> {
    let (Some(&first), Some(&last)) = (code.first(), code.last()) else {
        return Err(RewriteError::InvalidMethod("empty protected region"));
    };
    let handler = [
        b.create(Instruction::simple(OpCode::Pop)),
        b.create(Instruction::branch(OpCode::Leave, after)),
    ];
    b.wrap_range(first, last, Handler::Catch(exception_type), &handler, after)?;
    Ok(())
}

/// `new object[n] { box arg0, …, null for by-ref }` (§5.4.2); byref-like
/// arguments are `null` too (compatibility R9).
///
/// Argument numbering (ECMA-335 II.15.3): with `HASTHIS` the instance is
/// argument 0 and parameter `i` is argument `i + 1`, except with
/// `EXPLICITTHIS`, where the instance is itself the first parameter of the
/// signature, so parameter `i` is argument `i`.
pub fn argument_array(
    sig: &MethodSig,
    byref_like: &ByRefLikeMask,
    tokens: &mut dyn WrapperTokens,
) -> Result<Vec<Instruction>, RewriteError> {
    let object = tokens.framework_type("System.Object")?;
    let first_arg: u16 = if sig.has_this() && !sig.explicit_this() {
        1
    } else {
        0
    };
    let mut code = vec![
        Instruction::ldc_i4(sig.params.len() as i32),
        Instruction::token(OpCode::Newarr, object),
    ];
    for (index, param) in sig.params.iter().enumerate() {
        code.push(Instruction::simple(OpCode::Dup));
        code.push(Instruction::ldc_i4(index as i32));
        if byref_like.param(index) {
            code.push(Instruction::simple(OpCode::Ldnull));
            code.push(Instruction::simple(OpCode::Stelem_Ref));
            continue;
        }
        match tokens.box_token(param)? {
            Some(token) => {
                let arg = u16::try_from(index)
                    .ok()
                    .and_then(|i| i.checked_add(first_arg));
                let Some(arg) = arg else {
                    return Err(RewriteError::Unsupported("too many parameters"));
                };
                code.push(Instruction::ldarg(arg));
                code.push(Instruction::token(OpCode::Box, token));
            }
            None => code.push(Instruction::simple(OpCode::Ldnull)),
        }
        code.push(Instruction::simple(OpCode::Stelem_Ref));
    }
    Ok(code)
}

/// Call shapes for the stack simulation: the reflection methods the wrapper
/// added first, then the original code's callees.
struct WrapperCalls<'a> {
    tokens: &'a dyn WrapperTokens,
    inner: &'a dyn CallResolver,
}

impl CallResolver for WrapperCalls<'_> {
    fn call_shape(&self, token: u32) -> Option<CallShape> {
        self.tokens
            .known_call_shape(token)
            .or_else(|| self.inner.call_shape(token))
    }
}
