//! From samples to the numbers the report shows: per variant, the median
//! with its 95 % interval of each metric; against S0 of the same workload
//! and against the original in the same scenario, the ratio of medians and
//! Welch's test on the means.

use crate::measure::Sample;
use crate::scenario::{Profiler, Scenario, Variant};
use crate::stats::{self, Interval, Welch};

#[derive(Clone, Debug)]
pub struct Stat {
    pub median: f64,
    pub ci: Interval,
    pub mean: f64,
    pub n: usize,
    pub values: Vec<f64>,
}

pub fn stat(values: Vec<f64>) -> Stat {
    Stat {
        median: stats::median(&values),
        ci: stats::median_ci95(&values),
        mean: stats::mean(&values),
        n: values.len(),
        values,
    }
}

/// One variant compared with another (S0, or the original).
#[derive(Clone, Debug)]
pub struct Versus {
    pub wall_ratio: f64,
    pub wall: Option<Welch>,
    pub main_ratio: f64,
    pub main: Option<Welch>,
    pub cpu_ratio: f64,
    pub cpu: Option<Welch>,
    pub rss_ratio: f64,
    pub rss_delta_mib: f64,
}

#[derive(Clone, Debug)]
pub struct Row {
    pub variant: Variant,
    pub wall: Stat,
    pub main: Stat,
    pub in_main: Stat,
    pub rss: Stat,
    pub cpu: Stat,
    /// Requests per second after warm-up (web workload; empty otherwise).
    pub throughput: Stat,
    /// Median of the per-run rewrite counts, when the log was there.
    pub rewrites: Option<usize>,
    pub vs_s0: Option<Versus>,
    /// Only on our rows, when the original ran the same scenario.
    pub vs_original: Option<Versus>,
}

fn versus(a: &Row, b: &Row) -> Versus {
    Versus {
        wall_ratio: a.wall.median / b.wall.median,
        wall: stats::welch(&a.wall.values, &b.wall.values),
        main_ratio: a.main.median / b.main.median,
        main: stats::welch(&a.main.values, &b.main.values),
        cpu_ratio: a.cpu.median / b.cpu.median,
        cpu: stats::welch(&a.cpu.values, &b.cpu.values),
        rss_ratio: a.rss.median / b.rss.median,
        rss_delta_mib: a.rss.median - b.rss.median,
    }
}

pub fn rows(variants: &[Variant], samples: &[Vec<Sample>]) -> Vec<Row> {
    let mut rows: Vec<Row> = variants
        .iter()
        .zip(samples)
        .map(|(variant, s)| {
            let mut rewrites: Vec<usize> = s.iter().filter_map(|x| x.rewrites).collect();
            rewrites.sort_unstable();
            Row {
                variant: *variant,
                wall: stat(s.iter().map(|x| x.wall_ms).collect()),
                main: stat(s.iter().filter_map(|x| x.main_ms).collect()),
                in_main: stat(s.iter().filter_map(|x| x.in_main_ms).collect()),
                rss: stat(s.iter().map(|x| x.rss_mib).collect()),
                cpu: stat(s.iter().map(|x| x.cpu_ms).collect()),
                throughput: stat(s.iter().filter_map(|x| x.throughput_rps).collect()),
                rewrites: rewrites.get(rewrites.len() / 2).copied(),
                vs_s0: None,
                vs_original: None,
            }
        })
        .collect();
    let snapshot = rows.clone();
    for row in &mut rows {
        let v = row.variant;
        let find = |scenario: Scenario, profiler: Profiler| {
            snapshot.iter().find(|r| {
                r.variant.workload == v.workload
                    && r.variant.scenario == scenario
                    && r.variant.profiler == profiler
            })
        };
        if v.scenario != Scenario::S0 {
            row.vs_s0 = find(Scenario::S0, Profiler::Ours).map(|s0| versus(row, s0));
        }
        if v.profiler == Profiler::Ours {
            row.vs_original = find(v.scenario, Profiler::Original).map(|o| versus(row, o));
        }
    }
    rows
}

/// One per-call variant: ns/call over processes.
#[derive(Clone, Debug)]
pub struct PerCallRow {
    pub kind: crate::measure::PerCall,
    pub ns: Stat,
    /// Median ns/call minus that of (a), profiling off.
    pub overhead_ns: Option<f64>,
}

pub struct PerCallSummary {
    pub rows: Vec<PerCallRow>,
    /// (c − a) / (b − a): how many times the per-call reflection path's
    /// overhead is the cached path's.
    pub ratio: Option<f64>,
    /// (c − a) / (e − a): how many times the per-call reflection path's
    /// overhead is the .NET Framework AppDomain-helper path's.
    pub framework_ratio: Option<f64>,
}

pub fn percall(
    runs: &std::collections::BTreeMap<crate::measure::PerCall, Vec<f64>>,
) -> PerCallSummary {
    use crate::measure::PerCall;
    let off = runs.get(&PerCall::Off).map(|v| stats::median(v));
    let rows: Vec<PerCallRow> = runs
        .iter()
        .map(|(kind, values)| {
            let ns = stat(values.clone());
            PerCallRow {
                kind: *kind,
                overhead_ns: match (kind, off) {
                    (PerCall::Off, _) | (_, None) => None,
                    (_, Some(off)) => Some(ns.median - off),
                },
                ns,
            }
        })
        .collect();
    let overhead = |kind: PerCall| {
        rows.iter()
            .find(|r| r.kind == kind)
            .and_then(|r| r.overhead_ns)
    };
    let over = |numerator: PerCall, denominator: PerCall| match (
        overhead(numerator),
        overhead(denominator),
    ) {
        (Some(n), Some(d)) if d > 0.0 => Some(n / d),
        _ => None,
    };
    PerCallSummary {
        ratio: over(PerCall::Uncached, PerCall::Cached),
        framework_ratio: over(PerCall::Uncached, PerCall::Framework),
        rows,
    }
}
