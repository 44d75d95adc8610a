//! ShouldInstrumentTest: the Core command-line heuristics (§2.5 step 3).

use super::*;
use crate::config::process_filter::is_dotnet_build_invocation;

fn core_decision(command_line: &str) -> (bool, Vec<LogMessage>) {
    let sys = MockSystem::new();
    instrument_logged(
        &Configuration::default(),
        &sys,
        "processPath",
        "",
        "appPoolId",
        command_line,
        true,
    )
}

const NOT_INSTRUMENTED: [&str; 24] = [
    "dotnet run",
    "DotNet Run",
    "dotnet.exe run",
    "\"dotnet.exe\" run",
    "\"c:\\program files\\dotnet.exe\" run",
    "\"c:\\program files\\dotnet.exe\"   run",
    "dotnet publish",
    "dotnet restore",
    "dotnet run -p c:\\test\\test.csproj",
    "dotnet run -p \"c:\\program files\\test.csproj\"",
    "dotnet run -p ~/test.csproj",
    "dotnet.exe exec \"c:\\program files\\MSBuild.dll\" -maxcpucount",
    "dotnet.exe exec c:\\test\\msbuild.dll",
    "dotnet new console",
    "dotnet new mvc",
    "dotnet\" run",
    "\"dotnet\" run",
    "app1.exe | dotnet run",
    "dotnet Kudu.Services.Web.dll",
    "/opt/Kudu/Kudu.Services.Web",
    // Our additions for the other §2.5 needles and spellings.
    "dotnet /home/site/kuduagent.dll",
    "./DiagServer --port 1",
    "/usr/bin/dotnet' RESTORE",
    "dotnet exec /sdk/MSBUILD.DLL",
];

const INSTRUMENTED: [&str; 20] = [
    "dotnetXexe restore",
    "\"c:\\program files\\dotnet.exe\"run",
    "dotnet exec test.dll",
    "dotnet exec publish.dll",
    "dotnet publish.dll",
    "dotnet run.dll",
    "dotnet restore.dll",
    "dotnet.exerun publish.dll",
    "IpublishedThis.exe",
    "dotnet new.dll",
    "dotnet exec new.dll",
    "dotnet myapp.dll run thisapp",
    "dotnet/run/IpublishedThis.exe",
    "run dotnet",
    "IpublishedThis.exe \"dotnet run\"",
    "IpublishedThis.exe 'dotnet run'",
    "dotnet exec IpublishedThis.dll dotnet run",
    "dotnet exec IpublishedThis.dll \"dotnet run \"",
    // Our additions: only spaces separate tokens; a prefix breaks the word.
    "dotnet\trun",
    "mydotnet run",
];

/// Cases the original documents as wrongly refused; kept for compatibility.
const DOCUMENTED_FALSE_NEGATIVES: [&str; 3] = [
    "IpublishedThis.exe \"dotnet run \"",
    "'IpublishedThis.exe' \"dotnet run \"",
    "IpublishedThis.exe dotnet run",
];

#[test]
fn net_core_dotnet_exe_invocations_not_instrumented() {
    for command_line in NOT_INSTRUMENTED.iter().chain(&DOCUMENTED_FALSE_NEGATIVES) {
        let (decision, messages) = core_decision(command_line);
        assert!(!decision, "{command_line:?} must not be instrumented");
        assert_eq!(
            texts(&messages, Level::Info),
            vec!["This process will not be instrumented. Command line identified as invalid invocation for instrumentation"],
            "{command_line:?}"
        );
    }
    for command_line in INSTRUMENTED {
        let (decision, _) = core_decision(command_line);
        assert!(decision, "{command_line:?} must be instrumented");
    }
}

#[test]
fn only_the_first_dotnet_token_with_a_successor_decides() {
    assert!(is_dotnet_build_invocation("dotnet run"));
    assert!(is_dotnet_build_invocation("  dotnet   new  "));
    assert!(!is_dotnet_build_invocation("dotnet exec x.dll dotnet run"));
    assert!(!is_dotnet_build_invocation("dotnet"));
    assert!(!is_dotnet_build_invocation(""));
    assert!(!is_dotnet_build_invocation("   "));
    assert!(is_dotnet_build_invocation(
        "/usr/share/DOTNET/dotnet.EXE Publish"
    ));
    assert!(is_dotnet_build_invocation("C:\\dotnet\\dotnet.exe' run"));
    assert!(!is_dotnet_build_invocation("xdotnet.exe run"));
    assert!(!is_dotnet_build_invocation("dötnet run"));
    assert!(
        !is_dotnet_build_invocation("ädotnet run"),
        "non-ASCII before the word is no boundary"
    );
}

#[test]
fn build_tool_checks_come_before_the_iis_rule() {
    let sys = MockSystem::new();
    let config = Configuration {
        application_pools: crate::config::ApplicationPools {
            enabled_by_default: false,
            ..Default::default()
        },
        ..Configuration::default()
    };
    let (decision, messages) =
        instrument_logged(&config, &sys, "W3WP.EXE", "", "pool", "dotnet run", true);
    assert!(!decision);
    assert!(!texts(&messages, Level::Info)
        .iter()
        .any(|t| t.contains("IIS")));
    assert!(!instrument(
        &config,
        &sys,
        "X",
        "W3WP.EXE",
        "pool",
        "dotnet x.dll",
        true
    ));
    assert!(instrument(
        &config,
        &sys,
        "X",
        "W3WP.EXE.OLD",
        "pool",
        "dotnet x.dll",
        true
    ));
}
