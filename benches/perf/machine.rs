//! The machine and toolchain the numbers were taken on, detected at run
//! time so the report never describes a machine it did not run on.

use std::process::Command;

#[derive(Clone, Debug, Default)]
pub struct Machine {
    pub cpu: String,
    pub logical_cpus: usize,
    pub memory_gib: f64,
    pub kernel: String,
    pub os: String,
    pub dotnet_sdk: String,
    pub dotnet_runtime: String,
    pub rustc: String,
    pub gnuplot: String,
    pub commit: String,
}

fn command_output(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// The 1-minute load average: other work on the machine competes with
/// the measured processes for CPUs, which the report must disclose.
pub fn load_1min() -> f64 {
    read("/proc/loadavg")
        .split_whitespace()
        .next()
        .and_then(|v| v.parse().ok())
        .unwrap_or(f64::NAN)
}

fn read(path: &str) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

pub fn detect(dotnet: &std::path::Path) -> Machine {
    let cpuinfo = read("/proc/cpuinfo");
    let cpu = cpuinfo
        .lines()
        .find_map(|l| {
            l.strip_prefix("model name")
                .and_then(|r| r.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into());
    let logical_cpus = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let memory_gib = read("/proc/meminfo")
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map(|kib| kib / 1024.0 / 1024.0)
        .unwrap_or(0.0);
    let os = read("/etc/os-release")
        .lines()
        .find_map(|l| l.strip_prefix("PRETTY_NAME="))
        .map(|v| v.trim_matches('"').to_string())
        .unwrap_or_else(|| "unknown".into());
    let dotnet = dotnet.to_str().unwrap_or("dotnet");
    // The runtime the apps run on: the highest Microsoft.NETCore.App.
    let dotnet_runtime = command_output(dotnet, &["--list-runtimes"])
        .and_then(|text| {
            text.lines()
                .filter_map(|l| l.strip_prefix("Microsoft.NETCore.App "))
                .filter_map(|l| l.split_whitespace().next())
                .map(str::to_string)
                .next_back()
        })
        .unwrap_or_else(|| "unknown".into());
    let repo = crate::prepare::manifest_dir();
    let repo = repo.to_str().unwrap_or(".");
    let dirty = command_output(
        "git",
        &["-C", repo, "status", "--porcelain", "--untracked-files=no"],
    )
    .is_some_and(|s| !s.is_empty());
    let commit = command_output("git", &["-C", repo, "rev-parse", "--short=12", "HEAD"])
        .map(|c| {
            if dirty {
                format!("{c} (with local changes)")
            } else {
                c
            }
        })
        .unwrap_or_else(|| "unknown".into());
    Machine {
        cpu,
        logical_cpus,
        memory_gib,
        kernel: read("/proc/sys/kernel/osrelease").trim().to_string(),
        os,
        dotnet_sdk: command_output(dotnet, &["--version"]).unwrap_or_else(|| "unknown".into()),
        dotnet_runtime,
        rustc: command_output("rustc", &["--version"]).unwrap_or_else(|| "unknown".into()),
        gnuplot: command_output("gnuplot", &["--version"])
            .unwrap_or_else(|| "not installed".into()),
        commit,
    }
}

impl Machine {
    pub fn markdown(&self) -> String {
        format!(
            "| | |\n|---|---|\n\
             | CPU | {} ({} logical CPUs) |\n\
             | Memory | {:.1} GiB |\n\
             | OS, kernel | {}, Linux {} |\n\
             | .NET | runtime {} (SDK {}) |\n\
             | Rust | {} |\n\
             | Profiler commit | {} |\n",
            self.cpu,
            self.logical_cpus,
            self.memory_gib,
            self.os,
            self.kernel,
            self.dotnet_runtime,
            self.dotnet_sdk,
            self.rustc,
            self.commit
        )
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "cpu": self.cpu,
            "logical_cpus": self.logical_cpus,
            "memory_gib": self.memory_gib,
            "kernel": self.kernel,
            "os": self.os,
            "dotnet_sdk": self.dotnet_sdk,
            "dotnet_runtime": self.dotnet_runtime,
            "rustc": self.rustc,
            "gnuplot": self.gnuplot,
            "commit": self.commit,
        })
    }
}
