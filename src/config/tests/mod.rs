//! Ports of the original's ConfigurationTest, ShouldInstrumentTest,
//! ConfigOverrideTest, StringsTest and IgnoreInstrumentationTest cases
//! (reference-profiler §10.2), plus our own cases for the log texts, the
//! loader and the edge cases the originals do not cover.

mod configuration;
mod filter;
mod loader;
mod misc;
mod pools;
mod should_instrument;

use super::process_filter::{should_instrument_with_messages, ProcessFacts};
use super::{Configuration, LogMessage};
use crate::log::Level;
use crate::runtime::RuntimeKind;
use crate::system::env::Env;
use crate::system::mock::MockSystem;

/// The original tests' `_missingConfig` / `_missingAgentEnabledConfigPair`:
/// no local file.
const NO_LOCAL: Option<&str> = None;

fn core_env(sys: &MockSystem) -> Env<'_> {
    Env::new(sys, RuntimeKind::Core)
}

/// Builds a configuration the way the original's XML constructor does.
fn parse(global: &str, local: Option<&str>, app_config: &str, sys: &MockSystem) -> Configuration {
    let (result, _) =
        Configuration::from_xml_with_messages(global, local, app_config, &core_env(sys));
    result.expect("configuration parses")
}

/// `ShouldInstrument(process, parent, appPool, commandLine, isCore)`.
fn instrument(
    config: &Configuration,
    sys: &MockSystem,
    process: &str,
    parent: &str,
    pool: &str,
    command_line: &str,
    is_core: bool,
) -> bool {
    instrument_logged(config, sys, process, parent, pool, command_line, is_core).0
}

fn instrument_logged(
    config: &Configuration,
    sys: &MockSystem,
    process: &str,
    parent: &str,
    pool: &str,
    command_line: &str,
    is_core: bool,
) -> (bool, Vec<LogMessage>) {
    let facts = ProcessFacts {
        process_path: process.to_string(),
        parent_process_path: parent.to_string(),
        app_pool_id: pool.to_string(),
        command_line: command_line.to_string(),
    };
    let runtime = if is_core {
        RuntimeKind::Core
    } else {
        RuntimeKind::Framework
    };
    should_instrument_with_messages(config, &facts, runtime, &core_env(sys))
}

/// The texts at `level`, in order.
fn texts(messages: &[LogMessage], level: Level) -> Vec<String> {
    messages
        .iter()
        .filter(|m| m.level == level)
        .map(|m| m.text.clone())
        .collect()
}

fn set<const N: usize>(items: [&str; N]) -> std::collections::BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}
