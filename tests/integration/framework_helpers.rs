//! The .NET Framework helper path (reference-profiler §5.4.1, §5.5) under a
//! real JIT. .NET Framework cannot run here, so the profiler's test-only
//! switch `NEWRELIC_PROFILER_TEST_FRAMEWORK_HELPERS` makes CoreCLR run it:
//! the six helpers are defined on `System.CannotUnloadAppDomainException`
//! in `System.Private.CoreLib`, every other module gets the `mscorlib`
//! AssemblyRef (resolved through the `mscorlib` facade, which forwards the
//! type), the TypeRef and the six MemberRefs, and the wrappers find the
//! agent method through AppDomain storage. The whole method-shape matrix of
//! `tests/apps/InstrumentedApp` (the API wrapper included) must give the
//! test agent exactly the calls the CoreCLR path gives it.

use crate::agent_record::{AgentLog, Record};
use crate::support::*;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

const SWITCH: &str = "NEWRELIC_PROFILER_TEST_FRAMEWORK_HELPERS";
const HELPERS: [&str; 6] = [
    "LoadAssemblyOrThrow",
    "GetTypeViaReflectionOrThrow",
    "GetMethodViaReflectionOrThrow",
    "GetMethodFromAppDomainStorage",
    "GetMethodFromAppDomainStorageOrReflectionOrThrow",
    "StoreMethodInAppDomainStorageOrThrow",
];

struct Recording {
    _home: Home,
    dir: tempfile::TempDir,
    out: Outcome,
    log: Log,
}

impl Recording {
    fn agent_log(&self) -> PathBuf {
        self.dir.path().join("agent.log")
    }
    fn validation(&self) -> String {
        let path = self.dir.path().join(format!(
            "NewRelic.Profiler.Validation.{}.jsonl",
            self.out.pid()
        ));
        std::fs::read_to_string(path).unwrap_or_default()
    }
    /// The application's result lines, without the pid and the scenarios
    /// that show which lookup the profiler used (they differ by design).
    fn results(&self) -> Vec<&str> {
        self.out
            .stdout
            .lines()
            .filter(|l| !l.starts_with("PID=") && !l.starts_with("agent-cache"))
            .collect()
    }
}

/// Every scenario of InstrumentedApp, with a debug log, the validation
/// events and the test agent's recording.
fn record(env: &[(&str, &str)]) -> Recording {
    record_run(env, None)
}

/// As [`record`], with the event mask pinned whatever mode the suite runs in.
fn record_with_mask(env: &[(&str, &str)], mask: Mask) -> Recording {
    record_run(env, Some(mask))
}

fn record_run(env: &[(&str, &str)], mask: Option<Mask>) -> Recording {
    let home = Home::new();
    home.add_extension(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/apps/InstrumentedApp/Instrumentation.xml"),
        None,
    );
    let dir = scratch();
    let mut run = Run::instrumented(&["all"])
        .home(&home)
        .log_dir(dir.path())
        .env("NEW_RELIC_LOG_LEVEL", "debug")
        .env("NEWRELIC_VALIDATION_ENABLED", "1")
        .env("NEWRELIC_TEST_AGENT_LOG", dir.path().join("agent.log"));
    for (name, value) in env {
        run = run.env(name, value);
    }
    if let Some(mask) = mask {
        run = run.mask(mask);
    }
    let out = run.run();
    out.assert_success();
    let log = out.log(dir.path());
    Recording {
        _home: home,
        dir,
        out,
        log,
    }
}

/// `nr-compare --agent a b`: exit code and report.
fn compare_agents(a: &Recording, b: &Recording) -> (Option<i32>, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_nr-compare"))
        .arg("--agent")
        .args([a.agent_log(), b.agent_log()])
        .output()
        .expect("run nr-compare");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

/// `(instrumented methods, tracer calls, finish calls, API calls)`.
fn counts(path: &Path) -> (usize, usize, usize, usize) {
    let log = AgentLog::read(path);
    let mut methods = BTreeSet::new();
    let (mut calls, mut finishes, mut api) = (0, 0, 0);
    for record in &log.records {
        match record {
            Record::Call(c) => {
                methods.insert(format!("{}.{}({})", c.type_name, c.method, c.signature));
                calls += 1;
            }
            Record::Finish(..) => finishes += 1,
            Record::Api(name, _) => {
                methods.insert(format!("AgentApi.{name}"));
                api += 1;
            }
            Record::Marker(_) => {}
        }
    }
    (methods.len(), calls, finishes, api)
}

fn initialize_event(recording: &Recording) -> String {
    recording
        .validation()
        .lines()
        .find(|l| l.contains("\"event\":\"initialize\""))
        .unwrap_or_default()
        .to_string()
}

#[test]
fn the_method_shape_matrix_reaches_the_agent_identically_through_the_corelib_helpers() {
    let core = record(&[]);
    let helpers = record(&[(SWITCH, "1")]);

    // The agent saw exactly the same calls, finishes and API calls.
    let (code, report) = compare_agents(&core, &helpers);
    assert_eq!(code, Some(0), "{report}");
    assert!(report.contains("RESULT: equivalent"), "{report}");
    let (methods, calls, finishes, api) = counts(&helpers.agent_log());
    assert_eq!(
        (methods, calls, finishes, api),
        counts(&core.agent_log()),
        "{report}"
    );
    eprintln!(
        "compared: {methods} methods, {calls} tracer calls, {finishes} finishes, {api} API calls"
    );
    assert!(methods >= 40 && calls >= 80 && api >= 6, "{report}");
    assert_eq!(helpers.results(), core.results());

    // The wrappers took the helper path: the AppDomain storage holds the
    // agent method, and CoreLib's exception type carries the six helpers
    // with the attributes, NoInlining and the declarative security of §5.5.
    assert!(
        helpers.out.stdout.contains(
            "agent-cache-appdomain#1: NewRelic.Agent.Core.AgentShim.GetFinishTracerDelegate; \
             helpers=6 [hidebysig HasSecurity noinlining SecuritySafeCriticalAttribute \
             SuppressUnmanagedCodeSecurityAttribute]; direct=GetFinishTracerDelegate"
        ),
        "{}",
        helpers.out.stdout
    );
    assert!(helpers.out.stdout.contains("agent-cache#1: none"));
    assert!(core
        .out
        .stdout
        .contains("agent-cache-appdomain#1: none; helpers=0 []; direct=n/a"));
    assert!(initialize_event(&helpers).contains("\"agent_lookup\":\"AppDomainHelper\""));

    // Injected into CoreLib and referenced from the application's modules
    // (and the netstandard2.0 library), each helper body written once.
    let log = &helpers.log;
    log.assert_has_prefix(&format!("{SWITCH} is set: "));
    assert!(
        log.messages()
            .iter()
            .any(|m| m.starts_with("Injecting helper methods into ")
                && m.ends_with("/System.Private.CoreLib.dll")),
        "{}",
        log.text
    );
    for module in [
        &fixtures().instrumented_dll,
        &fixtures()
            .instrumented_dll
            .with_file_name("NetStandardLib.dll"),
    ] {
        log.assert_has(&format!(
            "Injecting references to helper methods into {}",
            module.display()
        ));
    }
    for helper in HELPERS {
        let written = log
            .messages()
            .iter()
            .filter(|m| {
                m.starts_with("Instrumenting helper method: ")
                    && m.contains(&format!("System.CannotUnloadAppDomainException.{helper}("))
            })
            .count();
        assert_eq!(written, 1, "{helper}\n{}", log.text);
    }
    for bad in [
        "Failed to tokenize method signature",
        "An exception was thrown",
        "Win32 function call failed",
        "Unable to inject reference to mscorlib",
    ] {
        assert!(!log.text.contains(bad), "{bad}\n{}", log.text);
    }
}

#[test]
fn caching_disabled_keeps_the_per_call_path_with_the_helpers_injected() {
    let per_call = record(&[
        (SWITCH, "1"),
        ("NEW_RELIC_DISABLE_APPDOMAIN_CACHING", "true"),
    ]);
    assert!(initialize_event(&per_call).contains("\"agent_lookup\":\"PerCallReflection\""));
    per_call.log.assert_has("The use of AppDomain for method information caching is disabled via the 'NEW_RELIC_DISABLE_APPDOMAIN_CACHING' environment variable.");
    // Injected (module load does not depend on the lookup) but never asked:
    // nothing stored; the scenario's own direct call finds nothing.
    assert!(
        per_call
            .out
            .stdout
            .contains("agent-cache-appdomain#1: none; helpers=6 [")
            && per_call.out.stdout.contains("]; direct=null"),
        "{}",
        per_call.out.stdout
    );
    assert!(!per_call.log.text.contains(
        "System.CannotUnloadAppDomainException.GetMethodFromAppDomainStorageOrReflectionOrThrow("
    ));

    // The agent sees the same calls as through the helpers.
    let helpers = record(&[(SWITCH, "1")]);
    let (code, report) = compare_agents(&per_call, &helpers);
    assert_eq!(code, Some(0), "{report}");
}

#[test]
fn the_helpers_need_no_jit_of_existing_corelib_code() {
    // ReadyToRun code and tiered compilation kept (the default since issue
    // 18, compatibility R13): CoreLib's own methods run precompiled, the
    // injected helpers are new methods and are JIT-compiled with the bodies
    // written here. The same calls reach the agent as under the original's
    // mask, where every method is JIT-compiled.
    let original = record_with_mask(&[(SWITCH, "1")], Mask::Original);
    let r2r = record_with_mask(&[(SWITCH, "1")], Mask::KeepReadyToRun);
    for run in [&original, &r2r] {
        assert!(
            run.out.stdout.contains(
                "agent-cache-appdomain#1: NewRelic.Agent.Core.AgentShim.GetFinishTracerDelegate; helpers=6"
            ),
            "{}",
            run.out.stdout
        );
    }
    let (code, report) = compare_agents(&original, &r2r);
    assert_eq!(code, Some(0), "{report}");
    assert_eq!(r2r.results(), original.results());
}

#[test]
fn kestrel_and_httpclient_reach_the_agent_identically_through_the_helpers() {
    // The shipped extension files on the ASP.NET Core fixture: framework
    // assemblies (System.Net.Http, ASP.NET Core MVC, hosting) rewritten
    // with Framework tokens that reach the helper through the MemberRefs
    // injected into those modules.
    let run = |env: &[(&str, &str)]| {
        let home = Home::new();
        let extensions = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/testdata/newrelic/home-linux/extensions");
        for entry in std::fs::read_dir(&extensions)
            .unwrap_or_else(|e| panic!("{}: {e}", extensions.display()))
            .flatten()
        {
            home.add_extension(&entry.path(), None);
        }
        let dir = scratch();
        let web = fixtures().web_dll.display().to_string();
        let mut command = Run::command("dotnet", &[&web, "5"])
            .home(&home)
            .log_dir(dir.path())
            .env("NEW_RELIC_LOG_LEVEL", "debug")
            .env("NEWRELIC_TEST_AGENT_LOG", dir.path().join("agent.log"));
        for (name, value) in env {
            command = command.env(name, value);
        }
        let out = command.run();
        out.assert_success();
        assert!(
            out.stdout.contains("response 4: day 4: sunny"),
            "{}",
            out.stdout
        );
        // The records, ports and function ids normalised, in a stable order
        // (requests run concurrently). An async method's result is its Task:
        // whether that is the state-machine box or a completed Task depends
        // on timing, so it is compared as `<task>`.
        let text = std::fs::read_to_string(dir.path().join("agent.log")).unwrap_or_default();
        let mut records: Vec<String> = text
            .lines()
            .map(|line| {
                let mut fields: Vec<String> = line
                    .split('\t')
                    .map(|field| {
                        if field.starts_with("fid=") {
                            "fid".to_string()
                        } else {
                            normalise_port(field)
                        }
                    })
                    .collect();
                if fields[0] == "Finish" && fields.len() > 2 && is_task_result(&fields[2]) {
                    fields[2] = "<task>".to_string();
                }
                fields.join("\t")
            })
            .collect();
        records.sort();
        (records, out.log(dir.path()))
    };
    let (core, _) = run(&[]);
    let (helpers, log) = run(&[(SWITCH, "1")]);
    assert!(core.len() >= 20, "{core:#?}");
    assert_eq!(helpers, core);
    let modules = log
        .messages()
        .iter()
        .filter(|m| m.starts_with("Injecting references to helper methods into "))
        .count();
    eprintln!(
        "web: {} agent records identical; references injected into {modules} modules",
        core.len()
    );
    assert!(modules >= 30, "{}", log.text);
    assert!(log.has_prefix("Instrumenting helper method: "));
    assert!(
        !log.text.contains("An exception was thrown"),
        "{}",
        log.text
    );
}

/// `127.0.0.1:<port>` → `127.0.0.1:PORT`.
fn normalise_port(field: &str) -> String {
    let mut out = String::new();
    let mut rest = field;
    while let Some(at) = rest.find("127.0.0.1:") {
        let (head, tail) = rest.split_at(at + "127.0.0.1:".len());
        out.push_str(head);
        out.push_str("PORT");
        rest = tail.trim_start_matches(|c: char| c.is_ascii_digit());
    }
    out.push_str(rest);
    out
}

/// A Task (or its state-machine box) as an instrumented async method's result.
fn is_task_result(result: &str) -> bool {
    result.starts_with("System.Threading.Tasks.Task")
        || result.starts_with("System.Runtime.CompilerServices.AsyncTaskMethodBuilder")
}
