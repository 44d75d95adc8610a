//! The per-function lines (JIT callbacks, `Not searching…`, rewrite
//! steps): counted, not ordered. Which methods a run compiles, and how
//! often, is what the JIT allowances and the run-to-run variation V1 are
//! about; a cut recording is compared through its counts.

use super::compare::{Allow, Comparison};
use super::lines::{is_noise, message, named_function, noise_kind};
use super::recording::Recording;
use std::collections::BTreeMap;

/// [`Allow::JitVaries`] on complete logs: methods whose number of
/// compilations differs between the runs (named by their `Possibly
/// instrumenting` lines) lose the surplus compilations' lines, if there
/// are at most `max` such methods. With `original_only`, only methods the
/// original compiles more often count.
pub(super) fn allow_varying_compilations(
    result: &mut Comparison,
    theirs: &mut BTreeMap<String, usize>,
    ours: &mut BTreeMap<String, usize>,
    id: &str,
    max: usize,
    original_only: bool,
) {
    let compiled = |noise: &BTreeMap<String, usize>| -> BTreeMap<String, (String, usize)> {
        noise
            .iter()
            .filter(|(l, n)| **n > 0 && message(l).starts_with("Possibly instrumenting: "))
            .filter_map(|(l, n)| named_function(l).map(|f| (f.to_string(), (l.clone(), *n))))
            .collect()
    };
    let (t, o) = (compiled(theirs), compiled(ours));
    let mut varying = Vec::new();
    for function in t
        .keys()
        .chain(o.keys())
        .collect::<std::collections::BTreeSet<_>>()
    {
        let tn = t.get(function).map_or(0, |(_, n)| *n);
        let on = o.get(function).map_or(0, |(_, n)| *n);
        if tn != on && (!original_only || tn > on) {
            varying.push((function.clone(), tn, on));
        }
    }
    if varying.is_empty() {
        return;
    }
    if varying.len() > max {
        result.problems.push(format!(
            "allowance {id} allows up to {max} methods compiled a different number of times, but {} are (first 20):\n  {}",
            varying.len(),
            varying
                .iter()
                .take(20)
                .map(|(f, tn, on)| format!("original ×{tn}, ours ×{on}: {f}"))
                .collect::<Vec<_>>()
                .join("\n  ")
        ));
        return;
    }
    for (function, tn, on) in varying {
        let (side, surplus, line) = if tn > on {
            (&mut *theirs, tn - on, t[&function].0.clone())
        } else {
            (&mut *ours, on - tn, o[&function].0.clone())
        };
        for _ in 0..surplus {
            remove_compilation(side, &line, &function);
        }
        result.used.push(format!(
            "{id}: compiled ×{tn} in the original, ×{on} in ours: {function}"
        ));
    }
}

/// Removes one compilation's noise lines of `function`, whose `Possibly
/// instrumenting` line is `line`.
pub(super) fn remove_compilation(noise: &mut BTreeMap<String, usize>, line: &str, function: &str) {
    let tag = line.get(..8).unwrap_or("").to_string();
    let mut lines = vec![
        line.to_string(),
        format!("{tag}<time> No instrumentation point for {function}"),
        format!("{tag}<time> JITCompilationStarted. <id>"),
        format!("{tag}<time> JITCompilationStartedFinished. <id>"),
    ];
    if let Some(assembly) = assembly_of(function).filter(|a| unsearched(a)) {
        lines.push(format!(
            "{tag}<time> Not searching {assembly} for transaction or trace attributes"
        ));
    }
    for l in lines {
        if let Some(n) = noise.get_mut(&l) {
            *n = n.saturating_sub(1);
        }
    }
}

/// Assemblies the original does not search for attributes (§4.8).
pub(super) fn unsearched(assembly: &str) -> bool {
    ["System.", "Microsoft.", "NewRelic."]
        .iter()
        .any(|p| assembly.starts_with(p))
}

/// Removes the noise lines of every compilation of `function` in `lines`:
/// its `Possibly instrumenting`/`No instrumentation point` lines and, per
/// compilation, one `JITCompilationStarted`/`Finished` pair and (in the
/// assemblies the original does not search) one `Not searching` line.
pub(super) fn take_function(
    lines: &[String],
    noise: &mut BTreeMap<String, usize>,
    function: &str,
) -> usize {
    let mut removed = 0;
    let mut remove = |line: String| {
        if let Some(n) = noise.get_mut(&line) {
            if *n > 0 {
                *n -= 1;
                removed += 1;
            }
        }
    };
    let level = |l: &str| l.get(..8).unwrap_or("").to_string();
    for line in lines.iter().filter(|l| named_function(l) == Some(function)) {
        remove(line.clone());
        if message(line).starts_with("Possibly instrumenting: ") {
            let tag = level(line);
            remove(format!("{tag}<time> JITCompilationStarted. <id>"));
            remove(format!("{tag}<time> JITCompilationStartedFinished. <id>"));
            if let Some(assembly) = assembly_of(function).filter(|a| unsearched(a)) {
                remove(format!(
                    "{tag}<time> Not searching {assembly} for transaction or trace attributes"
                ));
            }
        }
    }
    removed
}

/// The noise lines one compilation of an uninstrumented `function` writes
/// at Trace: the callback pair, `Possibly instrumenting`, `No
/// instrumentation point` and, in the assemblies not searched for
/// attributes, `Not searching`.
pub(super) fn lines_of_one_compilation(function: &str) -> usize {
    4 + usize::from(assembly_of(function).is_some_and(unsearched))
}

/// `[Assembly]` of `(Module: …, AppDomain: …)[Assembly]Type.Method(…)`.
pub(super) fn assembly_of(function: &str) -> Option<&str> {
    let after = function.split_once(")[")?.1;
    Some(after.split_once(']')?.0)
}

pub(super) fn original_names(original: &Recording) -> std::collections::BTreeSet<&str> {
    original
        .lines
        .iter()
        .filter_map(|l| named_function(l))
        .collect()
}

pub(super) fn noise_counts(lines: &[String]) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for line in lines.iter().filter(|l| is_noise(l)) {
        *counts.entry(line.clone()).or_insert(0) += 1;
    }
    counts
}

/// The noise must be the same multiset.
pub(super) fn compare_noise(
    result: &mut Comparison,
    theirs: &BTreeMap<String, usize>,
    ours: &BTreeMap<String, usize>,
) {
    let mut lines = Vec::new();
    let keys: std::collections::BTreeSet<&String> = theirs.keys().chain(ours.keys()).collect();
    for key in keys {
        let (t, o) = (
            theirs.get(key).copied().unwrap_or(0),
            ours.get(key).copied().unwrap_or(0),
        );
        if t != o {
            lines.push(format!("  original ×{t}, ours ×{o}: {key}"));
        }
    }
    if !lines.is_empty() {
        let shown = lines.len().min(60);
        result.problems.push(format!(
            "per-function lines differ ({} distinct lines):\n{}{}",
            lines.len(),
            lines[..shown].join("\n"),
            if lines.len() > shown {
                format!("\n  … and {} more", lines.len() - shown)
            } else {
                String::new()
            }
        ));
    }
}

/// A cut original: the noise in its kept head and tail must all be ours
/// too, and per kind the counts must match the full log's once the
/// allowances are applied.
pub(super) fn compare_cut_noise(
    result: &mut Comparison,
    original: &Recording,
    ours: &[String],
    allows: &[Allow],
    varies: Option<(&str, usize)>,
) {
    let cut = original.cut.as_ref().expect("a cut recording");
    let full_noise = cut.total - cut.skeleton.len();
    let kept: Vec<&String> = original.lines.iter().filter(|l| is_noise(l)).collect();
    let mut our_counts = noise_counts(ours);
    for allow in allows {
        if let Allow::JitOursOnly(_, function) = allow {
            take_function(ours, &mut our_counts, function);
        }
        if let Allow::Ours(_, n, line) = allow {
            if is_noise(line) {
                let e = our_counts.entry(line.clone()).or_default();
                *e = e.saturating_sub(*n);
            }
        }
    }
    let mut missing = Vec::new();
    let mut available = our_counts.clone();
    for line in kept {
        match available.get_mut(line) {
            Some(n) if *n > 0 => *n -= 1,
            _ => missing.push(line.clone()),
        }
    }
    if !missing.is_empty() {
        result.problems.push(format!(
            "per-function lines of the original's kept head and tail that ours lacks:\n  {}",
            missing.join("\n  ")
        ));
    }
    let our_total: usize = our_counts.values().sum();
    let original_only: usize = allows
        .iter()
        .map(|a| match a {
            Allow::Original(_, n, line) if is_noise(line) => *n,
            Allow::JitOriginalOnly(_, function) => lines_of_one_compilation(function),
            Allow::JitHiddenOriginalOnly(_, n) => n * 5,
            _ => 0,
        })
        .sum();
    for allow in allows {
        if let Allow::JitHiddenOriginalOnly(id, n) = allow {
            result.used.push(format!(
                "{id}: {n} compilations of System.* methods only in the original's cut middle ({} lines)",
                n * 5
            ));
        }
    }
    let expected = full_noise - original_only;
    let tolerance = varies.map_or(0, |(_, max)| max * 5);
    if our_total.abs_diff(expected) <= tolerance && our_total != expected {
        if let Some((id, max)) = varies {
            result.used.push(format!(
                "{id}: per-function lines {our_total}, the original's {expected} after the allowances (up to {max} compilations may differ)"
            ));
        }
    }
    if our_total.abs_diff(expected) > tolerance {
        let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
        for (line, n) in &our_counts {
            *kinds.entry(noise_kind(line)).or_default() += n;
        }
        result.problems.push(format!(
            "per-function lines: the original's full log has {full_noise} ({original_only} allowed only there), ours {our_total} after the allowances; ours by kind: {kinds:?}"
        ));
    }
}
