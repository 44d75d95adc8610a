//! Instrument everything (issue 9 item 1): every method of every type of
//! Newtonsoft.Json 13.0.3, of the ReadyToRun framework assembly
//! System.Text.Json, and of the workload's own edge-case shapes is selected
//! by generated extension XML (`tests/support/select_all.rs`); the workload
//! `tests/apps/EverythingApp` runs with and without the profiler, and the
//! run must be indistinguishable to the application while every selected
//! method that was JIT-compiled is accounted for: instrumented, or left
//! alone with a logged reason (reference-profiler §5.1, §5.8).

use crate::il_support::select_all::{self, Selection};
use crate::support::*;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Documents per corpus in the `cargo test` run (the script runs more).
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

/// Runs the workload both ways once per test binary.
pub fn everything(size: &str) -> Everything {
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

#[test]
fn explore() {
    let e = everything(TEST_SIZE);
    println!("{}\n{}", e.instrumented.stdout, e.instrumented.stderr);
    println!("baseline {:?} instrumented {:?} xml {}", e.baseline_time, e.instrumented_time, e.xml_bytes);
    for s in &e.selections {
        println!("{}: {} types {} methods", s.assembly, s.types.len(), s.method_count());
    }
    std::fs::write("/tmp/ev-profiler.log", &e.log.text).unwrap();
    std::fs::write("/tmp/ev-agent.tsv", &e.agent).unwrap();
    let ev: Vec<String> = e.events.iter().map(|v| v.to_string()).collect();
    std::fs::write("/tmp/ev-events.jsonl", ev.join("\n")).unwrap();
}
