//! The bail-out tables of docs/performance.md: S1 against S0 from the
//! extra interleaved rounds, and S1 against the empty profiler library.

use crate::report::{median_ci, signed, welch_cell, Report};
use crate::scenario::{Profiler, Scenario};
use crate::summary::{Row, Stat};
use std::fmt::Write as _;

impl Report<'_> {
    pub(crate) fn bailout_table(&self, s: &mut String) {
        let Some(s1) = self
            .bailout
            .iter()
            .find(|r| r.variant.scenario == Scenario::S1 && r.variant.profiler == Profiler::Ours)
        else {
            return;
        };
        let _ = writeln!(
            s,
            "### Bail-out cost (S1 − S0)\n\n{} more interleaved S0/S1 runs of {} after {} warm-up rounds: the \
             load-and-exclude cost is about a millisecond, which the main rounds cannot resolve.\n\n\
             | Metric | S0 median [95% CI] | S1 median [95% CI] | Δ mean S1 − S0, ms [Welch 95% CI], p |\n|---|---|---|---|",
            s1.wall.n,
            s1.variant.workload.key(),
            self.options.warmups
        );
        let s0 = self
            .bailout
            .iter()
            .find(|r| r.variant.scenario == Scenario::S0);
        let Some(s0) = s0 else { return };
        let Some(x) = &s1.vs_s0 else { return };
        for (what, a, b, w) in [
            ("time to Main, ms", &s0.main, &s1.main, &x.main),
            ("CPU, ms", &s0.cpu, &s1.cpu, &x.cpu),
            ("wall, ms", &s0.wall, &s1.wall, &x.wall),
            ("peak RSS, MiB", &s0.rss, &s1.rss, &None),
        ] {
            let _ = writeln!(
                s,
                "| {what} | {} | {} | {} |",
                median_ci(a),
                median_ci(b),
                if what.starts_with("peak") {
                    signed(b.median - a.median) + " (medians)"
                } else {
                    welch_cell(w)
                }
            );
        }
        s.push('\n');
        self.bailout_floor(s, s0, s1);
    }

    /// S1 against the empty profiler library (`empty_profiler.c`): what
    /// the runtime costs for loading any profiler and what is ours.
    fn bailout_floor(&self, s: &mut String, s0: &Row, s1: &Row) {
        let Some(empty) = self
            .bailout
            .iter()
            .find(|r| r.variant.scenario == Scenario::S1 && r.variant.profiler == Profiler::Empty)
        else {
            s.push_str("No empty-profiler baseline (the C compiler was not available).\n\n");
            return;
        };
        let _ = writeln!(
            s,
            "The same rounds also ran S1 with an empty profiler library (`benches/perf/empty_profiler.c`: \
             its `Initialize` cancels the activation), so the runtime's own cost of loading a profiler \
             and ours can be told apart.\n\n\
             | Metric | S1 empty median [95% CI] | Δ mean empty − S0, ms [Welch 95% CI], p | Δ mean S1 ours − empty, ms [Welch 95% CI], p |\n|---|---|---|---|"
        );
        let welch = |a: &Stat, b: &Stat| welch_cell(&crate::stats::welch(&a.values, &b.values));
        for (what, a, e, o) in [
            ("time to Main, ms", &s0.main, &empty.main, &s1.main),
            ("CPU, ms", &s0.cpu, &empty.cpu, &s1.cpu),
            ("wall, ms", &s0.wall, &empty.wall, &s1.wall),
        ] {
            let _ = writeln!(
                s,
                "| {what} | {} | {} | {} |",
                median_ci(e),
                welch(e, a),
                welch(o, e)
            );
        }
        s.push('\n');
    }
}
