//! Running one measured process: wall time, time to `Main`, peak RSS.
//!
//! Clocks: the runner reads `CLOCK_MONOTONIC` immediately before spawning
//! and immediately after `wait4` returns (wall time). The app reads
//! `Stopwatch.GetTimestamp()` as the first statement of `Main`; on Linux
//! that is `clock_gettime(CLOCK_MONOTONIC)` in nanoseconds, the same clock,
//! so `main − spawn` is the time to `Main` (runtime start-up, the
//! profiler's `Initialize`, assembly loading, and the JIT of `Main`
//! itself). Every sample is checked to lie between spawn and exit, which
//! would catch a different clock. Peak RSS is `ru_maxrss` and CPU time
//! `ru_utime + ru_stime` of the child from `wait4`, so no other process is
//! mixed in; CPU time is the metric least disturbed by other load on the
//! machine (wall time includes waiting for a CPU).

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// A process that takes longer than this is killed and the run fails.
const TIMEOUT: Duration = Duration::from_secs(600);

/// What to start.
#[derive(Clone, Debug)]
pub struct Launch {
    pub program: PathBuf,
    pub args: Vec<OsString>,
    pub env: BTreeMap<String, String>,
    /// stdout and stderr go to `<output>.out` / `<output>.err` (files, not
    /// pipes, so the runner never has to read while timing).
    pub output: PathBuf,
}

/// What one run measured.
#[derive(Clone, Debug)]
pub struct Measured {
    pub pid: u32,
    pub wall_ms: f64,
    /// Spawn to `Main` entry, when the app printed its time stamps.
    pub main_ms: Option<f64>,
    /// `Main` entry to `Main` exit.
    pub in_main_ms: Option<f64>,
    pub max_rss_kib: u64,
    /// User + system CPU time of the child (all its threads).
    pub cpu_ms: f64,
    /// Requests per second after the web app's warm-up (`PERF_THROUGHPUT`).
    pub throughput_rps: Option<f64>,
    pub stdout: String,
}

fn monotonic_ns() -> i128 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; CLOCK_MONOTONIC exists on Linux.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_MONOTONIC)");
    ts.tv_sec as i128 * 1_000_000_000 + ts.tv_nsec as i128
}

/// Variables that would leak the caller's profiler or runtime settings into
/// a measured process (the integration tests remove the same families).
fn is_inherited_setting(name: &str) -> bool {
    const PREFIXES: [&str; 6] = [
        "CORECLR_",
        "COR_",
        "NEW_RELIC",
        "NEWRELIC",
        "COMPlus_",
        "DOTNET_",
    ];
    // DOTNET_ROOT (and the architecture-specific variants) say where the
    // runtime is; everything else under DOTNET_ tunes it and must not differ
    // from one scenario to another.
    PREFIXES.iter().any(|p| name.starts_with(p)) && !name.starts_with("DOTNET_ROOT")
}

/// Runs `launch` to completion.
pub fn run(launch: &Launch) -> Result<Measured, String> {
    let mut command = Command::new(&launch.program);
    command.args(&launch.args);
    for (name, _) in std::env::vars_os() {
        if let Some(name) = name.to_str() {
            if is_inherited_setting(name) {
                command.env_remove(name);
            }
        }
    }
    command.envs(&launch.env);
    let out_path = launch.output.with_extension("out");
    let err_path = launch.output.with_extension("err");
    let out =
        std::fs::File::create(&out_path).map_err(|e| format!("{}: {e}", out_path.display()))?;
    let err =
        std::fs::File::create(&err_path).map_err(|e| format!("{}: {e}", err_path.display()))?;
    command
        .stdin(Stdio::null())
        .stdout(Stdio::from(out))
        .stderr(Stdio::from(err));

    let start = monotonic_ns();
    let child = command
        .spawn()
        .map_err(|e| format!("spawn {}: {e}", launch.program.display()))?;
    let pid = child.id();
    let (done, watch) = mpsc::channel::<()>();
    let watchdog = std::thread::spawn(move || {
        if watch.recv_timeout(TIMEOUT).is_err() {
            // SAFETY: plain kill(2) of our own child, which has not been reaped
            // yet (the main thread reaps it, then signals this thread).
            unsafe { libc::kill(pid as libc::pid_t, libc::SIGKILL) };
        }
    });
    let mut status: libc::c_int = 0;
    // SAFETY: zeroed rusage is a valid out-parameter.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waits for our own child; `status` and `usage` are valid
    // out-parameters. `child` is never waited on through std afterwards.
    let reaped = unsafe { libc::wait4(pid as libc::pid_t, &mut status, 0, &mut usage) };
    let end = monotonic_ns();
    let _ = done.send(());
    let _ = watchdog.join();
    drop(child);
    if reaped != pid as libc::pid_t {
        return Err(format!(
            "wait4({pid}) failed: {}",
            std::io::Error::last_os_error()
        ));
    }

    let stdout = std::fs::read_to_string(&out_path).unwrap_or_default();
    let exited_ok = libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
    if !exited_ok {
        let stderr = std::fs::read_to_string(&err_path).unwrap_or_default();
        return Err(format!(
            "{} {:?} failed (wait status {status:#x})\nstdout:\n{}\nstderr:\n{}",
            launch.program.display(),
            launch.args,
            tail(&stdout),
            tail(&stderr)
        ));
    }

    let (main_ms, in_main_ms) = match timestamps(&stdout) {
        Some((main_ns, end_ns)) => {
            if !(start..=end).contains(&main_ns) || !(main_ns..=end).contains(&end_ns) {
                return Err(format!(
                    "the app's Main time stamp {main_ns} is not between spawn {start} and exit {end}: \
                     Stopwatch does not read CLOCK_MONOTONIC here, so time to Main cannot be measured this way"
                ));
            }
            (
                Some((main_ns - start) as f64 / 1e6),
                Some((end_ns - main_ns) as f64 / 1e6),
            )
        }
        None => (None, None),
    };
    Ok(Measured {
        pid,
        wall_ms: (end - start) as f64 / 1e6,
        main_ms,
        in_main_ms,
        // Linux reports ru_maxrss in KiB.
        max_rss_kib: usage.ru_maxrss.max(0) as u64,
        cpu_ms: timeval_ms(usage.ru_utime) + timeval_ms(usage.ru_stime),
        throughput_rps: throughput(&stdout),
        stdout,
    })
}

fn timeval_ms(t: libc::timeval) -> f64 {
    t.tv_sec as f64 * 1e3 + t.tv_usec as f64 / 1e3
}

/// `PERF_TIMESTAMPS main=<ticks> end=<ticks> frequency=<ticks per second>`
/// converted to nanoseconds.
pub fn timestamps(stdout: &str) -> Option<(i128, i128)> {
    let line = stdout
        .lines()
        .find_map(|l| l.trim().strip_prefix("PERF_TIMESTAMPS "))?;
    let mut fields = BTreeMap::new();
    for pair in line.split_whitespace() {
        let (k, v) = pair.split_once('=')?;
        fields.insert(k, v.parse::<i128>().ok()?);
    }
    let frequency = *fields.get("frequency")?;
    if frequency <= 0 {
        return None;
    }
    let to_ns = |ticks: i128| ticks * 1_000_000_000 / frequency;
    Some((to_ns(*fields.get("main")?), to_ns(*fields.get("end")?)))
}

/// `PERF_THROUGHPUT requests=<n> seconds=<s>` (the web app's requests
/// after its warm-up) as requests per second.
pub fn throughput(stdout: &str) -> Option<f64> {
    let line = stdout
        .lines()
        .find_map(|l| l.trim().strip_prefix("PERF_THROUGHPUT "))?;
    let mut requests = None;
    let mut seconds = None;
    for pair in line.split_whitespace() {
        match pair.split_once('=')? {
            ("requests", v) => requests = v.parse::<f64>().ok(),
            ("seconds", v) => seconds = v.parse::<f64>().ok(),
            _ => {}
        }
    }
    let (requests, seconds) = (requests?, seconds?);
    (requests > 0.0 && seconds > 0.0).then(|| requests / seconds)
}

/// The value of a `NAME=value` line of the app's output.
pub fn output_value<'a>(stdout: &'a str, name: &str) -> Option<&'a str> {
    stdout.lines().find_map(|l| {
        l.trim()
            .strip_prefix(name)
            .and_then(|rest| rest.strip_prefix('='))
    })
}

fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}

/// Finds `program` on `PATH` once, so no run pays for the search.
pub fn which(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

pub fn self_check() {
    let out = "PID=1\nPERF_TIMESTAMPS main=2000 end=5000 frequency=1000000000\nCHECK=7\n";
    assert_eq!(timestamps(out), Some((2000, 5000)));
    let out = "PERF_TIMESTAMPS main=2 end=5 frequency=1000\n";
    assert_eq!(timestamps(out), Some((2_000_000, 5_000_000)));
    assert_eq!(timestamps("nothing"), None);
    assert_eq!(output_value("A=1\nCHECK=-5\n", "CHECK"), Some("-5"));
    assert_eq!(output_value("CHECKS=1\n", "CHECK"), None);
    assert_eq!(
        throughput("done\nPERF_THROUGHPUT requests=500 seconds=0.25\n"),
        Some(2000.0)
    );
    assert_eq!(throughput("PERF_THROUGHPUT requests=0 seconds=1"), None);
    assert_eq!(throughput("nothing"), None);
    assert!(is_inherited_setting("DOTNET_TieredCompilation"));
    assert!(!is_inherited_setting("DOTNET_ROOT"));
    assert!(is_inherited_setting("CORECLR_ENABLE_PROFILING"));
}
