//! The Dockerfiles in `docker/`, checked statically (Docker cannot run here).

use super::*;

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
        // musl's dlopen binds the agent's DllImport("NewRelicProfiler") to
        // the loaded profiler only through the library path (issue 15).
        if text.contains("alpine") {
            let on_path = env
                .get("LD_LIBRARY_PATH")
                .is_some_and(|p| p.split(':').any(|d| *d == home));
            if !on_path {
                problems.push(format!(
                    "{name}: an Alpine (musl) image needs the home {home} on LD_LIBRARY_PATH"
                ));
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
