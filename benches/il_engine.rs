//! IL engine benchmarks over a sample of the installed framework's method
//! bodies: decode, and decode + wrap (the instrumentation wrapper shape of
//! reference-profiler §5.4) + encode. Prints the per-method median and p99
//! in µs, then runs criterion for throughput.
//!
//! `cargo bench --bench il_engine`

#[path = "../tests/support/mod.rs"]
mod support;

use criterion::{criterion_group, Criterion, Throughput};
use std::hint::black_box;
use std::time::Instant;
use support::corpus::{self, Assembly, Method};
use NewRelicProfiler::il::signature::MethodSig;
use NewRelicProfiler::il::MethodBody;

/// Every 25th method of the corpus with its assembly.
fn sample() -> Vec<(&'static Assembly, &'static Method, MethodSig)> {
    let c = corpus::shared();
    c.assemblies
        .iter()
        .flat_map(|a| a.methods.iter().map(move |m| (a, m)))
        .step_by(25)
        .filter_map(|(a, m)| Some((a, m, MethodSig::parse(&m.signature).ok()?)))
        .collect()
}

fn wrap_encode(a: &Assembly, m: &Method, sig: &MethodSig) -> Option<Vec<u8>> {
    let body = MethodBody::decode(a.body_bytes(m)).ok()?;
    let locals = match body.header.local_var_sig_token {
        0 => None,
        t => a.local_sig(t),
    };
    let w = support::wrapper::wrap(body, sig, locals, a).ok()?;
    w.body.encode().ok()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).copied().unwrap_or(0.0)
}

/// Per-method timing: each body is processed `reps` times, the mean per
/// body is one sample; median and p99 across bodies.
fn per_method_report(items: &[(&Assembly, &Method, MethodSig)]) {
    let reps = 20;
    for (name, f) in [
        (
            "decode",
            &(|a: &Assembly, m: &Method, _s: &MethodSig| {
                black_box(MethodBody::decode(a.body_bytes(m)).ok());
            }) as &dyn Fn(&Assembly, &Method, &MethodSig),
        ),
        (
            "decode+wrap+encode",
            &|a: &Assembly, m: &Method, s: &MethodSig| {
                black_box(wrap_encode(a, m, s));
            },
        ),
    ] {
        let mut per: Vec<f64> = items
            .iter()
            .map(|(a, m, s)| {
                let t = Instant::now();
                for _ in 0..reps {
                    f(a, m, s);
                }
                t.elapsed().as_secs_f64() * 1e6 / f64::from(reps)
            })
            .collect();
        per.sort_by(f64::total_cmp);
        let total: f64 = per.iter().sum();
        println!(
            "{name}: {} methods, median {:.2} µs, p99 {:.2} µs, mean {:.2} µs, throughput {:.0} methods/s",
            per.len(),
            percentile(&per, 0.5),
            percentile(&per, 0.99),
            total / per.len() as f64,
            per.len() as f64 / (total / 1e6)
        );
    }
}

fn benches(c: &mut Criterion) {
    let items = sample();
    per_method_report(&items);
    let mut g = c.benchmark_group("il");
    g.throughput(Throughput::Elements(items.len() as u64));
    g.sample_size(10);
    g.bench_function("decode/sample", |b| {
        b.iter(|| {
            for (a, m, _) in &items {
                black_box(MethodBody::decode(a.body_bytes(m)).ok());
            }
        })
    });
    g.bench_function("decode+wrap+encode/sample", |b| {
        b.iter(|| {
            for (a, m, s) in &items {
                black_box(wrap_encode(a, m, s));
            }
        })
    });
    g.finish();
}

criterion_group!(il_benches, benches);

fn main() {
    il_benches();
    Criterion::default().configure_from_args().final_summary();
}
