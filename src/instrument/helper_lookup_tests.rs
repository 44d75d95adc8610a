//! Wrappers that find the agent method through the mscorlib helper
//! (reference-profiler §5.4.1, §5.6): the key, the arguments, the call.

use super::*;
use crate::instrument::api_wrapper::{build_api_wrapper, ApiTarget};

#[test]
fn the_default_wrapper_asks_the_helper_with_the_function_id_0_key() {
    let (body, tokens) =
        wrap_with(&ADD_ONE, &static_int_to_int(), AgentLookup::AppDomainHelper).unwrap();
    assert_eq!(
        strings(&body, &tokens)[..4],
        [
            "NewRelic.Agent.Core.AgentShim.GetFinishTracerDelegate_0",
            "/agent/NewRelic.Agent.Core.dll",
            "NewRelic.Agent.Core.AgentShim",
            "GetFinishTracerDelegate",
        ]
    );
    let helper = KnownMethod::HelperGetMethodFromStorageOrReflection;
    assert_eq!(calls_to(&body, &tokens, helper), 1);
    assert_eq!(calls_to(&body, &tokens, KnownMethod::AssemblyLoadFrom), 0);
    assert_eq!(calls_to(&body, &tokens, KnownMethod::TypeGetMethod), 0);
    assert_eq!(calls_to(&body, &tokens, KnownMethod::MethodBaseInvoke), 1);
    assert_eq!(calls_to(&body, &tokens, KnownMethod::AppContextGetData), 0);
    // No parameter types: `ldnull` right before the helper call.
    let ops = shape(&body);
    let at = ops
        .iter()
        .position(|(op, operand)| {
            *op == OpCode::Call
                && matches!(operand, crate::il::Operand::Token(t) if tokens.methods.get(t) == Some(&helper))
        })
        .unwrap();
    assert_eq!(ops[at - 1].0, OpCode::Ldnull);
    let report = body.analyze_stack(&KnownCalls(&tokens)).unwrap();
    assert_eq!((report.underflows, report.inconsistent_joins), (0, 0));
    assert_eq!(report.unresolved_calls, 0);
}

#[test]
fn the_helper_path_passes_the_agent_the_same_eleven_values() {
    let (per_call, a) = wrap_with(
        &ADD_ONE,
        &static_int_to_int(),
        AgentLookup::PerCallReflection,
    )
    .unwrap();
    let (helper, b) =
        wrap_with(&ADD_ONE, &static_int_to_int(), AgentLookup::AppDomainHelper).unwrap();
    // Everything after the MethodInfo lookup is the same code.
    let tail = |body: &MethodBody, tokens: &FakeTokens| -> Vec<String> {
        let all = strings(body, tokens);
        let start = all.iter().position(|s| s == "Factory").unwrap();
        all[start..].to_vec()
    };
    assert_eq!(tail(&per_call, &a), tail(&helper, &b));
    assert_eq!(per_call.count(OpCode::Box), helper.count(OpCode::Box));
    assert_eq!(per_call.count(OpCode::Newarr), helper.count(OpCode::Newarr));
}

#[test]
fn the_api_wrapper_keys_the_storage_by_method_and_function_id() {
    // `NoticeError(string)`: `ldarg.0 pop ret`, its own body as fallback.
    let body = [(3 << 2) | 0x2, 0x02, 0x26, 0x2A];
    let sig = MethodSigBuilder::new()
        .param(TypeSig::Primitive(Primitive::String))
        .build();
    let original = OriginalMethod {
        body: &body,
        signature: &sig,
        locals: None,
        byref_like: &ByRefLikeMask::default(),
    };
    let mut tokens = FakeTokens::default();
    let target = ApiTarget {
        method_name: "NoticeError",
        agent_core_dll: "/agent/NewRelic.Agent.Core.dll",
        lookup: AgentLookup::AppDomainHelper,
        function_id: 1234,
    };
    let bytes = build_api_wrapper(&original, &target, &mut tokens, &NoCallResolver).unwrap();
    let wrapped = MethodBody::decode(&bytes).unwrap();
    assert_eq!(
        strings(&wrapped, &tokens),
        [
            "NewRelic.Agent.Core.AgentApi.NoticeError_1234",
            "/agent/NewRelic.Agent.Core.dll",
            "NewRelic.Agent.Core.AgentApi",
            "NoticeError",
        ]
    );
    let helper = KnownMethod::HelperGetMethodFromStorageOrReflection;
    assert_eq!(calls_to(&wrapped, &tokens, helper), 1);
    assert_eq!(
        calls_to(&wrapped, &tokens, KnownMethod::AssemblyLoadFrom),
        0
    );
    // The parameter types select the overload: `Type[] { typeof(string) }`.
    assert_eq!(
        calls_to(&wrapped, &tokens, KnownMethod::TypeGetTypeFromHandle),
        1
    );
    let report = wrapped.analyze_stack(&KnownCalls(&tokens)).unwrap();
    assert_eq!((report.underflows, report.inconsistent_joins), (0, 0));

    // Per-call reflection (CoreCLR) keeps the original shape, no helper.
    let mut tokens = FakeTokens::default();
    let target = ApiTarget {
        lookup: AgentLookup::CachedDelegate,
        ..target
    };
    let bytes = build_api_wrapper(&original, &target, &mut tokens, &NoCallResolver).unwrap();
    let wrapped = MethodBody::decode(&bytes).unwrap();
    assert_eq!(calls_to(&wrapped, &tokens, helper), 0);
    assert_eq!(
        calls_to(&wrapped, &tokens, KnownMethod::AssemblyLoadFrom),
        1
    );
}
