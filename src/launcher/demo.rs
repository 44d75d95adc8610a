//! The bundled demo: builds `tests/apps/DemoApp` and the test agent
//! (`tests/apps/MockAgent`, assembly `NewRelic.Agent.Core`), lays out an
//! agent home under `target/demo/`, runs the app under the profiler and
//! summarises what the profiler did.

use super::{attach, dotnet, Options};
use std::path::{Path, PathBuf};
use std::process::Command;

pub fn run(options: &Options, profiler: &Path) -> i32 {
    match run_demo(options, profiler) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("newrelic-profiler demo: {message}");
            1
        }
    }
}

fn run_demo(options: &Options, profiler: &Path) -> Result<i32, String> {
    let sources = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/apps");
    if !sources.is_dir() {
        return Err(format!(
            "the demo sources are not at {} (run it from the source tree)",
            sources.display()
        ));
    }
    let work = profiler
        .parent()
        .ok_or("profiler has no directory")?
        .join("demo");
    let artifacts = work.join("dotnet");
    println!("== Building the demo app and the test agent with the local .NET SDK");
    dotnet::build(&sources.join("DemoApp"), &artifacts)?;
    dotnet::build(&sources.join("MockAgent"), &artifacts)?;

    let home = options.home.clone().unwrap_or_else(|| work.join("home"));
    let logs = options.log_dir.clone().unwrap_or_else(|| work.join("logs"));
    if options.home.is_none() {
        lay_out_home(&home, &sources, &artifacts)?;
    }
    let _ = std::fs::remove_dir_all(&logs);

    println!("== Running DemoApp under {}", profiler.display());
    println!("   agent home: {}", home.display());
    let options = Options {
        home: Some(home),
        log_dir: Some(logs.clone()),
        log_level: options
            .log_level
            .clone()
            .or_else(|| Some("debug".to_string())),
        ..Options::default()
    };
    let mut command = Command::new("dotnet");
    command.arg(artifacts.join("bin/DemoApp/release/DemoApp.dll"));
    attach::configure(&mut command, &options, profiler);
    let status = command
        .status()
        .map_err(|e| format!("cannot run dotnet: {e}"))?;

    println!("== What the profiler did");
    summarise(&logs);
    Ok(status.code().unwrap_or(1))
}

fn lay_out_home(home: &Path, sources: &Path, artifacts: &Path) -> Result<(), String> {
    let io = |what: &str, e: std::io::Error| format!("{what}: {e}");
    std::fs::create_dir_all(home.join("extensions")).map_err(|e| io("create home", e))?;
    std::fs::write(home.join("newrelic.config"), DEMO_CONFIG)
        .map_err(|e| io("write newrelic.config", e))?;
    std::fs::copy(
        sources.join("DemoApp/Demo.Instrumentation.xml"),
        home.join("extensions/Demo.Instrumentation.xml"),
    )
    .map_err(|e| io("copy extension", e))?;
    std::fs::copy(
        artifacts.join("bin/MockAgent/release/NewRelic.Agent.Core.dll"),
        home.join("NewRelic.Agent.Core.dll"),
    )
    .map_err(|e| io("copy agent", e))?;
    Ok(())
}

const DEMO_CONFIG: &str = r#"<?xml version="1.0"?>
<configuration xmlns="urn:newrelic-config" agentEnabled="true">
  <service licenseKey="REPLACE_WITH_LICENSE_KEY" />
  <application><name>Rust profiler demo</name></application>
  <log level="info" />
</configuration>
"#;

/// Prints the log file path and its key lines.
fn summarise(logs: &Path) {
    let Ok(entries) = std::fs::read_dir(logs) else {
        println!(
            "   no log directory at {} — the profiler did not load",
            logs.display()
        );
        return;
    };
    let mut files: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    files.sort();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        let attached = text.lines().any(|l| l.ends_with(" Profiler initialized"));
        println!("   log file: {}", file.display());
        println!("   attached: {}", if attached { "yes" } else { "no" });
        for line in text.lines().filter(|l| is_key_line(l)) {
            println!("   | {line}");
        }
    }
}

fn is_key_line(line: &str) -> bool {
    const KEYS: [&str; 12] = [
        "Logger initialized.",
        "<-- New logging level set",
        "Found newrelic.config",
        "Identified ",
        "Instrumenting method",
        "Request reJIT",
        "Profiler initialized",
        "Profiler shutting down",
        "Profiler shutdown",
        "not be instrumented",
        "missing",
        "Unable to",
    ];
    line.starts_with("[Error]")
        || line.starts_with("[Warn ]")
        || KEYS.iter().any(|k| line.contains(k))
}
