//! Shared machinery for the integration tests: building the C# fixtures
//! once per run with the local SDK, laying out agent homes, and running a
//! process under the freshly built profiler with a hermetic environment.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;
use wait_timeout::ChildExt;

pub use crate::outcome::{log_files, read_text, Log, Outcome};

pub use crate::target::*;

/// `CORECLR_PROFILER` GUIDs used by the agent's installers (reference-profiler §1.3).
pub const CORECLR_GUID: &str = "{36032161-FFC0-4B61-B559-F6C5D41BAE5A}";
pub const FRAMEWORK_GUID: &str = "{71DA0A04-7777-4EC6-9643-7D28B46A8A41}";

/// Set (to anything but `0`) when the suite runs every profiled process
/// with the original's event mask: `NEW_RELIC_PROFILER_DISABLE_READY_TO_RUN=true`
/// (issue 18). `.ci/run` runs the mask-specific modules once more this way;
/// `NR_TEST_DISABLE_READY_TO_RUN=1 cargo test --test integration <module>::`
/// does it by hand.
pub const OPT_OUT_SWITCH: &str = "NR_TEST_DISABLE_READY_TO_RUN";
/// The profiler's opt-out variable (`profiler::DISABLE_READY_TO_RUN_VARIABLE`).
pub const DISABLE_READY_TO_RUN: &str = "NEW_RELIC_PROFILER_DISABLE_READY_TO_RUN";

/// Whether this run of the suite uses the original's event mask.
pub fn opt_out_mode() -> bool {
    std::env::var(OPT_OUT_SWITCH).is_ok_and(|v| !v.is_empty() && v != "0")
}

/// Which event mask a profiled process runs with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mask {
    /// The default: ReadyToRun code and tiered compilation kept.
    KeepReadyToRun,
    /// `NEW_RELIC_PROFILER_DISABLE_READY_TO_RUN=true`: the original's mask.
    Original,
}

/// A process that takes longer than this is killed and the test fails.
const RUN_TIMEOUT: Duration = Duration::from_secs(180);

pub struct Fixtures {
    pub profiler: PathBuf,
    pub app_dll: PathBuf,
    /// `tests/apps/InstrumentedApp` (with the API stand-in and the netstandard2.0 library).
    pub instrumented_dll: PathBuf,
    /// `tests/apps/WebApp`: Kestrel plus HttpClient.
    pub web_dll: PathBuf,
    pub app_project: PathBuf,
    pub agent_dll: PathBuf,
    pub artifacts: PathBuf,
}

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `target/<profile>` of this test binary (`target/<profile>/deps/<test>`).
pub fn target_profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    exe.parent()
        .and_then(Path::parent)
        .expect("target/<profile>")
        .to_path_buf()
}

/// Fails loudly when the .NET SDK is missing: these tests are never skipped.
pub fn require_dotnet() {
    let ok = Command::new("dotnet")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    assert!(
        ok,
        "the integration tests need the .NET 10 SDK: `dotnet` was not found on PATH or does not run \
         (install it, or run only the unit tests with `cargo test --lib`)"
    );
}

/// The profiler library built from these sources for this test profile, or
/// the one `NR_PROFILER_LIBRARY` names (to run the suite against a packaged
/// or cross-built artifact, e.g. from `build_targets/package`).
pub fn profiler_library() -> &'static PathBuf {
    static LIBRARY: OnceLock<PathBuf> = OnceLock::new();
    LIBRARY.get_or_init(|| {
        let from_env = std::env::var_os("NR_PROFILER_LIBRARY");
        assert!(
            from_env.is_some() || target() == Target::Native,
            "NR_RUNTIME_TARGET={:?} needs NR_PROFILER_LIBRARY: the library built for that platform \
             (build_targets/runtime-check sets both)",
            target().rid()
        );
        if let Some(path) = from_env {
            let path = PathBuf::from(path);
            assert!(
                path.is_file(),
                "NR_PROFILER_LIBRARY={} is not a file",
                path.display()
            );
            eprintln!(
                "profiler under test: {} (NR_PROFILER_LIBRARY)",
                path.display()
            );
            return path;
        }
        let profile_dir = target_profile_dir();
        build_profiler_library(&profile_dir);
        let name = if cfg!(windows) {
            "NewRelicProfiler.dll"
        } else {
            "libNewRelicProfiler.so"
        };
        let profiler = profile_dir.join(name);
        assert!(
            profiler.is_file(),
            "profiler library not built at {}",
            profiler.display()
        );
        profiler
    })
}

/// Builds the fixtures under `tests/apps` once per test binary.
pub fn fixtures() -> &'static Fixtures {
    static FIXTURES: OnceLock<Fixtures> = OnceLock::new();
    FIXTURES.get_or_init(|| {
        require_dotnet();
        let profiler = profiler_library().clone();
        let profile_dir = target_profile_dir();
        let artifacts = profile_dir.join("test-dotnet");
        // The agent stand-in is a portable library: built once, for every target.
        dotnet_build(&manifest_dir().join("tests/apps/MockAgent"), &artifacts);
        if target() == Target::Native {
            // (Kestrel needs the ASP.NET Core runtime: only the native runs use it.)
            dotnet_build(&manifest_dir().join("tests/apps/WebApp"), &artifacts);
        }
        Fixtures {
            profiler,
            app_dll: build_app("ProfilerTestApp", "ProfilerTestApp"),
            instrumented_dll: build_app("InstrumentedApp", "InstrumentedApp"),
            web_dll: artifacts.join("bin/WebApp/release/WebApp.dll"),
            app_project: manifest_dir().join("tests/apps/ProfilerTestApp"),
            agent_dll: artifacts.join("bin/MockAgent/release/NewRelic.Agent.Core.dll"),
            artifacts,
        }
    })
}

/// `cargo test` builds the library as an rlib only; the tests need the
/// `cdylib` of the same sources and profile, so they build it (cargo has
/// released its lock by the time tests run).
fn build_profiler_library(profile_dir: &Path) {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let target_dir = profile_dir.parent().expect("target directory");
    let mut command = Command::new(cargo);
    command
        .args(["build", "--lib", "--quiet", "--manifest-path"])
        .arg(manifest_dir().join("Cargo.toml"))
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
        None => panic!("unexpected target layout {}", profile_dir.display()),
    }
    let status = command.status().expect("run cargo build --lib");
    assert!(status.success(), "building the profiler library failed");
}

/// Builds the app `tests/apps/<project>` for the target and returns its
/// main assembly: `dotnet build` natively, otherwise a self-contained
/// `dotnet publish -r <rid>` (the runtime of that platform beside the app).
pub fn build_app(project: &str, assembly: &str) -> PathBuf {
    let artifacts = target_profile_dir().join("test-dotnet");
    let source = manifest_dir().join("tests/apps").join(project);
    match target().rid() {
        None => {
            dotnet_build(&source, &artifacts);
            artifacts.join(format!("bin/{project}/release/{assembly}.dll"))
        }
        Some(rid) => {
            dotnet_command(
                &[
                    "publish",
                    "-c",
                    "Release",
                    "-r",
                    rid,
                    "--self-contained",
                    "--nologo",
                    "-v",
                    "quiet",
                    "--artifacts-path",
                ],
                &artifacts,
                &source,
            );
            let dll = artifacts.join(format!("publish/{project}/release_{rid}/{assembly}.dll"));
            assert!(dll.is_file(), "dotnet publish left no {}", dll.display());
            dll
        }
    }
}

/// Builds one C# project into the shared artifacts directory (Release).
pub fn dotnet_build(project: &Path, artifacts: &Path) {
    dotnet_command(
        &[
            "build",
            "-c",
            "Release",
            "--nologo",
            "-v",
            "quiet",
            "--artifacts-path",
        ],
        artifacts,
        project,
    );
}

fn dotnet_command(args: &[&str], artifacts: &Path, project: &Path) {
    let output = Command::new("dotnet")
        .args(args)
        .arg(artifacts)
        .arg(project)
        .env("DOTNET_CLI_TELEMETRY_OPTOUT", "1")
        .env("DOTNET_NOLOGO", "1")
        .env("DOTNET_SKIP_FIRST_TIME_EXPERIENCE", "1")
        .env_remove("CORECLR_ENABLE_PROFILING")
        .output()
        .expect("run dotnet build");
    assert!(
        output.status.success(),
        "dotnet {} {} failed:\n{}\n{}",
        args[0],
        project.display(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A temporary agent home: `newrelic.config`, `extensions/`, the test agent DLL.
pub struct Home {
    _dir: tempfile::TempDir,
    pub path: PathBuf,
}

pub const DEFAULT_CONFIG: &str = r#"<?xml version="1.0"?>
<configuration xmlns="urn:newrelic-config" agentEnabled="true">
  <service licenseKey="REPLACE_WITH_LICENSE_KEY" />
  <application><name>Profiler tests</name></application>
  <log level="info" />
</configuration>
"#;

impl Home {
    /// A complete home with the default configuration.
    pub fn new() -> Home {
        Home::named("nrhome")
    }

    /// A complete home whose directory name is `name` (may be non-ASCII).
    pub fn named(name: &str) -> Home {
        let dir = tempfile::Builder::new()
            .prefix("nrtest-")
            .tempdir()
            .expect("temp dir");
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.join("extensions")).unwrap();
        let home = Home { _dir: dir, path };
        home.write_config(DEFAULT_CONFIG);
        std::fs::copy(
            &fixtures().agent_dll,
            home.path.join("NewRelic.Agent.Core.dll"),
        )
        .unwrap();
        home
    }

    pub fn write_config(&self, text: &str) {
        std::fs::write(self.path.join("newrelic.config"), text).unwrap();
    }

    pub fn write_config_bytes(&self, bytes: &[u8]) {
        std::fs::write(self.path.join("newrelic.config"), bytes).unwrap();
    }

    /// Copies an extension file into `extensions/` (or `extensions/<sub>`).
    pub fn add_extension(&self, source: &Path, sub: Option<&str>) {
        let dir = match sub {
            Some(sub) => self.path.join("extensions").join(sub),
            None => self.path.join("extensions"),
        };
        std::fs::create_dir_all(&dir).unwrap();
        let name = source.file_name().expect("file name");
        std::fs::copy(source, dir.join(name)).unwrap();
    }

    /// Writes an extension file with this content.
    pub fn write_extension(&self, name: &str, xml: &str) {
        std::fs::write(self.path.join("extensions").join(name), xml).unwrap();
    }

    pub fn remove_config(&self) {
        std::fs::remove_file(self.path.join("newrelic.config")).unwrap();
    }

    pub fn remove_agent(&self) {
        std::fs::remove_file(self.path.join("NewRelic.Agent.Core.dll")).unwrap();
    }

    /// Moves the agent DLL into `netcore/` (the runtime-specific probe, §2.4).
    pub fn move_agent_to_netcore(&self) {
        std::fs::create_dir_all(self.path.join("netcore")).unwrap();
        std::fs::rename(
            self.path.join("NewRelic.Agent.Core.dll"),
            self.path.join("netcore/NewRelic.Agent.Core.dll"),
        )
        .unwrap();
    }
}

/// A scratch directory for logs and other outputs.
pub fn scratch() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("nrtest-")
        .tempdir()
        .expect("temp dir")
}

/// Environment variables that would leak the caller's profiler settings into a test.
fn is_profiler_variable(name: &str) -> bool {
    const PREFIXES: [&str; 4] = ["CORECLR_", "COR_", "NEW_RELIC", "NEWRELIC"];
    const EXACT: [&str; 7] = [
        "FUNCTIONS_WORKER_RUNTIME",
        "APP_POOL_ID",
        "ASPNETCORE_IIS_APP_POOL_ID",
        "HOME_EXPANDED",
        "_HANDLER",
        "NEWRELIC_TEST_AGENT_LOG",
        "ALLUSERSPROFILE",
    ];
    PREFIXES.iter().any(|p| name.starts_with(p)) || EXACT.contains(&name)
}

/// One process to run under the profiler.
pub struct Run {
    program: String,
    args: Vec<String>,
    env: BTreeMap<String, String>,
    cwd: Option<PathBuf>,
    timeout: Duration,
    /// A .NET app: launched by the target's runner (`target.rs`).
    managed: bool,
}

impl Run {
    /// `dotnet ProfilerTestApp.dll <args>` with the profiler attached
    /// through the CoreCLR GUID and nothing else configured.
    pub fn app(args: &[&str]) -> Run {
        Run::managed(&fixtures().app_dll, args)
    }

    /// `dotnet InstrumentedApp.dll <scenarios>`.
    pub fn instrumented(scenarios: &[&str]) -> Run {
        Run::managed(&fixtures().instrumented_dll, scenarios)
    }

    /// A .NET app: `dotnet App.dll <args>` natively; on another target its
    /// self-contained apphost, run by that target's runner (`target.rs`).
    pub fn managed(app_dll: &Path, args: &[&str]) -> Run {
        if target() == Target::Native {
            let dll = app_dll.display().to_string();
            let mut all = vec![dll.as_str()];
            all.extend_from_slice(args);
            return Run::command("dotnet", &all);
        }
        let mut run = Run::command(&apphost(app_dll).display().to_string(), args);
        run.managed = true;
        run
    }

    /// Detaches the profiler: the baseline run.
    pub fn without_profiler(self) -> Run {
        self.env("CORECLR_ENABLE_PROFILING", "0")
    }

    /// Any command with the profiler attached.
    pub fn command(program: &str, args: &[&str]) -> Run {
        let f = fixtures();
        let mut env = BTreeMap::new();
        env.insert("CORECLR_ENABLE_PROFILING".to_string(), "1".to_string());
        env.insert("CORECLR_PROFILER".to_string(), CORECLR_GUID.to_string());
        env.insert(
            "CORECLR_PROFILER_PATH".to_string(),
            f.profiler.display().to_string(),
        );
        env.insert("DOTNET_CLI_TELEMETRY_OPTOUT".to_string(), "1".to_string());
        env.insert("DOTNET_NOLOGO".to_string(), "1".to_string());
        env.insert(
            "DOTNET_SKIP_FIRST_TIME_EXPERIENCE".to_string(),
            "1".to_string(),
        );
        if opt_out_mode() {
            env.insert(DISABLE_READY_TO_RUN.to_string(), "true".to_string());
        }
        Run {
            program: program.to_string(),
            args: args.iter().map(|a| a.to_string()).collect(),
            env,
            cwd: None,
            timeout: RUN_TIMEOUT * target().slowdown(),
            managed: false,
        }
    }

    pub fn env(mut self, name: &str, value: impl AsRef<std::ffi::OsStr>) -> Run {
        self.env.insert(
            name.to_string(),
            value.as_ref().to_string_lossy().into_owned(),
        );
        self
    }

    /// Runs with this event mask whatever mode the suite runs in.
    pub fn mask(mut self, mask: Mask) -> Run {
        match mask {
            Mask::KeepReadyToRun => {
                self.env.remove(DISABLE_READY_TO_RUN);
            }
            Mask::Original => {
                self.env
                    .insert(DISABLE_READY_TO_RUN.to_string(), "true".to_string());
            }
        }
        self
    }

    /// `CORECLR_NEW_RELIC_HOME`.
    pub fn home(self, home: &Home) -> Run {
        self.env("CORECLR_NEW_RELIC_HOME", &home.path)
    }

    /// Removes a variable this run would otherwise set.
    pub fn unset(mut self, name: &str) -> Run {
        self.env.remove(name);
        self
    }

    /// `CORECLR_NEW_RELIC_HOME` set to any folder (an unpacked package).
    pub fn home_path(self, home: &Path) -> Run {
        self.env("CORECLR_NEW_RELIC_HOME", home)
    }

    /// `NEW_RELIC_PROFILER_LOG_DIRECTORY`.
    pub fn log_dir(self, dir: &Path) -> Run {
        self.env("NEW_RELIC_PROFILER_LOG_DIRECTORY", dir)
    }

    /// Kills the process and fails the test after `timeout` instead of
    /// the default 180 s (long measurements).
    pub fn timeout(mut self, timeout: Duration) -> Run {
        self.timeout = timeout;
        self
    }

    pub fn cwd(mut self, dir: &Path) -> Run {
        self.cwd = Some(dir.to_path_buf());
        self
    }

    pub fn run(self) -> Outcome {
        let mut command = if self.managed {
            runner(&self.program, &fixtures().profiler)
        } else {
            Command::new(&self.program)
        };
        let translate = |value: &String| {
            if self.managed {
                for_target(value)
            } else {
                value.clone()
            }
        };
        command.args(self.args.iter().map(translate));
        for (name, _) in std::env::vars_os() {
            if let Some(name) = name.to_str() {
                if is_profiler_variable(name) {
                    command.env_remove(name);
                }
            }
        }
        command.envs(self.env.iter().map(|(k, v)| (k, translate(v))));
        if let Some(cwd) = &self.cwd {
            command.current_dir(cwd);
        }
        let out_file = tempfile::tempfile().unwrap();
        let err_file = tempfile::tempfile().unwrap();
        command
            .stdout(out_file.try_clone().unwrap())
            .stderr(err_file.try_clone().unwrap())
            .stdin(Stdio::null());
        let mut child = command
            .spawn()
            .unwrap_or_else(|e| panic!("spawn {}: {e}", self.program));
        let status = match child.wait_timeout(self.timeout).unwrap() {
            Some(status) => status,
            None => {
                let _ = child.kill();
                panic!(
                    "{} {:?} did not finish within {:?}",
                    self.program, self.args, self.timeout
                );
            }
        };
        let read = |mut file: std::fs::File| {
            use std::io::{Read, Seek};
            let mut bytes = Vec::new();
            file.rewind().unwrap();
            file.read_to_end(&mut bytes).unwrap();
            // (Windows consoles write CRLF)
            String::from_utf8_lossy(&bytes).replace("\r\n", "\n")
        };
        Outcome {
            status,
            stdout: read(out_file),
            stderr: read(err_file),
        }
    }
}
