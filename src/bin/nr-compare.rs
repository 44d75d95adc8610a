//! `nr-compare`: compares two runs of the profiler and reports the
//! differences as a table (docs/validation.md).
//!
//! ```text
//! nr-compare [--profiler-log A B] [--agent A B] [--validation A B]
//!            [--replace-a FROM=TO]... [--replace-b FROM=TO]...
//!            [--allow FILE] [--unordered] [--max-details N] [--explain]
//! ```
//! `--explain` lists every difference on its own line with the
//! docs/compatibility.md id of the allow-list rule that explains it, or
//! `UNEXPLAINED` (the side-by-side report, docs/fidelity.md).
//!
//! Exit code 0: equivalent (every difference is on the allow-list);
//! 1: different; 2: usage or input error.

use std::path::PathBuf;
use NewRelicProfiler::compare::{
    agent_log, profiler_log, render, render_explained, validation_log, AllowList, Replacements,
    Report,
};

const USAGE: &str = "usage: nr-compare [--profiler-log A B] [--agent A B] [--validation A B] \
[--replace-a FROM=TO]... [--replace-b FROM=TO]... [--allow FILE] [--unordered] [--max-details N] [--explain]";

#[derive(Default)]
struct Options {
    profiler_logs: Option<(PathBuf, PathBuf)>,
    agent_logs: Option<(PathBuf, PathBuf)>,
    validation_logs: Option<(PathBuf, PathBuf)>,
    replace_a: Replacements,
    replace_b: Replacements,
    allow: AllowList,
    ordered: bool,
    max_details: usize,
    explain: bool,
}

fn parse(args: Vec<String>) -> Result<Options, String> {
    let mut o = Options {
        ordered: true,
        max_details: 20,
        ..Options::default()
    };
    let mut it = args.into_iter();
    while let Some(arg) = it.next() {
        let mut next = |what: &str| it.next().ok_or_else(|| format!("{arg} needs {what}"));
        match arg.as_str() {
            "--profiler-log" => {
                o.profiler_logs = Some((next("two files")?.into(), next("two files")?.into()))
            }
            "--agent" => {
                o.agent_logs = Some((next("two files")?.into(), next("two files")?.into()))
            }
            "--validation" => {
                o.validation_logs = Some((next("two files")?.into(), next("two files")?.into()))
            }
            "--replace-a" | "--replace-b" => {
                let pair = next("FROM=TO")?;
                let (from, to) = pair.split_once('=').ok_or("replacements are FROM=TO")?;
                let target = if arg == "--replace-a" {
                    &mut o.replace_a
                } else {
                    &mut o.replace_b
                };
                target.0.push((from.to_string(), to.to_string()));
            }
            "--allow" => {
                let path = next("a file")?;
                let text = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
                o.allow = AllowList::parse(&text);
            }
            "--unordered" => o.ordered = false,
            "--explain" => o.explain = true,
            "--max-details" => {
                o.max_details = next("a number")?
                    .parse()
                    .map_err(|_| "--max-details needs a number")?
            }
            "-h" | "--help" => return Err(USAGE.to_string()),
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    if o.profiler_logs.is_none() && o.agent_logs.is_none() && o.validation_logs.is_none() {
        return Err(format!("nothing to compare\n{USAGE}"));
    }
    Ok(o)
}

fn read(path: &PathBuf) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn run(o: &Options) -> Result<bool, String> {
    let mut report = Report::default();
    if let Some((a, b)) = &o.profiler_logs {
        let la = profiler_log::parse(&read(a)?, &o.replace_a);
        let lb = profiler_log::parse(&read(b)?, &o.replace_b);
        profiler_log::compare(&la, &lb, &mut report);
    }
    if let Some((a, b)) = &o.agent_logs {
        let ra = agent_log::parse(&read(a)?, &o.replace_a);
        let rb = agent_log::parse(&read(b)?, &o.replace_b);
        agent_log::compare(&ra, &rb, o.ordered, &mut report);
    }
    if let Some((a, b)) = &o.validation_logs {
        let ea = validation_log::parse(&read(a)?, &o.replace_a)?;
        let eb = validation_log::parse(&read(b)?, &o.replace_b)?;
        validation_log::compare(&ea, &eb, &mut report);
    }
    let verdict = if o.explain {
        render_explained(&report, &o.allow)
    } else {
        render(&report, &o.allow, o.max_details)
    };
    print!("{}", verdict.text);
    Ok(verdict.passed)
}

fn main() {
    let code = match parse(std::env::args().skip(1).collect()).and_then(|o| run(&o)) {
        Ok(true) => 0,
        Ok(false) => 1,
        Err(message) => {
            eprintln!("nr-compare: {message}");
            2
        }
    };
    std::process::exit(code);
}
