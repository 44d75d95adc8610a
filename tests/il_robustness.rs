//! Robustness: truncated and randomly mutated corpus bodies and signature
//! blobs never panic; every API is driven on whatever still decodes.
//! `IL_FUZZ_CASES` (default 20000 per test) scales the run.

mod support;

use support::corpus;
use NewRelicProfiler::il::signature::{
    render_parameters, FieldSig, LocalSig, MethodSig, MethodSpecSig, PropertySig, Signature,
    TypeSig,
};
use NewRelicProfiler::il::{append_locals, EncodeOptions, MethodBody, NoCallResolver};

/// xorshift64*: deterministic, dependency-free.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

fn cases() -> usize {
    std::env::var("IL_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000)
}

fn mutate(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    let mut v = input.to_vec();
    match rng.below(4) {
        0 => v.truncate(rng.below(v.len() + 1)),
        1 => {
            for _ in 0..=rng.below(4) {
                let i = rng.below(v.len());
                if let Some(b) = v.get_mut(i) {
                    *b = rng.next() as u8;
                }
            }
        }
        2 => {
            let i = rng.below(v.len());
            if let Some(b) = v.get_mut(i) {
                *b ^= 1 << rng.below(8);
            }
        }
        _ => {
            let i = rng.below(v.len() + 1);
            let bytes: Vec<u8> = (0..=rng.below(6)).map(|_| rng.next() as u8).collect();
            v.splice(i..i, bytes);
        }
    }
    v
}

/// Exercises everything on one (possibly malformed) body.
fn exercise_body(bytes: &[u8]) -> bool {
    let Ok(mut body) = MethodBody::decode(bytes) else {
        return false;
    };
    let _ = body.encode();
    let _ = body.encode_with(&EncodeOptions {
        force_fat_header: true,
        force_fat_eh: true,
        shrink_branches: true,
    });
    let _ = body.analyze_stack(&NoCallResolver);
    if let Ok(exit) = body.retarget_returns() {
        let _ = body.insert_after(exit, &[]);
        if let (Some(first), Some(last)) = (body.first(), body.last()) {
            let after = body.create(NewRelicProfiler::il::Instruction::simple(
                NewRelicProfiler::il::OpCode::Nop,
            ));
            let h = body.create(NewRelicProfiler::il::Instruction::simple(
                NewRelicProfiler::il::OpCode::Endfinally,
            ));
            let _ = body.wrap_range(
                first,
                last,
                NewRelicProfiler::il::Handler::Finally,
                &[h],
                after,
            );
        }
        let _ = body.encode();
    }
    true
}

#[test]
fn mutated_bodies_never_panic() {
    let c = corpus::shared();
    let bodies: Vec<Vec<u8>> = c
        .assemblies
        .iter()
        .flat_map(|a| {
            a.methods.iter().step_by(23).filter_map(move |m| {
                let b = a.body_bytes(m);
                let n = MethodBody::decode(b).ok()?.decoded_size()?;
                b.get(..n).map(<[u8]>::to_vec)
            })
        })
        .collect();
    assert!(!bodies.is_empty());
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let (mut decoded, n) = (0usize, cases());
    for _ in 0..n {
        let Some(original) = bodies.get(rng.below(bodies.len())) else {
            continue;
        };
        let m = mutate(&mut rng, original);
        decoded += usize::from(exercise_body(&m));
    }
    // Every truncation of a few bodies too.
    for original in bodies.iter().step_by(bodies.len() / 50 + 1) {
        for len in 0..original.len() {
            exercise_body(original.get(..len).unwrap_or(&[]));
        }
    }
    println!(
        "mutated bodies: {n} cases, {decoded} still decoded (from {} corpus bodies)",
        bodies.len()
    );
}

fn exercise_sig(blob: &[u8], names: &dyn NewRelicProfiler::il::TypeNameResolver) {
    if let Ok(s) = Signature::parse(blob) {
        let _ = s.to_bytes();
    }
    if let Ok(m) = MethodSig::parse(blob) {
        let _ = render_parameters(&m, names);
        let _ = m.to_bytes();
    }
    let _ = FieldSig::parse(blob);
    let _ = PropertySig::parse(blob);
    let _ = MethodSpecSig::parse(blob);
    if LocalSig::parse(blob).is_ok() {
        let _ = append_locals(Some(blob), &[]);
    }
    let _ = append_locals(Some(blob), &[TypeSig::Class(0x0100_0001)]);
    if let Ok(t) = TypeSig::parse(blob) {
        let _ = NewRelicProfiler::il::render_type(&t, names);
    }
}

#[test]
fn mutated_signatures_never_panic() {
    let c = corpus::shared();
    let Some(a) = c.assemblies.iter().max_by_key(|a| a.signatures.len()) else {
        panic!("no corpus");
    };
    let blobs: Vec<&Vec<u8>> = a.signatures.iter().map(|(_, b)| b).collect();
    let mut rng = Rng(0xD1B5_4A32_D192_ED03);
    let n = cases();
    for _ in 0..n {
        let Some(original) = blobs.get(rng.below(blobs.len())) else {
            continue;
        };
        let m = mutate(&mut rng, original);
        exercise_sig(&m, a);
    }
    // Deep nesting must be an error, not a stack overflow.
    let deep = vec![0x0F; 100_000];
    assert!(TypeSig::parse(&deep).is_err());
    println!("mutated signatures: {n} cases over {} blobs", blobs.len());
}
