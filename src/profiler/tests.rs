//! The start-up sequence against a fake runtime (reference-profiler §2.1):
//! the paths the real .NET 10 runtime cannot exercise — other runtime
//! types, missing interfaces, failing calls.

use super::Profiler;
use crate::clr::fake_info::{FakeInfo, FakeRuntime};
use crate::clr::ComPtr;
use crate::ffi::guids::*;
use crate::ffi::hresult::{CORPROF_E_PROFILER_CANCEL_ACTIVATION as CANCEL, E_FAIL, S_OK};
use crate::runtime::RuntimeKind;
use crate::system::mock::MockSystem;

const CONFIG: &str = r#"<configuration agentEnabled="true"><log level="info"/></configuration>"#;

/// A Linux-like CoreCLR home with config and agent; logging off so the
/// shared global logger stays quiet across tests.
fn core_system() -> MockSystem {
    MockSystem::new()
        .with_env("CORECLR_NEW_RELIC_HOME", "/nr")
        .with_env("NEW_RELIC_LOG_ENABLED", "false")
        .with_file("/nr/newrelic.config", CONFIG)
        .with_file("/nr/NewRelic.Agent.Core.dll", "")
}

fn framework_system() -> MockSystem {
    MockSystem::windows()
        .with_env("NEW_RELIC_HOME", r"C:\nr")
        .with_env("NEW_RELIC_LOG_ENABLED", "false")
        .with_env("NEW_RELIC_INCLUDED_APPLICATION_NAMES", "app.exe")
        .with_file(r"C:\nr\newrelic.config", CONFIG)
        .with_file(r"C:\nr\NewRelic.Agent.Core.dll", "")
}

/// The outcome of one `Initialize`. Fields drop in order, so the profiler
/// releases its references before the fake object is freed.
struct Outcome {
    profiler: Profiler,
    _fake: FakeInfo,
}

fn initialize(system: MockSystem, runtime: FakeRuntime) -> (i32, Vec<String>, Outcome) {
    let fake = FakeInfo::new(runtime);
    let profiler = Profiler::with_system(Box::new(system));
    // SAFETY: the fake is a live COM object for as long as `Outcome` lives.
    let unknown = unsafe { ComPtr::from_borrowed(fake.as_raw()) }.unwrap();
    let hr = profiler.initialize(unknown);
    let calls = fake.calls();
    if hr != S_OK {
        assert_eq!(
            fake.references(),
            1,
            "a detaching profiler keeps no reference"
        );
    }
    (
        hr,
        calls,
        Outcome {
            profiler,
            _fake: fake,
        },
    )
}

#[test]
fn coreclr_attaches_keeping_ready_to_run_and_tiered_compilation_by_default() {
    let (hr, calls, profiler) = initialize(core_system(), FakeRuntime::coreclr());
    assert_eq!(hr, S_OK);
    assert!(
        calls.contains(&"SetEventMask2(0x10040224, 0x0)".to_string()),
        "{calls:?}"
    );
    let active = profiler.profiler.active().unwrap();
    assert_eq!(active.runtime, RuntimeKind::Core);
    assert_eq!(active.mask_mode, crate::profiler::MaskMode::KeepReadyToRun);
    assert_eq!(active.agent_core_dll, "/nr/NewRelic.Agent.Core.dll");
}

#[test]
fn the_opt_out_sets_the_original_mask_and_disables_tiered_compilation() {
    for value in ["true", "TRUE", "1"] {
        let system = core_system().with_env("NEW_RELIC_PROFILER_DISABLE_READY_TO_RUN", value);
        let (hr, calls, profiler) = initialize(system, FakeRuntime::coreclr());
        assert_eq!(hr, S_OK);
        assert!(
            calls.contains(&"SetEventMask2(0xb0040224, 0x8)".to_string()),
            "{value}: {calls:?}"
        );
        let active = profiler.profiler.active().unwrap();
        assert_eq!(active.mask_mode, crate::profiler::MaskMode::Original);
    }
    for value in ["false", "0", "yes", ""] {
        let system = core_system().with_env("NEW_RELIC_PROFILER_DISABLE_READY_TO_RUN", value);
        let (_, calls, _) = initialize(system, FakeRuntime::coreclr());
        assert!(
            calls.contains(&"SetEventMask2(0x10040224, 0x0)".to_string()),
            "{value:?} keeps the default: {calls:?}"
        );
    }
}

#[test]
fn coreclr_without_info10_keeps_the_original_mask() {
    let (hr, calls, _) = initialize(
        core_system(),
        FakeRuntime::coreclr().without(IID_ICorProfilerInfo10),
    );
    assert_eq!(hr, S_OK, "{calls:?}");
    assert!(
        calls.contains(&"SetEventMask2(0xb0040224, 0x8)".to_string()),
        "no RequestReJITWithInliners, so no ReadyToRun: {calls:?}"
    );
}

#[test]
fn coreclr_without_info5_falls_back_to_set_event_mask() {
    let (hr, calls, _) = initialize(
        core_system(),
        FakeRuntime::coreclr().without(IID_ICorProfilerInfo5),
    );
    assert_eq!(hr, S_OK);
    assert!(
        calls.contains(&"SetEventMask(0x10040224)".to_string()),
        "{calls:?}"
    );
    assert!(!calls.iter().any(|c| c.starts_with("SetEventMask2")));
}

#[test]
fn framework_attaches_with_set_event_mask_and_framework_variables() {
    let (hr, calls, profiler) = initialize(framework_system(), FakeRuntime::framework());
    assert_eq!(hr, S_OK);
    assert!(
        calls.contains(&"SetEventMask(0xb0040224)".to_string()),
        "{calls:?}"
    );
    let active = profiler.profiler.active().unwrap();
    assert_eq!(active.runtime, RuntimeKind::Framework);
    assert_eq!(active.agent_core_dll, r"C:\nr\NewRelic.Agent.Core.dll");
}

#[test]
fn framework_process_not_configured_is_not_instrumented() {
    let system = MockSystem::windows()
        .with_env("NEW_RELIC_HOME", r"C:\nr")
        .with_env("NEW_RELIC_LOG_ENABLED", "false")
        .with_file(r"C:\nr\newrelic.config", CONFIG)
        .with_file(r"C:\nr\NewRelic.Agent.Core.dll", "");
    let (hr, calls, _) = initialize(system, FakeRuntime::framework());
    assert_eq!(hr, CANCEL);
    assert!(
        !calls.iter().any(|c| c.starts_with("SetEventMask")),
        "{calls:?}"
    );
}

#[test]
fn unknown_runtime_type_detaches() {
    let mut runtime = FakeRuntime::coreclr();
    runtime.runtime_type = 3;
    assert_eq!(initialize(core_system(), runtime).0, CANCEL);
}

#[test]
fn failing_runtime_information_detaches() {
    let mut runtime = FakeRuntime::coreclr();
    runtime.runtime_info_hr = E_FAIL;
    assert_eq!(initialize(core_system(), runtime).0, CANCEL);
}

#[test]
fn missing_info4_detaches() {
    let (hr, calls, _) = initialize(
        core_system(),
        FakeRuntime::coreclr().without(IID_ICorProfilerInfo4),
    );
    assert_eq!(hr, CANCEL);
    assert!(
        calls.is_empty(),
        "nothing is called without ICorProfilerInfo4: {calls:?}"
    );
}

#[test]
fn coreclr_older_than_3_1_detaches() {
    let (hr, calls, _) = initialize(
        core_system(),
        FakeRuntime::coreclr().without(IID_ICorProfilerInfo11),
    );
    assert_eq!(hr, CANCEL);
    assert!(
        !calls.iter().any(|c| c.starts_with("SetEventMask")),
        "{calls:?}"
    );
}

#[test]
fn framework_older_than_4_6_1_detaches() {
    let (hr, _, _) = initialize(
        framework_system(),
        FakeRuntime::framework().without(IID_ICorProfilerInfo7),
    );
    assert_eq!(hr, CANCEL);
}

#[test]
fn failing_event_mask_detaches() {
    let mut runtime = FakeRuntime::coreclr();
    runtime.set_event_mask_hr = E_FAIL;
    assert_eq!(initialize(core_system(), runtime).0, CANCEL);
}

#[test]
fn missing_configuration_detaches_before_any_runtime_setting() {
    let system = MockSystem::new()
        .with_env("CORECLR_NEW_RELIC_HOME", "/nr")
        .with_env("NEW_RELIC_LOG_ENABLED", "false")
        .with_file("/nr/NewRelic.Agent.Core.dll", "");
    let (hr, calls, _) = initialize(system, FakeRuntime::coreclr());
    assert_eq!(hr, CANCEL);
    assert_eq!(calls, vec!["GetRuntimeInformation".to_string()]);
}

#[test]
fn excluded_process_detaches_unless_forced() {
    let system = core_system().with_env("NEW_RELIC_EXCLUDED_APPLICATION_NAMES", "dotnet");
    assert_eq!(initialize(system, FakeRuntime::coreclr()).0, CANCEL);
    let forced = core_system()
        .with_env("NEW_RELIC_EXCLUDED_APPLICATION_NAMES", "dotnet")
        .with_env("NEWRELIC_FORCE_PROFILING", "false");
    assert_eq!(initialize(forced, FakeRuntime::coreclr()).0, S_OK);
}

#[test]
fn framework_module_load_returns_the_reference_values_and_coreclr_s_ok() {
    use crate::instrument::tracer_request::AgentLookup;
    use crate::profiler::helper_injection::HelperMode;
    const LOAD_FAILED: i32 = 0x8007_0002_u32 as i32;

    // .NET Framework: helpers on, AppDomain storage lookup; a failed load's
    // status comes back unchanged; module details the runtime cannot give
    // (the fake answers E_NOTIMPL) are E_FAIL (§5.5).
    let (hr, _, framework) = initialize(framework_system(), FakeRuntime::framework());
    assert_eq!(hr, S_OK);
    let active = framework.profiler.active().unwrap();
    assert_eq!(active.helpers.mode(), HelperMode::Framework);
    assert_eq!(active.agent_lookup, AgentLookup::AppDomainHelper);
    assert_eq!(
        framework.profiler.module_load_finished(1, LOAD_FAILED),
        LOAD_FAILED
    );
    assert_eq!(framework.profiler.module_load_finished(1, S_OK), E_FAIL);

    // CoreCLR: no helpers, and the callback always returns S_OK (§1.4).
    let (_, _, core) = initialize(core_system(), FakeRuntime::coreclr());
    let active = core.profiler.active().unwrap();
    assert_eq!(active.helpers.mode(), HelperMode::Off);
    assert_eq!(core.profiler.module_load_finished(1, LOAD_FAILED), S_OK);

    // The test switch: CoreLib hosts the helpers, functions are Framework
    // functions, and the callback still returns S_OK on CoreCLR.
    let system = core_system().with_env("NEWRELIC_PROFILER_TEST_FRAMEWORK_HELPERS", "1");
    let (_, _, switched) = initialize(system, FakeRuntime::coreclr());
    let active = switched.profiler.active().unwrap();
    assert_eq!(active.helpers.mode(), HelperMode::CoreLibTest);
    assert_eq!(active.function_runtime(), RuntimeKind::Framework);
    assert_eq!(active.agent_lookup, AgentLookup::AppDomainHelper);
    assert_eq!(switched.profiler.module_load_finished(1, S_OK), S_OK);
}
