//! The validation event log (docs/validation.md) under the real runtime.

use crate::support::*;
use serde_json::Value;
use std::path::Path;

fn events(dir: &Path, pid: u32) -> Vec<Value> {
    let path = dir.join(format!("NewRelic.Profiler.Validation.{pid}.jsonl"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("no validation log {}: {e}", path.display()));
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

fn of_kind<'a>(events: &'a [Value], kind: &str) -> Vec<&'a Value> {
    events.iter().filter(|e| e["event"] == kind).collect()
}

#[test]
fn events_cover_every_decision_of_a_run() {
    let home = Home::new();
    home.add_extension(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/apps/InstrumentedApp/Instrumentation.xml"),
        None,
    );
    let logs = scratch();
    let out_dir = scratch();
    let out = Run::instrumented(&["instance-int", "struct-skipped", "api", "tiny"])
        .home(&home)
        .log_dir(logs.path())
        .env("NEWRELIC_VALIDATION_ENABLED", "1")
        .env("NEWRELIC_VALIDATION_OUTPUT", out_dir.path())
        .run();
    out.assert_success();
    let events = events(out_dir.path(), out.pid());
    for (i, e) in events.iter().enumerate() {
        assert_eq!(e["v"], 1, "schema version");
        assert_eq!(e["seq"], i as u64, "sequence numbers are dense");
        assert!(e["ts"].as_str().is_some_and(|t| t.ends_with('Z')));
    }
    let init = of_kind(&events, "initialize");
    assert_eq!(init.len(), 1);
    assert_eq!(init[0]["runtime"], "New Relic .NET CoreCLR Agent");
    let (low, high) = if opt_out_mode() {
        ("0xb0040224", "0x8")
    } else {
        ("0x10040224", "0x0")
    };
    assert_eq!(init[0]["event_mask"], low);
    assert_eq!(init[0]["event_mask_high"], high);
    assert_eq!(init[0]["points"], 45);
    let config_files = init[0]["config_files"]
        .as_array()
        .expect("config_files list");
    assert_eq!(
        config_files.len(),
        1,
        "only the global newrelic.config: {config_files:?}"
    );
    assert!(config_files[0]
        .as_str()
        .is_some_and(|f| f.ends_with("newrelic.config")));
    let xml_files = init[0]["instrumentation_files"]
        .as_array()
        .expect("instrumentation_files list");
    assert!(
        xml_files.iter().any(|f| f
            .as_str()
            .is_some_and(|f| f.ends_with("Instrumentation.xml"))),
        "{xml_files:?}"
    );
    assert_eq!(of_kind(&events, "process_filter")[0]["instrument"], true);
    assert!(of_kind(&events, "module_load")
        .iter()
        .any(|e| e["assembly"] == "InstrumentedApp" && e["methods"].as_u64() > Some(20)));
    assert!(of_kind(&events, "rejit_request")
        .iter()
        .any(|e| e["ok"] == true));
    let decisions = of_kind(&events, "decision");
    let outcome_of = |fragment: &str, outcome: &str| {
        decisions.iter().any(|d| {
            d["function"].as_str().is_some_and(|f| f.contains(fragment)) && d["outcome"] == outcome
        })
    };
    assert!(outcome_of(
        "Instrumented.Calls.InstanceInt(System.Int32)",
        "instrument"
    ));
    assert!(outcome_of(
        "Instrumented.Point.Sum()",
        "skip_sequential_layout"
    ));
    assert!(outcome_of(
        "NewRelic.Api.Agent.NewRelic.RecordMetric(System.String,System.Single)",
        "api_instrument"
    ));
    assert!(outcome_of(
        "NewRelic.Api.Agent.NewRelic.GetAgent()",
        "api_skip"
    ));
    let rewrites = of_kind(&events, "rewrite");
    let tiny = rewrites
        .iter()
        .find(|r| {
            r["function"]
                .as_str()
                .is_some_and(|f| f.contains("Instrumented.Calls.Tiny()"))
        })
        .expect("a rewrite event for Tiny");
    assert_eq!(tiny["kind"], "default");
    assert_eq!(tiny["tracer_arguments"], "0x3400");
    assert_eq!(tiny["locals_added"], 3);
    assert!(tiny["new_size"].as_u64() > tiny["original_size"].as_u64());
    assert_eq!(tiny["body_hash"].as_str().map(str::len), Some(16));
    assert_eq!(
        events.last().map(|e| e["event"].clone()),
        Some(Value::from("shutdown"))
    );
}

#[test]
fn default_output_is_the_log_directory_and_detach_is_recorded() {
    let logs = scratch();
    let out = Run::app(&["hello"])
        .home(&Home::new())
        .log_dir(logs.path())
        .env("NEWRELIC_VALIDATION_ENABLED", "true")
        .env("NEW_RELIC_EXCLUDED_APPLICATION_NAMES", "dotnet")
        .run();
    out.assert_app_ran();
    let events = events(logs.path(), out.pid());
    assert_eq!(of_kind(&events, "process_filter")[0]["instrument"], false);
    assert_eq!(
        of_kind(&events, "detach")[0]["reason"],
        "process filtered out"
    );
}

#[test]
fn off_by_default() {
    let logs = scratch();
    let out = Run::app(&["hello"])
        .home(&Home::new())
        .log_dir(logs.path())
        .run();
    out.assert_app_ran();
    let any = std::fs::read_dir(logs.path())
        .unwrap()
        .flatten()
        .any(|e| e.file_name().to_string_lossy().contains("Validation"));
    assert!(!any, "no validation file unless enabled");
}
