//! The launcher binary's logic (not part of the profiler library).

mod attach;
mod demo;
mod dotnet;

use std::path::PathBuf;

pub const USAGE: &str = "\
usage: newrelic-profiler                       build and run the bundled demo under the profiler
       newrelic-profiler [options] -- COMMAND  run COMMAND with the profiler attached

options:
  --home DIR        agent home (sets CORECLR_NEW_RELIC_HOME)
  --log-dir DIR     profiler log directory (sets NEW_RELIC_PROFILER_LOG_DIRECTORY)
  --log-level WORD  profiler log level (sets NEW_RELIC_LOG_LEVEL: info, debug, finest, ...)
  --profiler PATH   the profiler library (default: next to this executable)
  -h, --help        this text";

/// Parsed command line.
#[derive(Debug, Default)]
pub struct Options {
    pub home: Option<PathBuf>,
    pub log_dir: Option<PathBuf>,
    pub log_level: Option<String>,
    pub profiler: Option<PathBuf>,
    pub command: Vec<String>,
    pub help: bool,
}

impl Options {
    pub fn parse(mut args: impl Iterator<Item = String>) -> Result<Options, String> {
        let mut options = Options::default();
        while let Some(arg) = args.next() {
            let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
            match arg.as_str() {
                "--" => {
                    options.command = args.collect();
                    if options.command.is_empty() {
                        return Err("no command after --".to_string());
                    }
                    break;
                }
                "--home" => options.home = Some(PathBuf::from(value("--home")?)),
                "--log-dir" => options.log_dir = Some(PathBuf::from(value("--log-dir")?)),
                "--log-level" => options.log_level = Some(value("--log-level")?),
                "--profiler" => options.profiler = Some(PathBuf::from(value("--profiler")?)),
                "-h" | "--help" => options.help = true,
                other => return Err(format!("unknown argument {other:?}")),
            }
        }
        Ok(options)
    }
}

/// Runs the launcher; returns the process exit code.
pub fn run(options: Options) -> i32 {
    if options.help {
        println!("{USAGE}");
        return 0;
    }
    if options.profiler.is_none() {
        build_library_when_run_by_cargo();
    }
    let profiler = match options
        .profiler
        .clone()
        .map(Ok)
        .unwrap_or_else(default_profiler_path)
    {
        Ok(path) => path,
        Err(message) => {
            eprintln!("newrelic-profiler: {message}");
            return 1;
        }
    };
    if options.command.is_empty() {
        demo::run(&options, &profiler)
    } else {
        attach::run(&options, &profiler)
    }
}

/// `cargo run` builds this binary but not the library's `cdylib`, so when
/// cargo started us (it sets `CARGO`) we build the library for the same
/// profile first. Elsewhere (an installed binary) this does nothing.
fn build_library_when_run_by_cargo() {
    let Some(cargo) = std::env::var_os("CARGO") else {
        return;
    };
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
    let Ok(exe) = std::env::current_exe() else {
        return;
    };
    let (Some(profile_dir), Some(target_dir)) =
        (exe.parent(), exe.parent().and_then(|p| p.parent()))
    else {
        return;
    };
    if !manifest.is_file() {
        return;
    }
    let mut command = std::process::Command::new(cargo);
    command
        .args(["build", "--lib", "--quiet", "--manifest-path"])
        .arg(&manifest)
        .arg("--target-dir")
        .arg(target_dir);
    match profile_dir.file_name().and_then(|n| n.to_str()) {
        Some("debug") => {}
        Some("release") => {
            command.arg("--release");
        }
        Some(other) => {
            command.args(["--profile", other]);
        }
        None => return,
    }
    match command.status() {
        Ok(status) if status.success() => {}
        Ok(status) => {
            eprintln!("newrelic-profiler: building the profiler library failed ({status})")
        }
        Err(e) => {
            eprintln!("newrelic-profiler: cannot run cargo to build the profiler library: {e}")
        }
    }
}

/// The library built alongside this executable (`target/<profile>/`).
fn default_profiler_path() -> Result<PathBuf, String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot locate this executable: {e}"))?;
    let dir = exe.parent().ok_or("executable has no directory")?;
    let name = if cfg!(windows) {
        "NewRelicProfiler.dll"
    } else if cfg!(target_os = "macos") {
        "libNewRelicProfiler.dylib"
    } else {
        "libNewRelicProfiler.so"
    };
    let path = dir.join(name);
    if path.is_file() {
        Ok(path)
    } else {
        Err(format!("profiler library not found at {} (build it with `cargo build --release`, or pass --profiler)", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Options, String> {
        Options::parse(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn parses_options_and_command() {
        let o = parse(&[
            "--home",
            "/h",
            "--log-level",
            "finest",
            "--",
            "dotnet",
            "app.dll",
            "--x",
        ])
        .unwrap();
        assert_eq!(o.home, Some(PathBuf::from("/h")));
        assert_eq!(o.log_level.as_deref(), Some("finest"));
        assert_eq!(o.command, vec!["dotnet", "app.dll", "--x"]);
        assert!(parse(&[]).unwrap().command.is_empty());
        assert!(parse(&["--home"]).is_err());
        assert!(parse(&["--"]).is_err());
        assert!(parse(&["--bogus"]).is_err());
        assert!(parse(&["-h"]).unwrap().help);
    }
}
