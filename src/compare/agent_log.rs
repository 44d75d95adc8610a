//! Comparing two test-agent recordings (tests/apps/MockAgent): the sequence
//! of `GetFinishTracerDelegate` calls with all eleven arguments, the finish
//! calls and the API calls. FunctionIDs differ between processes, so each is
//! replaced by the method it was passed for and the order of its first
//! appearance for that method (`fid(Type.Method)#1`, `#2` for a second id
//! of the same method): the pattern of which calls share an id is still
//! compared, and one missing method does not renumber all the others.

use super::{multiset, Replacements, Report, Side};
use std::collections::HashMap;

/// Normalised records in order.
pub fn parse(text: &str, replacements: &Replacements) -> Vec<String> {
    // (method, raw id) → number; method → ids seen so far.
    let mut ids: HashMap<(String, String), usize> = HashMap::new();
    let mut per_method: HashMap<String, usize> = HashMap::new();
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let line = replacements.apply(line.trim_start_matches('\u{feff}'));
            let fields: Vec<&str> = line.split('\t').collect();
            // Call lines: fields 6 and 7 are the type name and method name.
            let method = match (fields.first(), fields.get(6), fields.get(7)) {
                (Some(&"Call"), Some(t), Some(m)) => format!("{t}.{m}"),
                _ => String::new(),
            };
            fields
                .iter()
                .map(|field| match field.strip_prefix("fid=") {
                    Some(id) => {
                        let key = (method.clone(), id.to_string());
                        let number = match ids.get(&key) {
                            Some(n) => *n,
                            None => {
                                let count = per_method.entry(method.clone()).or_insert(0);
                                *count += 1;
                                ids.insert(key, *count);
                                *count
                            }
                        };
                        format!("fid({method})#{number}")
                    }
                    None => field.to_string(),
                })
                .collect::<Vec<_>>()
                .join(" | ")
        })
        .collect()
}

/// Adds the agent categories: calls, finishes and API calls as ordered
/// sequences (`ordered`), or as multisets for multi-threaded runs.
pub fn compare(a: &[String], b: &[String], ordered: bool, report: &mut Report) {
    for (category, prefix) in [
        ("tracer calls", "Call | "),
        ("finish calls", "Finish | "),
        ("api calls", "Api | "),
    ] {
        let pick = |records: &[String]| {
            records
                .iter()
                .filter(|r| r.starts_with(prefix))
                .cloned()
                .collect::<Vec<_>>()
        };
        let (ra, rb) = (pick(a), pick(b));
        if ordered {
            compare_sequences(category, &ra, &rb, report);
        } else {
            report.compare_sets(category, &multiset(ra), &multiset(rb));
        }
    }
}

/// Ordered comparison: a longest-common-subsequence alignment, so a missing
/// or extra record is reported once (with its position in its own run)
/// instead of shifting every later record. A record replaced by another at
/// the same place is reported as changed.
fn compare_sequences(category: &str, a: &[String], b: &[String], report: &mut Report) {
    report.category(category);
    let mut pending_a: Vec<usize> = Vec::new();
    let mut pending_b: Vec<usize> = Vec::new();
    let flush = |pa: &mut Vec<usize>, pb: &mut Vec<usize>, report: &mut Report| {
        let paired = pa.len().min(pb.len());
        for (i, j) in pa.iter().zip(pb.iter()) {
            report.add(
                category,
                Side::Changed,
                format!("A#{i}: {}  ≠  B#{j}: {}", a[*i], b[*j]),
            );
        }
        for i in &pa[paired..] {
            report.add(category, Side::OnlyA, format!("#{i}: {}", a[*i]));
        }
        for j in &pb[paired..] {
            report.add(category, Side::OnlyB, format!("#{j}: {}", b[*j]));
        }
        pa.clear();
        pb.clear();
    };
    for step in align(a, b) {
        match step {
            Step::Same => flush(&mut pending_a, &mut pending_b, report),
            Step::OnlyA(i) => pending_a.push(i),
            Step::OnlyB(j) => pending_b.push(j),
        }
    }
    flush(&mut pending_a, &mut pending_b, report);
}

enum Step {
    Same,
    OnlyA(usize),
    OnlyB(usize),
}

/// Above this many cells the quadratic table is not built; the middle part
/// (after the common prefix and suffix) is then compared position by
/// position. Ordered comparisons are for single-threaded recordings of at
/// most a few thousand calls; larger ones should use `--unordered`.
const MAX_TABLE_CELLS: usize = 16_000_000;

/// Edit script from `a` to `b`.
fn align(a: &[String], b: &[String]) -> Vec<Step> {
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (ma, mb) = (&a[prefix..a.len() - suffix], &b[prefix..b.len() - suffix]);
    let mut steps: Vec<Step> = (0..prefix).map(|_| Step::Same).collect();
    let (n, m) = (ma.len(), mb.len());
    if (n + 1).saturating_mul(m + 1) > MAX_TABLE_CELLS {
        for k in 0..n.max(m) {
            if k < n && k < m && ma[k] == mb[k] {
                steps.push(Step::Same);
                continue;
            }
            if k < n {
                steps.push(Step::OnlyA(prefix + k));
            }
            if k < m {
                steps.push(Step::OnlyB(prefix + k));
            }
        }
    } else {
        // lcs[i][j]: length of the LCS of ma[i..] and mb[j..].
        let width = m + 1;
        let mut lcs = vec![0u32; (n + 1) * width];
        for i in (0..n).rev() {
            for j in (0..m).rev() {
                lcs[i * width + j] = if ma[i] == mb[j] {
                    lcs[(i + 1) * width + j + 1] + 1
                } else {
                    lcs[(i + 1) * width + j].max(lcs[i * width + j + 1])
                };
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < n || j < m {
            if i < n && j < m && ma[i] == mb[j] {
                steps.push(Step::Same);
                i += 1;
                j += 1;
            } else if j == m || (i < n && lcs[(i + 1) * width + j] >= lcs[i * width + j + 1]) {
                steps.push(Step::OnlyA(prefix + i));
                i += 1;
            } else {
                steps.push(Step::OnlyB(prefix + j));
                j += 1;
            }
        }
    }
    steps.extend((0..suffix).map(|_| Step::Same));
    steps
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::{render, AllowList};

    const A: &str = "Call\tF\t0x3400\t\tApp\tT\tT\tM\tSystem.Int32\t<null>\t[1]\tfid=111\nFinish\tT.M\t2\t<null>\nCall\tF\t0x3400\t\tApp\tT\tT\tM\tSystem.Int32\t<null>\t[5]\tfid=111\nFinish\tT.M\t6\t<null>\n";

    #[test]
    fn same_calls_with_other_ids_are_equivalent() {
        let b = A.replace("111", "999");
        let mut report = Report::default();
        compare(
            &parse(A, &Replacements::default()),
            &parse(&b, &Replacements::default()),
            true,
            &mut report,
        );
        assert!(render(&report, &AllowList::default(), 5).passed);
    }

    #[test]
    fn a_changed_argument_is_reported_with_its_position() {
        let b = A.replace("[5]", "[7]");
        let mut report = Report::default();
        compare(
            &parse(A, &Replacements::default()),
            &parse(&b, &Replacements::default()),
            true,
            &mut report,
        );
        let verdict = render(&report, &AllowList::default(), 5);
        assert!(!verdict.passed);
        assert!(
            verdict.text.contains("A#1: Call | F | 0x3400"),
            "{}",
            verdict.text
        );
        assert!(verdict.text.contains("[7]"), "{}", verdict.text);
    }

    #[test]
    fn a_missing_call_is_reported_once_and_later_ids_keep_their_names() {
        let b = "Call\tF\t0x3400\t\tApp\tT\tT\tM\tSystem.Int32\t<null>\t[5]\tfid=999\nFinish\tT.M\t6\t<null>\n";
        let extra =
            "Call\tF\t0x3400\t\tApp\tT\tT\tN\t\t<null>\t[]\tfid=5\nFinish\tT.N\t<null>\t<null>\n";
        let a = format!("{extra}{b}");
        let mut report = Report::default();
        compare(
            &parse(&a, &Replacements::default()),
            &parse(b, &Replacements::default()),
            true,
            &mut report,
        );
        let only_a: Vec<_> = report
            .differences
            .iter()
            .filter(|d| d.side == Side::OnlyA)
            .collect();
        assert_eq!(report.differences.len(), 2, "{:?}", report.differences);
        assert_eq!(only_a.len(), 2);
        assert!(
            only_a[0]
                .detail
                .starts_with("#0: Call | F | 0x3400 |  | App | T | T | N"),
            "{:?}",
            only_a[0]
        );
    }

    #[test]
    fn shared_ids_must_stay_shared() {
        let b = A.replacen("fid=111", "fid=222", 1);
        let mut report = Report::default();
        compare(
            &parse(A, &Replacements::default()),
            &parse(&b, &Replacements::default()),
            true,
            &mut report,
        );
        assert!(
            !render(&report, &AllowList::default(), 5).passed,
            "two calls of one method must share an id"
        );
    }
}
