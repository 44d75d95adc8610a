//! The wrappers against fake tokens: structure, stack consistency and the
//! rejection rules, without a runtime.

use super::byref_like::ByRefLikeMask;
use super::rewrite_error::RewriteError;
use super::tokens::{KnownMethod, TokenResult};
use super::tracer_request::{AgentLookup, CACHE_KEY};
use super::wrapper::{build_default_wrapper, OriginalMethod, TracerCall};
use super::wrapper_tokens::WrapperTokens;
use crate::il::signature::{MethodSig, MethodSigBuilder, Primitive, TypeSig};
use crate::il::{CallShape, Handler, MethodBody, NoCallResolver, OpCode};
use std::collections::HashMap;

/// Hands out distinct tokens of the right table and remembers them.
#[derive(Default)]
struct FakeTokens {
    next: u32,
    types: HashMap<String, u32>,
    methods: HashMap<u32, KnownMethod>,
    strings: HashMap<u32, String>,
}

impl FakeTokens {
    fn fresh(&mut self, table: u32) -> u32 {
        self.next += 1;
        (table << 24) | self.next
    }
}

impl WrapperTokens for FakeTokens {
    fn framework_type(&mut self, type_name: &str) -> TokenResult<u32> {
        if let Some(t) = self.types.get(type_name) {
            return Ok(*t);
        }
        let t = self.fresh(0x01);
        self.types.insert(type_name.to_string(), t);
        Ok(t)
    }
    fn method(&mut self, method: KnownMethod) -> TokenResult<u32> {
        if let Some((t, _)) = self.methods.iter().find(|(_, m)| **m == method) {
            return Ok(*t);
        }
        let t = self.fresh(0x0A);
        self.methods.insert(t, method);
        Ok(t)
    }
    fn action_of_object_exception(&mut self) -> TokenResult<u32> {
        Ok(0x1B00_0001)
    }
    fn finish_tracer_func(&mut self) -> TokenResult<u32> {
        Ok(0x1B00_0003)
    }
    fn user_string(&mut self, text: &str) -> TokenResult<u32> {
        let t = self.fresh(0x70);
        self.strings.insert(t, text.to_string());
        Ok(t)
    }
    fn box_token(&mut self, ty: &TypeSig) -> TokenResult<Option<u32>> {
        Ok(match ty.unmodified() {
            TypeSig::ByRef(_) | TypeSig::Ptr(_) => None,
            TypeSig::Class(t) | TypeSig::ValueType(t) => Some(*t),
            _ => Some(self.fresh(0x1B)),
        })
    }
    fn type_token(&mut self, ty: &TypeSig) -> TokenResult<u32> {
        Ok(self.box_token(ty)?.unwrap_or(0x1B00_0002))
    }
    fn local_signature(&mut self, _blob: &[u8]) -> TokenResult<u32> {
        Ok(0x1100_0042)
    }
    fn known_call_shape(&self, token: u32) -> Option<CallShape> {
        self.methods.get(&token).map(|m| m.shape())
    }
}

fn call() -> TracerCall<'static> {
    TracerCall {
        tracer_factory_name: "  Factory",
        tracer_arguments: 0x3400,
        metric_name: " Metric",
        assembly_name: "App",
        type_def: 0x0200_0002,
        type_name: "App.Type",
        method_name: "Method",
        argument_signature: "System.Int32",
        function_id: 0x1234_5678_9abc,
    }
}

fn wrap(body: &[u8], sig: &MethodSig) -> Result<(MethodBody, FakeTokens), RewriteError> {
    wrap_with(body, sig, AgentLookup::PerCallReflection)
}

fn wrap_with(
    body: &[u8],
    sig: &MethodSig,
    lookup: AgentLookup,
) -> Result<(MethodBody, FakeTokens), RewriteError> {
    wrap_masked(body, sig, lookup, &ByRefLikeMask::default())
}

fn wrap_masked(
    body: &[u8],
    sig: &MethodSig,
    lookup: AgentLookup,
    mask: &ByRefLikeMask,
) -> Result<(MethodBody, FakeTokens), RewriteError> {
    let mut tokens = FakeTokens::default();
    let original = OriginalMethod {
        body,
        signature: sig,
        locals: None,
        byref_like: mask,
    };
    let bytes = build_default_wrapper(
        &original,
        &call(),
        "/agent/NewRelic.Agent.Core.dll",
        lookup,
        &mut tokens,
        &NoCallResolver,
    )?;
    Ok((
        MethodBody::decode(&bytes).expect("the wrapper re-decodes"),
        tokens,
    ))
}

/// Tiny body: `ldarg.0 ldc.i4.1 add ret`.
const ADD_ONE: [u8; 5] = [(4 << 2) | 0x2, 0x02, 0x17, 0x58, 0x2A];

fn static_int_to_int() -> MethodSig {
    MethodSigBuilder::new()
        .returns(TypeSig::Primitive(Primitive::I4))
        .param(TypeSig::Primitive(Primitive::I4))
        .build()
}

#[test]
fn tiny_method_is_wrapped_in_four_protected_regions() {
    let (body, tokens) = wrap(&ADD_ONE, &static_int_to_int()).unwrap();
    assert_eq!(body.header.local_var_sig_token, 0x1100_0042);
    assert!(
        body.header.init_locals(),
        "tiny bodies become fat with InitLocals"
    );
    let clauses = body.clauses();
    assert_eq!(clauses.len(), 4, "TRY_A, TRY_B, TRY_C, TRY_D");
    let catch_types: Vec<Handler> = clauses.iter().map(|c| c.handler).collect();
    let exception = tokens.types["System.Exception"];
    assert!(catch_types.iter().all(|h| *h == Handler::Catch(exception)));
    assert_eq!(body.count(OpCode::Rethrow), 1);
    assert_eq!(body.count(OpCode::Ret), 1);
    let report = body.analyze_stack(&NoCallResolver).unwrap();
    assert_eq!(report.underflows, 0);
    assert!(body.header.max_stack >= 8);
}

#[test]
fn tracer_strings_and_arguments_are_passed_in_order() {
    let (body, tokens) = wrap(&ADD_ONE, &static_int_to_int()).unwrap();
    let strings: Vec<String> = body
        .instructions()
        .filter(|(_, i)| i.opcode == OpCode::Ldstr)
        .map(|(_, i)| match i.operand {
            crate::il::Operand::Token(t) => tokens.strings[&t].clone(),
            _ => unreachable!(),
        })
        .collect();
    assert_eq!(
        strings,
        vec![
            "/agent/NewRelic.Agent.Core.dll",
            "NewRelic.Agent.Core.AgentShim",
            "GetFinishTracerDelegate",
            "Factory",
            "Metric",
            "App",
            "App.Type",
            "Method",
            "System.Int32",
        ],
        "leading spaces of the factory and metric names are dropped (QUIRK)"
    );
    assert!(body.instructions().any(|(_, i)| i.opcode == OpCode::Ldc_I8
        && i.operand == crate::il::Operand::Int64(0x1234_5678_9abc)));
    assert!(body
        .instructions()
        .any(|(_, i)| i.opcode == OpCode::Ldtoken
            && i.operand == crate::il::Operand::Token(0x0200_0002)));
}

#[test]
fn by_ref_arguments_are_null_and_values_boxed() {
    let sig = MethodSigBuilder::new()
        .instance()
        .param(TypeSig::ByRef(Box::new(TypeSig::Primitive(Primitive::I4))))
        .param(TypeSig::Primitive(Primitive::String))
        .build();
    // ldarg.1 ldarg.2 pop pop ret: a void instance method.
    let body = [(5 << 2) | 0x2, 0x03, 0x04, 0x26, 0x26, 0x2A];
    let (wrapped, _) = wrap(&body, &sig).unwrap();
    let boxes = wrapped.count(OpCode::Box);
    // uint flags, ulong id, one string argument (the by-ref one is null).
    assert_eq!(boxes, 3);
}

#[test]
fn several_returns_share_one_exit() {
    // ldarg.0 brfalse.s +2 ldc.i4.1 ret ldc.i4.2 ret
    let body = [(7 << 2) | 0x2, 0x02, 0x2C, 0x02, 0x17, 0x2A, 0x18, 0x2A];
    let (wrapped, _) = wrap(&body, &static_int_to_int()).unwrap();
    assert_eq!(wrapped.count(OpCode::Ret), 1);
    let report = wrapped.analyze_stack(&NoCallResolver).unwrap();
    assert_eq!(report.inconsistent_joins, 0);
    assert_eq!(report.underflows, 0);
}

#[test]
fn last_instruction_must_be_ret_when_there_are_returns() {
    // ldarg.0 brfalse.s +2 ldc.i4.1 ret newobj? — use: ret then throw: ldarg.0 brtrue.s 1 ret ldnull throw
    let body = [(6 << 2) | 0x2, 0x02, 0x2D, 0x01, 0x2A, 0x14, 0x7A];
    let sig = MethodSigBuilder::new()
        .param(TypeSig::Primitive(Primitive::Boolean))
        .build();
    match wrap(&body, &sig) {
        Err(RewriteError::InvalidMethod(reason)) => {
            assert_eq!(reason, "Last instruction was not RET, aborting")
        }
        other => panic!("expected an invalid method, got {:?}", other.map(|_| ())),
    }
}

#[test]
fn a_body_without_returns_is_still_wrapped() {
    // ldnull throw
    let body = [(2 << 2) | 0x2, 0x14, 0x7A];
    let sig = MethodSigBuilder::new().build();
    assert!(wrap(&body, &sig).is_ok());
}

#[test]
fn tail_calls_and_byref_returns_are_refused() {
    // tail. call 0x0A000001 ret
    let body = [
        (8 << 2) | 0x2,
        0xFE,
        0x14,
        0x28,
        0x01,
        0x00,
        0x00,
        0x0A,
        0x2A,
    ];
    let sig = MethodSigBuilder::new().build();
    assert!(matches!(
        wrap(&body, &sig),
        Err(RewriteError::Unsupported(_))
    ));
    let byref = MethodSigBuilder::new()
        .returns(TypeSig::ByRef(Box::new(TypeSig::Primitive(Primitive::I4))))
        .build();
    assert!(matches!(
        wrap(&ADD_ONE, &byref),
        Err(RewriteError::Unsupported(_))
    ));
}

/// Strings in `ldstr` order.
fn strings(body: &MethodBody, tokens: &FakeTokens) -> Vec<String> {
    body.instructions()
        .filter(|(_, i)| i.opcode == OpCode::Ldstr)
        .map(|(_, i)| match i.operand {
            crate::il::Operand::Token(t) => tokens.strings[&t].clone(),
            _ => unreachable!(),
        })
        .collect()
}

fn calls_to(body: &MethodBody, tokens: &FakeTokens, method: KnownMethod) -> usize {
    body.instructions()
        .filter(|(_, i)| matches!(i.operand, crate::il::Operand::Token(t) if tokens.methods.get(&t) == Some(&method)))
        .count()
}

#[test]
fn cached_lookup_invokes_a_typed_delegate_with_the_same_arguments() {
    let (body, tokens) =
        wrap_with(&ADD_ONE, &static_int_to_int(), AgentLookup::CachedDelegate).unwrap();
    assert_eq!(
        strings(&body, &tokens),
        vec![
            CACHE_KEY,
            CACHE_KEY,
            "/agent/NewRelic.Agent.Core.dll",
            "NewRelic.Agent.Core.AgentShim",
            "GetFinishTracerDelegate",
            CACHE_KEY,
            "Factory",
            "Metric",
            "App",
            "App.Type",
            "Method",
            "System.Int32",
        ]
    );
    assert_eq!(
        calls_to(&body, &tokens, KnownMethod::MethodBaseInvoke),
        0,
        "no reflective invoke"
    );
    assert_eq!(
        calls_to(&body, &tokens, KnownMethod::FinishTracerFuncInvoke),
        1
    );
    assert_eq!(calls_to(&body, &tokens, KnownMethod::AppContextGetData), 2);
    assert_eq!(calls_to(&body, &tokens, KnownMethod::AppContextSetData), 1);
    assert_eq!(
        calls_to(&body, &tokens, KnownMethod::MethodInfoCreateDelegate),
        1
    );
    assert_eq!(
        calls_to(&body, &tokens, KnownMethod::AssemblyLoadFrom),
        1,
        "only on the first call"
    );
    // The integers are passed unboxed; the one int argument is still boxed into object[].
    assert_eq!(body.count(OpCode::Box), 2, "argument and result");
    assert!(body.instructions().any(|(_, i)| i.opcode == OpCode::Ldc_I8
        && i.operand == crate::il::Operand::Int64(0x1234_5678_9abc)));
    assert_eq!(body.count(OpCode::Brtrue), 1, "cache hit skips the lookup");
}

#[test]
fn cached_lookup_keeps_the_stack_consistent_on_both_paths() {
    let (body, tokens) =
        wrap_with(&ADD_ONE, &static_int_to_int(), AgentLookup::CachedDelegate).unwrap();
    struct Known<'a>(&'a FakeTokens);
    impl crate::il::CallResolver for Known<'_> {
        fn call_shape(&self, token: u32) -> Option<CallShape> {
            self.0.known_call_shape(token)
        }
    }
    let report = body.analyze_stack(&Known(&tokens)).unwrap();
    assert_eq!(report.underflows, 0);
    assert_eq!(report.inconsistent_joins, 0);
    assert!(
        body.header.max_stack >= 12,
        "the delegate and eleven arguments"
    );
}

#[test]
fn per_call_lookup_is_the_original_shape() {
    let (body, tokens) = wrap_with(
        &ADD_ONE,
        &static_int_to_int(),
        AgentLookup::PerCallReflection,
    )
    .unwrap();
    assert_eq!(calls_to(&body, &tokens, KnownMethod::MethodBaseInvoke), 1);
    assert_eq!(calls_to(&body, &tokens, KnownMethod::AppContextGetData), 0);
    assert!(!strings(&body, &tokens).iter().any(|s| s == CACHE_KEY));
}

/// Call shapes of the reflection methods the fake tokens handed out.
struct KnownCalls<'a>(&'a FakeTokens);

impl crate::il::CallResolver for KnownCalls<'_> {
    fn call_shape(&self, token: u32) -> Option<CallShape> {
        self.0.known_call_shape(token)
    }
}

/// `(opcode, operand)` of every instruction, for shape comparisons.
fn shape(body: &MethodBody) -> Vec<(OpCode, crate::il::Operand)> {
    body.instructions()
        .map(|(_, i)| (i.opcode, i.operand.clone()))
        .collect()
}

#[test]
fn byref_like_arguments_and_results_reach_the_agent_as_null() {
    // static Span<int> Slice(Span<int> values, int start) — `ldarg.0 ret`
    // is enough: only the wrapper's boxing matters here.
    let span = TypeSig::GenericInst {
        value_type: true,
        base: 0x0100_0009,
        args: vec![TypeSig::Primitive(Primitive::I4)],
    };
    let sig = MethodSigBuilder::new()
        .returns(span.clone())
        .param(span)
        .param(TypeSig::Primitive(Primitive::I4))
        .build();
    let body = [(2 << 2) | 0x2, 0x02, 0x2A];
    for lookup in [AgentLookup::PerCallReflection, AgentLookup::CachedDelegate] {
        // Without the mask the span is boxed (what the original does: invalid IL).
        let (boxed, _) = wrap_masked(&body, &sig, lookup, &ByRefLikeMask::default()).unwrap();
        let mask = ByRefLikeMask {
            params: vec![true, false],
            ret: true,
        };
        let (safe, tokens) = wrap_masked(&body, &sig, lookup, &mask).unwrap();
        // Two boxes fewer (argument 0 and the result), one `ldnull` more for each.
        assert_eq!(boxed.count(OpCode::Box), safe.count(OpCode::Box) + 2);
        assert_eq!(safe.count(OpCode::Ldnull), boxed.count(OpCode::Ldnull) + 2);
        // The int argument is still boxed and the result still flows back.
        assert_eq!(safe.count(OpCode::Ret), 1);
        let report = safe.analyze_stack(&KnownCalls(&tokens)).unwrap();
        assert_eq!((report.underflows, report.inconsistent_joins), (0, 0));
    }
}

#[test]
fn explicit_this_parameters_are_numbered_from_argument_zero() {
    // instance explicit void M(class C this, int32 x): the instance is the
    // first signature parameter, so the parameters are ldarg.0 and ldarg.1
    // (ECMA-335 II.15.3); an implicit `this` shifts them to 1 and 2.
    let this_type = TypeSig::Class(0x0200_0007);
    let explicit = MethodSig {
        calling_convention: 0x20 | 0x40,
        ..MethodSigBuilder::new()
            .param(this_type.clone())
            .param(TypeSig::Primitive(Primitive::I4))
            .build()
    };
    let implicit = MethodSigBuilder::new()
        .instance()
        .param(this_type)
        .param(TypeSig::Primitive(Primitive::I4))
        .build();
    let body = [(1 << 2) | 0x2, 0x2A];
    let loads = |sig: &MethodSig| -> Vec<u16> {
        let (wrapped, _) = wrap(&body, sig).unwrap();
        let mut args: Vec<u16> = wrapped
            .instructions()
            .filter_map(|(_, i)| match (i.opcode, &i.operand) {
                (OpCode::Ldarg_0, _) => Some(0),
                (OpCode::Ldarg_1, _) => Some(1),
                (OpCode::Ldarg_2, _) => Some(2),
                (OpCode::Ldarg_3, _) => Some(3),
                (OpCode::Ldarg_S | OpCode::Ldarg, crate::il::Operand::Var(v)) => Some(*v),
                _ => None,
            })
            .collect();
        args.sort_unstable();
        args.dedup();
        args
    };
    assert_eq!(loads(&explicit), vec![0, 1]);
    assert_eq!(loads(&implicit), vec![0, 1, 2]);
    assert_ne!(
        shape(&wrap(&body, &explicit).unwrap().0),
        shape(&wrap(&body, &implicit).unwrap().0)
    );
}

/// The .NET Framework path: the agent method from AppDomain storage
/// through the mscorlib helper (§5.4.1, §5.5).
#[path = "helper_lookup_tests.rs"]
mod helper_lookup;
