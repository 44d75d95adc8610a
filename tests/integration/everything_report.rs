//! Accounting for the "instrument everything" run (`everything.rs`): every
//! selected method is put in exactly one bucket from the validation event
//! log (docs/validation.md) — instrumented, skipped with a reason, ReJIT
//! requested but never called again, or never JIT-compiled — and the IL
//! shapes of the selection are counted, selected and exercised.

use crate::il_support::select_all::{SelectedMethod, SelectedType, Selection};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// What happened to one function identity (`[Asm]Type.Method(params)`).
#[derive(Default, Debug)]
pub struct Fate {
    pub outcomes: BTreeSet<String>,
    pub rewritten: bool,
    pub failure: Option<String>,
}

/// `[Asm]Type.Method(params)` of a validation event's function identity.
pub fn key_of(function: &str) -> &str {
    function
        .find(")[")
        .map(|i| &function[i + 1..])
        .unwrap_or(function)
}

/// Fates by key, from the `decision`, `rewrite` and `rewrite_failed` events.
pub fn fates(events: &[Value]) -> BTreeMap<String, Fate> {
    let mut fates: BTreeMap<String, Fate> = BTreeMap::new();
    for e in events {
        let Some(function) = e["function"].as_str() else {
            continue;
        };
        let fate = fates.entry(key_of(function).to_string()).or_default();
        match e["event"].as_str() {
            Some("decision") => {
                fate.outcomes
                    .insert(e["outcome"].as_str().unwrap_or("?").to_string());
            }
            Some("rewrite") => fate.rewritten = true,
            Some("rewrite_failed") => {
                fate.failure = Some(e["reason"].as_str().unwrap_or("?").to_string())
            }
            _ => {}
        }
    }
    fates
}

/// The bucket of one selected method.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Bucket {
    Instrumented,
    Skipped,
    /// First JIT asked for a ReJIT, the method was not called again.
    RejitPending,
    /// No decision at all: never JIT-compiled on its own.
    NeverCompiled,
}

/// The counts and findings of one run.
#[derive(Default)]
pub struct Accounting {
    pub counts: BTreeMap<String, Value>,
    pub skip_reasons: BTreeMap<String, usize>,
    pub shapes: BTreeMap<String, Value>,
    pub failures: Vec<String>,
    /// Bucket of each selected key.
    pub buckets: HashMap<String, Bucket>,
}

/// Skip reasons that are expected (reference-profiler §5.8 and
/// docs/compatibility.md R1, R10); anything else is a failure.
const KNOWN_REASONS: [&str; 9] = [
    "skip_special_name",
    "skip_sequential_layout",
    "skip_value_type",
    "skip_interop",
    "Last instruction was not RET, aborting",
    "tail.-prefixed calls cannot be wrapped",
    "jmp cannot be wrapped",
    "by-ref and pointer return types cannot be boxed",
    "api_skip",
];

/// `extra` are selected methods not read from an assembly on disk (the
/// emitted ones), each with the names of the shapes it exercises.
pub fn account(
    selections: &[Selection],
    extra: &[(String, &[&str])],
    events: &[Value],
) -> Accounting {
    let extra_keys: Vec<String> = extra.iter().map(|(k, _)| k.clone()).collect();
    let mut a = Accounting::default();
    let fates = fates(events);
    let mut selected: BTreeMap<String, Vec<(&SelectedType, &SelectedMethod)>> = BTreeMap::new();
    for s in selections {
        for (key, t, m) in s.keys() {
            selected.entry(key).or_default().push((t, m));
        }
    }
    let method_count: usize = selections
        .iter()
        .map(Selection::method_count)
        .sum::<usize>()
        + extra_keys.len();
    let mut all_keys: BTreeSet<&str> = selected.keys().map(String::as_str).collect();
    all_keys.extend(extra_keys.iter().map(String::as_str));

    for key in fates.keys() {
        if !all_keys.contains(key.as_str()) {
            a.failures.push(format!(
                "decided but not selected (identity mismatch?): {key}"
            ));
        }
    }
    let mut per_bucket: BTreeMap<Bucket, usize> = BTreeMap::new();
    let (mut no_body, mut instrument_lines) = (0usize, 0usize);
    for key in &all_keys {
        let bucket = match fates.get(*key) {
            None => Bucket::NeverCompiled,
            Some(f) => {
                if f.outcomes.contains("instrument") {
                    instrument_lines += 1;
                }
                if f.outcomes.contains("instrument") && !f.rewritten && f.failure.is_none() {
                    a.failures.push(format!(
                        "`Instrumenting method:` without a rewrite or a reason: {key}"
                    ));
                }
                if f.rewritten && f.failure.is_some() {
                    a.failures
                        .push(format!("both rewritten and failed: {key} {f:?}"));
                }
                if f.rewritten {
                    Bucket::Instrumented
                } else if let Some(reason) = &f.failure {
                    *a.skip_reasons.entry(reason.clone()).or_default() += 1;
                    Bucket::Skipped
                } else if let Some(skip) = f.outcomes.iter().find(|o| o.starts_with("skip_")) {
                    *a.skip_reasons.entry(skip.clone()).or_default() += 1;
                    Bucket::Skipped
                } else if f.outcomes.iter().all(|o| o == "rejit_requested") {
                    Bucket::RejitPending
                } else {
                    a.failures
                        .push(format!("decided without an outcome: {key} {f:?}"));
                    Bucket::Skipped
                }
            }
        };
        if bucket == Bucket::NeverCompiled
            && selected
                .get(*key)
                .is_some_and(|ms| ms.iter().all(|(_, m)| m.il.is_none()))
        {
            no_body += 1;
        }
        *per_bucket.entry(bucket).or_default() += 1;
        a.buckets.insert(key.to_string(), bucket);
    }
    for reason in a.skip_reasons.keys() {
        if !KNOWN_REASONS.contains(&reason.as_str()) {
            a.failures.push(format!("unexpected skip reason: {reason}"));
        }
    }
    let n = |b: Bucket| per_bucket.get(&b).copied().unwrap_or(0);
    for s in selections {
        a.counts.insert(
            format!("selected_methods.{}", s.assembly),
            json!(s.method_count()),
        );
        a.counts.insert(
            format!("selected_types.{}", s.assembly),
            json!(s.types.len()),
        );
    }
    a.counts
        .insert("selected_methods".into(), json!(method_count));
    a.counts
        .insert("selected_distinct_identities".into(), json!(all_keys.len()));
    a.counts.insert("jit_compiled".into(), json!(fates.len()));
    a.counts
        .insert("instrumented".into(), json!(n(Bucket::Instrumented)));
    a.counts
        .insert("instrumenting_method_lines".into(), json!(instrument_lines));
    a.counts
        .insert("skipped_with_reason".into(), json!(n(Bucket::Skipped)));
    a.counts.insert(
        "rejit_requested_never_called_again".into(),
        json!(n(Bucket::RejitPending)),
    );
    a.counts
        .insert("never_jit_compiled".into(), json!(n(Bucket::NeverCompiled)));
    a.counts
        .insert("never_jit_compiled.no_il_body".into(), json!(no_body));
    a.shapes = shapes(selections, extra, &a.buckets);
    a
}

/// Selected / JIT-compiled / instrumented counts of each IL or signature shape.
fn shapes(
    selections: &[Selection],
    extra: &[(String, &[&str])],
    buckets: &HashMap<String, Bucket>,
) -> BTreeMap<String, Value> {
    type Test = fn(&SelectedType, &SelectedMethod) -> bool;
    let il = |m: &SelectedMethod| m.il.unwrap_or_default();
    let tests: Vec<(&str, Test)> = vec![
        ("shared_generic_code (generic type or method)", |t, m| {
            t.generic || m.generic
        }),
        ("struct_methods (value type)", |t, _| t.value_type),
        ("ref_struct_methods", |t, _| t.byref_like),
        ("iterator_kickoff ([IteratorStateMachine])", |_, m| {
            m.iterator_kickoff
        }),
        ("async_kickoff ([AsyncStateMachine])", |_, m| {
            m.async_kickoff
        }),
        ("state_machine_move_next", |t, m| {
            m.name == "MoveNext" && t.name.contains(">d__")
        }),
        ("stackalloc (localloc)", |_, m| {
            m.il.is_some_and(|i| i.localloc > 0)
        }),
        ("fixed (pinned local)", |_, m| {
            m.il.is_some_and(|i| i.pinned_locals)
        }),
        ("tail_prefixed_calls", |_, m| {
            m.il.is_some_and(|i| i.tail_calls > 0)
        }),
        ("jmp", |_, m| m.il.is_some_and(|i| i.jmp > 0)),
        ("exception_filters", |_, m| {
            m.il.is_some_and(|i| i.filters > 0)
        }),
        ("huge_methods (>= 4096 IL bytes)", |_, m| {
            m.il.is_some_and(|i| i.code_size >= 4096)
        }),
        ("byref_like_parameters_or_return", |_, m| {
            m.byref_like_signature
        }),
        ("pointer_or_function_pointer_signature", |_, m| {
            m.pointer_signature
        }),
        ("constrained_calls", |_, m| {
            m.il.is_some_and(|i| i.constrained_calls > 0)
        }),
    ];
    let mut out = BTreeMap::new();
    for (name, test) in tests {
        let (mut selected, mut compiled, mut instrumented) = (0, 0, 0);
        let read = selections
            .iter()
            .flat_map(|s| s.keys())
            .filter(|(_, t, m)| test(t, m))
            .map(|(key, _, _)| key);
        let emitted = extra
            .iter()
            .filter(|(_, shapes)| shapes.contains(&name))
            .map(|(key, _)| key.clone());
        for key in read.chain(emitted) {
            selected += 1;
            match buckets.get(&key) {
                Some(Bucket::Instrumented) => {
                    compiled += 1;
                    instrumented += 1;
                }
                Some(Bucket::NeverCompiled) | None => {}
                Some(_) => compiled += 1,
            }
        }
        out.insert(
            name.to_string(),
            json!({"selected": selected, "jit_compiled": compiled, "instrumented": instrumented}),
        );
    }
    let largest = selections
        .iter()
        .flat_map(|s| s.keys())
        .filter(|(key, _, _)| buckets.get(key) == Some(&Bucket::Instrumented))
        .map(|(_, _, m)| il(m).code_size)
        .max()
        .unwrap_or(0);
    out.insert(
        "largest_instrumented_method_il_bytes".into(),
        json!(largest),
    );
    out
}
