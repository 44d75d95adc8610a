//! Per-process file logging in the reference format (reference-profiler §3).
//!
//! Use the macros (`log_info!`, …): they check the level with one atomic
//! load before formatting, so disabled levels cost next to nothing on the
//! JIT hot path.

mod level;
pub mod location;
mod logger;
pub mod sanitize;

pub use level::Level;
pub use logger::{format_line, LogSettings, Logger};

use once_cell::sync::Lazy;

static GLOBAL: Lazy<Logger> = Lazy::new(Logger::new);

/// The process-wide logger.
pub fn global() -> &'static Logger {
    &GLOBAL
}

#[macro_export]
macro_rules! log_at {
    ($level:expr, $($arg:tt)+) => {{
        let logger = $crate::log::global();
        if logger.is_enabled($level) {
            logger.log($level, format_args!($($arg)+));
        }
    }};
}

#[macro_export]
macro_rules! log_trace { ($($arg:tt)+) => { $crate::log_at!($crate::log::Level::Trace, $($arg)+) }; }
#[macro_export]
macro_rules! log_debug { ($($arg:tt)+) => { $crate::log_at!($crate::log::Level::Debug, $($arg)+) }; }
#[macro_export]
macro_rules! log_info { ($($arg:tt)+) => { $crate::log_at!($crate::log::Level::Info, $($arg)+) }; }
#[macro_export]
macro_rules! log_warn { ($($arg:tt)+) => { $crate::log_at!($crate::log::Level::Warn, $($arg)+) }; }
#[macro_export]
macro_rules! log_error { ($($arg:tt)+) => { $crate::log_at!($crate::log::Level::Error, $($arg)+) }; }
