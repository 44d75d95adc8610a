//! Comparing two validation event logs (docs/validation.md): volatile fields
//! (`seq`, `ts`, runtime ids) dropped, per-side path replacements applied,
//! then the events of each kind compared as multisets.

use super::{multiset, Replacements, Report};
use crate::validation::json_parse::{parse as parse_json, Parsed};

/// Fields that differ between runs of the same program.
const VOLATILE: [&str; 5] = ["seq", "ts", "module", "process_path", "command_line"];

/// One normalised event per line: `kind {field=value,…}`.
pub fn parse(text: &str, replacements: &Replacements) -> Result<Vec<(String, String)>, String> {
    let mut events = Vec::new();
    for (number, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let value = parse_json(line).map_err(|e| format!("line {}: {e}", number + 1))?;
        let Parsed::Object(fields) = value else {
            return Err(format!("line {}: not an object", number + 1));
        };
        let kind = fields
            .iter()
            .find(|(k, _)| k == "event")
            .and_then(|(_, v)| v.as_str())
            .unwrap_or("?")
            .to_string();
        let kept: Vec<String> = fields
            .iter()
            .filter(|(k, _)| k != "event" && !VOLATILE.contains(&k.as_str()))
            .map(|(k, v)| format!("{k}={}", replacements.apply(&v.render())))
            .collect();
        events.push((kind, kept.join(", ")));
    }
    Ok(events)
}

/// Adds one category per event kind.
pub fn compare(a: &[(String, String)], b: &[(String, String)], report: &mut Report) {
    let mut kinds: Vec<&String> = a.iter().chain(b).map(|(k, _)| k).collect();
    kinds.sort();
    kinds.dedup();
    for kind in kinds {
        let of = |events: &[(String, String)]| {
            multiset(
                events
                    .iter()
                    .filter(|(k, _)| k == kind)
                    .map(|(_, v)| v.clone()),
            )
        };
        report.compare_sets(&format!("event {kind}"), &of(a), &of(b));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::{render, AllowList};

    const A: &str = r#"{"v":1,"seq":0,"ts":"2026-01-01T00:00:00.000001Z","event":"initialize","points":45}
{"v":1,"seq":1,"ts":"2026-01-01T00:00:00.000002Z","event":"decision","function":"/a/App.dll T.M()","outcome":"instrument"}
"#;

    #[test]
    fn equivalent_when_only_volatile_fields_and_paths_differ() {
        let b = A.replace("00.000002Z", "09.5Z").replace("/a/", "/b/");
        let ea = parse(A, &Replacements(vec![("/a/".into(), "<dir>/".into())])).unwrap();
        let eb = parse(&b, &Replacements(vec![("/b/".into(), "<dir>/".into())])).unwrap();
        let mut report = Report::default();
        compare(&ea, &eb, &mut report);
        assert!(render(&report, &AllowList::default(), 5).passed);
    }

    #[test]
    fn a_different_outcome_is_reported() {
        let b = A.replace("\"instrument\"", "\"skip_special_name\"");
        let mut report = Report::default();
        compare(
            &parse(A, &Replacements::default()).unwrap(),
            &parse(&b, &Replacements::default()).unwrap(),
            &mut report,
        );
        let verdict = render(&report, &AllowList::default(), 5);
        assert!(!verdict.passed);
        assert!(
            verdict.text.contains("outcome=skip_special_name"),
            "{}",
            verdict.text
        );
    }

    #[test]
    fn malformed_lines_are_an_error() {
        assert!(parse("{\"event\":", &Replacements::default()).is_err());
    }
}
