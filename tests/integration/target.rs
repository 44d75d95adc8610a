//! The platform the integration tests run their C# apps on (issue 15).
//!
//! By default the apps run as on a developer's machine: `dotnet App.dll`
//! with the linux-x64 runtime. `build_targets/runtime-check` sets
//! `NR_RUNTIME_TARGET` to another platform and `NR_PROFILER_LIBRARY` to the
//! library built for it; the same tests then publish each app self-contained
//! for that platform's runtime identifier and launch its apphost under that
//! platform's real .NET runtime:
//!
//! | target | runner |
//! |---|---|
//! | `win-x64`, `win-x86` | `wine App.exe` (`NR_WINE` names the loader, `WINEPREFIX` the prefix); paths passed as `Z:\…` |
//! | `linux-arm64` | `qemu-aarch64 -L /usr/aarch64-linux-gnu ./App` (`NR_QEMU_LD_PREFIX` overrides the sysroot) |
//! | `linux-musl-x64` | `./App` under musl's loader; `LD_LIBRARY_PATH` = the profiler's folder (as the musl package's `setenv.sh` sets it, docs/install.md) and `NR_MUSL_COMPAT_DIR` (glibc's C++ runtime behind a small shim, `build_targets/runtime/`) |
//!
//! Everything else — homes, logs, the test agent, every assertion — is the
//! same code; what differs by OS (path syntax, process names, the default
//! log folders) comes from the helpers here.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Target {
    /// `dotnet App.dll` on this machine (linux-x64).
    Native,
    WinX64,
    WinX86,
    LinuxArm64,
    LinuxMuslX64,
}

/// The target named by `NR_RUNTIME_TARGET` (unset or `linux-x64`: native).
pub fn target() -> Target {
    static TARGET: OnceLock<Target> = OnceLock::new();
    *TARGET.get_or_init(|| {
        let name = std::env::var("NR_RUNTIME_TARGET").unwrap_or_default();
        let target = match name.as_str() {
            "" | "linux-x64" => Target::Native,
            "win-x64" => Target::WinX64,
            "win-x86" => Target::WinX86,
            "linux-arm64" => Target::LinuxArm64,
            "linux-musl-x64" => Target::LinuxMuslX64,
            other => panic!(
                "NR_RUNTIME_TARGET={other}: expected linux-x64, win-x64, win-x86, linux-arm64 or linux-musl-x64"
            ),
        };
        if target != Target::Native {
            eprintln!("runtime target: {name} (apps published self-contained, run by its own runtime)");
        }
        target
    })
}

impl Target {
    /// The runtime identifier the apps are published for (`None`: native `dotnet`).
    pub fn rid(self) -> Option<&'static str> {
        match self {
            Target::Native => None,
            Target::WinX64 => Some("win-x64"),
            Target::WinX86 => Some("win-x86"),
            Target::LinuxArm64 => Some("linux-arm64"),
            Target::LinuxMuslX64 => Some("linux-musl-x64"),
        }
    }

    pub fn is_windows(self) -> bool {
        matches!(self, Target::WinX64 | Target::WinX86)
    }

    /// An emulator or a compatibility layer runs the app: allow more time.
    pub fn slowdown(self) -> u32 {
        match self {
            Target::Native | Target::LinuxMuslX64 => 1,
            Target::WinX64 | Target::WinX86 => 2,
            Target::LinuxArm64 => 4,
        }
    }

    /// How much slower than natively a runtime-level operation may be here:
    /// suspending the runtime goes through Wine's server or qemu's signal
    /// emulation (a sanity bound is scaled by it, never dropped).
    pub fn speed_allowance(self) -> f64 {
        match self {
            Target::Native | Target::LinuxMuslX64 => 1.0,
            Target::WinX64 | Target::WinX86 | Target::LinuxArm64 => 5.0,
        }
    }
}

/// The path as the app and the profiler see it: `Z:\…` under Wine.
pub fn target_path(path: &Path) -> String {
    let text = path.display().to_string();
    if target().is_windows() {
        windows_path(&text)
    } else {
        text
    }
}

/// `/a/b` → `Z:\a\b` (Wine maps drive Z: to the Unix root).
fn windows_path(unix: &str) -> String {
    format!("Z:{}", unix.replace('/', "\\"))
}

/// An env value or argument for the target: absolute Unix paths become
/// Windows paths under Wine, everything else is passed as it is.
pub fn for_target(value: &str) -> String {
    if target().is_windows() && value.starts_with('/') {
        windows_path(value)
    } else {
        value.to_string()
    }
}

/// The folder the profiler creates under a home when no log variable is
/// set (reference-profiler §3.2): `logs`, `Logs` on Windows.
pub fn home_logs_dir(home: &Path) -> PathBuf {
    home.join(if target().is_windows() {
        "Logs"
    } else {
        "logs"
    })
}

/// The process name the profiler's process filter sees for an app
/// (reference-profiler §2.5, basename of the executable): `dotnet` for a
/// framework-dependent run, the apphost otherwise (`App.exe` on Windows).
pub fn process_name(app_dll: &Path) -> String {
    let stem = app_dll
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    match target() {
        Target::Native => "dotnet".to_string(),
        t if t.is_windows() => format!("{stem}.exe"),
        _ => stem.to_string(),
    }
}

/// The apphost beside a published app's main assembly.
pub fn apphost(app_dll: &Path) -> PathBuf {
    if target().is_windows() {
        app_dll.with_extension("exe")
    } else {
        app_dll.with_extension("")
    }
}

/// The command that runs `program` (an apphost) on the target.
pub fn runner(program: &str, profiler: &Path) -> Command {
    match target() {
        Target::Native => Command::new(program),
        Target::WinX64 | Target::WinX86 => {
            // NR_WINE: the loader for the architecture (build_targets/lib/wine.sh)
            let wine = std::env::var("NR_WINE").unwrap_or_else(|_| "wine".to_string());
            let mut command = Command::new(wine);
            command.arg(program);
            if std::env::var_os("WINEDEBUG").is_none() {
                command.env("WINEDEBUG", "-all");
            }
            // CoreCLR's W^X double mapping (on by default) under Wine 8:
            // with 16 threads making their first instrumented calls at once,
            // about one run in three of `live_instrumentation::refreshes_racing_…`
            // died with `Internal CLR error (0x80131506)` in
            // `RuntimeMethodHandle.Destroy` (a dynamic method's finalizer);
            // never with W^X off (0 of 6), never without instrumentation
            // (0 of 4), never on Linux (glibc, musl, arm64). Taken to be
            // Wine's shared executable mappings; a run on real Windows would
            // settle it (docs/platforms.md).
            if std::env::var_os("DOTNET_EnableWriteXorExecute").is_none() {
                command.env("DOTNET_EnableWriteXorExecute", "0");
            }
            command
        }
        Target::LinuxArm64 => {
            let sysroot = std::env::var("NR_QEMU_LD_PREFIX")
                .unwrap_or_else(|_| "/usr/aarch64-linux-gnu".to_string());
            let mut command = Command::new("qemu-aarch64");
            command.arg("-L").arg(sysroot).arg(program);
            command
        }
        Target::LinuxMuslX64 => {
            let compat = std::env::var("NR_MUSL_COMPAT_DIR").unwrap_or_else(|_| {
                panic!(
                    "NR_RUNTIME_TARGET=linux-musl-x64 needs NR_MUSL_COMPAT_DIR (the folder \
                     build_targets/runtime-check prepares with the C++ runtime and its shim)"
                )
            });
            let profiler_dir = profiler.parent().unwrap_or(Path::new("."));
            let mut command = Command::new(program);
            command.env(
                "LD_LIBRARY_PATH",
                format!("{}:{compat}", profiler_dir.display()),
            );
            command
        }
    }
}

/// Serialises the tests that write Wine's registry with those that need it
/// empty (a home from the registry changes where a home-less run logs).
pub static WINE_REGISTRY: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Runs `wine reg ARGS…` in the test prefix (Windows targets only).
pub fn wine_reg(args: &[&str]) {
    let wine = std::env::var("NR_WINE").unwrap_or_else(|_| "wine".to_string());
    let output = Command::new(&wine)
        .arg("reg")
        .args(args)
        .env("WINEDEBUG", "-all")
        .output()
        .unwrap_or_else(|e| panic!("{wine} reg: {e}"));
    assert!(
        output.status.success(),
        "{wine} reg {args:?} failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
