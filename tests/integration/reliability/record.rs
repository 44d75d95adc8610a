//! The figures each reliability test writes to
//! `target/reliability/<file>.json`, which `scripts/reliability-report`
//! turns into the tables of `docs/reliability.md`.
//!
//! A [`Record`] is created when a test starts and written when it is
//! dropped — also when the test panics, as `"result": "fail"`, so a failing
//! run never leaves an earlier pass behind. Each file holds one entry per
//! test (by name), merged under a process-wide lock because the tests of a
//! file run in parallel.

use serde_json::{json, Map, Value};
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Instant;

/// The figures of one test.
pub struct Record {
    file: &'static str,
    entry: Map<String, Value>,
    started: Instant,
}

/// `target/reliability`.
pub fn reliability_dir() -> PathBuf {
    crate::support::target_profile_dir()
        .parent()
        .expect("target directory")
        .join("reliability")
}

impl Record {
    /// A record for test `name` in `target/reliability/<file>.json`; `what`
    /// says what was tried.
    pub fn new(file: &'static str, name: &str, what: &str) -> Record {
        let mut entry = Map::new();
        entry.insert("name".into(), name.into());
        entry.insert("what".into(), what.into());
        Record {
            file,
            entry,
            started: Instant::now(),
        }
    }

    /// Sets one figure (or replaces it).
    pub fn set(&mut self, key: &str, value: impl Into<Value>) -> &mut Record {
        self.entry.insert(key.to_string(), value.into());
        self
    }

    /// What happened, in words (the report's "Outcome" column).
    pub fn outcome(&mut self, text: impl Into<String>) -> &mut Record {
        self.set("outcome", text.into())
    }
}

impl Drop for Record {
    fn drop(&mut self) {
        let result = if std::thread::panicking() {
            "fail"
        } else {
            "pass"
        };
        self.entry.insert("result".into(), result.into());
        self.entry.insert(
            "seconds".into(),
            json!((self.started.elapsed().as_secs_f64() * 10.0).round() / 10.0),
        );
        if let Err(error) = merge(self.file, std::mem::take(&mut self.entry)) {
            eprintln!(
                "could not write target/reliability/{}.json: {error}",
                self.file
            );
        }
    }
}

/// Replaces the entry of the same name in `<file>.json` (creating it).
fn merge(file: &str, entry: Map<String, Value>) -> std::io::Result<()> {
    static LOCK: Mutex<()> = Mutex::new(());
    let _guard = LOCK.lock().unwrap_or_else(|p| p.into_inner());
    let dir = reliability_dir();
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(format!("{file}.json"));
    let mut entries: Vec<Value> = std::fs::read_to_string(&path)
        .ok()
        .and_then(|text| serde_json::from_str::<Value>(&text).ok())
        .and_then(|doc| doc.get("entries").and_then(Value::as_array).cloned())
        .unwrap_or_default();
    let name = entry.get("name").cloned();
    entries.retain(|e| e.get("name") != name.as_ref());
    entries.push(Value::Object(entry));
    entries.sort_by_key(|e| e.get("name").and_then(Value::as_str).map(str::to_string));
    let doc = json!({
        "kind": file,
        "how": "cargo test --test integration reliability::",
        "generated_unix": std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0),
        "entries": entries,
    });
    let text = serde_json::to_string_pretty(&doc).map_err(std::io::Error::other)?;
    let temp = dir.join(format!(".{file}.json.tmp"));
    std::fs::write(&temp, text + "\n")?;
    std::fs::rename(temp, path)
}

impl Record {
    /// Figures of one process run: exit code, peak resident set (with a
    /// clean run's for comparison) and the calls the test agent counted,
    /// each when the app reported it.
    pub fn run(&mut self, label: &str, out: &crate::support::Outcome) -> &mut Record {
        let field = |key: &str| -> Option<i64> {
            out.stderr
                .lines()
                .filter(|l| l.starts_with("MEMORY end"))
                .flat_map(str::split_whitespace)
                .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('=')?.parse().ok())
        };
        let mut run = Map::new();
        run.insert("label".into(), label.into());
        run.insert("exit_code".into(), out.status.code().into());
        if let Some(peak) = field("hwm_kb") {
            run.insert("peak_kb".into(), peak.into());
        }
        if let Some(calls) = field("agent_calls") {
            run.insert("agent_calls".into(), calls.into());
        }
        let runs = self
            .entry
            .entry("runs")
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(runs) = runs {
            runs.push(Value::Object(run));
        }
        self
    }
}
