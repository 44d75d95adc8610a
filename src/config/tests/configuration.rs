//! ConfigurationTest: reading newrelic.config / app.config (§2.3, §3.3).

use super::*;
use crate::config::ConfigError;

const AGENT_DISABLED_XML: &str = r#"    <?xml version="1.0"?>    <configuration xmlns="urn:newrelic-config" agentEnabled="false"/>    "#;
const AGENT_ENABLED_XML: &str = r#"    <?xml version="1.0"?>    <configuration xmlns="urn:newrelic-config" agentEnabled="true"/>    "#;
const MISSING_AGENT_ENABLED_XML: &str = r#"    <?xml version="1.0"?>    <configuration/>    "#;
const NO_XML: &str = "";
/// `_agentDisabledPair` / `_agentEnabledPair`: a local file exists.
const LOCAL_DISABLED: Option<&str> = Some(AGENT_DISABLED_XML);
const LOCAL_ENABLED: Option<&str> = Some(AGENT_ENABLED_XML);
const LOCAL_MISSING_ATTRIBUTE: Option<&str> = Some(MISSING_AGENT_ENABLED_XML);

fn enabled(global: &str, local: Option<&str>) -> bool {
    parse(global, local, "", &MockSystem::new()).agent_enabled
}

const DEBUG_LOG_XML: &str = r#"    <?xml version="1.0"?>    <configuration>        <log level="deBug"/>    </configuration>    "#;

#[test]
fn agent_enabled() {
    let configuration = Configuration {
        agent_enabled: true,
        ..Configuration::default()
    };
    assert!(configuration.agent_enabled);
    assert!(Configuration::default().agent_enabled, "default is enabled");
}

#[test]
fn agent_disabled() {
    let configuration = Configuration {
        agent_enabled: false,
        ..Configuration::default()
    };
    assert!(!configuration.agent_enabled);
}

#[test]
fn log_level_info() {
    assert_eq!(Configuration::default().log_level, Level::Info);
}

#[test]
fn log_level_debug() {
    let configuration = Configuration {
        log_level: Level::Debug,
        ..Configuration::default()
    };
    assert_eq!(configuration.log_level, Level::Debug);
}

#[test]
fn global_xml_agent_enabled_missing_local_xml_agent_enabled_missing() {
    assert!(enabled(MISSING_AGENT_ENABLED_XML, LOCAL_MISSING_ATTRIBUTE));
}

#[test]
fn global_xml_agent_enabled_missing_local_xml_agent_enabled_true() {
    assert!(enabled(MISSING_AGENT_ENABLED_XML, LOCAL_ENABLED));
}

#[test]
fn global_xml_agent_enabled_missing_local_xml_agent_enabled_false() {
    assert!(!enabled(MISSING_AGENT_ENABLED_XML, LOCAL_DISABLED));
}

#[test]
fn global_xml_missing() {
    let sys = MockSystem::new();
    let (result, messages) =
        Configuration::from_xml_with_messages(NO_XML, LOCAL_DISABLED, "", &core_env(&sys));
    assert_eq!(result, Err(ConfigError::MissingConfigurationNode));
    assert_eq!(
        texts(&messages, Level::Error),
        vec!["Unable to locate configuration node in the global newrelic.config file."]
    );
}

#[test]
fn global_xml_agent_enabled_false_local_xml_agent_enabled_false() {
    assert!(!enabled(AGENT_DISABLED_XML, LOCAL_DISABLED));
}

#[test]
fn global_xml_agent_enabled_false_local_xml_agent_enabled_missing() {
    assert!(!enabled(AGENT_DISABLED_XML, LOCAL_MISSING_ATTRIBUTE));
}

#[test]
fn global_xml_agent_enabled_true_local_xml_agent_enabled_false() {
    assert!(!enabled(AGENT_ENABLED_XML, LOCAL_DISABLED));
}

#[test]
fn gloabal_xml_agent_enabled_true_local_xml_agent_enabled_true() {
    assert!(enabled(AGENT_ENABLED_XML, LOCAL_ENABLED));
}

#[test]
fn global_xml_agent_enabled_true_local_xml_agent_enabled_missing() {
    assert!(enabled(AGENT_ENABLED_XML, LOCAL_MISSING_ATTRIBUTE));
}

#[test]
fn global_xml_agent_enabled_false_local_xml_agent_enabled_true() {
    assert!(!enabled(AGENT_DISABLED_XML, LOCAL_ENABLED));
}

#[test]
fn global_xml_agent_enabled_true_local_xml_missing() {
    assert!(enabled(AGENT_ENABLED_XML, NO_LOCAL));
}

#[test]
fn global_xml_agent_enabled_false_local_xml_missing() {
    assert!(!enabled(AGENT_DISABLED_XML, NO_LOCAL));
}

#[test]
fn global_xml_agent_enabled_missing_local_xml_missing() {
    assert!(enabled(MISSING_AGENT_ENABLED_XML, NO_LOCAL));
}

#[test]
fn agent_enabled_values_compare_case_insensitively_with_true() {
    let xml = |v: &str| format!(r#"<configuration agentEnabled="{v}"/>"#);
    assert!(enabled(&xml("TRUE"), NO_LOCAL));
    assert!(enabled(&xml("tRuE"), NO_LOCAL));
    assert!(!enabled(&xml("1"), NO_LOCAL), "only the word true enables");
    assert!(!enabled(&xml(""), NO_LOCAL));
    assert!(!enabled(&xml("yes"), NO_LOCAL));
    assert!(enabled("<CONFIGURATION AGENTENABLED='true'/>", NO_LOCAL));
}

#[test]
fn agent_enabled_log_lines_only_with_a_usable_local_file() {
    let sys = MockSystem::new();
    let env = core_env(&sys);
    let (_, messages) =
        Configuration::from_xml_with_messages(AGENT_ENABLED_XML, LOCAL_DISABLED, "", &env);
    assert_eq!(
        texts(&messages, Level::Info),
        vec![
            "Global config agentEnabled=true",
            "Local config agentEnabled=false"
        ]
    );
    let (_, messages) = Configuration::from_xml_with_messages(
        AGENT_DISABLED_XML,
        LOCAL_MISSING_ATTRIBUTE,
        "",
        &env,
    );
    assert_eq!(
        texts(&messages, Level::Info),
        vec![
            "Global config agentEnabled=false",
            "Local config agentEnabled=true"
        ]
    );
    let (_, messages) =
        Configuration::from_xml_with_messages(AGENT_ENABLED_XML, NO_LOCAL, "", &env);
    assert!(messages.is_empty(), "{messages:?}");
}

#[test]
fn enabled_in_local_config_follows_the_local_attribute() {
    let sys = MockSystem::new();
    assert!(
        parse(AGENT_DISABLED_XML, LOCAL_MISSING_ATTRIBUTE, "", &sys).agent_enabled_in_local_config
    );
    assert!(parse(AGENT_ENABLED_XML, LOCAL_ENABLED, "", &sys).agent_enabled_in_local_config);
    assert!(!parse(AGENT_ENABLED_XML, LOCAL_DISABLED, "", &sys).agent_enabled_in_local_config);
    assert!(!parse(AGENT_ENABLED_XML, NO_LOCAL, "", &sys).agent_enabled_in_local_config);
}

#[test]
fn local_file_without_configuration_node_warns_and_uses_global() {
    let sys = MockSystem::new();
    let global = r#"<configuration agentEnabled="false"><log level="debug"/></configuration>"#;
    for local in [
        "",
        "<?xml version='1.0'?>",
        "<foo agentEnabled='true'><log level='error'/></foo>",
    ] {
        let (result, messages) =
            Configuration::from_xml_with_messages(global, Some(local), "", &core_env(&sys));
        let configuration = result.unwrap();
        assert!(!configuration.agent_enabled);
        assert!(!configuration.agent_enabled_in_local_config);
        assert_eq!(configuration.log_level, Level::Debug, "global node applied");
        assert_eq!(
            texts(&messages, Level::Warn),
            vec!["Unable to find the configuration node in local newrelic.config file. Defaulting to global version."]
        );
    }
}

#[test]
fn unparsable_local_file_warns_and_uses_global() {
    let sys = MockSystem::new();
    let global = r#"<configuration><log level="warn"/></configuration>"#;
    let local = r#"<configuration agentEnabled="false"><log level="debug"></configuration>"#;
    let (result, messages) =
        Configuration::from_xml_with_messages(global, Some(local), "", &core_env(&sys));
    let configuration = result.unwrap();
    assert!(configuration.agent_enabled);
    assert_eq!(configuration.log_level, Level::Warn);
    assert_eq!(
        texts(&messages, Level::Warn),
        vec!["Unable to parse local newrelic.config. Defaulting to global version."]
    );
}

#[test]
fn local_file_replaces_global_for_every_key_but_agent_enabled() {
    let sys = MockSystem::new();
    let global = r#"<configuration agentEnabled="true">
        <log level="debug" console="true"/>
        <instrumentation>
          <rules><ignore assemblyName="GlobalAssembly"/></rules>
          <applications><application name="global.exe"/></applications>
        </instrumentation>
        <applicationPools><defaultBehavior instrument="false"/></applicationPools>
      </configuration>"#;
    let local = r#"<configuration><log level="error"/></configuration>"#;
    let configuration = parse(global, Some(local), "", &sys);
    assert_eq!(configuration.log_level, Level::Error);
    assert!(!configuration.console_logging, "no per-key merge");
    assert!(configuration.ignore_list.is_empty());
    assert!(configuration.included_processes.is_empty());
    assert!(configuration.application_pools.enabled_by_default);
    let global_only = parse(global, NO_LOCAL, "", &sys);
    assert_eq!(global_only.log_level, Level::Debug);
    assert!(global_only.console_logging);
    assert_eq!(global_only.ignore_list.len(), 1);
    assert_eq!(global_only.included_processes, set(["global.exe"]));
    assert!(!global_only.application_pools.enabled_by_default);
}

#[test]
fn exception_on_missing_configuration_node() {
    let sys = MockSystem::new();
    let (result, _) = Configuration::from_xml_with_messages(
        r#"<?xml version="1.0"?><foo/>"#,
        NO_LOCAL,
        "",
        &core_env(&sys),
    );
    assert_eq!(result, Err(ConfigError::MissingConfigurationNode));
}

/// Reference runs `brk` and `live-reload`: a `newrelic.config` cut inside
/// its root start tag is a parse error with RapidXML's reason, not a
/// missing `configuration` node (which tells the operator the wrong
/// problem); a file with no element at all still is one.
#[test]
fn global_xml_cut_inside_the_root_start_tag_is_a_parse_error() {
    let sys = MockSystem::new();
    for cut in [
        "<configuration",
        "<?xml version=\"1.0\"?>\n<configuration agentEnabled=\"true\"",
    ] {
        let (result, messages) =
            Configuration::from_xml_with_messages(cut, LOCAL_DISABLED, "", &core_env(&sys));
        assert_eq!(
            result,
            Err(ConfigError::MainConfigParse {
                what: "expected >".to_string(),
                at: String::new()
            }),
            "{cut:?}"
        );
        assert_eq!(
            texts(&messages, Level::Error),
            vec![
                "Exception thrown while attempting to parse main newrelic.config file: expected >",
                "Exception thrown at "
            ]
        );
    }
    let (result, _) =
        Configuration::from_xml_with_messages("<!-- c -->", LOCAL_DISABLED, "", &core_env(&sys));
    assert_eq!(result, Err(ConfigError::MissingConfigurationNode));
}

#[test]
fn global_parse_error_logs_what_and_where() {
    let sys = MockSystem::new();
    let global = "<configuration>\n  <log level=\"debug\">\n</configuration>";
    let (result, messages) =
        Configuration::from_xml_with_messages(global, LOCAL_ENABLED, "", &core_env(&sys));
    let Err(ConfigError::MainConfigParse { what, at }) = result else {
        panic!("expected a parse error, got {result:?}");
    };
    let errors = texts(&messages, Level::Error);
    assert_eq!(errors.len(), 2);
    assert_eq!(
        errors[0],
        format!("Exception thrown while attempting to parse main newrelic.config file: {what}")
    );
    assert_eq!(errors[1], format!("Exception thrown at {at}"));
    assert!(at.contains("</configuration>"), "{at:?}");
    assert!(
        texts(&messages, Level::Info).is_empty(),
        "the local file is not read"
    );
}

#[test]
fn log_level_debug_from_xml() {
    let configuration = parse(DEBUG_LOG_XML, NO_LOCAL, "", &MockSystem::new());
    assert_eq!(configuration.log_level, Level::Debug);
}

#[test]
fn log_level_from_environment_over_xml() {
    let sys = MockSystem::new().with_env("NEW_RELIC_LOG_LEVEL", "FiNeSt");
    assert_eq!(
        parse(DEBUG_LOG_XML, NO_LOCAL, "", &sys).log_level,
        Level::Trace
    );
    let sys = MockSystem::new().with_env("NEWRELIC_LOG_LEVEL", "error");
    assert_eq!(
        parse(DEBUG_LOG_XML, NO_LOCAL, "", &sys).log_level,
        Level::Error,
        "legacy name"
    );
    let sys = MockSystem::new()
        .with_env("NEW_RELIC_LOG_LEVEL", "warn")
        .with_env("NEWRELIC_LOG_LEVEL", "error");
    assert_eq!(
        parse(DEBUG_LOG_XML, NO_LOCAL, "", &sys).log_level,
        Level::Warn,
        "new over old"
    );
}

#[test]
fn unrecognised_level_words_keep_info() {
    let xml = |level: &str| format!(r#"<configuration><log level="{level}"/></configuration>"#);
    let sys = MockSystem::new();
    assert_eq!(
        parse(&xml("trace"), NO_LOCAL, "", &sys).log_level,
        Level::Info
    );
    assert_eq!(parse(&xml(""), NO_LOCAL, "", &sys).log_level, Level::Info);
    assert_eq!(
        parse(&xml("off"), NO_LOCAL, "", &sys).log_level,
        Level::Error
    );
    let sys = MockSystem::new().with_env("NEW_RELIC_LOG_LEVEL", "trace");
    assert_eq!(
        parse(DEBUG_LOG_XML, NO_LOCAL, "", &sys).log_level,
        Level::Info,
        "an unknown environment word does not fall back to the config level"
    );
}

#[test]
fn log_console_and_enabled_attributes() {
    let sys = MockSystem::new();
    let xml = r#"<configuration><Log Console="TRUE" Enabled="false"/></configuration>"#;
    let configuration = parse(xml, NO_LOCAL, "", &sys);
    assert!(configuration.console_logging);
    assert!(!configuration.logging_enabled);
    let xml = r#"<configuration><log console="yes" enabled="junk"/></configuration>"#;
    let configuration = parse(xml, NO_LOCAL, "", &sys);
    assert!(!configuration.console_logging, "only true enables console");
    assert!(!configuration.logging_enabled, "anything but true disables");
    let configuration = parse("<configuration><log/></configuration>", NO_LOCAL, "", &sys);
    assert!(!configuration.console_logging);
    assert!(configuration.logging_enabled);
}

#[test]
fn log_level_variable_hides_console_and_enabled_attributes() {
    // QUIRK §3.3: with the level variable present the <log> element is not read.
    let xml =
        r#"<configuration><log level="debug" console="true" enabled="false"/></configuration>"#;
    let sys = MockSystem::new().with_env("NEW_RELIC_LOG_LEVEL", "info");
    let configuration = parse(xml, NO_LOCAL, "", &sys);
    assert!(!configuration.console_logging);
    assert!(configuration.logging_enabled);
    let env = core_env(&sys);
    let settings = configuration.log_settings(&env);
    assert!(!settings.console && settings.enabled);
    // The bool variables still apply.
    let sys = MockSystem::new()
        .with_env("NEW_RELIC_LOG_LEVEL", "info")
        .with_env("NEW_RELIC_LOG_CONSOLE", "1");
    let settings = parse(xml, NO_LOCAL, "", &sys).log_settings(&core_env(&sys));
    assert!(settings.console);
}

#[test]
fn log_settings_combine_config_and_environment() {
    let xml =
        r#"<configuration><log level="finest" console="true" enabled="true"/></configuration>"#;
    let sys = MockSystem::new();
    let settings = parse(xml, NO_LOCAL, "", &sys).log_settings(&core_env(&sys));
    assert_eq!(settings.level, Level::Trace);
    assert!(settings.console && settings.enabled);
    assert!(!settings.azure_function_mode && !settings.azure_function_log_level_override);
    let sys = MockSystem::new()
        .with_env("NEW_RELIC_LOG_CONSOLE", "false")
        .with_env("NEW_RELIC_LOG_ENABLED", "0")
        .with_env("FUNCTIONS_WORKER_RUNTIME", "dotnet-isolated")
        .with_env("NEW_RELIC_AZURE_FUNCTION_LOG_LEVEL_OVERRIDE", "true");
    let settings = parse(xml, NO_LOCAL, "", &sys).log_settings(&core_env(&sys));
    assert!(!settings.console && !settings.enabled);
    assert!(settings.azure_function_mode && settings.azure_function_log_level_override);
    let sys = MockSystem::new().with_env("NEW_RELIC_LOG_ENABLED", "*invalid*");
    let settings = parse(xml, NO_LOCAL, "", &sys).log_settings(&core_env(&sys));
    assert!(settings.enabled, "invalid value keeps the config value");
}

#[test]
fn application_lists_from_xml() {
    let xml = r#"<configuration><instrumentation><applications>
        <application name="a.exe"/>
        <application name="b.exe" include="TRUE"/>
        <application name="c.exe" include="False"/>
        <application name="d.exe" include="junk"/>
        <application include="false"/>
      </applications></instrumentation></configuration>"#;
    let configuration = parse(xml, NO_LOCAL, "", &MockSystem::new());
    assert_eq!(
        configuration.included_processes,
        set(["a.exe", "b.exe", "d.exe"])
    );
    assert_eq!(configuration.excluded_processes, set(["c.exe"]));
}

#[test]
fn environment_lists_replace_config_lists_even_when_empty() {
    let xml = r#"<configuration><instrumentation><applications>
        <application name="a.exe"/><application name="c.exe" include="false"/>
      </applications></instrumentation></configuration>"#;
    let sys = MockSystem::new()
        .with_env("NEW_RELIC_INCLUDED_APPLICATION_NAMES", "")
        .with_env("NEW_RELIC_EXCLUDED_APPLICATION_NAMES", "x.exe,,y.exe,");
    let configuration = parse(xml, NO_LOCAL, "", &sys);
    assert!(configuration.included_processes.is_empty());
    assert_eq!(
        configuration.excluded_processes,
        set(["x.exe", "", "y.exe"])
    );
    let sys = MockSystem::new().with_env("NEW_RELIC_INCLUDED_APPLICATION_NAMES", "p.exe");
    let configuration = parse(xml, NO_LOCAL, "", &sys);
    assert_eq!(configuration.included_processes, set(["p.exe"]));
    assert_eq!(
        configuration.excluded_processes,
        set(["c.exe"]),
        "only the included list replaced"
    );
}

#[test]
fn application_pools_from_xml_with_missing_attribute_warnings() {
    let xml = r#"<configuration><applicationPools>
        <defaultBehavior instrument="FALSE"/>
        <applicationPool name="allowed" instrument="true"/>
        <applicationPool name="denied" instrument="no"/>
        <applicationPool instrument="true"/>
        <applicationPool name="incomplete"/>
      </applicationPools></configuration>"#;
    let sys = MockSystem::new();
    let (result, messages) =
        Configuration::from_xml_with_messages(xml, NO_LOCAL, "", &core_env(&sys));
    let pools = result.unwrap().application_pools;
    assert!(!pools.enabled_by_default);
    assert_eq!(pools.allow, set(["allowed"]));
    assert_eq!(pools.deny, set(["denied"]));
    assert_eq!(
        texts(&messages, Level::Warn),
        vec![
            "ApplicationPool element in configuration file is missing the 'name' attribute.",
            "ApplicationPool element in configuration file is missing the 'instrument' attribute.",
        ]
    );
    let xml =
        r#"<configuration><applicationPools><defaultBehavior/></applicationPools></configuration>"#;
    assert!(
        parse(xml, NO_LOCAL, "", &sys)
            .application_pools
            .enabled_by_default
    );
}

const APP_CONFIG_TRUE: &str = r#"    <?xml version='1.0' encoding='utf-8'?>    <configuration>        <appSettings>            <add key='NewRelic.AgentEnabled' value='true'/>        </appSettings>    </configuration>    "#;

#[test]
fn app_config_flag_values() {
    let sys = MockSystem::new();
    let flag =
        |app: &str| parse(MISSING_AGENT_ENABLED_XML, NO_LOCAL, app, &sys).app_config_agent_enabled;
    assert_eq!(flag(APP_CONFIG_TRUE), Some(true));
    assert_eq!(flag(""), None);
    assert_eq!(flag("<configuration><appSettings/></configuration>"), None);
    assert_eq!(flag("<configuration/>"), None);
    assert_eq!(
        flag("<other/>"),
        None,
        "no configuration root: nothing set (original crashes)"
    );
    assert_eq!(flag("   "), None);
    let add = |attrs: &str| {
        format!("<configuration><appSettings><add {attrs}/></appSettings></configuration>")
    };
    assert_eq!(
        flag(&add("key='NewRelic.AgentEnabled' value='junk'")),
        Some(false)
    );
    assert_eq!(
        flag(&add("key='NewRelic.AgentEnabled'")),
        Some(false),
        "missing value"
    );
    assert_eq!(
        flag(&add("KEY='newrelic.agentenabled' VALUE='TRUE'")),
        Some(true)
    );
    assert_eq!(flag(&add("key='Other' value='true'")), None);
    assert_eq!(flag(&add("value='true'")), None);
    let two = "<configuration><appSettings><add key='NewRelic.AgentEnabled' value='true'/>\
               <add key='NewRelic.AgentEnabled' value='false'/></appSettings></configuration>";
    assert_eq!(flag(two), Some(true), "a true entry is never reset");
}

#[test]
fn app_config_parse_error_is_fatal_with_reference_text() {
    let sys = MockSystem::new();
    let (result, messages) = Configuration::from_xml_with_messages(
        AGENT_ENABLED_XML,
        NO_LOCAL,
        "<configuration><appSettings></configuration>",
        &core_env(&sys),
    );
    let Err(ConfigError::AppConfigParse { what, at }) = result else {
        panic!("expected an app.config parse error, got {result:?}");
    };
    assert_eq!(
        texts(&messages, Level::Error),
        vec![
            format!("Exception thrown while attempting to parse app-specific config file: {what}"),
            format!("Exception thrown at {at}"),
        ]
    );
}

#[test]
fn ignore_rules_from_xml() {
    let xml = r#"<configuration><instrumentation><rules>
        <ignore assemblyName="A" className="A.B"/>
        <IGNORE ASSEMBLYNAME="C"/>
        <ignore className="OnlyClass"/>
        <ignore assemblyName="D" className=""/>
      </rules></instrumentation></configuration>"#;
    let list = parse(xml, NO_LOCAL, "", &MockSystem::new()).ignore_list;
    assert_eq!(list.len(), 3);
    assert!(list.matches("a", "a.b"));
    assert!(!list.matches("a", "a.c"));
    assert!(list.matches("C", "anything"));
    assert!(
        list.matches("D", "anything"),
        "empty className acts as assembly-wide"
    );
    assert!(!list.matches("", "OnlyClass"));
}
