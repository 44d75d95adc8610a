//! Finding and reading the configuration files (reference-profiler §2.3,
//! §9): the agent home, `<home>/newrelic.config`, the local
//! `<process directory>/newrelic.config` and `<process path>.config`, all
//! through [`SystemCalls`] and decoded as UTF-8 with or without a BOM.

use super::newrelic_config::Configuration;
use super::{emit, ConfigError, LogMessage, Messages};
use crate::system::env::Env;
use crate::system::{decode_utf8_text, SystemCalls};

/// The file name looked for in the home and the process directory.
pub const NEWRELIC_CONFIG: &str = "newrelic.config";

/// The texts of the three files, decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigFiles {
    /// The agent home the global file came from (environment or registry).
    pub home: String,
    /// `<home>/newrelic.config`.
    pub global: String,
    /// `<process directory>/newrelic.config`, when it exists and was read.
    pub local: Option<String>,
    /// `<process path>.config`; empty when it does not exist.
    pub app_config: String,
    /// The paths of the files actually read, in reading order.
    pub sources: Vec<String>,
}

/// Agent home: the runtime's home variables, then (Windows) the registry
/// value; neither → [`ConfigError::HomeNotFound`] (§2.2). Logs the error.
pub fn find_home(sys: &dyn SystemCalls, env: &Env<'_>) -> Result<String, ConfigError> {
    let mut messages = Messages::default();
    let result = find_home_collecting(sys, env, &mut messages);
    emit(&messages.into_vec());
    result
}

fn find_home_collecting(
    sys: &dyn SystemCalls,
    env: &Env<'_>,
    messages: &mut Messages,
) -> Result<String, ConfigError> {
    match env.home_path().or_else(|| sys.registry_home()) {
        Some(home) => Ok(home),
        None => fail(ConfigError::HomeNotFound, messages),
    }
}

/// Reads the three files and builds the [`Configuration`]; every line is
/// written to the global logger. This is `InitializeConfigAndSetLogLevel`'s
/// file part: an error means "detach".
pub fn load(sys: &dyn SystemCalls, env: &Env<'_>) -> Result<Configuration, ConfigError> {
    let (result, messages) = load_with_messages(sys, env);
    emit(&messages);
    result
}

/// [`load`] without logging; the lines come back in reference order.
pub fn load_with_messages(
    sys: &dyn SystemCalls,
    env: &Env<'_>,
) -> (Result<Configuration, ConfigError>, Vec<LogMessage>) {
    let (files, mut messages) = read_files_with_messages(sys, env);
    let files = match files {
        Ok(files) => files,
        Err(error) => return (Err(error), messages),
    };
    let (result, parse_messages) = Configuration::from_xml_with_messages(
        &files.global,
        files.local.as_deref(),
        &files.app_config,
        env,
    );
    messages.extend(parse_messages);
    let result = result.map(|mut configuration| {
        configuration.sources = files.sources;
        configuration
    });
    (result, messages)
}

/// Reads the three files; every line is written to the global logger.
pub fn read_files(sys: &dyn SystemCalls, env: &Env<'_>) -> Result<ConfigFiles, ConfigError> {
    let (result, messages) = read_files_with_messages(sys, env);
    emit(&messages);
    result
}

/// [`read_files`] without logging.
pub fn read_files_with_messages(
    sys: &dyn SystemCalls,
    env: &Env<'_>,
) -> (Result<ConfigFiles, ConfigError>, Vec<LogMessage>) {
    let mut messages = Messages::default();
    let result = read_files_collecting(sys, env, &mut messages);
    (result, messages.into_vec())
}

fn read_files_collecting(
    sys: &dyn SystemCalls,
    env: &Env<'_>,
    messages: &mut Messages,
) -> Result<ConfigFiles, ConfigError> {
    let style = sys.path_style();

    let home = find_home_collecting(sys, env, messages)?;
    let global_path = style.join(&home, NEWRELIC_CONFIG);
    if !sys.file_exists(&global_path) {
        return fail(ConfigError::GlobalConfigNotFound { home }, messages);
    }
    messages.info(format!("Found newrelic.config at: {global_path}"));
    let global = match read_text(sys, &global_path) {
        Ok(text) => text,
        Err(error) => return fail(error, messages),
    };
    let mut sources = vec![global_path];

    // A local file that cannot be read is only a warning (§2.3).
    let local_path = style.join(&sys.process_directory(), NEWRELIC_CONFIG);
    let local = if sys.file_exists(&local_path) {
        messages.info(format!("Found newrelic.config at: {local_path}"));
        match read_text(sys, &local_path) {
            Ok(text) => {
                sources.push(local_path);
                Some(text)
            }
            Err(_) => {
                messages.warn(
                    "There was an error reading the local newrelic.config file. Using the settings in the global newrelic.config file instead.",
                );
                None
            }
        }
    } else {
        None
    };

    let app_config_path = format!("{}.config", sys.process_path());
    let app_config = if sys.file_exists(&app_config_path) {
        match read_text(sys, &app_config_path) {
            Ok(text) => {
                sources.push(app_config_path);
                text
            }
            Err(error) => return fail(error, messages),
        }
    } else {
        String::new()
    };

    Ok(ConfigFiles {
        home,
        global,
        local,
        app_config,
        sources,
    })
}

fn read_text(sys: &dyn SystemCalls, path: &str) -> Result<String, ConfigError> {
    sys.read_file(path)
        .map(|bytes| decode_utf8_text(&bytes))
        .map_err(|error| ConfigError::Unreadable {
            path: path.to_string(),
            reason: error.to_string(),
        })
}

fn fail<T>(error: ConfigError, messages: &mut Messages) -> Result<T, ConfigError> {
    for line in error.log_lines() {
        messages.error(line);
    }
    Err(error)
}
