//! Issue 9 item 5: resident memory across many instrumented calls,
//! refreshes and thread profiles (`StressApp memory`). Each phase warms up,
//! settles (full blocking collections), measures, repeats its operation,
//! settles and measures again; the growth must stay under a bound far
//! below what keeping anything per operation would cost.
//!
//! The counts come from `NEWRELIC_RELIABILITY_CALLS`, `…_REFRESHES` and
//! `…_PROFILES` (defaults below); `scripts/reliability-memory` runs the
//! full 1 000 000 / 1 000 / 1 000.

use super::app::*;
use super::record::Record;
use crate::support::*;

const DEFAULT_CALLS: u64 = 1_000_000;
const DEFAULT_REFRESHES: u64 = 1_000;
const DEFAULT_PROFILES: u64 = 1_000;
/// Refreshes with the 440 points unchanged, each followed by one call of
/// every method. They re-JIT nothing (compatibility R12); before that
/// change each re-JIT-ted all 440 methods and the runtime kept every code
/// version (about 1.9 KiB per method per refresh).
const DEFAULT_REJIT_REFRESHES: u64 = 1_000;

/// Largest settled growth accepted for a phase whose operations must not
/// keep anything: 4 bytes per operation over a million calls, four KiB per
/// refresh or profile over a thousand. With the gen0 budget pinned
/// (`DOTNET_GCgen0size`) the measured noise is a few hundred KiB.
const FLAT_GROWTH_KB: i64 = 4 * 1024;

fn count(variable: &str, default: u64) -> u64 {
    match std::env::var(variable) {
        Ok(text) => text
            .parse()
            .unwrap_or_else(|_| panic!("{variable}={text} is not a number")),
        Err(_) => default,
    }
}

/// `MEMORY <phase> … key=value` from stderr.
fn phase_field(out: &Outcome, phase: &str, key: &str) -> i64 {
    report_field(out, &format!("MEMORY {phase} "), key)
        .parse()
        .unwrap_or_else(|_| panic!("MEMORY {phase} {key} is not a number"))
}

/// `StressApp memory` with `home`; the gen0 budget is pinned so settled
/// figures do not move with the GC's adaptive budget.
fn run_memory(home: &Home, calls: u64, refreshes: u64, profiles: u64) -> Outcome {
    let logs = scratch();
    let out = stress_run(&[
        "memory",
        &METHOD_COUNT.to_string(),
        &calls.to_string(),
        &refreshes.to_string(),
        &profiles.to_string(),
    ])
    .home(home)
    .log_dir(logs.path())
    .env("DOTNET_GCgen0size", "0x200000")
    .timeout(std::time::Duration::from_secs(180 + refreshes))
    .run();
    out.assert_success();
    eprintln!(
        "{}",
        out.stderr
            .lines()
            .filter(|l| l.starts_with("MEMORY"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    out
}

/// Records a phase's figures and returns its settled growth (KiB).
fn phase(rec: &mut Record, out: &Outcome, phase: &str, key: &str) -> i64 {
    let before = phase_field(out, phase, "before_kb");
    let after = phase_field(out, phase, "after_kb");
    let seconds = report_field(out, &format!("MEMORY {phase} "), "seconds");
    rec.set(&format!("{key}_before_kb"), before)
        .set(&format!("{key}_after_kb"), after)
        .set(&format!("{key}_growth_kb"), after - before)
        .set(
            &format!("{key}_seconds"),
            seconds.parse::<f64>().unwrap_or(0.0),
        );
    after - before
}

/// The warm-up `StressApp` runs before measuring `count` operations.
/// Operations the app runs before measuring a phase: `MemoryScenario.WarmUpRounds`
/// (3) rounds of a tenth of `count`, at least 10 each (tiered compilation
/// settles during them).
fn warm_up(count: u64) -> u64 {
    if count == 0 {
        0
    } else {
        3 * (count / 10).max(10)
    }
}

#[test]
fn resident_memory_is_stable_over_calls_refreshes_and_profiles() {
    let calls = count("NEWRELIC_RELIABILITY_CALLS", DEFAULT_CALLS);
    let refreshes = count("NEWRELIC_RELIABILITY_REFRESHES", DEFAULT_REFRESHES);
    let profiles = count("NEWRELIC_RELIABILITY_PROFILES", DEFAULT_PROFILES);
    let rejit_refreshes = count(
        "NEWRELIC_RELIABILITY_REJIT_REFRESHES",
        DEFAULT_REJIT_REFRESHES,
    );
    let mut rec = Record::new(
        "memory",
        "resident_memory_is_stable_over_calls_refreshes_and_profiles",
        "Settled resident set (after full blocking collections, gen0 budget pinned) before and after each phase: instrumented calls (440 methods in turn); thread profiles with function-name lookups; InstrumentationRefresh with the 440 points naming an assembly that is not loaded (the whole refresh but the re-JIT); InstrumentationRefresh with the 440 points of the loaded assembly unchanged (nothing to re-JIT, R12), each refresh followed by one call of every method",
    );
    rec.set("calls", calls)
        .set("profiles", profiles)
        .set("refreshes", refreshes)
        .set("rejit_refreshes", rejit_refreshes)
        .set("methods", METHOD_COUNT);

    let home = stress_home();
    let out = run_memory(&home, calls, rejit_refreshes, profiles);
    rec.run("calls, re-JIT refreshes, profiles", &out);
    let call_growth = phase(&mut rec, &out, "calls", "calls");
    let rejit_growth = phase(&mut rec, &out, "refreshes", "rejit_refreshes");
    let profile_growth = phase(&mut rec, &out, "profiles", "profiles");
    let agent_calls: u64 = report_field(&out, "MEMORY agent", "calls").parse().unwrap();
    let expected =
        calls + warm_up(calls) + (rejit_refreshes + warm_up(rejit_refreshes)) * METHOD_COUNT as u64;
    rec.set("agent_calls", agent_calls)
        .set("agent_calls_expected", expected);
    assert_eq!(agent_calls, expected, "calls counted by the agent");

    // The same points on an assembly that is never loaded: every refresh
    // re-reads and re-parses the XML, swaps the configuration and walks
    // every loaded module, but requests no ReJIT.
    let control = Home::new();
    control.write_extension(
        "Stress.xml",
        &extension_xml(methods()).replace(
            "assemblyName=\"StressApp\"",
            "assemblyName=\"StressApp.Absent\"",
        ),
    );
    let out = run_memory(&control, 0, refreshes, 0);
    rec.run("refreshes without re-JIT", &out);
    let refresh_growth = phase(&mut rec, &out, "refreshes", "refreshes");

    assert!(
        call_growth < FLAT_GROWTH_KB,
        "{calls} calls: +{call_growth} KiB"
    );
    assert!(
        profile_growth < FLAT_GROWTH_KB,
        "{profiles} profiles: +{profile_growth} KiB"
    );
    assert!(
        refresh_growth < FLAT_GROWTH_KB,
        "{refreshes} refreshes: +{refresh_growth} KiB"
    );
    assert!(
        rejit_growth < FLAT_GROWTH_KB,
        "{rejit_refreshes} refreshes of the loaded assembly's unchanged points: +{rejit_growth} KiB"
    );
    rec.outcome(format!(
        "Settled growth: {calls} calls +{call_growth} KiB; {profiles} profiles +{profile_growth} KiB; {refreshes} refreshes of an unloaded assembly's points +{refresh_growth} KiB; {rejit_refreshes} refreshes of the loaded assembly's unchanged points, each with a call of all 440 methods +{rejit_growth} KiB"
    ));
}
