//! Instrumentation driven by different configurations: agent failures, the
//! real shipped XML, the Lambda handler point, ignore rules, invalid and
//! deprecated files, and extension discovery (reference-profiler §4, §5.4).

use crate::agent_record::AgentLog;
use crate::support::*;
use std::path::Path;

fn manifest() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn app_extension() -> std::path::PathBuf {
    manifest().join("tests/apps/InstrumentedApp/Instrumentation.xml")
}

/// Output lines of the named scenarios (pid line dropped).
fn lines(out: &Outcome) -> Vec<&str> {
    out.stdout
        .lines()
        .filter(|l| !l.starts_with("PID="))
        .collect()
}

const SCENARIOS: [&str; 5] = ["instance-int", "throws", "ref-out", "many-returns", "async"];

fn run_with_agent_mode(mode: (&str, &str)) -> (Outcome, AgentLog) {
    let home = Home::new();
    home.add_extension(&app_extension(), None);
    let scratch = scratch();
    let agent_log = scratch.path().join("agent.log");
    let out = Run::instrumented(&SCENARIOS)
        .home(&home)
        .log_dir(scratch.path())
        .env("NEWRELIC_TEST_AGENT_LOG", &agent_log)
        .env(mode.0, mode.1)
        .run();
    (out, AgentLog::read(&agent_log))
}

#[test]
fn agent_throwing_from_get_finish_tracer_delegate_does_not_change_the_app() {
    let baseline = Run::instrumented(&SCENARIOS).without_profiler().run();
    let (out, agent) = run_with_agent_mode(("NEWRELIC_TEST_AGENT_THROW", "get"));
    out.assert_success();
    assert_eq!(lines(&out), lines(&baseline));
    assert!(!agent.calls().is_empty(), "the agent was called");
    assert!(agent
        .finishes("Instrumented.Calls", "InstanceInt")
        .is_empty());
}

#[test]
fn agent_throwing_from_the_finish_delegate_does_not_change_the_app() {
    let baseline = Run::instrumented(&SCENARIOS).without_profiler().run();
    let (out, agent) = run_with_agent_mode(("NEWRELIC_TEST_AGENT_THROW", "finish"));
    out.assert_success();
    assert_eq!(lines(&out), lines(&baseline));
    assert_eq!(agent.finishes("Instrumented.Calls", "InstanceInt").len(), 2);
    assert_eq!(agent.finishes("Instrumented.Calls", "Throws").len(), 2);
}

#[test]
fn agent_returning_no_delegate_does_not_change_the_app() {
    let baseline = Run::instrumented(&SCENARIOS).without_profiler().run();
    let (out, agent) = run_with_agent_mode(("NEWRELIC_TEST_AGENT_NULL", "1"));
    out.assert_success();
    assert_eq!(lines(&out), lines(&baseline));
    assert!(!agent.calls().is_empty());
    assert!(agent
        .finishes("Instrumented.Calls", "InstanceInt")
        .is_empty());
}

#[test]
fn shipped_linux_extensions_instrument_httpclient_and_aspnetcore() {
    let home = Home::new();
    let extensions = manifest().join("../shared/testdata/newrelic/home-linux/extensions");
    let entries = std::fs::read_dir(&extensions).unwrap_or_else(|e| {
        panic!(
            "the shipped agent configuration is expected at {} (../shared/testdata beside the repository): {e}",
            extensions.display()
        )
    });
    for entry in entries.flatten() {
        home.add_extension(&entry.path(), None);
    }
    let scratch = scratch();
    let agent_log = scratch.path().join("agent.log");
    let web = fixtures().web_dll.display().to_string();
    let out = Run::command("dotnet", &[&web, "5"])
        .home(&home)
        .log_dir(scratch.path())
        .env("NEWRELIC_TEST_AGENT_LOG", &agent_log)
        .run();
    out.assert_success();
    assert!(
        out.stdout.contains("response 4: day 4: sunny"),
        "{}",
        out.stdout
    );
    let log = out.log(scratch.path());
    log.assert_has("Identified 373 Instrumentation points (not ignored) in .xml files");
    let agent = AgentLog::read(&agent_log);
    let sends = agent.calls_to("System.Net.Http.SocketsHttpHandler", "SendAsync");
    assert_eq!(sends.len(), 5, "one SendAsync per request");
    assert_eq!(sends[0].assembly, "System.Net.Http");
    assert_eq!(
        sends[0].signature,
        "System.Net.Http.HttpRequestMessage,System.Threading.CancellationToken"
    );
    assert_eq!(sends[0].target, "System.Net.Http.SocketsHttpHandler");
    let actions = agent.calls_to(
        "Microsoft.AspNetCore.Mvc.Infrastructure.ControllerActionInvoker",
        "InvokeActionMethodAsync",
    );
    assert_eq!(actions.len(), 5, "one controller action per request");
    assert_eq!(actions[0].factory, "InvokeActionMethodAsyncWrapper6Plus");
    let hosting = agent.call(
        "Microsoft.Extensions.Hosting.GenericHostWebHostBuilderExtensions",
        "ConfigureWebHost",
    );
    assert_eq!(
        hosting.factory,
        "GenericHostWebHostBuilderExtensionsWrapper6Plus"
    );
}

/// Compatibility P4: a character outside the Basic Multilingual Plane in
/// `NEW_RELIC_LAMBDA_HANDLER` makes the original's UTF-16 conversion throw,
/// and it detaches. Here the value is used as written.
#[test]
fn a_lambda_handler_with_a_character_outside_the_bmp_is_used() {
    let home = Home::new();
    let logs = scratch();
    let handler = "ProfilerTestApp::ProfilerTestApp.Work::Compute\u{1F600}";
    let out = Run::app(&["hello"])
        .home(&home)
        .log_dir(logs.path())
        .env("NEW_RELIC_LOG_LEVEL", "debug")
        .env("NEW_RELIC_LAMBDA_HANDLER", handler)
        .run();
    out.assert_app_ran();
    out.log(logs.path())
        .assert_has(&format!("Found NEW_RELIC_LAMBDA_HANDLER environment variable: {handler}"))
        .assert_has("Serverless mode detected. Assembly: ProfilerTestApp Class: ProfilerTestApp.Work Method: Compute\u{1F600}")
        .assert_has("Profiler initialized");
}

#[test]
fn lambda_handler_point_from_the_environment() {
    let home = Home::new();
    let scratch = scratch();
    let agent_log = scratch.path().join("agent.log");
    let out = Run::instrumented(&["tiny"])
        .home(&home)
        .log_dir(scratch.path())
        .env("NEWRELIC_TEST_AGENT_LOG", &agent_log)
        .env("NEW_RELIC_LOG_LEVEL", "debug")
        .env(
            "NEW_RELIC_LAMBDA_HANDLER",
            "InstrumentedApp::Instrumented.Calls::Tiny",
        )
        .run();
    out.assert_success();
    let log = out.log(scratch.path());
    log.assert_has("Found NEW_RELIC_LAMBDA_HANDLER environment variable: InstrumentedApp::Instrumented.Calls::Tiny")
        .assert_has("Serverless mode detected. Assembly: InstrumentedApp Class: Instrumented.Calls Method: Tiny");
    let agent = AgentLog::read(&agent_log);
    let c = agent.call("Instrumented.Calls", "Tiny");
    assert_eq!(
        (c.factory.as_str(), c.flags.as_str(), c.metric.as_str()),
        (
            "NewRelic.Providers.Wrapper.AwsLambda.HandlerMethod",
            "0x0",
            ""
        )
    );
}

#[test]
fn ignore_rules_in_newrelic_config_remove_points() {
    let home = Home::new();
    home.add_extension(&app_extension(), None);
    home.write_config(&DEFAULT_CONFIG.replace(
        "<log level=\"info\" />",
        "<log level=\"debug\" /><instrumentation><rules><ignore assemblyName=\"instrumentedapp\" className=\"instrumented.calls\" /></rules></instrumentation>",
    ));
    let scratch = scratch();
    let agent_log = scratch.path().join("agent.log");
    let out = Run::instrumented(&["instance-int", "nested"])
        .home(&home)
        .log_dir(scratch.path())
        .env("NEWRELIC_TEST_AGENT_LOG", &agent_log)
        .run();
    out.assert_success();
    let agent = AgentLog::read(&agent_log);
    assert!(agent
        .calls_to("Instrumented.Calls", "InstanceInt")
        .is_empty());
    assert!(
        !agent
            .calls_to("Instrumented.Outer+Inner", "Name")
            .is_empty(),
        "other classes are kept"
    );
    out.log(scratch.path()).assert_has(
        "Instrumentation for [InstrumentedApp]Instrumented.Calls.InstanceInt is in the ignore list in the newrelic.config file and will be ignored.",
    );
}

#[test]
fn an_invalid_extension_file_is_reported_and_the_others_still_apply() {
    let home = Home::new();
    home.add_extension(&app_extension(), None);
    home.write_extension(
        "Broken.xml",
        "<extension><instrumentation><tracerFactory></extension>",
    );
    let scratch = scratch();
    let agent_log = scratch.path().join("agent.log");
    let out = Run::instrumented(&["instance-int"])
        .home(&home)
        .log_dir(scratch.path())
        .env("NEWRELIC_TEST_AGENT_LOG", &agent_log)
        .run();
    out.assert_success();
    let log = out.log(scratch.path());
    log.assert_has(&format!(
        "Exception thrown while attempting to parse instrumentation file '{}/extensions/Broken.xml'. Please validate your instrumentation files against extensions/extension.xsd or contact New Relic support.",
        home.path.display()
    ))
    .assert_has("Unable to parse one or more instrumentation files.  Live instrumentation reloading will not work until the unparsable file(s) are corrected or removed.");
    assert!(!AgentLog::read(&agent_log)
        .calls_to("Instrumented.Calls", "InstanceInt")
        .is_empty());
}

#[test]
fn runtime_subfolder_suffix_quirk_and_deprecated_names() {
    let home = Home::new();
    let xml = std::fs::read_to_string(app_extension()).unwrap();
    // netcore/ is searched on CoreCLR; on Linux any name ending in "xml" counts (QUIRK).
    std::fs::create_dir_all(home.path.join("extensions/netcore")).unwrap();
    std::fs::write(home.path.join("extensions/netcore/Appxml"), &xml).unwrap();
    home.write_extension(
        "NewRelic.Providers.Wrapper.Asp35.Instrumentation.xml",
        &xml.replace("methodName=\"InstanceInt\"", "methodName=\"Tiny\""),
    );
    let scratch = scratch();
    let agent_log = scratch.path().join("agent.log");
    let out = Run::instrumented(&["instance-int"])
        .home(&home)
        .log_dir(scratch.path())
        .env("NEWRELIC_TEST_AGENT_LOG", &agent_log)
        .run();
    out.assert_success();
    let log = out.log(scratch.path());
    log.assert_has(&format!("Loading instrumentation from {}/extensions/netcore", home.path.display()))
        .assert_has(&format!(
            "Deprecated instrumentation file being ignored: {}/extensions/NewRelic.Providers.Wrapper.Asp35.Instrumentation.xml",
            home.path.display()
        ))
        .assert_has("Identified 45 Instrumentation points (not ignored) in .xml files");
    assert!(!AgentLog::read(&agent_log)
        .calls_to("Instrumented.Calls", "InstanceInt")
        .is_empty());
}
