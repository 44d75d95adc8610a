//! Comparing two profiler logs (`NewRelic.Profiler.<pid>.log`): timestamps
//! dropped, run-specific numbers (pids, FunctionIDs) masked, per-side path
//! replacements applied; then the points count, the instrumented-method set,
//! the skip lines, the error lines and all remaining lines compared.

use super::{multiset, Replacements, Report};

/// One log line: level tag and message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub level: String,
    pub message: String,
}

/// Parses `[Level] YYYY-MM-DD HH:MM:SS message` lines; other lines are kept
/// with an empty level.
pub fn parse(text: &str, replacements: &Replacements) -> Vec<Line> {
    text.lines()
        .map(|raw| {
            let raw = replacements.apply(raw);
            let bytes = raw.as_bytes();
            if bytes.len() >= 28 && bytes[0] == b'[' && bytes[6] == b']' && bytes[27] == b' ' {
                Line {
                    level: raw[1..6].trim_end().to_string(),
                    message: mask_numbers(&raw[28..]),
                }
            } else {
                Line {
                    level: String::new(),
                    message: mask_numbers(&raw),
                }
            }
        })
        .collect()
}

/// Masks the numbers that differ between runs of the same program: the
/// FunctionIDs and ModuleIDs printed in trace/debug lines, and pids in file
/// names.
pub fn mask_numbers(message: &str) -> String {
    const PREFIXES: [&str; 8] = [
        "Request reJIT: [",
        "JITCompilationStarted. ",
        "JITCompilationStartedFinished. ",
        "ReJITCompilationStarted. ",
        "ReJITCompilationStartedFinished. ",
        "ReJIT ",
        "NewRelic.Profiler.",
        "NewRelic.Profiler.Validation.",
    ];
    let mut out = message.to_string();
    for prefix in PREFIXES {
        let mut search_from = 0;
        while let Some(found) = out[search_from..].find(prefix) {
            let start = search_from + found + prefix.len();
            let digits = out[start..].bytes().take_while(u8::is_ascii_digit).count();
            if digits > 0 {
                out.replace_range(start..start + digits, "#");
            }
            search_from = start;
        }
    }
    out
}

fn messages_with_prefix<'a>(
    lines: &'a [Line],
    prefix: &'a str,
) -> impl Iterator<Item = String> + 'a {
    lines
        .iter()
        .filter_map(move |l| l.message.strip_prefix(prefix).map(str::to_string))
}

/// Adds the profiler-log categories to `report`.
pub fn compare(a: &[Line], b: &[Line], report: &mut Report) {
    let points = |lines: &[Line]| {
        lines
            .iter()
            .filter_map(|l| {
                l.message
                    .strip_prefix("Identified ")
                    .and_then(|rest| {
                        rest.strip_suffix(" Instrumentation points (not ignored) in .xml files")
                    })
                    .map(str::to_string)
            })
            .collect::<Vec<_>>()
            .join(",")
    };
    report.compare_values("points", &points(a), &points(b));
    let instrumented = |lines: &[Line]| {
        multiset(messages_with_prefix(lines, "Instrumenting method: ").chain(
            messages_with_prefix(lines, "Instrumenting API method: ").map(|m| format!("API {m}")),
        ))
    };
    report.compare_sets("instrumented", &instrumented(a), &instrumented(b));
    let skips = |lines: &[Line]| {
        multiset(
            lines
                .iter()
                .filter(|l| l.message.starts_with("Skipping"))
                .map(|l| l.message.clone()),
        )
    };
    report.compare_sets("skips", &skips(a), &skips(b));
    let errors = |lines: &[Line]| {
        multiset(
            lines
                .iter()
                .filter(|l| l.level == "Error")
                .map(|l| l.message.clone()),
        )
    };
    report.compare_sets("errors", &errors(a), &errors(b));
    let all =
        |lines: &[Line]| multiset(lines.iter().map(|l| format!("[{}] {}", l.level, l.message)));
    report.compare_sets("log lines", &all(a), &all(b));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::{render, AllowList};

    const A: &str = "[Info ] 2026-01-01 00:00:00 Identified 3 Instrumentation points (not ignored) in .xml files
[Debug] 2026-01-01 00:00:01 Request reJIT: [1234] (Module: /tmp/a/App.dll, AppDomain: clrhost)[App]T.M()
[Info ] 2026-01-01 00:00:01 Instrumenting method: (Module: /tmp/a/App.dll, AppDomain: clrhost)[App]T.M()
[Error] 2026-01-01 00:00:01 Skipping sequential layout method: (Module: /tmp/a/App.dll, AppDomain: clrhost)[App]S.M()
";

    #[test]
    fn identical_runs_with_different_ids_times_and_paths_are_equivalent() {
        let b = A
            .replace("1234", "98765")
            .replace("00:00:01", "00:00:09")
            .replace("/tmp/a/", "/tmp/bb/");
        let la = parse(A, &Replacements(vec![("/tmp/a/".into(), "<dir>/".into())]));
        let lb = parse(
            &b,
            &Replacements(vec![("/tmp/bb/".into(), "<dir>/".into())]),
        );
        let mut report = Report::default();
        compare(&la, &lb, &mut report);
        let verdict = render(&report, &AllowList::default(), 5);
        assert!(verdict.passed, "{}", verdict.text);
    }

    #[test]
    fn a_missing_instrumented_method_is_reported() {
        let b: String = A
            .lines()
            .filter(|l| !l.contains("Instrumenting method"))
            .map(|l| format!("{l}\n"))
            .collect();
        let mut report = Report::default();
        compare(
            &parse(A, &Replacements::default()),
            &parse(&b, &Replacements::default()),
            &mut report,
        );
        let verdict = render(&report, &AllowList::default(), 5);
        assert!(!verdict.passed);
        assert!(verdict.text.contains("instrumented"), "{}", verdict.text);
        assert!(
            verdict
                .text
                .contains("- only in A: (Module: /tmp/a/App.dll, AppDomain: clrhost)[App]T.M()"),
            "{}",
            verdict.text
        );
    }

    #[test]
    fn masking() {
        assert_eq!(
            mask_numbers("Request reJIT: [140465894077656] x"),
            "Request reJIT: [#] x"
        );
        assert_eq!(
            mask_numbers("JITCompilationStarted. 12"),
            "JITCompilationStarted. #"
        );
        assert_eq!(
            mask_numbers("at NewRelic.Profiler.4242.log"),
            "at NewRelic.Profiler.#.log"
        );
    }
}
