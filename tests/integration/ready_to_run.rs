//! ReadyToRun code and tiered compilation kept by default (issue 18): the
//! agent must see exactly what it sees under the original's event mask
//! (`NEW_RELIC_PROFILER_DISABLE_READY_TO_RUN=true`). Each test runs the same
//! application in both modes and compares the set of `Instrumenting method:`
//! lines and the test agent's records: every call with its eleven arguments,
//! finish and API call (FunctionIDs and the web app's ephemeral port
//! normalised), as a multiset, and in order on every thread whose work is
//! deterministic (the main thread). Thread-pool threads are matched only by
//! multiset: which pool thread runs which continuation differs between two
//! runs of the same mode.

use crate::support::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

fn manifest() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// One run's agent records: all of them, and per managed thread in order.
struct Recording {
    all: Vec<String>,
    by_thread: BTreeMap<String, Vec<String>>,
    calls: usize,
}

/// Parses a MockAgent log written with `NEWRELIC_TEST_AGENT_THREADS=1`.
fn recording(path: &Path) -> Recording {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut ids: HashMap<(String, String), usize> = HashMap::new();
    let mut per_method: HashMap<String, usize> = HashMap::new();
    let mut all = Vec::new();
    let mut by_thread: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut calls = 0;
    for line in text.lines().filter(|l| !l.is_empty()) {
        let mut fields: Vec<String> = line.split('\t').map(normalise_port).collect();
        let thread = match fields.last().and_then(|f| f.strip_prefix("tid=")) {
            Some(tid) => tid.to_string(),
            None => panic!("agent record without a thread: {line:?}"),
        };
        fields.pop();
        if fields[0] == "Finish" && fields.len() > 2 && is_task(&fields[2]) {
            // An async method's result is its Task; whether that is the
            // state-machine box or a completed Task depends on timing.
            fields[2] = "<task>".to_string();
        }
        if fields[0] == "Call" {
            calls += 1;
            let method = format!("{}.{}", fields[6], fields[7]);
            if let Some(id) = fields.last().and_then(|f| f.strip_prefix("fid=")) {
                let key = (method.clone(), id.to_string());
                let next = per_method.get(&method).copied().unwrap_or(0) + 1;
                let number = *ids.entry(key).or_insert_with(|| {
                    per_method.insert(method.clone(), next);
                    next
                });
                *fields.last_mut().unwrap() = format!("fid({method})#{number}");
            }
        }
        let record = fields.join(" | ");
        by_thread.entry(thread).or_default().push(record.clone());
        all.push(record);
    }
    Recording {
        all,
        by_thread,
        calls,
    }
}

/// `127.0.0.1:<port>` → `127.0.0.1:PORT` (Kestrel listens on an ephemeral port).
fn normalise_port(field: &str) -> String {
    match field.find("127.0.0.1:") {
        Some(at) => {
            let start = at + "127.0.0.1:".len();
            let digits = field[start..]
                .chars()
                .take_while(char::is_ascii_digit)
                .count();
            format!("{}PORT{}", &field[..start], &field[start + digits..])
        }
        None => field.to_string(),
    }
}

fn is_task(result: &str) -> bool {
    result.starts_with("System.Threading.Tasks.Task")
        || result.starts_with("System.Runtime.CompilerServices.AsyncTaskMethodBuilder")
}

/// The records only one side has (multiset difference), for the message.
fn difference(a: &[String], b: &[String]) -> Vec<String> {
    let mut rest = b.to_vec();
    let mut only = Vec::new();
    for record in a {
        match rest.iter().position(|r| r == record) {
            Some(at) => {
                rest.swap_remove(at);
            }
            None => only.push(record.clone()),
        }
    }
    only
}

fn sorted(records: &[String]) -> Vec<String> {
    let mut records = records.to_vec();
    records.sort();
    records
}

/// Asserts the two recordings are the same; returns the number of calls compared.
fn assert_same_agent_view(default: &Recording, original: &Recording) -> usize {
    assert!(
        sorted(&default.all) == sorted(&original.all),
        "the agent's records differ between the default and the original mask:\n\
         only with ReadyToRun kept: {:#?}\nonly with the original mask: {:#?}",
        difference(&default.all, &original.all),
        difference(&original.all, &default.all)
    );
    assert_eq!(
        default.by_thread.get("1"),
        original.by_thread.get("1"),
        "the main thread's records are in a different order"
    );
    assert_eq!(default.calls, original.calls);
    default.calls
}

/// The `Instrumenting method:` and `Instrumenting API method:` lines of a log.
fn instrumented(log: &Log) -> BTreeSet<String> {
    log.messages()
        .into_iter()
        .filter(|m| {
            m.starts_with("Instrumenting method: ") || m.starts_with("Instrumenting API method: ")
        })
        .map(str::to_string)
        .collect()
}

/// One run: stdout without its PID line, the log, the agent's records.
struct ModeRun {
    stdout: String,
    log: Log,
    agent: PathBuf,
    _logs: tempfile::TempDir,
}

fn run_in(mask: Mask, run: Run, home: &Home, level: &str) -> ModeRun {
    let logs = scratch();
    let agent = logs.path().join("agent.log");
    let out = run
        .mask(mask)
        .home(home)
        .log_dir(logs.path())
        .env("NEW_RELIC_LOG_LEVEL", level)
        .env("NEWRELIC_TEST_AGENT_LOG", &agent)
        .env("NEWRELIC_TEST_AGENT_THREADS", "1")
        .run();
    out.assert_success();
    let log = out.log(logs.path());
    ModeRun {
        stdout: out
            .stdout
            .lines()
            .filter(|l| !l.starts_with("PID=") && !l.starts_with("PERF_"))
            .collect::<Vec<_>>()
            .join("\n"),
        log,
        agent,
        _logs: logs,
    }
}

/// Runs `run()` in both modes and checks the agent saw the same thing;
/// returns (default, original, methods instrumented, calls compared).
fn both_modes(run: impl Fn() -> Run, home: &Home, level: &str) -> (ModeRun, ModeRun, usize, usize) {
    let default = run_in(Mask::KeepReadyToRun, run(), home, level);
    let original = run_in(Mask::Original, run(), home, level);
    default
        .log
        .assert_has_prefix("ReadyToRun code and tiered compilation are kept");
    assert!(!original
        .log
        .has_prefix("ReadyToRun code and tiered compilation are kept"));
    let methods = instrumented(&default.log);
    assert_eq!(
        methods,
        instrumented(&original.log),
        "different methods instrumented"
    );
    let calls = assert_same_agent_view(&recording(&default.agent), &recording(&original.agent));
    assert_eq!(
        default.stdout, original.stdout,
        "the application's output differs"
    );
    (default, original, methods.len(), calls)
}

#[test]
fn every_method_shape_gets_the_same_instrumentation_and_agent_calls_in_both_modes() {
    let home = Home::new();
    home.add_extension(
        &manifest().join("tests/apps/InstrumentedApp/Instrumentation.xml"),
        None,
    );
    let (_, _, methods, calls) = both_modes(|| Run::instrumented(&[]), &home, "debug");
    eprintln!("InstrumentedApp: {methods} methods instrumented, {calls} agent calls compared");
    assert!(methods >= 40, "{methods}");
    assert!(calls >= 100, "{calls}");
}

#[test]
fn the_web_app_with_the_shipped_home_gets_the_same_instrumentation_and_agent_calls_in_both_modes() {
    let home = Home::new();
    let shipped = manifest().join("../shared/testdata/newrelic/home-linux/extensions");
    for entry in std::fs::read_dir(&shipped).expect("the shipped Linux extensions") {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "xml") {
            home.add_extension(&path, None);
        }
    }
    let web = || Run::command("dotnet", &[&fixtures().web_dll.display().to_string(), "20"]);
    let (default, _, methods, calls) = both_modes(web, &home, "debug");
    default
        .log
        .assert_has("Identified 373 Instrumentation points (not ignored) in .xml files");
    eprintln!("WebApp (373 points): {methods} methods instrumented, {calls} agent calls compared");
    assert!(methods >= 4, "{methods}");
    assert!(calls >= 40, "{calls}");
}

/// `tests/apps/ReadyToRunApp` published with `PublishReadyToRun=true` (its
/// own artifacts directory: `dotnet publish` with a runtime identifier must
/// not race the suite's other builds of the API stand-in).
fn ready_to_run_app() -> &'static PathBuf {
    static PUBLISHED: OnceLock<PathBuf> = OnceLock::new();
    PUBLISHED.get_or_init(|| {
        let artifacts = fixtures().artifacts.join("ready-to-run");
        let out = artifacts.join("app");
        let output = Command::new("dotnet")
            .args(["publish", "-c", "Release", "--nologo", "-v", "quiet"])
            .arg("--artifacts-path")
            .arg(&artifacts)
            .arg("-o")
            .arg(&out)
            .arg(manifest().join("tests/apps/ReadyToRunApp"))
            .env("DOTNET_CLI_TELEMETRY_OPTOUT", "1")
            .env("DOTNET_NOLOGO", "1")
            .env_remove("CORECLR_ENABLE_PROFILING")
            .output()
            .expect("run dotnet publish");
        assert!(
            output.status.success(),
            "dotnet publish -p:PublishReadyToRun=true failed (it needs the \
             Microsoft.NETCore.App.Crossgen2 package from the NuGet source):\n{}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        out.join("ReadyToRunApp.dll")
    })
}

#[test]
fn a_ready_to_run_app_is_instrumented_as_under_the_original_mask() {
    let app = ready_to_run_app().display().to_string();
    let home = Home::new();
    home.add_extension(
        &manifest().join("tests/apps/ReadyToRunApp/Instrumentation.xml"),
        None,
    );
    let (default, original, methods, calls) =
        both_modes(|| Run::command("dotnet", &[&app]), &home, "finest");
    // The image is really precompiled: Main runs ReadyToRun code, so only
    // the original's mask JIT-compiles it (finest logs every JIT event).
    let main_jitted = "Possibly instrumenting: (Module: ";
    let main = |log: &Log| {
        log.messages().iter().any(|m| {
            m.starts_with(main_jitted)
                && m.ends_with("[ReadyToRunApp]ReadyToRun.Program.Main(System.String[])")
        })
    };
    assert!(main(&original.log), "{}", original.log.text);
    assert!(
        !main(&default.log),
        "Main was JIT-compiled: no ReadyToRun code?"
    );
    // crossgen2 inlined the configured Small into both callers; both are
    // re-JIT-ted with it, so its calls through them reach the agent.
    default.log.assert_has(
        "ReJIT with inliners: [ReadyToRunApp]ReadyToRun.Shapes.Small is inlined into precompiled ReadyToRun.Shapes.CallsSmall, ReadyToRun.Shapes.ConfiguredCaller",
    );
    let agent = recording(&default.agent);
    let count = |needle: &str| agent.all.iter().filter(|r| r.contains(needle)).count();
    for (what, needle, expected) in [
        (
            "Small through the inlining caller",
            "| Small | System.Int32 | <null> | [20] |",
            2,
        ),
        (
            "Small through the configured caller",
            "| Small | System.Int32 | <null> | [5] |",
            2,
        ),
        (
            "the configured caller",
            "| ConfiguredCaller | System.Int32 |",
            2,
        ),
        ("the nested type", "| ReadyToRun.Outer+Inner | Name |", 2),
        ("the generic method", "| Echo | !!0 |", 4),
        ("[Trace]", "| Traced | System.Int32 |", 2),
        ("[Transaction]", "| Transaction |  |", 2),
        ("the API", "Api | RecordMetric | [\"Custom/ReadyToRun\",", 2),
    ] {
        assert_eq!(
            count(needle),
            expected,
            "{what}: {needle}\n{:#?}",
            agent.all
        );
    }
    eprintln!("ReadyToRunApp: {methods} methods instrumented, {calls} agent calls compared");
}

/// Per function: (type.method, calls, finishes) from the counting agent's log.
fn counted(path: &Path) -> BTreeMap<String, (u64, u64)> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut counts = BTreeMap::new();
    for line in text.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        if f.first() == Some(&"Function") && f.len() >= 7 {
            let entry = counts
                .entry(format!("{}.{}", f[5], f[6]))
                .or_insert((0u64, 0u64));
            entry.0 += f[2].parse::<u64>().unwrap_or(0);
            entry.1 += f[3].parse::<u64>().unwrap_or(0);
        }
    }
    counts
}

fn tiering_fixtures() -> &'static (PathBuf, PathBuf) {
    static BUILT: OnceLock<(PathBuf, PathBuf)> = OnceLock::new();
    BUILT.get_or_init(|| {
        let f = fixtures();
        let apps = manifest().join("tests/apps");
        dotnet_build(&apps.join("TieringApp"), &f.artifacts);
        dotnet_build(&apps.join("CountingAgent"), &f.artifacts);
        (
            f.artifacts.join("bin/TieringApp/release/TieringApp.dll"),
            f.artifacts
                .join("bin/CountingAgent/release/NewRelic.Agent.Core.dll"),
        )
    })
}

/// `invocations` from the app's `<name> calls=<n>` line.
fn invocations(stdout: &str, name: &str) -> u64 {
    stdout
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{name} calls=")))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no {name} count in {stdout}"))
}

#[test]
fn tier_one_and_on_stack_replacement_keep_exactly_one_agent_call_per_invocation() {
    let (app, counting_agent) = tiering_fixtures();
    let home = Home::new();
    std::fs::copy(counting_agent, home.path.join("NewRelic.Agent.Core.dll")).unwrap();
    home.add_extension(
        &manifest().join("tests/apps/TieringApp/Instrumentation.xml"),
        None,
    );
    for (mask, seconds) in [(Mask::KeepReadyToRun, "30"), (Mask::Original, "1")] {
        let logs = scratch();
        let agent = logs.path().join("agent.log");
        let out = Run::command("dotnet", &[&app.display().to_string(), seconds])
            .mask(mask)
            .home(&home)
            .log_dir(logs.path())
            .env("NEW_RELIC_LOG_LEVEL", "debug")
            .env("NEWRELIC_TEST_AGENT_LOG", &agent)
            .run();
        out.assert_success();
        let counts = counted(&agent);
        let hot = invocations(&out.stdout, "hot");
        let looped = invocations(&out.stdout, "loop");
        assert_eq!(
            counts.get("Tiering.Work.Hot"),
            Some(&(hot, hot)),
            "{mask:?}: {counts:?}"
        );
        assert_eq!(
            counts.get("Tiering.Work.Loop"),
            Some(&(looped, looped)),
            "{mask:?}: {counts:?}"
        );
        let log = out.log(logs.path());
        let lines = instrumented(&log);
        assert_eq!(
            lines.len(),
            2,
            "{mask:?}: one decision per method: {lines:?}"
        );
        if mask == Mask::KeepReadyToRun {
            // The runtime's own JIT events: the wrapped Hot ran at tier 0
            // and tier 1, the wrapped Loop at tier 0 and then on-stack
            // replacement, all from the one re-JIT-ted IL.
            for compiled in [
                "jit Hot tier=QuickJitted",
                "jit Hot tier=OptimizedTier1",
                "jit Loop tier=QuickJitted",
                "jit Loop tier=OptimizedTier1OSR",
            ] {
                assert!(
                    out.stderr.lines().any(|l| l.starts_with(compiled)),
                    "{compiled} missing:\n{}",
                    out.stderr
                );
            }
            eprintln!(
                "tiering: Hot {hot} invocations and agent calls, Loop {looped}; compilations:\n{}",
                out.stderr
            );
        } else {
            assert!(
                !out.stderr.contains("tier=QuickJitted"),
                "tiering is off under the original mask:\n{}",
                out.stderr
            );
        }
    }
}
