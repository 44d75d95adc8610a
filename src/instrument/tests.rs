//! The wrappers against fake tokens: structure, stack consistency and the
//! rejection rules, without a runtime.

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
    let mut tokens = FakeTokens::default();
    let original = OriginalMethod {
        body,
        signature: sig,
        locals: None,
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
