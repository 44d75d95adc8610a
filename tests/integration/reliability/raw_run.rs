//! Running `StressApp` where `support::Run` cannot: environment values that
//! are not UTF-8 (Linux allows any bytes; `Run` stores `String`s), and a
//! process that may not bypass file permissions even when the tests run as
//! root (root ignores `chmod 000`, so the capabilities that let it —
//! `CAP_DAC_OVERRIDE`, `CAP_DAC_READ_SEARCH` — are dropped from the child's
//! bounding set, which is what root's capabilities are recomputed from at
//! `exec`).

use super::app::stress_app;
use crate::support::*;
use std::ffi::OsString;
use std::process::{Command, Stdio};
use std::time::Duration;
use wait_timeout::ChildExt;

const RUN_TIMEOUT: Duration = Duration::from_secs(180);

/// `linux/capability.h` numbers (not exported by the `libc` crate).
const CAP_DAC_OVERRIDE: libc::c_ulong = 1;
const CAP_DAC_READ_SEARCH: libc::c_ulong = 2;

/// Variables of the caller that must not leak into a test process (as in
/// `support`).
fn is_profiler_variable(name: &str) -> bool {
    ["CORECLR_", "COR_", "NEW_RELIC", "NEWRELIC"]
        .iter()
        .any(|p| name.starts_with(p))
        || [
            "FUNCTIONS_WORKER_RUNTIME",
            "APP_POOL_ID",
            "ASPNETCORE_IIS_APP_POOL_ID",
            "HOME_EXPANDED",
            "_HANDLER",
            "ALLUSERSPROFILE",
        ]
        .contains(&name)
}

/// True when this process runs as root.
pub fn running_as_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// `dotnet StressApp.dll <args>` under the profiler with `env` added
/// verbatim (bytes included). With `without_read_override`, the child
/// cannot read files its permissions deny, even as root.
pub fn run_raw(args: &[&str], env: &[(&str, OsString)], without_read_override: bool) -> Outcome {
    let f = fixtures();
    let mut command = Command::new("dotnet");
    command.arg(stress_app()).args(args);
    for (name, _) in std::env::vars_os() {
        if name.to_str().is_some_and(is_profiler_variable) {
            command.env_remove(&name);
        }
    }
    command
        .env("CORECLR_ENABLE_PROFILING", "1")
        .env("CORECLR_PROFILER", CORECLR_GUID)
        .env("CORECLR_PROFILER_PATH", &f.profiler)
        .env("DOTNET_CLI_TELEMETRY_OPTOUT", "1")
        .env("DOTNET_NOLOGO", "1")
        .env("NEWRELIC_TEST_AGENT_COUNT_ONLY", "1");
    for (name, value) in env {
        command.env(name, value);
    }
    if without_read_override {
        use std::os::unix::process::CommandExt;
        // SAFETY: the closure runs in the forked child before exec and only
        // calls prctl, which is async-signal-safe.
        unsafe {
            command.pre_exec(|| {
                for capability in [CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH] {
                    if libc::prctl(libc::PR_CAPBSET_DROP, capability, 0, 0, 0) != 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                }
                Ok(())
            });
        }
    }
    let out_file = tempfile::tempfile().expect("temp file");
    let err_file = tempfile::tempfile().expect("temp file");
    command
        .stdout(out_file.try_clone().expect("clone"))
        .stderr(err_file.try_clone().expect("clone"))
        .stdin(Stdio::null());
    let mut child = command.spawn().expect("spawn dotnet");
    let status = match child.wait_timeout(RUN_TIMEOUT).expect("wait") {
        Some(status) => status,
        None => {
            let _ = child.kill();
            panic!("StressApp {args:?} did not finish within {RUN_TIMEOUT:?}");
        }
    };
    let read = |mut file: std::fs::File| {
        use std::io::{Read, Seek};
        let mut bytes = Vec::new();
        file.rewind().expect("rewind");
        file.read_to_end(&mut bytes).expect("read");
        String::from_utf8_lossy(&bytes).into_owned()
    };
    Outcome {
        status,
        stdout: read(out_file),
        stderr: read(err_file),
    }
}

/// Bytes that are not UTF-8 (a lone continuation byte and an invalid lead).
pub fn non_utf8(prefix: &str) -> OsString {
    use std::os::unix::ffi::OsStringExt;
    let mut bytes = prefix.as_bytes().to_vec();
    bytes.extend_from_slice(b"-\xff\x80");
    OsString::from_vec(bytes)
}
