//! Comparing our normalised log with the original's recorded one.
//!
//! Lines are split into the *skeleton* (everything but per-function noise,
//! see [`super::lines::is_noise`]) and the noise. The skeleton must be the
//! same sequence, line for line; the noise must be the same multiset (the
//! order of JIT-compiled methods depends on the runtime's threads). Every
//! difference must be named by an [`Allow`], which carries the
//! `docs/compatibility.md` id that explains it and the exact line(s) it
//! allows; an allowance that no longer matches anything fails too, so the
//! list cannot go stale. A cut original (over 300 KB) is compared through
//! its listing of non-noise lines and its per-kind noise counts.

use super::align::{unified_diff, unshared};
use super::lines::{is_noise, message, named_function, noise_kind};
use super::recording::Recording;
use std::collections::BTreeMap;
use std::fmt::Write;

/// One expected difference, named by its `docs/compatibility.md` id.
#[derive(Clone, Debug)]
pub enum Allow {
    /// `count` copies of `line` that only we write.
    Ours(&'static str, usize, String),
    /// `count` copies of `line` that only the original writes.
    Original(&'static str, usize, String),
    /// `line` is in both logs as often, at another place.
    Moved(&'static str, String),
    /// A method JIT-compiled in only one of the two runs: every
    /// per-function line that belongs to its compilation.
    JitOursOnly(&'static str, String),
    JitOriginalOnly(&'static str, String),
    /// A cut original's hidden middle has this many more compilations of
    /// uninstrumented `System.*` methods than ours (named in
    /// `differences.md`, not listed there line by line).
    JitHiddenOriginalOnly(&'static str, usize),
    /// Lines starting with this prefix: their number and place depend on
    /// thread timing, so they are compared neither for count nor for order
    /// (each log must have at least one).
    Racy(&'static str, String),
    /// A stretch whose lines depend on thread timing: from after the `nth`
    /// (1-based) `after` line, through the first `until` line, up to the
    /// next `resume` line. Both logs must have it; its lines are not
    /// compared.
    RacyRegion {
        id: &'static str,
        after: String,
        nth: usize,
        until: String,
        resume: String,
    },
    /// Up to this many methods compiled in only one of the two runs (or a
    /// different number of times) by the runtime's own threads: run-to-run
    /// variation, not a difference of the libraries.
    JitVaries(&'static str, usize),
}

impl Allow {
    /// The `docs/compatibility.md` id this allowance names.
    pub fn id(&self) -> &'static str {
        match self {
            Allow::Ours(id, ..)
            | Allow::Original(id, ..)
            | Allow::Moved(id, _)
            | Allow::JitOursOnly(id, _)
            | Allow::JitOriginalOnly(id, _)
            | Allow::JitHiddenOriginalOnly(id, _)
            | Allow::Racy(id, _)
            | Allow::RacyRegion { id, .. }
            | Allow::JitVaries(id, _) => id,
        }
    }
}

/// The outcome: no `problems` means every difference is explained; no
/// `stale` allowances too means the allowance list is exact.
#[derive(Default)]
pub struct Comparison {
    /// Differences no allowance explains.
    pub problems: Vec<String>,
    /// Allowances whose difference did not show: the expected line is not
    /// there, or is in both logs.
    pub stale: Vec<String>,
    /// What each allowance matched, for the report.
    pub used: Vec<String>,
}

impl Comparison {
    /// Explained, and every allowance used (the reference-run tests).
    pub fn passed(&self) -> bool {
        self.problems.is_empty() && self.stale.is_empty()
    }

    /// Every difference explained (side by side, where an expected
    /// difference may legitimately not show).
    pub fn explained(&self) -> bool {
        self.problems.is_empty()
    }

    pub fn render(&self, scenario: &str) -> String {
        let mut text = format!("reference run {scenario}: ");
        if self.passed() {
            text.push_str("identical up to the allowances\n");
        } else {
            let _ = writeln!(
                text,
                "{} unexplained difference(s), {} allowance(s) that matched nothing",
                self.problems.len(),
                self.stale.len()
            );
            for problem in &self.problems {
                let _ = writeln!(text, "{problem}");
            }
            for stale in &self.stale {
                let _ = writeln!(text, "stale: {stale}");
            }
        }
        for used in &self.used {
            let _ = writeln!(text, "  allowed {used}");
        }
        text
    }
}

/// Compares our log lines (normalised, ids masked) with the recording.
/// Allowances that remove lines from both logs (stretches, moved and racy
/// lines) apply first; then the lines only one side has are taken, the
/// ones the two skeletons do not share first, so that the right copy of a
/// repeated line is the one allowed.
pub fn compare_log(original: &Recording, ours: &[String], allows: &[Allow]) -> Comparison {
    let mut result = Comparison::default();
    let mut theirs_skeleton = original.skeleton();
    let mut our_skeleton: Vec<String> = ours.iter().filter(|l| !is_noise(l)).cloned().collect();
    let mut their_noise = noise_counts(&original.lines);
    let mut our_noise = noise_counts(ours);

    for allow in allows {
        match allow {
            Allow::RacyRegion {
                id,
                after,
                nth,
                until,
                resume,
            } => {
                let theirs = cut_region(&mut theirs_skeleton, after, *nth, until, resume);
                let mine = cut_region(&mut our_skeleton, after, *nth, until, resume);
                match (theirs, mine) {
                    (Some(t), Some(o)) => result.used.push(format!(
                        "{id}: timing-dependent stretch after `{after}` #{nth} through `{until}`: original {t} lines, ours {o}"
                    )),
                    (None, None) => result.stale.push(format!(
                        "{id}: no stretch after `{after}` #{nth} through `{until}` in either log"
                    )),
                    _ => result.problems.push(format!(
                        "allowance {id} expects a stretch after `{after}` #{nth} through `{until}` up to `{resume}` in both logs (original: {theirs:?} lines, ours: {mine:?})"
                    )),
                }
            }
            Allow::Moved(id, line) => {
                let ours_n = take(&mut our_skeleton, &mut our_noise, line, usize::MAX, None);
                let theirs_n = take(
                    &mut theirs_skeleton,
                    &mut their_noise,
                    line,
                    usize::MAX,
                    None,
                );
                if ours_n == 0 && theirs_n == 0 {
                    result
                        .stale
                        .push(format!("{id} (moved): in neither log: {line}"));
                } else if ours_n != theirs_n {
                    result.problems.push(format!(
                        "allowance {id} (moved) expects the line in both logs as often: original {theirs_n}, ours {ours_n}: {line}"
                    ));
                } else {
                    result.used.push(format!("{id}: moved ×{ours_n}: {line}"));
                }
            }
            Allow::Racy(id, prefix) => {
                let ours_n = take_prefix(&mut our_skeleton, prefix);
                let theirs_n = take_prefix(&mut theirs_skeleton, prefix);
                if ours_n == 0 && theirs_n == 0 {
                    result
                        .stale
                        .push(format!("{id} (timing): in neither log: {prefix}…"));
                } else if ours_n == 0 || theirs_n == 0 {
                    result.problems.push(format!(
                        "allowance {id} (timing) expects lines starting `{prefix}` in both logs: original {theirs_n}, ours {ours_n}"
                    ));
                } else {
                    result.used.push(format!(
                        "{id}: timing-dependent, original ×{theirs_n}, ours ×{ours_n}: {prefix}…"
                    ));
                }
            }
            Allow::JitOursOnly(id, function) => {
                let removed = take_function(ours, &mut our_noise, function);
                let present = original_names(original).contains(function.as_str());
                if removed == 0 || present {
                    result.stale.push(format!(
                        "{id} expects {function} compiled only in ours (ours: {removed} lines, in the original: {present})"
                    ));
                } else {
                    result.used.push(format!(
                        "{id}: compiled only in ours ({removed} lines): {function}"
                    ));
                }
            }
            Allow::JitOriginalOnly(id, function) => {
                let present = ours
                    .iter()
                    .any(|l| named_function(l).is_some_and(|f| f.starts_with(function.as_str())));
                let removed = if original.cut.is_none() {
                    take_function(&original.lines, &mut their_noise, function)
                } else {
                    lines_of_one_compilation(function)
                };
                if removed == 0 || present {
                    result.stale.push(format!(
                        "{id} expects {function} compiled only in the original (original: {removed} lines, in ours: {present})"
                    ));
                } else {
                    result
                        .used
                        .push(format!("{id}: compiled only in the original: {function}"));
                }
            }
            _ => {}
        }
    }
    let (theirs_unshared, ours_unshared) = unshared(&theirs_skeleton, &our_skeleton);
    for allow in allows {
        match allow {
            Allow::Ours(id, count, line) => {
                let removed = take(
                    &mut our_skeleton,
                    &mut our_noise,
                    line,
                    *count,
                    Some((&ours_unshared, &their_noise)),
                );
                expect_count(&mut result, id, "only in ours", line, *count, removed);
            }
            Allow::Original(id, count, line) => {
                let removed = take(
                    &mut theirs_skeleton,
                    &mut their_noise,
                    line,
                    *count,
                    Some((&theirs_unshared, &our_noise)),
                );
                if original.cut.is_none() || !is_noise(line) {
                    expect_count(
                        &mut result,
                        id,
                        "only in the original",
                        line,
                        *count,
                        removed,
                    );
                } else {
                    result
                        .used
                        .push(format!("{id}: {count} × only in the original: {line}"));
                }
            }
            _ => {}
        }
    }
    drop_taken(&mut theirs_skeleton);
    drop_taken(&mut our_skeleton);
    compare_skeleton(&mut result, &theirs_skeleton, &our_skeleton);
    let varies = allows.iter().find_map(|a| match a {
        Allow::JitVaries(id, max) => Some((*id, *max)),
        _ => None,
    });
    match &original.cut {
        None => {
            // A complete original (side by side): the methods the cut
            // listing could only count are now named.
            for allow in allows {
                if let Allow::JitHiddenOriginalOnly(id, n) = allow {
                    allow_varying_compilations(
                        &mut result,
                        &mut their_noise,
                        &mut our_noise,
                        id,
                        *n,
                        true,
                    );
                }
            }
            if let Some((id, max)) = varies {
                allow_varying_compilations(
                    &mut result,
                    &mut their_noise,
                    &mut our_noise,
                    id,
                    max,
                    false,
                );
            }
            compare_noise(&mut result, &their_noise, &our_noise)
        }
        Some(_) => compare_cut_noise(&mut result, original, ours, allows, varies),
    }
    result
}

/// Removes the stretch of [`Allow::RacyRegion`]; its length, or `None` if
/// the anchors are not there.
fn cut_region(
    lines: &mut Vec<String>,
    after: &str,
    nth: usize,
    until: &str,
    resume: &str,
) -> Option<usize> {
    let start = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| message(l) == after)
        .nth(nth.checked_sub(1)?)?
        .0
        + 1;
    let until_at = start + lines[start..].iter().position(|l| message(l) == until)?;
    let end = lines[until_at..]
        .iter()
        .position(|l| message(l) == resume)
        .map_or(lines.len(), |p| until_at + p);
    lines.drain(start..end);
    Some(end - start)
}

/// Removes every skeleton line starting with `prefix`; how many.
fn take_prefix(skeleton: &mut Vec<String>, prefix: &str) -> usize {
    let before = skeleton.len();
    skeleton.retain(|l| !l.starts_with(prefix));
    before - skeleton.len()
}

/// [`Allow::JitVaries`] on complete logs: methods whose number of
/// compilations differs between the runs (named by their `Possibly
/// instrumenting` lines) lose the surplus compilations' lines, if there
/// are at most `max` such methods. With `original_only`, only methods the
/// original compiles more often count.
fn allow_varying_compilations(
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
fn remove_compilation(noise: &mut BTreeMap<String, usize>, line: &str, function: &str) {
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
fn unsearched(assembly: &str) -> bool {
    ["System.", "Microsoft.", "NewRelic."]
        .iter()
        .any(|p| assembly.starts_with(p))
}

fn expect_count(
    result: &mut Comparison,
    id: &str,
    side: &str,
    line: &str,
    expected: usize,
    found: usize,
) {
    if found == expected {
        result
            .used
            .push(format!("{id}: {expected} × {side}: {line}"));
    } else {
        result.stale.push(format!(
            "{id} expects {expected} × {side} but found {found}: {line}"
        ));
    }
}

/// A skeleton line an allowance took (see [`take`]).
const TAKEN: &str = "\u{0}taken";

/// Removes the lines [`take`] marked.
fn drop_taken(skeleton: &mut Vec<String>) {
    skeleton.retain(|l| l != TAKEN);
}

/// Removes up to `count` copies of `line` from the skeleton or the noise.
/// With `only` (an allowance for one side), only the skeleton copies the
/// other log does not share are taken (`only[i]`), and from the noise only
/// the copies beyond the other log's (`beyond`).
fn take(
    skeleton: &mut Vec<String>,
    noise: &mut BTreeMap<String, usize>,
    line: &str,
    count: usize,
    only: Option<(&[bool], &BTreeMap<String, usize>)>,
) -> usize {
    if is_noise(line) {
        let entry = noise.entry(line.to_string()).or_default();
        let available = match only {
            Some((_, other)) => entry.saturating_sub(other.get(line).copied().unwrap_or(0)),
            None => *entry,
        };
        let removed = available.min(count);
        *entry -= removed;
        return removed;
    }
    let mut doomed: Vec<usize> = (0..skeleton.len())
        .filter(|&i| {
            skeleton[i] == line
                && only.map_or(true, |(unshared, _)| unshared.get(i).copied().unwrap_or(false))
        })
        .collect();
    doomed.truncate(count);
    if only.is_some() {
        // Keep the indexes of `only` valid for the next allowance: mark
        // now, drop in `drop_taken`.
        for &i in &doomed {
            skeleton[i] = TAKEN.to_string();
        }
    } else {
        for &i in doomed.iter().rev() {
            skeleton.remove(i);
        }
    }
    doomed.len()
}

/// Removes the noise lines of every compilation of `function` in `lines`:
/// its `Possibly instrumenting`/`No instrumentation point` lines and, per
/// compilation, one `JITCompilationStarted`/`Finished` pair and (in the
/// assemblies the original does not search) one `Not searching` line.
fn take_function(lines: &[String], noise: &mut BTreeMap<String, usize>, function: &str) -> usize {
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
fn lines_of_one_compilation(function: &str) -> usize {
    4 + usize::from(assembly_of(function).is_some_and(unsearched))
}

/// `[Assembly]` of `(Module: …, AppDomain: …)[Assembly]Type.Method(…)`.
fn assembly_of(function: &str) -> Option<&str> {
    let after = function.split_once(")[")?.1;
    Some(after.split_once(']')?.0)
}

fn original_names(original: &Recording) -> std::collections::BTreeSet<&str> {
    original
        .lines
        .iter()
        .filter_map(|l| named_function(l))
        .collect()
}

fn noise_counts(lines: &[String]) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for line in lines.iter().filter(|l| is_noise(l)) {
        *counts.entry(line.clone()).or_insert(0) += 1;
    }
    counts
}

/// The skeletons must be the same sequence.
fn compare_skeleton(result: &mut Comparison, theirs: &[String], ours: &[String]) {
    if theirs == ours {
        return;
    }
    let mut text = String::from(
        "the log lines (per-function noise aside) differ; `-` only in the original, `+` only in ours:\n",
    );
    text.push_str(&unified_diff(theirs, ours, 3, 200));
    result.problems.push(text);
}

/// The noise must be the same multiset.
fn compare_noise(
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
fn compare_cut_noise(
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
