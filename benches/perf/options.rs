//! Runner options, from the environment or from arguments after `--`
//! (`cargo bench --bench perf -- --quick`). The defaults are the full
//! method of docs/performance.md; the quick mode exists to iterate on the
//! runner itself and never writes the docs unless asked.

use std::path::PathBuf;

#[derive(Clone, Debug)]
pub struct Options {
    /// Measured runs per variant (after the warm-ups).
    pub runs: usize,
    /// Warm-up rounds, discarded.
    pub warmups: usize,
    /// Extra interleaved S0/S1 runs of the smallest JIT workload, to resolve
    /// the bail-out cost (about a millisecond) against run-to-run noise.
    pub bailout_runs: usize,
    /// Separate runs with `NEWRELIC_PROFILER_COUNTERS=1` per variant.
    pub counter_runs: usize,
    /// Processes per per-call variant.
    pub percall_runs: usize,
    /// Timed seconds inside each per-call process.
    pub percall_seconds: f64,
    /// Requests the ASP.NET Core workload serves.
    pub requests: usize,
    /// Interleaved runs of the steady-state throughput rounds (web workload:
    /// S0, S2, S2-orig and the original's S2); 0 skips them.
    pub throughput_runs: usize,
    /// Requests each throughput run serves; the last quarter is timed.
    pub throughput_requests: usize,
    /// Methods configured in S3.
    pub k: usize,
    /// Method counts of the generated JIT workloads.
    pub jit_sizes: Vec<usize>,
    /// Whether the ASP.NET Core workload runs.
    pub web: bool,
    /// The original C++ profiler, measured in the same rounds when given.
    pub original_so: Option<PathBuf>,
    /// The shipped Linux agent home (default: ../shared/testdata/newrelic/home-linux).
    pub home_linux: Option<PathBuf>,
    /// Regenerate docs/performance.md and docs/performance.png.
    pub write_docs: bool,
    pub quick: bool,
    /// Only the per-call runs: print their table and the load, touch no
    /// docs (the per-call figures can be refreshed without a full run).
    pub percall_only: bool,
}

impl Options {
    /// Reads `PERF_*` variables, then arguments (which win).
    pub fn from_env_and_args() -> Result<Options, String> {
        let args: Vec<String> = std::env::args().skip(1).collect();
        let quick = env_flag("PERF_QUICK") || args.iter().any(|a| a == "--quick");
        let mut options = Options {
            runs: if quick { 3 } else { 20 },
            warmups: if quick { 1 } else { 3 },
            bailout_runs: if quick { 10 } else { 100 },
            counter_runs: if quick { 1 } else { 3 },
            percall_runs: if quick { 1 } else { 5 },
            percall_seconds: if quick { 0.5 } else { 2.0 },
            requests: 1000,
            throughput_runs: if quick { 2 } else { 10 },
            throughput_requests: if quick { 4000 } else { 60_000 },
            k: 50,
            jit_sizes: vec![1000, 10_000],
            web: true,
            original_so: None,
            home_linux: None,
            write_docs: !quick,
            quick,
            percall_only: false,
        };
        let mut settings: Vec<(String, String)> = std::env::vars()
            .filter_map(|(k, v)| k.strip_prefix("PERF_").map(|k| (k.to_lowercase(), v)))
            .collect();
        let mut i = 0;
        while i < args.len() {
            let arg = &args[i];
            if let Some(name) = arg.strip_prefix("--") {
                if let Some((name, value)) = name.split_once('=') {
                    settings.push((name.replace('-', "_"), value.to_string()));
                } else if matches!(name, "bench" | "quick") {
                    // `--bench` is cargo's; `--quick` was read above.
                } else if let Some(value) = args.get(i + 1) {
                    settings.push((name.replace('-', "_"), value.clone()));
                    i += 1;
                }
            }
            i += 1;
        }
        for (name, value) in settings {
            options.set(&name, &value)?;
        }
        if options.runs < 2 {
            return Err("at least 2 measured runs are needed for the statistics".into());
        }
        Ok(options)
    }

    fn set(&mut self, name: &str, value: &str) -> Result<(), String> {
        let number = || {
            value
                .parse::<usize>()
                .map_err(|_| format!("PERF_{}: not a number: {value:?}", name.to_uppercase()))
        };
        match name {
            "runs" => self.runs = number()?,
            "warmups" => self.warmups = number()?,
            "counter_runs" => self.counter_runs = number()?,
            "bailout_runs" => self.bailout_runs = number()?,
            "percall_runs" => self.percall_runs = number()?,
            "percall_seconds" => {
                self.percall_seconds = value
                    .parse()
                    .map_err(|_| format!("PERF_PERCALL_SECONDS: not a number: {value:?}"))?
            }
            "requests" => self.requests = number()?,
            "throughput_runs" => self.throughput_runs = number()?,
            "throughput_requests" => self.throughput_requests = number()?,
            "k" => self.k = number()?,
            "workloads" => {
                self.jit_sizes.clear();
                self.web = false;
                for item in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                    if item == "web" {
                        self.web = true;
                    } else if let Some(n) = item.strip_prefix("jit") {
                        self.jit_sizes.push(n.parse().map_err(|_| {
                            format!("PERF_WORKLOADS: {item:?} is not jit<N> or web")
                        })?);
                    } else {
                        return Err(format!("PERF_WORKLOADS: {item:?} is not jit<N> or web"));
                    }
                }
            }
            "original_so" => {
                if !value.is_empty() {
                    let path = PathBuf::from(value);
                    let path = std::fs::canonicalize(&path)
                        .map_err(|e| format!("PERF_ORIGINAL_SO={value}: {e}"))?;
                    self.original_so = Some(path);
                }
            }
            "home_linux" => self.home_linux = Some(PathBuf::from(value)),
            "write_docs" => self.write_docs = is_true(value),
            "percall_only" => self.percall_only = is_true(value),
            "quick" => {}
            other => {
                return Err(format!(
                    "unknown option {other:?} (see benches/perf/main.rs)"
                ))
            }
        }
        Ok(())
    }
}

fn is_true(value: &str) -> bool {
    matches!(
        value.to_ascii_lowercase().as_str(),
        "1" | "true" | "yes" | "on"
    )
}

fn env_flag(name: &str) -> bool {
    std::env::var(name).map(|v| is_true(&v)).unwrap_or(false)
}
