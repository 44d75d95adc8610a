//! The measurement loops: interleaved rounds over all variants, the
//! separate counter runs, and the per-call runs.
//!
//! Interleaving: every round runs every variant once, in an order shuffled
//! per round (fixed seed), so slow drift (thermal, page cache, other load)
//! and order effects (a run after a heavy one) hit every scenario alike
//! instead of biasing whichever ran in a block. Warm-up rounds are run the
//! same way and discarded; they fill the page cache with the runtime and
//! the apps.

use crate::counters::{self, Counters};
use crate::prepare::Prepared;
use crate::process::{self, Launch};
use crate::scenario::{self, Profiler, Scenario, Variant, Workload};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One measured run.
#[derive(Clone, Debug)]
pub struct Sample {
    pub wall_ms: f64,
    pub main_ms: Option<f64>,
    pub in_main_ms: Option<f64>,
    pub rss_mib: f64,
    pub cpu_ms: f64,
    /// Requests per second after warm-up (web workload).
    pub throughput_rps: Option<f64>,
    /// `Instrumenting method:` lines in the profiler log.
    pub rewrites: Option<usize>,
}

/// xorshift64*: a deterministic shuffle needs no crate.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Fisher–Yates.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            items.swap(i, j);
        }
    }
}

fn fresh_dir(path: &Path) -> Result<PathBuf, String> {
    if path.exists() {
        std::fs::remove_dir_all(path).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    std::fs::create_dir_all(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path.to_path_buf())
}

fn log_path(dir: &Path, pid: u32) -> PathBuf {
    dir.join(format!("NewRelic.Profiler.{pid}.log"))
}

/// Runs once and checks the app did its work and the profiler did what the
/// scenario says (outside the timed part).
fn run_checked(
    variant: &Variant,
    launch: &Launch,
    log_dir: &Path,
    k: usize,
) -> Result<(Sample, u32), String> {
    let m = process::run(launch)?;
    let context = || format!("{} (pid {})", variant.key(), m.pid);
    match variant.workload {
        Workload::Jit(n) => {
            let check = process::output_value(&m.stdout, "CHECK");
            let expected = crate::generate::expected_check(n).to_string();
            if check != Some(expected.as_str()) {
                return Err(format!(
                    "{}: CHECK={check:?}, expected {expected}",
                    context()
                ));
            }
        }
        Workload::Web | Workload::WebSteady(_) => {
            if !m.stdout.lines().any(|l| l.trim() == "done") {
                return Err(format!(
                    "{}: the web app did not finish:\n{}",
                    context(),
                    m.stdout
                ));
            }
        }
    }
    if m.main_ms.is_none() {
        return Err(format!(
            "{}: no PERF_TIMESTAMPS line in the output",
            context()
        ));
    }
    let rewrites = counters::count_messages(log_dir, m.pid, "Instrumenting method:");
    if let Some(expected) = scenario::expected_rewrites(variant, k) {
        let found = rewrites.unwrap_or(0);
        if found != expected {
            return Err(format!(
                "{}: {found} methods rewritten, the scenario needs {expected} (log in {})",
                context(),
                log_dir.display()
            ));
        }
    }
    if variant.scenario == Scenario::S1 && variant.profiler == Profiler::Ours {
        let bailed = counters::count_messages(
            log_dir,
            m.pid,
            "This process should not be instrumented, unloading profiler.",
        );
        if bailed != Some(1) {
            return Err(format!("{}: the profiler did not bail out", context()));
        }
    }
    let sample = Sample {
        wall_ms: m.wall_ms,
        main_ms: m.main_ms,
        in_main_ms: m.in_main_ms,
        rss_mib: m.max_rss_kib as f64 / 1024.0,
        cpu_ms: m.cpu_ms,
        throughput_rps: m.throughput_rps,
        rewrites,
    };
    Ok((sample, m.pid))
}

/// How many rounds, and what to call them in logs and directories.
pub struct Plan<'a> {
    pub name: &'a str,
    pub warmups: usize,
    pub runs: usize,
}

/// The interleaved rounds. Returns the measured samples of each variant
/// and the 1-minute load average after each round.
pub fn rounds(
    variants: &[Variant],
    prepared: &Prepared,
    options: &crate::options::Options,
    plan: &Plan,
) -> Result<(Vec<Vec<Sample>>, Vec<f64>), String> {
    let logs = fresh_dir(&prepared.perf.join("logs").join(plan.name))?;
    std::fs::create_dir_all(prepared.perf.join("out")).map_err(|e| e.to_string())?;
    let mut samples = vec![Vec::new(); variants.len()];
    let mut rng = Rng::new(0x5eed_0f9e_2f00);
    let (warmups, total) = (plan.warmups, plan.warmups + plan.runs);
    let started = std::time::Instant::now();
    let mut loads = Vec::new();
    for round in 0..total {
        let mut order: Vec<usize> = (0..variants.len()).collect();
        rng.shuffle(&mut order);
        for &i in &order {
            let variant = &variants[i];
            let log_dir = logs.join(variant.key());
            std::fs::create_dir_all(&log_dir).map_err(|e| e.to_string())?;
            let launch = scenario::launch(
                variant,
                prepared,
                options.original_so.as_deref(),
                options.requests,
                &log_dir,
            );
            let (sample, pid) = run_checked(variant, &launch, &log_dir, options.k)?;
            // Keep only the last log of each variant (S4 logs are megabytes).
            if round + 1 < total {
                let _ = std::fs::remove_file(log_path(&log_dir, pid));
            }
            if round >= warmups {
                samples[i].push(sample);
            }
        }
        loads.push(crate::machine::load_1min());
        eprintln!(
            "perf: {} round {}/{total} ({}) done after {:.0} s, load average {:.1}",
            plan.name,
            round + 1,
            if round < warmups {
                "warm-up"
            } else {
                "measured"
            },
            started.elapsed().as_secs_f64(),
            loads[loads.len() - 1]
        );
    }
    Ok((samples, loads))
}

/// Separate runs with `NEWRELIC_PROFILER_COUNTERS=1` for every variant of
/// our profiler from S2 on (in S1 it detaches before it could print them):
/// the counters cost time themselves, so they are never on in the timed
/// rounds. The median over the runs of each field.
pub fn counter_runs(
    variants: &[Variant],
    prepared: &Prepared,
    options: &crate::options::Options,
) -> Result<BTreeMap<Variant, Counters>, String> {
    let logs = fresh_dir(&prepared.perf.join("logs/counters"))?;
    let mut out = BTreeMap::new();
    for variant in variants
        .iter()
        .filter(|v| v.profiler == Profiler::Ours && v.scenario >= Scenario::S2)
    {
        let log_dir = logs.join(variant.key());
        std::fs::create_dir_all(&log_dir).map_err(|e| e.to_string())?;
        let mut runs = Vec::new();
        for _ in 0..options.counter_runs {
            let mut launch = scenario::launch(variant, prepared, None, options.requests, &log_dir);
            launch
                .env
                .insert("NEWRELIC_PROFILER_COUNTERS".into(), "1".into());
            let (_, pid) = run_checked(variant, &launch, &log_dir, options.k)?;
            runs.push(counters::read(&log_dir, pid));
        }
        out.insert(*variant, counters::median_of(&runs));
    }
    eprintln!("perf: counter runs done");
    Ok(out)
}

/// Per-call variants: how `PerCall.Target.Work` runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum PerCall {
    /// (a) Profiling off.
    Off,
    /// Profiler attached, the method not configured (tiering and R2R off).
    Attached,
    /// (b) Instrumented, default (cached agent-method lookup).
    Cached,
    /// (c) Instrumented, `NEW_RELIC_DISABLE_APPDOMAIN_CACHING=true`
    /// (lookup and `MethodBase.Invoke` on every call).
    Uncached,
    /// The original profiler, instrumented, its default.
    Original,
    /// (e) Instrumented through the .NET Framework path (§5.4.1, §5.5):
    /// the `MethodInfo` from AppDomain storage through the helper injected
    /// into CoreLib, then `MethodBase.Invoke`, on every call. CoreCLR runs
    /// it under the profiler's test switch; the helper call, the AppDomain
    /// data lookup and the reflective invoke are the same operations a
    /// .NET Framework process performs.
    Framework,
}

impl PerCall {
    pub fn name(self) -> &'static str {
        match self {
            PerCall::Off => "(a) profiler off",
            PerCall::Attached => "(a') attached, not instrumented",
            PerCall::Cached => "(b) instrumented, cached (default)",
            PerCall::Uncached => "(c) instrumented, DISABLE_APPDOMAIN_CACHING=true",
            PerCall::Original => "(d) original profiler, instrumented",
            PerCall::Framework => {
                "(e) instrumented, .NET Framework path: AppDomain-cached MethodInfo + Invoke"
            }
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            PerCall::Off => "off",
            PerCall::Attached => "attached",
            PerCall::Cached => "cached",
            PerCall::Uncached => "uncached",
            PerCall::Original => "original",
            PerCall::Framework => "framework",
        }
    }
}

/// ns/call of each per-call variant (one value per process: the median over
/// its timed batches), the processes interleaved like the rounds.
pub fn percall_runs(
    prepared: &Prepared,
    options: &crate::options::Options,
) -> Result<BTreeMap<PerCall, Vec<f64>>, String> {
    let logs = fresh_dir(&prepared.perf.join("logs/percall"))?;
    std::fs::create_dir_all(prepared.perf.join("out")).map_err(|e| e.to_string())?;
    let mut kinds = vec![
        PerCall::Off,
        PerCall::Attached,
        PerCall::Cached,
        PerCall::Uncached,
        PerCall::Framework,
    ];
    if options.original_so.is_some() {
        kinds.push(PerCall::Original);
    }
    let mut out: BTreeMap<PerCall, Vec<f64>> = BTreeMap::new();
    let mut rng = Rng::new(0xca11);
    for _ in 0..options.percall_runs {
        rng.shuffle(&mut kinds);
        for &kind in &kinds {
            let log_dir = logs.join(kind.key());
            std::fs::create_dir_all(&log_dir).map_err(|e| e.to_string())?;
            let home = if kind == PerCall::Attached {
                prepared.home_linux.clone()
            } else {
                prepared.perf.join("homes/percall")
            };
            let so = match kind {
                PerCall::Original => options.original_so.clone().expect("original"),
                _ => prepared.profiler.clone(),
            };
            let mut env = scenario::base_env(&so, &home, &log_dir, kind != PerCall::Off);
            if kind == PerCall::Uncached {
                env.insert("NEW_RELIC_DISABLE_APPDOMAIN_CACHING".into(), "true".into());
            }
            if kind == PerCall::Framework {
                env.insert(
                    "NEWRELIC_PROFILER_TEST_FRAMEWORK_HELPERS".into(),
                    "1".into(),
                );
            }
            let launch = Launch {
                program: prepared.dotnet.clone(),
                args: vec![
                    prepared.percall_dll.clone().into(),
                    format!("{}", options.percall_seconds).into(),
                ],
                env,
                output: prepared
                    .perf
                    .join("out")
                    .join(format!("percall-{}", kind.key())),
            };
            let m = process::run(&launch)?;
            let ns = process::output_value(&m.stdout, "NS_PER_CALL_MEDIAN")
                .and_then(|v| v.parse::<f64>().ok())
                .ok_or_else(|| {
                    format!(
                        "per-call {}: no NS_PER_CALL_MEDIAN:\n{}",
                        kind.key(),
                        m.stdout
                    )
                })?;
            let rewrites = counters::count_messages(&log_dir, m.pid, "Instrumenting method:");
            let instrumented = matches!(
                kind,
                PerCall::Cached | PerCall::Uncached | PerCall::Original | PerCall::Framework
            );
            if kind != PerCall::Original
                && kind != PerCall::Off
                && (rewrites == Some(1)) != instrumented
            {
                return Err(format!(
                    "per-call {}: {rewrites:?} rewrites in the log, expected {}",
                    kind.key(),
                    u8::from(instrumented)
                ));
            }
            let _ = std::fs::remove_file(log_path(&log_dir, m.pid));
            out.entry(kind).or_default().push(ns);
        }
    }
    eprintln!("perf: per-call runs done");
    Ok(out)
}

pub fn self_check() {
    let mut rng = Rng::new(7);
    let mut v: Vec<usize> = (0..10).collect();
    rng.shuffle(&mut v);
    let mut sorted = v.clone();
    sorted.sort();
    assert_eq!(sorted, (0..10).collect::<Vec<_>>());
    assert_ne!(v, sorted, "a shuffle of ten moves something");
}
