//! Measurement switches (docs/performance.md): the in-process counters
//! printed at shutdown; and the event mask each mode sets.

use crate::support::*;
use std::path::Path;

fn app_home() -> Home {
    let home = Home::new();
    home.add_extension(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/apps/InstrumentedApp/Instrumentation.xml"),
        None,
    );
    home
}

/// `Counters: <name> count=<n> total_us=<f> p50_us=<f> p99_us=<f> max_us=<f>`
/// → (count, p50, p99, max).
fn counter(log: &Log, name: &str) -> Option<(u64, f64, f64, f64)> {
    let prefix = format!("Counters: {name} count=");
    let line = log
        .messages()
        .into_iter()
        .find(|m| m.starts_with(&prefix))?;
    let value = |key: &str| -> f64 {
        line.split(' ')
            .find_map(|part| part.strip_prefix(&format!("{key}=")))
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no {key} in {line}"))
    };
    Some((
        value("count") as u64,
        value("p50_us"),
        value("p99_us"),
        value("max_us"),
    ))
}

#[test]
fn counters_are_printed_at_shutdown_when_switched_on() {
    let home = app_home();
    let logs = scratch();
    let out = Run::instrumented(&["instance-int", "generic-method"])
        .home(&home)
        .log_dir(logs.path())
        .env("NEWRELIC_PROFILER_COUNTERS", "1")
        .run();
    out.assert_success();
    let log = out.log(logs.path());
    let (count, ..) = counter(&log, "Initialize").expect("Initialize counter");
    assert_eq!(count, 1);
    let (jit, p50, p99, max) = counter(&log, "JITCompilationStarted").expect("JIT counter");
    // With ReadyToRun kept the framework runs precompiled code, so mostly
    // the app's own methods are JIT-compiled; under the original mask every
    // method the process runs is.
    let minimum = if opt_out_mode() { 100 } else { 20 };
    assert!(
        jit > minimum,
        "the app (and the framework) JIT-compile many methods: {jit}"
    );
    assert!(p50 <= p99 && p99 <= max, "{p50} {p99} {max}");
    let (unmatched, ..) = counter(&log, "JITCompilationStarted.unmatched").expect("unmatched");
    let (matched, ..) =
        counter(&log, "JITCompilationStarted.matched").unwrap_or((0, 0.0, 0.0, 0.0));
    assert_eq!(unmatched + matched, jit);
    let (rewrites, ..) = counter(&log, "rewrite").expect("rewrite counter");
    assert!(
        rewrites >= 2,
        "InstanceInt and GenericReturn at least: {rewrites}"
    );
    for part in ["rewrite.matching", "rewrite.il", "rewrite.metadata"] {
        let (n, ..) = counter(&log, part).unwrap_or_else(|| panic!("{part} missing"));
        assert_eq!(n, rewrites, "{part}");
    }
    assert!(counter(&log, "ModuleLoadFinished").is_some());
    assert!(counter(&log, "GetReJITParameters").is_some());
    // Printed after the shutdown lines, so they are the last lines.
    let messages = log.messages();
    let last_shutdown = messages
        .iter()
        .rposition(|m| *m == "Profiler shutdown")
        .expect("shutdown line");
    assert!(messages[last_shutdown + 1..]
        .iter()
        .all(|m| m.starts_with("Counters: ")));
}

#[test]
fn counters_are_off_by_default() {
    let home = app_home();
    let logs = scratch();
    let out = Run::instrumented(&["instance-int"])
        .home(&home)
        .log_dir(logs.path())
        .run();
    out.assert_success();
    out.log(logs.path()).assert_lacks("Counters: ");
}

#[test]
fn each_mask_is_set_as_chosen_and_instrumentation_works_in_both() {
    // Default: ReadyToRun and tiered compilation kept (issue 18);
    // NEW_RELIC_PROFILER_DISABLE_READY_TO_RUN=true: the original's mask (§2.6).
    for (mask, expected) in [
        (
            Mask::KeepReadyToRun,
            "\"event_mask\":\"0x10040224\",\"event_mask_high\":\"0x0\"",
        ),
        (
            Mask::Original,
            "\"event_mask\":\"0xb0040224\",\"event_mask_high\":\"0x8\"",
        ),
    ] {
        let home = app_home();
        let logs = scratch();
        let agent_log = logs.path().join("agent.log");
        let out = Run::instrumented(&["instance-int"])
            .mask(mask)
            .home(&home)
            .log_dir(logs.path())
            .env("NEWRELIC_VALIDATION_ENABLED", "1")
            .env("NEWRELIC_TEST_AGENT_LOG", &agent_log)
            .run();
        out.assert_success();
        let events = std::fs::read_to_string(
            logs.path()
                .join(format!("NewRelic.Profiler.Validation.{}.jsonl", out.pid())),
        )
        .expect("validation log");
        assert!(events.contains(expected), "{mask:?}: {events}");
        let calls = std::fs::read_to_string(&agent_log).unwrap_or_default();
        assert!(calls.contains("\tInstanceInt\t"), "{mask:?}: {calls}");
    }
}
