//! Configured methods call the agent exactly as with the original profiler
//! (reference-profiler §4, §5, §6.1). One shared run of every scenario of
//! `tests/apps/InstrumentedApp` with the profiler, one without, then many
//! assertions on both and on what the test agent recorded.

use crate::agent_record::AgentLog;
use crate::support::*;
use std::sync::OnceLock;

const DEFAULT_FACTORY: &str = "NewRelic.Agent.Core.Tracer.Factories.DefaultTracerFactory";

struct Shared {
    instrumented: Outcome,
    baseline: Outcome,
    agent: AgentLog,
    log: Log,
    _home: Home,
    _scratch: tempfile::TempDir,
}

fn home_with_app_extension() -> Home {
    let home = Home::new();
    home.write_config(&DEFAULT_CONFIG.replace("level=\"info\"", "level=\"debug\""));
    let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    home.add_extension(
        &manifest.join("tests/apps/InstrumentedApp/Instrumentation.xml"),
        None,
    );
    home
}

fn shared() -> &'static Shared {
    static SHARED: OnceLock<Shared> = OnceLock::new();
    SHARED.get_or_init(|| {
        let home = home_with_app_extension();
        let scratch = scratch();
        let agent_log = scratch.path().join("agent.log");
        let instrumented = Run::instrumented(&[])
            .home(&home)
            .log_dir(scratch.path())
            .env("NEWRELIC_TEST_AGENT_LOG", &agent_log)
            .run();
        instrumented.assert_success();
        let baseline = Run::instrumented(&[]).without_profiler().run();
        baseline.assert_success();
        let log = instrumented.log(scratch.path());
        Shared {
            agent: AgentLog::read(&agent_log),
            log,
            instrumented,
            baseline,
            _home: home,
            _scratch: scratch,
        }
    })
}

/// The app's result lines, without the pid line, the API scenario whose
/// output differs by design (the agent answers instead of the fallback) and
/// the scenario that shows the profiler's cached agent delegate.
fn results(out: &Outcome) -> Vec<String> {
    out.stdout
        .lines()
        .filter(|l| {
            !l.starts_with("PID=")
                && !l.starts_with("api")
                && !l.starts_with("api-fallback")
                && !l.starts_with("agent-cache")
        })
        .map(str::to_string)
        .collect()
}

#[test]
fn application_output_is_identical_with_and_without_the_profiler() {
    let s = shared();
    assert_eq!(results(&s.instrumented), results(&s.baseline));
    assert!(
        !s.instrumented.stdout.contains("InvalidProgram"),
        "{}",
        s.instrumented.stdout
    );
    assert!(
        !s.instrumented.stderr.contains("Exception"),
        "{}",
        s.instrumented.stderr
    );
    assert!(
        !s.log.text.contains("An exception was thrown"),
        "{}",
        s.log.text
    );
}

#[test]
fn instrumenting_lines_use_the_reference_function_format() {
    let s = shared();
    let dll = target_path(&fixtures().instrumented_dll);
    s.log.assert_has(&format!(
        "Instrumenting method: (Module: {dll}, AppDomain: clrhost)[InstrumentedApp]Instrumented.Calls.InstanceInt(System.Int32)"
    ));
    s.log
        .assert_has("Identified 45 Instrumentation points (not ignored) in .xml files");
}

#[test]
fn static_and_instance_methods_pass_target_and_boxed_arguments() {
    let a = &shared().agent;
    let c = a.call("Instrumented.Calls", "StaticVoid");
    assert_eq!(
        (
            c.factory.as_str(),
            c.flags.as_str(),
            c.metric.as_str(),
            c.assembly.as_str()
        ),
        (DEFAULT_FACTORY, "0x3400", "", "InstrumentedApp")
    );
    assert_eq!(
        (
            c.type_full_name.as_str(),
            c.signature.as_str(),
            c.target.as_str(),
            c.args.as_str()
        ),
        ("Instrumented.Calls", "", "<null>", "[]")
    );
    assert!(c.function_id.starts_with("fid=") && c.function_id != "fid=0");
    assert_eq!(
        a.finishes("Instrumented.Calls", "StaticVoid")[0],
        ("<null>".into(), "<null>".into())
    );

    let c = a.call("Instrumented.Calls", "InstanceInt");
    assert_eq!(
        (c.signature.as_str(), c.target.as_str(), c.args.as_str()),
        ("System.Int32", "Instrumented.Calls", "[21]")
    );
    assert_eq!(a.finishes("Instrumented.Calls", "InstanceInt")[0].0, "42");
    assert_eq!(
        a.calls_to("Instrumented.Calls", "InstanceInt").len(),
        2,
        "both rounds, the first included"
    );
}

#[test]
fn class_struct_and_generic_values_are_boxed() {
    let a = &shared().agent;
    let c = a.call("Instrumented.Calls", "ClassParam");
    assert_eq!(
        (c.signature.as_str(), c.args.as_str()),
        ("Instrumented.Customer", "[Customer { Name = Ada }]")
    );
    assert_eq!(
        a.finishes("Instrumented.Calls", "ClassReturn")[0].0,
        "Customer { Name = Bob }"
    );
    assert_eq!(
        a.finishes("Instrumented.Calls", "StructReturn")[0].0,
        "0f8fad5b-d9cb-469f-a165-70867728950e"
    );
    let generic = a.calls_to("Instrumented.Calls", "GenericReturn");
    assert_eq!(generic[0].signature, "!!0");
    let args: Vec<&str> = generic.iter().map(|c| c.args.as_str()).collect();
    assert!(
        args.contains(&"[7]") && args.contains(&"[\"seven\"]"),
        "{args:?}"
    );
    assert!(
        generic
            .iter()
            .all(|c| c.function_id == generic[0].function_id),
        "instantiations share one function id"
    );
}

#[test]
fn by_ref_arguments_are_null_and_their_values_still_flow_back() {
    let s = shared();
    let c = s.agent.call("Instrumented.Calls", "RefOut");
    assert_eq!(
        (c.signature.as_str(), c.args.as_str()),
        ("System.Int32&,System.String&", "[<null>,<null>]")
    );
    assert!(s.instrumented.stdout.contains("ref-out#1: 42/out-value"));
}

#[test]
fn params_arrays_and_fourteen_parameters() {
    let a = &shared().agent;
    let c = a.call("Instrumented.Calls", "Params");
    assert_eq!(
        (c.signature.as_str(), c.args.as_str()),
        ("System.Int32[]", "[Int32[]{1,2,3,4}]")
    );
    let c = a.call("Instrumented.Calls", "Fourteen");
    assert_eq!(c.signature, vec!["System.Boolean"; 14].join(","));
    assert_eq!(
        c.args,
        "[True,False,True,False,True,False,True,False,True,False,True,False,True,True]"
    );
    assert_eq!(a.finishes("Instrumented.Calls", "Fourteen")[0].0, "8");
}

#[test]
fn many_returns_switch_and_tiny_bodies_return_their_values() {
    let a = &shared().agent;
    let many: Vec<String> = a
        .finishes("Instrumented.Calls", "ManyReturns")
        .into_iter()
        .map(|f| f.0)
        .collect();
    assert_eq!(&many[..6], &["100", "101", "104", "103", "4000", "5000"]);
    let switch: Vec<String> = a
        .finishes("Instrumented.Calls", "Switch")
        .into_iter()
        .map(|f| f.0)
        .collect();
    assert_eq!(
        &switch[..5],
        &["\"zero\"", "\"one\"", "\"two\"", "\"three\"", "\"many\""]
    );
    assert_eq!(a.finishes("Instrumented.Calls", "Tiny")[0].0, "42");
    shared().log.assert_has("Rewriting multi-return method");
}

#[test]
fn exceptions_reach_the_finish_delegate_and_are_rethrown_with_their_stack() {
    let s = shared();
    assert_eq!(
        s.agent.finishes("Instrumented.Calls", "Throws")[0],
        (
            "<null>".to_string(),
            "System.InvalidOperationException: boom 3".to_string()
        )
    );
    assert!(s
        .instrumented
        .stdout
        .contains("throws#1: threw InvalidOperationException: boom 3"));
    assert!(s
        .instrumented
        .stdout
        .contains("stack#1: original frame kept"));
}

#[test]
fn exception_handling_inside_the_body_is_unchanged() {
    let a = &shared().agent;
    assert_eq!(
        a.finishes("Instrumented.Calls", "CatchesInside")[0],
        ("5".into(), "<null>".into())
    );
    assert_eq!(a.finishes("Instrumented.Calls", "FinallyInside")[0].0, "1");
    let filter: Vec<String> = a
        .finishes("Instrumented.Calls", "FilterInside")
        .into_iter()
        .map(|f| f.0)
        .collect();
    assert_eq!(&filter[..2], &["1", "2"]);
}

#[test]
fn async_methods_carry_the_async_flag() {
    let a = &shared().agent;
    assert_eq!(a.call("Instrumented.Calls", "AsyncWork").flags, "0x803400");
    assert_eq!(
        a.call("Instrumented.Calls", "InstanceInt").flags,
        "0x3400",
        "no leak into other methods"
    );
    // X2 proper: one matcher (no `parameters`) makes one point for both
    // overloads of `Overloads.Work`. The async one is rewritten first; the
    // original ORs bit 23 into the shared point, so the synchronous
    // overload then reports 0x803400 too. Here it keeps 0x3400.
    // Built (or published) for the suite's runtime target, like every app.
    let dll = build_app("AsyncOverloadApp", "AsyncOverloadApp");
    let home = Home::new();
    home.write_extension(
        "Overloads.xml",
        r#"<?xml version="1.0"?><extension xmlns="urn:newrelic-extension"><instrumentation><tracerFactory><match assemblyName="AsyncOverloadApp" className="AsyncOverloadApp.Overloads"><exactMethodMatcher methodName="Work" /></match></tracerFactory></instrumentation></extension>"#,
    );
    let scratch = scratch();
    let agent_log = scratch.path().join("agent.log");
    let out = Run::managed(&dll, &[])
        .home(&home)
        .log_dir(scratch.path())
        .env("NEWRELIC_TEST_AGENT_LOG", &agent_log)
        .run();
    out.assert_success();
    assert!(
        out.stdout.contains("async=42") && out.stdout.contains("sync=5"),
        "{}",
        out.stdout
    );
    let agent = AgentLog::read(&agent_log);
    let calls = agent.calls_to("AsyncOverloadApp.Overloads", "Work");
    let flags: Vec<(&str, &str)> = calls
        .iter()
        .map(|c| (c.signature.as_str(), c.flags.as_str()))
        .collect();
    assert_eq!(
        flags,
        vec![
            ("System.Int32", "0x803400"),
            ("System.String", "0x3400"),
            ("System.Int32", "0x803400"),
        ],
        "the async flag of the first overload leaked into the point both share"
    );
}

#[test]
fn constructors_are_instrumented() {
    let c = shared().agent.call("Instrumented.Calls", ".ctor");
    assert_eq!(
        (c.signature.as_str(), c.args.as_str(), c.target.as_str()),
        ("System.String", "[\"made\"]", "Instrumented.Calls")
    );
}

#[test]
fn overloads_are_selected_by_parameters() {
    let calls = shared().agent.calls_to("Instrumented.Calls", "Overloaded");
    assert!(!calls.is_empty());
    assert!(
        calls.iter().all(|c| c.signature == "System.String"),
        "{calls:?}"
    );
}

#[test]
fn nested_and_generic_type_names() {
    let a = &shared().agent;
    let c = a.call("Instrumented.Outer+Inner", "Name");
    assert_eq!(c.type_full_name, "Instrumented.Outer+Inner");
    let c = a.call("Instrumented.GenericClass`1", "Echo");
    assert_eq!(
        (c.signature.as_str(), c.type_full_name.as_str()),
        ("!0", "Instrumented.GenericClass`1")
    );
    let c = a.call("Instrumented.GenericClass`1", "Convert");
    assert_eq!(c.signature, "!0,System.Func`2[!0,!!0]");
    let c = a.call("Instrumented.GenericClass`1+Nested", "Hello");
    assert_eq!(c.signature, "!0");
    let c = a.call("Instrumented.Calls", "Wrap");
    assert_eq!(c.signature, "System.Collections.Generic.List`1[System.Collections.Generic.Dictionary`2[System.String,!!0]]");
    let echoes = a.finishes("Instrumented.GenericClass`1", "Echo");
    assert!(
        echoes
            .iter()
            .any(|f| f.0 == "System.Collections.Generic.List`1[System.Int32]"),
        "{echoes:?}"
    );
}

#[test]
fn constraints_and_variance() {
    let a = &shared().agent;
    assert_eq!(
        a.finishes("Instrumented.Constrained`1", "Make")[0].0,
        "Customer { Name = default }"
    );
    assert_eq!(
        a.call("Instrumented.Calls", "StructConstraint").signature,
        "!!0"
    );
    assert_eq!(
        a.finishes("Instrumented.CovariantBox`1", "Get")[0].0,
        "\"co\""
    );
    assert_eq!(
        a.call("Instrumented.ContravariantSink`1", "Take").signature,
        "!0"
    );
}

#[test]
fn base_method_called_through_an_override() {
    let c = shared().agent.call("Instrumented.BaseClass", "Foo");
    assert_eq!(c.target, "Instrumented.Derived");
    assert!(shared()
        .instrumented
        .stdout
        .contains("override#1: derived+base"));
}

#[test]
fn structs_and_accessors_are_skipped_with_the_reference_lines() {
    let s = shared();
    let dll = target_path(&fixtures().instrumented_dll);
    s.log.assert_has(&format!(
        "Skipping sequential layout method: (Module: {dll}, AppDomain: clrhost)[InstrumentedApp]Instrumented.Point.Sum()"
    ));
    s.log.assert_has(&format!(
        "Skipping SpecialName method: (Module: {dll}, AppDomain: clrhost)[InstrumentedApp]Instrumented.Calls.get_Label()"
    ));
    assert!(s.agent.calls_to("Instrumented.Point", "Sum").is_empty());
    assert!(s
        .agent
        .calls_to("Instrumented.Calls", "get_Label")
        .is_empty());
}

#[test]
fn version_ranges_and_xml_attributes() {
    let s = shared();
    let c = s.agent.call("Instrumented.Calls", "VersionInRange");
    // metric="both" 0x1800, metricName 0x4000, level 2 → 0x20000, naming priority 3 →
    // 0x3000000, default recursion 0x2000 and segment 0x400.
    assert_eq!(
        (c.factory.as_str(), c.metric.as_str(), c.flags.as_str()),
        ("Custom.Factory", "Custom/Metric", "0x3027c00")
    );
    assert!(s
        .agent
        .calls_to("Instrumented.Calls", "VersionOutOfRange")
        .is_empty());
    s.log
        .assert_has("InstrumentedApp version 1.2.3.4 does not meet minimum version 1.2.3.5");
}

#[test]
fn instrumented_methods_called_from_inside_the_agent() {
    let a = &shared().agent;
    let order: Vec<String> = a
        .records
        .iter()
        .filter_map(|r| match r {
            crate::agent_record::Record::Call(c)
                if c.method == "Outer" || c.method == "CalledFromAgent" =>
            {
                Some(format!("call {}", c.method))
            }
            crate::agent_record::Record::Finish(n, _, _)
                if n.ends_with(".Outer") || n.ends_with(".CalledFromAgent") =>
            {
                Some(format!("finish {n}"))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        &order[..4],
        &[
            "call Outer",
            "call CalledFromAgent",
            "finish Instrumented.Calls.CalledFromAgent",
            "finish Instrumented.Calls.Outer"
        ]
    );
}

#[test]
fn netstandard_library_methods_are_instrumented() {
    let a = &shared().agent;
    let c = a.call("NetStandardLib.Greeter", "Greet");
    assert_eq!(
        (c.assembly.as_str(), c.args.as_str()),
        ("NetStandardLib", "[\"lib\"]")
    );
    assert_eq!(a.finishes("NetStandardLib.Greeter", "Add")[0].0, "5");
}

#[test]
fn api_methods_are_redirected_to_the_agent() {
    let s = shared();
    let api = s.agent.api_calls();
    let expected = [
        ("RecordMetric", "[\"Custom/Metric\",1.5]"),
        ("NoticeError(String)", "[\"message\"]"),
        ("NoticeError(Exception)", "[\"api error\"]"),
        ("GetBrowserTimingHeader", "[]"),
    ];
    for (method, args) in expected {
        assert!(
            api.iter().any(|(m, a)| m == method && a == args),
            "{method} missing from {api:?}"
        );
    }
    // The agent has no DisableBrowserMonitoring: the API's own body runs; GetAgent is never rewritten.
    assert!(
        s.instrumented
            .stdout
            .contains("api#1: <script>agent header</script>|api-fallback agent"),
        "{}",
        s.instrumented.stdout
    );
    assert!(s
        .instrumented
        .stdout
        .contains("api-fallback DisableBrowserMonitoring"));
    assert!(!s.instrumented.stdout.contains("api-fallback RecordMetric"));
    s.log.assert_has_prefix("Instrumenting API method: ");
    assert!(s
        .log
        .messages()
        .iter()
        .any(|m| m.starts_with("Skipping instrumenting API method: ")
            && m.ends_with("NewRelic.Api.Agent.NewRelic.GetAgent()")));
}

#[test]
fn trace_and_transaction_attributes_without_xml() {
    let a = &shared().agent;
    // Attribute points get no XML defaults: only bits 20-23 (§4.3, §4.8).
    assert_eq!(
        a.call("Instrumented.Attributed", "Traced").flags,
        "0x100000"
    );
    assert_eq!(
        a.call("Instrumented.Attributed", "OtherTransaction").flags,
        "0x500000"
    );
    assert_eq!(
        a.call("Instrumented.Attributed", "WebTransaction").flags,
        "0x300000"
    );
    assert_eq!(
        a.call("Instrumented.Attributed", "AsyncTraced").flags,
        "0x900000"
    );
    assert_eq!(
        a.call("Instrumented.Attributed", "Traced").factory,
        DEFAULT_FACTORY
    );
    if opt_out_mode() {
        // Found at their first JIT, re-JIT-ted from there (§5.1, §6.1).
        shared().log.assert_has_prefix("Request reJIT: [");
    } else {
        // Found by metadata when the module loads (ReadyToRun kept, issue 18).
        shared().log.assert_has(
            "Found 4 method(s) with [Transaction] or [Trace] attributes in InstrumentedApp",
        );
    }
}
