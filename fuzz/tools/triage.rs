//! Shows what a fuzz input is and where its target fails, for fixing a
//! finding: `triage <target> <file>...`. IL inputs are listed (header,
//! instructions, clauses, the encoder's bytes against the input, the
//! wrappers' output and stack reports); every input is then run through
//! its harness, whose panic message names the broken invariant.

use newrelic_profiler_fuzz::harness::{self, fake_tokens, il_input};
use NewRelicProfiler::il::signature::{MethodSig, Signature};
use NewRelicProfiler::il::{MethodBody, NoCallResolver};
use NewRelicProfiler::instrument::tracer_request::AgentLookup;
use NewRelicProfiler::instrument::wrapper::{build_default_wrapper, OriginalMethod, TracerCall};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(target) = args.get(1) else {
        eprintln!("usage: triage <target> <file>...");
        std::process::exit(2);
    };
    let Some((_, run)) = harness::TARGETS.iter().find(|(n, _)| n == target) else {
        eprintln!("unknown target {target}");
        std::process::exit(2);
    };
    for file in args.iter().skip(2) {
        let data = std::fs::read(file).unwrap_or_else(|e| panic!("{file}: {e}"));
        println!("== {file} ({} bytes)", data.len());
        match target.as_str() {
            "il_body" => show_body(&data),
            "il_wrap" => show_wrap(&data),
            "signature" => show_signature(&data),
            _ => println!("{}", String::from_utf8_lossy(&data)),
        }
        let outcome = std::panic::catch_unwind(|| run(&data));
        println!(
            "harness: {}",
            if outcome.is_ok() { "passes" } else { "FAILS" }
        );
    }
}

fn show_body(data: &[u8]) {
    let body = match MethodBody::decode(data) {
        Ok(b) => b,
        Err(e) => return println!("decode: {e}"),
    };
    println!(
        "header {:?}, decoded size {:?}",
        body.header,
        body.decoded_size()
    );
    for (label, instruction) in body.instructions() {
        println!(
            "  {label:?}: {:?} {:?}",
            instruction.opcode, instruction.operand
        );
    }
    for clause in body.clauses() {
        println!("  clause {clause:?}");
    }
    for section in body.raw_sections() {
        println!("  raw section {section:?}");
    }
    println!("stack {:?}", body.analyze_stack(&NoCallResolver));
    if let Ok(encoded) = body.encode() {
        let original = data
            .get(..body.decoded_size().unwrap_or(0))
            .unwrap_or_default();
        let diff: Vec<usize> = (0..original.len().max(encoded.len()))
            .filter(|&i| original.get(i) != encoded.get(i))
            .collect();
        println!("encode: {} bytes, differs at {diff:?}", encoded.len());
        println!("  input   {original:02x?}\n  encoded {encoded:02x?}");
    }
}

fn show_wrap(data: &[u8]) {
    let input = il_input::parse(data);
    println!(
        "signature {:02x?} -> {:?}",
        input.signature,
        MethodSig::parse(input.signature)
    );
    println!("locals {:02x?}", input.locals);
    println!("shapes {:?}", input.shapes.0);
    show_body(input.body);
    if let Ok(body) = MethodBody::decode(input.body) {
        println!("original stack {:?}", body.analyze_stack(&input.shapes));
    }
    let Ok(signature) = MethodSig::parse(input.signature) else {
        return;
    };
    let method = OriginalMethod {
        body: input.body,
        signature: &signature,
        locals: input.locals,
    };
    let call = TracerCall {
        tracer_factory_name: "F",
        tracer_arguments: 0,
        metric_name: "",
        assembly_name: "A",
        type_def: 0x0200_0002,
        type_name: "T",
        method_name: "M",
        argument_signature: "",
        function_id: 1,
    };
    let mut tokens = fake_tokens::FakeTokens::default();
    match build_default_wrapper(
        &method,
        &call,
        "/agent/NewRelic.Agent.Core.dll",
        AgentLookup::PerCallReflection,
        &mut tokens,
        &input.shapes,
    ) {
        Ok(bytes) => {
            println!("-- default wrapper:");
            show_body(&bytes);
            if let Ok(body) = MethodBody::decode(&bytes) {
                let resolver = fake_tokens::WrappedCalls {
                    tokens: &tokens,
                    inner: &input.shapes,
                };
                println!("wrapped stack {:?}", body.analyze_stack(&resolver));
            }
        }
        Err(e) => println!("default wrapper refused: {e}"),
    }
}

fn show_signature(data: &[u8]) {
    let parsed = Signature::parse(data);
    println!("{parsed:?}");
    if let Ok(s) = parsed {
        println!("writes {:02x?}", s.to_bytes());
    }
}
