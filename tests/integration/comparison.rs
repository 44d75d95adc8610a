//! The `nr-compare` tool on real runs: two runs of the same application are
//! equivalent, a seeded difference is reported, and our run matches the
//! expectations written down from the spec (the original profiler's package
//! cannot be restored on this machine; see docs/fidelity.md).

use crate::support::*;
use std::path::{Path, PathBuf};
use std::process::Command;

struct Recorded {
    _home: Home,
    home_path: String,
    dir: tempfile::TempDir,
    pid: u32,
}

impl Recorded {
    fn profiler_log(&self) -> PathBuf {
        self.dir
            .path()
            .join(format!("NewRelic.Profiler.{}.log", self.pid))
    }
    fn validation_log(&self) -> PathBuf {
        self.dir
            .path()
            .join(format!("NewRelic.Profiler.Validation.{}.jsonl", self.pid))
    }
    fn agent_log(&self) -> PathBuf {
        self.dir.path().join("agent.log")
    }
}

fn app_extension() -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/apps/InstrumentedApp/Instrumentation.xml"),
    )
    .unwrap()
}

fn record(extension: &str, scenarios: &[&str]) -> Recorded {
    record_with(extension, scenarios, &[]).0
}

fn record_with(extension: &str, scenarios: &[&str], env: &[(&str, &str)]) -> (Recorded, Outcome) {
    let home = Home::new();
    home.write_extension("Instrumentation.xml", extension);
    let dir = scratch();
    let mut run = Run::instrumented(scenarios);
    for (name, value) in env {
        run = run.env(name, value);
    }
    let out = run
        .home(&home)
        .log_dir(dir.path())
        .env("NEW_RELIC_LOG_LEVEL", "debug")
        .env("NEWRELIC_VALIDATION_ENABLED", "1")
        .env("NEWRELIC_TEST_AGENT_LOG", dir.path().join("agent.log"))
        .run();
    out.assert_success();
    let pid = out.pid();
    (
        Recorded {
            home_path: home.path.display().to_string(),
            _home: home,
            pid,
            dir,
        },
        out,
    )
}

fn compare(a: &Recorded, b: &Recorded) -> (i32, String) {
    compare_with(a, b, &[])
}

fn compare_with(a: &Recorded, b: &Recorded, extra: &[&std::ffi::OsStr]) -> (i32, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_nr-compare"))
        .arg("--profiler-log")
        .args([a.profiler_log(), b.profiler_log()])
        .arg("--agent")
        .args([a.agent_log(), b.agent_log()])
        .arg("--validation")
        .args([a.validation_log(), b.validation_log()])
        .args([
            "--replace-a",
            &format!("{}=<home>", a.home_path),
            "--replace-b",
            &format!("{}=<home>", b.home_path),
        ])
        .args(["--replace-a", &format!("{}=<logs>", a.dir.path().display())])
        .args(["--replace-b", &format!("{}=<logs>", b.dir.path().display())])
        .args(extra)
        .output()
        .expect("run nr-compare");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

const SCENARIOS: [&str; 6] = [
    "instance-int",
    "generic-method",
    "ref-out",
    "throws",
    "struct-skipped",
    "attributes",
];

#[test]
fn two_runs_of_the_same_application_are_equivalent() {
    let a = record(&app_extension(), &SCENARIOS);
    let b = record(&app_extension(), &SCENARIOS);
    let (code, report) = compare(&a, &b);
    assert_eq!(code, 0, "{report}");
    assert!(report.contains("RESULT: equivalent"), "{report}");
    assert!(report.contains("tracer calls"), "{report}");
    assert!(report.contains("event decision"), "{report}");
}

#[test]
fn a_seeded_difference_is_reported_clearly() {
    let a = record(&app_extension(), &SCENARIOS);
    let b = record(
        &app_extension().replace(r#"<exactMethodMatcher methodName="GenericReturn" />"#, ""),
        &SCENARIOS,
    );
    let (code, report) = compare(&a, &b);
    assert_eq!(code, 1, "{report}");
    assert!(report.contains("RESULT: DIFFERENT"), "{report}");
    assert!(report.contains("- only in A: (Module: "), "{report}");
    assert!(
        report.contains("Instrumented.Calls.GenericReturn(!!0)"),
        "{report}"
    );
    assert!(report.contains("points"), "{report}");

    // The same difference, allow-listed, passes and is counted as allowed.
    let allow = a.dir.path().join("allow.txt");
    std::fs::write(&allow, "# the seeded point, the counts it changes and its generic re-JIT request\n* GenericReturn\npoints\n* Identified\n* points=\n* methods=\n* Requesting a reJIT of a generic function\n").unwrap();
    let (code, report) = compare_with(&a, &b, &["--allow".as_ref(), allow.as_os_str()]);
    assert_eq!(code, 0, "{report}");
    assert!(report.contains("RESULT: equivalent"), "{report}");
}

#[test]
fn our_run_matches_the_expectations_written_from_the_spec() {
    // tests/data/fidelity/instrumented-app.agent.tsv: what the original hands
    // the agent for these scenarios, per reference-profiler §4.3, §5.4, §8.1
    // (factory names, tracerArguments bits, type and method names, argument
    // signature text, boxed arguments, by-ref slots null, finish values).
    let run = record(&app_extension(), &SCENARIOS);
    let expected = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/fidelity/instrumented-app.agent.tsv");
    let output = Command::new(env!("CARGO_BIN_EXE_nr-compare"))
        .arg("--agent")
        .args([expected, run.agent_log()])
        .output()
        .expect("run nr-compare");
    let report = String::from_utf8_lossy(&output.stdout);
    let actual = std::fs::read_to_string(run.agent_log()).unwrap_or_default();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{report}\nrecorded:\n{actual}"
    );
}

#[test]
fn cached_and_per_call_agent_lookups_give_the_agent_identical_calls() {
    // Default: the typed delegate cached in AppContext (docs/compatibility.md
    // R8); NEW_RELIC_DISABLE_APPDOMAIN_CACHING=true: the original's per-call
    // reflection (§5.4.1). The agent must not see a difference.
    let scenarios: Vec<&str> = SCENARIOS.iter().copied().chain(["agent-cache"]).collect();
    let (cached, cached_out) = record_with(&app_extension(), &scenarios, &[]);
    let (per_call, per_call_out) = record_with(
        &app_extension(),
        &scenarios,
        &[("NEW_RELIC_DISABLE_APPDOMAIN_CACHING", "true")],
    );
    assert!(
        cached_out.stdout.contains("agent-cache#1: Func`12"),
        "{}",
        cached_out.stdout
    );
    assert!(
        per_call_out.stdout.contains("agent-cache#1: none"),
        "{}",
        per_call_out.stdout
    );
    let lookup = |r: &Recorded| {
        let events = std::fs::read_to_string(r.validation_log()).unwrap();
        events
            .lines()
            .find(|l| l.contains("\"event\":\"initialize\""))
            .unwrap_or_default()
            .to_string()
    };
    assert!(
        lookup(&cached).contains("\"agent_lookup\":\"CachedDelegate\""),
        "{}",
        lookup(&cached)
    );
    assert!(
        lookup(&per_call).contains("\"agent_lookup\":\"PerCallReflection\""),
        "{}",
        lookup(&per_call)
    );
    let output = Command::new(env!("CARGO_BIN_EXE_nr-compare"))
        .arg("--agent")
        .args([cached.agent_log(), per_call.agent_log()])
        .output()
        .expect("run nr-compare");
    let report = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{report}");
    assert!(report.contains("tracer calls"), "{report}");
}
