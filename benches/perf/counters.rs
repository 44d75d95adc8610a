//! The profiler's in-process counters (`NEWRELIC_PROFILER_COUNTERS=1`),
//! read back from its log. Parsed generically — any counter name, any
//! `key=value` fields — so counters added later show up in results.json
//! without a change here.
//!
//! Line shape: `[Info ] <date> <time> Counters: <name> count=<n> total_us=<f> …`

use std::collections::BTreeMap;
use std::path::Path;

/// counter name → field → value, for one process.
pub type Counters = BTreeMap<String, BTreeMap<String, f64>>;

pub fn parse(log: &str) -> Counters {
    let mut counters = Counters::new();
    for line in log.lines() {
        let Some((_, rest)) = line.split_once("Counters: ") else {
            continue;
        };
        let mut words = rest.split_whitespace();
        let Some(name) = words.next() else { continue };
        let fields: BTreeMap<String, f64> = words
            .filter_map(|w| w.split_once('='))
            .filter_map(|(k, v)| v.parse::<f64>().ok().map(|v| (k.to_string(), v)))
            .collect();
        if !fields.is_empty() {
            counters.insert(name.to_string(), fields);
        }
    }
    counters
}

/// The counters in `dir/NewRelic.Profiler.<pid>.log` (empty when the log or
/// the lines are absent).
pub fn read(dir: &Path, pid: u32) -> Counters {
    std::fs::read_to_string(dir.join(format!("NewRelic.Profiler.{pid}.log")))
        .map(|text| parse(&text))
        .unwrap_or_default()
}

/// Lines of the log starting with `message` after the 28-character
/// `[Level] date time ` prefix.
pub fn count_messages(dir: &Path, pid: u32, message: &str) -> Option<usize> {
    let text = std::fs::read_to_string(dir.join(format!("NewRelic.Profiler.{pid}.log"))).ok()?;
    Some(
        text.lines()
            .filter(|l| l.get(28..).is_some_and(|m| m.starts_with(message)))
            .count(),
    )
}

/// Per counter and field, the median over several processes.
pub fn median_of(runs: &[Counters]) -> Counters {
    let mut values: BTreeMap<(String, String), Vec<f64>> = BTreeMap::new();
    for run in runs {
        for (name, fields) in run {
            for (field, value) in fields {
                values
                    .entry((name.clone(), field.clone()))
                    .or_default()
                    .push(*value);
            }
        }
    }
    let mut out = Counters::new();
    for ((name, field), v) in values {
        out.entry(name)
            .or_default()
            .insert(field, crate::stats::median(&v));
    }
    out
}

pub fn self_check() {
    let log = "[Info ] 2026-11-22 10:00:00 Profiler shutdown\n\
               [Info ] 2026-11-22 10:00:00 Counters: JITCompilationStarted.unmatched count=120 total_us=60.5 p50_us=0.4 p99_us=2.5 max_us=10\n\
               [Info ] 2026-11-22 10:00:00 Counters: rewrite.il count=3 total_us=30 p50_us=9 p99_us=12 max_us=12\n";
    let c = parse(log);
    assert_eq!(c.len(), 2);
    assert_eq!(c["JITCompilationStarted.unmatched"]["count"], 120.0);
    assert_eq!(c["rewrite.il"]["p50_us"], 9.0);
    let mut other = c.clone();
    other
        .get_mut("rewrite.il")
        .unwrap()
        .insert("p50_us".into(), 11.0);
    let third = other.clone();
    assert_eq!(median_of(&[c, other, third])["rewrite.il"]["p50_us"], 11.0);
}
