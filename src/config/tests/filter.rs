//! ConfigurationTest's `ShouldInstrument` cases (§2.5) and the log texts
//! of each branch (§3.6).

use super::*;

fn enabled_config(agent_enabled: bool) -> Configuration {
    Configuration {
        agent_enabled,
        ..Configuration::default()
    }
}

const DEBUG_LOG_XML: &str = r#"    <?xml version="1.0"?>    <configuration>        <log level="deBug"/>    </configuration>    "#;
const CONFIGURATION_ONLY: &str = r#"<?xml version="1.0"?><configuration/>"#;

/// Environment for the Azure Functions tests.
fn azure(worker_runtime: &str, mode: Option<&str>) -> MockSystem {
    let sys = MockSystem::new().with_env("FUNCTIONS_WORKER_RUNTIME", worker_runtime);
    match mode {
        Some(mode) => sys.with_env("NEW_RELIC_AZURE_FUNCTION_MODE_ENABLED", mode),
        None => sys,
    }
}

const BLAH: &str = "blah blah blah FooBarBaz blah blah blah";

#[test]
fn should_instrument_w3wp() {
    let sys = MockSystem::new();
    assert!(instrument(
        &enabled_config(true),
        &sys,
        "w3wp.exe",
        "",
        "foo",
        "",
        false
    ));
}

#[test]
fn should_instrument_wcf_svc_host() {
    let sys = MockSystem::new();
    assert!(instrument(
        &enabled_config(true),
        &sys,
        "WcfSvcHost.exe",
        "",
        "foo",
        "",
        false
    ));
}

#[test]
fn should_not_instrument_sm_svc_host() {
    let sys = MockSystem::new();
    assert!(!instrument(
        &enabled_config(false),
        &sys,
        "SMSvcHost.exe",
        "",
        "foo",
        "",
        false
    ));
    let (decision, messages) = instrument_logged(
        &enabled_config(true),
        &sys,
        "SMSvcHost.exe",
        "",
        "foo",
        "",
        false,
    );
    assert!(!decision, "ignored even when enabled");
    assert_eq!(
        texts(&messages, Level::Info),
        vec!["The SMSvcHost.exe process has been identified as an ignored process."]
    );
}

#[test]
fn should_not_instrument_if_disabled() {
    let sys = MockSystem::new();
    let (decision, messages) = instrument_logged(
        &enabled_config(false),
        &sys,
        "w3wp.exe",
        "",
        "foo",
        "",
        false,
    );
    assert!(!decision);
    assert_eq!(
        texts(&messages, Level::Info),
        vec!["New Relic has been disabled via newrelic.config file."]
    );
}

#[test]
fn should_not_instrument_process_netframework() {
    let sys = MockSystem::new();
    assert!(!instrument(
        &enabled_config(false),
        &sys,
        "foo.exe",
        "",
        "",
        "",
        false
    ));
}

#[test]
fn should_instrument_process_netcore() {
    let sys = MockSystem::new();
    assert!(instrument(
        &enabled_config(false),
        &sys,
        "foo.exe",
        "",
        "",
        "",
        true
    ));
}

#[test]
fn azure_function_should_instrument_functions_net_host_if_azure_function_mode_not_specified() {
    let sys = azure("dotnet-isolated", None);
    let config = parse(DEBUG_LOG_XML, NO_LOCAL, "", &sys);
    let (decision, messages) =
        instrument_logged(&config, &sys, "functionsnethost.exe", "", "", BLAH, true);
    assert!(decision);
    assert_eq!(
        texts(&messages, Level::Info),
        vec![
            "Azure function detected. Determining whether to instrument functionsnethost.exe",
            "FunctionNetHost.exe is a valid Azure function command. This process will be instrumented.",
        ]
    );
}

#[test]
fn isolated_azure_function_should_instrument_functions_net_host_if_azure_function_mode_disabled() {
    let sys = azure("dotnet-isolated", Some("0"));
    let config = parse(DEBUG_LOG_XML, NO_LOCAL, "", &sys);
    let (decision, messages) =
        instrument_logged(&config, &sys, "functionsnethost.exe", "", "", BLAH, true);
    assert!(decision, "Core rules");
    assert!(
        !texts(&messages, Level::Info)
            .iter()
            .any(|t| t.starts_with("Azure function detected")),
        "Azure rules skipped when the mode is disabled"
    );
}

#[test]
fn in_proc_azure_function_should_instrument_functions_net_host_if_azure_function_mode_disabled() {
    let sys = azure("dotnet", Some("0"));
    let config = parse(DEBUG_LOG_XML, NO_LOCAL, "", &sys);
    assert!(instrument(
        &config,
        &sys,
        "w3wp.exe",
        "",
        "someapppoolname",
        BLAH,
        true
    ));
}

#[test]
fn should_not_instrument_isolated_azure_function_linux_webhost_process() {
    let sys = azure("dotnet-isolated", Some("true"));
    let config = parse(DEBUG_LOG_XML, NO_LOCAL, "", &sys);
    let webhost = "/azure-functions-host/Microsoft.Azure.WebJobs.Script.WebHost";
    let (decision, messages) = instrument_logged(&config, &sys, BLAH, "", "", webhost, true);
    assert!(!decision);
    assert!(texts(&messages, Level::Info).contains(
        &"Appears to be Azure Functions WebHost (Linux) based on commandLine. Not instrumenting this process.".to_string()
    ));
    let upper_path = "/HOME/SITE/AZURE-FUNCTIONS-HOST/MICROSOFT.AZURE.WEBJOBS.SCRIPT.WEBHOST";
    assert!(
        !instrument(&config, &sys, upper_path, "", "", "", true),
        "the path counts too"
    );
}

#[test]
fn should_not_instrument_isolated_azure_function_app_pool_id_in_commandline() {
    let sys = azure("dotnet-isolated", Some("true"));
    let config = parse(DEBUG_LOG_XML, NO_LOCAL, "", &sys);
    let (decision, messages) =
        instrument_logged(&config, &sys, "w3wp.exe", "", "FooBarBaz", BLAH, true);
    assert!(!decision);
    assert_eq!(
        texts(&messages, Level::Info).last().map(String::as_str),
        Some("Appears to be Azure WebJobs Script WebHost based on commandLine. Not instrumenting this process.")
    );
    assert!(
        !instrument(&config, &sys, "w3wp.exe", "", "foobarbaz", BLAH, true),
        "case-insensitive"
    );
}

#[test]
fn should_instrument_isolated_azure_function_fallback_to_app_pool_checking() {
    let sys = azure("dotnet-isolated", Some("true"));
    let config = parse(DEBUG_LOG_XML, NO_LOCAL, "", &sys);
    let (decision, messages) = instrument_logged(&config, &sys, "w3wp.exe", "", "foo", "", true);
    assert!(decision);
    assert_eq!(
        texts(&messages, Level::Info),
        vec![
            "Azure function detected. Determining whether to instrument w3wp.exe",
            "Couldn't determine whether this Azure Function process should be instrumented based on commandLine. Falling back to checking application pool",
            "Process w3wp.exe is IIS.",
            "This application pool (foo) is not explicitly configured to be instrumented or not but application pools are set to be enabled by default.",
        ]
    );
}

#[test]
fn should_not_instrument_isolated_azure_function_func_exe_process_path() {
    let sys = azure("dotnet-isolated", Some("true"));
    let config = parse(DEBUG_LOG_XML, NO_LOCAL, "", &sys);
    let (decision, messages) = instrument_logged(&config, &sys, "func.exe", "", "", BLAH, true);
    assert!(!decision);
    assert_eq!(
        texts(&messages, Level::Info).last().map(String::as_str),
        Some("Func.exe is a tool for testing Azure functions locally. Not instrumenting this process.")
    );
}

#[test]
fn should_instrument_isolated_azure_function_functionsnethost_exe_process_path() {
    let sys = azure("dotnet-isolated", Some("true"));
    let config = parse(DEBUG_LOG_XML, NO_LOCAL, "", &sys);
    assert!(instrument(
        &config,
        &sys,
        "functionsnethost.exe",
        "",
        "",
        BLAH,
        true
    ));
    assert!(instrument(
        &config,
        &sys,
        r"C:\X\FUNCTIONSNETHOST.EXE",
        "",
        "",
        BLAH,
        true
    ));
}

#[test]
fn should_instrument_isolated_azure_function_functions_worker_id_in_command_line() {
    let sys = azure("dotnet-isolated", Some("true"));
    let config = parse(DEBUG_LOG_XML, NO_LOCAL, "", &sys);
    let command_line = "blah blah blah --functions-worker-id FooBarBaz blah blah blah";
    let (decision, messages) = instrument_logged(
        &config,
        &sys,
        "SomeFW481FunctionApp.exe",
        "",
        "",
        command_line,
        false,
    );
    assert!(decision);
    assert_eq!(
        texts(&messages, Level::Info).last().map(String::as_str),
        Some("Command line contains --functions-worker-id. This process will be instrumented.")
    );
}

#[test]
fn should_instrument_isolated_azure_function_worker_id_in_command_line() {
    let sys = azure("dotnet-isolated", Some("true"));
    let config = parse(DEBUG_LOG_XML, NO_LOCAL, "", &sys);
    let command_line = "blah blah blah --worker-id FooBarBaz blah blah blah";
    let (decision, messages) = instrument_logged(
        &config,
        &sys,
        "SomeFW481FunctionApp.exe",
        "",
        "",
        command_line,
        false,
    );
    assert!(decision);
    assert_eq!(
        texts(&messages, Level::Info).last().map(String::as_str),
        Some("Command line contains --worker-id. This process will be instrumented.")
    );
}

#[test]
fn should_instrument_in_process_azure_function() {
    let sys = azure("dotnet", Some("true"));
    let config = parse(DEBUG_LOG_XML, NO_LOCAL, "", &sys);
    let (decision, messages) = instrument_logged(
        &config,
        &sys,
        "SomeFW481FunctionApp.exe",
        "",
        "someapppoolname",
        BLAH,
        false,
    );
    assert!(decision);
    assert_eq!(
        texts(&messages, Level::Info).last().map(String::as_str),
        Some("Function is running in-process. This process will be instrumented.")
    );
    let sys = azure("DotNet", None);
    assert!(
        instrument(&config, &sys, "x.exe", "", "", "", false),
        "in-process value is case-insensitive"
    );
}

#[test]
fn should_not_instrument_in_process_azure_function_kudu_app_pool() {
    let sys = azure("dotnet", Some("true"));
    let config = parse(DEBUG_LOG_XML, NO_LOCAL, "", &sys);
    let (decision, messages) = instrument_logged(
        &config,
        &sys,
        "SomeFW481FunctionApp.exe",
        "",
        "~somekuduapppool",
        BLAH,
        false,
    );
    assert!(!decision);
    assert_eq!(
        texts(&messages, Level::Info).last().map(String::as_str),
        Some("This application pool (~somekuduapppool) has been identified as an in-process Azure Functions built-in background application and will be ignored.")
    );
}

#[test]
fn empty_functions_worker_runtime_is_not_azure() {
    let sys = azure("", None);
    let config = Configuration::default();
    let (_, messages) = instrument_logged(&config, &sys, "func.exe", "", "", "", true);
    assert!(!texts(&messages, Level::Info)
        .iter()
        .any(|t| t.starts_with("Azure")));
    assert!(instrument(&config, &sys, "func.exe", "", "", "", true));
}

#[test]
fn instrument_process() {
    let sys = MockSystem::new();
    let config = Configuration {
        included_processes: set(["foo.exe"]),
        ..Configuration::default()
    };
    let (decision, messages) = instrument_logged(&config, &sys, "foo.exe", "", "", "", false);
    assert!(decision);
    assert_eq!(
        texts(&messages, Level::Info),
        vec!["Enabling instrumentation for this process (foo.exe) due to existence of application node in newrelic.config or NEW_RELIC_INCLUDED_APPLICATION_NAMES environment variable."]
    );
    assert!(
        instrument(&config, &sys, r"C:\APPS\FOO.EXE", "", "", "", false),
        "suffix match on the path"
    );
    assert!(
        instrument(&config, &sys, r"C:\APPS\XFOO.EXE", "", "", "", false),
        "not a basename match"
    );
}

fn applications_xml(entries: &str) -> String {
    format!(
        r#"    <?xml version="1.0"?>    <configuration>        <instrumentation>            <applications>{entries}</applications>        </instrumentation>    </configuration>    "#
    )
}

#[test]
fn instrument_process_from_xml() {
    let sys = MockSystem::new();
    let config = parse(
        &applications_xml(r#"<application name="foo.exe"/>"#),
        NO_LOCAL,
        "",
        &sys,
    );
    assert!(instrument(&config, &sys, "Foo.exe", "", "", "", false));
}

#[test]
fn instrument_process_from_xml_with_explicit_include() {
    let sys = MockSystem::new();
    let xml = applications_xml(r#"<application name="foo.exe" include="true" />"#);
    let config = parse(&xml, NO_LOCAL, "", &sys);
    assert!(instrument(&config, &sys, "Foo.exe", "", "", "", false));
}

#[test]
fn should_not_instrument_process_from_xml_with_exclude_netframework() {
    let sys = MockSystem::new();
    let xml = applications_xml(r#"<application name="foo.exe" include="false" />"#);
    let config = parse(&xml, NO_LOCAL, "", &sys);
    let (decision, messages) = instrument_logged(&config, &sys, "Foo.exe", "", "", "", false);
    assert!(!decision);
    assert_eq!(
        texts(&messages, Level::Info),
        vec!["Process Foo.exe excluded by configuration."]
    );
}

#[test]
fn should_not_instrument_processes_from_xml_with_exclude_netcore() {
    let sys = MockSystem::new();
    let xml = applications_xml(
        r#"<application name="foo.exe" include="false" /><application name="mailServer" include="false" />"#,
    );
    let config = parse(&xml, NO_LOCAL, "", &sys);
    assert!(!instrument(&config, &sys, "Foo.exe", "", "", "", true));
    assert!(!instrument(&config, &sys, "mailServer", "", "", "", true));
    assert!(instrument(&config, &sys, "emailServer", "", "", "", true));
}

#[test]
fn should_not_instrument_process_name_regardless_of_path_netcore() {
    let sys = MockSystem::new();
    let xml = applications_xml(
        r#"<application name="foo.exe" include="false" /><application name="linuxFoo" include="false" />"#,
    );
    let config = parse(&xml, NO_LOCAL, "", &sys);
    assert!(!instrument(
        &config,
        &sys,
        r"C:\tools\Foo.exe",
        "",
        "",
        "",
        true
    ));
    assert!(!instrument(
        &config,
        &sys,
        r"C:\apps\Foo.exe",
        "",
        "",
        "",
        true
    ));
    assert!(!instrument(
        &config,
        &sys,
        "/usr/bin/linuxFoo",
        "",
        "",
        "",
        true
    ));
    assert!(!instrument(
        &config,
        &sys,
        "/usr/local/bin/linuxFoo",
        "",
        "",
        "",
        true
    ));
    assert!(
        !instrument(&config, &sys, "/USR/LOCAL/BIN/LINUXFOO", "", "", "", true),
        "upper-cased path"
    );
}

#[test]
fn instrument_multiple_processes_from_xml() {
    let sys = MockSystem::new();
    let xml = applications_xml(
        r#"<application name="foo.exe"/><application name="bar.exe" include="true" />"#,
    );
    let config = parse(&xml, NO_LOCAL, "", &sys);
    assert!(instrument(&config, &sys, "Foo.exe", "", "", "", false));
    assert!(instrument(&config, &sys, "Bar.exe", "", "", "", false));
}

#[test]
fn do_not_instrument_process_not_in_xml() {
    let sys = MockSystem::new();
    let xml = applications_xml(r#"<application name="foo.exe"/><application name="bar.exe"/>"#);
    let config = parse(&xml, NO_LOCAL, "", &sys);
    let (decision, messages) = instrument_logged(&config, &sys, "Baz.exe", "", "", "", false);
    assert!(!decision);
    assert_eq!(
        texts(&messages, Level::Info),
        vec![
            "Process Baz.exe is not IIS.",
            "This process (Baz.exe) is not configured to be instrumented."
        ]
    );
}

#[test]
fn do_not_instrument_processes_excluded_by_environment_netframework() {
    let sys = MockSystem::new().with_env("NEW_RELIC_EXCLUDED_APPLICATION_NAMES", "bar.exe,baz.exe");
    let xml = applications_xml(r#"<application name="foo.exe"/><application name="bar.exe"/>"#);
    let config = parse(&xml, NO_LOCAL, "", &sys);
    assert!(!instrument(&config, &sys, "bar.exe", "", "", "", false));
    assert!(!instrument(&config, &sys, "baz.exe", "", "", "", false));
}

#[test]
fn do_not_instrument_processes_excluded_by_environment_netcore() {
    let sys = MockSystem::new().with_env("NEW_RELIC_EXCLUDED_APPLICATION_NAMES", "bar.exe,baz.exe");
    let xml = applications_xml(r#"<application name="foo.exe"/><application name="bar.exe"/>"#);
    let config = parse(&xml, NO_LOCAL, "", &sys);
    assert!(!instrument(&config, &sys, "bar.exe", "", "", "", true));
    assert!(!instrument(&config, &sys, "baz.exe", "", "", "", true));
}

#[test]
fn instrument_processes_included_by_environment_netframework() {
    let sys = MockSystem::new().with_env("NEW_RELIC_INCLUDED_APPLICATION_NAMES", "bar.exe,baz.exe");
    let config = parse(
        r#"<configuration agentEnabled="true"/>"#,
        NO_LOCAL,
        "",
        &sys,
    );
    assert!(instrument(&config, &sys, "bar.exe", "", "", "", false));
    assert!(instrument(&config, &sys, "baz.exe", "", "", "", false));
}

#[test]
fn instrument_processes_exclude_takes_precedence_over_include() {
    let sys = MockSystem::new()
        .with_env("NEW_RELIC_INCLUDED_APPLICATION_NAMES", "bar.exe,baz.exe")
        .with_env("NEW_RELIC_EXCLUDED_APPLICATION_NAMES", "bar.exe");
    let config = parse(
        r#"<configuration agentEnabled="true"/>"#,
        NO_LOCAL,
        "",
        &sys,
    );
    assert!(!instrument(&config, &sys, "bar.exe", "", "", "", false));
    assert!(instrument(&config, &sys, "baz.exe", "", "", "", false));
}

#[test]
fn azure_web_sites_background_application_pool_ignored() {
    let sys = MockSystem::new();
    let config = parse(CONFIGURATION_ONLY, NO_LOCAL, "", &sys);
    let (decision, messages) = instrument_logged(&config, &sys, "w3wp.exe", "", "~Foo", "", false);
    assert!(!decision);
    assert_eq!(
        texts(&messages, Level::Info).last().map(String::as_str),
        Some("This application pool (~Foo) has been identified as an Azure WebSites built-in background application and will be ignored.")
    );
}

#[test]
fn tilde_in_string_but_not_at_start_is_not_ignored() {
    let sys = MockSystem::new();
    let config = parse(CONFIGURATION_ONLY, NO_LOCAL, "", &sys);
    assert!(instrument(&config, &sys, "w3wp.exe", "", "F~oo", "", false));
}
