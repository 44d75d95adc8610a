//! Target `il_wrap`: a method (signature, locals, callee shapes, body; see
//! `il_input`) through the production rewriters with fake tokens: the
//! default wrapper with every agent lookup (`build_default_wrapper`) and
//! the public-API wrapper with the per-call and the .NET Framework
//! AppDomain-helper lookup (`build_api_wrapper`), then decode again.
//!
//! Invariants: whatever a wrapper returns decodes to a body that
//! re-encodes identically; and when the original is well-formed (every
//! callee known, its stack consistent, no underflow, every `ret` reached
//! with exactly the return value on the stack), the wrapped body is too,
//! with nested clauses listed inner first and a max stack at least the
//! simulated depth (the checks `tests/il_corpus.rs` applies to every
//! framework method). Byref-like parameters and results (stand-in
//! metadata: odd rows and odd generic indexes) go to the agent as `null`.

use NewRelicProfiler::il::signature::MethodSig;
use NewRelicProfiler::il::{Instruction, MethodBody, OpCode};
use NewRelicProfiler::instrument::api_wrapper::{build_api_wrapper, ApiTarget};
use NewRelicProfiler::instrument::byref_like::{ByRefLikeFacts, ByRefLikeMask};
use NewRelicProfiler::instrument::tracer_request::AgentLookup;
use NewRelicProfiler::instrument::wrapper::{build_default_wrapper, OriginalMethod, TracerCall};

use super::checks::check_encoded;
use super::fake_tokens::{FakeTokens, WrappedCalls};
use super::il_body::assert_stable;
use super::il_input::{self, VOID_SIGNATURE};

const AGENT: &str = "/agent/NewRelic.Agent.Core.dll";

pub fn run(data: &[u8]) {
    let input = il_input::parse(data);
    let signature = match MethodSig::parse(input.signature) {
        Ok(s) => s,
        Err(_) => match MethodSig::parse(&VOID_SIGNATURE) {
            Ok(s) => s,
            Err(e) => panic!("the fallback signature parses: {e}"),
        },
    };
    let Ok(original) = MethodBody::decode(input.body) else {
        return;
    };
    let well_formed = well_formed(&original, &signature, &input.shapes);

    let byref_like = ByRefLikeMask::of(&signature, &OddIsByRefLike);
    let method = OriginalMethod {
        body: input.body,
        signature: &signature,
        locals: input.locals,
        byref_like: &byref_like,
    };
    let call = TracerCall {
        tracer_factory_name: "NewRelic.Fuzz.Factory",
        tracer_arguments: 0x0001_3400,
        metric_name: "Custom/Fuzz",
        assembly_name: "Fuzz",
        type_def: 0x0200_0002,
        type_name: "Fuzz.Type",
        method_name: "Method",
        argument_signature: "System.Int32",
        function_id: 0x7F00_1234_5678,
    };
    for lookup in [
        AgentLookup::PerCallReflection,
        AgentLookup::CachedDelegate,
        AgentLookup::AppDomainHelper,
    ] {
        let mut tokens = FakeTokens::default();
        let result =
            build_default_wrapper(&method, &call, AGENT, lookup, &mut tokens, &input.shapes);
        if let Ok(bytes) = result {
            check(
                &bytes,
                &tokens,
                &input.shapes,
                well_formed,
                "default wrapper",
            );
        }
    }
    for lookup in [AgentLookup::PerCallReflection, AgentLookup::AppDomainHelper] {
        let mut tokens = FakeTokens::default();
        let target = ApiTarget {
            method_name: "RecordMetric",
            agent_core_dll: AGENT,
            lookup,
            function_id: 0x7F00_1234_5678,
        };
        if let Ok(bytes) = build_api_wrapper(&method, &target, &mut tokens, &input.shapes) {
            check(&bytes, &tokens, &input.shapes, well_formed, "API wrapper");
        }
    }
}

fn clean(body: &MethodBody, shapes: &il_input::Shapes) -> bool {
    body.analyze_stack(shapes)
        .is_ok_and(|r| r.inconsistent_joins == 0 && r.underflows == 0 && r.unresolved_calls == 0)
}

/// The stack analysis does not look at the depth at `ret`, so a body whose
/// `ret` leaves extra values (invalid IL the JIT would reject) looks clean.
/// The probe finds those: every `ret` sent to one exit (as the wrappers
/// do), the return value popped there, then a branch back to the first
/// instruction, whose depth is 0: any other depth at a `ret` becomes an
/// inconsistent join or an underflow.
///
/// The original must also pass the structural checks themselves (clauses
/// disjoint or nested, inner ones first): a mutated clause table can
/// overlap, and the wrapper cannot be expected to repair it. Its declared
/// max stack is not held against it, since the wrapper recomputes it.
fn well_formed(original: &MethodBody, signature: &MethodSig, shapes: &il_input::Shapes) -> bool {
    if !clean(original, shapes) {
        return false;
    }
    let mut roomy = original.clone();
    roomy.header.max_stack = u16::MAX;
    let structurally_valid = roomy
        .encode()
        .is_ok_and(|bytes| check_encoded(&bytes, shapes).is_ok());
    if !structurally_valid {
        return false;
    }
    let mut probe = original.clone();
    let Some(first) = probe.first() else {
        return false;
    };
    let Ok(exit) = probe.retarget_returns() else {
        return false;
    };
    let mut tail = Vec::new();
    if !signature.ret.is_void() {
        tail.push(probe.create(Instruction::simple(OpCode::Pop)));
    }
    tail.push(probe.create(Instruction::branch(OpCode::Br, first)));
    probe.insert_after(exit, &tail).is_ok() && clean(&probe, shapes)
}

fn check(
    bytes: &[u8],
    tokens: &FakeTokens,
    shapes: &il_input::Shapes,
    well_formed: bool,
    what: &str,
) {
    assert_stable(bytes);
    if well_formed {
        let resolver = WrappedCalls {
            tokens,
            inner: shapes,
        };
        if let Err(problem) = check_encoded(bytes, &resolver) {
            panic!("{what} of a well-formed body: {problem}");
        }
    }
}

/// Stand-in metadata for the byref-like classification: value types with
/// an odd row and generic parameters with an odd index are byref-like, so
/// the signatures the fuzzer writes reach both the boxed and the `null`
/// paths of the wrappers.
struct OddIsByRefLike;

impl ByRefLikeFacts for OddIsByRefLike {
    fn is_byref_like_type(&self, token: u32) -> bool {
        token & 1 == 1
    }
    fn allows_byref_like(&self, _method_param: bool, index: u32) -> bool {
        index & 1 == 1
    }
}
