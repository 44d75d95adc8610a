//! Aligning two line sequences by their longest common subsequence: which
//! lines only one of them has, and a unified diff for the failure report.

use std::fmt::Write;

/// For each of the two sequences, whether each line is left out of their
/// longest common subsequence.
pub fn unshared(a: &[String], b: &[String]) -> (Vec<bool>, Vec<bool>) {
    let ops = align(a, b);
    let mut in_a = vec![false; a.len()];
    let mut in_b = vec![false; b.len()];
    let (mut i, mut j) = (0, 0);
    for op in ops {
        match op {
            ' ' => {
                i += 1;
                j += 1;
            }
            '-' => {
                in_a[i] = true;
                i += 1;
            }
            _ => {
                in_b[j] = true;
                j += 1;
            }
        }
    }
    (in_a, in_b)
}

/// The edit script between `a` and `b` (LCS): `' '` keep, `'-'` only in
/// `a`, `'+'` only in `b`.
pub fn align(a: &[String], b: &[String]) -> Vec<char> {
    let (n, m) = (a.len(), b.len());
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut ops = Vec::with_capacity(n + m);
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            ops.push(' ');
            i += 1;
            j += 1;
        } else if j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j]) {
            ops.push('+');
            j += 1;
        } else {
            ops.push('-');
            i += 1;
        }
    }
    ops
}

/// A unified diff of two line sequences (LCS), with `context` lines around
/// each change, at most `limit` lines.
pub fn unified_diff(a: &[String], b: &[String], context: usize, limit: usize) -> String {
    let mut ops = Vec::new();
    let (mut i, mut j) = (0, 0);
    for op in align(a, b) {
        match op {
            ' ' => {
                ops.push((' ', &a[i]));
                i += 1;
                j += 1;
            }
            '-' => {
                ops.push(('-', &a[i]));
                i += 1;
            }
            _ => {
                ops.push(('+', &b[j]));
                j += 1;
            }
        }
    }
    let changed: Vec<usize> = ops
        .iter()
        .enumerate()
        .filter(|(_, (op, _))| *op != ' ')
        .map(|(k, _)| k)
        .collect();
    let mut text = String::new();
    let mut shown = 0;
    let mut last = None;
    for (k, (op, line)) in ops.iter().enumerate() {
        let near = changed
            .iter()
            .any(|c| k + context >= *c && k <= c + context);
        if !near {
            continue;
        }
        if last.is_some_and(|l: usize| k > l + 1) {
            text.push_str("  …\n");
        }
        last = Some(k);
        let _ = writeln!(text, "{op} {line}");
        shown += 1;
        if shown >= limit {
            text.push_str("  … (diff cut)\n");
            break;
        }
    }
    text
}
