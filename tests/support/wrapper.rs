//! A test double of the instrumentation wrapper (reference-profiler §5.4)
//! built only with the public IL API, with placeholder tokens: new locals,
//! every `ret` sent to one exit, the user code inside try/catch (with a
//! nested try/catch in the handler) plus a try/finally around both, a
//! prologue with its own try/catch and an epilogue with another.

use NewRelicProfiler::il::signature::{append_locals, MethodSig, Primitive, TypeSig};
use NewRelicProfiler::il::{
    CallResolver, CallShape, Handler, IlError, Instruction, Label, MethodBody, OpCode,
};

/// Placeholder TypeRef for `System.Exception`.
pub const EXCEPTION: u32 = 0x0100_FFF0;
/// Placeholder TypeRef for `System.Object`.
pub const OBJECT: u32 = 0x0100_FFF1;
/// Placeholder TypeSpec for ``Action`2<object, Exception>``.
pub const ACTION: u32 = 0x1B00_FFF0;
/// Placeholder MemberRef `MethodBase.Invoke(object, object[])`: instance, 2 params, returns.
pub const INVOKE: u32 = 0x0A00_FFF0;
/// Placeholder MemberRef ``Action`2.Invoke(!0, !1)``: instance, 2 params, void.
pub const ACTION_INVOKE: u32 = 0x0A00_FFF1;
/// Placeholder user string.
pub const STRING: u32 = 0x7000_0001;
/// Placeholder StandAloneSig token of the new local signature.
pub const NEW_LOCALS: u32 = 0x1100_FFF0;

/// Resolves the placeholder tokens, then defers to the assembly.
pub struct WrapperResolver<'a>(pub &'a dyn CallResolver);

impl CallResolver for WrapperResolver<'_> {
    fn call_shape(&self, token: u32) -> Option<CallShape> {
        match token {
            INVOKE => Some(CallShape {
                params: 2,
                implicit_this: true,
                returns_value: true,
            }),
            ACTION_INVOKE => Some(CallShape {
                params: 2,
                implicit_this: true,
                returns_value: false,
            }),
            _ => self.0.call_shape(token),
        }
    }
}

/// The wrapped body and its new local signature.
pub struct Wrapped {
    /// The rewritten body (max stack set).
    pub body: MethodBody,
    /// The new local signature blob.
    pub locals: Vec<u8>,
}

/// Wraps `original` like the instrumentation wrapper.
pub fn wrap(
    original: MethodBody,
    sig: &MethodSig,
    local_sig: Option<&[u8]>,
    resolver: &dyn CallResolver,
) -> Result<Wrapped, IlError> {
    let mut b = original;
    b.reserve(96 + 6 * sig.params.len());
    let returns = !sig.ret.is_void();
    let mut new_locals = vec![
        TypeSig::Primitive(Primitive::Object),
        TypeSig::Class(EXCEPTION),
    ];
    if returns {
        new_locals.push(sig.ret.clone());
    }
    let appended = append_locals(local_sig, &new_locals)?;
    let tracer = appended.first_index;
    let user_ex = tracer + 1;
    let result = tracer + 2;
    b.header.local_var_sig_token = NEW_LOCALS;

    // User code: every ret to one exit, result stored there.
    let exit = b.retarget_returns()?;
    if returns {
        let st = b.create(Instruction::stloc(result));
        b.insert_after(exit, &[st])?;
    }
    let (Some(user_first), Some(user_last)) = (b.first(), b.last()) else {
        return Err(IlError::Unsupported("empty body"));
    };

    // TRY_B: catch { stloc ex; if (tracer) { TRY_C { finish(null, ex) } catch { pop } } rethrow }
    let after_b = b.create(Instruction::simple(OpCode::Nop));
    let rethrow = b.create(Instruction::simple(OpCode::Rethrow));
    let handler_b = [
        b.create(Instruction::stloc(user_ex)),
        b.create(Instruction::ldloc(tracer)),
        b.create(Instruction::branch(OpCode::Brfalse, rethrow)),
    ];
    let call_c = [
        b.create(Instruction::ldloc(tracer)),
        b.create(Instruction::token(OpCode::Castclass, ACTION)),
        b.create(Instruction::simple(OpCode::Ldnull)),
        b.create(Instruction::ldloc(user_ex)),
        b.create(Instruction::token(OpCode::Callvirt, ACTION_INVOKE)),
    ];
    let mut all_b: Vec<Label> = handler_b.to_vec();
    all_b.extend_from_slice(&call_c);
    all_b.push(rethrow);
    b.wrap_range(
        user_first,
        user_last,
        Handler::Catch(EXCEPTION),
        &all_b,
        after_b,
    )?;
    let after_c = b.create(Instruction::simple(OpCode::Nop));
    let catch_c = [
        b.create(Instruction::simple(OpCode::Pop)),
        b.create(Instruction::branch(OpCode::Leave, after_c)),
    ];
    b.wrap_range(
        call_c[0],
        call_c[4],
        Handler::Catch(EXCEPTION),
        &catch_c,
        after_c,
    )?;

    // try/finally around the user code and its catch.
    let after_f = b.create(Instruction::simple(OpCode::Nop));
    let fin = [
        b.create(Instruction::ldloc(tracer)),
        b.create(Instruction::simple(OpCode::Pop)),
        b.create(Instruction::simple(OpCode::Endfinally)),
    ];
    b.wrap_range(user_first, after_b, Handler::Finally, &fin, after_f)?;

    // Prologue: locals cleared, then TRY_A computing the tracer.
    let mut pro = vec![
        Instruction::simple(OpCode::Ldnull),
        Instruction::stloc(tracer),
        Instruction::simple(OpCode::Ldnull),
        Instruction::stloc(user_ex),
    ];
    let try_a_start = pro.len();
    // MethodInfo (placeholder), then the static invoke target.
    pro.push(Instruction::simple(OpCode::Ldnull));
    pro.push(Instruction::simple(OpCode::Ldnull));
    pro.push(Instruction::ldc_i4(11));
    pro.push(Instruction::token(OpCode::Newarr, OBJECT));
    for slot in 0..3 {
        pro.push(Instruction::simple(OpCode::Dup));
        pro.push(Instruction::ldc_i4(slot));
        pro.push(Instruction::token(OpCode::Ldstr, STRING));
        pro.push(Instruction::simple(OpCode::Stelem_Ref));
    }
    pro.push(Instruction::simple(OpCode::Dup));
    pro.push(Instruction::ldc_i4(9));
    pro.push(Instruction::ldc_i4(sig.params.len() as i32));
    pro.push(Instruction::token(OpCode::Newarr, OBJECT));
    let this = u16::from(sig.has_this() && !sig.explicit_this());
    for (i, p) in sig.params.iter().enumerate() {
        pro.push(Instruction::simple(OpCode::Dup));
        pro.push(Instruction::ldc_i4(i as i32));
        if p.is_byref() {
            pro.push(Instruction::simple(OpCode::Ldnull));
        } else {
            pro.push(Instruction::ldarg(i as u16 + this));
            pro.push(Instruction::token(OpCode::Box, OBJECT));
        }
        pro.push(Instruction::simple(OpCode::Stelem_Ref));
    }
    pro.push(Instruction::simple(OpCode::Stelem_Ref));
    pro.push(Instruction::ldc_i8(0x1234_5678_9ABC));
    pro.push(Instruction::token(OpCode::Box, OBJECT));
    pro.push(Instruction::simple(OpCode::Pop));
    pro.push(Instruction::token(OpCode::Callvirt, INVOKE));
    pro.push(Instruction::stloc(tracer));
    let pro: Vec<Label> = pro.into_iter().map(|i| b.create(i)).collect();
    b.insert_before(user_first, &pro)?;
    let after_a = b.create(Instruction::simple(OpCode::Nop));
    let catch_a = [
        b.create(Instruction::simple(OpCode::Pop)),
        b.create(Instruction::branch(OpCode::Leave, after_a)),
    ];
    if let (Some(&a0), Some(&a1)) = (pro.get(try_a_start), pro.last()) {
        b.wrap_range(a0, a1, Handler::Catch(EXCEPTION), &catch_a, after_a)?;
    }

    // Epilogue: if (tracer) TRY_D { finish(result or null, null) } catch { pop }; [ldloc result]; ret
    let d_end = b.create(Instruction::simple(OpCode::Nop));
    let head = [
        b.create(Instruction::ldloc(tracer)),
        b.create(Instruction::branch(OpCode::Brfalse, d_end)),
    ];
    let mut call_d = vec![
        Instruction::ldloc(tracer),
        Instruction::token(OpCode::Castclass, ACTION),
    ];
    if returns {
        call_d.push(Instruction::ldloc(result));
        call_d.push(Instruction::token(OpCode::Box, OBJECT));
    } else {
        call_d.push(Instruction::simple(OpCode::Ldnull));
    }
    call_d.push(Instruction::simple(OpCode::Ldnull));
    call_d.push(Instruction::token(OpCode::Callvirt, ACTION_INVOKE));
    let call_d: Vec<Label> = call_d.into_iter().map(|i| b.create(i)).collect();
    b.push_back(&head)?;
    b.push_back(&call_d)?;
    b.push_back(&[d_end])?;
    if returns {
        let ld = b.create(Instruction::ldloc(result));
        b.push_back(&[ld])?;
    }
    let ret = b.create(Instruction::simple(OpCode::Ret));
    b.push_back(&[ret])?;
    let after_d = b.create(Instruction::simple(OpCode::Nop));
    let catch_d = [
        b.create(Instruction::simple(OpCode::Pop)),
        b.create(Instruction::branch(OpCode::Leave, after_d)),
    ];
    if let (Some(&d0), Some(&d1)) = (call_d.first(), call_d.last()) {
        b.wrap_range(d0, d1, Handler::Catch(EXCEPTION), &catch_d, after_d)?;
    }

    let computed = b.compute_max_stack(&WrapperResolver(resolver))?;
    b.header.max_stack = b.header.max_stack.max(computed);
    Ok(Wrapped {
        body: b,
        locals: appended.blob,
    })
}
