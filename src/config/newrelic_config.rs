//! `newrelic.config` (global and local) and `app.config`, read exactly as
//! reference-profiler §2.3 lists: `agentEnabled`, `<log>`, the ignore
//! rules, the application include/exclude lists, the application pools and
//! the app.config `NewRelic.AgentEnabled` flag. Nothing else in the files is
//! read (the managed agent owns the rest).

use super::ignore::{IgnoreList, IgnoreRule};
use super::xml;
use super::{emit, ConfigError, LogMessage, Messages};
use crate::log::{Level, LogSettings};
use crate::system::env::{Env, LOG_CONSOLE, LOG_ENABLED};
use crate::system::strings::eq_ignore_case;
use roxmltree::Node;
use std::collections::BTreeSet;

/// `configuration/applicationPools` (§2.3, §2.5 step 5). The lists compare
/// ids exactly (the original keeps them in a `std::set`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApplicationPools {
    /// `applicationPool instrument="true"`.
    pub allow: BTreeSet<String>,
    /// `applicationPool` with any other `instrument` value.
    pub deny: BTreeSet<String>,
    /// `defaultBehavior instrument` is `true` (or absent).
    pub enabled_by_default: bool,
}

impl Default for ApplicationPools {
    fn default() -> Self {
        ApplicationPools {
            allow: BTreeSet::new(),
            deny: BTreeSet::new(),
            enabled_by_default: true,
        }
    }
}

/// What the profiler takes from its configuration files. `Default` is the
/// original's direct constructor defaults (enabled, INFO, empty lists,
/// pools enabled by default, no app.config flag).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Configuration {
    /// Global `agentEnabled`, AND-ed with the local one when a local file
    /// has a `configuration` node (an absent attribute counts as true).
    pub agent_enabled: bool,
    /// The local file has a `configuration` node whose `agentEnabled` is
    /// absent or true: the Framework filter's last "include" rule.
    pub agent_enabled_in_local_config: bool,
    /// `NEW_RELIC_LOG_LEVEL`/`NEWRELIC_LOG_LEVEL`, else `<log level>`, else
    /// INFO; unrecognised words keep INFO (§3.3).
    pub log_level: Level,
    /// `<log console>` of the applied node (environment override applied
    /// in [`Configuration::log_settings`]).
    pub console_logging: bool,
    /// `<log enabled>` of the applied node (same).
    pub logging_enabled: bool,
    /// `instrumentation/rules/ignore` of the applied node.
    pub ignore_list: IgnoreList,
    /// Process names whose path *ends with* one of these are instrumented
    /// on Framework. `NEW_RELIC_INCLUDED_APPLICATION_NAMES` replaces them.
    pub included_processes: BTreeSet<String>,
    /// Process basenames never instrumented (both runtimes).
    /// `NEW_RELIC_EXCLUDED_APPLICATION_NAMES` replaces them.
    pub excluded_processes: BTreeSet<String>,
    pub application_pools: ApplicationPools,
    /// app.config `NewRelic.AgentEnabled`: `None` when no such key,
    /// `Some(true)` when any such entry has `value="true"`, else
    /// `Some(false)`.
    pub app_config_agent_enabled: Option<bool>,
    /// The files this configuration was read from, in reading order (global,
    /// local, app.config); empty when built from text. Reported by the
    /// validation `initialize` event (docs/validation.md).
    pub sources: Vec<String>,
}

impl Default for Configuration {
    fn default() -> Self {
        Configuration {
            agent_enabled: true,
            agent_enabled_in_local_config: false,
            log_level: Level::Info,
            console_logging: false,
            logging_enabled: true,
            ignore_list: IgnoreList::default(),
            sources: Vec::new(),
            included_processes: BTreeSet::new(),
            excluded_processes: BTreeSet::new(),
            application_pools: ApplicationPools::default(),
            app_config_agent_enabled: None,
        }
    }
}

/// The word the original compares configuration flags with.
const TRUE: &str = "true";

impl Configuration {
    /// Builds the configuration from the file texts (already decoded) and
    /// writes its log lines — including the Error lines of a failure — to
    /// the global logger. `local` is `None` when there is no local
    /// `newrelic.config`; `app_config` is empty when there is no app.config.
    pub fn from_xml(
        global: &str,
        local: Option<&str>,
        app_config: &str,
        env: &Env<'_>,
    ) -> Result<Configuration, ConfigError> {
        let (result, messages) =
            Configuration::from_xml_with_messages(global, local, app_config, env);
        emit(&messages);
        result
    }

    /// [`Configuration::from_xml`] without logging: the lines are returned
    /// in the order the reference writes them (a failure's Error lines
    /// last).
    pub fn from_xml_with_messages(
        global: &str,
        local: Option<&str>,
        app_config: &str,
        env: &Env<'_>,
    ) -> (Result<Configuration, ConfigError>, Vec<LogMessage>) {
        let mut messages = Messages::default();
        let mut configuration = Configuration::default();
        let mut result = configuration.read_newrelic_config(global, local, env, &mut messages);
        if result.is_ok() {
            result = configuration.read_app_config(app_config);
        }
        let result = match result {
            Ok(()) => Ok(configuration),
            Err(error) => {
                for line in error.log_lines() {
                    messages.error(line);
                }
                Err(error)
            }
        };
        (result, messages.into_vec())
    }

    /// The logger settings: this configuration's level, `console` and
    /// `enabled` overridden by `NEW_RELIC_LOG_CONSOLE` / `NEW_RELIC_LOG_ENABLED`
    /// when those are valid booleans, and Azure Function mode from
    /// `FUNCTIONS_WORKER_RUNTIME` and its override variable (§2.2, §3.3).
    pub fn log_settings(&self, env: &Env<'_>) -> LogSettings {
        LogSettings {
            level: self.log_level,
            console: env.bool_or(LOG_CONSOLE, self.console_logging),
            enabled: env.bool_or(LOG_ENABLED, self.logging_enabled),
            azure_function_mode: env.is_azure_function(),
            azure_function_log_level_override: env.azure_function_log_level_override(),
        }
    }

    /// The global file must parse and have a `configuration` root; a local
    /// file that does not parse or lacks one only warns and the global one
    /// applies. The applied node (local if usable, else global) supplies
    /// every key except `agentEnabled`.
    fn read_newrelic_config(
        &mut self,
        global: &str,
        local: Option<&str>,
        env: &Env<'_>,
        messages: &mut Messages,
    ) -> Result<(), ConfigError> {
        let global_document = xml::parse(global).map_err(|e| ConfigError::MainConfigParse {
            what: e.what,
            at: e.remainder,
        })?;
        let global_node = global_document
            .as_ref()
            .and_then(|document| xml::root_element_named(document, "configuration"))
            .ok_or(ConfigError::MissingConfigurationNode)?;

        let local_document = local.map(xml::parse);
        let mut applied = global_node;
        match &local_document {
            None => self.set_agent_enabled_from_global(global_node),
            Some(Err(_)) => {
                messages
                    .warn("Unable to parse local newrelic.config. Defaulting to global version.");
                self.set_agent_enabled_from_global(global_node);
            }
            Some(Ok(document)) => {
                let local_node = document
                    .as_ref()
                    .and_then(|document| xml::root_element_named(document, "configuration"));
                match local_node {
                    None => {
                        messages.warn(
                            "Unable to find the configuration node in local newrelic.config file. Defaulting to global version.",
                        );
                        self.set_agent_enabled_from_global(global_node);
                    }
                    Some(local_node) => {
                        self.set_agent_enabled_from_both(global_node, local_node, messages);
                        applied = local_node;
                    }
                }
            }
        }

        self.read_log(applied, env);
        let instrumentation = xml::first_child_named(applied, "instrumentation");
        self.read_ignore_list(instrumentation);
        self.read_application_lists(instrumentation, env);
        self.read_application_pools(applied, messages);
        Ok(())
    }

    /// Global only: an absent attribute leaves the default (true).
    fn set_agent_enabled_from_global(&mut self, global: Node<'_, '_>) {
        if let Some(value) = xml::attribute(global, "agentEnabled") {
            self.agent_enabled = eq_ignore_case(value, TRUE);
        }
    }

    /// Global and local: AND, absent counts as true, both values logged.
    fn set_agent_enabled_from_both(
        &mut self,
        global: Node<'_, '_>,
        local: Node<'_, '_>,
        messages: &mut Messages,
    ) {
        let enabled =
            |node| eq_ignore_case(xml::attribute(node, "agentEnabled").unwrap_or(TRUE), TRUE);
        let global_enabled = enabled(global);
        messages.info(format!("Global config agentEnabled={global_enabled}"));
        let local_enabled = enabled(local);
        messages.info(format!("Local config agentEnabled={local_enabled}"));
        self.agent_enabled = global_enabled && local_enabled;
        self.agent_enabled_in_local_config = local_enabled;
    }

    /// §3.3. QUIRK kept: when the level variable is present the `<log>`
    /// element is not looked at, so its `console` and `enabled` attributes
    /// are ignored too.
    fn read_log(&mut self, applied: Node<'_, '_>, env: &Env<'_>) {
        if let Some(word) = env.log_level() {
            self.log_level = Level::from_config_word(&word).unwrap_or(self.log_level);
            return;
        }
        let Some(log) = xml::first_child_named(applied, "log") else {
            return;
        };
        if let Some(console) = xml::attribute(log, "console") {
            self.console_logging = eq_ignore_case(console, TRUE);
        }
        if let Some(enabled) = xml::attribute(log, "enabled") {
            self.logging_enabled = eq_ignore_case(enabled, TRUE);
        }
        if let Some(level) = xml::attribute(log, "level") {
            self.log_level = Level::from_config_word(level).unwrap_or(self.log_level);
        }
    }

    /// §4.5: `ignore` needs `assemblyName`; class-only rules are dropped.
    fn read_ignore_list(&mut self, instrumentation: Option<Node<'_, '_>>) {
        let Some(rules) = instrumentation.and_then(|node| xml::first_child_named(node, "rules"))
        else {
            return;
        };
        for ignore in xml::children_named(rules, "ignore") {
            let Some(assembly) = xml::attribute(ignore, "assemblyName") else {
                continue;
            };
            let rule = match xml::attribute(ignore, "className") {
                Some(class) => IgnoreRule::class(assembly, class),
                None => IgnoreRule::assembly(assembly),
            };
            self.ignore_list.rules.push(rule);
        }
    }

    /// `applications/application name include`: `include="false"` excludes,
    /// anything else includes; an environment list, when present (even
    /// empty), replaces the corresponding config list.
    fn read_application_lists(&mut self, instrumentation: Option<Node<'_, '_>>, env: &Env<'_>) {
        let mut from_config_included = BTreeSet::new();
        let mut from_config_excluded = BTreeSet::new();
        let applications =
            instrumentation.and_then(|node| xml::first_child_named(node, "applications"));
        if let Some(applications) = applications {
            for application in xml::children_named(applications, "application") {
                let Some(name) = xml::attribute(application, "name") else {
                    continue;
                };
                let excluded = xml::attribute(application, "include")
                    .is_some_and(|v| eq_ignore_case(v, "false"));
                if excluded {
                    from_config_excluded.insert(name.to_string());
                } else {
                    from_config_included.insert(name.to_string());
                }
            }
        }
        self.included_processes = match env.included_application_names() {
            Some(names) => names.into_iter().collect(),
            None => from_config_included,
        };
        self.excluded_processes = match env.excluded_application_names() {
            Some(names) => names.into_iter().collect(),
            None => from_config_excluded,
        };
    }

    /// `applicationPools/defaultBehavior instrument` and
    /// `applicationPools/applicationPool name instrument`, with the
    /// reference warnings for missing attributes.
    fn read_application_pools(&mut self, applied: Node<'_, '_>, messages: &mut Messages) {
        let Some(pools) = xml::first_child_named(applied, "applicationPools") else {
            return;
        };
        if let Some(default) = xml::first_child_named(pools, "defaultBehavior") {
            if let Some(instrument) = xml::attribute(default, "instrument") {
                self.application_pools.enabled_by_default = eq_ignore_case(instrument, TRUE);
            }
        }
        for pool in xml::children_named(pools, "applicationPool") {
            let Some(name) = xml::attribute(pool, "name") else {
                messages.warn("ApplicationPool element in configuration file is missing the 'name' attribute.");
                continue;
            };
            let Some(instrument) = xml::attribute(pool, "instrument") else {
                messages.warn("ApplicationPool element in configuration file is missing the 'instrument' attribute.");
                continue;
            };
            if eq_ignore_case(instrument, TRUE) {
                self.application_pools.allow.insert(name.to_string());
            } else {
                self.application_pools.deny.insert(name.to_string());
            }
        }
    }

    /// `configuration/appSettings/add key="NewRelic.AgentEnabled" value`.
    /// An empty text means no app.config. A document without a
    /// `configuration` root sets nothing (the original dereferences a null
    /// node there; we choose not to crash).
    fn read_app_config(&mut self, app_config: &str) -> Result<(), ConfigError> {
        if app_config.is_empty() {
            return Ok(());
        }
        let document = xml::parse(app_config).map_err(|e| ConfigError::AppConfigParse {
            what: e.what,
            at: e.remainder,
        })?;
        let settings = document
            .as_ref()
            .and_then(|document| xml::root_element_named(document, "configuration"))
            .and_then(|configuration| xml::first_child_named(configuration, "appSettings"));
        let Some(settings) = settings else {
            return Ok(());
        };
        for add in xml::children_named(settings, "add") {
            let Some(key) = xml::attribute(add, "key") else {
                continue;
            };
            if !eq_ignore_case(key, "NewRelic.AgentEnabled") {
                continue;
            }
            let enabled =
                xml::attribute(add, "value").is_some_and(|value| eq_ignore_case(value, TRUE));
            self.app_config_agent_enabled =
                Some(self.app_config_agent_enabled == Some(true) || enabled);
        }
        Ok(())
    }
}
