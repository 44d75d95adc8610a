//! The IL engine on every method body and signature blob of the installed
//! .NET shared frameworks (issue 3, "Proof"): exact round trips, the
//! wrapper rewrite with structural checks, and §8.1 rendering.

mod support;

use std::collections::BTreeMap;
use support::corpus::{self, SigKind};
use support::{checks, wrapper};
use NewRelicProfiler::il::signature::{render_parameters, MethodSig, Signature, TypeSig};
use NewRelicProfiler::il::{IlError, MethodBody};

fn fail_list(failures: &[String]) -> String {
    failures
        .iter()
        .take(20)
        .cloned()
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn corpus_bodies_round_trip_exactly() {
    let c = corpus::shared();
    assert!(!c.assemblies.is_empty(), "no framework assemblies found");
    let (mut methods, mut tiny, mut with_eh, mut clauses) = (0usize, 0usize, 0usize, 0usize);
    let (mut unresolved, mut over_max) = (0usize, 0usize);
    let mut failures = Vec::new();
    for a in &c.assemblies {
        for m in &a.methods {
            methods += 1;
            let bytes = a.body_bytes(m);
            let body = match MethodBody::decode(bytes) {
                Ok(b) => b,
                Err(e) => {
                    failures.push(format!("{} {:#x}: decode: {e}", a.path.display(), m.token));
                    continue;
                }
            };
            let size = body.decoded_size().unwrap_or(0);
            let original = bytes.get(..size).unwrap_or(&[]);
            match body.encode() {
                Ok(enc) if enc == original => {}
                Ok(_) => {
                    failures.push(format!("{} {:#x}: bytes differ", a.path.display(), m.token))
                }
                Err(e) => {
                    failures.push(format!("{} {:#x}: encode: {e}", a.path.display(), m.token))
                }
            }
            tiny += usize::from(body.header.form == NewRelicProfiler::il::HeaderForm::Tiny);
            with_eh += usize::from(!body.clauses().is_empty());
            clauses += body.clauses().len();
            match body.analyze_stack(a) {
                Ok(r) => {
                    if r.inconsistent_joins != 0 || r.underflows != 0 {
                        failures.push(format!(
                            "{} {:#x}: original stack: {r:?}",
                            a.path.display(),
                            m.token
                        ));
                    }
                    unresolved += usize::from(r.unresolved_calls != 0);
                    over_max += usize::from(r.max_depth > u32::from(body.header.max_stack));
                }
                Err(e) => failures.push(format!("{} {:#x}: stack: {e}", a.path.display(), m.token)),
            }
        }
    }
    println!(
        "corpus: {} assemblies ({} files skipped), {methods} method bodies ({tiny} tiny, {with_eh} with EH, {clauses} clauses); \
         round-trip failures: {}; bodies with unresolved calls: {unresolved}; simulated depth > header max stack: {over_max}",
        c.assemblies.len(),
        c.skipped.len(),
        failures.len()
    );
    assert!(methods > 100_000, "corpus unexpectedly small: {methods}");
    assert!(failures.is_empty(), "{}", fail_list(&failures));
    assert_eq!(
        over_max, 0,
        "simulated depth exceeded the compiler's max stack"
    );
}

fn reencode(kind: SigKind, blob: &[u8]) -> Result<Vec<u8>, IlError> {
    match kind {
        SigKind::TypeSpec => TypeSig::parse(blob)?.to_bytes(),
        SigKind::MethodDef => MethodSig::parse(blob)?.to_bytes(),
        _ => Signature::parse(blob)?.to_bytes(),
    }
}

#[test]
fn corpus_signatures_round_trip_exactly() {
    let c = corpus::shared();
    let mut per_kind: BTreeMap<SigKind, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    for a in &c.assemblies {
        for (kind, blob) in &a.signatures {
            *per_kind.entry(*kind).or_default() += 1;
            match reencode(*kind, blob) {
                Ok(out) if &out == blob => {}
                Ok(out) => failures.push(format!("{kind:?} {blob:02x?} -> {out:02x?}")),
                Err(e) => failures.push(format!("{kind:?} {blob:02x?}: {e}")),
            }
        }
    }
    println!(
        "signatures: {} distinct blobs {per_kind:?}; failures: {}",
        c.signature_count(),
        failures.len()
    );
    assert!(c.signature_count() > 100_000);
    assert!(failures.is_empty(), "{}", fail_list(&failures));
}

#[test]
fn corpus_parameter_lists_render() {
    let c = corpus::shared();
    let (mut ok, mut typespec) = (0usize, 0usize);
    let mut failures = Vec::new();
    let mut sample = Vec::new();
    for a in &c.assemblies {
        for m in &a.methods {
            let sig = match MethodSig::parse(&m.signature) {
                Ok(s) => s,
                Err(e) => {
                    failures.push(format!("{:#x}: {e}", m.token));
                    continue;
                }
            };
            match render_parameters(&sig, a) {
                Ok(text) => {
                    ok += 1;
                    if text.contains('[') && sample.len() < 5 {
                        sample.push(text);
                    }
                }
                Err(IlError::TypeSpecNotSupported) => typespec += 1,
                Err(e) => failures.push(format!("{:#x}: {e}", m.token)),
            }
        }
    }
    println!("rendered {ok} parameter lists; {typespec} refused (TypeSpec class token, as the reference); sample: {sample:?}");
    assert!(failures.is_empty(), "{}", fail_list(&failures));
}

#[test]
fn corpus_rewrite_is_structurally_valid() {
    let c = corpus::shared();
    let (mut wrapped, mut skipped) = (0usize, BTreeMap::<String, usize>::new());
    let mut failures = Vec::new();
    for a in &c.assemblies {
        for m in &a.methods {
            let Ok(body) = MethodBody::decode(a.body_bytes(m)) else {
                continue; // counted by the round-trip test
            };
            let Ok(sig) = MethodSig::parse(&m.signature) else {
                continue;
            };
            let locals = match body.header.local_var_sig_token {
                0 => None,
                t => a.local_sig(t),
            };
            let w = match wrapper::wrap(body, &sig, locals, a) {
                Ok(w) => w,
                Err(e) => {
                    let key = format!("{e}");
                    let key = key.split(" at ").next().unwrap_or("").to_string();
                    *skipped.entry(key).or_default() += 1;
                    continue;
                }
            };
            let bytes = match w.body.encode() {
                Ok(b) => b,
                Err(e) => {
                    failures.push(format!("{} {:#x}: encode: {e}", a.path.display(), m.token));
                    continue;
                }
            };
            if let Err(e) = checks::check_encoded(&bytes, &wrapper::WrapperResolver(a)) {
                failures.push(format!("{} {:#x}: {e}", a.path.display(), m.token));
            }
            if NewRelicProfiler::il::signature::LocalSig::parse(&w.locals).is_err() {
                failures.push(format!(
                    "{:#x}: new local signature does not parse",
                    m.token
                ));
            }
            wrapped += 1;
        }
    }
    println!(
        "rewrite: {wrapped} bodies wrapped and checked; skipped: {skipped:?}; failures: {}",
        failures.len()
    );
    assert!(failures.is_empty(), "{}", fail_list(&failures));
}
