//! Instrument everything (issue 9 item 1): every method of every type of
//! Newtonsoft.Json 13.0.3, of the ReadyToRun framework assembly
//! System.Text.Json, and of the workload's own edge-case shapes is selected
//! by generated extension XML (`tests/support/select_all.rs`); the workload
//! `tests/apps/EverythingApp` runs with and without the profiler, and the
//! run must be indistinguishable to the application while every selected
//! method that was JIT-compiled is accounted for: instrumented, or left
//! alone with a logged reason (reference-profiler §5.1, §5.8).

use crate::everything_report::{account, Accounting};
use crate::il_support::select_all::{self, Selection};
use crate::support::*;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Documents per corpus in the `cargo test` run; `EVERYTHING_SIZE`
/// overrides it (`scripts/instrument-everything.sh` runs a larger corpus).
pub const TEST_SIZE: &str = "12";

/// The assembly the workload emits at run time with `tail.` and `jmp`
/// (`TailCalls` in `tests/apps/EverythingApp/Shapes.cs`); not on disk
/// before the run, so its selection is written by hand.
pub const EMITTED: (&str, &str, &[&str]) = (
    "EmittedTailCalls",
    "Emitted.Chain",
    &["Target", "TailCaller", "Jumper"],
);

pub struct Everything {
    pub size: String,
    pub selections: Vec<Selection>,
    pub baseline: Outcome,
    pub instrumented: Outcome,
    pub baseline_time: Duration,
    pub instrumented_time: Duration,
    pub log: Log,
    pub events: Vec<serde_json::Value>,
    pub agent: String,
    pub xml_bytes: usize,
    _home: Home,
    _logs: tempfile::TempDir,
}

fn artifacts() -> &'static (PathBuf, PathBuf) {
    static BUILT: OnceLock<(PathBuf, PathBuf)> = OnceLock::new();
    BUILT.get_or_init(|| {
        let f = fixtures();
        let apps = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/apps");
        dotnet_build(&apps.join("EverythingApp"), &f.artifacts);
        dotnet_build(&apps.join("CountingAgent"), &f.artifacts);
        (
            f.artifacts
                .join("bin/EverythingApp/release/EverythingApp.dll"),
            f.artifacts
                .join("bin/CountingAgent/release/NewRelic.Agent.Core.dll"),
        )
    })
}

/// `System.Text.Json.dll` of the shared framework the fixtures run on.
fn framework_assembly(name: &str) -> PathBuf {
    crate::il_support::corpus::framework_dirs()
        .into_iter()
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("{name} not found in the shared framework directories"))
}

/// The run shared by the tests of this module.
fn shared() -> &'static Everything {
    static RUN: OnceLock<Everything> = OnceLock::new();
    RUN.get_or_init(|| {
        let size = std::env::var("EVERYTHING_SIZE").unwrap_or_else(|_| TEST_SIZE.to_string());
        everything(&size)
    })
}

/// Runs the workload without and with the profiler.
fn everything(size: &str) -> Everything {
    let (app, agent_dll) = artifacts().clone();
    let app_dir = app.parent().expect("app directory");
    let selections: Vec<Selection> = [
        app_dir.join("Newtonsoft.Json.dll"),
        framework_assembly("System.Text.Json.dll"),
        app.clone(),
    ]
    .iter()
    .map(|p| select_all::select_everything(p).unwrap_or_else(|e| panic!("{}: {e}", p.display())))
    .collect();
    let xml = select_all::extension_xml(&selections.iter().collect::<Vec<_>>(), &[EMITTED]);
    let home = Home::new();
    home.write_extension("everything.xml", &xml);
    std::fs::copy(&agent_dll, home.path.join("NewRelic.Agent.Core.dll")).expect("counting agent");
    let logs = scratch();
    let agent_log = logs.path().join("agent.tsv");
    let args = [app.display().to_string(), size.to_string()];
    let args: Vec<&str> = args.iter().map(String::as_str).collect();

    let started = Instant::now();
    let baseline = Run::command("dotnet", &args).without_profiler().run();
    let baseline_time = started.elapsed();
    let started = Instant::now();
    let instrumented = Run::command("dotnet", &args)
        .home(&home)
        .log_dir(logs.path())
        .env("NEWRELIC_VALIDATION_ENABLED", "1")
        .env("NEWRELIC_VALIDATION_OUTPUT", logs.path())
        .env("NEWRELIC_TEST_AGENT_LOG", &agent_log)
        .run();
    let instrumented_time = started.elapsed();
    let log = instrumented.log(logs.path());
    let events_path = logs.path().join(format!(
        "NewRelic.Profiler.Validation.{}.jsonl",
        instrumented.pid()
    ));
    let events = std::fs::read_to_string(&events_path)
        .unwrap_or_else(|e| panic!("no validation log {}: {e}", events_path.display()))
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    Everything {
        size: size.to_string(),
        selections,
        baseline,
        instrumented,
        baseline_time,
        instrumented_time,
        log,
        events,
        agent: std::fs::read_to_string(&agent_log).unwrap_or_default(),
        xml_bytes: xml.len(),
        _home: home,
        _logs: logs,
    }
}

/// Exceptions that mean the rewrite broke the program (or its metadata).
const FORBIDDEN: [&str; 4] = [
    "InvalidProgramException",
    "BadImageFormatException",
    "TypeLoadException",
    "MissingMethodException",
];

/// The shapes the workload must exercise (issue 9 item 1), and whether at
/// least one must be instrumented (not only skipped with a reason).
const REQUIRED_SHAPES: [(&str, bool); 12] = [
    ("shared_generic_code", true),
    ("struct_methods", false),
    ("ref_struct_methods", false),
    ("iterator_kickoff", true),
    ("async_kickoff", true),
    ("state_machine_move_next", true),
    ("stackalloc", true),
    ("fixed", true),
    ("tail_prefixed_calls", false),
    ("jmp", false),
    ("exception_filters", true),
    ("huge_methods", true),
];

/// `[EmittedTailCalls]Emitted.Chain.<method>(System.Int32)` for the emitted methods.
fn emitted_keys() -> Vec<String> {
    EMITTED
        .2
        .iter()
        .map(|m| format!("[{}]{}.{m}(System.Int32)", EMITTED.0, EMITTED.1))
        .collect()
}

/// The emitted methods with the IL shapes each contains (`Target`: none,
/// `TailCaller`: a `tail.`-prefixed call, `Jumper`: `jmp`).
fn emitted_shapes() -> Vec<(String, &'static [&'static str])> {
    const SHAPES: [&[&str]; 3] = [&[], &["tail_prefixed_calls"], &["jmp"]];
    emitted_keys().into_iter().zip(SHAPES).collect()
}

/// The application's output without the pid line.
fn results(out: &Outcome) -> Vec<&str> {
    out.stdout
        .lines()
        .filter(|l| !l.starts_with("PID="))
        .collect()
}

/// `Total <calls> <finishes> <exceptions>` and the functions the counting agent saw.
fn agent_totals(agent: &str) -> ((u64, u64, u64), Vec<String>) {
    let mut totals = (0, 0, 0);
    let mut functions = Vec::new();
    for line in agent.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        let num = |i: usize| f.get(i).and_then(|v| v.parse().ok()).unwrap_or(0u64);
        match f.first() {
            Some(&"Total") => totals = (num(1), num(2), num(3)),
            Some(&"Function") => functions.push(format!(
                "{}.{}({})",
                f.get(5).unwrap_or(&""),
                f.get(6).unwrap_or(&""),
                f.get(7).unwrap_or(&"")
            )),
            _ => {}
        }
    }
    (totals, functions)
}

/// Every check of the run; the failures are reported all at once.
fn check(e: &Everything) -> Accounting {
    let mut a = account(&e.selections, &emitted_shapes(), &e.events);
    let mut fail = |m: String| a.failures.push(m);
    if !e.baseline.status.success() || !e.instrumented.status.success() {
        fail(format!(
            "exit status: baseline {:?}, instrumented {:?}",
            e.baseline.status, e.instrumented.status
        ));
    }
    if results(&e.baseline) != results(&e.instrumented) {
        fail("the output differs with the profiler".into());
    }
    if !e.baseline.stderr.is_empty() {
        fail(format!(
            "the baseline wrote to stderr:\n{}",
            e.baseline.stderr
        ));
    }
    for text in [
        &e.instrumented.stdout,
        &e.instrumented.stderr,
        &e.baseline.stdout,
    ] {
        for name in FORBIDDEN {
            if text.contains(name) {
                fail(format!("{name} in the output"));
            }
        }
    }
    // The log says the same as the events: one line per decision.
    let lines = |prefix: &str| {
        e.log
            .messages()
            .iter()
            .filter(|m| m.starts_with(prefix))
            .count()
    };
    let decisions = |outcome: &str| {
        e.events
            .iter()
            .filter(|v| v["event"] == "decision" && v["outcome"] == outcome)
            .count()
    };
    for (prefix, outcome) in [
        ("Instrumenting method: ", "instrument"),
        ("Skipping SpecialName method: ", "skip_special_name"),
        (
            "Skipping sequential layout method: ",
            "skip_sequential_layout",
        ),
        ("Skipping value type method: ", "skip_value_type"),
    ] {
        if lines(prefix) != decisions(outcome) {
            fail(format!(
                "{} log lines `{prefix}` but {} `{outcome}` events",
                lines(prefix),
                decisions(outcome)
            ));
        }
    }
    let failed = e
        .events
        .iter()
        .filter(|v| v["event"] == "rewrite_failed")
        .count();
    let reasons = lines("Skipping invalid method: ")
        + lines("An exception was thrown while possibly instrumenting function: ");
    if reasons != failed {
        fail(format!(
            "{reasons} failure lines but {failed} rewrite_failed events"
        ));
    }
    // The agent: every call finished, and only rewritten functions called it.
    let ((calls, finishes, exceptions), functions) = agent_totals(&e.agent);
    if calls == 0 || calls != finishes {
        fail(format!("agent calls {calls} but finishes {finishes}"));
    }
    let rewritten: BTreeSet<String> = e
        .events
        .iter()
        .filter(|v| v["event"] == "rewrite")
        .filter_map(|v| v["function"].as_str())
        .map(|f| {
            let key = crate::everything_report::key_of(f);
            key.split_once(']')
                .map(|(_, rest)| rest)
                .unwrap_or(key)
                .to_string()
        })
        .collect();
    for function in &functions {
        if !rewritten.contains(function) {
            fail(format!(
                "the agent was called by {function}, which has no rewrite event"
            ));
        }
    }
    // Every shape the issue names was exercised: JIT-compiled at least once,
    // and instrumented unless the profiler skips it with a reason (value
    // types: §5.8 and R10; `tail.` and `jmp`: R1).
    for (shape, must_instrument) in REQUIRED_SHAPES {
        let Some((name, v)) = a.shapes.iter().find(|(k, _)| k.starts_with(shape)) else {
            fail(format!("shape {shape} not counted"));
            continue;
        };
        let n = |field: &str| v[field].as_u64().unwrap_or(0);
        if n("jit_compiled") == 0 || (must_instrument && n("instrumented") == 0) {
            fail(format!("shape {name} not exercised: {v}"));
        }
    }
    a.counts.insert("agent.calls".into(), json!(calls));
    a.counts.insert("agent.finishes".into(), json!(finishes));
    a.counts
        .insert("agent.finishes_with_exception".into(), json!(exceptions));
    a.counts
        .insert("agent.functions".into(), json!(functions.len()));
    a.counts.insert("workload_size".into(), json!(e.size));
    a.counts.insert(
        "baseline_ms".into(),
        json!(e.baseline_time.as_millis() as u64),
    );
    a.counts.insert(
        "instrumented_ms".into(),
        json!(e.instrumented_time.as_millis() as u64),
    );
    a.counts
        .insert("extension_xml_bytes".into(), json!(e.xml_bytes));
    a
}

/// `target/` of this build (`target/<profile>/deps/<test binary>`).
fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    exe.ancestors()
        .nth(3)
        .expect("target directory")
        .to_path_buf()
}

/// `target/reliability/instrument-everything.json` (docs/reliability.md is built from such files).
fn write_report(a: &Accounting) {
    let mut counts = serde_json::Map::new();
    for (k, v) in &a.counts {
        counts.insert(k.clone(), v.clone());
    }
    counts.insert("skipped_by_reason".into(), json!(a.skip_reasons));
    counts.insert("il_shapes".into(), json!(a.shapes));
    let report = json!({
        "what": "Instrument everything: every method of every type of Newtonsoft.Json 13.0.3, System.Text.Json (ReadyToRun, shared framework) and the workload's own edge-case shapes selected by generated extension XML; the workload run with and without the profiler",
        "inputs": "tests/apps/EverythingApp: a deterministic corpus of documents through Newtonsoft.Json (POCOs, settings, TypeNameHandling, converters, LINQ to JSON, JsonTextReader/Writer, async, errors, references, dynamic, XML, collections) and System.Text.Json (JsonSerializer with reflection and source-generated metadata, options, polymorphism, Utf8JsonReader/Utf8JsonWriter, JsonDocument, JsonNode, async streams, errors), plus method shapes (shared generics, structs of every layout, iterators, async, stackalloc, fixed, pointers, TypedReference, spans, ref structs, allows-ref-struct generics, filters, static abstract and default interface members, a huge method, run-time emitted tail. and jmp); counting test agent (tests/apps/CountingAgent)",
        "counts": Value::Object(counts),
        "result": if a.failures.is_empty() { "pass" } else { "fail" },
        "notes": if a.failures.is_empty() {
            "Output byte-identical; no InvalidProgram/BadImageFormat/TypeLoad/MissingMethod exception; every JIT-compiled selected method instrumented or skipped with a logged reason; methods never called are never JIT-compiled, hence never decided".to_string()
        } else {
            a.failures.iter().take(20).cloned().collect::<Vec<_>>().join("; ")
        },
    });
    let dir = target_dir().join("reliability");
    std::fs::create_dir_all(&dir).expect("target/reliability");
    let text = serde_json::to_string_pretty(&report).expect("JSON");
    std::fs::write(dir.join("instrument-everything.json"), text + "\n").expect("write report");
}

#[test]
fn every_selected_method_is_instrumented_or_skipped_with_a_reason() {
    let e = shared();
    let a = check(e);
    write_report(&a);
    println!("instrument everything (size {}):", e.size);
    for (k, v) in &a.counts {
        println!("  {k}: {v}");
    }
    println!("  skipped by reason: {:?}", a.skip_reasons);
    for (k, v) in &a.shapes {
        println!("  shape {k}: {v}");
    }
    assert!(
        a.failures.is_empty(),
        "{} failures:\n{}\nstdout:\n{}\nstderr:\n{}",
        a.failures.len(),
        a.failures
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n"),
        e.instrumented.stdout,
        e.instrumented.stderr
    );
}

/// The outcome set of one function, by key.
fn outcomes(key: &str) -> BTreeSet<String> {
    crate::everything_report::fates(&shared().events)
        .remove(key)
        .map(|f| {
            let mut o = f.outcomes;
            if f.rewritten {
                o.insert("rewrite".into());
            }
            if let Some(reason) = f.failure {
                o.insert(reason);
            }
            o
        })
        .unwrap_or_default()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[test]
fn tail_calls_and_jmp_are_left_alone_with_a_reason_and_still_run() {
    let e = shared();
    let keys = emitted_keys();
    assert!(outcomes(&keys[0]).contains("rewrite"), "{}", keys[0]);
    assert!(outcomes(&keys[1]).contains("tail.-prefixed calls cannot be wrapped"));
    assert!(outcomes(&keys[2]).contains("jmp cannot be wrapped"));
    assert!(
        e.instrumented
            .stdout
            .lines()
            .any(|l| l.starts_with("shapes#2: ")),
        "{}",
        e.instrumented.stdout
    );
}

#[test]
fn span_ref_struct_typed_reference_and_pointer_methods_are_instrumented() {
    for method in [
        "SpanSum(System.Span`1[System.Int32])",
        "Trim(System.ReadOnlySpan`1[System.Char])",
        "Slice(System.Span`1[System.Int32],System.Int32)",
        "CountLetters(Everything.Cursor)",
        "TypeOf(System.TypedReference)",
        "Measure(!!0)",
        "ReadThrough(System.Int32*)",
        "Apply((System.Int32)(System.Int32),System.Int32)",
        "StackSum(System.Int32)",
        "FixedChecksum(System.String)",
        "Filtered(System.Int32)",
    ] {
        let key = format!("[EverythingApp]Everything.Shapes.{method}");
        assert_eq!(outcomes(&key), set(&["instrument", "rewrite"]), "{key}");
    }
    // System.Text.Json's own span-taking methods were rewritten too.
    let fates = crate::everything_report::fates(&shared().events);
    let stj_spans = fates
        .iter()
        .filter(|(k, f)| k.starts_with("[System.Text.Json]") && k.contains("Span`1") && f.rewritten)
        .count();
    assert!(
        stj_spans > 10,
        "only {stj_spans} span-taking System.Text.Json methods rewritten"
    );
}

#[test]
fn value_type_methods_of_every_layout_are_skipped() {
    for (method, outcome) in [
        ("SequentialPoint.Sum()", "skip_sequential_layout"),
        ("AutoPoint.Product()", "skip_value_type"),
        ("Union.Bits()", "skip_value_type"),
        ("Shapes+<AsyncSum>d__3.MoveNext()", "skip_value_type"),
    ] {
        let key = format!("[EverythingApp]Everything.{method}");
        assert_eq!(outcomes(&key), set(&[outcome]), "{key}");
    }
}
