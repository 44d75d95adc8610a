//! The bundled demo (`cargo run --release`, `tests/apps/DemoApp`) as a test:
//! the demo's extension file selects `Shop.PlaceOrder` and `Shop.TotalItems`;
//! the log names both methods and the agent stand-in records the very same
//! calls, byte for byte apart from the function id, on every platform
//! `build_targets/runtime-check` runs (issue 15).

use crate::agent_record::{AgentLog, Record};
use crate::support::*;
use std::path::Path;

/// What the agent stand-in records for the demo, function ids masked:
/// the recording of the native linux-x64 run.
pub const EXPECTED: &str = "\
Call\tNewRelic.Agent.Core.Tracer.Factories.DefaultTracerFactory\t0x3400\t\tDemoApp\tDemoApp.Shop\tDemoApp.Shop\tPlaceOrder\tSystem.String,System.Int32\tDemoApp.Shop\t[\"coffee\",2]\tfid
Finish\tDemoApp.Shop.PlaceOrder\t<null>\t<null>
Call\tNewRelic.Agent.Core.Tracer.Factories.DefaultTracerFactory\t0x3400\t\tDemoApp\tDemoApp.Shop\tDemoApp.Shop\tPlaceOrder\tSystem.String,System.Int32\tDemoApp.Shop\t[\"bagel\",1]\tfid
Finish\tDemoApp.Shop.PlaceOrder\t<null>\t<null>
Call\tNewRelic.Agent.Core.Tracer.Factories.DefaultTracerFactory\t0x3400\t\tDemoApp\tDemoApp.Shop\tDemoApp.Shop\tTotalItems\t\tDemoApp.Shop\t[]\tfid
Finish\tDemoApp.Shop.TotalItems\t3\t<null>
Call\tNewRelic.Agent.Core.Tracer.Factories.DefaultTracerFactory\t0x3400\t\tDemoApp\tDemoApp.Shop\tDemoApp.Shop\tPlaceOrder\tSystem.String,System.Int32\tDemoApp.Shop\t[\"unicorn\",1]\tfid
Finish\tDemoApp.Shop.PlaceOrder\t<null>\tSystem.InvalidOperationException: unicorns are out of stock
";

/// The agent log's lines with the function id (last field of a call) masked.
pub fn masked(agent_log: &Path) -> String {
    let text = read_text(agent_log).unwrap_or_default();
    let mut out = String::new();
    for line in text.lines().filter(|l| !l.is_empty()) {
        let mut fields: Vec<&str> = line.split('\t').collect();
        if fields[0] == "Call" {
            if let Some(last) = fields.last_mut() {
                assert!(last.starts_with("fid=") && *last != "fid=0", "{line}");
                *last = "fid";
            }
        }
        out.push_str(&fields.join("\t"));
        out.push('\n');
    }
    out
}

#[test]
fn the_demo_instruments_the_shop_and_the_agent_sees_every_call() {
    let dll = build_app("DemoApp", "DemoApp");
    let home = Home::new();
    home.write_config(&DEFAULT_CONFIG.replace("level=\"info\"", "level=\"debug\""));
    home.add_extension(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/apps/DemoApp/Demo.Instrumentation.xml"),
        None,
    );
    let scratch = scratch();
    let agent_log = scratch.path().join("agent.log");
    let out = Run::managed(&dll, &[])
        .home(&home)
        .log_dir(scratch.path())
        .env("NEWRELIC_TEST_AGENT_LOG", &agent_log)
        .run();
    out.assert_success();
    assert!(
        out.stdout.contains("Total items ordered: 3")
            && out.stdout.contains("Refused: unicorns are out of stock"),
        "{}",
        out.stdout
    );
    let pid: u32 = out
        .stdout
        .split("(pid ")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no pid in {}", out.stdout));
    let log_path = scratch.path().join(format!("NewRelic.Profiler.{pid}.log"));
    let log = Log {
        text: read_text(&log_path).unwrap_or_else(|e| panic!("{}: {e}", log_path.display())),
    };
    let module = target_path(&dll);
    for method in ["PlaceOrder(System.String,System.Int32)", "TotalItems()"] {
        log.assert_has(&format!(
            "Instrumenting method: (Module: {module}, AppDomain: clrhost)[DemoApp]DemoApp.Shop.{method}"
        ));
    }
    log.assert_has("Identified 2 Instrumentation points (not ignored) in .xml files")
        .assert_has("Profiler initialized");
    assert_eq!(masked(&agent_log), EXPECTED);
    // One function id per method, the same in every call to it.
    let agent = AgentLog::read(&agent_log);
    let ids: std::collections::BTreeSet<&str> = agent
        .records
        .iter()
        .filter_map(|r| match r {
            Record::Call(c) => Some(c.function_id.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(ids.len(), 2, "{:?}", agent.records);
}
