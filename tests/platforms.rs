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

// ------------------------------------------------------------------ exports

/// `build_targets/exports.txt`: (name, required). An export is required once
/// `src/` defines `fn <name>(`.
fn expected_exports() -> Vec<(String, bool)> {
    let list = std::fs::read_to_string(repo().join("build_targets/exports.txt")).unwrap();
    let mut sources = String::new();
    collect_rust_sources(&repo().join("src"), &mut sources);
    list.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let name = l.split_whitespace().next().unwrap().to_string();
            let required = defines_fn(&sources, &name);
            (name, required)
        })
        .collect()
}

fn collect_rust_sources(dir: &Path, into: &mut String) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_rust_sources(&path, into);
        } else if path.extension().is_some_and(|e| e == "rs") {
            into.push_str(&std::fs::read_to_string(&path).unwrap());
            into.push('\n');
        }
    }
}

/// `fn<ws>+name<ws>*(` somewhere in `text`.
fn defines_fn(text: &str, name: &str) -> bool {
    text.match_indices(name).any(|(at, _)| {
        let before = text[..at].trim_end();
        let after = text[at + name.len()..].trim_start();
        before.ends_with("fn")
            && text[..at].len() > before.len()
            && after.starts_with('(')
            && !before[..before.len() - 2]
                .chars()
                .last()
                .is_some_and(|c| c.is_alphanumeric() || c == '_')
    })
}

#[test]
fn defines_fn_matches_only_function_definitions() {
    assert!(defines_fn(
        "pub extern \"C\" fn ReleaseProfile() {}",
        "ReleaseProfile"
    ));
    assert!(defines_fn("fn  ReleaseProfile (", "ReleaseProfile"));
    assert!(!defines_fn("// ReleaseProfile() frees", "ReleaseProfile"));
    assert!(!defines_fn("fn ReleaseProfileNow()", "ReleaseProfile"));
    assert!(!defines_fn("myfn ReleaseProfile()", "ReleaseProfile"));
}

// ------------------------------------------------------------- artifacts

struct Facts {
    arch: object::Architecture,
    exports: Vec<String>,
    soname: Option<String>,
    needed: Vec<String>,
    glibc_versions: Vec<String>,
}

fn elf_facts(bytes: &[u8]) -> Facts {
    let elf = ElfFile64::<object::Endianness>::parse(bytes).expect("a 64-bit ELF file");
    let exports = elf
        .dynamic_symbols()
        .filter(|s| s.is_definition() && s.is_global())
        .filter_map(|s| s.name().ok().map(str::to_string))
        .collect();
    let endian = elf.endian();
    let sections = elf.elf_header().sections(endian, bytes).unwrap();
    let (dynamic, strtab) = sections
        .dynamic(endian, bytes)
        .unwrap()
        .expect("a dynamic section");
    let strings = sections.strings(endian, bytes, strtab).unwrap();
    let text =
        |offset: u64| String::from_utf8_lossy(strings.get(offset as u32).unwrap()).into_owned();
    let mut soname = None;
    let mut needed = Vec::new();
    for entry in dynamic {
        let tag = entry.tag(endian);
        if tag == object::elf::DT_SONAME {
            soname = Some(text(entry.d_val(endian)));
        } else if tag == object::elf::DT_NEEDED {
            needed.push(text(entry.d_val(endian)));
        }
    }
    let mut glibc_versions = Vec::new();
    if let Some((mut needs, link)) = sections.gnu_verneed(endian, bytes).unwrap() {
        let strings = sections.strings(endian, bytes, link).unwrap();
        while let Some((_need, mut aux)) = needs.next().unwrap() {
            while let Some(aux) = aux.next().unwrap() {
                let name = String::from_utf8_lossy(aux.name(endian, strings).unwrap());
                if let Some(v) = name.strip_prefix("GLIBC_") {
                    glibc_versions.push(v.to_string());
                }
            }
        }
    }
    Facts {
        arch: elf.architecture(),
        exports,
        soname,
        needed,
        glibc_versions,
    }
}

fn pe_facts(bytes: &[u8], arch: object::Architecture) -> Facts {
    fn collect<'a>(file: &impl Object<'a>) -> (Vec<String>, Vec<String>) {
        let exports = file
            .exports()
            .unwrap()
            .filter_map(|e| {
                e.unwrap()
                    .name()
                    .name()
                    .map(|n| String::from_utf8_lossy(n).into_owned())
            })
            .collect();
        let mut needed: Vec<String> = file
            .imports()
            .unwrap()
            .map(|i| String::from_utf8_lossy(i.unwrap().library()).into_owned())
            .collect();
        needed.sort_by_key(|n| n.to_ascii_lowercase());
        needed.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
        (exports, needed)
    }
    let (found_arch, (exports, needed)) = if arch == object::Architecture::I386 {
        let pe = PeFile32::parse(bytes).expect("a PE32 file");
        (pe.architecture(), collect(&pe))
    } else {
        let pe = PeFile64::parse(bytes).expect("a PE32+ file");
        (pe.architecture(), collect(&pe))
    };
    Facts {
        arch: found_arch,
        exports,
        soname: None,
        needed,
        glibc_versions: Vec::new(),
    }
}

fn version_key(v: &str) -> Vec<u32> {
    v.split('.').map(|p| p.parse().unwrap_or(0)).collect()
}

/// Every problem with one artifact, as text (empty when it is fine).
fn artifact_problems(platform: &Platform, bytes: &[u8]) -> Vec<String> {
    let mut problems = Vec::new();
    let facts = match platform.kind {
        Kind::Windows => pe_facts(bytes, platform.arch),
        _ => elf_facts(bytes),
    };
    if facts.arch != platform.arch {
        problems.push(format!(
            "architecture {:?}, expected {:?}",
            facts.arch, platform.arch
        ));
    }
    for (name, required) in expected_exports() {
        if required && !facts.exports.iter().any(|e| e == &name) {
            problems.push(format!("export {name} missing (src/ defines it)"));
        }
    }
    if platform.kind == Kind::Windows {
        for e in &facts.exports {
            if e.contains('@') || e.starts_with('_') {
                problems.push(format!("decorated export {e}"));
            }
        }
        for dll in &facts.needed {
            let lower = dll.to_ascii_lowercase();
            if lower.starts_with("lib")
                || lower.contains("gcc")
                || lower.contains("stdc++")
                || lower.contains("winpthread")
                || lower.starts_with("vcruntime")
                || lower.starts_with("msvcp")
            {
                problems.push(format!("imports {dll}, which is not a Windows system DLL"));
            }
        }
    } else {
        if facts.soname.as_deref() != Some("libNewRelicProfiler.so") {
            problems.push(format!(
                "SONAME {:?}, expected libNewRelicProfiler.so",
                facts.soname
            ));
        }
        let allowed: &[&str] = match (platform.kind, platform.arch) {
            (Kind::Glibc, arch) => {
                if arch == object::Architecture::X86_64 {
                    &[
                        "libc.so.6",
                        "libm.so.6",
                        "libpthread.so.0",
                        "libdl.so.2",
                        "librt.so.1",
                        "libgcc_s.so.1",
                        "ld-linux-x86-64.so.2",
                    ]
                } else {
                    &[
                        "libc.so.6",
                        "libm.so.6",
                        "libpthread.so.0",
                        "libdl.so.2",
                        "librt.so.1",
                        "libgcc_s.so.1",
                        "ld-linux-aarch64.so.1",
                    ]
                }
            }
            _ => &["libc.so", "libc.musl-x86_64.so.1", "libc.musl-aarch64.so.1"],
        };
        for dep in &facts.needed {
            if !allowed.contains(&dep.as_str()) {
                problems.push(format!("DT_NEEDED {dep} is not the C runtime or loader"));
            }
        }
        match platform.kind {
            Kind::Glibc => match facts.glibc_versions.iter().max_by_key(|v| version_key(v)) {
                None => problems.push("no GLIBC_ symbol versions".to_string()),
                Some(max) if version_key(max) > version_key("2.17") => {
                    problems.push(format!("needs GLIBC_{max} (> 2.17)"))
                }
                Some(_) => {}
            },
            _ => {
                if !facts.glibc_versions.is_empty() {
                    problems.push("glibc symbol versions in a musl build".to_string());
                }
            }
        }
    }
    problems
}

#[test]
#[ignore = "checks the output of build_targets/build-all; .ci/run builds it and runs this with --include-ignored"]
fn artifacts_meet_the_binary_constraints() {
    let required = required_platforms();
    let mut checked = Vec::new();
    let mut problems = Vec::new();
    for platform in &PLATFORMS {
        let path = out_dir().join(platform.name).join(platform.library());
        let Ok(bytes) = std::fs::read(&path) else {
            if required.iter().any(|r| r == platform.name) {
                problems.push(format!(
                    "{}: {} was not built (NR_REQUIRE_PLATFORMS requires it; run build_targets/build-all)",
                    platform.name,
                    path.display()
                ));
            } else {
                eprintln!(
                    "{}: not built, not checked ({})",
                    platform.name,
                    path.display()
                );
            }
            continue;
        };
        for p in artifact_problems(platform, &bytes) {
            problems.push(format!("{}: {p}", platform.name));
        }
        eprintln!("{}: checked, {} bytes", platform.name, bytes.len());
        checked.push(platform.name);
    }
    assert!(
        problems.is_empty(),
        "artifact problems:\n{}",
        problems.join("\n")
    );
    eprintln!("checked: {checked:?}");
}

// --------------------------------------------------------------- packages

#[test]
#[ignore = "checks the output of build_targets/build-all --package; .ci/run builds it and runs this with --include-ignored"]
fn packages_are_agent_homes() {
    let required = required_platforms();
    let version = cargo_version();
    let mut problems = Vec::new();
    for platform in &PLATFORMS {
        let tarball = out_dir().join("packages").join(format!(
            "newrelic-profiler-{version}-{}.tar.gz",
            platform.name
        ));
        if !tarball.is_file() {
            if required.iter().any(|r| r == platform.name) {
                problems.push(format!("{}: {} missing", platform.name, tarball.display()));
            } else {
                eprintln!("{}: no package, not checked", platform.name);
            }
            continue;
        }
        let listing = Command::new("tar")
            .arg("-tzf")
            .arg(&tarball)
            .output()
            .expect("tar");
        assert!(listing.status.success(), "tar -tzf {}", tarball.display());
        let entries: Vec<String> = String::from_utf8_lossy(&listing.stdout)
            .lines()
            .map(|l| l.trim_end_matches('/').to_string())
            .collect();
        let scripts: &[&str] = match platform.kind {
            Kind::Windows => &["setenv.cmd"],
            _ => &["setenv.sh", "run.sh"],
        };
        let mut wanted = vec![
            platform.library(),
            "newrelic.config",
            "newrelic.xsd",
            "extensions/extension.xsd",
            "README.md",
            "LICENSE.txt",
            "BUILD-INFO.txt",
        ];
        wanted.extend_from_slice(scripts);
        for file in wanted {
            let entry = format!("newrelic-dotnet-agent/{file}");
            if !entries.contains(&entry) {
                problems.push(format!(
                    "{}: {entry} missing from the package",
                    platform.name
                ));
            }
        }
        let xml = entries
            .iter()
            .filter(|e| e.starts_with("newrelic-dotnet-agent/extensions/") && e.ends_with(".xml"))
            .count();
        let expected_xml = if platform.kind == Kind::Windows {
            45
        } else {
            29
        };
        if xml != expected_xml {
            problems.push(format!(
                "{}: {xml} extension files, expected {expected_xml}",
                platform.name
            ));
        }
        if let Some(stray) = entries
            .iter()
            .find(|e| !e.starts_with("newrelic-dotnet-agent"))
        {
            problems.push(format!(
                "{}: {stray} outside newrelic-dotnet-agent/",
                platform.name
            ));
        }
        // The packaged library is the artifact that was checked above.
        let packed = Command::new("tar")
            .arg("-xzOf")
            .arg(&tarball)
            .arg(format!("newrelic-dotnet-agent/{}", platform.library()))
            .output()
            .expect("tar");
        let built = std::fs::read(out_dir().join(platform.name).join(platform.library()));
        if built.ok().as_deref() != Some(packed.stdout.as_slice()) {
            problems.push(format!(
                "{}: the packaged {} differs from target/platforms/{}/ (stale package?)",
                platform.name,
                platform.library(),
                platform.name
            ));
        }
        eprintln!(
            "{}: package checked ({} entries)",
            platform.name,
            entries.len()
        );
    }
    assert!(
        problems.is_empty(),
        "package problems:\n{}",
        problems.join("\n")
    );
}

// ------------------------------------------------------------ Dockerfiles

/// One instruction of a Dockerfile: keyword and its text, continuation
/// lines joined, comments dropped.
fn instructions(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('#') || (trimmed.is_empty() && current.is_empty()) {
            continue;
        }
        if let Some(body) = trimmed.strip_suffix('\\') {
            current.push_str(body);
            current.push(' ');
            continue;
        }
        current.push_str(trimmed);
        let (keyword, rest) = current
            .split_once(char::is_whitespace)
            .unwrap_or((&current, ""));
        out.push((keyword.to_ascii_uppercase(), rest.trim().to_string()));
        current.clear();
    }
    out
}

/// `KEY=value KEY2=value2` (values without spaces, as in our files).
fn assignments(text: &str) -> BTreeMap<String, String> {
    text.split_whitespace()
        .filter_map(|w| w.split_once('='))
        .map(|(k, v)| (k.to_string(), v.trim_matches('"').to_string()))
        .collect()
}

fn substitute(text: &str, args: &BTreeMap<String, String>) -> String {
    let mut s = text.to_string();
    for (k, v) in args {
        s = s
            .replace(&format!("${{{k}}}"), v)
            .replace(&format!("${k}"), v);
    }
    s
}

/// Checks one Dockerfile; returns its problems.
fn dockerfile_problems(name: &str, text: &str) -> Vec<String> {
    let repo = repo();
    let version = cargo_version();
    let cargo_config = std::fs::read_to_string(repo.join(".cargo/config.toml")).unwrap();
    let guid = "{36032161-FFC0-4B61-B559-F6C5D41BAE5A}";
    let launcher = std::fs::read_to_string(repo.join("src/launcher/attach.rs")).unwrap();
    assert!(
        launcher.contains(guid),
        "the launcher's CORECLR_PROFILER GUID changed"
    );

    let mut problems = Vec::new();
    let mut args = BTreeMap::new();
    let mut stages: Vec<String> = Vec::new();
    let mut env = BTreeMap::new();
    let mut bases = Vec::new();
    let mut workdir = "/".to_string();
    // container directory -> repository directory, for COPY'd source trees
    let mut copied: Vec<(String, PathBuf)> = Vec::new();
    let mut published: Vec<(String, String)> = Vec::new(); // (dll, output dir)
    let mut home_unpacked = None;
    let mut entry_dll = None;
    let mut rustflags = String::new();
    for (keyword, rest) in instructions(text) {
        let rest = substitute(&rest, &args);
        match keyword.as_str() {
            "ARG" => {
                if let Some((k, v)) = rest.split_once('=') {
                    args.insert(k.to_string(), v.to_string());
                }
            }
            "FROM" => {
                let words: Vec<&str> = rest.split_whitespace().collect();
                bases.push(words[0].to_string());
                if words.len() == 3 && words[1].eq_ignore_ascii_case("AS") {
                    stages.push(words[2].to_string());
                }
                workdir = "/".to_string();
            }
            "WORKDIR" => workdir = rest.clone(),
            "ENV" => {
                for (k, v) in assignments(&rest) {
                    if k == "RUSTFLAGS" {
                        rustflags = rest.clone();
                    }
                    env.insert(k, v);
                }
            }
            "COPY" | "ADD" => {
                let words: Vec<&str> = rest.split_whitespace().collect();
                let from = words.iter().find_map(|w| w.strip_prefix("--from="));
                let paths: Vec<&str> = words
                    .iter()
                    .copied()
                    .filter(|w| !w.starts_with("--"))
                    .collect();
                let (dest, sources) = paths.split_last().expect("COPY needs a destination");
                if let Some(stage) = from {
                    if !stages.iter().any(|s| s == stage) {
                        problems.push(format!(
                            "{name}: COPY --from={stage}: no such stage before it"
                        ));
                    }
                    continue;
                }
                for source in sources {
                    let path = source.trim_end_matches('/');
                    if path.starts_with("target/") {
                        // Produced by build_targets, not in the repository.
                        let file = path.rsplit('/').next().unwrap();
                        let ok = PLATFORMS.iter().any(|p| {
                            path == format!(
                                "target/platforms/packages/newrelic-profiler-{version}-{}.tar.gz",
                                p.name
                            ) || path == format!("target/platforms/{}/{}", p.name, p.library())
                        });
                        if !ok {
                            problems.push(format!(
                                "{name}: {path} is not something build_targets produces (version {version}?)"
                            ));
                        }
                        if keyword == "ADD" && file.ends_with(".tar.gz") {
                            home_unpacked = Some(format!(
                                "{}/newrelic-dotnet-agent",
                                dest.trim_end_matches('/')
                            ));
                            let is_alpine = bases.last().is_some_and(|b| b.contains("alpine"));
                            if is_alpine != file.contains("-linux-musl-") {
                                problems.push(format!(
                                    "{name}: {file} does not match the base image {:?}",
                                    bases.last()
                                ));
                            }
                        }
                    } else if !repo.join(path).exists() {
                        problems.push(format!(
                            "{name}: copies {path}, which is not in the repository"
                        ));
                    } else {
                        let target = if dest.starts_with('/') {
                            dest.to_string()
                        } else {
                            format!(
                                "{}/{}",
                                workdir.trim_end_matches('/'),
                                dest.trim_start_matches("./")
                            )
                        };
                        copied.push((target.trim_end_matches('/').to_string(), repo.join(path)));
                    }
                }
            }
            "RUN" => {
                let words: Vec<&str> = rest.split_whitespace().collect();
                for (i, word) in words.iter().enumerate() {
                    let word = word.trim_matches('"');
                    if word.ends_with(".csproj") {
                        let absolute = format!("{}/{}", workdir.trim_end_matches('/'), word);
                        let found = copied.iter().any(|(dir, src)| {
                            absolute
                                .strip_prefix(&format!("{dir}/"))
                                .is_some_and(|rel| src.join(rel).is_file())
                        });
                        if !found {
                            problems
                                .push(format!("{name}: {word} is not copied from the repository"));
                        }
                        if let Some(o) = words.iter().position(|w| *w == "-o") {
                            let stem = Path::new(word).file_stem().unwrap().to_string_lossy();
                            published.push((format!("{stem}.dll"), words[o + 1].to_string()));
                        }
                    }
                    if word == "--target" {
                        let triple = words[i + 1].trim_matches('"');
                        let triples: Vec<String> = if triple.starts_with('$') {
                            // chosen in a `case`: every literal triple in the RUN
                            words
                                .iter()
                                .filter_map(|w| w.strip_prefix("target="))
                                .map(|t| t.trim_end_matches(';').to_string())
                                .collect()
                        } else {
                            vec![triple.to_string()]
                        };
                        assert!(!triples.is_empty(), "{name}: no target triple found");
                        for t in triples {
                            if !cargo_config.contains(&format!("[target.{t}]")) {
                                problems.push(format!(
                                    "{name}: .cargo/config.toml has no [target.{t}]"
                                ));
                            }
                            if t.contains("musl")
                                && !rustflags.contains("target-feature=-crt-static")
                            {
                                problems.push(format!(
                                    "{name}: builds {t} without -C target-feature=-crt-static"
                                ));
                            }
                        }
                    }
                    if word.starts_with("build_targets/") && !repo.join(word).is_file() {
                        problems.push(format!("{name}: runs {word}, which does not exist"));
                    }
                    if word == "build_targets/check-artifact" {
                        let platform = words[i + 1].trim_matches('"');
                        let ok = platform.starts_with('$')
                            || PLATFORMS.iter().any(|p| p.name == platform);
                        if !ok {
                            problems.push(format!(
                                "{name}: check-artifact {platform}: unknown platform"
                            ));
                        }
                    }
                }
            }
            "ENTRYPOINT" | "CMD" => {
                if let Some(dll) = rest.split('"').find(|w| w.ends_with(".dll")) {
                    entry_dll = Some(dll.to_string());
                }
            }
            _ => {}
        }
    }
    // The static unwinder directory in RUSTFLAGS is made by the file itself.
    if let Some(dir) = rustflags
        .split_whitespace()
        .find_map(|w| w.strip_prefix("native="))
        .map(|d| d.trim_matches('"'))
    {
        if !text.contains(&format!("mkdir -p {dir}")) {
            problems.push(format!(
                "{name}: RUSTFLAGS searches {dir}, which the file does not create"
            ));
        }
        if !text.contains(&format!("{dir}/libgcc_s.a")) {
            problems.push(format!("{name}: {dir} does not provide libgcc_s.a"));
        }
    }
    if let Some(home) = home_unpacked {
        // An application image: the profiler variables point into the home.
        let want = [
            ("CORECLR_ENABLE_PROFILING", "1".to_string()),
            ("CORECLR_PROFILER", guid.to_string()),
            ("CORECLR_NEW_RELIC_HOME", home.clone()),
            (
                "CORECLR_PROFILER_PATH",
                format!("{home}/libNewRelicProfiler.so"),
            ),
        ];
        for (k, v) in want {
            if env.get(k) != Some(&v) {
                problems.push(format!("{name}: ENV {k}={:?}, expected {v}", env.get(k)));
            }
        }
        match entry_dll {
            Some(dll) => {
                let ok = published
                    .iter()
                    .any(|(file, dir)| dll == format!("{}/{file}", dir.trim_end_matches('/')));
                if !ok {
                    problems.push(format!(
                        "{name}: runs {dll}, which no `dotnet publish -o` produces"
                    ));
                }
            }
            None => problems.push(format!("{name}: no ENTRYPOINT running a .dll")),
        }
    }
    problems
}

#[test]
fn dockerfiles_reference_what_exists() {
    let dir = repo().join("docker");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("docker/")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "Dockerfile"))
        .collect();
    files.sort();
    let names: Vec<String> = files
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    for wanted in [
        "alpine-builder.Dockerfile",
        "aspnet-alpine.Dockerfile",
        "aspnet-ubuntu.Dockerfile",
    ] {
        assert!(
            names.iter().any(|n| n == wanted),
            "docker/{wanted} missing: {names:?}"
        );
    }
    let mut problems = Vec::new();
    for file in &files {
        let name = file.file_name().unwrap().to_string_lossy();
        problems.extend(dockerfile_problems(
            &name,
            &std::fs::read_to_string(file).unwrap(),
        ));
    }
    assert!(
        problems.is_empty(),
        "Dockerfile problems:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_dockerfile_check_catches_mistakes() {
    let good = std::fs::read_to_string(repo().join("docker/aspnet-alpine.Dockerfile")).unwrap();
    assert!(dockerfile_problems("good", &good).is_empty());
    let cases = [
        ("COPY tests/apps/ ./", "COPY tests/nope/ ./"),
        (
            "newrelic-profiler-0.1.0-linux-musl-x64",
            "newrelic-profiler-0.0.9-linux-musl-x64",
        ),
        (
            "newrelic-profiler-0.1.0-linux-musl-x64",
            "newrelic-profiler-0.1.0-linux-x64",
        ),
        ("libNewRelicProfiler.so \\", "libNewRelicProfiler2.so \\"),
        ("/app/WebApp.dll", "/app/Nope.dll"),
        ("--from=app /app", "--from=nope /app"),
    ];
    for (from, to) in cases {
        let from = from.replace("0.1.0", &cargo_version());
        assert!(
            good.contains(&from),
            "fixture text {from:?} not in the file"
        );
        let bad = good.replace(&from, &to.replace("0.1.0", &cargo_version()));
        assert!(
            !dockerfile_problems("bad", &bad).is_empty(),
            "not caught: {from} -> {to}"
        );
    }
    let builder = std::fs::read_to_string(repo().join("docker/alpine-builder.Dockerfile")).unwrap();
    assert!(dockerfile_problems("good", &builder).is_empty());
    for (from, to) in [
        ("-C target-feature=-crt-static ", ""),
        ("COPY src/ src/", "COPY source/ src/"),
        (
            "target=aarch64-unknown-linux-musl",
            "target=aarch64-unknown-linux-gnux",
        ),
    ] {
        assert!(
            builder.contains(from),
            "fixture text {from:?} not in the builder"
        );
        assert!(
            !dockerfile_problems("bad", &builder.replace(from, to)).is_empty(),
            "not caught: {from}"
        );
    }
}

#[test]
fn the_artifact_check_catches_mismatches() {
    // A glibc x64 build judged as other platforms must fail: the checks are live.
    let path = out_dir().join("linux-x64/libNewRelicProfiler.so");
    let Ok(bytes) = std::fs::read(&path) else {
        eprintln!("linux-x64 not built: nothing to cross-check");
        return;
    };
    let as_musl = artifact_problems(&PLATFORMS[2], &bytes).join("\n");
    assert!(as_musl.contains("DT_NEEDED libc.so.6"), "{as_musl}");
    assert!(as_musl.contains("glibc symbol versions"), "{as_musl}");
    let as_arm64 = artifact_problems(&PLATFORMS[1], &bytes).join("\n");
    assert!(as_arm64.contains("architecture"), "{as_arm64}");
}
