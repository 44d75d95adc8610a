//! Issue 9 item 4, live instrumentation: hostile documents passed to
//! `AddCustomInstrumentation` (they come from the network through the
//! agent, §6.2) — huge names, control characters, bogus parameters,
//! malformed versions, then documents that are too large, too many,
//! malformed, entity bombs or deeply nested. The application's output must
//! not change, the generated methods must stay instrumented, each problem
//! must be logged, every log line must stay one well-formed line, and the
//! peak resident set must stay within [`PEAK_MARGIN_KB`] of a clean run's.

use super::app::*;
use super::record::Record;
use crate::support::*;

/// One live document: the file name the agent passes and the XML.
struct Doc {
    name: String,
    xml: String,
}

fn doc(name: impl Into<String>, xml: impl Into<String>) -> Doc {
    Doc {
        name: name.into(),
        xml: xml.into(),
    }
}

/// An extension document with one tracer factory holding `matches`.
fn extension(matches: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?><extension xmlns=\"urn:newrelic-extension\"><instrumentation><tracerFactory metricName=\"Live\">{matches}</tracerFactory></instrumentation></extension>"
    )
}

/// Runs `StressApp live <dir>` with `docs` written as `<n>.name`/`<n>.xml`.
///
/// The application itself spends memory on the documents (it reads each
/// as a UTF-16 string and the marshaller copies it to UTF-8 for the call),
/// so the peak resident set is compared with the larger of a clean run's
/// and a baseline run's: the same documents passed to the same exports of
/// a library the runtime did not attach as a profiler (the exports refuse
/// them, E3), i.e. everything but the profiler's own handling.
fn run_live(rec: &mut Record, docs: &[Doc]) -> (Outcome, Log, tempfile::TempDir) {
    let home = stress_home();
    let scratch_dir = scratch();
    let dir = scratch_dir.path().join("docs");
    let logs = scratch_dir.path().join("logs");
    let baseline_logs = scratch_dir.path().join("baseline-logs");
    for d in [&dir, &logs, &baseline_logs] {
        std::fs::create_dir_all(d).unwrap();
    }
    for (i, d) in docs.iter().enumerate() {
        std::fs::write(dir.join(format!("{i}.name")), &d.name).unwrap();
        std::fs::write(dir.join(format!("{i}.xml")), &d.xml).unwrap();
    }
    let dir_arg = dir.display().to_string();
    let library_dir = fixtures().profiler.parent().expect("library directory");
    let baseline = stress_run(&["live", &dir_arg])
        .without_profiler()
        .home(&home)
        .log_dir(&baseline_logs)
        .env("LD_LIBRARY_PATH", library_dir)
        .run();
    rec.run("baseline: same documents, library not attached", &baseline);
    assert_work_unchanged(&baseline);
    let out = stress_run(&["live", &dir_arg])
        .home(&home)
        .log_dir(&logs)
        .env("NEW_RELIC_LOG_LEVEL", "finest")
        .run();
    assert_work_unchanged(&out);
    let (peak, clean, base) = (peak_kb(&out), clean_peak_kb(), peak_kb(&baseline));
    eprintln!("peak {peak} KiB, clean run {clean} KiB, baseline without the profiler {base} KiB");
    assert!(
        peak <= clean.max(base) + PEAK_MARGIN_KB,
        "peak resident set {peak} KiB, clean run {clean} KiB, baseline {base} KiB (margin {PEAK_MARGIN_KB} KiB)"
    );
    assert_all_instrumented(&out);
    let log = out.log(&logs);
    assert_well_formed(&log.text);
    let longest = log.text.lines().map(str::len).max().unwrap_or(0);
    assert!(
        longest < 64 * 1024 + 200,
        "a log line of {longest} bytes: messages are capped at 64 KiB"
    );
    (out, log, scratch_dir)
}

fn assert_live(out: &Outcome, add: &str, apply: &str) {
    assert_eq!(report_field(out, "LIVE", "add"), add, "{}", out.stderr);
    assert_eq!(report_field(out, "LIVE", "apply"), apply, "{}", out.stderr);
}

#[test]
fn hostile_but_well_formed_live_documents_are_applied_safely() {
    let mut rec = Record::new(
        "faults",
        "hostile_but_well_formed_live_documents_are_applied_safely",
        "AddCustomInstrumentation documents with a 1 MB class name, a 512 KiB method name, line breaks and C1 controls in names and in the file name, a 64 KiB file name, bogus parameter lists, malformed minVersion/maxVersion",
    );
    let forged = "Evil&#10;[Error] 2025-01-01 00:00:00 forged&#13;\u{85}\u{9b}31m";
    let docs = vec![
        doc(
            "HugeClass.xml",
            extension(&format!(
                "<match assemblyName=\"StressApp\" className=\"StressApp.Generated.{}\"><exactMethodMatcher methodName=\"M000\" /></match>",
                "H".repeat(1 << 20)
            )),
        ),
        doc(
            "HugeMethod.xml",
            extension(&format!(
                "<match assemblyName=\"StressApp\" className=\"StressApp.Generated.C00\"><exactMethodMatcher methodName=\"{}\" /></match>",
                "m".repeat(512 * 1024)
            )),
        ),
        doc(
            "Controls\n[Error] 2025-01-01 00:00:00 forged file\r.xml",
            extension(&format!(
                "<match assemblyName=\"StressApp\" className=\"{forged}\"><exactMethodMatcher methodName=\"{forged}\" /></match>"
            )),
        ),
        doc(
            format!("{}.xml", "n".repeat(64 * 1024)),
            extension("<match assemblyName=\"StressApp\" className=\"StressApp.Generated.C01\"><exactMethodMatcher methodName=\"NotThere\" /></match>"),
        ),
        doc(
            "Parameters.xml",
            extension(&format!(
                "<match assemblyName=\"StressApp\" className=\"StressApp.Generated.C02\"><exactMethodMatcher methodName=\"M050\" parameters=\"System.Int32,,,&lt;&gt;[]{{}}\" /><exactMethodMatcher methodName=\"M051\" parameters=\"{}\" /><exactMethodMatcher methodName=\"M052\" parameters=\"void\" /></match>",
                "System.Collections.Generic.List`1&lt;".repeat(10_000)
            )),
        ),
        doc(
            "Versions.xml",
            extension(
                "<match assemblyName=\"StressApp\" className=\"StressApp.Generated.C03\" minVersion=\"abc\" maxVersion=\"1.2.3.4.5.6.7\"><exactMethodMatcher methodName=\"M075\" /></match>\
                 <match assemblyName=\"StressApp\" className=\"StressApp.Generated.C03\" minVersion=\"99999999999999999999\" maxVersion=\"-1\"><exactMethodMatcher methodName=\"M076\" /></match>\
                 <match assemblyName=\"StressApp\" className=\"StressApp.Generated.C03\" minVersion=\"1..2\" maxVersion=\"&#10;\"><exactMethodMatcher methodName=\"M077\" /></match>",
            ),
        ),
    ];
    let (out, log, _scratch) = run_live(&mut rec, &docs);
    rec.run("hostile well-formed documents", &out);
    assert_live(&out, &format!("0:{}", docs.len()), "0");
    log.assert_has("Applying live instrumentation")
        .assert_has("Leave: InstrumentationRefreshWithNewIgnoreList")
        .assert_has("abc is not a valid version")
        .assert_has("1.2.3.4.5.6.7 is not a valid version")
        .assert_has_prefix("Unable to find Evil\\n[Error] 2025-01-01 00:00:00 forged\\r\\u{85}\\u{9b}31m for rejit")
        .assert_has_prefix(&format!(
            "Unable to find StressApp.Generated.{}",
            "H".repeat(1000)
        ));
    assert!(
        log.messages()
            .iter()
            .any(|m| m.ends_with(" more bytes not logged]")),
        "the 1 MB name was not cut"
    );
    rec.set("documents", docs.len())
        .set("longest_log_line_bytes", log.text.lines().map(str::len).max().unwrap_or(0))
        .outcome("Output unchanged; every document accepted (S_OK) and applied (S_OK); malformed versions warned about; forged line breaks and C1 controls escaped (every log line well-formed); the 1 MB name cut at 64 KiB in the log; all 440 methods still instrumented once; peak within the margin");
}

#[test]
fn oversized_too_many_and_malformed_live_documents_are_refused() {
    let mut rec = Record::new(
        "faults",
        "oversized_too_many_and_malformed_live_documents_are_refused",
        "AddCustomInstrumentation with a 17 MiB document, 10 006 documents (over the 10 000 limit), an entity bomb, unclosed 100 000-deep nesting, binary garbage, a non-numeric level",
    );
    let depth = 100_000;
    let mut docs = vec![
        doc("Huge.xml", "x".repeat(17 << 20)),
        doc(
            "Bomb.xml",
            format!(
                "<?xml version=\"1.0\"?><!DOCTYPE extension [<!ENTITY a \"{}\"><!ENTITY b \"{}\">]><extension>{}</extension>",
                "x".repeat(1 << 20),
                "&a;".repeat(200),
                "&b;".repeat(100)
            ),
        ),
        doc(
            "Deep.xml",
            format!("<extension>{}", "<a>".repeat(depth)),
        ),
        doc("Garbage.xml", "\u{1}\u{2}MZ\u{0}\u{7f}garbage<<<>>>&&&"),
        doc(
            "Level.xml",
            "<extension><instrumentation><tracerFactory level=\"x99\"><match assemblyName=\"StressApp\" className=\"StressApp.Generated.C00\"><exactMethodMatcher methodName=\"M000\" /></match></tracerFactory></instrumentation></extension>",
        ),
    ];
    for i in 0..10_001 {
        docs.push(doc(format!("Many{i:05}.xml"), "<extension/>"));
    }
    let (out, log, _scratch) = run_live(&mut rec, &docs);
    rec.run("refused documents", &out);
    // Accepted: the bomb, the nesting, the garbage, the level document and
    // 9 996 of the small ones (10 000 pending at most); refused: the huge
    // one and the last 5 small ones.
    assert_live(&out, "0:10000,80070057:6", "1");
    log.assert_has(&format!(
        "AddCustomInstrumentation: the document Huge.xml was refused: it is {} bytes long, more than the 16777216 bytes allowed",
        (17 << 20) + "Huge.xml".len()
    ))
    .assert_has("AddCustomInstrumentation: the document Many10000.xml was refused: 10000 documents are already waiting to be applied")
    .assert_has_prefix("Instrumentation file 'Bomb.xml' is invalid: entity declarations are not supported")
    .assert_has_prefix("Instrumentation file 'Deep.xml' is invalid: ")
    .assert_has_prefix("Instrumentation file 'Garbage.xml' is invalid: ")
    .assert_has("Instrumentation file 'Level.xml' is invalid: level=\"x99\" is not a number")
    .assert_has("Unable to parse one or more instrumentation files.  Instrumentation will not be refreshed.");
    rec.set("documents", docs.len())
        .set("accepted", 10_000)
        .set("refused_e_invalidarg", 6)
        .outcome("Output unchanged; the 17 MiB document and the documents past 10 000 refused with E_INVALIDARG and an Error giving the reason; the malformed ones each named with the reason; the refresh refused (S_FALSE) so the previous instrumentation stayed (all 440 methods instrumented once); peak within the margin");
}
