//! Setting a recorded scenario up again and running it under our library:
//! the agent home, the scratch files, exactly the recorded environment
//! (`env -i` plus the listed variables), then our log and stdout with the
//! recordings' placeholders (`<home>`, `<logs>`, `<app>`, `<dotnet>`,
//! `<DOTNET>`, `<tmp>`, `<lib>`, `<pid>`, `<time>`, `<clock>`).

use super::lines::{is_log_line, mask_ids, mask_time};
use crate::support::{dotnet_build, fixtures, CORECLR_GUID};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;
use wait_timeout::ChildExt;

const RUN_TIMEOUT: Duration = Duration::from_secs(300);

/// The recorded applications (`tests/apps/<name>`, Release, net10.0); the
/// variants are the project names.
#[derive(Clone, Copy, Debug)]
#[allow(clippy::enum_variant_names)]
pub enum App {
    ProfilerTestApp,
    InstrumentedApp,
    WebApp,
    LiveApp,
    ThreadProfileApp,
}

impl App {
    fn name(self) -> &'static str {
        match self {
            App::ProfilerTestApp => "ProfilerTestApp",
            App::InstrumentedApp => "InstrumentedApp",
            App::WebApp => "WebApp",
            App::LiveApp => "LiveApp",
            App::ThreadProfileApp => "ThreadProfileApp",
        }
    }

    /// The app's build output directory (`<app>`), built once per run.
    pub fn dir(self) -> PathBuf {
        static BUILT: OnceLock<()> = OnceLock::new();
        let f = fixtures();
        BUILT.get_or_init(|| {
            for extra in ["LiveApp", "ThreadProfileApp"] {
                dotnet_build(
                    &Path::new(env!("CARGO_MANIFEST_DIR"))
                        .join("tests/apps")
                        .join(extra),
                    &f.artifacts,
                );
            }
        });
        f.artifacts.join("bin").join(self.name()).join("release")
    }
}

/// A scenario's agent home and scratch space, laid out as `setup.md` says.
pub struct Scene {
    _dir: tempfile::TempDir,
    pub home: PathBuf,
    pub logs: PathBuf,
    pub tmp: PathBuf,
    /// The working directory (no `newrelic.config` in it).
    cwd: PathBuf,
    /// `CORECLR_NEW_RELIC_HOME`; `Some("")` for the empty variable.
    home_variable: Option<String>,
    env: Vec<(String, String)>,
}

impl Scene {
    /// A home with the test agent, `config` as `newrelic.config` and an
    /// empty `extensions/`.
    pub fn new(config: &str) -> Scene {
        let dir = tempfile::Builder::new()
            .prefix("nrref-")
            .tempdir()
            .expect("temp dir");
        let home = dir.path().join("home");
        let logs = dir.path().join("logs");
        let tmp = dir.path().join("tmp");
        let cwd = tmp.join("cwd");
        for d in [&home.join("extensions"), &logs, &cwd] {
            std::fs::create_dir_all(d).unwrap();
        }
        std::fs::write(home.join("newrelic.config"), config).unwrap();
        std::fs::copy(&fixtures().agent_dll, home.join("NewRelic.Agent.Core.dll")).unwrap();
        Scene {
            home_variable: Some(home.display().to_string()),
            _dir: dir,
            home,
            logs,
            tmp,
            cwd,
            env: Vec::new(),
        }
    }

    pub fn env(mut self, name: &str, value: impl Into<String>) -> Scene {
        self.env.push((name.to_string(), value.into()));
        self
    }

    /// `CORECLR_NEW_RELIC_HOME` set to the empty string.
    pub fn empty_home_variable(mut self) -> Scene {
        self.home_variable = Some(String::new());
        self
    }

    pub fn write(&self, relative_to_home: &str, bytes: &[u8]) -> &Scene {
        let path = self.home.join(relative_to_home);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
        self
    }

    pub fn write_tmp(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.tmp.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    pub fn remove(&self, relative_to_home: &str) {
        std::fs::remove_file(self.home.join(relative_to_home)).unwrap();
    }

    /// Runs `dotnet <app>/<App>.dll <args>` under our library with exactly
    /// the recorded environment.
    pub fn run(&self, app: App, args: &[String]) -> Ran {
        self.run_with(&fixtures().profiler, app, args)
    }

    /// The same under `library` (side by side: the original's).
    pub fn run_with(&self, library: &Path, app: App, args: &[String]) -> Ran {
        let dotnet = dotnet_root();
        let app_dir = app.dir();
        let mut command = Command::new(dotnet.join("dotnet"));
        command
            .arg(app_dir.join(format!("{}.dll", app.name())))
            .args(args)
            .current_dir(&self.cwd)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", std::env::var_os("HOME").unwrap_or_default())
            .env("DOTNET_CLI_TELEMETRY_OPTOUT", "1")
            .env("DOTNET_NOLOGO", "1")
            .env("CORECLR_ENABLE_PROFILING", "1")
            .env("CORECLR_PROFILER", CORECLR_GUID)
            .env("CORECLR_PROFILER_PATH", library)
            .env("NEW_RELIC_PROFILER_LOG_DIRECTORY", &self.logs)
            .env("NEWRELIC_TEST_AGENT_LOG", self.tmp.join("agent.log"))
            // The recordings were made with the original's event mask
            // (ReadyToRun code ignored, every method JIT-compiled). Our
            // default may keep ReadyToRun code; this variable asks for the
            // original's mask, so the same methods raise JIT callbacks and
            // the per-function lines are comparable. (Unknown variables are
            // ignored, so it is harmless where it means nothing.)
            .env("NEW_RELIC_PROFILER_DISABLE_READY_TO_RUN", "true")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(home) = &self.home_variable {
            command.env("CORECLR_NEW_RELIC_HOME", home);
        }
        for (name, value) in &self.env {
            command.env(name, value);
        }
        let mut child = command.spawn().expect("run dotnet");
        let mut stdout = child.stdout.take().expect("stdout");
        let mut stderr = child.stderr.take().expect("stderr");
        let out = std::thread::spawn(move || read_all(&mut stdout));
        let err = std::thread::spawn(move || read_all(&mut stderr));
        let status = match child.wait_timeout(RUN_TIMEOUT).expect("wait") {
            Some(status) => status,
            None => {
                let _ = child.kill();
                panic!(
                    "{} {args:?} did not finish within {RUN_TIMEOUT:?}",
                    app.name()
                );
            }
        };
        let stdout = out.join().expect("stdout reader");
        let stderr = err.join().expect("stderr reader");
        let placeholders = self.placeholders(&app_dir, &dotnet, library);
        let pid = stdout
            .lines()
            .find_map(|l| l.strip_prefix("PID="))
            .map(|p| p.trim().to_string());
        let log = pid.as_ref().and_then(|pid| {
            std::fs::read_to_string(self.logs.join(format!("NewRelic.Profiler.{pid}.log"))).ok()
        });
        Ran {
            status: exit_code(status),
            agent_log: std::fs::read_to_string(self.tmp.join("agent.log")).unwrap_or_default(),
            log: log.map(|text| normalise(&text, &placeholders)),
            stdout: normalise_stdout(&stdout, &placeholders),
            raw_stdout: stdout,
            stderr,
            log_files: std::fs::read_dir(&self.logs)
                .map(|d| d.count())
                .unwrap_or(0),
        }
    }

    /// Longest first, so a path inside another is replaced whole.
    fn placeholders(&self, app: &Path, dotnet: &Path, library: &Path) -> Vec<(String, String)> {
        let mut pairs = vec![
            (self.home.display().to_string(), "<home>".to_string()),
            (self.logs.display().to_string(), "<logs>".to_string()),
            (app.display().to_string(), "<app>".to_string()),
            (library.display().to_string(), "<lib>".to_string()),
            (self.tmp.display().to_string(), "<tmp>".to_string()),
            (dotnet.display().to_string(), "<dotnet>".to_string()),
            (
                dotnet.display().to_string().to_uppercase(),
                "<DOTNET>".to_string(),
            ),
        ];
        pairs.sort_by_key(|(from, _)| std::cmp::Reverse(from.len()));
        pairs
    }
}

/// The exit code, or 128 + the signal as a shell reports it (an abort is 134).
fn exit_code(status: std::process::ExitStatus) -> Option<i32> {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        status
            .code()
            .or_else(|| status.signal().map(|signal| 128 + signal))
    }
    #[cfg(not(unix))]
    {
        status.code()
    }
}

fn read_all(reader: &mut impl std::io::Read) -> String {
    let mut bytes = Vec::new();
    let _ = reader.read_to_end(&mut bytes);
    String::from_utf8_lossy(&bytes).into_owned()
}

/// The .NET install `dotnet` on PATH belongs to (`<dotnet>`).
pub fn dotnet_root() -> PathBuf {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    ROOT.get_or_init(|| {
        let path = std::env::var_os("PATH").unwrap_or_default();
        let found = std::env::split_paths(&path)
            .map(|dir| dir.join("dotnet"))
            .find(|candidate| candidate.is_file())
            .expect("dotnet is not on PATH (the reference runs need the .NET 10 SDK)");
        std::fs::canonicalize(&found)
            .expect("resolve dotnet")
            .parent()
            .expect("dotnet's directory")
            .to_path_buf()
    })
    .clone()
}

/// What one run produced, normalised like the recordings.
pub struct Ran {
    /// The exit code (128 + signal when killed by one).
    pub status: Option<i32>,
    /// What the test agent recorded (`NEWRELIC_TEST_AGENT_LOG`).
    pub agent_log: String,
    /// The profiler log (ids masked), if the process wrote one.
    pub log: Option<Vec<String>>,
    /// Standard output, placeholders applied.
    pub stdout: Vec<String>,
    pub raw_stdout: String,
    pub stderr: String,
    /// Files in the log directory.
    pub log_files: usize,
}

impl Ran {
    /// The log lines, from the file or — console mode — from stdout.
    pub fn log_lines(&self, console: bool) -> Vec<String> {
        if console {
            return self
                .stdout
                .iter()
                .filter(|l| is_log_line(l))
                .map(|l| mask_ids(l))
                .collect();
        }
        self.log.clone().unwrap_or_else(|| {
            panic!(
                "no profiler log was written\nstdout:\n{}\nstderr:\n{}",
                self.raw_stdout, self.stderr
            )
        })
    }
}

fn apply(line: &str, placeholders: &[(String, String)]) -> String {
    let mut out = line.to_string();
    for (from, to) in placeholders {
        if !from.is_empty() {
            out = out.replace(from.as_str(), to);
        }
    }
    out
}

fn normalise(text: &str, placeholders: &[(String, String)]) -> Vec<String> {
    text.lines()
        .map(|l| mask_ids(&mask_time(&apply(l, placeholders))))
        .collect()
}

/// `PID=<pid>`, `<clock>` readings in WebApp's `PERF_TIMESTAMPS`, and the
/// log lines' `<time>`.
fn normalise_stdout(text: &str, placeholders: &[(String, String)]) -> Vec<String> {
    text.lines()
        .map(|l| {
            let l = mask_time(&apply(l, placeholders));
            if l.starts_with("PID=") {
                "PID=<pid>".to_string()
            } else if let Some(rest) = l.strip_prefix("PERF_TIMESTAMPS ") {
                let masked: Vec<String> = rest
                    .split(' ')
                    .map(|field| match field.split_once('=') {
                        Some((name, _)) if name == "main" || name == "end" => {
                            format!("{name}=<clock>")
                        }
                        _ => field.to_string(),
                    })
                    .collect();
                format!("PERF_TIMESTAMPS {}", masked.join(" "))
            } else {
                l
            }
        })
        .collect()
}
