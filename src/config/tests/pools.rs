//! ConfigurationTest's application-pool cases (in-process `w3wp.exe` on
//! Framework and out-of-process Core children of `w3wp.exe`) and the
//! app.config cases (§2.5 steps 4–5).

use super::*;

fn pools_xml(entries: &str) -> String {
    format!(
        r#"    <?xml version="1.0"?>    <configuration>        <applicationPools>{entries}</applicationPools>    </configuration>    "#
    )
}

const DENY_FOO: &str = "<applicationPool name='foo' instrument='false'/>";
const ALLOW_FOO: &str = "<applicationPool name='foo' instrument='true'/>";
const DEFAULT_FALSE: &str = "<defaultBehavior instrument='false'/>";
const DEFAULT_TRUE: &str = "<defaultBehavior instrument='true'/>";
const MIXED: &str = "<applicationPool name='whiteFoo' instrument='true'/>\
    <applicationPool name='whiteBar' instrument='true'/>\
    <applicationPool name='blackFoo' instrument='false'/>\
    <applicationPool name='blackBar' instrument='false'/>";

/// In-process (Framework `w3wp.exe`) or out-of-process (Core `Foo.exe`
/// whose parent is `w3wp.exe`).
fn pool_decision(entries: &str, pool: &str, out_of_process: bool) -> bool {
    let sys = MockSystem::new();
    let config = parse(&pools_xml(entries), NO_LOCAL, "", &sys);
    if out_of_process {
        instrument(&config, &sys, "Foo.exe", "w3wp.exe", pool, "", true)
    } else {
        instrument(&config, &sys, "w3wp.exe", "", pool, "", false)
    }
}

fn some_white_some_black(default: &str, default_expected: bool, out_of_process: bool) {
    let entries = format!("{default}{MIXED}");
    assert!(pool_decision(&entries, "whiteFoo", out_of_process));
    assert!(pool_decision(&entries, "whiteBar", out_of_process));
    assert!(!pool_decision(&entries, "blackFoo", out_of_process));
    assert!(!pool_decision(&entries, "blackBar", out_of_process));
    assert_eq!(
        pool_decision(&entries, "defaultFoo", out_of_process),
        default_expected
    );
    assert_eq!(
        pool_decision(&entries, "defaultBar", out_of_process),
        default_expected
    );
}

#[test]
fn application_pools_instrument_by_default() {
    assert!(pool_decision(DENY_FOO, "bar", false));
}

#[test]
fn application_pool_blacklist_without_default() {
    assert!(!pool_decision(DENY_FOO, "foo", false));
}

#[test]
fn application_pool_whitelist_without_default() {
    assert!(pool_decision(ALLOW_FOO, "foo", false));
}

#[test]
fn application_pool_blacklist() {
    assert!(!pool_decision(DEFAULT_FALSE, "foo", false));
}

#[test]
fn application_pool_whitelist() {
    assert!(pool_decision(DEFAULT_TRUE, "foo", false));
}

#[test]
fn application_pools_some_white_some_black_some_default_black() {
    some_white_some_black(DEFAULT_FALSE, false, false);
}

#[test]
fn application_pools_some_white_some_black_some_default_white() {
    some_white_some_black(DEFAULT_TRUE, true, false);
}

#[test]
fn application_pools_oop_instrument_by_default() {
    assert!(pool_decision(DENY_FOO, "bar", true));
}

#[test]
fn application_pool_oop_blacklist_without_default() {
    assert!(!pool_decision(DENY_FOO, "foo", true));
}

#[test]
fn application_pool_oop_whitelist_without_default() {
    assert!(pool_decision(ALLOW_FOO, "foo", true));
}

#[test]
fn application_pool_oop_blacklist() {
    assert!(!pool_decision(DEFAULT_FALSE, "foo", true));
}

#[test]
fn application_pool_oop_whitelist() {
    assert!(pool_decision(DEFAULT_TRUE, "foo", true));
}

#[test]
fn application_pools_oop_some_white_some_black_some_default_black() {
    some_white_some_black(DEFAULT_FALSE, false, true);
}

#[test]
fn application_pools_oop_some_white_some_black_some_default_white() {
    some_white_some_black(DEFAULT_TRUE, true, true);
}

#[test]
fn application_pool_ids_compare_exactly_and_log_each_branch() {
    let sys = MockSystem::new();
    let config = parse(
        &pools_xml(&format!("{DEFAULT_FALSE}{MIXED}")),
        NO_LOCAL,
        "",
        &sys,
    );
    let last_info = |pool: &str| {
        let (_, messages) =
            instrument_logged(&config, &sys, "FOO.EXE", "C:\\W\\W3WP.EXE", pool, "", true);
        texts(&messages, Level::Info)
    };
    assert_eq!(
        last_info("blackFoo"),
        vec![
            "Process FOO.EXE with parent process C:\\W\\W3WP.EXE is IIS.",
            "This application pool (blackFoo) is explicitly configured to NOT be instrumented.",
        ]
    );
    assert_eq!(
        last_info("whiteFoo").last().map(String::as_str),
        Some("This application pool (whiteFoo) is explicitly configured to be instrumented.")
    );
    assert_eq!(
        last_info("WHITEFOO").last().map(String::as_str),
        Some("This application pool (WHITEFOO) is not explicitly configured to be instrumented or not but application pools are set to be disabled by default."),
        "pool lists are case-sensitive"
    );
}

#[test]
fn core_process_outside_iis_logs_parent_and_is_instrumented() {
    let sys = MockSystem::new();
    let config = Configuration::default();
    let (decision, messages) = instrument_logged(
        &config,
        &sys,
        "/USR/BIN/DOTNET",
        ".",
        "",
        "dotnet app.dll ",
        true,
    );
    assert!(decision);
    assert_eq!(
        texts(&messages, Level::Info),
        vec!["Process /USR/BIN/DOTNET with parent process . is not IIS."]
    );
    assert_eq!(
        texts(&messages, Level::Trace),
        vec![
            "Process Path: /USR/BIN/DOTNET",
            "Parent Process Path: .",
            "App Pool Id: ",
            "Is Core CLR: true",
        ]
    );
}

fn app_config_case(newrelic: &str, app_config: &str) -> (bool, Vec<LogMessage>) {
    let sys = MockSystem::new();
    let config = parse(newrelic, NO_LOCAL, app_config, &sys);
    instrument_logged(&config, &sys, "Foo.exe", "", "", "", false)
}

fn app_settings(entries: &str) -> String {
    format!(
        "    <?xml version='1.0' encoding='utf-8'?>    <configuration>        <appSettings>{entries}</appSettings>    </configuration>    "
    )
}

const NR_ENABLED: &str = "    <?xml version='1.0'?>    <configuration agentEnabled='true'/>    ";
const NR_DISABLED: &str = "    <?xml version='1.0'?>    <configuration agentEnabled='false'/>    ";
const APPLICATIONS_FOO_BAR: &str = r#"<?xml version="1.0"?><configuration><instrumentation><applications><application name="foo.exe"/><application name="bar.exe"/></applications></instrumentation></configuration>"#;

#[test]
fn agent_enabled_via_application_configuration() {
    let (decision, messages) = app_config_case(
        NR_ENABLED,
        &app_settings("<add key='NewRelic.AgentEnabled' value='true'/>"),
    );
    assert!(decision);
    assert_eq!(
        texts(&messages, Level::Info),
        vec!["Enabling instrumentation for this process due to existence of NewRelic.AgentEnabled=true in Foo.exe.config."]
    );
}

#[test]
fn agent_disabled_via_application_configuration() {
    let app = app_settings("<add key='NewRelic.AgentEnabled' value='false'/>");
    assert!(!app_config_case(NR_DISABLED, &app).0);
    let (decision, messages) = app_config_case(NR_ENABLED, &app);
    assert!(!decision);
    assert_eq!(
        texts(&messages, Level::Info),
        vec!["Disabling instrumentation for this process due to the existence of NewRelic.AgentEnabled in Foo.exe.config which is set to a value other than 'true'."]
    );
}

#[test]
fn agent_disabled_when_missing_from_application_configuration() {
    assert!(!app_config_case(NR_DISABLED, &app_settings("")).0);
}

#[test]
fn agent_disabled_when_app_config_does_not_exist() {
    assert!(!app_config_case(NR_DISABLED, "").0);
}

#[test]
fn agent_enabled_in_application_config_is_case_insensitive() {
    let app = app_settings("<aDD KEY='NeWrEliC.AgEnTeNablED' vAlue='TrUe'/>");
    assert!(app_config_case(NR_ENABLED, &app).0);
}

#[test]
fn agent_disabled_when_disabled_in_application_config_but_listed_in_newrelic_config() {
    let app = app_settings("<add key='NewRelic.AgentEnabled' value='false'/>");
    assert!(!app_config_case(APPLICATIONS_FOO_BAR, &app).0);
}

#[test]
fn agent_disabled_when_junk_in_application_config() {
    let app = app_settings("<add key='NewRelic.AgentEnabled' value='junk'/>");
    assert!(!app_config_case(r#"    <?xml version="1.0"?>    <configuration/>    "#, &app).0);
}

#[test]
fn agent_enabled_when_in_process_list_and_no_flag_in_application_config() {
    let newrelic = r#"<?xml version="1.0"?><configuration><instrumentation><applications><application name="foo.exe"/></applications></instrumentation></configuration>"#;
    assert!(app_config_case(newrelic, &app_settings("")).0);
}

#[test]
fn app_config_is_not_consulted_on_core() {
    let app = app_settings("<add key='NewRelic.AgentEnabled' value='false'/>");
    let sys = MockSystem::new();
    let config = parse(NR_DISABLED, NO_LOCAL, &app, &sys);
    assert!(instrument(&config, &sys, "Foo.exe", "", "", "", true));
}

#[test]
fn framework_predefined_hosts_and_local_config_rule() {
    let sys = MockSystem::new();
    let config = Configuration::default();
    for host in [
        "WEBDEV.WEBSERVER40.EXE",
        "webdev.webserver20.exe",
        r"C:\WINDOWS\SYSTEM32\INETSRV\INETINFO.EXE",
        "WaWorkerHost.exe",
        "WAWEBHOST.EXE",
        "WcfSvcHost.exe",
        "ASPNET_WP.EXE",
        "IISEXPRESS.EXE",
        r"C:\PROGRAM FILES\DOTNET\DOTNET.EXE",
    ] {
        let (decision, messages) = instrument_logged(&config, &sys, host, "", "", "", false);
        assert!(decision, "{host}");
        assert_eq!(
            texts(&messages, Level::Info).last().cloned(),
            Some(format!("Enabling instrumentation for this process ({host}) due to it being in a predefined set of processes to be instrumented."))
        );
    }
    let local = Configuration {
        agent_enabled_in_local_config: true,
        ..Configuration::default()
    };
    let (decision, messages) = instrument_logged(&local, &sys, "APP.EXE", "", "", "", false);
    assert!(decision);
    assert_eq!(
        texts(&messages, Level::Info).last().map(String::as_str),
        Some("Enabling instrumentation for this process due to existence of agentEnabled=true in local newrelic.config.")
    );
    let parent_ignored = instrument(&config, &sys, "APP.EXE", "W3WP.EXE", "pool", "", false);
    assert!(
        !parent_ignored,
        "the Framework filter never looks at the parent"
    );
}
