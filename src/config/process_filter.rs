//! Whether this process is instrumented at all (reference-profiler §2.5,
//! `ShouldInstrument`): the excluded-name rule, the Azure Functions rules,
//! then the Core heuristics (build tools, Kudu, IIS pools) or the
//! Framework rules (agentEnabled, app.config, include list, IIS pools,
//! well-known hosts, local config). Every Info text is the reference's.

use super::newrelic_config::Configuration;
use super::{emit, LogMessage, Messages};
use crate::runtime::RuntimeKind;
use crate::system::env::Env;
use crate::system::strings::{
    contains_ignore_case, ends_with_ignore_case, eq_ignore_case, to_upper,
};
use crate::system::SystemCalls;

const INVALID_INVOCATION: &str =
    "This process will not be instrumented. Command line identified as invalid invocation for instrumentation";

/// Hosts the Framework filter instruments without configuration.
const PREDEFINED_PROCESSES: [&str; 9] = [
    "WEBDEV.WEBSERVER40.EXE",
    "WEBDEV.WEBSERVER20.EXE",
    "INETINFO.EXE",
    "WAWORKERHOST.EXE",
    "WAWEBHOST.EXE",
    "WCFSVCHOST.EXE",
    "ASPNET_WP.EXE",
    "IISEXPRESS.EXE",
    "DOTNET.EXE",
];

/// The `dotnet` sub-commands that build or scaffold rather than run an app.
const BUILD_VERBS: [&str; 4] = ["run", "publish", "restore", "new"];

/// What the filter looks at, as `Initialize` gathers it (§2.5 inputs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProcessFacts {
    /// Executable path, upper-cased.
    pub process_path: String,
    /// Parent's executable path, upper-cased (`.` on Linux).
    pub parent_process_path: String,
    /// Application pool id (environment, else Windows `-ap`), or empty.
    pub app_pool_id: String,
    /// The command line as reconstructed by the platform layer (§9).
    pub command_line: String,
}

impl ProcessFacts {
    /// Gathers the facts from the system, logging the app-pool source.
    pub fn gather(sys: &dyn SystemCalls, env: &Env<'_>) -> ProcessFacts {
        let (facts, messages) = ProcessFacts::gather_with_messages(sys, env);
        emit(&messages);
        facts
    }

    /// [`ProcessFacts::gather`] without logging.
    pub fn gather_with_messages(
        sys: &dyn SystemCalls,
        env: &Env<'_>,
    ) -> (ProcessFacts, Vec<LogMessage>) {
        let mut messages = Messages::default();
        let process_path = to_upper(&sys.process_path());
        let command_line = sys.command_line();
        let parent_process_path = to_upper(&sys.parent_process_path());
        let app_pool_id = app_pool_id(sys, env, &mut messages);
        let facts = ProcessFacts {
            process_path,
            parent_process_path,
            app_pool_id,
            command_line,
        };
        (facts, messages.into_vec())
    }
}

/// `APP_POOL_ID` / `ASPNETCORE_IIS_APP_POOL_ID` (logged when present), and
/// when that is absent or empty the Windows `-ap` argument (§2.2, §9).
fn app_pool_id(sys: &dyn SystemCalls, env: &Env<'_>, messages: &mut Messages) -> String {
    let mut id = String::new();
    if let Some(from_env) = env.app_pool_id() {
        messages.info(
            "The Profiler will use the environment variable APP_POOL_ID as the application name when white/black listing applications pools for profiling.",
        );
        id = from_env;
    }
    if id.is_empty() {
        if let Some(from_command_line) = sys.app_pool_id_from_command_line() {
            messages.info(
                "The Profiler will use the application pool ID from the command line as the application name when white/black listing applications pools for profiling.",
            );
            id = from_command_line;
        }
    }
    id
}

/// Gathers the [`ProcessFacts`] (logging the app-pool source) and runs
/// [`should_instrument`] for `env.runtime()`; `false` means "detach".
///
/// This is the middle of §2.1 step 12. The caller writes the Trace line
/// `Checking to see if we should instrument this process.` before it, skips
/// it when `env.force_profiling()`, and writes `This process should not be
/// instrumented, unloading profiler.` after a `false`. (The original
/// gathers the facts even when profiling is forced, so its app-pool Info
/// line also appears then; call [`ProcessFacts::gather`] in that case to
/// reproduce it.)
pub fn evaluate(config: &Configuration, sys: &dyn SystemCalls, env: &Env<'_>) -> bool {
    let (decision, messages) = evaluate_with_messages(config, sys, env);
    emit(&messages);
    decision
}

/// [`evaluate`] without logging.
pub fn evaluate_with_messages(
    config: &Configuration,
    sys: &dyn SystemCalls,
    env: &Env<'_>,
) -> (bool, Vec<LogMessage>) {
    let (facts, mut messages) = ProcessFacts::gather_with_messages(sys, env);
    let (decision, filtered) = should_instrument_with_messages(config, &facts, env.runtime(), env);
    messages.extend(filtered);
    (decision, messages)
}

/// The original's `ShouldInstrument`, logging to the global logger.
pub fn should_instrument(
    config: &Configuration,
    facts: &ProcessFacts,
    runtime: RuntimeKind,
    env: &Env<'_>,
) -> bool {
    let (decision, messages) = should_instrument_with_messages(config, facts, runtime, env);
    emit(&messages);
    decision
}

/// [`should_instrument`] without logging.
pub fn should_instrument_with_messages(
    config: &Configuration,
    facts: &ProcessFacts,
    runtime: RuntimeKind,
    env: &Env<'_>,
) -> (bool, Vec<LogMessage>) {
    let mut messages = Messages::default();
    let decision = decide(config, facts, runtime, env, &mut messages);
    (decision, messages.into_vec())
}

fn decide(
    config: &Configuration,
    facts: &ProcessFacts,
    runtime: RuntimeKind,
    env: &Env<'_>,
    m: &mut Messages,
) -> bool {
    let path = facts.process_path.as_str();
    m.trace(format!("Process Path: {path}"));
    m.trace(format!(
        "Parent Process Path: {}",
        facts.parent_process_path
    ));
    m.trace(format!("App Pool Id: {}", facts.app_pool_id));
    m.trace(format!("Is Core CLR: {}", runtime.is_core()));

    if excluded_by_config(config, path) {
        m.info(format!("Process {path} excluded by configuration."));
        return false;
    }

    if env.is_azure_function() && env.azure_function_mode_enabled() {
        if let Some(decision) = azure_function(facts, env, m) {
            return decision;
        }
    }

    match runtime {
        RuntimeKind::Core => net_core(config, facts, m),
        RuntimeKind::Framework => net_framework(config, facts, m),
    }
}

/// Basename (after the last `/` or `\`) equal, case-insensitively, to an
/// excluded name: unlike the include list this is not a suffix match.
fn excluded_by_config(config: &Configuration, path: &str) -> bool {
    let basename = path.rsplit(['/', '\\']).next().unwrap_or(path);
    config
        .excluded_processes
        .iter()
        .any(|name| eq_ignore_case(basename, name))
}

/// `Some(decision)`, or `None` when the Azure rules cannot tell and the
/// runtime rules decide.
fn azure_function(facts: &ProcessFacts, env: &Env<'_>, m: &mut Messages) -> Option<bool> {
    let (path, pool, command_line) = (&facts.process_path, &facts.app_pool_id, &facts.command_line);
    m.info(format!(
        "Azure function detected. Determining whether to instrument {path}"
    ));

    let in_process = env
        .functions_worker_runtime()
        .is_some_and(|runtime| eq_ignore_case(&runtime, "dotnet"));
    if in_process {
        if pool.starts_with('~') {
            m.info(format!(
                "This application pool ({pool}) has been identified as an in-process Azure Functions built-in background application and will be ignored."
            ));
            return Some(false);
        }
        m.info("Function is running in-process. This process will be instrumented.");
        return Some(true);
    }

    if !pool.is_empty() && contains_ignore_case(command_line, pool) {
        m.info("Appears to be Azure WebJobs Script WebHost based on commandLine. Not instrumenting this process.");
        return Some(false);
    }

    const WEB_HOST: &str = "/azure-functions-host/Microsoft.Azure.WebJobs.Script.WebHost";
    if contains_ignore_case(command_line, WEB_HOST) || contains_ignore_case(path, WEB_HOST) {
        m.info("Appears to be Azure Functions WebHost (Linux) based on commandLine. Not instrumenting this process.");
        return Some(false);
    }

    if ends_with_ignore_case(path, "FUNCTIONSNETHOST.EXE") {
        m.info("FunctionNetHost.exe is a valid Azure function command. This process will be instrumented.");
        return Some(true);
    }

    if ends_with_ignore_case(path, "FUNC.EXE") {
        m.info("Func.exe is a tool for testing Azure functions locally. Not instrumenting this process.");
        return Some(false);
    }

    if contains_ignore_case(command_line, "--functions-worker-id") {
        m.info("Command line contains --functions-worker-id. This process will be instrumented.");
        return Some(true);
    }
    if contains_ignore_case(command_line, "--worker-id") {
        m.info("Command line contains --worker-id. This process will be instrumented.");
        return Some(true);
    }

    m.info("Couldn't determine whether this Azure Function process should be instrumented based on commandLine. Falling back to checking application pool");
    None
}

/// Core: refuse `dotnet run|publish|restore|new`, MSBuild, Kudu and
/// DiagServer; IIS-hosted processes follow the pool rule; everything else
/// is instrumented (agentEnabled and the include list are not consulted).
fn net_core(config: &Configuration, facts: &ProcessFacts, m: &mut Messages) -> bool {
    let command_line = facts.command_line.as_str();
    if is_dotnet_build_invocation(command_line) {
        m.info(INVALID_INVOCATION);
        return false;
    }
    let tool = [
        "MSBuild.dll",
        "Kudu.Services.Web",
        "kuduagent.dll",
        "./DiagServer",
    ]
    .iter()
    .any(|needle| contains_ignore_case(command_line, needle));
    if tool {
        m.info(INVALID_INVOCATION);
        return false;
    }
    if is_iis(&facts.process_path, &facts.parent_process_path, m) {
        return application_pool(config, &facts.app_pool_id, m);
    }
    true
}

/// The command line split on spaces (runs of spaces give no empty tokens;
/// other whitespace is part of a token).
fn tokenize(command_line: &str) -> Vec<&str> {
    command_line.split(' ').filter(|t| !t.is_empty()).collect()
}

/// The first token that names the `dotnet` host decides: followed by a
/// build verb → true, followed by anything else → false (the scan stops).
/// A `dotnet` token at the very end is skipped.
pub fn is_dotnet_build_invocation(command_line: &str) -> bool {
    let tokens = tokenize(command_line);
    for (index, token) in tokens.iter().enumerate() {
        if !is_dotnet_token(token) {
            continue;
        }
        if let Some(next) = tokens.get(index + 1) {
            return BUILD_VERBS.iter().any(|verb| eq_ignore_case(next, verb));
        }
    }
    false
}

fn is_dotnet_token(token: &str) -> bool {
    [
        "dotnet\"",
        "dotnet'",
        "dotnet",
        "dotnet.exe\"",
        "dotnet.exe'",
        "dotnet.exe",
    ]
    .iter()
    .any(|suffix| ends_with_exact_word(token, suffix))
}

/// `text` ends with `suffix` (ASCII case-insensitive, as the original's
/// `tolower` comparison) and the suffix starts the text or follows a space,
/// `/`, `\`, `'` or `"`. `suffix` must be ASCII, which makes a byte-wise
/// comparison equal to the original's code-unit one.
fn ends_with_exact_word(text: &str, suffix: &str) -> bool {
    let (text, suffix) = (text.as_bytes(), suffix.as_bytes());
    let Some(start) = text.len().checked_sub(suffix.len()) else {
        return false;
    };
    let boundary_ok = match start.checked_sub(1).and_then(|i| text.get(i)) {
        None => true,
        Some(before) => matches!(before, b' ' | b'/' | b'\\' | b'\'' | b'"'),
    };
    boundary_ok
        && text
            .get(start..)
            .is_some_and(|tail| tail.eq_ignore_ascii_case(suffix))
}

/// Process or parent ends with `W3WP.EXE`; logs the reference IIS line.
fn is_iis(path: &str, parent: &str, m: &mut Messages) -> bool {
    let iis = ends_with_ignore_case(path, "W3WP.EXE") || ends_with_ignore_case(parent, "W3WP.EXE");
    let parent_part = if parent.is_empty() {
        String::new()
    } else {
        format!(" with parent process {parent}")
    };
    let verdict = if iis { " is" } else { " is not" };
    m.info(format!("Process {path}{parent_part}{verdict} IIS."));
    iis
}

/// §2.5 step 5: deny list, allow list, Azure background `~` pools, default.
fn application_pool(config: &Configuration, pool: &str, m: &mut Messages) -> bool {
    let pools = &config.application_pools;
    if pools.deny.contains(pool) {
        m.info(format!(
            "This application pool ({pool}) is explicitly configured to NOT be instrumented."
        ));
        return false;
    }
    if pools.allow.contains(pool) {
        m.info(format!(
            "This application pool ({pool}) is explicitly configured to be instrumented."
        ));
        return true;
    }
    if pool.starts_with('~') {
        m.info(format!(
            "This application pool ({pool}) has been identified as an Azure WebSites built-in background application and will be ignored."
        ));
        return false;
    }
    let state = if pools.enabled_by_default {
        "enabled"
    } else {
        "disabled"
    };
    m.info(format!(
        "This application pool ({pool}) is not explicitly configured to be instrumented or not but application pools are set to be {state} by default."
    ));
    pools.enabled_by_default
}

/// Framework (`ShouldInstrumentProcess` with an empty parent path).
fn net_framework(config: &Configuration, facts: &ProcessFacts, m: &mut Messages) -> bool {
    let path = facts.process_path.as_str();
    if !config.agent_enabled {
        m.info("New Relic has been disabled via newrelic.config file.");
        return false;
    }
    if ends_with_ignore_case(path, "SMSvcHost.exe") {
        m.info("The SMSvcHost.exe process has been identified as an ignored process.");
        return false;
    }
    match config.app_config_agent_enabled {
        Some(true) => {
            m.info(format!(
                "Enabling instrumentation for this process due to existence of NewRelic.AgentEnabled=true in {path}.config."
            ));
            return true;
        }
        Some(false) => {
            m.info(format!(
                "Disabling instrumentation for this process due to the existence of NewRelic.AgentEnabled in {path}.config which is set to a value other than 'true'."
            ));
            return false;
        }
        None => {}
    }
    if config
        .included_processes
        .iter()
        .any(|name| ends_with_ignore_case(path, name))
    {
        m.info(format!(
            "Enabling instrumentation for this process ({path}) due to existence of application node in newrelic.config or NEW_RELIC_INCLUDED_APPLICATION_NAMES environment variable."
        ));
        return true;
    }
    if is_iis(path, "", m) {
        return application_pool(config, &facts.app_pool_id, m);
    }
    if PREDEFINED_PROCESSES
        .iter()
        .any(|name| ends_with_ignore_case(path, name))
    {
        m.info(format!(
            "Enabling instrumentation for this process ({path}) due to it being in a predefined set of processes to be instrumented."
        ));
        return true;
    }
    if config.agent_enabled_in_local_config {
        m.info("Enabling instrumentation for this process due to existence of agentEnabled=true in local newrelic.config.");
        return true;
    }
    m.info(format!(
        "This process ({path}) is not configured to be instrumented."
    ));
    false
}
