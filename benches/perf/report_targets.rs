//! The steady-state throughput table and the targets with their verdicts
//! (issue 8: bail-out, unmatched JIT, rewrite, per-call; issue 18: S2/S0
//! with ReadyToRun and tiered compilation kept, S2 against the original,
//! throughput after warm-up).

use crate::measure::PerCall;
use crate::report::{num, ratio, signed, Report};
use crate::scenario::{Profiler, Scenario, Workload};
use crate::summary::Row;
use std::fmt::Write as _;

/// Issue 18 limits: S2/S0 wall and CPU, S2/S0 time to Main, S2 ours/original,
/// throughput ours/S0.
const S2_WALL_CPU: f64 = 1.15;
const S2_MAIN: f64 = 1.25;
const S2_VS_ORIGINAL: f64 = 0.35;
const THROUGHPUT_VS_S0: f64 = 0.97;

fn at_most(value: f64, limit: f64) -> &'static str {
    if !value.is_finite() {
        "n/a"
    } else if value <= limit {
        "met"
    } else {
        "**not met**"
    }
}

impl Report<'_> {
    /// The throughput rows: the dedicated rounds, or else the main web rows
    /// (their second half of requests).
    fn throughput_rows(&self) -> Vec<&Row> {
        let steady: Vec<&Row> = self
            .throughput
            .iter()
            .filter(|r| r.throughput.n > 0)
            .collect();
        if !steady.is_empty() {
            return steady;
        }
        self.rows
            .iter()
            .filter(|r| r.variant.workload == Workload::Web && r.throughput.n > 0)
            .filter(|r| {
                matches!(
                    r.variant.scenario,
                    Scenario::S0 | Scenario::S2 | Scenario::S2Orig
                )
            })
            .collect()
    }

    /// Median requests per second of one throughput row.
    fn rps(&self, scenario: Scenario, profiler: Profiler) -> Option<f64> {
        self.throughput_rows()
            .into_iter()
            .find(|r| r.variant.scenario == scenario && r.variant.profiler == profiler)
            .map(|r| r.throughput.median)
    }

    /// Requests per second after the web app's warm-up.
    pub(crate) fn throughput_table(&self, s: &mut String) {
        let rows = self.throughput_rows();
        let Some(first) = rows.first() else {
            return;
        };
        let s0 = self.rps(Scenario::S0, Profiler::Ours);
        s.push_str("### Steady-state throughput (web workload)\n\n");
        let (total, timed) = match first.variant.workload {
            Workload::WebSteady(n) => (n, n / 4),
            _ => (
                self.options.requests,
                self.options.requests - self.options.requests / 2,
            ),
        };
        let _ = writeln!(
            s,
            "Requests per second over the last {timed} of the {total} requests of each run, after the \
             others warmed the process up (JIT, tier-up); medians with their 95 % interval over {} \
             interleaved runs per scenario. With ReadyToRun and tiered compilation kept (S2), hot code is \
             recompiled at tier 1 with Dynamic PGO; the original's mask (S2-orig, and the original \
             profiler) compiles everything once, fully optimised, without PGO.\n",
            first.throughput.n
        );
        s.push_str("| Scenario | Requests/s | ×S0 |\n|---|---|---|\n");
        for row in rows {
            let v = row.variant;
            let label = match v.profiler {
                Profiler::Original => format!("{} *original*", v.scenario.name()),
                _ => format!("{} {}", v.scenario.name(), v.scenario.describe()),
            };
            let _ = writeln!(
                s,
                "| {label} | {} [{}–{}] | {} |",
                num(row.throughput.median),
                num(row.throughput.ci.low),
                num(row.throughput.ci.high),
                s0.map_or("n/a".into(), |s0| ratio(row.throughput.median / s0))
            );
        }
        s.push('\n');
    }

    pub(crate) fn targets(&self, s: &mut String) {
        s.push_str(
            "### Targets (issues 8 and 18)\n\n| Target | Measured | Result |\n|---|---|---|\n",
        );
        self.ready_to_run_targets(s);
        self.bailout_targets(s);
        self.callback_targets(s);
        self.percall_target(s);
        self.original_target(s);
        s.push('\n');
    }

    /// Issue 8: no ratio against the original above 1.
    fn original_target(&self, s: &mut String) {
        let worst = self
            .rows
            .iter()
            .filter_map(|r| r.vs_original.as_ref())
            .flat_map(|x| [x.wall_ratio, x.cpu_ratio, x.main_ratio])
            .fold(None, |acc: Option<f64>, v| {
                Some(acc.map_or(v, |a| a.max(v)))
            });
        let _ = writeln!(
            s,
            "| every ratio against the original ≤ 1.0 | {} | {} |",
            worst.map_or(
                "original not measured (PERF_ORIGINAL_SO unset)".into(),
                |w| format!("worst ours/original {w:.2}")
            ),
            match worst {
                Some(w) if w <= 1.0 => "met",
                Some(_) => "**not met**",
                None => "n/a",
            }
        );
    }

    /// Issue 18: S2 (ReadyToRun and tiering kept) against S0 and the original.
    fn ready_to_run_targets(&self, s: &mut String) {
        for &workload in self.workloads {
            let Some(x) = self
                .row(workload, Scenario::S2, Profiler::Ours)
                .and_then(|r| r.vs_s0.as_ref())
            else {
                continue;
            };
            let orig = self
                .row(workload, Scenario::S2Orig, Profiler::Ours)
                .and_then(|r| r.vs_s0.as_ref())
                .map_or(String::new(), |o| {
                    format!(" (original mask, S2-orig: {:.2}×)", o.wall_ratio)
                });
            let key = workload.key();
            let _ = writeln!(
                s,
                "| S2/S0 ≤ {S2_WALL_CPU} wall, {key} | {:.2}×{orig} | {} |",
                x.wall_ratio,
                at_most(x.wall_ratio, S2_WALL_CPU)
            );
            let _ = writeln!(
                s,
                "| S2/S0 ≤ {S2_WALL_CPU} CPU, {key} | {:.2}× | {} |",
                x.cpu_ratio,
                at_most(x.cpu_ratio, S2_WALL_CPU)
            );
            let _ = writeln!(
                s,
                "| S2/S0 ≤ {S2_MAIN} time to Main, {key} | {:.2}× | {} |",
                x.main_ratio,
                at_most(x.main_ratio, S2_MAIN)
            );
            let vs_original = self
                .row(workload, Scenario::S2, Profiler::Ours)
                .and_then(|r| r.vs_original.as_ref());
            let _ = writeln!(
                s,
                "| S2 ours/original ≤ {S2_VS_ORIGINAL} (wall), {key} | {} | {} |",
                vs_original.map_or(
                    "original not measured (PERF_ORIGINAL_SO unset)".into(),
                    |o| {
                        format!(
                            "{:.2} (CPU {:.2}, time to Main {:.2})",
                            o.wall_ratio, o.cpu_ratio, o.main_ratio
                        )
                    }
                ),
                vs_original.map_or("n/a", |o| at_most(o.wall_ratio, S2_VS_ORIGINAL))
            );
        }
        let rps = |scenario, profiler| self.rps(scenario, profiler);
        if let (Some(s0), Some(s2)) = (
            rps(Scenario::S0, Profiler::Ours),
            rps(Scenario::S2, Profiler::Ours),
        ) {
            let others = [
                ("S2-orig", rps(Scenario::S2Orig, Profiler::Ours)),
                ("original", rps(Scenario::S2, Profiler::Original)),
            ]
            .iter()
            .filter_map(|(name, v)| v.map(|v| format!("{name} {:.2}", v / s0)))
            .collect::<Vec<_>>()
            .join(", ");
            let ratio = s2 / s0;
            let _ = writeln!(
                s,
                "| steady-state requests/s, S2 ≥ {THROUGHPUT_VS_S0} × S0, web | {ratio:.2} ({} vs {} req/s){} | {} |",
                num(s2),
                num(s0),
                if others.is_empty() {
                    String::new()
                } else {
                    format!("; {others}")
                },
                if ratio >= THROUGHPUT_VS_S0 { "met" } else { "**not met**" }
            );
        }
    }

    /// Issue 8: S1 − S0 ≤ 1 ms, from the bail-out rounds when they ran.
    fn bailout_targets(&self, s: &mut String) {
        let bailout_s1 = self
            .bailout
            .iter()
            .find(|r| r.variant.scenario == Scenario::S1 && r.variant.profiler == Profiler::Ours);
        let s1_rows: Vec<(String, &Row)> = match bailout_s1 {
            Some(row) => vec![(format!("{} bail-out runs", row.variant.workload.key()), row)],
            None => self
                .workloads
                .iter()
                .filter_map(|&w| {
                    self.row(w, Scenario::S1, Profiler::Ours)
                        .map(|r| (w.key(), r))
                })
                .collect(),
        };
        for (name, s1) in s1_rows {
            let Some(x) = &s1.vs_s0 else { continue };
            for (what, welch) in [
                ("time to Main", &x.main),
                ("CPU", &x.cpu),
                ("wall", &x.wall),
            ] {
                let Some(w) = welch else { continue };
                let verdict = if w.high <= 1.0 {
                    "met"
                } else if w.low > 1.0 {
                    "**not met**"
                } else {
                    "not resolved (interval spans 1 ms)"
                };
                let _ = writeln!(
                    s,
                    "| S1 − S0 ≤ 1 ms, {what}, {name} | Δ mean {} ms [{}, {}] | {verdict} |",
                    signed(w.difference),
                    signed(w.low),
                    signed(w.high)
                );
            }
        }
    }

    /// Issue 8: unmatched JIT p50 ≤ 1 µs (S2), rewrite p50 ≤ 50 µs (S4).
    fn callback_targets(&self, s: &mut String) {
        let verdict = |value: Option<f64>, limit: f64| match value {
            None => "n/a (no counters)".to_string(),
            Some(v) if v <= limit => "met".into(),
            Some(_) => "**not met**".into(),
        };
        for &workload in self.workloads {
            for scenario in [Scenario::S2, Scenario::S2Orig] {
                let p50 = self.counter(
                    workload,
                    scenario,
                    "JITCompilationStarted.unmatched",
                    "p50_us",
                );
                if p50.is_none() && scenario == Scenario::S2Orig {
                    continue;
                }
                let _ = writeln!(
                    s,
                    "| unmatched JITCompilationStarted p50 ≤ 1 µs, {} {} | {} µs | {} |",
                    workload.key(),
                    scenario.name(),
                    p50.map_or("n/a".into(), num),
                    verdict(p50, 1.0)
                );
            }
        }
        for &workload in self.workloads {
            if let Workload::Jit(_) = workload {
                let get =
                    |name: &str, field: &str| self.counter(workload, Scenario::S4, name, field);
                let p50 = get("rewrite", "p50_us");
                let _ = writeln!(
                    s,
                    "| rewrite ≤ 50 µs incl. metadata, {} S4 | rewrite (IL + metadata) p50 {} µs, p99 {} µs; \
                     whole GetReJITParameters (with matching) p50 {} µs, p99 {} µs | {} |",
                    workload.key(),
                    p50.map_or("n/a".into(), num),
                    get("rewrite", "p99_us").map_or("n/a".into(), num),
                    get("GetReJITParameters", "p50_us").map_or("n/a".into(), num),
                    get("GetReJITParameters", "p99_us").map_or("n/a".into(), num),
                    verdict(p50, 50.0)
                );
            }
        }
    }

    /// Issue 8: the cached agent lookup ≥ 10× cheaper per call.
    fn percall_target(&self, s: &mut String) {
        let ratio = self.percall.ratio;
        let _ = writeln!(
            s,
            "| per-call overhead ≥ 10× below the per-call-reflection path | (c − a)/(b − a) = {} (b − a = {} ns, c − a = {} ns) | {} |",
            ratio.map_or("n/a".into(), |r| format!("{r:.1}")),
            self.percall_overhead(PerCall::Cached).map_or("n/a".into(), num),
            self.percall_overhead(PerCall::Uncached).map_or("n/a".into(), num),
            match ratio {
                Some(r) if r >= 10.0 => "met",
                Some(_) => "**not met**",
                None => "n/a",
            }
        );
    }
}
