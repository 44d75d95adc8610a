//! `newrelic-profiler -- COMMAND`: the environment the agent's `run.sh`
//! sets, then the command, with its exit code passed through.

use super::Options;
use std::path::Path;
use std::process::Command;

/// `CORECLR_PROFILER` value the agent's installers use (reference-profiler §1.3).
pub const CORECLR_PROFILER_GUID: &str = "{36032161-FFC0-4B61-B559-F6C5D41BAE5A}";

/// Adds the profiler variables to `command`.
pub fn configure(command: &mut Command, options: &Options, profiler: &Path) {
    command
        .env("CORECLR_ENABLE_PROFILING", "1")
        .env("CORECLR_PROFILER", CORECLR_PROFILER_GUID)
        .env("CORECLR_PROFILER_PATH", profiler);
    if let Some(home) = &options.home {
        command.env("CORECLR_NEW_RELIC_HOME", home);
    }
    if let Some(dir) = &options.log_dir {
        command.env("NEW_RELIC_PROFILER_LOG_DIRECTORY", dir);
    }
    if let Some(level) = &options.log_level {
        command.env("NEW_RELIC_LOG_LEVEL", level);
    }
}

pub fn run(options: &Options, profiler: &Path) -> i32 {
    let Some((program, args)) = options.command.split_first() else {
        return 2;
    };
    let mut command = Command::new(program);
    command.args(args);
    configure(&mut command, options, profiler);
    match command.status() {
        Ok(status) => status.code().unwrap_or(1),
        Err(e) => {
            eprintln!("newrelic-profiler: cannot start {program}: {e}");
            127
        }
    }
}
