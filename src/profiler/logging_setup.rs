//! Applying the logging settings and opening the destination (§2.1 steps
//! 4–5, §3). Lines logged before this point were kept by the logger and are
//! written now (see docs/compatibility.md).

use crate::log::location::prepare_log_file;
use crate::log::{self, Level, LogSettings};
use crate::system::env::Env;
use crate::system::SystemCalls;
use std::fs::{File, OpenOptions};

/// Applies `settings`, writes the level lines the original writes, and opens
/// the file (or console, or nothing). Returns the log file path when one was
/// opened. Any failure to create the directory or open the file disables
/// logging for the rest of the process; the profiler keeps running (§3.5).
pub fn start_logging(
    sys: &dyn SystemCalls,
    env: &Env<'_>,
    settings: LogSettings,
) -> Option<String> {
    let logger = log::global();
    logger.apply_settings(settings);
    log_settings_lines(settings);
    if !settings.enabled {
        logger.disable();
        return None;
    }
    if settings.console {
        logger.use_console();
        return None;
    }
    match prepare_log_file(env, sys).and_then(|path| open_truncated(&path).map(|file| (path, file)))
    {
        Ok((path, file)) => {
            logger.open_file(file);
            crate::log_info!("Logger initialized.");
            Some(path)
        }
        Err(_) => {
            logger.disable();
            None
        }
    }
}

/// The lines the original writes whenever it applies logging settings
/// (start-up and `ReloadConfiguration`), in its order: the level actually
/// in force (the clamped one, as `GetLevel()` answers), the console Warn —
/// written whenever console logging is on, whatever the level, since the
/// original's "console restricts the level" test is the console flag alone
/// (reference runs `console` and `console-dbg`) — the Azure Function Warn
/// when that mode clamps the level, then `Console logging enabled`.
pub fn log_settings_lines(settings: LogSettings) {
    if !settings.enabled {
        return;
    }
    let effective = settings.effective_level();
    crate::log_info!("<-- New logging level set: {}", effective.tag());
    if settings.console {
        crate::log_warn!(
            "Logging level has been clamped to {}. Console logging at DEBUG or TRACE level incurs a very large performance hit.",
            effective.tag()
        );
    }
    let azure_clamps = settings.azure_function_mode
        && !settings.azure_function_log_level_override
        && settings.level < Level::Info;
    if azure_clamps {
        crate::log_warn!(
            "Logging level has been clamped to {}. TRACE level logging is not supported in Azure Function mode.",
            effective.tag()
        );
    }
    if settings.console {
        crate::log_info!("Console logging enabled");
    }
}

/// For an export called while no profiler is initialised in this copy of
/// the library (the runtime never attached it, or detached and unloaded it):
/// if logging was never set up here, open the log with the environment-only
/// settings, *appending* — after a detach the first copy's file for this
/// pid must not be truncated — so the export's error line is not lost.
pub fn ensure_logging_without_profiler(sys: &dyn SystemCalls) {
    let logger = log::global();
    if logger.destination_decided() {
        return;
    }
    let runtime = if cfg!(windows) {
        crate::runtime::RuntimeKind::Framework
    } else {
        crate::runtime::RuntimeKind::Core
    };
    let env = Env::new(sys, runtime);
    let settings = fallback_settings(&env);
    logger.apply_settings(settings);
    if !settings.enabled {
        logger.disable();
    } else if settings.console {
        logger.use_console();
    } else {
        match prepare_log_file(&env, sys)
            .and_then(|path| OpenOptions::new().create(true).append(true).open(path))
        {
            Ok(file) => logger.open_file(file),
            Err(_) => logger.disable(),
        }
    }
}

/// No append, no rotation: a reused pid overwrites its old file (§3.1).
fn open_truncated(path: &str) -> std::io::Result<File> {
    OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(path)
}

/// Settings when the configuration could not be read: the defaults with the
/// environment overrides, so the failure itself can still be logged.
pub fn fallback_settings(env: &Env<'_>) -> LogSettings {
    let mut settings = LogSettings::default();
    if let Some(level) = env.log_level().as_deref().and_then(Level::from_config_word) {
        settings.level = level;
    }
    settings.enabled = env.bool_or(crate::system::env::LOG_ENABLED, true);
    settings.console = env.bool_or(crate::system::env::LOG_CONSOLE, false);
    settings.azure_function_mode = env.is_azure_function();
    settings.azure_function_log_level_override = env.azure_function_log_level_override();
    settings
}
