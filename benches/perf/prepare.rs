//! Everything the measurements need, built fresh on every run: the release
//! profiler, the C# apps (fixtures and generated workloads) and the agent
//! homes, all under `target/perf/`.

use crate::generate;
use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Prepared {
    /// `target/perf`.
    pub perf: PathBuf,
    pub profiler: PathBuf,
    /// `dotnet` on PATH, resolved once.
    pub dotnet: PathBuf,
    pub web_dll: PathBuf,
    pub percall_dll: PathBuf,
    /// (N, dll) per generated JIT workload.
    pub jit_dlls: Vec<(usize, PathBuf)>,
    /// `home-linux` + the no-op agent (S1, S2, S2-orig, the web workload).
    pub home_linux: PathBuf,
    /// `empty_profiler.c` built with the C compiler, when there is one.
    pub empty_profiler: Option<PathBuf>,
}

pub fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `target/` of this bench binary (`target/<profile>/deps/perf-…`).
fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("bench executable path");
    exe.ancestors()
        .nth(3)
        .expect("target/<profile>/deps/<bench>")
        .to_path_buf()
}

pub fn shipped_home(configured: Option<&Path>) -> PathBuf {
    configured
        .map(Path::to_path_buf)
        .unwrap_or_else(|| manifest_dir().join("../shared/testdata/newrelic/home-linux"))
}

pub fn prepare(options: &crate::options::Options) -> Result<Prepared, String> {
    let target = target_dir();
    let perf = target.join("perf");
    std::fs::create_dir_all(&perf).map_err(|e| format!("{}: {e}", perf.display()))?;
    let dotnet = crate::process::which("dotnet")
        .ok_or("the performance runner needs the .NET 10 SDK: `dotnet` is not on PATH")?;

    eprintln!("perf: building the release profiler");
    let profiler = build_profiler(&target)?;
    if let Some(original) = &options.original_so {
        if !original.is_file() {
            return Err(format!(
                "PERF_ORIGINAL_SO: {} is not a file",
                original.display()
            ));
        }
    }

    eprintln!("perf: building the .NET apps");
    let artifacts = perf.join("dotnet");
    let apps = manifest_dir().join("tests/apps");
    for project in ["NoopAgent", "PerCallApp", "WebApp"] {
        crate::dotnet_build::build(&apps.join(project), &artifacts)?;
    }
    let mut jit_dlls = Vec::new();
    for &n in &options.jit_sizes {
        let name = generate::assembly_name(n);
        let dir = perf.join("apps").join(&name);
        write_if_changed(
            &dir.join(format!("{name}.csproj")),
            &generate::project(&apps.join("Directory.Build.props")),
        )?;
        write_if_changed(&dir.join("Program.cs"), &generate::program(n))?;
        crate::dotnet_build::build(&dir, &artifacts)?;
        jit_dlls.push((n, artifacts.join(format!("bin/{name}/release/{name}.dll"))));
    }
    let bin = |project: &str, dll: &str| artifacts.join(format!("bin/{project}/release/{dll}.dll"));
    let noop_agent = bin("NoopAgent", "NewRelic.Agent.Core");

    eprintln!("perf: laying out the agent homes");
    let shipped = shipped_home(options.home_linux.as_deref());
    if !shipped.join("newrelic.config").is_file() {
        return Err(format!(
            "the shipped agent home is expected at {} (../shared/testdata beside the repository, \
             or PERF_HOME_LINUX=<dir>)",
            shipped.display()
        ));
    }
    let homes = perf.join("homes");
    let home_linux = homes.join("linux");
    make_home(&home_linux, &shipped, &noop_agent, None)?;
    for (n, _) in &jit_dlls {
        let k = generate::spread(*n, options.k);
        let all: Vec<usize> = (0..*n).collect();
        make_home(
            &jit_home(&homes, *n, false),
            &shipped,
            &noop_agent,
            Some(&generate::extension(*n, &k)),
        )?;
        make_home(
            &jit_home(&homes, *n, true),
            &shipped,
            &noop_agent,
            Some(&generate::extension(*n, &all)),
        )?;
    }
    make_home(
        &homes.join("percall"),
        &shipped,
        &noop_agent,
        Some(&generate::percall_extension()),
    )?;

    let empty_profiler = build_empty_profiler(&perf);
    Ok(Prepared {
        empty_profiler,
        web_dll: bin("WebApp", "WebApp"),
        percall_dll: bin("PerCallApp", "PerCallApp"),
        perf,
        profiler,
        dotnet,
        jit_dlls,
        home_linux,
    })
}

/// The home of S3 (`all == false`: K methods) or S4 (every method) for JIT-N.
pub fn jit_home(homes: &Path, n: usize, all: bool) -> PathBuf {
    homes.join(format!("jit{n}-{}", if all { "all" } else { "k" }))
}

/// `target/perf/empty/libEmptyProfiler.so` from `empty_profiler.c`; `None`
/// (with a line saying so) when `cc` is missing or fails, and the bail-out
/// table then has no empty-profiler row.
fn build_empty_profiler(perf: &Path) -> Option<PathBuf> {
    let dir = perf.join("empty");
    let so = dir.join("libEmptyProfiler.so");
    let source = manifest_dir().join("benches/perf/empty_profiler.c");
    let built = std::fs::create_dir_all(&dir).is_ok()
        && Command::new("cc")
            .args(["-shared", "-fPIC", "-O2", "-o"])
            .arg(&so)
            .arg(&source)
            .status()
            .is_ok_and(|s| s.success());
    if !built {
        eprintln!(
            "perf: could not build {} with cc: no empty-profiler baseline",
            source.display()
        );
    }
    built.then_some(so)
}

fn build_profiler(target: &Path) -> Result<PathBuf, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .args(["build", "--release", "--lib", "--quiet", "--manifest-path"])
        .arg(manifest_dir().join("Cargo.toml"))
        .arg("--target-dir")
        .arg(target)
        .status()
        .map_err(|e| format!("run cargo build: {e}"))?;
    if !status.success() {
        return Err("cargo build --release --lib failed".into());
    }
    let so = target.join("release/libNewRelicProfiler.so");
    if !so.is_file() {
        return Err(format!("the profiler was not built at {}", so.display()));
    }
    Ok(so)
}

/// Writes only when the content differs, so `dotnet build` stays incremental.
fn write_if_changed(path: &Path, content: &str) -> Result<(), String> {
    if std::fs::read_to_string(path).is_ok_and(|old| old == content) {
        return Ok(());
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    std::fs::write(path, content).map_err(|e| format!("{}: {e}", path.display()))
}

/// `newrelic.config` and `extensions/` of the shipped home, the no-op agent
/// as `NewRelic.Agent.Core.dll`, and optionally one generated extension file.
fn make_home(
    dir: &Path,
    shipped: &Path,
    agent: &Path,
    extension: Option<&str>,
) -> Result<(), String> {
    let io = |e: std::io::Error| format!("{}: {e}", dir.display());
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(io)?;
    }
    std::fs::create_dir_all(dir.join("extensions")).map_err(io)?;
    std::fs::copy(shipped.join("newrelic.config"), dir.join("newrelic.config")).map_err(io)?;
    let entries = std::fs::read_dir(shipped.join("extensions")).map_err(io)?;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_file() {
            std::fs::copy(&path, dir.join("extensions").join(entry.file_name())).map_err(io)?;
        }
    }
    std::fs::copy(agent, dir.join("NewRelic.Agent.Core.dll")).map_err(io)?;
    if let Some(xml) = extension {
        std::fs::write(dir.join("extensions/Perf.Generated.xml"), xml).map_err(io)?;
    }
    Ok(())
}
