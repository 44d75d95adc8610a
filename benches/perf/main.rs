//! The whole-process performance runner of issue 8 (docs/performance.md).
//!
//!     cargo bench --bench perf                  # the full method, regenerates the docs
//!     cargo bench --bench perf -- --quick       # 3 runs, 1 warm-up, docs untouched
//!
//! Options (environment `PERF_<NAME>` or `--<name> <value>` after `--`):
//! `runs` (20), `warmups` (3), `counter_runs` (3), `percall_runs` (5),
//! `percall_seconds` (2), `requests` (1000), `throughput_runs` (10),
//! `throughput_requests` (60000), `k` (50),
//! `workloads` (`jit1000,jit10000,web`), `original_so` (the C++
//! `libNewRelicProfiler.so` to measure in the same rounds), `home_linux`
//! (the shipped agent home), `write_docs` (1 in the full mode), `quick`,
//! `percall_only` (1: only the per-call runs, their table printed with the
//! load before and after; nothing written to the docs).
//!
//! It builds the release profiler and the .NET apps, runs every scenario
//! of every workload interleaved, then the counter runs and the per-call
//! runs, and writes `target/perf/results.json`, the table (stdout and
//! docs/performance.md between its markers) and docs/performance.png.
//!
//! Without `--bench` (that is, under `cargo test --bench perf`) it only runs
//! the self-checks of its statistics and parsers: this target has no
//! libtest harness, and a test run must not start minutes of measurement.

mod chart;
mod counters;
/// The launcher's `dotnet build` helper, shared rather than copied.
#[path = "../../src/launcher/dotnet.rs"]
mod dotnet_build;
mod generate;
mod machine;
mod measure;
mod options;
mod prepare;
mod process;
mod report;
mod report_bailout;
mod report_targets;
mod results;
mod scenario;
mod stats;
mod summary;

use scenario::{Profiler, Scenario, Variant, Workload};

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        stats::self_check();
        generate::self_check();
        process::self_check();
        counters::self_check();
        measure::self_check();
        report::self_check();
        println!("perf: self-checks passed (measure with `cargo bench --bench perf`)");
        return;
    }
    if let Err(error) = run() {
        eprintln!("perf: {error}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let started = std::time::Instant::now();
    let mut options = options::Options::from_env_and_args()?;
    if options.percall_only {
        // The per-call runs need no generated workloads.
        options.jit_sizes.clear();
        options.web = false;
    }
    let prepared = prepare::prepare(&options)?;
    if options.percall_only {
        return percall_only(&prepared, &options);
    }
    // Before measuring: without gnuplot the run still writes every table,
    // and says in the report that the chart was not drawn.
    let gnuplot = chart::check_gnuplot();
    if let Err(e) = &gnuplot {
        eprintln!("perf: the chart will not be drawn: {e}");
    }
    let machine = machine::detect(&prepared.dotnet);

    let mut workloads: Vec<Workload> = options
        .jit_sizes
        .iter()
        .map(|&n| Workload::Jit(n))
        .collect();
    if options.web {
        workloads.push(Workload::Web);
    }
    let variants = scenario::variants(&workloads, options.original_so.is_some());
    eprintln!(
        "perf: {} variants × ({} warm-up + {} measured) rounds",
        variants.len(),
        options.warmups,
        options.runs
    );
    let load_start = machine::load_1min();
    let plan = measure::Plan {
        name: "rounds",
        warmups: options.warmups,
        runs: options.runs,
    };
    let (samples, mut loads) = measure::rounds(&variants, &prepared, &options, &plan)?;

    // The bail-out cost is about a millisecond: resolving it takes many more
    // runs than the rest, and S1 costs the same whatever the app, so it gets
    // its own interleaved S0/S1 rounds on the smallest workload.
    let bailout_variants: Vec<Variant> = match options.jit_sizes.iter().min() {
        Some(&n) if options.bailout_runs >= 2 => {
            let mut v = vec![
                Variant {
                    workload: Workload::Jit(n),
                    scenario: Scenario::S0,
                    profiler: Profiler::Ours,
                },
                Variant {
                    workload: Workload::Jit(n),
                    scenario: Scenario::S1,
                    profiler: Profiler::Ours,
                },
            ];
            if options.original_so.is_some() {
                v.push(Variant {
                    workload: Workload::Jit(n),
                    scenario: Scenario::S1,
                    profiler: Profiler::Original,
                });
            }
            if prepared.empty_profiler.is_some() {
                v.push(Variant {
                    workload: Workload::Jit(n),
                    scenario: Scenario::S1,
                    profiler: Profiler::Empty,
                });
            }
            v
        }
        _ => Vec::new(),
    };
    let plan = measure::Plan {
        name: "bailout",
        warmups: options.warmups,
        runs: options.bailout_runs,
    };
    let (bailout_samples, bailout_loads) = if bailout_variants.is_empty() {
        (Vec::new(), Vec::new())
    } else {
        measure::rounds(&bailout_variants, &prepared, &options, &plan)?
    };
    loads.extend(bailout_loads);

    // Steady-state throughput needs far more requests than start-up does
    // (tier 1 and Dynamic PGO settle only after the warm-up), so it gets its
    // own interleaved rounds of the web app with fewer runs.
    let throughput_variants: Vec<Variant> = if options.web && options.throughput_runs >= 2 {
        scenario::variants(
            &[Workload::WebSteady(options.throughput_requests)],
            options.original_so.is_some(),
        )
    } else {
        Vec::new()
    };
    let plan = measure::Plan {
        name: "throughput",
        warmups: 1,
        runs: options.throughput_runs,
    };
    let (throughput_samples, throughput_loads) = if throughput_variants.is_empty() {
        (Vec::new(), Vec::new())
    } else {
        measure::rounds(&throughput_variants, &prepared, &options, &plan)?
    };
    loads.extend(throughput_loads);
    let counters = measure::counter_runs(&variants, &prepared, &options)?;
    let percall_runs = measure::percall_runs(&prepared, &options)?;

    let rows = summary::rows(&variants, &samples);
    let bailout = summary::rows(&bailout_variants, &bailout_samples);
    let throughput = summary::rows(&throughput_variants, &throughput_samples);
    let percall = summary::percall(&percall_runs);
    let size = |p: &std::path::Path| std::fs::metadata(p).map(|m| m.len()).ok();
    let so_bytes = size(&prepared.profiler).unwrap_or(0);
    let original_so_bytes = options.original_so.as_deref().and_then(size);
    let duration_s = started.elapsed().as_secs_f64();
    let report = report::Report {
        options: &options,
        machine: &machine,
        workloads: &workloads,
        rows: &rows,
        bailout: &bailout,
        throughput: &throughput,
        counters: &counters,
        percall: &percall,
        so_bytes,
        original_so_bytes,
        duration_s,
        load_start,
        loads: &loads,
        chart_missing: gnuplot.as_ref().err().cloned(),
    };
    let markdown = report.markdown();
    println!("{markdown}");

    let results = prepared.perf.join("results.json");
    let value = results::document(
        &report,
        (&variants, &samples),
        (&bailout_variants, &bailout_samples),
        (&throughput_variants, &throughput_samples),
        &percall_runs,
    );
    let text = serde_json::to_string_pretty(&value).map_err(|e| e.to_string())?;
    std::fs::write(&results, text).map_err(|e| format!("{}: {e}", results.display()))?;
    eprintln!("perf: wrote {}", results.display());

    // The chart always goes to target/perf; the docs get it only when asked.
    let png = prepared.perf.join("performance.png");
    let chart = match &gnuplot {
        Ok(()) => chart::draw(&rows, &workloads, options.original_so.is_some(), &png),
        Err(e) => Err(e.clone()),
    };
    if let Err(e) = &chart {
        eprintln!("perf: no chart: {e}");
    }
    if options.write_docs {
        let docs = prepare::manifest_dir().join("docs");
        let md = docs.join("performance.md");
        let doc = std::fs::read_to_string(&md).map_err(|e| format!("{}: {e}", md.display()))?;
        std::fs::write(&md, report::splice(&doc, &markdown)?)
            .map_err(|e| format!("{}: {e}", md.display()))?;
        match chart {
            Ok(()) => {
                std::fs::copy(&png, docs.join("performance.png")).map_err(|e| e.to_string())?;
                eprintln!("perf: regenerated docs/performance.md and docs/performance.png");
            }
            Err(e) => eprintln!(
                "perf: regenerated docs/performance.md; docs/performance.png left as it was ({e})"
            ),
        }
    }
    eprintln!(
        "perf: finished in {:.1} min",
        started.elapsed().as_secs_f64() / 60.0
    );
    Ok(())
}

/// `percall_only`: the per-call variants alone, with the machine's load.
fn percall_only(prepared: &prepare::Prepared, options: &options::Options) -> Result<(), String> {
    let load_start = machine::load_1min();
    let runs = measure::percall_runs(prepared, options)?;
    let load_end = machine::load_1min();
    println!("{}", report::percall_markdown(&summary::percall(&runs)));
    println!(
        "{} process(es) of {} s per variant; 1-minute load average {load_start:.2} before, {load_end:.2} after.",
        options.percall_runs, options.percall_seconds
    );
    Ok(())
}
