//! The validation event log (docs/validation.md): when
//! `NEWRELIC_VALIDATION_ENABLED` is `1`/`true`, one JSON object per line for
//! every decision that matters, in `NEWRELIC_VALIDATION_OUTPUT` (default:
//! the log directory), file `NewRelic.Profiler.Validation.<pid>.jsonl`.
//! Two runs — ours against ours, or against expectations — are compared with
//! the `nr-compare` tool.
//!
//! Off by default; when off, every event site costs one relaxed atomic load
//! (the `validation_event!` macro evaluates nothing else).

mod fingerprint;
pub mod json;
pub mod json_parse;

use crate::system::env::parse_bool;
use crate::system::{PathStyle, SystemCalls};
use json::{write_value, Value};
use parking_lot::Mutex;
use std::fs::File;
use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Version of the event schema; bump when an event's meaning changes.
pub const SCHEMA_VERSION: u32 = 1;
pub const ENABLED_VARIABLE: &str = "NEWRELIC_VALIDATION_ENABLED";
pub const OUTPUT_VARIABLE: &str = "NEWRELIC_VALIDATION_OUTPUT";

static ENABLED: AtomicBool = AtomicBool::new(false);
static SEQUENCE: AtomicU64 = AtomicU64::new(0);
static SINK: Mutex<Option<File>> = Mutex::new(None);

/// Whether events are being written.
#[inline]
pub fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// Opens the event file when the environment asks for it. `log_directory`
/// is the default output directory. Returns the file path when enabled.
pub fn init(sys: &dyn SystemCalls, log_directory: &str) -> Option<String> {
    let wanted = parse_bool(sys.env_var(ENABLED_VARIABLE).as_deref()).unwrap_or(false);
    if !wanted {
        return None;
    }
    let directory = sys
        .env_var(OUTPUT_VARIABLE)
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| log_directory.to_string());
    if !sys.directory_exists(&directory) && sys.create_directory_all(&directory).is_err() {
        crate::log_warn!("Validation log disabled: cannot create {directory}");
        return None;
    }
    let style: PathStyle = sys.path_style();
    let path = style.join(
        &directory,
        &format!("NewRelic.Profiler.Validation.{}.jsonl", sys.process_id()),
    );
    match File::create(&path) {
        Ok(file) => {
            *SINK.lock() = Some(file);
            ENABLED.store(true, Ordering::Relaxed);
            crate::log_info!("Validation events are written to {path}");
            Some(path)
        }
        Err(e) => {
            crate::log_warn!("Validation log disabled: cannot create {path}: {e}");
            None
        }
    }
}

/// Starts writing events to `path` regardless of the environment: for the
/// benchmark of the enabled path and for tools; the profiler uses [`init`].
pub fn init_at(path: &str) -> std::io::Result<()> {
    let file = File::create(path)?;
    *SINK.lock() = Some(file);
    ENABLED.store(true, Ordering::Relaxed);
    Ok(())
}

/// Writes one event: `{"v":1,"seq":n,"ts":"…","event":kind, …fields}`.
pub fn emit(kind: &str, fields: Vec<(&'static str, Value)>) {
    if !enabled() {
        return;
    }
    let mut line = String::with_capacity(128);
    line.push_str("{\"v\":");
    line.push_str(&SCHEMA_VERSION.to_string());
    line.push_str(",\"seq\":");
    line.push_str(&SEQUENCE.fetch_add(1, Ordering::Relaxed).to_string());
    line.push_str(",\"ts\":");
    json::write_string(
        &mut line,
        &chrono::Utc::now()
            .format("%Y-%m-%dT%H:%M:%S%.6fZ")
            .to_string(),
    );
    line.push_str(",\"event\":");
    json::write_string(&mut line, kind);
    for (name, value) in &fields {
        line.push(',');
        json::write_string(&mut line, name);
        line.push(':');
        write_value(&mut line, value);
    }
    line.push_str("}\n");
    if let Some(file) = SINK.lock().as_mut() {
        let _ = file.write_all(line.as_bytes());
    }
}

/// Stops writing (end of process or tests).
pub fn close() {
    ENABLED.store(false, Ordering::Relaxed);
    if let Some(mut file) = SINK.lock().take() {
        let _ = file.flush();
    }
}

/// `validation_event!("kind", field = value, …)`: builds and writes the
/// event only when validation is enabled.
#[macro_export]
macro_rules! validation_event {
    ($kind:expr $(, $name:ident = $value:expr)* $(,)?) => {
        if $crate::validation::enabled() {
            $crate::validation::emit($kind, vec![$((stringify!($name), $crate::validation::json::Value::from($value))),*]);
        }
    };
}

pub use fingerprint::{fingerprint, shape_fingerprint};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disabled_by_default_and_events_cost_nothing() {
        assert!(!enabled());
        let mut evaluated = false;
        validation_event!(
            "x",
            field = {
                evaluated = true;
                1u32
            }
        );
        assert!(!evaluated, "arguments are not evaluated when off");
    }
}
