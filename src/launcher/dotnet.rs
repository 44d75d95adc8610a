//! Building the bundled C# projects with the local SDK.

use std::path::Path;
use std::process::Command;

/// `dotnet build -c Release --artifacts-path <artifacts> <project>`.
pub fn build(project: &Path, artifacts: &Path) -> Result<(), String> {
    let output = Command::new("dotnet")
        .args([
            "build",
            "-c",
            "Release",
            "--nologo",
            "-v",
            "quiet",
            "--artifacts-path",
        ])
        .arg(artifacts)
        .arg(project)
        .env("DOTNET_CLI_TELEMETRY_OPTOUT", "1")
        .env("DOTNET_NOLOGO", "1")
        .env_remove("CORECLR_ENABLE_PROFILING")
        .output()
        .map_err(|e| format!("cannot run `dotnet` (is the .NET 10 SDK installed?): {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "dotnet build {} failed:\n{}{}",
            project.display(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}
