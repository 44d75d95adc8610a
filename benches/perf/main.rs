//! The whole-process performance runner of issue 8 (docs/performance.md).
//!
//!     cargo bench --bench perf                  # the full method, regenerates the docs
//!     cargo bench --bench perf -- --quick       # 3 runs, 1 warm-up, docs untouched
//!
//! Options (environment `PERF_<NAME>` or `--<name> <value>` after `--`):
//! `runs` (20), `warmups` (3), `counter_runs` (3), `percall_runs` (5),
//! `percall_seconds` (2), `requests` (1000), `k` (50),
//! `workloads` (`jit1000,jit10000,web`), `original_so` (the C++
//! `libNewRelicProfiler.so` to measure in the same rounds), `home_linux`
//! (the shipped agent home), `write_docs` (1 in the full mode), `quick`.
//!
//! It builds the release profiler and the .NET apps, runs every scenario
//! of every workload interleaved, then the counter runs and the per-call
//! runs, and writes `target/perf/results.json`, the table (stdout and
//! docs/performance.md between its markers) and docs/performance.png.
//!
//! Without `--bench` (that is, under `cargo test --bench perf`) it only runs
//! the self-checks of its statistics and parsers: this target has no
//! libtest harness, and a test run must not start minutes of measurement.

mod chart;
mod counters;
mod generate;
mod machine;
mod measure;
mod options;
mod prepare;
mod process;
mod report;
mod scenario;
mod stats;
mod summary;

use scenario::Workload;
use serde_json::json;

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        stats::self_check();
        generate::self_check();
        process::self_check();
        counters::self_check();
        measure::self_check();
        report::self_check();
        println!("perf: self-checks passed (measure with `cargo bench --bench perf`)");
        return;
    }
    if let Err(error) = run() {
        eprintln!("perf: {error}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let started = std::time::Instant::now();
    let options = options::Options::from_env_and_args()?;
    let prepared = prepare::prepare(&options)?;
    let machine = machine::detect(&prepared.dotnet);

    let mut workloads: Vec<Workload> = options
        .jit_sizes
        .iter()
        .map(|&n| Workload::Jit(n))
        .collect();
    if options.web {
        workloads.push(Workload::Web);
    }
    let variants = scenario::variants(&workloads, options.original_so.is_some());
    eprintln!(
        "perf: {} variants × ({} warm-up + {} measured) rounds",
        variants.len(),
        options.warmups,
        options.runs
    );
    let load_start = machine::load_1min();
    let (samples, loads) = measure::rounds(&variants, &prepared, &options)?;
    let counters = measure::counter_runs(&variants, &prepared, &options)?;
    let percall_runs = measure::percall_runs(&prepared, &options)?;

    let rows = summary::rows(&variants, &samples);
    let percall = summary::percall(&percall_runs);
    let size = |p: &std::path::Path| std::fs::metadata(p).map(|m| m.len()).ok();
    let so_bytes = size(&prepared.profiler).unwrap_or(0);
    let original_so_bytes = options.original_so.as_deref().and_then(size);
    let duration_s = started.elapsed().as_secs_f64();
    let report = report::Report {
        options: &options,
        machine: &machine,
        workloads: &workloads,
        rows: &rows,
        counters: &counters,
        percall: &percall,
        so_bytes,
        original_so_bytes,
        duration_s,
        load_start,
        loads: &loads,
    };
    let markdown = report.markdown();
    println!("{markdown}");

    let results = prepared.perf.join("results.json");
    let value = results_json(&report, &variants, &samples, &percall_runs);
    let text = serde_json::to_string_pretty(&value).map_err(|e| e.to_string())?;
    std::fs::write(&results, text).map_err(|e| format!("{}: {e}", results.display()))?;
    eprintln!("perf: wrote {}", results.display());

    // The chart always goes to target/perf; the docs get it only when asked.
    let png = prepared.perf.join("performance.png");
    let chart = chart::draw(&rows, &workloads, options.original_so.is_some(), &png);
    if let Err(e) = &chart {
        eprintln!("perf: no chart: {e}");
    }
    if options.write_docs {
        let docs = prepare::manifest_dir().join("docs");
        let md = docs.join("performance.md");
        let doc = std::fs::read_to_string(&md).map_err(|e| format!("{}: {e}", md.display()))?;
        std::fs::write(&md, report::splice(&doc, &markdown)?)
            .map_err(|e| format!("{}: {e}", md.display()))?;
        chart?;
        std::fs::copy(&png, docs.join("performance.png")).map_err(|e| e.to_string())?;
        eprintln!("perf: regenerated docs/performance.md and docs/performance.png");
    }
    eprintln!(
        "perf: finished in {:.1} min",
        started.elapsed().as_secs_f64() / 60.0
    );
    Ok(())
}

fn stat_json(s: &summary::Stat) -> serde_json::Value {
    json!({
        "median": s.median, "ci95_low": s.ci.low, "ci95_high": s.ci.high,
        "ci_coverage": s.ci.coverage, "mean": s.mean, "n": s.n,
    })
}

fn versus_json(v: &summary::Versus) -> serde_json::Value {
    let welch = |w: &Option<stats::Welch>| {
        w.map(|w| json!({"difference": w.difference, "ci95_low": w.low, "ci95_high": w.high, "t": w.t, "df": w.df, "p": w.p}))
    };
    json!({
        "wall_ratio": v.wall_ratio, "wall_welch": welch(&v.wall),
        "main_ratio": v.main_ratio, "main_welch": welch(&v.main),
        "cpu_ratio": v.cpu_ratio, "cpu_welch": welch(&v.cpu),
        "rss_ratio": v.rss_ratio, "rss_delta_mib": v.rss_delta_mib,
    })
}

fn results_json(
    report: &report::Report,
    variants: &[scenario::Variant],
    samples: &[Vec<measure::Sample>],
    percall_runs: &std::collections::BTreeMap<measure::PerCall, Vec<f64>>,
) -> serde_json::Value {
    let o = report.options;
    let rows: Vec<_> = report
        .rows
        .iter()
        .zip(variants.iter().zip(samples))
        .map(|(row, (variant, samples))| {
            json!({
                "key": variant.key(),
                "workload": variant.workload.key(),
                "scenario": variant.scenario.name(),
                "profiler": variant.profiler.name(),
                "wall_ms": stat_json(&row.wall),
                "time_to_main_ms": stat_json(&row.main),
                "in_main_ms": stat_json(&row.in_main),
                "peak_rss_mib": stat_json(&row.rss),
                "cpu_ms": stat_json(&row.cpu),
                "rewrites": row.rewrites,
                "vs_s0": row.vs_s0.as_ref().map(versus_json),
                "vs_original": row.vs_original.as_ref().map(versus_json),
                "counters": report.counters.get(variant),
                "samples": samples.iter().map(|s| json!({
                    "wall_ms": s.wall_ms, "time_to_main_ms": s.main_ms,
                    "in_main_ms": s.in_main_ms, "peak_rss_mib": s.rss_mib,
                    "cpu_ms": s.cpu_ms, "rewrites": s.rewrites,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let percall: Vec<_> = report
        .percall
        .rows
        .iter()
        .map(|r| {
            json!({
                "variant": r.kind.key(), "description": r.kind.name(),
                "ns_per_call": stat_json(&r.ns), "overhead_ns": r.overhead_ns,
                "runs": percall_runs.get(&r.kind),
            })
        })
        .collect();
    json!({
        "options": {
            "runs": o.runs, "warmups": o.warmups, "counter_runs": o.counter_runs,
            "percall_runs": o.percall_runs, "percall_seconds": o.percall_seconds,
            "requests": o.requests, "k": o.k, "quick": o.quick,
            "original_so": o.original_so.as_ref().map(|p| p.display().to_string()),
        },
        "machine": report.machine.json(),
        "duration_s": report.duration_s,
        "load_1min_start": report.load_start,
        "load_1min_after_each_round": report.loads,
        "profiler_so_bytes": report.so_bytes,
        "original_so_bytes": report.original_so_bytes,
        "rows": rows,
        "percall": { "rows": percall, "uncached_over_cached_overhead": report.percall.ratio },
    })
}
