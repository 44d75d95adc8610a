//! Target `newrelic_config`: the configuration loader as `Initialize` runs
//! it (home from the environment, `<home>/newrelic.config`, the local
//! `newrelic.config`, `<process path>.config`), then the logger settings
//! and the process filter that consume the result.
//!
//! Input: one flags byte, then up to three documents separated by `0xFF`
//! (a byte valid UTF-8 never contains, so real files concatenate
//! losslessly): global, local, app.config. The flags choose which files
//! exist, the runtime and path style, and which environment overrides are
//! set.
//!
//! Invariant: the loader's result equals `Configuration::from_xml` on the
//! same decoded texts (reading and parsing are separable).

use NewRelicProfiler::config::loader;
use NewRelicProfiler::config::newrelic_config::Configuration;
use NewRelicProfiler::config::process_filter;
use NewRelicProfiler::runtime::RuntimeKind;
use NewRelicProfiler::system::env::Env;
use NewRelicProfiler::system::{decode_utf8_text, PathStyle, SystemCalls};

use super::fake_system::FakeSystem;

/// The document separator in the input.
pub const SEPARATOR: u8 = 0xFF;

pub fn run(data: &[u8]) {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let mut parts = rest.split(|&b| b == SEPARATOR);
    let global = parts.next().unwrap_or_default();
    let local = parts.next();
    let app_config = parts.next();

    let bit = |n: u8| flags & (1 << n) != 0;
    let style = if bit(0) {
        PathStyle::Windows
    } else {
        PathStyle::Unix
    };
    let runtime = if bit(1) {
        RuntimeKind::Framework
    } else {
        RuntimeKind::Core
    };
    let mut sys = FakeSystem::new(style);
    let home = match style {
        PathStyle::Unix => "/agent",
        PathStyle::Windows => r"C:\agent",
    };
    let (home_variable, _) = runtime.home_variables();
    sys.env.insert(home_variable.to_string(), home.to_string());
    if bit(2) {
        sys.env
            .insert("NEW_RELIC_LOG_LEVEL".into(), "finest".into());
    }
    if bit(3) {
        sys.env.insert(
            "NEW_RELIC_INCLUDED_APPLICATION_NAMES".into(),
            "App.exe,".into(),
        );
        sys.env
            .insert("NEW_RELIC_EXCLUDED_APPLICATION_NAMES".into(), String::new());
    }
    if bit(4) {
        sys.env
            .insert("APP_POOL_ID".into(), "DefaultAppPool".into());
    }
    if bit(5) {
        sys.env.insert("NEW_RELIC_LOG_CONSOLE".into(), "1".into());
    }
    // Bit 6 drops the global file: the "not found" path.
    if !bit(6) {
        sys.files
            .insert(style.join(home, "newrelic.config"), global.to_vec());
    }
    if let Some(local) = local {
        let path = style.join(&sys.process_directory(), "newrelic.config");
        sys.files.insert(path, local.to_vec());
    }
    if let Some(app_config) = app_config {
        let path = format!("{}.config", sys.process_path());
        sys.files.insert(path, app_config.to_vec());
    }

    let env = Env::new(&sys, runtime);
    let (loaded, _messages) = loader::load_with_messages(&sys, &env);
    if bit(6) {
        assert!(loaded.is_err(), "no global file must fail");
        return;
    }
    let local_text = local.map(decode_utf8_text);
    let app_text = app_config.map(decode_utf8_text).unwrap_or_default();
    let (direct, _) = Configuration::from_xml_with_messages(
        &decode_utf8_text(global),
        local_text.as_deref(),
        &app_text,
        &env,
    );
    match (&loaded, &direct) {
        (Ok(loaded), Ok(direct)) => {
            let mut loaded = loaded.clone();
            loaded.sources.clear();
            assert_eq!(&loaded, direct);
        }
        (Err(a), Err(b)) => assert_eq!(a, b),
        _ => panic!("loader and parser disagree: {loaded:?} vs {direct:?}"),
    }
    let Ok(configuration) = loaded else {
        return;
    };
    let _ = configuration.log_settings(&env);
    let _ = process_filter::evaluate_with_messages(&configuration, &sys, &env);
}
