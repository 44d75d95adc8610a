//! `target/perf/results.json`: every sample, every summary, every counter,
//! the options and the machine, for anyone who wants other statistics than
//! the report's.

use crate::measure::{PerCall, Sample};
use crate::report::Report;
use crate::scenario::Variant;
use crate::stats;
use crate::summary::{self, Row};
use serde_json::json;
use std::collections::BTreeMap;

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

fn rows_json(
    report: &Report,
    rows: &[Row],
    variants: &[Variant],
    samples: &[Vec<Sample>],
) -> Vec<serde_json::Value> {
    rows.iter()
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
        .collect()
}

/// The whole document: `main` holds the rounds' and the bail-out runs'
/// variants and samples in the same order as the report's rows.
pub fn document(
    report: &Report,
    rounds: (&[Variant], &[Vec<Sample>]),
    bailout: (&[Variant], &[Vec<Sample>]),
    throughput: (&[Variant], &[Vec<Sample>]),
    percall_runs: &BTreeMap<PerCall, Vec<f64>>,
) -> serde_json::Value {
    let o = report.options;
    let rows = rows_json(report, report.rows, rounds.0, rounds.1);
    let bailout = rows_json(report, report.bailout, bailout.0, bailout.1);
    let throughput = rows_json(report, report.throughput, throughput.0, throughput.1);
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
            "bailout_runs": o.bailout_runs,
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
        "bailout_rows": bailout,
        "throughput_rows": throughput,
        "percall": {
            "rows": percall,
            "uncached_over_cached_overhead": report.percall.ratio,
            "uncached_over_framework_overhead": report.percall.framework_ratio,
        },
    })
}
