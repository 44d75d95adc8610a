//! Windows-only behaviours, run for real under Wine on the win-x64 target
//! (issue 17 item 4): `build_targets/runtime-check --targets win-x64` runs
//! them with `--include-ignored`; a plain `cargo test` (Linux) cannot, so
//! they are ignored there with that reason. The rest of the Windows picture
//! is in the shared tests, which runtime-check runs under Wine too: the
//! default log folders (`log_location::standard_directory_when_nothing_else_is_set`,
//! `…::home_logs_directory_is_created`), an excluded Windows process name
//! (`process_filter::*`, `ProfilerTestApp.exe`), the Framework GUID
//! accepted by CoreCLR (`attach::attaches_with_the_framework_guid_and_still_reports_coreclr`).

use crate::demo::{masked, EXPECTED};
use crate::support::*;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const WHY: &str = "Windows only: build_targets/runtime-check --targets win-x64 runs it under Wine";
const UNLOADING: &str = "This process should not be instrumented, unloading profiler.";
const REGISTRY_KEY: &str = r"HKLM\Software\New Relic\.NET Agent";

fn require_windows() {
    assert!(
        target().is_windows(),
        "{WHY} (NR_RUNTIME_TARGET is {:?})",
        target().rid()
    );
}

/// A home with the demo's extension file and a debug log level.
fn demo_home() -> Home {
    let home = Home::new();
    home.write_config(&DEFAULT_CONFIG.replace("level=\"info\"", "level=\"debug\""));
    home.add_extension(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/apps/DemoApp/Demo.Instrumentation.xml"),
        None,
    );
    home
}

fn demo_dll() -> &'static PathBuf {
    static DLL: OnceLock<PathBuf> = OnceLock::new();
    DLL.get_or_init(|| build_app("DemoApp", "DemoApp"))
}

/// The demo's log in `dir` (its pid is in its first line).
fn demo_log(out: &Outcome, dir: &Path) -> Log {
    let pid = out
        .stdout
        .split("(pid ")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .unwrap_or_else(|| panic!("no pid in {}", out.stdout));
    let path = dir.join(format!("NewRelic.Profiler.{pid}.log"));
    Log {
        text: read_text(&path).unwrap_or_else(|e| {
            panic!(
                "{}: {e}\nstdout:\n{}\nstderr:\n{}",
                path.display(),
                out.stdout,
                out.stderr
            )
        }),
    }
}

/// No home variable: `newrelic.config` and `extensions\` come from the home
/// in `HKLM\Software\New Relic\.NET Agent` value `NewRelicHome` (written
/// with `wine reg add`), the agent DLL from `NEW_RELIC_INSTALL_PATH` as the
/// Windows installer sets it; the agent stand-in sees the demo's calls.
/// The registry is not a home for the agent DLL (reference-profiler §2.2,
/// §2.4, §9): without the install path the profiler finds the
/// configuration and then aborts with the reference Error.
#[test]
#[ignore = "Windows only: build_targets/runtime-check --targets win-x64 runs it under Wine"]
fn the_registry_home_is_used_when_no_home_variable_is_set() {
    require_windows();
    let _registry = WINE_REGISTRY.lock();
    let home = demo_home();
    let value = target_path(&home.path);
    wine_reg(&[
        "add",
        REGISTRY_KEY,
        "/v",
        "NewRelicHome",
        "/t",
        "REG_SZ",
        "/d",
        &value,
        "/f",
    ]);
    let with_install_path = scratch();
    let agent_log = with_install_path.path().join("agent.log");
    let installed = Run::managed(demo_dll(), &[])
        .env("NEW_RELIC_INSTALL_PATH", &home.path)
        .log_dir(with_install_path.path())
        .env("NEWRELIC_TEST_AGENT_LOG", &agent_log)
        .run();
    let registry_only = scratch();
    let bare = Run::managed(demo_dll(), &[])
        .log_dir(registry_only.path())
        .run();
    wine_reg(&["delete", REGISTRY_KEY, "/v", "NewRelicHome", "/f"]);

    installed.assert_success();
    demo_log(&installed, with_install_path.path())
        .assert_has(&format!(
            "Found newrelic.config at: {}",
            target_path(&home.path.join("newrelic.config"))
        ))
        .assert_has("Identified 2 Instrumentation points (not ignored) in .xml files")
        .assert_has("Profiler initialized");
    assert_eq!(masked(&agent_log), EXPECTED);

    bare.assert_success();
    demo_log(&bare, registry_only.path())
        .assert_has(&format!(
            "Found newrelic.config at: {}",
            target_path(&home.path.join("newrelic.config"))
        ))
        .assert_has("Unable to find CORECLR_NEW_RELIC_HOME or NEW_RELIC_INSTALL_PATH environment variables.  Aborting instrumentation.")
        .assert_lacks("Profiler initialized");
}

/// The Windows installer's layout: `CORECLR_PROFILER_PATH_64` (no plain
/// `CORECLR_PROFILER_PATH`), the agent in `<home>\netcore\`, and with no log
/// variable the log in `<home>\Logs\`.
#[test]
#[ignore = "Windows only: build_targets/runtime-check --targets win-x64 runs it under Wine"]
fn the_windows_installer_layout_attaches() {
    require_windows();
    let home = demo_home();
    home.move_agent_to_netcore();
    let scratch = scratch();
    let agent_log = scratch.path().join("agent.log");
    let out = Run::managed(demo_dll(), &[])
        .unset("CORECLR_PROFILER_PATH")
        .env("CORECLR_PROFILER_PATH_64", &fixtures().profiler)
        .home(&home)
        .env("NEWRELIC_TEST_AGENT_LOG", &agent_log)
        .run();
    out.assert_success();
    demo_log(&out, &home.path.join("Logs"))
        .assert_has(&format!(
            "Searching for New Relic Agent DLL at: {}",
            target_path(&home.path.join("netcore/NewRelic.Agent.Core.dll"))
        ))
        .assert_has("Profiler initialized");
    assert_eq!(masked(&agent_log), EXPECTED);
}

/// `ProfilerTestApp.exe` copied as `w3wp.exe` beside itself.
fn w3wp() -> &'static PathBuf {
    static W3WP: OnceLock<PathBuf> = OnceLock::new();
    W3WP.get_or_init(|| {
        let app = &fixtures().app_dll;
        let w3wp = app.with_file_name("w3wp.exe");
        std::fs::copy(apphost(app), &w3wp).expect("copy the apphost as w3wp.exe");
        // Run::managed takes the main assembly and finds the apphost beside it.
        w3wp.with_extension("dll")
    })
}

const POOLS: &str = r#"<applicationPools><defaultBehavior instrument="false" /><applicationPool name="Allowed" instrument="true" /><applicationPool name="Denied" instrument="false" /></applicationPools>"#;

/// One `w3wp.exe` run with the pool rules above; returns its log.
fn w3wp_run(pool_argument: Option<&str>, pool_variable: Option<&str>) -> (Outcome, Log) {
    let home = Home::new();
    home.write_config(&DEFAULT_CONFIG.replace(
        "<log level=\"info\" />",
        &format!("<log level=\"info\" />{POOLS}"),
    ));
    let logs = scratch();
    let mut args = vec!["hello"];
    if let Some(pool) = pool_argument {
        args.extend(["-ap", pool]);
    }
    let mut run = Run::managed(w3wp(), &args).home(&home).log_dir(logs.path());
    if let Some(pool) = pool_variable {
        run = run.env("APP_POOL_ID", pool);
    }
    let out = run.run();
    out.assert_app_ran();
    let log = out.log(logs.path());
    assert!(
        log.messages()
            .iter()
            .any(|m| m.starts_with("Process ") && m.ends_with("W3WP.EXE is IIS.")),
        "{}",
        log.text
    );
    (out, log)
}

/// A CoreCLR process named `w3wp.exe` takes the application-pool rule
/// (reference-profiler §2.5 step 5): the pool from `-ap` on the command
/// line or from `APP_POOL_ID`; allow list, deny list, Azure `~` pools, the
/// default.
#[test]
#[ignore = "Windows only: build_targets/runtime-check --targets win-x64 runs it under Wine"]
fn w3wp_follows_the_application_pool_rules() {
    require_windows();
    let (_, log) = w3wp_run(Some("Allowed"), None);
    log.assert_has("This application pool (Allowed) is explicitly configured to be instrumented.")
        .assert_has("Profiler initialized");

    let (_, log) = w3wp_run(None, Some("Denied"));
    log.assert_has(
        "This application pool (Denied) is explicitly configured to NOT be instrumented.",
    )
    .assert_has(UNLOADING);

    let (_, log) = w3wp_run(None, Some("~1MySite"));
    log.assert_has("This application pool (~1MySite) has been identified as an Azure WebSites built-in background application and will be ignored.")
        .assert_has(UNLOADING);

    let (_, log) = w3wp_run(Some("Other"), None);
    log.assert_has("This application pool (Other) is not explicitly configured to be instrumented or not but application pools are set to be disabled by default.")
        .assert_has(UNLOADING);
}

/// `NEW_RELIC_EXCLUDED_APPLICATION_NAMES` with the Windows file name
/// (`w3wp.exe`, as the agent's docs write it) beats the pool rules.
#[test]
#[ignore = "Windows only: build_targets/runtime-check --targets win-x64 runs it under Wine"]
fn an_excluded_windows_process_name_detaches_before_the_pool_rules() {
    require_windows();
    let home = Home::new();
    let logs = scratch();
    let out = Run::managed(w3wp(), &["hello", "-ap", "Allowed"])
        .home(&home)
        .log_dir(logs.path())
        .env("NEW_RELIC_EXCLUDED_APPLICATION_NAMES", "other.exe,w3wp.exe")
        .run();
    out.assert_app_ran();
    let log = out.log(logs.path());
    log.assert_has(UNLOADING)
        .assert_lacks("Profiler initialized")
        .assert_excluded_by_configuration();
}
