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

/// How much of the agent DLL [`check_agent_image`] reads.
const HEADER_BYTES: usize = 4096;

/// Why bytes that start a file cannot be a .NET assembly (a PE image:
/// `MZ`, then `PE\0\0` where the DOS header's `e_lfanew` at 0x3C points),
/// or `None` when they may be one.
pub fn image_problem(header: &[u8]) -> Option<&'static str> {
    if header.get(..2) != Some(b"MZ".as_slice()) {
        return Some("it does not start with the MZ signature of a PE image");
    }
    let pe_offset = header
        .get(0x3C..0x40)
        .and_then(|b| b.try_into().ok())
        .map(u32::from_le_bytes)
        .and_then(|offset| usize::try_from(offset).ok());
    let signature = pe_offset.and_then(|at| header.get(at..at.checked_add(4)?));
    if signature != Some(b"PE\0\0".as_slice()) {
        return Some("it has no PE header where its DOS header points");
    }
    None
}

/// Start-up check of the agent DLL found by [`find_agent_core_dll`]. The
/// original only checks that a file exists (Linux skips even the Windows
/// version-resource check); an empty, truncated or garbage file then makes
/// every instrumented call fail inside its wrapper — swallowed, so the
/// application is unaffected, but nothing says why the agent sees nothing.
/// This Warn says why; behaviour is unchanged (docs/compatibility.md A1).
pub fn check_agent_image(sys: &dyn SystemCalls, path: &str) {
    match sys.read_file_prefix(path, HEADER_BYTES) {
        Ok(header) => {
            if let Some(problem) = image_problem(&header) {
                crate::log_warn!(
                    "The New Relic Agent DLL {path} is not a .NET assembly: {problem}. Instrumented methods will run without reaching the agent."
                );
            }
        }
        Err(error) => crate::log_warn!(
            "Unable to read the New Relic Agent DLL {path}: {error}. Instrumented methods will run without reaching the agent."
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pe_images_are_recognised_by_their_two_signatures() {
        let mut image = vec![0u8; 0x84];
        image[..2].copy_from_slice(b"MZ");
        image[0x3C] = 0x80;
        image[0x80..0x84].copy_from_slice(b"PE\0\0");
        assert_eq!(image_problem(&image), None);
        assert_eq!(
            image_problem(b"garbage bytes"),
            Some("it does not start with the MZ signature of a PE image")
        );
        assert_eq!(image_problem(b""), image_problem(b"M"));
        image[0x81] = b'X';
        assert_eq!(
            image_problem(&image),
            Some("it has no PE header where its DOS header points")
        );
        image[0x3C] = 0xFF;
        assert_eq!(
            image_problem(&image[..0x40]),
            Some("it has no PE header where its DOS header points"),
            "an offset past the end"
        );
    }
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
