//! Issue 9 item 5: the pure-Rust parts under a leak checker. The library's
//! own unit tests (configuration and extension XML parsing, the IL engine,
//! logging, the thread-profiler cache, the COM and FFI layers against
//! mocks — every `cargo test --lib` test) run under valgrind's memcheck;
//! any definite or indirect leak, and any memory error (invalid read or
//! write, use of uninitialised memory, bad free), fails the test.
//!
//! "Possibly lost" blocks are reported, not failed: they are the
//! process-lifetime statics (`OnceLock` caches, the global logger) and the
//! harness's worker threads still alive when the process exits, whose only
//! pointers point into the middle of their blocks.
//!
//! The unit tests link the library's code but never load the built
//! library. So the same check then runs on the library under test itself —
//! `NR_PROFILER_LIBRARY` when set (a packaged artifact, or the original
//! C++ library), else the freshly built `cdylib` — loaded by the platform
//! smoke host (`build_targets/smoke/host.c`), which drives its COM entry
//! points and every agent export the way the runtime and the agent do
//! before initialisation. Against the original this fails: its
//! `DllGetClassObject` keeps a class-factory reference nobody releases
//! (compatibility P2), a definite leak.

use super::record::Record;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;
use wait_timeout::ChildExt;

const VALGRIND_TIMEOUT: Duration = Duration::from_secs(900);

/// Builds the library's unit-test executable (same profile and target
/// directory as this test binary) and returns its path.
fn unit_test_executable() -> PathBuf {
    let profile_dir = crate::support::target_profile_dir();
    let target_dir = profile_dir.parent().expect("target directory");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .args([
            "test",
            "--lib",
            "--no-run",
            "--message-format=json",
            "--manifest-path",
        ])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"))
        .arg("--target-dir")
        .arg(target_dir)
        .stderr(Stdio::inherit());
    if profile_dir.file_name().and_then(|n| n.to_str()) == Some("release") {
        command.arg("--release");
    }
    let output = command.output().expect("run cargo test --no-run");
    assert!(output.status.success(), "building the unit tests failed");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|message| {
            message["reason"] == "compiler-artifact"
                && message["target"]["name"] == "NewRelicProfiler"
                && message["profile"]["test"] == true
        })
        .find_map(|message| message["executable"].as_str().map(PathBuf::from))
        .expect("cargo reported no unit-test executable")
}

/// `==pid==    definitely lost: 1,234 bytes in 5 blocks` → 1234.
fn summary_bytes(report: &str, kind: &str) -> u64 {
    report
        .lines()
        .find_map(|line| {
            let rest = line.split_once(&format!("{kind}: "))?.1;
            rest.split_whitespace()
                .next()?
                .replace(',', "")
                .parse()
                .ok()
        })
        .unwrap_or_else(|| panic!("no '{kind}' in the valgrind report:\n{report}"))
}

#[test]
fn unit_tests_under_valgrind_leak_nothing_and_touch_no_invalid_memory() {
    let mut rec = Record::new(
        "leaks",
        "unit_tests_under_valgrind_leak_nothing_and_touch_no_invalid_memory",
        "Every library unit test (cargo test --lib: configuration, extension XML, IL engine, logging, thread-profiler cache, COM/FFI layers against mocks) under valgrind memcheck --leak-check=full; then the library under test (NR_PROFILER_LIBRARY or the built cdylib) loaded by the smoke host (build_targets/smoke/host.c), its COM entry points and agent exports called, under memcheck",
    );
    let version = Command::new("valgrind").arg("--version").output();
    let version = match version {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout).trim().to_string(),
        _ => panic!(
            "this test needs valgrind on PATH (apt-get install valgrind); it is never skipped"
        ),
    };
    rec.set("checker", version.as_str());
    let executable = unit_test_executable();
    let log = tempfile::NamedTempFile::new().expect("temp file");
    let mut child = Command::new("valgrind")
        .args([
            "--leak-check=full",
            "--errors-for-leak-kinds=definite,indirect",
            "--error-exitcode=99",
        ])
        .arg(format!("--log-file={}", log.path().display()))
        .arg(&executable)
        .args(["--test-threads=4", "-q"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("run valgrind");
    let mut stdout = child.stdout.take().expect("stdout");
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut stdout, &mut text);
        text
    });
    let status = match child.wait_timeout(VALGRIND_TIMEOUT).expect("wait") {
        Some(status) => status,
        None => {
            let _ = child.kill();
            panic!("valgrind did not finish within {VALGRIND_TIMEOUT:?}");
        }
    };
    let tests = reader.join().expect("reader");
    let report = std::fs::read_to_string(log.path()).expect("valgrind log");
    let passed = tests
        .lines()
        .find_map(|l| l.strip_prefix("test result: ok. "))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse::<u64>().ok());
    let errors = report
        .lines()
        .find_map(|l| {
            l.split_once("ERROR SUMMARY: ")?
                .1
                .split_whitespace()
                .next()?
                .parse::<u64>()
                .ok()
        })
        .unwrap_or_else(|| panic!("no ERROR SUMMARY in the valgrind report:\n{report}"));
    let definite = summary_bytes(&report, "definitely lost");
    let indirect = summary_bytes(&report, "indirectly lost");
    let possible = summary_bytes(&report, "possibly lost");
    let reachable = summary_bytes(&report, "still reachable");
    rec.set("unit_tests_passed", passed)
        .set("definitely_lost_bytes", definite)
        .set("indirectly_lost_bytes", indirect)
        .set("possibly_lost_bytes", possible)
        .set("still_reachable_bytes", reachable)
        .set("memcheck_errors", errors);
    eprintln!(
        "{passed:?} unit tests; definitely lost {definite}, indirectly lost {indirect}, possibly lost {possible}, still reachable {reachable} bytes; {errors} errors"
    );
    assert!(
        status.success() && passed.is_some(),
        "the unit tests failed under valgrind ({status:?}):\n{tests}\n{report}"
    );
    assert_eq!((definite, indirect, errors), (0, 0, 0), "{report}");
    let library = library_under_memcheck(&mut rec);
    rec.outcome(format!(
        "{} unit tests passed under memcheck: 0 bytes definitely or indirectly lost, 0 memory errors ({possible} bytes possibly lost: process-lifetime statics and harness threads); the library under test ({library}) loaded and driven by the smoke host: 0 bytes lost, 0 errors",
        passed.unwrap_or(0)
    ));
}

/// Builds the smoke host with the system C compiler, runs it under
/// memcheck on the library under test, and fails on any error or definite
/// or indirect leak. Returns the library's file name for the record.
fn library_under_memcheck(rec: &mut Record) -> String {
    let library = crate::support::profiler_library();
    let scratch = tempfile::Builder::new()
        .prefix("nrvalgrind-")
        .tempdir()
        .expect("temp dir");
    let host = scratch.path().join("smoke-host");
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("build_targets/smoke/host.c");
    let compiler = std::env::var_os("CC").unwrap_or_else(|| "cc".into());
    let built = Command::new(&compiler)
        .args(["-std=c99", "-O1", "-g", "-o"])
        .arg(&host)
        .arg(&source)
        .arg("-ldl")
        .output()
        .unwrap_or_else(|e| panic!("this test needs a C compiler ({compiler:?}): {e}"));
    assert!(
        built.status.success(),
        "building the smoke host failed:\n{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let logs = scratch.path().join("logs");
    std::fs::create_dir_all(&logs).expect("log directory");
    let report = scratch.path().join("memcheck.log");
    let out = Command::new("valgrind")
        .args([
            "--leak-check=full",
            "--errors-for-leak-kinds=definite,indirect",
            "--error-exitcode=99",
        ])
        .arg(format!("--log-file={}", report.display()))
        .arg(&host)
        .arg(library)
        .env("NEW_RELIC_PROFILER_LOG_DIRECTORY", &logs)
        .output()
        .expect("run valgrind on the smoke host");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let report = std::fs::read_to_string(&report).expect("valgrind log");
    let definite = summary_bytes_or_zero(&report, "definitely lost");
    let indirect = summary_bytes_or_zero(&report, "indirectly lost");
    let name = library
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    rec.set("library", name.as_str())
        .set("library_definitely_lost_bytes", definite)
        .set("library_indirectly_lost_bytes", indirect);
    eprintln!(
        "{}: smoke host under memcheck exited {:?}; definitely lost {definite}, indirectly lost {indirect} bytes",
        library.display(),
        out.status.code()
    );
    assert!(
        out.status.success() && stdout.contains("smoke: OK"),
        "the library under test failed under memcheck ({:?}): {}\n{stdout}\n{report}",
        out.status,
        library.display()
    );
    assert_eq!((definite, indirect), (0, 0), "{report}");
    name
}

/// Like [`summary_bytes`], but a report without a leak summary (nothing
/// was allocated at exit) counts as zero.
fn summary_bytes_or_zero(report: &str, kind: &str) -> u64 {
    if report.contains(&format!("{kind}: ")) {
        summary_bytes(report, kind)
    } else {
        0
    }
}
