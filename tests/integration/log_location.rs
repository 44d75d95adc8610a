//! Which directory gets `NewRelic.Profiler.<pid>.log` (reference-profiler §3.1–3.2).

use crate::support::*;

#[test]
fn profiler_log_directory_beats_general_directory_and_home() {
    let home = Home::new();
    let (profiler_dir, general_dir) = (scratch(), scratch());
    let out = Run::app(&["hello"])
        .home(&home)
        .env("NEW_RELIC_PROFILER_LOG_DIRECTORY", profiler_dir.path())
        .env("NEW_RELIC_LOG_DIRECTORY", general_dir.path())
        .run();
    out.assert_app_ran();
    out.log(profiler_dir.path())
        .assert_has("Profiler initialized");
    assert!(log_files(general_dir.path()).is_empty());
    assert!(!home_logs_dir(&home.path).exists());
}

#[test]
fn legacy_profiler_log_directory_name() {
    let home = Home::new();
    let (profiler_dir, general_dir) = (scratch(), scratch());
    let out = Run::app(&["hello"])
        .home(&home)
        .env("NEWRELIC_PROFILER_LOG_DIRECTORY", profiler_dir.path())
        .env("NEW_RELIC_LOG_DIRECTORY", general_dir.path())
        .run();
    out.assert_app_ran();
    out.log(profiler_dir.path())
        .assert_has("Profiler initialized");
}

#[test]
fn general_log_directory_beats_home() {
    let home = Home::new();
    let general_dir = scratch();
    let out = Run::app(&["hello"])
        .home(&home)
        .env("NEW_RELIC_LOG_DIRECTORY", general_dir.path())
        .run();
    out.assert_app_ran();
    out.log(general_dir.path())
        .assert_has("Profiler initialized");
    assert!(!home_logs_dir(&home.path).exists());

    let legacy = scratch();
    let out = Run::app(&["hello"])
        .home(&home)
        .env("NEWRELIC_LOG_DIRECTORY", legacy.path())
        .run();
    out.assert_app_ran();
    out.log(legacy.path()).assert_has("Profiler initialized");
}

#[test]
fn home_logs_directory_is_created() {
    let home = Home::new();
    let out = Run::app(&["hello"]).home(&home).run();
    out.assert_app_ran();
    out.log(&home_logs_dir(&home.path))
        .assert_has("Profiler initialized");
}

#[test]
fn nested_missing_directories_are_created() {
    let home = Home::new();
    let base = scratch();
    let deep = base.path().join("a/b/c");
    let out = Run::app(&["hello"]).home(&home).log_dir(&deep).run();
    out.assert_app_ran();
    out.log(&deep).assert_has("Profiler initialized");
}

#[test]
fn trailing_separator_gives_a_doubled_separator_that_still_resolves() {
    let home = Home::new();
    let logs = scratch();
    let with_slash = format!("{}/", logs.path().display());
    let out = Run::app(&["hello"])
        .home(&home)
        .env("NEW_RELIC_PROFILER_LOG_DIRECTORY", &with_slash)
        .run();
    out.assert_app_ran();
    out.log(logs.path()).assert_has("Profiler initialized");
}

#[test]
fn azure_app_service_home_logfiles() {
    let home = Home::new();
    let azure_home = scratch();
    let run = Run::app(&["hello"])
        .home(&home)
        .env("HOME_EXPANDED", r"C:\DWASFiles\Sites\MySite");
    let out = if target().is_windows() {
        // Wine keeps the Unix HOME out of a Windows process's environment;
        // its registry environment is how a Windows process gets one.
        let _registry = WINE_REGISTRY.lock();
        let value = target_path(azure_home.path());
        let key = r"HKCU\Environment";
        wine_reg(&["add", key, "/v", "HOME", "/t", "REG_SZ", "/d", &value, "/f"]);
        let out = run.run();
        wine_reg(&["delete", key, "/v", "HOME", "/f"]);
        out
    } else {
        run.env("HOME", azure_home.path()).run()
    };
    out.assert_app_ran();
    out.log(&azure_home.path().join("LogFiles/NewRelic"))
        .assert_has("Profiler initialized");
}

#[test]
fn standard_directory_when_nothing_else_is_set() {
    // No log variable and no home: `/New Relic/.NET Agent/Logs` on Linux
    // (common app data is empty, §3.2), `C:\ProgramData\New Relic\.NET
    // Agent\Logs` on Windows (Wine's common app data, in its prefix).
    // Without a home the profiler detaches, but it logs why first.
    let _registry = WINE_REGISTRY.lock();
    let standard = standard_log_dir();
    let standard = standard.as_path();
    let out = Run::app(&["hello"]).run();
    out.assert_app_ran();
    let path = out.log_path(standard);
    let writable = std::fs::create_dir_all(standard).is_ok()
        && std::fs::metadata(standard).is_ok_and(|m| !m.permissions().readonly());
    if path.exists() {
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.contains("Unable to find New Relic Home directory in registry or environment."),
            "{text}"
        );
        std::fs::remove_file(&path).unwrap();
    } else {
        assert!(
            !writable,
            "{} was writable but no log was written",
            standard.display()
        );
    }
}

/// The folder of §3.2's last rule on the target, as seen from here.
fn standard_log_dir() -> std::path::PathBuf {
    if !target().is_windows() {
        return "/New Relic/.NET Agent/Logs".into();
    }
    let prefix = std::env::var_os("WINEPREFIX")
        .map(std::path::PathBuf::from)
        .expect("the Windows targets run under Wine with WINEPREFIX set");
    prefix.join("drive_c/ProgramData/New Relic/.NET Agent/Logs")
}
