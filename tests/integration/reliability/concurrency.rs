//! Issue 9 item 2: many threads first-calling hundreds of instrumented
//! methods at once (JIT and ReJIT callbacks racing on every thread) while
//! other threads refresh instrumentation and take thread profiles.
//!
//! Pass criteria: the process ends on its own (the run is killed and the
//! test fails after `support`'s generous timeout), every call the app made
//! reached the agent exactly once, and the profiler log is well-formed
//! line by line (§3.4). Methods on the JIT → ReJIT path (nested classes,
//! generic methods, §6.1) run their original code until their ReJIT lands,
//! so during the first-call phase they may reach the agent fewer times —
//! never more; after the phase marker every call must arrive.
//!
//! While the app runs, the test renames a second extension file in and
//! out of the extension directory (an atomic rename), so refreshes see
//! StressApp's points change and really re-JIT (and revert nothing else)
//! its methods while they are being called: a refresh of unchanged points
//! re-JITs nothing (compatibility R12).

use super::app::*;
use super::record::Record;
use crate::agent_record::AgentLog;
use crate::support::*;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

const WORKERS: usize = 32;
const LATER_ROUNDS: usize = 2;
const REFRESHERS: usize = 2;

#[test]
fn first_calls_on_32_threads_with_refreshes_and_profiles_lose_and_double_nothing() {
    let mut rec = Record::new(
        "concurrency",
        "first_calls_on_32_threads_with_refreshes_and_profiles_lose_and_double_nothing",
        "32 worker threads first-call 440 instrumented methods at once (eager ReJIT, JIT -> ReJIT for nested and generic methods) then call each twice more, while 2 threads call InstrumentationRefresh (the test renames a second extension file in and out every 15 ms, so refreshes change StressApp's points and re-JIT its methods) and 1 thread takes thread profiles and resolves their function names, all through P/Invoke",
    );
    rec.set("workers", WORKERS)
        .set("methods", methods().len())
        .set("refresher_threads", REFRESHERS)
        .set("profiler_threads", 1);
    let home = stress_home();
    // A point on a StressApp method that does not exist: present or absent,
    // it changes StressApp's ordered points, so a refresh re-JITs them all.
    let extensions = home.path.join("extensions");
    let (on, off) = (extensions.join("Toggle.xml"), extensions.join("Toggle.off"));
    std::fs::write(
        &off,
        "<extension xmlns=\"urn:newrelic-extension\"><instrumentation><tracerFactory><match assemblyName=\"StressApp\" className=\"StressApp.NoSuchClass\"><exactMethodMatcher methodName=\"Nothing\" /></match></tracerFactory></instrumentation></extension>",
    )
    .unwrap();
    let logs = scratch();
    let agent_log = logs.path().join("agent.log");
    let running = AtomicBool::new(true);
    let toggles = AtomicUsize::new(0);
    let out = std::thread::scope(|scope| {
        scope.spawn(|| {
            while running.load(Ordering::Relaxed) {
                let (from, to) = if on.exists() {
                    (&on, &off)
                } else {
                    (&off, &on)
                };
                if std::fs::rename(from, to).is_ok() {
                    toggles.fetch_add(1, Ordering::Relaxed);
                }
                std::thread::sleep(Duration::from_millis(15));
            }
        });
        let out = stress_run(&[
            "concurrency",
            &WORKERS.to_string(),
            &LATER_ROUNDS.to_string(),
            &REFRESHERS.to_string(),
        ])
        .home(&home)
        .log_dir(logs.path())
        .env("NEW_RELIC_LOG_LEVEL", "finest")
        .env("NEWRELIC_TEST_AGENT_LOG", &agent_log)
        .env("NEWRELIC_TEST_AGENT_COUNT_ONLY", "0")
        .run();
        running.store(false, Ordering::Relaxed);
        out
    });
    rec.set("extension_toggles", toggles.load(Ordering::Relaxed));
    rec.run("concurrency", &out);
    out.assert_success();
    let summary = out
        .stderr
        .lines()
        .find(|l| l.starts_with("CONCURRENCY"))
        .unwrap_or_else(|| panic!("no summary:\n{}", out.stderr));
    eprintln!("{summary}");

    let methods = methods();
    let first = WORKERS;
    let later = WORKERS * LATER_ROUNDS;
    assert!(
        out.stdout.contains(&format!(
            "calls first={} later={}",
            first * methods.len(),
            later * methods.len()
        )),
        "{}",
        out.stdout
    );
    // Refreshes and profiles ran and all succeeded.
    let refreshes: usize = report_field(&out, "CONCURRENCY", "refreshes")
        .parse()
        .unwrap();
    assert!(refreshes >= REFRESHERS, "{summary}");
    assert_eq!(
        report_field(&out, "CONCURRENCY", "refresh_codes"),
        format!("0:{refreshes}"),
        "every refresh returns S_OK"
    );
    let profile_codes = report_field(&out, "CONCURRENCY", "profile_codes");
    let profiles: usize = report_field(&out, "CONCURRENCY", "profiles")
        .parse()
        .unwrap();
    rec.set("refreshes", refreshes)
        .set("profiles", profiles)
        .set(
            "function_names_resolved",
            report_field(&out, "CONCURRENCY", "names")
                .parse::<u64>()
                .unwrap_or(0),
        )
        .set(
            "refresh_codes",
            report_field(&out, "CONCURRENCY", "refresh_codes"),
        )
        .set("profile_codes", profile_codes.clone());
    assert!(
        profile_codes
            .split(',')
            .all(|c| c.starts_with("0:") || c.starts_with("0/0:")),
        "every profile and name lookup returns S_OK: {profile_codes}"
    );

    let agent = AgentLog::read(&agent_log);
    let count = |log: &AgentLog| {
        let mut counts: HashMap<(String, String), usize> = HashMap::new();
        for call in log.calls() {
            *counts
                .entry((call.type_name.clone(), call.method.clone()))
                .or_default() += 1;
        }
        counts
    };
    let first_counts = count(&agent.phase(None));
    let later_counts = count(&agent.phase(Some("settled")));
    let total = |counts: &HashMap<(String, String), usize>| counts.values().sum::<usize>();
    rec.set("first_calls_made", first * methods.len())
        .set("first_calls_counted", total(&first_counts))
        .set("later_calls_made", later * methods.len())
        .set("later_calls_counted", total(&later_counts));
    let mut problems = Vec::new();
    for m in methods {
        let key = (m.class.clone(), m.name.clone());
        let got_first = first_counts.get(&key).copied().unwrap_or(0);
        let got_later = later_counts.get(&key).copied().unwrap_or(0);
        if (m.eager && got_first != first) || got_first > first {
            problems.push(format!(
                "{}.{}: {got_first} calls reached the agent in the first-call phase, {first} made",
                m.class, m.name
            ));
        }
        if got_later != later {
            problems.push(format!(
                "{}.{}: {got_later} calls reached the agent later, {later} made",
                m.class, m.name
            ));
        }
    }
    let known = |counts: &HashMap<(String, String), usize>| {
        counts
            .keys()
            .filter(|(c, n)| !methods.iter().any(|m| &m.class == c && &m.name == n))
            .cloned()
            .collect::<Vec<_>>()
    };
    assert!(
        known(&first_counts).is_empty(),
        "unexpected calls: {:?}",
        known(&first_counts)
    );
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
    let lazy_first: usize = methods
        .iter()
        .filter(|m| !m.eager)
        .map(|m| {
            first_counts
                .get(&(m.class.clone(), m.name.clone()))
                .copied()
                .unwrap_or(0)
        })
        .sum();
    let lazy_made = first * methods.iter().filter(|m| !m.eager).count();
    eprintln!(
        "first-call phase: JIT-path methods reached the agent {lazy_first} of {lazy_made} times"
    );
    rec.set("first_calls_jit_path_made", lazy_made)
        .set("first_calls_jit_path_counted", lazy_first);

    let log = out.log(logs.path());
    assert_well_formed(&log.text);
    assert!(
        !log.has_prefix("An unexpected error occurred"),
        "a panic was contained:\n{}",
        log.text
    );
    log.assert_has("Profiler initialized")
        .assert_has("Leave: InstrumentationRefreshWithNewIgnoreList");
    // Refreshes re-instrumented methods while they were being called.
    let rewrites = log
        .messages()
        .iter()
        .filter(|m| m.starts_with("Instrumenting method:"))
        .count();
    rec.set("rewrites", rewrites);
    assert!(
        rewrites > methods.len(),
        "{rewrites} rewrites for {} methods: no refresh re-JIT-ted anything",
        methods.len()
    );
    rec.set("log_lines", log.text.lines().count()).outcome(
        "Ended on its own; no call lost or duplicated (eager methods exact in the first-call phase, every method exact afterwards; JIT-path methods never over-counted); every refresh S_OK; every profile and name lookup S_OK; every log line well-formed; no contained panic",
    );
}
