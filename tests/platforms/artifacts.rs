//! Exports and binary facts of each built library (reference-profiler §1.1, §9).

use super::*;

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

#[test]
#[ignore = "judges the linux-x64 output of build_targets/build-all; .ci/run builds it and runs this with --include-ignored"]
fn the_artifact_check_catches_mismatches() {
    // A glibc x64 build judged as other platforms must fail: the checks are live.
    let path = out_dir().join("linux-x64/libNewRelicProfiler.so");
    let bytes = std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run build_targets/build-all linux-x64 first",
            path.display()
        )
    });
    let as_musl = artifact_problems(&PLATFORMS[2], &bytes).join("\n");
    assert!(as_musl.contains("DT_NEEDED libc.so.6"), "{as_musl}");
    assert!(as_musl.contains("glibc symbol versions"), "{as_musl}");
    let as_arm64 = artifact_problems(&PLATFORMS[1], &bytes).join("\n");
    assert!(as_arm64.contains("architecture"), "{as_arm64}");
}
