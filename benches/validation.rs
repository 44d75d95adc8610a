//! Cost of a validation event site (docs/validation.md): off (the default,
//! one relaxed atomic load), and on (formatting and writing one line to a
//! file). The `decision` event with a function identity string is the most
//! frequent event of a run: one per method passing the pre-filter.
//!
//! `cargo bench --bench validation`

use criterion::{criterion_group, Criterion};
use std::hint::black_box;
use NewRelicProfiler::validation;

fn decision(function: &str) {
    NewRelicProfiler::validation_event!(
        "decision",
        function = function.to_string(),
        outcome = "instrument",
        point = "[InstrumentedApp]Instrumented.Calls.InstanceInt",
        tracer_factory = "NewRelic.Agent.Core.Tracer.Factories.DefaultTracerFactory"
    );
}

const FUNCTION: &str = "(Module: /app/InstrumentedApp.dll, AppDomainName: clrhost, TypeName: Instrumented.Calls, FunctionName: InstanceInt(System.Int32))";

fn benches(c: &mut Criterion) {
    validation::close();
    c.bench_function("validation event, off", |b| {
        b.iter(|| decision(black_box(FUNCTION)))
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bench.jsonl");
    validation::init_at(&path.to_string_lossy()).expect("open event file");
    c.bench_function("validation event, on (file)", |b| {
        b.iter(|| decision(black_box(FUNCTION)))
    });
    validation::close();
}

criterion_group!(group, benches);

fn main() {
    group();
    Criterion::default().configure_from_args().final_summary();
}
