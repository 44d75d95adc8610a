//! The agent-home tarballs of `build_targets/package`.

use super::*;

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
