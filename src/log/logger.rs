//! The process-wide logger (reference-profiler §3): one line per message,
//! `[Level] YYYY-MM-DD HH:MM:SS message` in UTC, serialised by a mutex and
//! flushed per line, to a file, to standard output (console mode) or nowhere.
//!
//! Deliberate improvement over §3.5 QUIRK: lines logged before the
//! destination is known (configuration loading happens before the log file
//! can be located) are kept and written once it opens, instead of being lost.
//! See docs/compatibility.md.

use super::level::Level;
use super::sanitize::{push_message, MAX_MESSAGE_BYTES};
use parking_lot::Mutex;
use std::fmt;
use std::fs::File;
use std::io::Write;
use std::sync::atomic::{AtomicU8, Ordering};

/// `threshold` value meaning "write nothing".
const THRESHOLD_OFF: u8 = u8::MAX;

/// Upper bound on lines kept while the destination is unknown, so a
/// misbehaving start-up cannot grow memory without limit.
const MAX_PENDING_LINES: usize = 10_000;

/// What the configuration and environment decided about logging.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LogSettings {
    /// The stored level (§3.3); the effective level may be clamped above it.
    pub level: Level,
    /// Console mode: lines go to standard output, no file is opened.
    pub console: bool,
    /// `false` writes nothing anywhere.
    pub enabled: bool,
    /// `FUNCTIONS_WORKER_RUNTIME` non-empty: DEBUG/TRACE are clamped to INFO...
    pub azure_function_mode: bool,
    /// ...unless `NEW_RELIC_AZURE_FUNCTION_LOG_LEVEL_OVERRIDE` is true.
    pub azure_function_log_level_override: bool,
}

impl Default for LogSettings {
    fn default() -> Self {
        LogSettings {
            level: Level::Info,
            console: false,
            enabled: true,
            azure_function_mode: false,
            azure_function_log_level_override: false,
        }
    }
}

impl LogSettings {
    /// The level actually applied: console logging, and Azure Function mode
    /// without the override, raise anything below INFO to INFO (§3.3).
    pub fn effective_level(&self) -> Level {
        let clamped =
            self.console || (self.azure_function_mode && !self.azure_function_log_level_override);
        if clamped && self.level < Level::Info {
            Level::Info
        } else {
            self.level
        }
    }
}

/// A line captured before the destination was known.
struct PendingLine {
    level: Level,
    text: String,
}

/// Where lines go once decided. Settings still choose between them: with
/// `console` set lines go to standard output, otherwise to the file (if one
/// was opened), and nowhere when logging is disabled. A later
/// `ReloadConfiguration` can flip `console`/`enabled`; the file location
/// never changes (§6.2).
#[derive(Default)]
struct Destinations {
    file: Option<File>,
    /// In-memory destination for unit tests (takes the place of the file).
    memory: Option<Vec<String>>,
}

struct Inner {
    settings: LogSettings,
    /// `Some` until the destination is decided.
    pending: Option<Vec<PendingLine>>,
    destinations: Destinations,
}

/// A logger instance; the profiler uses the global one from [`super::global`].
pub struct Logger {
    threshold: AtomicU8,
    inner: Mutex<Inner>,
}

impl Default for Logger {
    fn default() -> Self {
        Logger::new()
    }
}

impl Inner {
    /// The cheap filter for the current state.
    fn threshold(&self) -> u8 {
        if self.pending.is_some() {
            return Level::Trace as u8;
        }
        let has_target = self.settings.console
            || self.destinations.file.is_some()
            || self.destinations.memory.is_some();
        if self.settings.enabled && has_target {
            self.settings.effective_level() as u8
        } else {
            THRESHOLD_OFF
        }
    }

    /// Writes one formatted line to the destination the settings select.
    fn write(&mut self, line: &str) {
        if !self.settings.enabled {
            return;
        }
        if self.settings.console {
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(line.as_bytes());
            let _ = out.flush();
        } else if let Some(file) = self.destinations.file.as_mut() {
            // A failing write must never reach the application.
            let _ = file.write_all(line.as_bytes());
        } else if let Some(memory) = self.destinations.memory.as_mut() {
            memory.push(line.to_string());
        }
    }
}

impl Logger {
    /// A logger that keeps every line until [`Logger::open_file`],
    /// [`Logger::use_console`] or [`Logger::disable`] decides where they go.
    pub fn new() -> Logger {
        Logger {
            threshold: AtomicU8::new(Level::Trace as u8),
            inner: Mutex::new(Inner {
                settings: LogSettings::default(),
                pending: Some(Vec::new()),
                destinations: Destinations::default(),
            }),
        }
    }

    /// A logger writing to memory, for tests.
    pub fn in_memory(settings: LogSettings) -> Logger {
        let logger = Logger::new();
        {
            let mut inner = logger.inner.lock();
            inner.pending = None;
            inner.destinations.memory = Some(Vec::new());
        }
        logger.apply_settings(settings);
        logger
    }

    /// Cheap check used by the logging macros before formatting anything.
    #[inline]
    pub fn is_enabled(&self, level: Level) -> bool {
        (level as u8) >= self.threshold.load(Ordering::Relaxed)
    }

    /// Writes one line if `level` passes the current filter.
    pub fn log(&self, level: Level, args: fmt::Arguments<'_>) {
        if !self.is_enabled(level) {
            return;
        }
        let text = format_line(level, &fmt::format(args));
        let mut inner = self.inner.lock();
        if let Some(pending) = inner.pending.as_mut() {
            if pending.len() < MAX_PENDING_LINES {
                pending.push(PendingLine { level, text });
            }
            return;
        }
        if level >= inner.settings.effective_level() {
            inner.write(&text);
        }
    }

    /// Applies level / console / enabled. While lines are still pending,
    /// everything is kept (the final filter is applied when they are
    /// written); afterwards the cheap threshold follows the effective level.
    pub fn apply_settings(&self, settings: LogSettings) {
        let mut inner = self.inner.lock();
        inner.settings = settings;
        self.threshold.store(inner.threshold(), Ordering::Relaxed);
    }

    /// The settings last applied.
    pub fn settings(&self) -> LogSettings {
        self.inner.lock().settings
    }

    /// Decides on a file destination and writes the lines kept so far.
    pub fn open_file(&self, file: File) {
        self.decide(Some(file));
    }

    /// Decides on standard output (console mode, no file) and writes the lines kept so far.
    pub fn use_console(&self) {
        self.decide(None);
    }

    /// Stops logging (disabled, or the file could not be opened); lines
    /// kept so far are dropped. Console mode switched on later by a reload
    /// still writes to standard output.
    pub fn disable(&self) {
        let mut inner = self.inner.lock();
        inner.pending = None;
        inner.destinations.file = None;
        self.threshold.store(inner.threshold(), Ordering::Relaxed);
    }

    /// True once a destination was chosen (file, console, memory or off).
    pub fn destination_decided(&self) -> bool {
        self.inner.lock().pending.is_none()
    }

    /// Lines written to an in-memory logger (tests).
    pub fn memory_lines(&self) -> Vec<String> {
        self.inner
            .lock()
            .destinations
            .memory
            .clone()
            .unwrap_or_default()
    }

    fn decide(&self, file: Option<File>) {
        let mut inner = self.inner.lock();
        inner.destinations.file = file;
        let pending = inner.pending.take().unwrap_or_default();
        let effective = inner.settings.effective_level();
        if inner.settings.enabled {
            let kept: String = pending
                .iter()
                .filter(|line| line.level >= effective)
                .map(|line| line.text.as_str())
                .collect();
            if !kept.is_empty() {
                inner.write(&kept);
            }
        }
        self.threshold.store(inner.threshold(), Ordering::Relaxed);
    }
}

/// `[Info ] 2025-01-31 17:04:05 message\n` — UTC, second resolution (§3.4).
/// The message is escaped and length-capped so it stays one line
/// ([`super::sanitize`]).
pub fn format_line(level: Level, message: &str) -> String {
    use std::fmt::Write as _;
    let now = chrono::Utc::now();
    let mut line = String::with_capacity(30 + message.len().min(MAX_MESSAGE_BYTES));
    let _ = write!(
        line,
        "[{}] {} ",
        level.tag(),
        now.format("%Y-%m-%d %H:%M:%S")
    );
    push_message(&mut line, message);
    line.push('\n');
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info_logger() -> Logger {
        Logger::in_memory(LogSettings::default())
    }

    fn messages(logger: &Logger) -> Vec<String> {
        logger
            .memory_lines()
            .iter()
            .map(|l| l[28..].trim_end().to_string())
            .collect()
    }

    #[test]
    fn info_is_the_default_level() {
        let logger = info_logger();
        logger.log(Level::Info, format_args!("one"));
        logger.log(Level::Debug, format_args!("hidden"));
        logger.log(Level::Trace, format_args!("hidden"));
        logger.log(Level::Warn, format_args!("warn"));
        logger.log(Level::Error, format_args!("error"));
        assert_eq!(messages(&logger), vec!["one", "warn", "error"]);
    }

    #[test]
    fn line_format_matches_the_reference() {
        let logger = info_logger();
        logger.log(Level::Info, format_args!("Profiler initialized"));
        let line = &logger.memory_lines()[0];
        let bytes = line.as_bytes();
        assert!(line.starts_with("[Info ] "));
        assert_eq!(line.len(), 8 + 19 + 1 + "Profiler initialized".len() + 1);
        for (i, c) in line[8..27].chars().enumerate() {
            match i {
                4 | 7 => assert_eq!(c, '-'),
                10 => assert_eq!(c, ' '),
                13 | 16 => assert_eq!(c, ':'),
                _ => assert!(c.is_ascii_digit(), "{line}"),
            }
        }
        assert_eq!(bytes[27], b' ');
        assert!(line.ends_with("Profiler initialized\n"));
    }

    #[test]
    fn timestamp_is_utc_now() {
        let before = chrono::Utc::now() - chrono::Duration::seconds(1);
        let line = format_line(Level::Info, "x");
        let after = chrono::Utc::now() + chrono::Duration::seconds(1);
        let stamp = chrono::NaiveDateTime::parse_from_str(&line[8..27], "%Y-%m-%d %H:%M:%S")
            .unwrap()
            .and_utc();
        assert!(
            stamp >= before.with_nanosecond0() && stamp <= after,
            "{line}"
        );
    }

    trait Trunc {
        fn with_nanosecond0(self) -> Self;
    }
    impl Trunc for chrono::DateTime<chrono::Utc> {
        fn with_nanosecond0(self) -> Self {
            use chrono::Timelike;
            self.with_nanosecond(0).unwrap()
        }
    }

    #[test]
    fn level_changes_take_effect() {
        let logger = info_logger();
        logger.log(Level::Info, format_args!("a"));
        logger.apply_settings(LogSettings {
            level: Level::Debug,
            ..LogSettings::default()
        });
        logger.log(Level::Debug, format_args!("b"));
        logger.log(Level::Debug, format_args!("c"));
        logger.log(Level::Trace, format_args!("hidden"));
        logger.apply_settings(LogSettings {
            level: Level::Trace,
            ..LogSettings::default()
        });
        logger.log(Level::Trace, format_args!("d"));
        assert_eq!(messages(&logger), vec!["a", "b", "c", "d"]);
    }

    #[test]
    fn console_clamps_debug_and_trace_but_keeps_warn() {
        let mut settings = LogSettings {
            level: Level::Trace,
            console: true,
            ..LogSettings::default()
        };
        assert_eq!(settings.effective_level(), Level::Info);
        settings.level = Level::Warn;
        assert_eq!(settings.effective_level(), Level::Warn);
        settings.level = Level::Debug;
        settings.console = false;
        assert_eq!(
            settings.effective_level(),
            Level::Debug,
            "turning console off restores the level"
        );
    }

    #[test]
    fn azure_function_mode_clamps_unless_overridden() {
        let mut settings = LogSettings {
            level: Level::Trace,
            azure_function_mode: true,
            ..LogSettings::default()
        };
        assert_eq!(settings.effective_level(), Level::Info);
        settings.azure_function_log_level_override = true;
        assert_eq!(settings.effective_level(), Level::Trace);
        let logger = Logger::in_memory(LogSettings {
            level: Level::Debug,
            azure_function_mode: true,
            ..LogSettings::default()
        });
        logger.log(Level::Debug, format_args!("hidden"));
        logger.log(Level::Trace, format_args!("hidden"));
        logger.log(Level::Info, format_args!("shown"));
        assert_eq!(messages(&logger), vec!["shown"]);
    }

    #[test]
    fn disabled_logger_writes_nothing() {
        let logger = Logger::in_memory(LogSettings {
            enabled: false,
            ..LogSettings::default()
        });
        logger.log(Level::Error, format_args!("nothing"));
        assert!(logger.memory_lines().is_empty());
        assert!(!logger.is_enabled(Level::Error));
    }

    #[test]
    fn pending_lines_are_written_when_the_file_opens_filtered_by_the_final_level() {
        let dir = std::env::temp_dir().join(format!("nrlog-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("pending.log");
        let logger = Logger::new();
        logger.log(Level::Debug, format_args!("early debug"));
        logger.log(Level::Info, format_args!("early info"));
        logger.apply_settings(LogSettings::default());
        logger.open_file(File::create(&path).unwrap());
        logger.log(Level::Info, format_args!("late info"));
        logger.log(Level::Debug, format_args!("late debug"));
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().map(|l| &l[28..]).collect();
        assert_eq!(lines, vec!["early info", "late info"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn reload_can_switch_between_file_and_console_and_disable() {
        let dir = std::env::temp_dir().join(format!("nrlog-switch-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("switch.log");
        let logger = Logger::new();
        logger.apply_settings(LogSettings::default());
        logger.open_file(File::create(&path).unwrap());
        logger.log(Level::Info, format_args!("to file"));
        logger.apply_settings(LogSettings {
            enabled: false,
            ..LogSettings::default()
        });
        assert!(!logger.is_enabled(Level::Error));
        logger.log(Level::Error, format_args!("dropped"));
        logger.apply_settings(LogSettings {
            level: Level::Debug,
            ..LogSettings::default()
        });
        logger.log(Level::Debug, format_args!("debug to file"));
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().map(|l| &l[28..]).collect();
        assert_eq!(lines, vec!["to file", "debug to file"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn hostile_messages_stay_one_line() {
        let logger = info_logger();
        logger.log(
            Level::Info,
            format_args!("Unable to find Evil\n[Error] 2025-01-01 00:00:00 forged for rejit"),
        );
        let lines = logger.memory_lines();
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].matches('\n').count(), 1, "{:?}", lines[0]);
        assert!(lines[0].ends_with("Evil\\n[Error] 2025-01-01 00:00:00 forged for rejit\n"));
    }

    #[test]
    fn disabling_drops_pending_lines() {
        let logger = Logger::new();
        logger.log(Level::Error, format_args!("lost"));
        logger.disable();
        logger.log(Level::Error, format_args!("lost too"));
        assert!(logger.destination_decided());
        assert!(!logger.is_enabled(Level::Error));
    }
}
