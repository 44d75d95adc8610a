//! Side by side with the original library, for whoever has it (New Relic's
//! engineers build it from newrelic-dotnet-agent): `scripts/side-by-side
//! ORIGINAL_LIBRARY` runs this ignored test with `NR_SIDE_BY_SIDE_ORIGINAL`
//! set. Every reference scenario is set up twice, run under the original
//! and under ours with the same setup, and compared: the profiler logs with
//! the reference-run engine and the same allowances (now against the
//! original's complete log), standard output the same way, the test agent's
//! calls with `nr-compare`'s agent comparison and
//! `tests/data/fidelity/allow-original.txt`, and the exit codes. The report
//! (`NR_SIDE_BY_SIDE_OUT`, default `target/side-by-side`) says per
//! scenario: identical, or each difference with the `docs/compatibility.md`
//! id that explains it, or UNEXPLAINED. Both runs' normalised outputs are
//! kept beside it. The test fails if anything is unexplained.

use super::compare::{compare_log, Comparison};
use super::recording::Recording;
use super::setup::Ran;
use super::{allowances, scenarios};
use std::fmt::Write;
use std::path::{Path, PathBuf};
use NewRelicProfiler::compare::{agent_log, render_explained, AllowList, Replacements, Report};

/// Multi-threaded scenarios: the agent's calls are compared as a multiset.
const UNORDERED: [&str; 3] = ["web-debug", "tp-shutdown", "tp-interop"];

#[test]
#[ignore = "needs the original library: scripts/side-by-side ORIGINAL_LIBRARY"]
fn report() {
    let Some(original) = std::env::var_os("NR_SIDE_BY_SIDE_ORIGINAL") else {
        panic!(
            "NR_SIDE_BY_SIDE_ORIGINAL is not set: run scripts/side-by-side ORIGINAL_LIBRARY, \
             which needs the original libNewRelicProfiler.so; without it there is nothing to compare"
        );
    };
    let original = PathBuf::from(original);
    assert!(
        original.is_file(),
        "no original library at {}: nothing to compare",
        original.display()
    );
    crate::support::require_dotnet();
    let out = std::env::var_os("NR_SIDE_BY_SIDE_OUT")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate::support::target_profile_dir().join("../side-by-side"));
    std::fs::create_dir_all(&out).expect("report directory");
    let allow_text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/fidelity/allow-original.txt"),
    )
    .expect("tests/data/fidelity/allow-original.txt");
    let allow = AllowList::parse(&allow_text);
    let mut report = format!(
        "# Side by side: the original profiler and ours\n\noriginal: `{}`\nours: `{}`\n\n",
        original.display(),
        crate::support::profiler_library().display()
    );
    let mut unexplained = Vec::new();
    for name in scenarios::NAMES {
        let theirs = run(name, Some(&original));
        let ours = run(name, None);
        keep(&out, name, "original", &theirs);
        keep(&out, name, "ours", &ours);
        let section = compare(name, &theirs, &ours, &allow);
        if section.contains("UNEXPLAINED") {
            unexplained.push(name);
        }
        report.push_str(&section);
    }
    let _ = writeln!(
        report,
        "\n{}",
        if unexplained.is_empty() {
            "RESULT: every difference is explained by docs/compatibility.md".to_string()
        } else {
            format!(
                "RESULT: UNEXPLAINED differences in {}",
                unexplained.join(", ")
            )
        }
    );
    std::fs::write(out.join("report.md"), &report).expect("write report.md");
    println!("{report}\nreport: {}", out.join("report.md").display());
    assert!(
        unexplained.is_empty(),
        "unexplained differences in {unexplained:?}"
    );
}

/// One scenario under `library` (ours when `None`), set up afresh.
fn run(name: &str, library: Option<&Path>) -> (Ran, bool) {
    let prepared = scenarios::prepare(name);
    let ran = match library {
        Some(library) => prepared
            .scene
            .run_with(library, prepared.app, &prepared.args),
        None => prepared.scene.run(prepared.app, &prepared.args),
    };
    (ran, prepared.console)
}

fn keep(out: &Path, name: &str, side: &str, (ran, console): &(Ran, bool)) {
    let dir = out.join(name);
    std::fs::create_dir_all(&dir).expect("scenario directory");
    let log = if *console || ran.log.is_some() {
        ran.log_lines(*console).join("\n")
    } else {
        String::new()
    };
    let files = [
        (format!("{side}.log"), log),
        (format!("stdout-{side}.txt"), ran.stdout.join("\n")),
        (format!("agent-{side}.log"), ran.agent_log.clone()),
    ];
    for (file, text) in files {
        std::fs::write(dir.join(file), text + "\n").expect("keep a run's output");
    }
}

/// The report section of one scenario.
fn compare(
    name: &str,
    (theirs, console): &(Ran, bool),
    (ours, _): &(Ran, bool),
    allow: &AllowList,
) -> String {
    let mut text = format!("\n## {name}\n\n");
    let original_log = Recording {
        name: name.to_string(),
        lines: if *console || theirs.log.is_some() {
            theirs.log_lines(*console)
        } else {
            Vec::new()
        },
        cut: None,
        stdout: theirs.stdout.clone(),
    };
    let our_log = if *console || ours.log.is_some() {
        ours.log_lines(*console)
    } else {
        Vec::new()
    };
    let log = compare_log(&original_log, &our_log, &allowances::log(name));
    let mut stdout_allows = allowances::stdout(name);
    if *console {
        stdout_allows.extend(allowances::log(name));
    }
    let stdout = compare_log(
        &Recording::stdout_only(&original_log),
        &ours.stdout,
        &stdout_allows,
    );
    section(&mut text, "profiler log", &log);
    section(&mut text, "standard output", &stdout);
    // E1: the original aborts on a broken ReloadConfiguration (134).
    let aborted = theirs.status == Some(134) && name == "live-reload";
    match (theirs.status, ours.status) {
        (a, b) if a == b => {}
        _ if aborted => {
            let _ = writeln!(
                text,
                "- allowed E1: exit status original {:?}, ours {:?}",
                theirs.status, ours.status
            );
        }
        (a, b) => {
            let _ = writeln!(
                text,
                "- UNEXPLAINED: exit status original {a:?}, ours {b:?}"
            );
        }
    }
    let mut agent = Report::default();
    let (a, b) = (
        agent_records(&theirs.agent_log),
        agent_records(&ours.agent_log),
    );
    let b = if aborted { up_to_markers_of(&a, b) } else { b };
    agent_log::compare(&a, &b, !UNORDERED.contains(&name), &mut agent);
    let verdict = render_explained(&agent, allow);
    let _ = writeln!(text, "### agent calls\n");
    for line in verdict.text.lines() {
        let _ = writeln!(text, "- {line}");
    }
    text
}

fn section(text: &mut String, what: &str, comparison: &Comparison) {
    let _ = writeln!(text, "### {what}\n");
    if comparison.explained() && comparison.used.is_empty() {
        text.push_str("- identical\n");
    }
    for used in &comparison.used {
        let _ = writeln!(text, "- allowed {used}");
    }
    for stale in &comparison.stale {
        let _ = writeln!(text, "- expected but not seen: {stale}");
    }
    for problem in &comparison.problems {
        let _ = writeln!(text, "- UNEXPLAINED: {}", problem.replace('\n', "\n  "));
    }
    text.push('\n');
}

/// The agent's records with function ids numbered per method
/// (`agent_log::parse`) and Kestrel's port masked.
fn agent_records(text: &str) -> Vec<String> {
    let masked: String = text.lines().map(|line| mask_port(line) + "\n").collect();
    agent_log::parse(&masked, &Replacements::default())
}

/// `127.0.0.1:<digits>` → `127.0.0.1:<port>`.
fn mask_port(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(at) = rest.find("127.0.0.1:") {
        let (before, after) = rest.split_at(at + "127.0.0.1:".len());
        out.push_str(before);
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        out.push_str(if digits > 0 { "<port>" } else { "" });
        rest = &after[digits..];
    }
    out.push_str(rest);
    out
}

/// Ours cut at the first marker the original (which aborted) never reached.
fn up_to_markers_of(theirs: &[String], ours: Vec<String>) -> Vec<String> {
    let markers: Vec<&String> = theirs.iter().filter(|r| r.starts_with("Marker")).collect();
    let mut seen = 0;
    let mut kept = Vec::new();
    for record in ours {
        if record.starts_with("Marker") {
            if markers.get(seen) != Some(&&record) {
                break;
            }
            seen += 1;
        }
        kept.push(record);
    }
    kept
}
