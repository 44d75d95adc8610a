//! `ICorProfilerCallback::Initialize` on the CoreCLR and Framework paths,
//! step by step as reference-profiler §2.1 lists them.

use super::agent_dll::{check_agent_image, find_agent_core_dll};
use super::event_mask::{MaskMode, DISABLE_READY_TO_RUN_VARIABLE};
use super::helper_injection::{HelperMode, TEST_SWITCH as HELPER_TEST_SWITCH};
use super::logging_setup::{fallback_settings, start_logging};
use super::{Active, Profiler};
use crate::clr::{ComPtr, ProfilerInfo};
use crate::config::{loader, process_filter};
use crate::counters;
use crate::ffi::hresult::{CORPROF_E_PROFILER_CANCEL_ACTIVATION, S_OK};
use crate::ffi::info::{ICorProfilerInfo10Vtbl, ICorProfilerInfo11Vtbl, ICorProfilerInfo7Vtbl};
use crate::ffi::types::HRESULT;
use crate::ffi::unknown::IUnknownVtbl;
use crate::instrument::tracer_request::AgentLookup;
use crate::runtime::RuntimeKind;
use crate::system::env::Env;
use crate::system::SystemCalls;

const CANCEL: HRESULT = CORPROF_E_PROFILER_CANCEL_ACTIVATION;

/// The runtime we assume before `GetRuntimeInformation` answered, only to
/// locate the log for an early failure.
const ASSUMED_RUNTIME: RuntimeKind = if cfg!(windows) {
    RuntimeKind::Framework
} else {
    RuntimeKind::Core
};

impl Profiler {
    /// Runs the §2.1 sequence; `S_OK` keeps the profiler attached, anything
    /// else (always `CORPROF_E_PROFILER_CANCEL_ACTIVATION`) detaches it.
    pub fn initialize(&self, unknown: ComPtr<IUnknownVtbl>) -> HRESULT {
        let wanted = self.system().env_var(counters::ENABLED_VARIABLE);
        counters::set_enabled(crate::system::env::parse_bool(wanted.as_deref()).unwrap_or(false));
        let timer = counters::Timer::start();
        let hr = self.initialize_steps(unknown);
        timer.stop(counters::Counter::Initialize);
        hr
    }

    fn initialize_steps(&self, unknown: ComPtr<IUnknownVtbl>) -> HRESULT {
        delay_attach_in_debug_builds(&Env::new(self.system(), ASSUMED_RUNTIME));

        // 2. ICorProfilerInfo4 is required for everything that follows.
        let info = match ProfilerInfo::new(unknown) {
            Ok(info) => info,
            Err(hr) => {
                crate::log_error!("Error initializing CLR profiler info: {hr}");
                return self.detach_before_configuration(ASSUMED_RUNTIME);
            }
        };

        // 3. Runtime family from GetRuntimeInformation, never from the CLSID (§1.3).
        let runtime_info = match info.runtime_information() {
            Ok(runtime_info) => runtime_info,
            Err(hr) => {
                crate::log_error!("Error retrieving runtime information: {hr}");
                return self.detach_before_configuration(ASSUMED_RUNTIME);
            }
        };
        let Some(runtime) = RuntimeKind::from_cor_prf_runtime_type(runtime_info.runtime_type)
        else {
            crate::log_error!("Unknown Runtime Type found: {}", runtime_info.runtime_type);
            return self.detach_before_configuration(ASSUMED_RUNTIME);
        };
        let sys = self.system();
        let env = Env::new(sys, runtime);

        // 4–6. Configuration, then logging; a configuration failure is logged once the log is open.
        let configuration = loader::load(sys, &env);
        let settings = match &configuration {
            Ok(configuration) => configuration.log_settings(&env),
            Err(_) => fallback_settings(&env),
        };
        start_logging(sys, &env, settings);
        crate::validation::init(sys, &crate::log::location::log_directory(&env, sys));
        let configuration = match configuration {
            Ok(configuration) => configuration,
            Err(error) => {
                crate::validation_event!("detach", reason = error.to_string());
                crate::log_error!(
                    "An exception was thrown while initializing the profiler. The profiler will be detached now."
                );
                return CANCEL;
            }
        };

        // 7.
        crate::log_trace!("{}", runtime.product_name());

        // 8. Minimum runtime version.
        match runtime {
            RuntimeKind::Core if !info.supports::<ICorProfilerInfo11Vtbl>() => {
                crate::log_error!(".NET Core 3.1 or greater required. Profiler not attaching.");
                return detach("runtime older than .NET Core 3.1");
            }
            RuntimeKind::Framework if !info.supports::<ICorProfilerInfo7Vtbl>() => {
                crate::log_error!(
                    ".NET Framework 4.6.1 is required.  Detaching New Relic profiler."
                );
                return detach("runtime older than .NET Framework 4.6.1");
            }
            _ => {}
        }

        // 9. Thread profiler: nothing is started until the agent asks.
        crate::log_info!("Initializing ThreadProfiler");
        if info.supports::<ICorProfilerInfo10Vtbl>() {
            crate::log_info!("ICorProfilerInfo10 available");
        }

        // 10. The agent assembly the injected code will load.
        let Some(agent_core_dll) = find_agent_core_dll(&env, sys) else {
            crate::log_error!("The New Relic Agent DLL is missing.");
            return detach("agent DLL missing");
        };
        check_agent_image(sys, &agent_core_dll);

        // 12. Process filter, unless profiling is forced by the variable's mere existence.
        // Evaluated before step 11 (the original parses every extension file first):
        // an excluded process then pays only for newrelic.config (compatibility P3).
        crate::log_trace!("Checking to see if we should instrument this process.");
        let forced = env.force_profiling();
        let instrument = forced || process_filter::evaluate(&configuration, sys, &env);
        crate::validation_event!(
            "process_filter",
            instrument = instrument,
            forced = forced,
            process_path = sys.process_path(),
            command_line = sys.command_line()
        );
        if !instrument {
            crate::log_info!("This process should not be instrumented, unloading profiler.");
            return detach("process filtered out");
        }

        // 11. Instrumentation XML and the Lambda handler point (§4), only for a process that stays.
        let home = env
            .home_path()
            .or_else(|| sys.registry_home())
            .unwrap_or_default();
        let instrumentation =
            crate::config::instrumentation::load(sys, &home, runtime, &configuration.ignore_list);

        // 13. Event mask: by default ReadyToRun code and tiered compilation
        // are kept on CoreCLR; the variable restores the original's mask,
        // which also disables tiered compilation when Info5 exists.
        let mode = MaskMode::choose(
            runtime,
            env.bool_or(DISABLE_READY_TO_RUN_VARIABLE, false),
            info.has_info10(),
        );
        let (mask, mask_high) = mode.masks();
        let mask_result = if runtime.is_core() && info.has_info5() {
            crate::log_debug!("Calling SetEventMask2().");
            info.set_event_mask2(mask, mask_high).unwrap_or(Ok(()))
        } else {
            crate::log_debug!("Calling SetEventMask().");
            info.set_event_mask(mask)
        };
        if let Err(hr) = mask_result {
            crate::log_error!("Unable to set the profiler event mask. HRESULT: {hr}");
            crate::log_error!(
                "An exception was thrown while initializing the profiler. The profiler will be detached now."
            );
            return detach("event mask refused");
        }

        if mode.keeps_ready_to_run() {
            crate::log_debug!("ReadyToRun code and tiered compilation are kept; configured methods are found and re-JIT-ted at module load ({DISABLE_READY_TO_RUN_VARIABLE}=true restores the original event mask).");
        }

        // 14.
        crate::log_trace!("CLR version: {}.{}", runtime_info.major, runtime_info.minor);
        if env.appdomain_caching_disabled() {
            crate::log_info!("The use of AppDomain for method information caching is disabled via the 'NEW_RELIC_DISABLE_APPDOMAIN_CACHING' environment variable.");
        }
        let helper_mode = helper_mode(sys, runtime);
        let agent_lookup = agent_lookup(
            helper_mode,
            runtime_info.major,
            env.appdomain_caching_disabled(),
        );

        crate::validation_event!(
            "initialize",
            runtime = runtime.product_name(),
            clr_version = format!("{}.{}", runtime_info.major, runtime_info.minor),
            home = home.as_str(),
            agent_core_dll = agent_core_dll.as_str(),
            agent_lookup = format!("{agent_lookup:?}"),
            log_level = settings.level.tag().trim_end(),
            event_mask = format!("{mask:#010x}"),
            event_mask_high = if runtime.is_core() && info.has_info5() {
                format!("{mask_high:#x}")
            } else {
                "0x0".to_string()
            },
            config_files = configuration.sources.clone(),
            instrumentation_files = instrumentation.source_files().to_vec(),
            points = instrumentation.len(),
            invalid_files = instrumentation.invalid_file_count()
        );
        let _ = self.active.set(
            Active::new(
                info,
                runtime,
                agent_core_dll,
                agent_lookup,
                home,
                instrumentation,
                configuration.ignore_list.clone(),
            )
            .with_mask_mode(mode)
            .with_helpers(helper_mode),
        );
        // 15.
        crate::log_info!("Profiler initialized");
        S_OK
    }

    /// Opens the log with environment-only settings so an early failure is
    /// visible (the original drops these lines), then detaches.
    fn detach_before_configuration(&self, runtime: RuntimeKind) -> HRESULT {
        let env = Env::new(self.system(), runtime);
        start_logging(self.system(), &env, fallback_settings(&env));
        CANCEL
    }
}

/// The detach return value, with its validation event.
fn detach(reason: &str) -> HRESULT {
    crate::validation_event!("detach", reason = reason);
    crate::validation::close();
    CANCEL
}

/// DEBUG builds only: sleep `NEW_RELIC_PROFILER_DELAY_IN_SEC` seconds so a
/// debugger can attach (§2.1 step 1).
fn delay_attach_in_debug_builds(env: &Env<'_>) {
    if cfg!(debug_assertions) {
        if let Some(seconds) = env
            .profiler_delay()
            .as_deref()
            .and_then(crate::system::strings::stoi)
            .filter(|s| *s > 0)
        {
            std::thread::sleep(std::time::Duration::from_secs(seconds as u64));
        }
    }
}

/// Where the .NET Framework helper methods go (§5.5): mscorlib on .NET
/// Framework; on CoreCLR nowhere, unless the test-only switch asks for
/// System.Private.CoreLib (profiler/helper_injection.rs).
fn helper_mode(sys: &dyn SystemCalls, runtime: RuntimeKind) -> HelperMode {
    let test_switch =
        crate::system::env::parse_bool(sys.env_var(HELPER_TEST_SWITCH).as_deref()).unwrap_or(false);
    let mode = HelperMode::choose(runtime, test_switch);
    if mode == HelperMode::CoreLibTest {
        crate::log_warn!("{HELPER_TEST_SWITCH} is set: instrumented functions are treated as .NET Framework functions and the helper methods are injected into System.Private.CoreLib. This is for tests only.");
    }
    mode
}

/// How wrappers reach the agent (instrument/tracer_request.rs): on .NET
/// Framework (or under the helper test switch) the AppDomain storage of the
/// mscorlib helpers; on CoreCLR the cached typed delegate, which needs a
/// public `AppContext.SetData` (.NET 5, runtime major version 5 and later).
/// `NEW_RELIC_DISABLE_APPDOMAIN_CACHING` keeps the original per-call
/// reflection everywhere.
fn agent_lookup(helpers: HelperMode, major: u16, caching_disabled: bool) -> AgentLookup {
    match helpers {
        _ if caching_disabled => AgentLookup::PerCallReflection,
        HelperMode::Framework | HelperMode::CoreLibTest => AgentLookup::AppDomainHelper,
        HelperMode::Off if major >= 5 => AgentLookup::CachedDelegate,
        HelperMode::Off => AgentLookup::PerCallReflection,
    }
}

#[cfg(test)]
mod lookup_tests {
    use super::*;

    #[test]
    fn the_cached_delegate_is_the_default_on_net5_and_later() {
        assert_eq!(
            agent_lookup(HelperMode::Off, 10, false),
            AgentLookup::CachedDelegate
        );
        assert_eq!(
            agent_lookup(HelperMode::Off, 10, true),
            AgentLookup::PerCallReflection
        );
        assert_eq!(
            agent_lookup(HelperMode::Off, 3, false),
            AgentLookup::PerCallReflection
        );
    }

    #[test]
    fn the_framework_uses_the_app_domain_helpers_unless_caching_is_disabled() {
        assert_eq!(
            agent_lookup(HelperMode::Framework, 4, false),
            AgentLookup::AppDomainHelper
        );
        assert_eq!(
            agent_lookup(HelperMode::CoreLibTest, 10, false),
            AgentLookup::AppDomainHelper
        );
        assert_eq!(
            agent_lookup(HelperMode::Framework, 4, true),
            AgentLookup::PerCallReflection
        );
        assert_eq!(
            agent_lookup(HelperMode::CoreLibTest, 10, true),
            AgentLookup::PerCallReflection
        );
    }
}
