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
    let profiler = match options.profiler.clone().map(Ok).unwrap_or_else(default_profiler_path) {
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
        let o = parse(&["--home", "/h", "--log-level", "finest", "--", "dotnet", "app.dll", "--x"]).unwrap();
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
