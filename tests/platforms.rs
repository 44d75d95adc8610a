//! Platforms and packaging (issue 6), checked on what is already there —
//! this test builds nothing and runs in well under a second:
//!
//! 1. `artifacts_meet_the_binary_constraints`: every library that
//!    `build_targets/build-all` left in `target/platforms/<platform>/` has
//!    the exports of `build_targets/exports.txt` (required once `src/`
//!    defines them; undecorated on Windows), the right architecture,
//!    `DT_SONAME libNewRelicProfiler.so`, `DT_NEEDED` limited to the C
//!    runtime and loader (no libgcc_s/C++ runtime on musl, no MinGW runtime
//!    DLLs on Windows) and, for glibc, no symbol version above `GLIBC_2.17`
//!    (reference-profiler §1.1, §9). This re-checks, with the `object` crate,
//!    what `build_targets/check-artifact` checked with binutils.
//! 2. `packages_are_agent_homes`: every tarball from `build_targets/package`
//!    holds the agent-home layout and the very library that was checked.
//! 3. `dockerfiles_reference_what_exists`: the Dockerfiles in `docker/` copy
//!    paths that exist (or that `build_targets` produce), build targets that
//!    `.cargo/config.toml` configures with the flags they need, and set the
//!    profiler variables consistently (Docker cannot run on the build
//!    machines, so this is their test).
//!
//! 1 and 2 check build output, so plain `cargo test` reports them as
//! ignored (with that reason); `.ci/run` builds the x64 glibc and musl
//! platforms and runs them with `--include-ignored`. Platforms that were not
//! built are listed and skipped, unless `NR_REQUIRE_PLATFORMS`
//! (comma-separated) names them — `.ci/run` sets it for the platforms it
//! builds. `NR_PLATFORMS_OUT` moves `target/platforms`.

use object::read::elf::{Dyn, ElfFile64, FileHeader};
use object::read::pe::{PeFile32, PeFile64};
use object::{Object, ObjectSymbol};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

const PLATFORMS: [Platform; 6] = [
    Platform::new("linux-x64", Kind::Glibc, object::Architecture::X86_64),
    Platform::new("linux-arm64", Kind::Glibc, object::Architecture::Aarch64),
    Platform::new("linux-musl-x64", Kind::Musl, object::Architecture::X86_64),
    Platform::new(
        "linux-musl-arm64",
        Kind::Musl,
        object::Architecture::Aarch64,
    ),
    Platform::new("win-x64", Kind::Windows, object::Architecture::X86_64),
    Platform::new("win-x86", Kind::Windows, object::Architecture::I386),
];

#[derive(Clone, Copy, PartialEq, Debug)]
enum Kind {
    Glibc,
    Musl,
    Windows,
}

struct Platform {
    name: &'static str,
    kind: Kind,
    arch: object::Architecture,
}

impl Platform {
    const fn new(name: &'static str, kind: Kind, arch: object::Architecture) -> Platform {
        Platform { name, kind, arch }
    }

    fn library(&self) -> &'static str {
        match self.kind {
            Kind::Windows => "NewRelic.Profiler.dll",
            _ => "libNewRelicProfiler.so",
        }
    }
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn out_dir() -> PathBuf {
    std::env::var_os("NR_PLATFORMS_OUT")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("target/platforms"))
}

fn required_platforms() -> Vec<String> {
    let list = std::env::var("NR_REQUIRE_PLATFORMS").unwrap_or_default();
    let names: Vec<String> = list
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    for name in &names {
        assert!(
            PLATFORMS.iter().any(|p| p.name == name),
            "NR_REQUIRE_PLATFORMS names an unknown platform {name}"
        );
    }
    names
}

fn cargo_version() -> String {
    let manifest = std::fs::read_to_string(repo().join("Cargo.toml")).unwrap();
    manifest
        .lines()
        .find_map(|l| l.strip_prefix("version = \""))
        .and_then(|v| v.strip_suffix('"'))
        .expect("package version in Cargo.toml")
        .to_string()
}

#[path = "platforms/artifacts.rs"]
mod artifacts;
#[path = "platforms/dockerfiles.rs"]
mod dockerfiles;
#[path = "platforms/packages.rs"]
mod packages;
