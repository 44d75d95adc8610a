//! The runtime loads the profiler and it initialises (reference-profiler §1, §2.1).

use crate::support::*;

#[test]
fn attaches_with_the_coreclr_guid() {
    let home = Home::new();
    let logs = scratch();
    let out = Run::app(&["hello"])
        .home(&home)
        .log_dir(logs.path())
        .env("NEW_RELIC_LOG_LEVEL", "finest")
        .run();
    out.assert_app_ran();
    let log = out.log(logs.path());
    log.assert_has("Logger initialized.")
        .assert_has("New Relic .NET CoreCLR Agent")
        .assert_has("Initializing ThreadProfiler")
        .assert_has("ICorProfilerInfo10 available")
        .assert_has("Calling SetEventMask2().")
        .assert_has("Profiler initialized");
    log.assert_has_prefix("CLR version: 10.");
    log.assert_has(&format!(
        "Searching for New Relic Agent DLL at: {}",
        target_path(&home.path.join("NewRelic.Agent.Core.dll"))
    ));
}

#[test]
fn attaches_with_the_framework_guid_and_still_reports_coreclr() {
    // GuidConfigurationTest: the mode comes from GetRuntimeInformation, not the CLSID (§1.3).
    let home = Home::new();
    let logs = scratch();
    let out = Run::app(&["hello"])
        .env("CORECLR_PROFILER", FRAMEWORK_GUID)
        .home(&home)
        .log_dir(logs.path())
        .env("NEW_RELIC_LOG_LEVEL", "finest")
        .run();
    out.assert_app_ran();
    out.log(logs.path())
        .assert_has("New Relic .NET CoreCLR Agent")
        .assert_lacks("New Relic .NET Agent")
        .assert_has("Profiler initialized");
}

#[test]
fn shutdown_writes_the_last_lines() {
    let home = Home::new();
    let logs = scratch();
    let out = Run::app(&["hello"]).home(&home).log_dir(logs.path()).run();
    out.assert_app_ran();
    let log = out.log(logs.path());
    let messages = log.messages();
    let n = messages.len();
    assert!(n >= 2, "{}", log.text);
    assert_eq!(
        &messages[n - 2..],
        &["Profiler shutting down", "Profiler shutdown"],
        "{}",
        log.text
    );
}

#[test]
fn agent_dll_in_the_netcore_subfolder_is_found() {
    let home = Home::new();
    home.move_agent_to_netcore();
    let logs = scratch();
    let out = Run::app(&["hello"])
        .home(&home)
        .log_dir(logs.path())
        .env("NEW_RELIC_LOG_LEVEL", "debug")
        .run();
    out.assert_app_ran();
    out.log(logs.path())
        .assert_has(&format!(
            "Searching for New Relic Agent DLL at: {}",
            target_path(&home.path.join("netcore/NewRelic.Agent.Core.dll"))
        ))
        .assert_has("Profiler initialized");
}

#[test]
fn install_path_is_searched_before_home() {
    let home = Home::new();
    let install = Home::new();
    home.remove_agent();
    let logs = scratch();
    let out = Run::app(&["hello"])
        .home(&home)
        .env("NEW_RELIC_INSTALL_PATH", &install.path)
        .log_dir(logs.path())
        .env("NEW_RELIC_LOG_LEVEL", "debug")
        .run();
    out.assert_app_ran();
    let log = out.log(logs.path());
    log.assert_has(&format!(
        "Searching for New Relic Agent DLL at: {}",
        target_path(&install.path.join("NewRelic.Agent.Core.dll"))
    ))
    .assert_has("Profiler initialized");
}

#[test]
fn agent_enabled_false_is_ignored_on_coreclr() {
    // `should_instrument_process_netcore`: agentEnabled is not consulted on Core (§2.5).
    let home = Home::new();
    home.write_config(&DEFAULT_CONFIG.replace("agentEnabled=\"true\"", "agentEnabled=\"false\""));
    let logs = scratch();
    let out = Run::app(&["hello"]).home(&home).log_dir(logs.path()).run();
    out.assert_app_ran();
    out.log(logs.path()).assert_has("Profiler initialized");
}

#[test]
fn non_ascii_home_path() {
    let home = Home::named("ホーム é ✓");
    let logs_in_home = home_logs_dir(&home.path);
    let out = Run::app(&["hello"])
        .home(&home)
        .env("NEW_RELIC_LOG_LEVEL", "debug")
        .run();
    out.assert_app_ran();
    let log = out.log(&logs_in_home);
    log.assert_has("Profiler initialized");
    log.assert_has(&format!(
        "Found newrelic.config at: {}",
        target_path(&home.path.join("newrelic.config"))
    ));
}

#[test]
fn config_with_a_utf8_bom_is_read() {
    let home = Home::new();
    let mut bytes = vec![0xEF, 0xBB, 0xBF];
    bytes.extend_from_slice(
        DEFAULT_CONFIG
            .replace("level=\"info\"", "level=\"debug\"")
            .as_bytes(),
    );
    home.write_config_bytes(&bytes);
    let logs = scratch();
    let out = Run::app(&["hello"]).home(&home).log_dir(logs.path()).run();
    out.assert_app_ran();
    let log = out.log(logs.path());
    log.assert_has("<-- New logging level set: Debug")
        .assert_has("Profiler initialized");
    log.assert_has_prefix("Searching for New Relic Agent DLL at: ");
}

#[test]
fn local_config_in_the_working_directory_replaces_the_global_log_settings() {
    let home = Home::new();
    let cwd = scratch();
    std::fs::write(
        cwd.path().join("newrelic.config"),
        DEFAULT_CONFIG.replace("level=\"info\"", "level=\"debug\""),
    )
    .unwrap();
    let logs = scratch();
    let out = Run::app(&["hello"])
        .home(&home)
        .log_dir(logs.path())
        .cwd(cwd.path())
        .run();
    out.assert_app_ran();
    out.log(logs.path())
        .assert_has("<-- New logging level set: Debug")
        .assert_has("Found newrelic.config at: ./newrelic.config");
}
