//! Missing or broken pieces make the profiler detach cleanly with the
//! reference log lines; the application always runs (reference-profiler §2).

use crate::support::*;

const DETACH: &str =
    "An exception was thrown while initializing the profiler. The profiler will be detached now.";

#[test]
fn missing_home_detaches() {
    let logs = scratch();
    let out = Run::app(&["hello"]).log_dir(logs.path()).run();
    out.assert_app_ran();
    out.log(logs.path())
        .assert_has("Unable to find New Relic Home directory in registry or environment.")
        .assert_has(DETACH)
        .assert_lacks("Profiler initialized");
}

#[test]
fn missing_global_config_detaches() {
    let home = Home::new();
    home.remove_config();
    let logs = scratch();
    let out = Run::app(&["hello"]).home(&home).log_dir(logs.path()).run();
    out.assert_app_ran();
    out.log(logs.path())
        .assert_has(&format!(
            "The global newrelic.config file was not found at: {}",
            home.path.display()
        ))
        .assert_has(DETACH)
        .assert_lacks("Profiler initialized");
}

#[test]
fn malformed_global_config_detaches() {
    let home = Home::new();
    home.write_config("<configuration><log level=\"info\"></configuration");
    let logs = scratch();
    let out = Run::app(&["hello"]).home(&home).log_dir(logs.path()).run();
    out.assert_app_ran();
    out.log(logs.path())
        .assert_has_prefix("Exception thrown while attempting to parse main newrelic.config file: ")
        .assert_has(DETACH)
        .assert_lacks("Profiler initialized");
}

#[test]
fn config_without_configuration_node_detaches() {
    let home = Home::new();
    home.write_config("<?xml version=\"1.0\"?><foo/>");
    let logs = scratch();
    let out = Run::app(&["hello"]).home(&home).log_dir(logs.path()).run();
    out.assert_app_ran();
    out.log(logs.path())
        .assert_has("Unable to locate configuration node in the global newrelic.config file.")
        .assert_has(DETACH);
}

#[test]
fn missing_agent_dll_detaches() {
    let home = Home::new();
    home.remove_agent();
    let logs = scratch();
    let out = Run::app(&["hello"]).home(&home).log_dir(logs.path()).run();
    out.assert_app_ran();
    out.log(logs.path())
        .assert_has("Unable to find CORECLR_NEW_RELIC_HOME or NEW_RELIC_INSTALL_PATH environment variables.  Aborting instrumentation.")
        .assert_has("The New Relic Agent DLL is missing.")
        .assert_lacks("Profiler initialized");
}

#[test]
fn legacy_home_variable_is_used() {
    let home = Home::new();
    let logs = scratch();
    let out = Run::app(&["hello"])
        .env("CORECLR_NEWRELIC_HOME", &home.path)
        .log_dir(logs.path())
        .run();
    out.assert_app_ran();
    out.log(logs.path()).assert_has("Profiler initialized");
}

#[test]
fn framework_home_variable_is_not_read_on_coreclr() {
    let home = Home::new();
    let logs = scratch();
    let out = Run::app(&["hello"])
        .env("NEW_RELIC_HOME", &home.path)
        .log_dir(logs.path())
        .run();
    out.assert_app_ran();
    out.log(logs.path())
        .assert_has("Unable to find New Relic Home directory in registry or environment.")
        .assert_lacks("Profiler initialized");
}
