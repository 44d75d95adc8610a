//! Locating `NewRelic.Agent.Core.dll` (reference-profiler §2.4).

use crate::system::env::{Env, INSTALL_PATH};
use crate::system::SystemCalls;

const AGENT_DLL: &str = "NewRelic.Agent.Core.dll";

/// For each base in [install path, home path] (environment only, no
/// registry): `<base>/NewRelic.Agent.Core.dll`, then
/// `<base>/<netcore|netframework>/NewRelic.Agent.Core.dll`; the first
/// regular file wins. Each probe is logged at Debug; failure logs the
/// reference Error naming the two variables.
pub fn find_agent_core_dll(env: &Env<'_>, sys: &dyn SystemCalls) -> Option<String> {
    let style = sys.path_style();
    let runtime_dir = env.runtime().directory_name();
    for base in [env.install_path(), env.home_path()].into_iter().flatten() {
        let direct = style.join(&base, AGENT_DLL);
        crate::log_debug!("Searching for New Relic Agent DLL at: {direct}");
        if sys.file_exists(&direct) {
            return Some(direct);
        }
        let nested = style.join(&style.join(&base, runtime_dir), AGENT_DLL);
        crate::log_debug!("Searching for New Relic Agent DLL at: {nested}");
        if sys.file_exists(&nested) {
            return Some(nested);
        }
    }
    crate::log_error!(
        "Unable to find {} or {} environment variables.  Aborting instrumentation.",
        env.home_variable_name(),
        INSTALL_PATH.0
    );
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::RuntimeKind;
    use crate::system::mock::MockSystem;

    fn find(sys: &MockSystem) -> Option<String> {
        find_agent_core_dll(&Env::new(sys, RuntimeKind::Core), sys)
    }

    #[test]
    fn home_root_then_netcore_subfolder() {
        let sys = MockSystem::new()
            .with_env("CORECLR_NEW_RELIC_HOME", "/nr")
            .with_file("/nr/netcore/NewRelic.Agent.Core.dll", "");
        assert_eq!(
            find(&sys).as_deref(),
            Some("/nr/netcore/NewRelic.Agent.Core.dll")
        );
        let sys = MockSystem::new()
            .with_env("CORECLR_NEW_RELIC_HOME", "/nr")
            .with_file("/nr/NewRelic.Agent.Core.dll", "")
            .with_file("/nr/netcore/NewRelic.Agent.Core.dll", "");
        assert_eq!(find(&sys).as_deref(), Some("/nr/NewRelic.Agent.Core.dll"));
    }

    #[test]
    fn install_path_is_probed_first() {
        let sys = MockSystem::new()
            .with_env("CORECLR_NEW_RELIC_HOME", "/home")
            .with_env("NEW_RELIC_INSTALL_PATH", "/install")
            .with_file("/home/NewRelic.Agent.Core.dll", "")
            .with_file("/install/netcore/NewRelic.Agent.Core.dll", "");
        assert_eq!(
            find(&sys).as_deref(),
            Some("/install/netcore/NewRelic.Agent.Core.dll")
        );
    }

    #[test]
    fn missing_everywhere() {
        let sys = MockSystem::new().with_env("CORECLR_NEW_RELIC_HOME", "/home");
        assert_eq!(find(&sys), None);
        assert_eq!(find(&MockSystem::new()), None);
    }

    #[test]
    fn framework_uses_netframework() {
        let sys = MockSystem::windows()
            .with_env("NEW_RELIC_HOME", r"C:\nr")
            .with_file(r"C:\nr\netframework\NewRelic.Agent.Core.dll", "");
        let env = Env::new(&sys, RuntimeKind::Framework);
        assert_eq!(
            find_agent_core_dll(&env, &sys).as_deref(),
            Some(r"C:\nr\netframework\NewRelic.Agent.Core.dll")
        );
    }
}
