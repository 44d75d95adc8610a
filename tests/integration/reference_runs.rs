//! The original profiler's recorded runs (`../shared/reference-runs/`, one
//! folder per scenario: `setup.md`, `original.log`, `differences.md`) as
//! tests. Each test sets its scenario up again exactly as `setup.md`
//! describes ([`scenarios`]), runs it under our library with exactly the
//! recorded environment, normalises our log the way the recording was
//! normalised ([`setup`]), and compares it with `original.log` line by line
//! ([`compare`]): the lines other than per-function noise in the same
//! order, the per-function lines (JIT callbacks, `Not searching…`, rewrite
//! steps) as the same multiset — the order in which the runtime's threads
//! compile methods is not deterministic. Trace and Debug lines count like
//! any other. Every remaining difference is an allowance in [`allowances`]
//! that names its `docs/compatibility.md` id and the exact line(s) it
//! allows; anything else fails with a diff. The application's standard
//! output is compared with `stdout-original.txt` the same way.
//!
//! `NR_REFERENCE_RUNS_KEEP=<dir>` keeps our normalised log and stdout of
//! each scenario in `<dir>/<scenario>/`.

mod align;
mod allowances;
mod compare;
mod lines;
mod noise;
mod recording;
mod scenarios;
mod setup;
mod side_by_side;

use compare::compare_log;
use recording::Recording;
use setup::Ran;

/// Runs scenario `name` under our library and fails with a readable report
/// on any difference no allowance names.
fn check(name: &str) -> Ran {
    crate::support::require_dotnet();
    let original = Recording::load(name);
    let prepared = scenarios::prepare(name);
    let ran = prepared.scene.run(prepared.app, &prepared.args);
    assert_eq!(
        ran.status,
        Some(0),
        "{name}: our run exited with {:?}\nstdout:\n{}\nstderr:\n{}",
        ran.status,
        ran.raw_stdout,
        ran.stderr
    );
    let ours = ran.log_lines(prepared.console);
    keep_for_inspection(name, &ours, &ran.stdout);
    let log_allows = allowances::log(name);
    let mut stdout_allows = allowances::stdout(name);
    if prepared.console {
        // The log lines are part of standard output.
        stdout_allows.extend(log_allows.iter().cloned());
    }
    let log = compare_log(&original, &ours, &log_allows);
    let stdout = compare_log(
        &Recording::stdout_only(&original),
        &ran.stdout,
        &stdout_allows,
    );
    let report = format!(
        "{}standard output — {}",
        log.render(name),
        stdout.render(name)
    );
    assert!(
        log.passed() && stdout.passed(),
        "{report}\nour normalised log:\n{}",
        ours.join("\n")
    );
    eprintln!("{report}");
    if prepared.console {
        assert_eq!(
            ran.log_files, 0,
            "{name}: console logging opens no log file"
        );
    }
    ran
}

fn keep_for_inspection(name: &str, log: &[String], stdout: &[String]) {
    if let Some(dir) = std::env::var_os("NR_REFERENCE_RUNS_KEEP") {
        let dir = std::path::Path::new(&dir).join(name);
        std::fs::create_dir_all(&dir).expect("NR_REFERENCE_RUNS_KEEP directory");
        std::fs::write(dir.join("ours.log"), log.join("\n") + "\n").expect("write ours.log");
        std::fs::write(dir.join("stdout-ours.txt"), stdout.join("\n") + "\n")
            .expect("write stdout-ours.txt");
    }
}

#[test]
fn every_reference_run_folder_has_a_test() {
    assert_eq!(
        recording::folders(),
        scenarios::NAMES,
        "each folder of ../shared/reference-runs needs its setup in reference_runs/scenarios.rs, \
         its allowances in reference_runs/allowances.rs and a test in reference_runs.rs"
    );
}

/// Every allowance names a row of `docs/compatibility.md` (`| L1 |` …).
#[test]
fn every_allowance_names_a_row_of_compatibility_md() {
    let doc = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/compatibility.md"),
    )
    .expect("docs/compatibility.md");
    let rows: Vec<&str> = doc
        .lines()
        .filter_map(|l| l.strip_prefix("| "))
        .filter_map(|l| l.split(' ').next())
        .collect();
    for name in scenarios::NAMES {
        for allow in allowances::log(name)
            .iter()
            .chain(&allowances::stdout(name))
        {
            assert!(
                rows.contains(&allow.id()),
                "{name}: allowance id {} is not a row of docs/compatibility.md",
                allow.id()
            );
        }
    }
}

/// The comparison can fail: the log our library wrote before the five
/// differences b1–b5 were fixed (the recordings' `ours.log`, project commit
/// 6bbb963) fails each scenario that showed one of them, and the failure
/// names the line.
#[test]
fn the_recorded_logs_of_the_library_before_the_fixes_fail() {
    let expectations = [
        // b1: the console clamp Warn (at Info, and its place at Debug).
        ("console", "Logging level has been clamped to Info ."),
        ("console-dbg", "<-- New logging level set: Debug"),
        // b2: CoreLib functions named with the AppDomain cached at load.
        ("corelib", "AppDomain: DefaultDomain"),
        ("hello-finest", "AppDomain: DefaultDomain"),
        // b3: the missing Debug lines.
        ("inst-debug", "Async method detected"),
        ("web-debug", "Requesting a reJIT of a generic function"),
        // b4: the wrong error for a config cut inside its start tag.
        ("brk", "Unable to locate configuration node"),
        ("live-reload", "Unable to locate configuration node"),
        // b5: the Trace lines only the original wrote (b2 mapped away,
        // as differences.md does, so that b5 is what is left).
        ("tp-shutdown", "Not searching System.Private.CoreLib"),
        ("inst-finest", "per-function lines"),
    ];
    for (name, needle) in expectations {
        let original = Recording::load(name);
        let text = std::fs::read_to_string(recording::root().join(name).join("ours.log"))
            .expect("the recorded ours.log");
        let old: Vec<String> = text
            .lines()
            .filter(|l| !l.starts_with("[... "))
            .map(|l| {
                let l = lines::mask_ids(l);
                if name == "tp-shutdown" {
                    l.replace("AppDomain: DefaultDomain", "AppDomain: clrhost")
                } else {
                    l
                }
            })
            .collect();
        let result = compare_log(&original, &old, &allowances::log(name));
        let report = result.render(name);
        assert!(
            !result.passed() && report.contains(needle),
            "{name}: the old library's log should fail naming {needle:?}:\n{report}"
        );
    }
    // Without any of them, the same comparison passes: hello-info's old log
    // differs only by L1 and P3.
    let original = Recording::load("hello-info");
    let text = std::fs::read_to_string(recording::root().join("hello-info/ours.log")).unwrap();
    let old: Vec<String> = text.lines().map(lines::mask_ids).collect();
    let result = compare_log(&original, &old, &allowances::log("hello-info"));
    assert!(result.passed(), "{}", result.render("hello-info"));
}

#[test]
fn hello_info() {
    check("hello-info");
}

#[test]
fn hello_finest() {
    check("hello-finest");
}

#[test]
fn brk() {
    check("brk");
}

#[test]
fn brk2() {
    check("brk2");
}

#[test]
fn nohome() {
    check("nohome");
}

#[test]
fn noagent() {
    check("noagent");
}

#[test]
fn trunc() {
    check("trunc");
}

#[test]
fn excl() {
    check("excl");
}

#[test]
fn azfn() {
    check("azfn");
}

#[test]
fn console() {
    check("console");
}

#[test]
fn console_dbg() {
    check("console-dbg");
}

#[test]
fn corelib() {
    check("corelib");
}

#[test]
fn inst_debug() {
    check("inst-debug");
}

#[test]
fn inst_finest() {
    check("inst-finest");
}

#[test]
fn web_debug() {
    check("web-debug");
}

#[test]
fn live_refresh() {
    check("live-refresh");
}

#[test]
fn live_reload() {
    check("live-reload");
}

#[test]
fn tp_shutdown() {
    check("tp-shutdown");
}

#[test]
fn tp_interop() {
    check("tp-interop");
}
