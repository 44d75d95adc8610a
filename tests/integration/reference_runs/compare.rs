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
use super::lines::{is_noise, message, named_function};
use super::noise::{
    allow_varying_compilations, compare_cut_noise, compare_noise, lines_of_one_compilation,
    noise_counts, original_names, take_function,
};
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
    /// Lines starting with this prefix that only we write, as many as thread
    /// timing makes (none included): not compared for count or order.
    OursTimed(&'static str, String),
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
            | Allow::OursTimed(id, _)
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
            Allow::OursTimed(id, prefix) => {
                let ours_n = take_prefix(&mut our_skeleton, prefix);
                let theirs_n = take_prefix(&mut theirs_skeleton, prefix);
                if theirs_n > 0 {
                    result.problems.push(format!(
                        "allowance {id} expects lines starting `{prefix}` only in ours: original {theirs_n}"
                    ));
                } else {
                    result.used.push(format!(
                        "{id}: ours only, ×{ours_n} (thread timing): {prefix}…"
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
                && only.map_or(true, |(unshared, _)| {
                    unshared.get(i).copied().unwrap_or(false)
                })
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
