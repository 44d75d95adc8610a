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
/// noise of the environment). One rule per line: `<category> <substring>`,
/// where the category may be several words (`log lines Found newrelic…`)
/// or `*` for any; `#` starts a comment. A comment of the form `# <ID>: …` (`# L1: …`)
/// names the docs/compatibility.md row that explains the rules after it,
/// up to the next such comment.
#[derive(Clone, Debug, Default)]
pub struct AllowList {
    /// `(rule text, compatibility id)`.
    rules: Vec<(String, Option<String>)>,
}

impl AllowList {
    pub fn parse(text: &str) -> AllowList {
        let mut rules = Vec::new();
        let mut id = None;
        let mut after_rule = false;
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            if let Some(comment) = line.strip_prefix('#') {
                match compatibility_id(comment) {
                    Some(named) => id = Some(named),
                    // A new block of rules without an id.
                    None if after_rule => id = None,
                    None => {}
                }
                after_rule = false;
                continue;
            }
            rules.push((line.to_string(), id.clone()));
            after_rule = true;
        }
        AllowList { rules }
    }

    pub fn allows(&self, difference: &Difference) -> bool {
        self.rule(difference).is_some()
    }

    /// The compatibility id of the rule that allows `difference` (`Some("")`
    /// for a rule without one), or `None` if no rule does.
    pub fn reason(&self, difference: &Difference) -> Option<&str> {
        self.rule(difference)
            .map(|(_, id)| id.as_deref().unwrap_or(""))
    }

    fn rule(&self, difference: &Difference) -> Option<&(String, Option<String>)> {
        self.rules.iter().find(|(rule, _)| {
            let pattern = if let Some(rest) = rule.strip_prefix("* ") {
                Some(rest)
            } else if rule == "*" || *rule == difference.category {
                Some("")
            } else {
                rule.strip_prefix(difference.category.as_str())
                    .and_then(|rest| rest.strip_prefix(' '))
            };
            pattern.is_some_and(|p| difference.detail.contains(p.trim()))
        })
    }
}

/// ` L1: …` → `L1`: an upper-case letter, digits, a colon.
fn compatibility_id(comment: &str) -> Option<String> {
    let word = comment.trim_start().split(':').next()?;
    let mut chars = word.chars();
    let first = chars.next()?;
    let rest: String = chars.collect();
    (first.is_ascii_uppercase()
        && !rest.is_empty()
        && rest.chars().all(|c| c.is_ascii_digit())
        && comment.trim_start().len() > word.len())
    .then(|| word.to_string())
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

/// Every difference on its own line, each marked with the compatibility id
/// of the allow-list rule that explains it, or `UNEXPLAINED` (the
/// side-by-side report, `nr-compare --explain`).
pub fn render_explained(report: &Report, allow: &AllowList) -> Verdict {
    let mut text = String::new();
    let mut passed = true;
    for d in &report.differences {
        let side = match d.side {
            Side::OnlyA => "only in A",
            Side::OnlyB => "only in B",
            Side::Changed => "changed",
        };
        let verdict = match allow.reason(d) {
            Some("") => "allowed".to_string(),
            Some(id) => format!("allowed {id}"),
            None => {
                passed = false;
                "UNEXPLAINED".to_string()
            }
        };
        let _ = writeln!(text, "{verdict}: {} {side}: {}", d.category, d.detail);
    }
    if report.differences.is_empty() {
        text.push_str("identical\n");
    }
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
    fn allowed_differences_are_explained_by_their_compatibility_id() {
        let mut report = Report::default();
        report.compare_sets(
            "log lines",
            &multiset(vec![
                "[Info] Found newrelic.config at: x".to_string(),
                "odd".to_string(),
            ]),
            &BTreeMap::new(),
        );
        let allow = AllowList::parse(
            "# L1: lines logged before the log file opened\nlog lines Found newrelic.config at:\n# ours only\nlog lines validation\n",
        );
        let ours_only = Difference {
            category: "log lines".to_string(),
            side: Side::OnlyB,
            detail: "validation events".to_string(),
        };
        assert_eq!(allow.reason(&ours_only), Some(""));
        let verdict = render_explained(&report, &allow);
        assert!(!verdict.passed);
        assert!(
            verdict
                .text
                .contains("allowed L1: log lines only in A: [Info] Found newrelic.config at: x"),
            "{}",
            verdict.text
        );
        assert!(
            verdict
                .text
                .contains("UNEXPLAINED: log lines only in A: odd"),
            "{}",
            verdict.text
        );
        assert_eq!(
            compatibility_id(" R8: per-call lookup"),
            Some("R8".to_string())
        );
        assert_eq!(compatibility_id(" nr-compare allow-list for"), None);
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
