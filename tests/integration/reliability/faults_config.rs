//! Issue 9 item 4, the agent and the configuration: the agent DLL missing,
//! not an assembly, or without `AgentShim`; ten thousand instrumentation
//! points; XML entity-expansion bombs and 100 000-level nesting in extension
//! files and in `newrelic.config`. Each run ends with the application's
//! output unchanged, a clear line in the profiler log, and a peak resident
//! set within [`PEAK_MARGIN_KB`] of a clean run's.

use super::app::*;
use super::record::Record;
use crate::support::*;
use std::path::Path;

const DETACH: &str =
    "An exception was thrown while initializing the profiler. The profiler will be detached now.";

fn run_work(home: &Home, logs: &Path) -> Outcome {
    stress_run(&["work"]).home(home).log_dir(logs).run()
}

/// Deterministic bytes that are no PE image.
fn garbage(len: usize) -> Vec<u8> {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

#[test]
fn a_missing_broken_or_foreign_agent_dll_leaves_the_application_alone() {
    let mut rec = Record::new("faults", "a_missing_broken_or_foreign_agent_dll_leaves_the_application_alone", "Agent DLL missing; garbage, empty, MZ without a PE header; a real assembly without AgentShim");
    let agent_note = "Instrumented methods will run without reaching the agent.";

    let home = stress_home();
    home.remove_agent();
    let logs = scratch();
    let out = run_work(&home, logs.path());
    rec.run("agent DLL missing", &out);
    assert_work_unchanged(&out);
    assert_peak_bounded(&out);
    out.log(logs.path())
        .assert_has("The New Relic Agent DLL is missing.")
        .assert_lacks("Profiler initialized");

    for (bytes, problem) in [
        (
            garbage(64 * 1024),
            "it does not start with the MZ signature of a PE image",
        ),
        (
            Vec::new(),
            "it does not start with the MZ signature of a PE image",
        ),
        (
            [b"MZ".as_slice(), &garbage(1024)].concat(),
            "it has no PE header where its DOS header points",
        ),
    ] {
        let home = stress_home();
        let dll = home.path.join("NewRelic.Agent.Core.dll");
        std::fs::write(&dll, &bytes).unwrap();
        let logs = scratch();
        let out = run_work(&home, logs.path());
        rec.run(
            &format!("agent DLL: {problem} ({} bytes)", bytes.len()),
            &out,
        );
        assert_work_unchanged(&out);
        assert_peak_bounded(&out);
        assert_eq!(agent_calls(&out), -1, "no agent could be loaded");
        out.log(logs.path())
            .assert_has(&format!(
                "The New Relic Agent DLL {} is not a .NET assembly: {problem}. {agent_note}",
                dll.display()
            ))
            .assert_has("Profiler initialized")
            .assert_has_prefix("Instrumenting method: ");
    }

    // A real assembly, but not the agent: the injected lookup finds no
    // AgentShim (the wrapper swallows that); the profiler says so once the
    // injected code has loaded it.
    let home = stress_home();
    let dll = home.path.join("NewRelic.Agent.Core.dll");
    std::fs::copy(
        fixtures()
            .artifacts
            .join("bin/NetStandardLib/release/NetStandardLib.dll"),
        &dll,
    )
    .unwrap();
    let logs = scratch();
    let out = run_work(&home, logs.path());
    rec.run("agent DLL without AgentShim (NetStandardLib)", &out);
    assert_work_unchanged(&out);
    assert_peak_bounded(&out);
    let log = out.log(logs.path());
    log.assert_has(&format!(
        "The New Relic Agent DLL {} (assembly NetStandardLib) does not define NewRelic.Agent.Core.AgentShim.GetFinishTracerDelegate. {agent_note}",
        dll.display()
    ));
    assert_eq!(
        log.messages()
            .iter()
            .filter(|m| m.contains("does not define NewRelic.Agent.Core.AgentShim"))
            .count(),
        1,
        "said once"
    );
    rec.outcome("Output unchanged in every case. Missing: the reference Error and detach. Not a PE image / no PE header: a Warn naming the problem, profiler runs, instrumented calls reach no agent. No AgentShim: one Error once the injected code loads the assembly");
}

#[test]
fn ten_thousand_instrumentation_points() {
    let mut rec = Record::new("faults", "ten_thousand_instrumentation_points", "An extension set of 10 000 instrumentation points (440 real, the rest naming absent classes, methods and assemblies)");
    let home = stress_home();
    let mut matches = String::new();
    let bogus = 10_000 - methods().len();
    for i in 0..bogus {
        let (assembly, class) = match i % 3 {
            0 => ("StressApp", format!("StressApp.Generated.Missing{i}")),
            1 => ("StressApp", "StressApp.Generated.C00".to_string()),
            _ => ("Some.Other.Assembly", format!("Other.Class{i}")),
        };
        matches.push_str(&format!(
            "<match assemblyName=\"{assembly}\" className=\"{class}\"><exactMethodMatcher methodName=\"Absent{i}\" parameters=\"System.Int32\" /></match>\n"
        ));
    }
    home.write_extension(
        "Bogus.xml",
        &format!(
            "<extension><instrumentation><tracerFactory>{matches}</tracerFactory></instrumentation></extension>"
        ),
    );
    let logs = scratch();
    let out = run_work(&home, logs.path());
    rec.run("10 000 points", &out);
    assert_work_unchanged(&out);
    assert_peak_bounded(&out);
    assert_all_instrumented(&out);
    out.log(logs.path())
        .assert_has("Identified 10000 Instrumentation points (not ignored) in .xml files")
        .assert_has("Profiler initialized");
    rec.outcome("Output unchanged; 10 000 points identified; all 440 methods reached the agent once; peak within the margin");
}

/// A megabyte entity referenced 200 times per reference, referenced 100
/// times: 20 GB of text from a 1.3 MB file (the classic billion laughs is
/// stopped by `roxmltree`'s loop detector; this one is not).
fn quadratic_bomb(root: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?><!DOCTYPE {root} [<!ENTITY a \"{}\"><!ENTITY b \"{}\">]><{root} agentEnabled=\"&b;\">{}</{root}>",
        "x".repeat(1 << 20),
        "&a;".repeat(200),
        "&b;".repeat(100)
    )
}

fn billion_laughs(root: &str) -> String {
    let mut entities = String::from("<!ENTITY lol \"lol\">");
    for level in 1..10 {
        entities.push_str(&format!(
            "<!ENTITY lol{level} \"{}\">",
            format!(
                "&lol{};",
                if level == 1 {
                    String::new()
                } else {
                    (level - 1).to_string()
                }
            )
            .repeat(10)
        ));
    }
    format!("<?xml version=\"1.0\"?><!DOCTYPE {root} [{entities}]><{root}>&lol9;</{root}>")
}

#[test]
fn entity_expansion_bombs_are_refused_quickly() {
    let mut rec = Record::new("faults", "entity_expansion_bombs_are_refused_quickly", "Entity-expansion bombs (quadratic 1 MiB x 200 x 100, billion laughs) in extension files and in newrelic.config");
    let home = stress_home();
    home.write_extension("Quadratic.xml", &quadratic_bomb("extension"));
    home.write_extension("Laughs.xml", &billion_laughs("extension"));
    let logs = scratch();
    let out = run_work(&home, logs.path());
    rec.run("bombs in extension files", &out);
    assert_work_unchanged(&out);
    assert_peak_bounded(&out);
    assert_all_instrumented(&out);
    let ext = home.path.join("extensions");
    let log = out.log(logs.path());
    assert_well_formed(&log.text);
    log.assert_has_prefix(&format!(
        "Instrumentation file '{}' is invalid: entity declarations are not supported (a possible entity-expansion attack) at 1:",
        ext.join("Quadratic.xml").display()
    ))
    .assert_has_prefix(&format!(
        "Instrumentation file '{}' is invalid: entity declarations are not supported",
        ext.join("Laughs.xml").display()
    ))
    .assert_has("Profiler initialized");

    let home = stress_home();
    home.write_config(&quadratic_bomb("configuration"));
    let logs = scratch();
    let out = run_work(&home, logs.path());
    rec.run("bomb in newrelic.config", &out);
    assert_work_unchanged(&out);
    assert_peak_bounded(&out);
    out.log(logs.path())
        .assert_has_prefix("Exception thrown while attempting to parse main newrelic.config file: entity declarations are not supported (a possible entity-expansion attack)")
        .assert_has(DETACH);
    rec.outcome("Output unchanged. Extension files: refused before any expansion, with the reason and position; the other files still apply (all 440 methods instrumented). newrelic.config: refused with the reason, profiler detaches");
}

#[test]
fn nesting_100000_levels_deep_parses_or_fails_without_recursion() {
    let mut rec = Record::new("faults", "nesting_100000_levels_deep_parses_or_fails_without_recursion", "Elements nested 100 000 deep in an extension file and newrelic.config; unclosed nesting in newrelic.config");
    let depth = 100_000;
    let deep = format!("{}{}", "<a>".repeat(depth), "</a>".repeat(depth));
    let home = stress_home();
    home.write_extension(
        "Deep.xml",
        &format!("<extension><instrumentation><tracerFactory>{deep}</tracerFactory></instrumentation></extension>"),
    );
    home.write_config(&DEFAULT_CONFIG.replace(
        "<log level=\"info\" />",
        &format!("<log level=\"info\" />{deep}"),
    ));
    let logs = scratch();
    let out = run_work(&home, logs.path());
    rec.run("deep nesting, closed", &out);
    assert_work_unchanged(&out);
    assert_peak_bounded(&out);
    assert_all_instrumented(&out);
    out.log(logs.path()).assert_has("Profiler initialized");

    // Unclosed: the parse error's "where" is the 300 KB rest of the file,
    // which the log cuts at 64 KiB.
    let home = stress_home();
    home.write_config(&format!("<configuration>{}", "<a>".repeat(depth)));
    let logs = scratch();
    let out = run_work(&home, logs.path());
    rec.run("unclosed deep nesting in newrelic.config", &out);
    assert_work_unchanged(&out);
    let log = out.log(logs.path());
    assert_well_formed(&log.text);
    log.assert_has_prefix("Exception thrown while attempting to parse main newrelic.config file: ")
        .assert_has(DETACH);
    let at = log
        .messages()
        .into_iter()
        .find(|m| m.starts_with("Exception thrown at "))
        .expect("the where line")
        .to_string();
    assert!(
        at.len() < 64 * 1024 + 100 && at.ends_with(" more bytes not logged]"),
        "{} bytes: …{}",
        at.len(),
        &at[at.len().saturating_sub(80)..]
    );
    rec.outcome("Output unchanged; closed nesting parses (no recursion, no stack overflow) and all methods are instrumented; unclosed nesting: the parse error, its `Exception thrown at` line cut at 64 KiB, detach");
}
