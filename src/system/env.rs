//! The environment variables the profiler reads, with their fallbacks and
//! value rules (reference-profiler §2.2). "A, fallback B" means B is read
//! only when A is absent; presence follows the platform rule of
//! [`super::SystemCalls::env_var`].

use super::strings::split_env_list;
use super::SystemCalls;
use crate::runtime::RuntimeKind;

/// `NEW_RELIC_INSTALL_PATH`, then `NEWRELIC_INSTALL_PATH` (both runtimes).
pub const INSTALL_PATH: (&str, &str) = ("NEW_RELIC_INSTALL_PATH", "NEWRELIC_INSTALL_PATH");
pub const PROFILER_LOG_DIRECTORY: (&str, &str) = (
    "NEW_RELIC_PROFILER_LOG_DIRECTORY",
    "NEWRELIC_PROFILER_LOG_DIRECTORY",
);
pub const LOG_DIRECTORY: (&str, &str) = ("NEW_RELIC_LOG_DIRECTORY", "NEWRELIC_LOG_DIRECTORY");
pub const LOG_LEVEL: (&str, &str) = ("NEW_RELIC_LOG_LEVEL", "NEWRELIC_LOG_LEVEL");
pub const FORCE_PROFILING: (&str, &str) = ("NEW_RELIC_FORCE_PROFILING", "NEWRELIC_FORCE_PROFILING");
pub const PROFILER_DELAY: (&str, &str) = (
    "NEW_RELIC_PROFILER_DELAY_IN_SEC",
    "NEWRELIC_PROFILER_DELAY_IN_SEC",
);
pub const APP_POOL_ID: (&str, &str) = ("APP_POOL_ID", "ASPNETCORE_IIS_APP_POOL_ID");
pub const LOG_ENABLED: &str = "NEW_RELIC_LOG_ENABLED";
pub const LOG_CONSOLE: &str = "NEW_RELIC_LOG_CONSOLE";
pub const DISABLE_APPDOMAIN_CACHING: &str = "NEW_RELIC_DISABLE_APPDOMAIN_CACHING";
pub const INCLUDED_APPLICATION_NAMES: &str = "NEW_RELIC_INCLUDED_APPLICATION_NAMES";
pub const EXCLUDED_APPLICATION_NAMES: &str = "NEW_RELIC_EXCLUDED_APPLICATION_NAMES";
pub const FUNCTIONS_WORKER_RUNTIME: &str = "FUNCTIONS_WORKER_RUNTIME";
pub const AZURE_FUNCTION_MODE_ENABLED: &str = "NEW_RELIC_AZURE_FUNCTION_MODE_ENABLED";
pub const AZURE_FUNCTION_LOG_LEVEL_OVERRIDE: &str = "NEW_RELIC_AZURE_FUNCTION_LOG_LEVEL_OVERRIDE";

/// Typed access to the profiler's environment for one runtime.
pub struct Env<'a> {
    sys: &'a dyn SystemCalls,
    runtime: RuntimeKind,
}

impl<'a> Env<'a> {
    pub fn new(sys: &'a dyn SystemCalls, runtime: RuntimeKind) -> Env<'a> {
        Env { sys, runtime }
    }

    pub fn runtime(&self) -> RuntimeKind {
        self.runtime
    }

    /// The variable, or its fallback when absent.
    pub fn with_fallback(&self, (name, fallback): (&str, &str)) -> Option<String> {
        self.sys
            .env_var(name)
            .or_else(|| self.sys.env_var(fallback))
    }

    /// A boolean variable: `true`/`1` → true, `false`/`0` → false
    /// (case-insensitive); absent or anything else → `fallback`.
    pub fn bool_or(&self, name: &str, fallback: bool) -> bool {
        parse_bool(self.sys.env_var(name).as_deref()).unwrap_or(fallback)
    }

    /// Agent home from the environment (Core: `CORECLR_NEW_RELIC_HOME`,
    /// `CORECLR_NEWRELIC_HOME`; Framework: `NEW_RELIC_HOME`, `NEWRELIC_HOME`).
    /// Core does not read the un-prefixed names.
    pub fn home_path(&self) -> Option<String> {
        self.with_fallback(self.runtime.home_variables())
    }

    /// The primary home variable's name, for log messages.
    pub fn home_variable_name(&self) -> &'static str {
        self.runtime.home_variables().0
    }

    pub fn install_path(&self) -> Option<String> {
        self.with_fallback(INSTALL_PATH)
    }

    pub fn profiler_log_directory(&self) -> Option<String> {
        self.with_fallback(PROFILER_LOG_DIRECTORY)
    }

    pub fn log_directory(&self) -> Option<String> {
        self.with_fallback(LOG_DIRECTORY)
    }

    pub fn log_level(&self) -> Option<String> {
        self.with_fallback(LOG_LEVEL)
    }

    /// Existence only: even `0` forces profiling (§2.2).
    pub fn force_profiling(&self) -> bool {
        self.with_fallback(FORCE_PROFILING).is_some()
    }

    pub fn profiler_delay(&self) -> Option<String> {
        self.with_fallback(PROFILER_DELAY)
    }

    pub fn appdomain_caching_disabled(&self) -> bool {
        self.bool_or(DISABLE_APPDOMAIN_CACHING, false)
    }

    /// Present (even empty) → replaces the config include list.
    pub fn included_application_names(&self) -> Option<Vec<String>> {
        self.sys
            .env_var(INCLUDED_APPLICATION_NAMES)
            .map(|v| split_env_list(&v))
    }

    /// Present (even empty) → replaces the config exclude list.
    pub fn excluded_application_names(&self) -> Option<Vec<String>> {
        self.sys
            .env_var(EXCLUDED_APPLICATION_NAMES)
            .map(|v| split_env_list(&v))
    }

    /// `APP_POOL_ID`, fallback `ASPNETCORE_IIS_APP_POOL_ID`.
    pub fn app_pool_id(&self) -> Option<String> {
        self.with_fallback(APP_POOL_ID)
    }

    /// `FUNCTIONS_WORKER_RUNTIME`, when non-empty.
    pub fn functions_worker_runtime(&self) -> Option<String> {
        self.sys
            .env_var(FUNCTIONS_WORKER_RUNTIME)
            .filter(|v| !v.is_empty())
    }

    /// Non-empty `FUNCTIONS_WORKER_RUNTIME` → Azure Function (also switches
    /// the logger into Azure Function mode, §3.3).
    pub fn is_azure_function(&self) -> bool {
        self.functions_worker_runtime().is_some()
    }

    /// Absent or empty → enabled; `true`/`1` → enabled; anything else → disabled.
    pub fn azure_function_mode_enabled(&self) -> bool {
        match self.sys.env_var(AZURE_FUNCTION_MODE_ENABLED) {
            None => true,
            Some(v) if v.is_empty() => true,
            Some(v) => parse_bool(Some(&v)) == Some(true),
        }
    }

    pub fn azure_function_log_level_override(&self) -> bool {
        self.bool_or(AZURE_FUNCTION_LOG_LEVEL_OVERRIDE, false)
    }

    /// Raw lookup for variables without special rules.
    pub fn var(&self, name: &str) -> Option<String> {
        self.sys.env_var(name)
    }
}

/// `true`/`1` → true, `false`/`0` → false, case-insensitive; else `None`.
pub fn parse_bool(value: Option<&str>) -> Option<bool> {
    let v = value?;
    if v == "1" || v.eq_ignore_ascii_case("true") {
        Some(true)
    } else if v == "0" || v.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::system::mock::MockSystem;

    fn core(sys: &MockSystem) -> Env<'_> {
        Env::new(sys, RuntimeKind::Core)
    }

    #[test]
    fn force_profiling_is_existence_based() {
        let sys = MockSystem::new().with_env("NEW_RELIC_FORCE_PROFILING", "0");
        assert!(core(&sys).force_profiling());
        let sys = MockSystem::new().with_env("NEWRELIC_FORCE_PROFILING", "false");
        assert!(core(&sys).force_profiling(), "legacy name");
        let sys = MockSystem::new()
            .with_env("NEW_RELIC_FORCE_PROFILING", "1")
            .with_env("NEWRELIC_FORCE_PROFILING", "0");
        assert!(core(&sys).force_profiling(), "new over old");
        assert!(!core(&MockSystem::new()).force_profiling());
    }

    #[test]
    fn core_home_uses_coreclr_names_only() {
        let sys = MockSystem::new().with_env("CORECLR_NEW_RELIC_HOME", "new");
        assert_eq!(core(&sys).home_path().as_deref(), Some("new"));
        let sys = MockSystem::new().with_env("CORECLR_NEWRELIC_HOME", "old");
        assert_eq!(core(&sys).home_path().as_deref(), Some("old"));
        let sys = MockSystem::new()
            .with_env("CORECLR_NEW_RELIC_HOME", "new")
            .with_env("CORECLR_NEWRELIC_HOME", "old");
        assert_eq!(core(&sys).home_path().as_deref(), Some("new"));
        let sys = MockSystem::new().with_env("NEW_RELIC_HOME", "framework");
        assert_eq!(
            core(&sys).home_path(),
            None,
            "Core ignores the un-prefixed name"
        );
    }

    #[test]
    fn framework_home_uses_plain_names() {
        let fw = |sys: &MockSystem| Env::new(sys, RuntimeKind::Framework).home_path();
        assert_eq!(
            fw(&MockSystem::new().with_env("NEW_RELIC_HOME", "n")).as_deref(),
            Some("n")
        );
        assert_eq!(
            fw(&MockSystem::new().with_env("NEWRELIC_HOME", "o")).as_deref(),
            Some("o")
        );
        let both = MockSystem::new()
            .with_env("NEW_RELIC_HOME", "n")
            .with_env("NEWRELIC_HOME", "o");
        assert_eq!(fw(&both).as_deref(), Some("n"));
    }

    #[test]
    fn new_names_beat_legacy_names() {
        type Getter = fn(&Env<'_>) -> Option<String>;
        let cases: [((&str, &str), Getter); 6] = [
            (INSTALL_PATH, |e| e.install_path()),
            (PROFILER_LOG_DIRECTORY, |e| e.profiler_log_directory()),
            (LOG_DIRECTORY, |e| e.log_directory()),
            (LOG_LEVEL, |e| e.log_level()),
            (PROFILER_DELAY, |e| e.profiler_delay()),
            (APP_POOL_ID, |e| e.app_pool_id()),
        ];
        for (pair, getter) in cases {
            let sys = MockSystem::new().with_env(pair.0, "new");
            assert_eq!(getter(&core(&sys)).as_deref(), Some("new"), "{}", pair.0);
            let sys = MockSystem::new().with_env(pair.1, "old");
            assert_eq!(getter(&core(&sys)).as_deref(), Some("old"), "{}", pair.1);
            let sys = MockSystem::new()
                .with_env(pair.0, "new")
                .with_env(pair.1, "old");
            assert_eq!(getter(&core(&sys)).as_deref(), Some("new"), "{}", pair.0);
        }
    }

    #[test]
    fn boolean_values() {
        for (value, expected) in [
            ("1", true),
            ("true", true),
            ("TRUE", true),
            ("0", false),
            ("false", false),
            ("False", false),
        ] {
            let sys = MockSystem::new().with_env(LOG_ENABLED, value);
            assert_eq!(
                core(&sys).bool_or(LOG_ENABLED, !expected),
                expected,
                "{value}"
            );
        }
        for fallback in [true, false] {
            let sys = MockSystem::new().with_env(LOG_CONSOLE, "*invalid*");
            assert_eq!(core(&sys).bool_or(LOG_CONSOLE, fallback), fallback);
            assert_eq!(
                core(&MockSystem::new()).bool_or(LOG_CONSOLE, fallback),
                fallback
            );
        }
    }

    #[test]
    fn azure_function_detection() {
        let sys = MockSystem::new().with_env(FUNCTIONS_WORKER_RUNTIME, "dotnet-isolated");
        assert!(core(&sys).is_azure_function());
        let sys = MockSystem::new().with_env(FUNCTIONS_WORKER_RUNTIME, "");
        assert!(!core(&sys).is_azure_function());
        assert!(!core(&MockSystem::new()).is_azure_function());
    }

    #[test]
    fn azure_function_mode_and_override() {
        assert!(core(&MockSystem::new()).azure_function_mode_enabled());
        for (v, expected) in [
            ("", true),
            ("true", true),
            ("1", true),
            ("0", false),
            ("no", false),
        ] {
            let sys = MockSystem::new().with_env(AZURE_FUNCTION_MODE_ENABLED, v);
            assert_eq!(core(&sys).azure_function_mode_enabled(), expected, "{v:?}");
        }
        let sys = MockSystem::new().with_env(AZURE_FUNCTION_LOG_LEVEL_OVERRIDE, "true");
        assert!(core(&sys).azure_function_log_level_override());
        let sys = MockSystem::new().with_env(AZURE_FUNCTION_LOG_LEVEL_OVERRIDE, "false");
        assert!(!core(&sys).azure_function_log_level_override());
        assert!(!core(&MockSystem::new()).azure_function_log_level_override());
    }

    #[test]
    fn application_name_lists_replace_config_even_when_empty() {
        let sys = MockSystem::new().with_env(EXCLUDED_APPLICATION_NAMES, "bar.exe,baz.exe");
        assert_eq!(
            core(&sys).excluded_application_names(),
            Some(vec!["bar.exe".to_string(), "baz.exe".to_string()])
        );
        let sys = MockSystem::new().with_env(INCLUDED_APPLICATION_NAMES, "");
        assert_eq!(core(&sys).included_application_names(), Some(vec![]));
        assert_eq!(core(&MockSystem::new()).included_application_names(), None);
    }

    #[test]
    fn windows_treats_empty_as_absent() {
        let sys = MockSystem::windows()
            .with_env("CORECLR_NEW_RELIC_HOME", "")
            .with_env("CORECLR_NEWRELIC_HOME", "old");
        assert_eq!(core(&sys).home_path().as_deref(), Some("old"));
        let sys = MockSystem::new()
            .with_env("CORECLR_NEW_RELIC_HOME", "")
            .with_env("CORECLR_NEWRELIC_HOME", "old");
        assert_eq!(
            core(&sys).home_path().as_deref(),
            Some(""),
            "Linux keeps the empty value"
        );
    }
}
