//! Whether a process is instrumented at all (reference-profiler §2.5).

use crate::support::*;

/// The app's process name in alternating case: the match ignores case.
fn mixed_case_app_name() -> String {
    process_name(&fixtures().app_dll)
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if i % 2 == 0 {
                c.to_ascii_uppercase()
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect()
}

const UNLOADING: &str = "This process should not be instrumented, unloading profiler.";

#[test]
fn excluded_process_name_from_the_environment() {
    let home = Home::new();
    let logs = scratch();
    let out = Run::app(&["hello"])
        .home(&home)
        .log_dir(logs.path())
        .env(
            "NEW_RELIC_EXCLUDED_APPLICATION_NAMES",
            format!("other.exe,{}", mixed_case_app_name()),
        )
        .run();
    out.assert_app_ran();
    let log = out.log(logs.path());
    log.assert_has(UNLOADING)
        .assert_lacks("Profiler initialized")
        .assert_excluded_by_configuration();
}

#[test]
fn excluded_process_name_from_the_config() {
    let home = Home::new();
    home.write_config(&DEFAULT_CONFIG.replace(
        "<log level=\"info\" />",
        &format!(
            "<log level=\"info\" /><instrumentation><applications><application name=\"{}\" include=\"false\" /></applications></instrumentation>",
            process_name(&fixtures().app_dll)
        ),
    ));
    let logs = scratch();
    let out = Run::app(&["hello"]).home(&home).log_dir(logs.path()).run();
    out.assert_app_ran();
    out.log(logs.path())
        .assert_has(UNLOADING)
        .assert_lacks("Profiler initialized");
}

#[test]
fn apphost_basename_can_be_excluded() {
    let f = fixtures();
    let home = Home::new();
    let logs = scratch();
    // Natively the framework-dependent apphost; on another target every run is one.
    let (run, name) = if target() == Target::Native {
        let apphost = f.app_dll.with_extension("");
        let run = Run::command(apphost.to_str().unwrap(), &["hello"]);
        (run, "ProfilerTestApp".to_string())
    } else {
        (Run::app(&["hello"]), process_name(&f.app_dll))
    };
    let out = run
        .home(&home)
        .log_dir(logs.path())
        .env("NEW_RELIC_EXCLUDED_APPLICATION_NAMES", name)
        .run();
    out.assert_app_ran();
    out.log(logs.path()).assert_has(UNLOADING);
}

#[test]
fn force_profiling_by_mere_existence_overrides_exclusion() {
    let home = Home::new();
    let logs = scratch();
    let out = Run::app(&["hello"])
        .home(&home)
        .log_dir(logs.path())
        .env(
            "NEW_RELIC_EXCLUDED_APPLICATION_NAMES",
            process_name(&fixtures().app_dll),
        )
        .env("NEW_RELIC_FORCE_PROFILING", "0")
        .run();
    out.assert_app_ran();
    out.log(logs.path())
        .assert_lacks(UNLOADING)
        .assert_has("Profiler initialized");
}

#[test]
fn dotnet_run_is_refused_while_the_app_it_starts_attaches() {
    let f = fixtures();
    let home = Home::new();
    let logs = scratch();
    let project = f.app_project.display().to_string();
    let artifacts = f.artifacts.display().to_string();
    let out = Run::command(
        "dotnet",
        &[
            "run",
            "--no-build",
            "-c",
            "Release",
            "--artifacts-path",
            &artifacts,
            "--project",
            &project,
            "--",
            "hello",
        ],
    )
    .home(&home)
    .log_dir(logs.path())
    .env("NEW_RELIC_LOG_LEVEL", "finest")
    .run();
    out.assert_app_ran();
    let child_log = out.log(logs.path());
    child_log.assert_has("Profiler initialized");
    let files = log_files(logs.path());
    let parent: Vec<String> = files
        .iter()
        .filter(|p| **p != out.log_path(logs.path()))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    assert!(
        parent.iter().any(|text| text.contains(
            "This process will not be instrumented. Command line identified as invalid invocation for instrumentation"
        ) && text.contains(UNLOADING)),
        "the `dotnet run` process must log its refusal; logs:\n{}",
        parent.join("\n----\n")
    );
}

/// An excluded process stops before the extension files are read (our
/// order, compatibility P3): no count line, no warning for a broken file;
/// the same home in a process that stays attached shows both.
#[test]
fn excluded_process_does_not_read_the_extension_files() {
    const COUNT_PREFIX: &str = "Identified ";
    const INVALID: &str = "Exception thrown while attempting to parse instrumentation file";
    let home = Home::new();
    home.write_extension("broken.xml", "<extension><instrumentation>");

    let excluded_logs = scratch();
    let excluded = Run::app(&["hello"])
        .home(&home)
        .log_dir(excluded_logs.path())
        .env(
            "NEW_RELIC_EXCLUDED_APPLICATION_NAMES",
            process_name(&fixtures().app_dll),
        )
        .run();
    excluded.assert_app_ran();
    let log = excluded.log(excluded_logs.path());
    log.assert_has(UNLOADING);
    assert!(
        !log.has_prefix(COUNT_PREFIX) && !log.text.contains(INVALID),
        "an excluded process read the extension files:\n{}",
        log.text
    );

    let attached_logs = scratch();
    let attached = Run::app(&["hello"])
        .home(&home)
        .log_dir(attached_logs.path())
        .run();
    attached.assert_app_ran();
    let log = attached.log(attached_logs.path());
    log.assert_has_prefix(COUNT_PREFIX)
        .assert_has("Profiler initialized");
    assert!(log.text.contains(INVALID), "{}", log.text);
}
