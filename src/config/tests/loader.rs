//! Reading the files through `SystemCalls` (§2.3, §9) and the complete
//! step 12 of §2.1 (`process_filter::evaluate`).

use super::*;
use crate::config::loader::{find_home, load_with_messages, read_files_with_messages};
use crate::config::process_filter::{evaluate_with_messages, ProcessFacts};
use crate::config::ConfigError;
use crate::system::{PathStyle, SystemCalls};
use std::io;

const GLOBAL: &str = r#"<?xml version="1.0"?><configuration agentEnabled="true"><log level="debug"/></configuration>"#;

fn with_home(sys: MockSystem) -> MockSystem {
    sys.with_env("CORECLR_NEW_RELIC_HOME", "/nr")
        .with_file("/nr/newrelic.config", GLOBAL)
}

#[test]
fn home_comes_from_the_environment_then_the_registry() {
    let sys = MockSystem::new().with_env("CORECLR_NEWRELIC_HOME", "/legacy");
    assert_eq!(find_home(&sys, &core_env(&sys)), Ok("/legacy".to_string()));
    let mut sys = MockSystem::windows();
    sys.registry_home = Some(r"C:\Reg".to_string());
    assert_eq!(find_home(&sys, &core_env(&sys)), Ok(r"C:\Reg".to_string()));
    let sys = sys.with_env("CORECLR_NEW_RELIC_HOME", r"C:\Env");
    assert_eq!(find_home(&sys, &core_env(&sys)), Ok(r"C:\Env".to_string()));
    let framework = MockSystem::new().with_env("NEW_RELIC_HOME", "/fw");
    let env = Env::new(&framework, RuntimeKind::Framework);
    assert_eq!(find_home(&framework, &env), Ok("/fw".to_string()));
}

#[test]
fn missing_home_is_an_error() {
    let sys = MockSystem::new().with_env("NEW_RELIC_HOME", "/not-for-core");
    let (result, messages) = load_with_messages(&sys, &core_env(&sys));
    assert_eq!(result, Err(ConfigError::HomeNotFound));
    assert_eq!(
        texts(&messages, Level::Error),
        vec!["Unable to find New Relic Home directory in registry or environment."]
    );
}

#[test]
fn missing_global_file_is_an_error() {
    let sys = MockSystem::new().with_env("CORECLR_NEW_RELIC_HOME", "/nr");
    let (result, messages) = load_with_messages(&sys, &core_env(&sys));
    assert_eq!(
        result,
        Err(ConfigError::GlobalConfigNotFound {
            home: "/nr".to_string()
        })
    );
    assert_eq!(
        texts(&messages, Level::Error),
        vec!["The global newrelic.config file was not found at: /nr"]
    );
}

#[test]
fn reads_global_local_and_app_config_with_found_lines() {
    let sys = with_home(MockSystem::new())
        .with_file(
            "./newrelic.config",
            "\u{FEFF}<configuration agentEnabled='false'/>",
        )
        .with_file("/usr/bin/dotnet.config", "<configuration/>");
    let (files, messages) = read_files_with_messages(&sys, &core_env(&sys));
    let files = files.unwrap();
    assert_eq!(files.home, "/nr");
    assert_eq!(files.global, GLOBAL);
    assert_eq!(
        files.local.as_deref(),
        Some("<configuration agentEnabled='false'/>"),
        "BOM consumed"
    );
    assert_eq!(files.app_config, "<configuration/>");
    assert_eq!(
        texts(&messages, Level::Info),
        vec![
            "Found newrelic.config at: /nr/newrelic.config",
            "Found newrelic.config at: ./newrelic.config"
        ]
    );
    let (result, messages) = load_with_messages(&sys, &core_env(&sys));
    let configuration = result.unwrap();
    assert!(!configuration.agent_enabled);
    assert_eq!(
        configuration.log_level,
        Level::Info,
        "the local file replaces <log>"
    );
    assert_eq!(
        texts(&messages, Level::Info),
        vec![
            "Found newrelic.config at: /nr/newrelic.config",
            "Found newrelic.config at: ./newrelic.config",
            "Global config agentEnabled=true",
            "Local config agentEnabled=false",
        ]
    );
}

#[test]
fn windows_paths_and_missing_optional_files() {
    let sys = MockSystem::windows()
        .with_env("CORECLR_NEW_RELIC_HOME", r"C:\NR\")
        .with_file(r"C:\NR\\newrelic.config", GLOBAL)
        .with_file(r"C:\app\app.exe.config", "<configuration/>");
    let (files, messages) = read_files_with_messages(&sys, &core_env(&sys));
    let files = files.unwrap();
    assert_eq!(files.local, None);
    assert_eq!(files.app_config, "<configuration/>");
    assert_eq!(
        texts(&messages, Level::Info),
        vec![r"Found newrelic.config at: C:\NR\\newrelic.config"],
        "paths joined verbatim"
    );
    let sys = with_home(MockSystem::new());
    let files = read_files_with_messages(&sys, &core_env(&sys)).0.unwrap();
    assert_eq!((files.local, files.app_config), (None, String::new()));
}

#[test]
fn non_ascii_and_bom_in_global_file() {
    let sys = MockSystem::new()
        .with_env("CORECLR_NEW_RELIC_HOME", "/höme/日本")
        .with_file(
            "/höme/日本/newrelic.config",
            "\u{FEFF}<configuration><instrumentation><applications><application name='日本.exe' include='false'/></applications></instrumentation></configuration>",
        );
    let (result, messages) = load_with_messages(&sys, &core_env(&sys));
    assert_eq!(result.unwrap().excluded_processes, set(["日本.exe"]));
    assert_eq!(
        texts(&messages, Level::Info),
        vec!["Found newrelic.config at: /höme/日本/newrelic.config"]
    );
}

/// A `MockSystem` whose reads fail for one path while the file "exists".
struct FailingRead {
    inner: MockSystem,
    path: &'static str,
}

impl SystemCalls for FailingRead {
    fn env_var(&self, name: &str) -> Option<String> {
        self.inner.env_var(name)
    }
    fn process_path(&self) -> String {
        self.inner.process_path()
    }
    fn parent_process_path(&self) -> String {
        self.inner.parent_process_path()
    }
    fn command_line(&self) -> String {
        self.inner.command_line()
    }
    fn process_directory(&self) -> String {
        self.inner.process_directory()
    }
    fn app_pool_id_from_command_line(&self) -> Option<String> {
        self.inner.app_pool_id_from_command_line()
    }
    fn registry_home(&self) -> Option<String> {
        self.inner.registry_home()
    }
    fn common_app_data(&self) -> String {
        self.inner.common_app_data()
    }
    fn file_exists(&self, path: &str) -> bool {
        path == self.path || self.inner.file_exists(path)
    }
    fn directory_exists(&self, path: &str) -> bool {
        self.inner.directory_exists(path)
    }
    fn create_directory_all(&self, path: &str) -> io::Result<()> {
        self.inner.create_directory_all(path)
    }
    fn read_file(&self, path: &str) -> io::Result<Vec<u8>> {
        if path == self.path {
            return Err(io::Error::new(io::ErrorKind::PermissionDenied, "denied"));
        }
        self.inner.read_file(path)
    }
    fn directory_entries(&self, dir: &str) -> io::Result<Vec<String>> {
        self.inner.directory_entries(dir)
    }
    fn process_id(&self) -> u32 {
        self.inner.process_id()
    }
    fn path_style(&self) -> PathStyle {
        self.inner.path_style()
    }
}

#[test]
fn unreadable_local_file_warns_and_global_applies() {
    let sys = FailingRead {
        inner: with_home(MockSystem::new()),
        path: "./newrelic.config",
    };
    let env = Env::new(&sys, RuntimeKind::Core);
    let (result, messages) = load_with_messages(&sys, &env);
    assert_eq!(result.unwrap().log_level, Level::Debug);
    assert_eq!(
        texts(&messages, Level::Warn),
        vec!["There was an error reading the local newrelic.config file. Using the settings in the global newrelic.config file instead."]
    );
    assert_eq!(
        texts(&messages, Level::Info).len(),
        2,
        "both files were found"
    );
}

#[test]
fn unreadable_global_or_app_config_is_an_error() {
    for path in ["/nr/newrelic.config", "/usr/bin/dotnet.config"] {
        let sys = FailingRead {
            inner: with_home(MockSystem::new()),
            path,
        };
        let env = Env::new(&sys, RuntimeKind::Core);
        let (result, messages) = load_with_messages(&sys, &env);
        let Err(error @ ConfigError::Unreadable { .. }) = result else {
            panic!("{path}: expected Unreadable, got {result:?}");
        };
        assert!(error.to_string().contains(path));
        assert_eq!(texts(&messages, Level::Error), vec![error.to_string()]);
    }
}

#[test]
fn load_reports_global_parse_errors() {
    let sys = MockSystem::new()
        .with_env("CORECLR_NEW_RELIC_HOME", "/nr")
        .with_file("/nr/newrelic.config", "<configuration>");
    let (result, messages) = load_with_messages(&sys, &core_env(&sys));
    assert!(
        matches!(result, Err(ConfigError::MainConfigParse { .. })),
        "{result:?}"
    );
    let errors = texts(&messages, Level::Error);
    assert_eq!(errors.len(), 2);
    assert!(errors[0]
        .starts_with("Exception thrown while attempting to parse main newrelic.config file: "));
    assert!(errors[1].starts_with("Exception thrown at "));
}

#[test]
fn facts_are_upper_cased_and_app_pool_comes_from_env_then_command_line() {
    let mut sys = MockSystem::windows().with_env("APP_POOL_ID", "EnvPool");
    sys.process_path = r"C:\Windows\System32\inetsrv\w3wp.exe".to_string();
    sys.parent_process_path = r"C:\Windows\svchost.exe".to_string();
    sys.command_line = "w3wp.exe -ap \"CmdPool\"".to_string();
    sys.app_pool_from_command_line = Some("CmdPool".to_string());
    let (facts, messages) = ProcessFacts::gather_with_messages(&sys, &core_env(&sys));
    assert_eq!(
        facts,
        ProcessFacts {
            process_path: r"C:\WINDOWS\SYSTEM32\INETSRV\W3WP.EXE".to_string(),
            parent_process_path: r"C:\WINDOWS\SVCHOST.EXE".to_string(),
            app_pool_id: "EnvPool".to_string(),
            command_line: "w3wp.exe -ap \"CmdPool\"".to_string(),
        }
    );
    assert_eq!(
        texts(&messages, Level::Info),
        vec!["The Profiler will use the environment variable APP_POOL_ID as the application name when white/black listing applications pools for profiling."]
    );
    let mut sys = MockSystem::windows().with_env("ASPNETCORE_IIS_APP_POOL_ID", "");
    sys.app_pool_from_command_line = Some("CmdPool".to_string());
    let (facts, messages) = ProcessFacts::gather_with_messages(&sys, &core_env(&sys));
    assert_eq!(facts.app_pool_id, "CmdPool");
    assert_eq!(
        texts(&messages, Level::Info),
        vec!["The Profiler will use the application pool ID from the command line as the application name when white/black listing applications pools for profiling."]
    );
    let sys = MockSystem::new().with_env("APP_POOL_ID", "");
    let (facts, messages) = ProcessFacts::gather_with_messages(&sys, &core_env(&sys));
    assert_eq!(facts.app_pool_id, "");
    assert_eq!(
        texts(&messages, Level::Info).len(),
        1,
        "Linux: empty value is present and logged"
    );
}

#[test]
fn evaluate_gathers_facts_and_filters() {
    let mut sys = MockSystem::new().with_env("APP_POOL_ID", "pool");
    sys.command_line = "/usr/share/dotnet/dotnet run ".to_string();
    let config = Configuration::default();
    let (decision, messages) = evaluate_with_messages(&config, &sys, &core_env(&sys));
    assert!(!decision);
    assert_eq!(
        texts(&messages, Level::Info),
        vec![
            "The Profiler will use the environment variable APP_POOL_ID as the application name when white/black listing applications pools for profiling.",
            "This process will not be instrumented. Command line identified as invalid invocation for instrumentation",
        ]
    );
    assert_eq!(
        texts(&messages, Level::Trace),
        vec![
            "Process Path: /USR/BIN/DOTNET",
            "Parent Process Path: .",
            "App Pool Id: pool",
            "Is Core CLR: true",
        ]
    );
    let sys = MockSystem::new();
    let (decision, _) = evaluate_with_messages(&config, &sys, &core_env(&sys));
    assert!(decision, "dotnet app.dll is instrumented");
    let framework = Env::new(&sys, RuntimeKind::Framework);
    let (decision, messages) = evaluate_with_messages(&config, &sys, &framework);
    assert!(!decision, "Framework rules for a plain process");
    assert!(texts(&messages, Level::Trace).contains(&"Is Core CLR: false".to_string()));
}
