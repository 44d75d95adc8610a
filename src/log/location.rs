//! Where the log file goes (reference-profiler §3.1–3.2).

use crate::system::env::Env;
use crate::system::{PathStyle, SystemCalls};

/// Azure App Service (Windows) marker inside `HOME_EXPANDED`.
const AZURE_WEBSITES_MARKER: &str = r":\DWASFiles\Sites";

/// The log directory, first match wins:
/// 1. `NEW_RELIC_PROFILER_LOG_DIRECTORY` (fallback `NEWRELIC_…`), verbatim;
/// 2. `NEW_RELIC_LOG_DIRECTORY` (fallback `NEWRELIC_…`), verbatim;
/// 3. Azure App Service: `<HOME>\LogFiles\NewRelic` (empty when `HOME` is absent);
/// 4. the runtime's home variable (no registry): `<home>/logs` (`Logs` on Windows);
/// 5. `<common app data>/New Relic/.NET Agent/Logs` — on Linux common app
///    data is empty, so `/New Relic/.NET Agent/Logs`.
pub fn log_directory(env: &Env<'_>, sys: &dyn SystemCalls) -> String {
    let style = sys.path_style();
    if let Some(dir) = env.profiler_log_directory() {
        return dir;
    }
    if let Some(dir) = env.log_directory() {
        return dir;
    }
    if env
        .var("HOME_EXPANDED")
        .is_some_and(|home| home.contains(AZURE_WEBSITES_MARKER))
    {
        return match env.var("HOME") {
            Some(home) => style.join(&style.join(&home, "LogFiles"), "NewRelic"),
            None => String::new(),
        };
    }
    if let Some(home) = env.home_path() {
        return style.join(&home, style.home_logs_directory_name());
    }
    standard_log_directory(sys.common_app_data(), style)
}

fn standard_log_directory(common_app_data: String, style: PathStyle) -> String {
    let dir = style.join(&common_app_data, "New Relic");
    let dir = style.join(&dir, ".NET Agent");
    style.join(&dir, "Logs")
}

/// `<dir>/NewRelic.Profiler.<pid>.log`, joined verbatim.
pub fn log_file_path(directory: &str, pid: u32, style: PathStyle) -> String {
    style.join(directory, &format!("NewRelic.Profiler.{pid}.log"))
}

/// Resolves the directory, creates it when missing, and returns the file
/// path. A creation failure is returned so the caller can disable logging
/// (the original ignores mkdir errors on Linux and then fails to open the
/// file, with the same outcome).
pub fn prepare_log_file(env: &Env<'_>, sys: &dyn SystemCalls) -> std::io::Result<String> {
    let directory = log_directory(env, sys);
    if !sys.directory_exists(&directory) {
        sys.create_directory_all(&directory)?;
    }
    Ok(log_file_path(
        &directory,
        sys.process_id(),
        sys.path_style(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::RuntimeKind;
    use crate::system::mock::MockSystem;

    /// The original's tests use a Framework-style home variable `NEW_RELIC_HOME`,
    /// pid 1234 and common app data `C:\Common\AppData\FolderPath` (§10.3).
    fn path(sys: &MockSystem) -> String {
        let env = Env::new(sys, RuntimeKind::Framework);
        prepare_log_file(&env, sys).unwrap()
    }

    #[test]
    fn azure_websites_logs_to_home_logfiles_newrelic() {
        let sys = MockSystem::windows()
            .with_env("HOME", r"C:\Foo")
            .with_env("HOME_EXPANDED", r"C:\DWASFiles\Sites\MySite");
        assert_eq!(
            path(&sys),
            r"C:\Foo\LogFiles\NewRelic\NewRelic.Profiler.1234.log"
        );
    }

    #[test]
    fn azure_websites_without_home_expanded_uses_the_standard_directory() {
        let sys = MockSystem::windows().with_env("HOME", r"C:\Foo");
        assert_eq!(
            path(&sys),
            r"C:\Common\AppData\FolderPath\New Relic\.NET Agent\Logs\NewRelic.Profiler.1234.log"
        );
    }

    #[test]
    fn azure_without_home_gives_an_empty_directory() {
        let sys = MockSystem::windows().with_env("HOME_EXPANDED", r"C:\DWASFiles\Sites\MySite");
        assert_eq!(path(&sys), r"\NewRelic.Profiler.1234.log");
    }

    #[test]
    fn profiler_directory_with_and_without_trailing_separator() {
        let sys = MockSystem::windows().with_env("NEW_RELIC_PROFILER_LOG_DIRECTORY", r"C:\Foo");
        assert_eq!(path(&sys), r"C:\Foo\NewRelic.Profiler.1234.log");
        let sys = MockSystem::windows().with_env("NEW_RELIC_PROFILER_LOG_DIRECTORY", r"C:\Foo\");
        assert_eq!(path(&sys), r"C:\Foo\\NewRelic.Profiler.1234.log");
    }

    #[test]
    fn profiler_directory_beats_everything() {
        let sys = MockSystem::windows()
            .with_env("NEW_RELIC_PROFILER_LOG_DIRECTORY", r"C:\Profiler")
            .with_env("NEW_RELIC_LOG_DIRECTORY", r"C:\General")
            .with_env("NEW_RELIC_HOME", r"C:\Home")
            .with_env("HOME", r"C:\Foo")
            .with_env("HOME_EXPANDED", r"C:\DWASFiles\Sites\MySite")
            .with_env("ALLUSERSPROFILE", r"C:\All");
        assert_eq!(path(&sys), r"C:\Profiler\NewRelic.Profiler.1234.log");
        let legacy = MockSystem::windows()
            .with_env("NEWRELIC_PROFILER_LOG_DIRECTORY", r"C:\Legacy")
            .with_env("NEW_RELIC_LOG_DIRECTORY", r"C:\General");
        assert_eq!(path(&legacy), r"C:\Legacy\NewRelic.Profiler.1234.log");
    }

    #[test]
    fn general_directory_beats_home() {
        let sys = MockSystem::windows()
            .with_env("NEW_RELIC_LOG_DIRECTORY", r"C:\General")
            .with_env("NEW_RELIC_HOME", r"C:\Home");
        assert_eq!(path(&sys), r"C:\General\NewRelic.Profiler.1234.log");
        let legacy = MockSystem::windows()
            .with_env("NEWRELIC_LOG_DIRECTORY", r"C:\Legacy")
            .with_env("NEW_RELIC_HOME", r"C:\Home");
        assert_eq!(path(&legacy), r"C:\Legacy\NewRelic.Profiler.1234.log");
    }

    #[test]
    fn azure_beats_allusers_and_any_drive_letter() {
        let sys = MockSystem::windows()
            .with_env("HOME", r"D:\Home")
            .with_env("HOME_EXPANDED", r"D:\DWASFiles\Sites\MySite")
            .with_env("ALLUSERSPROFILE", r"C:\All");
        assert_eq!(
            path(&sys),
            r"D:\Home\LogFiles\NewRelic\NewRelic.Profiler.1234.log"
        );
    }

    #[test]
    fn common_app_data_fallback() {
        let sys = MockSystem::windows();
        assert_eq!(
            path(&sys),
            r"C:\Common\AppData\FolderPath\New Relic\.NET Agent\Logs\NewRelic.Profiler.1234.log"
        );
    }

    #[test]
    fn home_variable_beats_common_app_data() {
        let sys = MockSystem::windows().with_env("NEW_RELIC_HOME", r"C:\Home");
        assert_eq!(path(&sys), r"C:\Home\Logs\NewRelic.Profiler.1234.log");
    }

    #[test]
    fn linux_home_uses_lowercase_logs_and_core_variables() {
        let sys = MockSystem::new().with_env("CORECLR_NEW_RELIC_HOME", "/opt/nr");
        let env = Env::new(&sys, RuntimeKind::Core);
        assert_eq!(
            prepare_log_file(&env, &sys).unwrap(),
            "/opt/nr/logs/NewRelic.Profiler.1234.log"
        );
        let sys = MockSystem::new().with_env("NEW_RELIC_HOME", "/opt/nr");
        let env = Env::new(&sys, RuntimeKind::Core);
        assert_eq!(
            prepare_log_file(&env, &sys).unwrap(),
            "/New Relic/.NET Agent/Logs/NewRelic.Profiler.1234.log",
            "Core ignores NEW_RELIC_HOME; Linux common app data is empty"
        );
    }

    #[test]
    fn existing_directory_is_not_created_missing_one_is() {
        let sys = MockSystem::windows()
            .with_env("NEW_RELIC_LOG_DIRECTORY", r"C:\Exists")
            .with_directory(r"C:\Exists");
        path(&sys);
        assert_eq!(sys.directories().len(), 1);
        let sys = MockSystem::windows().with_env("NEW_RELIC_LOG_DIRECTORY", r"C:\New");
        path(&sys);
        assert!(sys.directories().contains(r"C:\New"));
    }

    #[test]
    fn uncreatable_directory_is_an_error() {
        let mut sys = MockSystem::new().with_env("NEW_RELIC_LOG_DIRECTORY", "/ro/dir");
        sys.uncreatable.insert("/ro/dir".to_string());
        let env = Env::new(&sys, RuntimeKind::Core);
        assert!(prepare_log_file(&env, &sys).is_err());
    }
}
