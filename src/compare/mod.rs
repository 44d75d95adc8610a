//! Comparing two runs (the `nr-compare` tool, docs/validation.md): profiler
//! logs, test-agent recordings and validation event logs, each normalised
//! so that only meaningful differences remain, checked against an
//! allow-list, and reported as a table.

pub mod agent_log;
pub mod profiler_log;
pub mod validation_log;

use std::collections::BTreeMap;
use std::fmt::Write;

/// One difference between run A and run B.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Difference {
    /// What was compared (`instrumented`, `points`, `calls`, …).
    pub category: String,
    /// `A` only, `B` only, or changed.
    pub side: Side,
    pub detail: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    OnlyA,
    OnlyB,
    Changed,
}

/// All differences found, grouped by category in comparison order.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// Categories compared, in order (also those without differences).
    pub categories: Vec<String>,
    pub differences: Vec<Difference>,
}

impl Report {
    pub fn category(&mut self, name: &str) {
        if !self.categories.iter().any(|c| c == name) {
            self.categories.push(name.to_string());
        }
    }

    pub fn add(&mut self, category: &str, side: Side, detail: impl Into<String>) {
        self.category(category);
        self.differences.push(Difference {
            category: category.to_string(),
            side,
            detail: detail.into(),
        });
    }

    /// Adds the two set differences of `a` and `b` under `category`.
    pub fn compare_sets(
        &mut self,
        category: &str,
        a: &BTreeMap<String, usize>,
        b: &BTreeMap<String, usize>,
    ) {
        self.category(category);
        for (item, count) in a {
            let other = b.get(item).copied().unwrap_or(0);
            if *count > other {
                self.add(
                    category,
                    Side::OnlyA,
                    if other == 0 {
                        item.clone()
                    } else {
                        format!("{item} (×{count} vs ×{other})")
                    },
                );
            }
        }
        for (item, count) in b {
            let other = a.get(item).copied().unwrap_or(0);
            if *count > other {
                self.add(
                    category,
                    Side::OnlyB,
                    if other == 0 {
                        item.clone()
                    } else {
                        format!("{item} (×{other} vs ×{count})")
                    },
                );
            }
        }
    }

    /// Compares two single values.
    pub fn compare_values(&mut self, category: &str, a: &str, b: &str) {
        self.category(category);
        if a != b {
            self.add(category, Side::Changed, format!("{a} ≠ {b}"));
        }
    }
}

/// Differences that are expected (docs/compatibility.md deviations, or
/// noise of the environment). One rule per line: `<category> <substring>`;
/// `#` starts a comment.
#[derive(Clone, Debug, Default)]
pub struct AllowList {
    rules: Vec<(String, String)>,
}

impl AllowList {
    pub fn parse(text: &str) -> AllowList {
        let rules = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(|l| match l.split_once(char::is_whitespace) {
                Some((category, pattern)) => (category.to_string(), pattern.trim().to_string()),
                None => (l.to_string(), String::new()),
            })
            .collect();
        AllowList { rules }
    }

    pub fn allows(&self, difference: &Difference) -> bool {
        self.rules.iter().any(|(category, pattern)| {
            (category == "*" || *category == difference.category)
                && difference.detail.contains(pattern.as_str())
        })
    }
}

/// The outcome of a comparison: the table text and whether it passed.
pub struct Verdict {
    pub text: String,
    pub passed: bool,
}

/// Renders the report as a table followed by the details, up to
/// `max_details` per category.
pub fn render(report: &Report, allow: &AllowList, max_details: usize) -> Verdict {
    let mut text = String::new();
    let _ = writeln!(
        text,
        "{:<22} {:>9} {:>9} {:>9} {:>8}  status",
        "category", "only in A", "only in B", "changed", "allowed"
    );
    let mut passed = true;
    for category in &report.categories {
        let diffs: Vec<&Difference> = report
            .differences
            .iter()
            .filter(|d| d.category == *category)
            .collect();
        let count = |side: Side| diffs.iter().filter(|d| d.side == side).count();
        let allowed = diffs.iter().filter(|d| allow.allows(d)).count();
        let status = if diffs.is_empty() {
            "same"
        } else if allowed == diffs.len() {
            "allowed"
        } else {
            passed = false;
            "DIFFERENT"
        };
        let _ = writeln!(
            text,
            "{:<22} {:>9} {:>9} {:>9} {:>8}  {status}",
            category,
            count(Side::OnlyA),
            count(Side::OnlyB),
            count(Side::Changed),
            allowed
        );
    }
    for category in &report.categories {
        let unexplained: Vec<&Difference> = report
            .differences
            .iter()
            .filter(|d| d.category == *category && !allow.allows(d))
            .collect();
        if unexplained.is_empty() {
            continue;
        }
        let _ = writeln!(text, "\n{category}:");
        for d in unexplained.iter().take(max_details) {
            let marker = match d.side {
                Side::OnlyA => "- only in A:",
                Side::OnlyB => "+ only in B:",
                Side::Changed => "~ changed:  ",
            };
            let _ = writeln!(text, "  {marker} {}", d.detail);
        }
        if unexplained.len() > max_details {
            let _ = writeln!(text, "  … and {} more", unexplained.len() - max_details);
        }
    }
    let _ = writeln!(
        text,
        "\n{}",
        if passed {
            "RESULT: equivalent"
        } else {
            "RESULT: DIFFERENT"
        }
    );
    Verdict { text, passed }
}

/// Counts items into a multiset.
pub fn multiset<I: IntoIterator<Item = String>>(items: I) -> BTreeMap<String, usize> {
    let mut map = BTreeMap::new();
    for item in items {
        *map.entry(item).or_insert(0) += 1;
    }
    map
}

/// Text substitutions applied to one side before comparing (e.g. the agent
/// home path of that run → `<home>`).
#[derive(Clone, Debug, Default)]
pub struct Replacements(pub Vec<(String, String)>);

impl Replacements {
    pub fn apply(&self, text: &str) -> String {
        let mut out = text.to_string();
        for (from, to) in &self.0 {
            if !from.is_empty() {
                out = out.replace(from.as_str(), to);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allow_list_and_rendering() {
        let mut report = Report::default();
        report.compare_sets(
            "instrumented",
            &multiset(vec!["a".to_string(), "b".to_string()]),
            &multiset(vec!["a".to_string()]),
        );
        report.compare_values("points", "373", "373");
        let verdict = render(&report, &AllowList::default(), 10);
        assert!(!verdict.passed);
        assert!(verdict.text.contains("- only in A: b"), "{}", verdict.text);
        assert!(verdict.text.contains("points"));
        let allow = AllowList::parse("# comment\ninstrumented b\n");
        let verdict = render(&report, &allow, 10);
        assert!(verdict.passed, "{}", verdict.text);
        assert!(verdict.text.contains("allowed"));
    }

    #[test]
    fn multiset_counts_repeats() {
        let mut report = Report::default();
        report.compare_sets(
            "x",
            &multiset(vec!["k".to_string(), "k".to_string()]),
            &multiset(vec!["k".to_string()]),
        );
        assert_eq!(report.differences[0].detail, "k (×2 vs ×1)");
    }
}
