//! Issue 9 item 4, the file system: the log directory disappearing or
//! turning read-only under the profiler, log writes failing, and extension
//! directories full of files that are too many, too large, unreadable,
//! not files at all, symlink loops, or not named in UTF-8. Each run must
//! end with the application's output unchanged, a clear line in the
//! profiler log (where there is a log to write to) and a peak resident set
//! within [`PEAK_MARGIN_KB`] of a clean run's.

use super::app::*;
use super::raw_run::*;
use super::record::Record;
use crate::support::*;
use std::ffi::OsString;
use std::path::Path;

fn run_work(home: &Home, logs: &Path) -> Outcome {
    stress_run(&["work"]).home(home).log_dir(logs).run()
}

/// Runs `logfault <kind>`; returns the outcome and the log as the process
/// saw it (copied out through its open descriptor).
fn log_fault(rec: &mut Record, kind: &str) -> (Outcome, String, tempfile::TempDir) {
    let home = stress_home();
    let scratch_dir = scratch();
    let logs = scratch_dir.path().join("logs");
    std::fs::create_dir_all(&logs).unwrap();
    let copy = scratch_dir.path().join("copy.log");
    let copy_arg = copy.display().to_string();
    let out = stress_run(&["logfault", kind, &copy_arg])
        .home(&home)
        .log_dir(&logs)
        .env("NEW_RELIC_LOG_LEVEL", "finest")
        .run();
    rec.run(&format!("log directory: {kind}"), &out);
    out.assert_success();
    assert_eq!(
        app_output(&out),
        expected_output(&["logfault", kind, &copy_arg]),
        "output changed\nstderr:\n{}",
        out.stderr
    );
    assert_eq!(
        report_field(&out, "LOGFAULT", "refresh"),
        "0",
        "{}",
        out.stderr
    );
    assert_peak_bounded(&out);
    let seen = std::fs::read_to_string(&copy)
        .unwrap_or_else(|e| panic!("the app found no open profiler log ({e}):\n{}", out.stderr));
    (out, seen, scratch_dir)
}

/// The profiler kept logging after the fault: the refresh and the methods
/// first called after it are in the log, and every line is well-formed.
fn assert_kept_logging(log: &str) {
    assert_well_formed(log);
    let log = Log {
        text: log.to_string(),
    };
    log.assert_has("Refreshing instrumentation")
        .assert_has("Leave: InstrumentationRefreshWithNewIgnoreList")
        .assert_has_prefix("Instrumenting method: (Module: ");
    let last = crate::reliability::app::methods()
        .last()
        .map(|m| m.name.clone())
        .unwrap_or_default();
    assert!(
        log.text.contains(&format!("Generic.{last}")),
        "the last method, first called after the fault, is not in the log"
    );
}

#[test]
fn log_directory_deleted_mid_run_logging_continues_in_the_open_file() {
    let mut rec = Record::new("faults", "log_directory_deleted_mid_run_logging_continues_in_the_open_file", "The log directory deleted (recursively) while the profiler has its log open, then a refresh and 220 first calls");
    let (out, seen, scratch_dir) = log_fault(&mut rec, "delete");
    assert_kept_logging(&seen);
    assert!(
        !scratch_dir.path().join("logs").exists(),
        "the profiler re-created the deleted directory"
    );
    assert!(
        out.stderr
            .lines()
            .any(|l| l.starts_with("LOGFAULT fd_target=") && l.ends_with(".log (deleted)")),
        "the log descriptor does not point at the deleted file:\n{}",
        out.stderr
    );
    rec.outcome("Output unchanged; the refresh returned S_OK; logging continued in the open (deleted) file, every line well-formed; the directory was not re-created");
}

#[test]
fn log_directory_made_read_only_mid_run_logging_continues() {
    let mut rec = Record::new(
        "faults",
        "log_directory_made_read_only_mid_run_logging_continues",
        "The log file and directory made read-only mid-run, then a refresh and 220 first calls",
    );
    let (out, seen, scratch_dir) = log_fault(&mut rec, "readonly");
    let logs = scratch_dir.path().join("logs");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&logs, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_kept_logging(&seen);
    // The file on disk is the same file: it has every line too.
    assert_kept_logging(&out.log(&logs).text);
    rec.outcome("Output unchanged; the refresh returned S_OK; logging continued in the open file, every line well-formed");
}

#[test]
fn log_writes_failing_with_enospc_do_not_reach_the_application() {
    let mut rec = Record::new(
        "faults",
        "log_writes_failing_with_enospc_do_not_reach_the_application",
        "Every log write failing (the log file is a symlink to /dev/full: ENOSPC)",
    );
    // The log file is a symlink to /dev/full, created under the pid the
    // process will have (`exec` keeps it): every write fails with ENOSPC.
    let home = stress_home();
    let logs = scratch();
    let dll = stress_app().display().to_string();
    let script = r#"ln -s /dev/full "$NEW_RELIC_PROFILER_LOG_DIRECTORY/NewRelic.Profiler.$$.log" && exec dotnet "$@""#;
    let out = Run::command("sh", &["-c", script, "sh", &dll, "work"])
        .env("NEWRELIC_TEST_AGENT_COUNT_ONLY", "1")
        .home(&home)
        .log_dir(logs.path())
        .env("NEW_RELIC_LOG_LEVEL", "finest")
        .run();
    rec.run("log writes fail with ENOSPC", &out);
    assert_work_unchanged(&out);
    assert_peak_bounded(&out);
    let link = out.log_path(logs.path());
    assert_eq!(
        std::fs::read_link(&link).ok().as_deref(),
        Some(Path::new("/dev/full"))
    );
    rec.outcome("Output unchanged; failed writes are dropped silently (no log is possible); peak within the margin");
}

#[test]
fn thousands_of_extension_files_are_all_read() {
    let mut rec = Record::new(
        "faults",
        "thousands_of_extension_files_are_all_read",
        "An extension directory of 6 001 files (3 000 one-method XML files, 3 000 non-XML files)",
    );
    let home = stress_home();
    let methods = methods();
    for i in 0..3000 {
        let method = &methods[i % methods.len()];
        home.write_extension(
            &format!("Many{i:04}.xml"),
            &extension_xml(std::slice::from_ref(method)),
        );
        std::fs::write(
            home.path.join(format!("extensions/notes{i:04}.txt")),
            "not xml",
        )
        .unwrap();
    }
    let logs = scratch();
    let out = run_work(&home, logs.path());
    rec.run("6 001 extension entries", &out);
    assert_work_unchanged(&out);
    assert_peak_bounded(&out);
    assert_all_instrumented(&out);
    out.log(logs.path())
        .assert_has(&format!(
            "Identified {} Instrumentation points (not ignored) in .xml files",
            methods.len() + 3000
        ))
        .assert_has("Profiler initialized");
    rec.outcome("Output unchanged; all 3 440 points identified, non-XML files ignored; all 440 methods instrumented");
}

#[test]
fn a_50_mb_extension_file_is_refused_unread() {
    let mut rec = Record::new(
        "faults",
        "a_50_mb_extension_file_is_refused_unread",
        "A 50 MiB extension file",
    );
    let home = stress_home();
    let big = home.path.join("extensions/Big.xml");
    let mut text = String::from("<?xml version=\"1.0\"?><extension><instrumentation><!-- ");
    text.push_str(&"x".repeat(50 * 1024 * 1024));
    text.push_str(" --></instrumentation></extension>");
    std::fs::write(&big, &text).unwrap();
    let logs = scratch();
    let out = run_work(&home, logs.path());
    rec.run("50 MiB extension file", &out);
    assert_work_unchanged(&out);
    assert_peak_bounded(&out);
    assert_all_instrumented(&out);
    out.log(logs.path())
        .assert_has(&format!(
            "Unable to open file. File path: {} (the file is {} bytes long, more than the 16777216 bytes allowed)",
            big.display(),
            text.len()
        ))
        .assert_has(&format!(
            "An exception was thrown while reading instrumentation file: {} - ignoring this file.",
            big.display()
        ))
        .assert_has("Profiler initialized");
    rec.outcome("Output unchanged; refused without reading it: `Unable to open file. File path: … (the file is <size> bytes long, more than the 16777216 bytes allowed)`; peak within the margin");
}

#[test]
fn unreadable_fifo_and_looping_extension_files_are_skipped_with_their_reason() {
    let mut rec = Record::new("faults", "unreadable_fifo_and_looping_extension_files_are_skipped_with_their_reason", "Extension entries that are unreadable (mode 000, without CAP_DAC_*), a FIFO, a symlink to /dev/zero, symlink loops (self, pair) and a directory symlink loop");
    use std::os::unix::fs::{symlink, PermissionsExt};
    let home = stress_home();
    let ext = home.path.join("extensions");
    let secret = ext.join("Secret.xml");
    std::fs::write(&secret, extension_xml(&methods()[..1])).unwrap();
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o000)).unwrap();
    let pipe = ext.join("Pipe.xml");
    let status = std::process::Command::new("mkfifo")
        .arg(&pipe)
        .status()
        .unwrap();
    assert!(status.success(), "mkfifo");
    symlink(ext.join("Loop.xml"), ext.join("Loop.xml")).unwrap();
    symlink(ext.join("B.xml"), ext.join("A.xml")).unwrap();
    symlink(ext.join("A.xml"), ext.join("B.xml")).unwrap();
    symlink("/dev/zero", ext.join("Zero.xml")).unwrap();
    // A directory loop: the runtime-specific directory is the extensions
    // directory itself, so every file is found under two names.
    symlink(".", ext.join("netcore")).unwrap();
    let logs = scratch();
    // Root reads anything whatever its mode: the child runs without the
    // capabilities that allow it (see raw_run).
    let out = run_raw(
        &["work"],
        &[
            ("CORECLR_NEW_RELIC_HOME", OsString::from(&home.path)),
            (
                "NEW_RELIC_PROFILER_LOG_DIRECTORY",
                OsString::from(logs.path()),
            ),
        ],
        running_as_root(),
    );
    rec.run("unreadable, FIFO, /dev/zero, loops", &out);
    assert_work_unchanged(&out);
    assert_peak_bounded(&out);
    assert_all_instrumented(&out);
    let log = out.log(logs.path());
    let unreadable = |path: &Path, reason: &str| {
        log.assert_has(&format!(
            "Unable to open file. File path: {} ({reason})",
            path.display()
        ));
    };
    unreadable(&secret, "Permission denied (os error 13)");
    unreadable(&pipe, "not a regular file");
    unreadable(&ext.join("Zero.xml"), "not a regular file");
    for name in ["Loop.xml", "A.xml", "B.xml"] {
        unreadable(
            &ext.join(name),
            "Too many levels of symbolic links (os error 40)",
        );
    }
    log.assert_has(&format!(
        "Loading instrumentation from {}",
        ext.join("netcore").display()
    ))
    .assert_has(&format!(
        "Identified {} Instrumentation points (not ignored) in .xml files",
        2 * methods().len()
    ))
    .assert_has("Profiler initialized");
    rec.outcome("Output unchanged; each entry skipped with its reason (Permission denied, not a regular file, Too many levels of symbolic links); start-up never blocked on the FIFO; the directory loop read once");
}

#[test]
fn file_names_and_environment_values_that_are_not_utf8_are_reported_and_ignored() {
    let mut rec = Record::new("faults", "file_names_and_environment_values_that_are_not_utf8_are_reported_and_ignored", "Invalid UTF-8 in an extension file name, in NEW_RELIC_PROFILER_LOG_DIRECTORY, NEW_RELIC_LOG_LEVEL, NEW_RELIC_LAMBDA_HANDLER and CORECLR_NEW_RELIC_HOME");
    use std::os::unix::ffi::OsStrExt;
    let home = stress_home();
    let bad_name = non_utf8("Bad");
    let bad_file = home
        .path
        .join("extensions")
        .join(format!("{}.xml", bad_name.to_string_lossy()));
    let mut raw = home.path.join("extensions").into_os_string();
    raw.push("/");
    raw.push(&bad_name);
    raw.push(".xml");
    std::fs::write(&raw, "<extension/>").unwrap();
    let logs = scratch();
    let unused = scratch();
    let bad_log_dir = {
        let mut dir = unused.path().as_os_str().to_owned();
        dir.push("/");
        dir.push(non_utf8("logs"));
        dir
    };
    let out = run_raw(
        &["work"],
        &[
            ("CORECLR_NEW_RELIC_HOME", OsString::from(&home.path)),
            ("NEW_RELIC_PROFILER_LOG_DIRECTORY", bad_log_dir),
            ("NEW_RELIC_LOG_DIRECTORY", OsString::from(logs.path())),
            ("NEW_RELIC_LOG_LEVEL", non_utf8("debug")),
            ("NEW_RELIC_LAMBDA_HANDLER", non_utf8("StressApp::X::Y")),
        ],
        false,
    );
    rec.run("invalid UTF-8 names and values", &out);
    assert_work_unchanged(&out);
    assert_peak_bounded(&out);
    assert_all_instrumented(&out);
    let log = out.log(logs.path());
    for (name, value) in [
        (
            "NEW_RELIC_PROFILER_LOG_DIRECTORY",
            format!("{}/logs-\u{FFFD}\u{FFFD}", unused.path().display()),
        ),
        ("NEW_RELIC_LOG_LEVEL", "debug-\u{FFFD}\u{FFFD}".to_string()),
        (
            "NEW_RELIC_LAMBDA_HANDLER",
            "StressApp::X::Y-\u{FFFD}\u{FFFD}".to_string(),
        ),
    ] {
        log.assert_has(&format!(
            "The environment variable {name} is not valid UTF-8 and is ignored: {value}"
        ));
    }
    log.assert_has(&format!(
        "Skipping {}: the file name is not valid UTF-8.",
        bad_file.display()
    ))
    .assert_has("Profiler initialized");
    assert!(
        std::fs::read_dir(unused.path()).unwrap().next().is_none(),
        "a log directory was created under a mangled name"
    );
    assert!(!bad_name.as_bytes().is_empty());

    // The home itself under a name that is not UTF-8: .NET could not load
    // the agent from there, so the profiler detaches with the reason.
    let mut odd_home = unused.path().as_os_str().to_owned();
    odd_home.push("/");
    odd_home.push(non_utf8("home"));
    std::fs::create_dir_all(&odd_home).unwrap();
    let logs = scratch();
    let out = run_raw(
        &["work"],
        &[
            ("CORECLR_NEW_RELIC_HOME", odd_home),
            (
                "NEW_RELIC_PROFILER_LOG_DIRECTORY",
                OsString::from(logs.path()),
            ),
        ],
        false,
    );
    rec.run("home path not UTF-8", &out);
    assert_work_unchanged(&out);
    out.log(logs.path())
        .assert_has_prefix(
            "The environment variable CORECLR_NEW_RELIC_HOME is not valid UTF-8 and is ignored: ",
        )
        .assert_has("Unable to find New Relic Home directory in registry or environment.")
        .assert_lacks("Profiler initialized");
    rec.outcome("Output unchanged; each value logged lossily as not valid UTF-8 and ignored; the file skipped with a Warn; no directory created under a mangled name; a non-UTF-8 home: the reason, then the reference detach");
}
