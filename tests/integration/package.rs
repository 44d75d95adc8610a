//! The linux-x64 tarball from `build_targets/package` unpacks into a working
//! agent home (issue 6): the real runtime loads the *packaged* library
//! through the package's own `run.sh` / `setenv.sh`, the profiler reads the
//! packaged `newrelic.config` and the 29 shipped extension files (373
//! points), and the injected calls reach the agent.
//!
//! Uses the package from `build_targets/build-all --targets linux-x64
//! --package` (glibc-2.17 floor) when it was built — `.ci/run` builds it and
//! requires it through `NR_REQUIRE_PLATFORMS`. Otherwise the tests package
//! the library this test run built with the same `build_targets/package`
//! script, so they always run.

use crate::agent_record::AgentLog;
use crate::support::*;
use std::path::{Path, PathBuf};
use std::process::Command;

fn manifest() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The platform whose package the tests unpack: linux-x64, or
/// linux-musl-x64 when the tests run on that target.
fn package_platform() -> &'static str {
    match target() {
        Target::Native => "linux-x64",
        Target::LinuxMuslX64 => "linux-musl-x64",
        other => panic!("the package tests run natively or on linux-musl-x64, not {other:?}"),
    }
}

/// The linux-x64 (or linux-musl-x64) package unpacked into `dir`.
fn unpacked_home(dir: &Path) -> PathBuf {
    let platform = package_platform();
    let out = std::env::var_os("NR_PLATFORMS_OUT")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest().join("target/platforms"));
    let cargo = std::fs::read_to_string(manifest().join("Cargo.toml")).unwrap();
    let version = cargo
        .lines()
        .find_map(|l| l.strip_prefix("version = \""))
        .and_then(|v| v.strip_suffix('"'))
        .unwrap();
    let mut tarball = out.join(format!(
        "packages/newrelic-profiler-{version}-{platform}.tar.gz"
    ));
    if !tarball.is_file() {
        assert!(
            platform == "linux-x64",
            "{} missing (build_targets/runtime-check packages it)",
            tarball.display()
        );
        let required = std::env::var("NR_REQUIRE_PLATFORMS").unwrap_or_default();
        assert!(
            !required.split(',').any(|p| p.trim() == "linux-x64"),
            "{} missing (NR_REQUIRE_PLATFORMS requires linux-x64; run build_targets/build-all --targets linux-x64 --package)",
            tarball.display()
        );
        tarball = package_this_build(dir, version);
    }
    let status = Command::new("tar")
        .arg("-xzf")
        .arg(&tarball)
        .arg("-C")
        .arg(dir)
        .status()
        .expect("tar");
    assert!(status.success(), "tar -xzf {}", tarball.display());
    let home = dir.join("newrelic-dotnet-agent");
    // The package carries no managed agent: add the test agent, as an
    // operator adds the real one.
    std::fs::copy(&fixtures().agent_dll, home.join("NewRelic.Agent.Core.dll")).unwrap();
    home
}

/// Packs the library this test run uses (`target/<profile>/`) with
/// `build_targets/package`, as `build-all --package` would.
fn package_this_build(dir: &Path, version: &str) -> PathBuf {
    let out = dir.join("platforms");
    std::fs::create_dir_all(out.join("linux-x64")).unwrap();
    std::fs::copy(
        profiler_library(),
        out.join("linux-x64/libNewRelicProfiler.so"),
    )
    .unwrap();
    let status = Command::new(manifest().join("build_targets/package"))
        .arg("--out")
        .arg(&out)
        .arg("linux-x64")
        .status()
        .expect("run build_targets/package");
    assert!(
        status.success(),
        "build_targets/package failed for this build's library"
    );
    out.join(format!(
        "packages/newrelic-profiler-{version}-linux-x64.tar.gz"
    ))
}

#[test]
fn packaged_home_runs_an_app_through_run_sh() {
    let unpack = scratch();
    let home = unpacked_home(unpack.path());
    let scratch = scratch();
    let agent_log = scratch.path().join("agent.log");
    let web = fixtures().web_dll.display().to_string();
    let run_sh = home.join("run.sh").display().to_string();
    // Only run.sh can point the runtime at the packaged library.
    let out = Run::command(&run_sh, &["dotnet", &web, "3"])
        .env(
            "CORECLR_PROFILER_PATH",
            "/nonexistent/libNewRelicProfiler.so",
        )
        .log_dir(scratch.path())
        .env("NEWRELIC_TEST_AGENT_LOG", &agent_log)
        .run();
    out.assert_success();
    assert!(out.stdout.contains("response 2: "), "{}", out.stdout);
    let log = out.log(scratch.path());
    log.assert_has("Profiler initialized")
        .assert_has(&format!(
            "Found newrelic.config at: {}/newrelic.config",
            home.display()
        ))
        .assert_has(&format!(
            "Loading instrumentation from {}/extensions",
            home.display()
        ))
        .assert_has("Identified 373 Instrumentation points (not ignored) in .xml files");
    let agent = AgentLog::read(&agent_log);
    let sends = agent.calls_to("System.Net.Http.SocketsHttpHandler", "SendAsync");
    assert_eq!(sends.len(), 3, "one SendAsync per request");
}

#[test]
fn packaged_setenv_sh_attaches_from_a_posix_shell() {
    let unpack = scratch();
    let home = unpacked_home(unpack.path());
    let logs = scratch();
    let app = fixtures().app_dll.display().to_string();
    // Sourced by plain `sh` (no BASH_SOURCE): the home is the current folder.
    let out = Run::command(
        "sh",
        &["-c", ". ./setenv.sh && exec dotnet \"$0\" hello", &app],
    )
    .env(
        "CORECLR_PROFILER_PATH",
        "/nonexistent/libNewRelicProfiler.so",
    )
    .cwd(&home)
    .log_dir(logs.path())
    .run();
    out.assert_app_ran();
    out.log(logs.path())
        .assert_has("Profiler initialized")
        .assert_has(&format!(
            "Loading instrumentation from {}/extensions",
            home.display()
        ))
        .assert_has("Identified 373 Instrumentation points (not ignored) in .xml files");
}

/// The 14 thread-profiler checks of `ThreadProfileApp` (the original's eight
/// interop tests and six of ours), the app started from a shell that sourced
/// the package's `setenv.sh` — nothing else sets the profiler up. On musl
/// this is what makes the agent's `DllImport("NewRelicProfiler")` reach the
/// loaded profiler at all: musl's `dlopen` does not match a loaded library
/// by `DT_SONAME`, so `setenv.sh` puts the profiler's folder on
/// `LD_LIBRARY_PATH` (docs/install.md). Without it the same app cannot bind
/// a single export there — asserted too, so the fix stays needed and proven.
#[test]
fn packaged_setenv_sh_gives_the_agent_its_thread_profiler() {
    // The 8 interop checks and these 6: the 14 of the package's promise.
    const MORE_CHECKS: [&str; 6] = [
        "parked_threads_named",
        "argument_and_state_errors",
        "deep_stack_is_capped",
        "shutdown_aborts_a_waiting_request",
        "shutdown_forgets_names_and_restarts",
        "dynamic_method_frame",
    ];
    let unpack = scratch();
    let home = unpacked_home(unpack.path());
    let app = build_app("ThreadProfileApp", "ThreadProfileApp");
    // natively `dotnet App.dll`; on musl the apphost, with the borrowed C++
    // runtime (build_targets/runtime-check) as the only library path.
    let (exec, inherited_path) = match target() {
        Target::Native => (format!("dotnet '{}'", app.display()), String::new()),
        _ => (
            format!("'{}'", apphost(&app).display()),
            std::env::var("NR_MUSL_COMPAT_DIR")
                .expect("NR_MUSL_COMPAT_DIR (runtime-check sets it)"),
        ),
    };
    let modes = "interop-parked parked errors deep abort shutdown dynamic";
    let logs = scratch();
    let out = Run::command(
        "sh",
        &["-c", &format!(". ./setenv.sh && exec {exec} {modes}")],
    )
    .env("LD_LIBRARY_PATH", &inherited_path)
    .cwd(&home)
    .log_dir(logs.path())
    .run();
    let shown = format!("stdout:\n{}\nstderr:\n{}", out.stdout, out.stderr);
    for check in crate::thread_profiler::INTEROP_CHECKS
        .iter()
        .chain(&MORE_CHECKS)
    {
        assert!(
            out.stdout.lines().any(|l| l == format!("PASS {check}")),
            "{check} did not pass\n{shown}"
        );
    }
    assert!(!out.stdout.contains("FAIL "), "{shown}");
    out.assert_success();
    out.log(logs.path())
        .assert_has("Profiler initialized")
        .assert_has(&format!(
            "Loading instrumentation from {}/extensions",
            home.display()
        ));

    if target() == Target::LinuxMuslX64 {
        // The same variables by hand, without the library path: musl cannot
        // bind the agent's import to the loaded profiler.
        let profiler = home.join("libNewRelicProfiler.so");
        let logs = scratch();
        let out = Run::command("sh", &["-c", &format!("exec {exec} errors")])
            .env("LD_LIBRARY_PATH", &inherited_path)
            .env("CORECLR_PROFILER_PATH", &profiler)
            .home_path(&home)
            .log_dir(logs.path())
            .run();
        assert!(
            out.stdout.contains("FAIL argument_and_state_errors")
                && out.stdout.contains("NewRelicProfiler"),
            "without setenv.sh the import was expected to fail on musl:\n{}\n{}",
            out.stdout,
            out.stderr
        );
        out.log(logs.path()).assert_has("Profiler initialized");
    }
}
