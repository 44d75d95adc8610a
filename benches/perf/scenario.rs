//! Workloads × scenarios × profilers, and the environment each run gets.
//!
//! Every run of every scenario gets the same variables except the ones the
//! scenario is about, as in the prior-art harness (prior-art §3): S0 keeps
//! the profiler variables and only sets `CORECLR_ENABLE_PROFILING=0`.

use crate::prepare::{jit_home, Prepared};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const CORECLR_GUID: &str = "{36032161-FFC0-4B61-B559-F6C5D41BAE5A}";

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scenario {
    /// Profiling off.
    S0,
    /// Profiler loaded, process excluded: the bail-out cost.
    S1,
    /// Attached with the shipped configuration, nothing in the app matched.
    S2,
    /// S2 with the original's event mask (`NEW_RELIC_PROFILER_DISABLE_READY_TO_RUN=true`):
    /// ReadyToRun and tiered compilation off, as before issue 18.
    S2Orig,
    /// K app methods configured, rewritten and called.
    S3,
    /// Every app method configured.
    S4,
}

impl Scenario {
    pub const ALL: [Scenario; 6] = [
        Scenario::S0,
        Scenario::S1,
        Scenario::S2,
        Scenario::S2Orig,
        Scenario::S3,
        Scenario::S4,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Scenario::S0 => "S0",
            Scenario::S1 => "S1",
            Scenario::S2 => "S2",
            Scenario::S2Orig => "S2-orig",
            Scenario::S3 => "S3",
            Scenario::S4 => "S4",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Scenario::S0 => "profiler off",
            Scenario::S1 => "loaded, process excluded",
            Scenario::S2 => "attached, shipped config",
            Scenario::S2Orig => "S2 with the original mask (opt-out)",
            Scenario::S3 => "K methods rewritten",
            Scenario::S4 => "every app method rewritten",
        }
    }

    fn attached(self) -> bool {
        self != Scenario::S0
    }
}

/// The scenarios of the throughput rounds.
const STEADY: [Scenario; 3] = [Scenario::S0, Scenario::S2, Scenario::S2Orig];

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Workload {
    /// Generated console app with N methods, each called once.
    Jit(usize),
    /// `tests/apps/WebApp` serving the configured number of requests.
    Web,
    /// `tests/apps/WebApp` serving this many requests, the last quarter
    /// timed for steady-state throughput (its own rounds).
    WebSteady(usize),
}

impl Workload {
    pub fn key(self) -> String {
        match self {
            Workload::Jit(n) => format!("jit{n}"),
            Workload::Web => "web".to_string(),
            Workload::WebSteady(_) => "web-steady".to_string(),
        }
    }

    pub fn title(self, requests: usize) -> String {
        match self {
            Workload::Jit(n) => format!("JIT-{n}: console app, {n} methods each called once"),
            Workload::Web => {
                format!("ASP.NET Core: Kestrel + HttpClient, {requests} requests on 127.0.0.1")
            }
            Workload::WebSteady(n) => {
                format!(
                    "ASP.NET Core steady state: {n} requests, the last {} timed",
                    n / 4
                )
            }
        }
    }

    /// The web app's own methods are a handful; what the shipped
    /// configuration matches there is the framework's (ASP.NET Core and
    /// HttpClient points), so S2 already rewrites and S3/S4 add nothing.
    pub fn scenarios(self) -> &'static [Scenario] {
        match self {
            Workload::Jit(_) => &Scenario::ALL,
            Workload::Web => &Scenario::ALL[..4],
            Workload::WebSteady(_) => &STEADY,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Profiler {
    Ours,
    /// The C++ profiler named by `PERF_ORIGINAL_SO`.
    Original,
    /// `empty_profiler.c`: cancels its activation in `Initialize`, so its
    /// S1 is the runtime's own cost of loading and dropping a profiler.
    Empty,
}

impl Profiler {
    pub fn name(self) -> &'static str {
        match self {
            Profiler::Ours => "ours",
            Profiler::Original => "original",
            Profiler::Empty => "empty",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Variant {
    pub workload: Workload,
    pub scenario: Scenario,
    pub profiler: Profiler,
}

impl Variant {
    pub fn key(&self) -> String {
        format!(
            "{}-{}-{}",
            self.workload.key(),
            self.scenario.name(),
            self.profiler.name()
        )
    }
}

/// All variants of a run. The original gets no S0 (profiling off is the
/// same process whichever library is named) and no S2-orig (it does not
/// know the switch, so that row would repeat its S2).
pub fn variants(workloads: &[Workload], with_original: bool) -> Vec<Variant> {
    let mut out = Vec::new();
    for &workload in workloads {
        for &scenario in workload.scenarios() {
            out.push(Variant {
                workload,
                scenario,
                profiler: Profiler::Ours,
            });
            if with_original && !matches!(scenario, Scenario::S0 | Scenario::S2Orig) {
                out.push(Variant {
                    workload,
                    scenario,
                    profiler: Profiler::Original,
                });
            }
        }
    }
    out
}

/// The variables every measured process gets.
pub fn base_env(
    profiler_so: &Path,
    home: &Path,
    log_dir: &Path,
    attached: bool,
) -> BTreeMap<String, String> {
    let mut env = BTreeMap::new();
    let mut set = |k: &str, v: String| {
        env.insert(k.to_string(), v);
    };
    set(
        "CORECLR_ENABLE_PROFILING",
        if attached { "1" } else { "0" }.into(),
    );
    set("CORECLR_PROFILER", CORECLR_GUID.into());
    set("CORECLR_PROFILER_PATH", profiler_so.display().to_string());
    set("CORECLR_NEW_RELIC_HOME", home.display().to_string());
    set(
        "NEW_RELIC_PROFILER_LOG_DIRECTORY",
        log_dir.display().to_string(),
    );
    set("DOTNET_CLI_TELEMETRY_OPTOUT", "1".into());
    set("DOTNET_NOLOGO", "1".into());
    set("DOTNET_SKIP_FIRST_TIME_EXPERIENCE", "1".into());
    env
}

/// Program arguments and environment of one run of `variant`.
pub fn launch(
    variant: &Variant,
    prepared: &Prepared,
    original_so: Option<&Path>,
    requests: usize,
    log_dir: &Path,
) -> crate::process::Launch {
    let homes = prepared.perf.join("homes");
    let (dll, mut args, home): (PathBuf, Vec<String>, PathBuf) = match variant.workload {
        Workload::Jit(n) => {
            let dll = prepared
                .jit_dlls
                .iter()
                .find(|(size, _)| *size == n)
                .map(|(_, dll)| dll.clone())
                .expect("prepared JIT workload");
            let home = match variant.scenario {
                Scenario::S3 => jit_home(&homes, n, false),
                Scenario::S4 => jit_home(&homes, n, true),
                _ => prepared.home_linux.clone(),
            };
            (dll, Vec::new(), home)
        }
        Workload::Web => (
            prepared.web_dll.clone(),
            vec![requests.to_string()],
            prepared.home_linux.clone(),
        ),
        Workload::WebSteady(n) => (
            prepared.web_dll.clone(),
            vec![n.to_string(), (n - n / 4).to_string()],
            prepared.home_linux.clone(),
        ),
    };
    args.insert(0, dll.display().to_string());
    let so = match variant.profiler {
        Profiler::Ours => prepared.profiler.as_path(),
        Profiler::Original => original_so.expect("original profiler path"),
        Profiler::Empty => prepared
            .empty_profiler
            .as_deref()
            .expect("empty profiler library"),
    };
    let mut env = base_env(so, &home, log_dir, variant.scenario.attached());
    match variant.scenario {
        Scenario::S1 => {
            env.insert(
                "NEW_RELIC_EXCLUDED_APPLICATION_NAMES".into(),
                "dotnet".into(),
            );
        }
        Scenario::S2Orig => {
            env.insert(
                "NEW_RELIC_PROFILER_DISABLE_READY_TO_RUN".into(),
                "true".into(),
            );
        }
        _ => {}
    }
    crate::process::Launch {
        program: prepared.dotnet.clone(),
        args: args.into_iter().map(Into::into).collect(),
        env,
        output: prepared.perf.join("out").join(variant.key()),
    }
}

/// How many rewrites the run must show in the log (`Instrumenting method:`
/// lines), when that is known: a wrong number means the scenario did not
/// measure what it says.
pub fn expected_rewrites(variant: &Variant, k: usize) -> Option<usize> {
    if variant.profiler != Profiler::Ours {
        return None;
    }
    match (variant.workload, variant.scenario) {
        (_, Scenario::S0 | Scenario::S1) => Some(0),
        (Workload::Jit(_), Scenario::S2 | Scenario::S2Orig) => Some(0),
        (Workload::Jit(n), Scenario::S3) => Some(k.min(n)),
        (Workload::Jit(n), Scenario::S4) => Some(n),
        (Workload::Web | Workload::WebSteady(_), _) => None,
    }
}
