//! The live-instrumentation exports under the real runtime (reference-
//! profiler §6.2), called through the test agent's `NativeMethods` in the
//! agent home exactly as the managed agent calls them.

use crate::agent_record::AgentLog;
use crate::support::*;
use std::path::Path;
use std::sync::OnceLock;

fn live_app() -> &'static std::path::PathBuf {
    static APP: OnceLock<std::path::PathBuf> = OnceLock::new();
    APP.get_or_init(|| {
        fixtures();
        build_app("LiveApp", "LiveApp")
    })
}

fn extension(classes_and_methods: &[(&str, &str)]) -> String {
    let matches: String = classes_and_methods
        .iter()
        .map(|(class, method)| {
            format!(r#"<match assemblyName="LiveApp" className="{class}"><exactMethodMatcher methodName="{method}" /></match>"#)
        })
        .collect();
    format!(
        r#"<?xml version="1.0"?><extension xmlns="urn:newrelic-extension"><instrumentation><tracerFactory>{matches}</tracerFactory></instrumentation></extension>"#
    )
}

struct LiveRun {
    out: Outcome,
    agent: AgentLog,
    log: Log,
}

fn run_live(home: &Home, args: &[&str], level: &str) -> LiveRun {
    let scratch = scratch();
    let agent_log = scratch.path().join("agent.log");
    let out = Run::managed(live_app(), args)
        .home(home)
        .log_dir(scratch.path())
        .env("NEW_RELIC_LOG_LEVEL", level)
        .env("NEWRELIC_TEST_AGENT_LOG", &agent_log)
        .run();
    out.assert_success();
    let log = out.log(scratch.path());
    LiveRun {
        agent: AgentLog::read(&agent_log),
        log,
        out,
    }
}

#[test]
fn refresh_applies_edited_extension_files_and_refuses_invalid_ones() {
    let home = Home::new();
    home.write_extension("Live.xml", &extension(&[("LiveApp.Targets", "One")]));
    let work = scratch();
    let replacement = work.path().join("replacement.xml");
    std::fs::write(&replacement, extension(&[("LiveApp.Targets", "Two")])).unwrap();
    let live_xml = home.path.join("extensions/Live.xml");
    let r = run_live(
        &home,
        &[
            "refresh",
            live_xml.to_str().unwrap(),
            replacement.to_str().unwrap(),
        ],
        "finest",
    );
    assert!(r.out.stdout.contains("refresh=0"), "{}", r.out.stdout);
    assert!(
        r.out.stdout.contains("refresh-invalid=1"),
        "an invalid file refuses the refresh: {}",
        r.out.stdout
    );
    assert_eq!(r.agent.phase(None).called_methods(), vec!["One"]);
    assert_eq!(
        r.agent.phase(Some("refreshed")).called_methods(),
        vec!["Two"],
        "One reverted, Two added"
    );
    assert_eq!(
        r.agent.phase(Some("after-invalid")).called_methods(),
        vec!["Two"],
        "unchanged after the refused refresh"
    );
    r.log
        .assert_has("Refreshing instrumentation")
        .assert_has("Enter: InstrumentationRefresh")
        .assert_has("Enter: InstrumentationRefreshWithNewIgnoreList")
        .assert_has("Leave: InstrumentationRefreshWithNewIgnoreList")
        .assert_has("Revert success")
        .assert_has("Unable to parse one or more instrumentation files.  Instrumentation will not be refreshed.");
}

#[test]
fn reload_applies_the_new_log_level_and_ignore_rules_and_survives_a_broken_config() {
    let home = Home::new();
    home.write_extension("Live.xml", &extension(&[("LiveApp.Targets", "One")]));
    let work = scratch();
    let new_config = work.path().join("new.config");
    std::fs::write(
        &new_config,
        DEFAULT_CONFIG.replace(
            "<log level=\"info\" />",
            "<log level=\"debug\" /><instrumentation><rules><ignore assemblyName=\"LiveApp\" className=\"LiveApp.Targets\" /></rules></instrumentation>",
        ),
    )
    .unwrap();
    let broken = work.path().join("broken.config");
    std::fs::write(&broken, "<configuration").unwrap();
    // No log-level variable: the level comes from newrelic.config (§3.3).
    let scratch_dir = scratch();
    let agent_log = scratch_dir.path().join("agent.log");
    let out = Run::managed(
        live_app(),
        &[
            "reload",
            new_config.to_str().unwrap(),
            broken.to_str().unwrap(),
        ],
    )
    .home(&home)
    .log_dir(scratch_dir.path())
    .env("NEWRELIC_TEST_AGENT_LOG", &agent_log)
    .run();
    out.assert_success();
    assert!(out.stdout.contains("reload=0"), "{}", out.stdout);
    assert!(
        out.stdout.contains("reload-broken=error"),
        "a broken config is an error code, not a crash: {}",
        out.stdout
    );
    let agent = AgentLog::read(&agent_log);
    assert_eq!(agent.phase(None).called_methods(), vec!["One"]);
    assert!(
        agent.phase(Some("reloaded")).called_methods().is_empty(),
        "the new ignore rule reverted One"
    );
    let log = out.log(scratch_dir.path());
    log.assert_has("Reloading newrelic.config files.")
        .assert_has("<-- New logging level set: Debug")
        .assert_has("Revert success")
        .assert_has_prefix("Unable to reload the configuration, keeping the current one: ");
}

#[test]
fn custom_instrumentation_is_applied_and_removed() {
    let home = Home::new();
    home.write_extension("Live.xml", &extension(&[("LiveApp.Targets", "One")]));
    let work = scratch();
    let custom = work.path().join("custom.xml");
    std::fs::write(&custom, extension(&[("LiveApp.Targets", "Three")])).unwrap();
    let r = run_live(&home, &["live", custom.to_str().unwrap()], "finest");
    assert!(
        r.out.stdout.contains("add=0") && r.out.stdout.contains("apply=0"),
        "{}",
        r.out.stdout
    );
    assert!(
        r.out.stdout.contains("apply-again=0"),
        "nothing to apply and nothing applied: S_OK"
    );
    assert_eq!(r.agent.phase(None).called_methods(), vec!["One"]);
    assert_eq!(
        r.agent.phase(Some("applied")).called_methods(),
        vec!["One", "Three"]
    );
    assert_eq!(
        r.agent.phase(Some("removed")).called_methods(),
        vec!["One"],
        "an empty apply reverts Three"
    );
    r.log
        .assert_has("Applying live instrumentation")
        .assert_has("Adding custom instrumentation")
        .assert_has("Applying custom instrumentation");
}

/// Compatibility E6: the original parses a live document with a recursive
/// parser on the calling thread, so one nested 100 000 elements deep
/// overflows the stack inside `ApplyCustomInstrumentation` and the
/// application aborts. Here the document is parsed without recursion: it is
/// applied like any other, and its point instrumented.
#[test]
fn a_live_document_nested_100000_deep_is_applied() {
    let home = Home::new();
    home.write_extension("Live.xml", &extension(&[("LiveApp.Targets", "One")]));
    let work = scratch();
    let custom = work.path().join("deep.xml");
    let depth = 100_000;
    let deep = format!("{}{}", "<a>".repeat(depth), "</a>".repeat(depth));
    let document = extension(&[("LiveApp.Targets", "Three")])
        .replace("<tracerFactory>", &format!("<tracerFactory>{deep}"));
    std::fs::write(&custom, document).unwrap();
    let r = run_live(&home, &["live", custom.to_str().unwrap()], "info");
    assert!(
        r.out.stdout.contains("add=0") && r.out.stdout.contains("apply=0"),
        "{}",
        r.out.stdout
    );
    assert_eq!(
        r.agent.phase(Some("applied")).called_methods(),
        vec!["One", "Three"]
    );
    r.log.assert_has("Applying live instrumentation");
}

#[test]
fn refreshes_racing_with_calls_lose_and_double_nothing() {
    let home = Home::new();
    let targets: Vec<(String, String)> = (0..40)
        .map(|i| ("LiveApp.RaceTargets".to_string(), format!("M{i}")))
        .collect();
    let pairs: Vec<(&str, &str)> = targets
        .iter()
        .map(|(c, m)| (c.as_str(), m.as_str()))
        .collect();
    home.write_extension("Race.xml", &extension(&pairs));
    let (threads, rounds, refreshes) = (16, 25, 10);
    let r = run_live(
        &home,
        &[
            "race",
            &threads.to_string(),
            &rounds.to_string(),
            &refreshes.to_string(),
        ],
        "info",
    );
    let expected = threads * rounds * 40;
    assert!(
        r.out
            .stdout
            .contains(&format!("calls={expected} refreshes=0")),
        "{}",
        r.out.stdout
    );
    let calls = r.agent.calls().len();
    let finishes = r
        .agent
        .records
        .iter()
        .filter(|x| matches!(x, crate::agent_record::Record::Finish(..)))
        .count();
    assert_eq!(calls, expected, "one tracer call per method call");
    assert_eq!(finishes, expected, "one finish per method call");
}

#[test]
fn exports_without_an_initialised_profiler_return_e_fail() {
    // The library loaded by the application itself, never by the runtime.
    let library = profiler_library().display().to_string();
    let out = Run::managed(live_app(), &["unattached", &library])
        .without_profiler()
        .run();
    out.assert_success();
    assert!(
        out.stdout
            .contains("refresh=80004005 reload=80004005 add=80004005 apply=80004005"),
        "{}",
        out.stdout
    );

    // The profiler attached but detached during Initialize (excluded process).
    let logs = scratch();
    let out = Run::managed(live_app(), &["unattached", &library])
        .env(
            "NEW_RELIC_EXCLUDED_APPLICATION_NAMES",
            process_name(live_app()),
        )
        .home(&Home::new())
        .log_dir(logs.path())
        .run();
    out.assert_success();
    assert!(out.stdout.contains("refresh=80004005"), "{}", out.stdout);
    out.log(logs.path())
        .assert_has("This process should not be instrumented, unloading profiler.")
        .assert_has(
            "InstrumentationRefresh: entry point called before the profiler has been initialized",
        )
        .assert_has("Unable to refresh instrumentation because the profiler reference is invalid.")
        .assert_has(
            "AddCustomInstrumentation: entry point called before the profiler has been initialized",
        );
}

#[test]
fn refresh_time_with_the_shipped_extensions() {
    // A measurement, printed for the record (timing is not asserted).
    let home = Home::new();
    let extensions = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/testdata/newrelic/home-linux/extensions");
    for entry in std::fs::read_dir(&extensions)
        .expect("shipped extensions in ../shared/testdata")
        .flatten()
    {
        home.add_extension(&entry.path(), None);
    }
    let r = run_live(&home, &["time-refresh", "10"], "info");
    let line = r
        .out
        .stdout
        .lines()
        .find(|l| l.starts_with("modules="))
        .expect("timing line");
    eprintln!("InstrumentationRefresh with 373 points: {line}");
    assert!(
        !r.out.stdout.contains("refresh returned"),
        "{}",
        r.out.stdout
    );
}
