//! The profiler's own configuration (reference-profiler §2.2, §2.3, §2.5,
//! §3.3, §4.5): `newrelic.config` (global and local), the application's
//! `app.config`, the environment overrides for logging, and the process
//! filter that decides whether this process is instrumented at all.
//!
//! Everything here is pure over [`crate::system::SystemCalls`] and
//! [`crate::system::env::Env`], so every rule is unit-tested with
//! `MockSystem`. Log lines are produced in the reference wording and order;
//! each public entry point has a `*_with_messages` twin that returns them
//! instead of writing them, for tests and for callers that want to defer.
//!
//! Entry points for `Initialize`:
//! * [`loader::load`] — find home, read the three files, build a
//!   [`Configuration`] (or a [`ConfigError`] → detach).
//! * [`Configuration::log_settings`] — level / console / enabled with the
//!   environment overrides, ready for the logger.
//! * [`process_filter::evaluate`] — the decision of §2.1 step 12: process
//!   facts, then [`process_filter::should_instrument`] (the caller keeps the
//!   force-profiling check and the step's own Trace/Info lines).

pub mod ignore;
pub mod instrumentation;
pub mod loader;
pub mod newrelic_config;
pub mod process_filter;
pub mod xml;
mod xml_cut;

#[cfg(test)]
mod tests;

pub use ignore::{IgnoreList, IgnoreRule};
pub use newrelic_config::{ApplicationPools, Configuration};

use crate::log::Level;

/// One log line the configuration code wants written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogMessage {
    pub level: Level,
    pub text: String,
}

/// Writes `messages` to the global logger, in order.
pub fn emit(messages: &[LogMessage]) {
    for message in messages {
        crate::log_at!(message.level, "{}", message.text);
    }
}

/// Collects log lines in order while a decision is being made.
#[derive(Debug, Default)]
pub(crate) struct Messages(Vec<LogMessage>);

impl Messages {
    pub(crate) fn push(&mut self, level: Level, text: impl Into<String>) {
        self.0.push(LogMessage {
            level,
            text: text.into(),
        });
    }

    pub(crate) fn trace(&mut self, text: impl Into<String>) {
        self.push(Level::Trace, text);
    }

    pub(crate) fn info(&mut self, text: impl Into<String>) {
        self.push(Level::Info, text);
    }

    pub(crate) fn warn(&mut self, text: impl Into<String>) {
        self.push(Level::Warn, text);
    }

    pub(crate) fn error(&mut self, text: impl Into<String>) {
        self.push(Level::Error, text);
    }

    pub(crate) fn into_vec(self) -> Vec<LogMessage> {
        self.0
    }
}

/// A configuration failure that makes the profiler detach (§2.1 step 4/6,
/// §2.3). Each variant's [`ConfigError::log_lines`] are the Error lines the
/// reference writes for it; the non-`_with_messages` entry points have
/// already written them to the global logger when they return this value.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// No home variable and no registry value.
    #[error("Unable to find New Relic Home directory in registry or environment.")]
    HomeNotFound,
    /// `<home>/newrelic.config` does not exist.
    #[error("The global newrelic.config file was not found at: {home}")]
    GlobalConfigNotFound { home: String },
    /// A config file exists but could not be read (the original throws into
    /// its catch-all without a specific line; this text is ours).
    #[error("Unable to read the configuration file {path}: {reason}")]
    Unreadable { path: String, reason: String },
    /// The global file has no `configuration` root element.
    #[error("Unable to locate configuration node in the global newrelic.config file.")]
    MissingConfigurationNode,
    /// The global `newrelic.config` is not well-formed XML.
    #[error("Exception thrown while attempting to parse main newrelic.config file: {what}")]
    MainConfigParse { what: String, at: String },
    /// The application's `<process path>.config` is not well-formed XML.
    #[error("Exception thrown while attempting to parse app-specific config file: {what}")]
    AppConfigParse { what: String, at: String },
}

impl ConfigError {
    /// The Error-level lines the reference logs for this failure, in order.
    pub fn log_lines(&self) -> Vec<String> {
        match self {
            ConfigError::MainConfigParse { at, .. } | ConfigError::AppConfigParse { at, .. } => {
                vec![self.to_string(), format!("Exception thrown at {at}")]
            }
            _ => vec![self.to_string()],
        }
    }
}
