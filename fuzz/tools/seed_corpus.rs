//! Writes the fuzz targets' seed corpora (run by `scripts/fuzz seed`):
//!
//! * `il_body`, `il_wrap`, `signature`: method bodies (with their
//!   signature, locals and callee shapes for `il_wrap`) and signature
//!   blobs sampled evenly from the installed .NET shared framework, read
//!   with the corpus reader the IL tests use (`tests/support/corpus.rs`);
//! * `extension_xml`, `newrelic_config`: the agent's real files from the
//!   test data directory (`shared/testdata/newrelic`).
//!
//! Usage: `seed-corpus <out dir> <testdata dir> [bodies] [signatures]`.
//! Files are named by a hash of their content, as libFuzzer names its own.

#[allow(dead_code)]
#[path = "../../tests/support/corpus.rs"]
mod corpus;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use newrelic_profiler_fuzz::harness::{il_input, newrelic_config::SEPARATOR};
use NewRelicProfiler::il::{CallResolver, MethodBody, Operand};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(out), Some(testdata)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: seed-corpus <out dir> <testdata dir> [bodies] [signatures]");
        std::process::exit(2);
    };
    let bodies: usize = args.get(3).and_then(|v| v.parse().ok()).unwrap_or(3000);
    let signatures: usize = args.get(4).and_then(|v| v.parse().ok()).unwrap_or(3000);
    let out = Path::new(out);
    let counts = [
        (
            "extension_xml",
            seed_extension_xml(out, Path::new(testdata)),
        ),
        (
            "newrelic_config",
            seed_newrelic_config(out, Path::new(testdata)),
        ),
    ];
    for (target, n) in counts {
        println!("{target}: {n} seeds");
    }
    let c = corpus::load();
    if c.assemblies.is_empty() {
        eprintln!("no framework assemblies found (is dotnet installed?)");
        std::process::exit(1);
    }
    let (b, w) = seed_bodies(out, &c, bodies);
    println!("il_body: {b} seeds\nil_wrap: {w} seeds");
    println!("signature: {} seeds", seed_signatures(out, &c, signatures));
}

/// FNV-1a, 64 bits: stable content names without a hashing dependency.
fn name(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// Writes one seed; true when it was new.
fn write(out: &Path, target: &str, bytes: &[u8]) -> bool {
    let dir = out.join(target);
    if let Err(e) = std::fs::create_dir_all(&dir) {
        panic!("{}: {e}", dir.display());
    }
    let path = dir.join(name(bytes));
    if path.exists() {
        return false;
    }
    if let Err(e) = std::fs::write(&path, bytes) {
        panic!("{}: {e}", path.display());
    }
    true
}

fn xml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return files;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(xml_files(&path));
        } else if path
            .extension()
            .is_some_and(|e| e == "xml" || e == "config")
        {
            files.push(path);
        }
    }
    files.sort();
    files
}

fn seed_extension_xml(out: &Path, testdata: &Path) -> usize {
    xml_files(testdata)
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "xml"))
        .filter_map(|p| std::fs::read(p).ok())
        .filter(|bytes| write(out, "extension_xml", bytes))
        .count()
}

/// The real `newrelic.config` under every flag combination that matters,
/// alone, as global + local, and with an app.config.
fn seed_newrelic_config(out: &Path, testdata: &Path) -> usize {
    let configs: Vec<Vec<u8>> = xml_files(testdata)
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "config"))
        .filter_map(|p| std::fs::read(p).ok())
        .collect();
    let app_config = b"<?xml version=\"1.0\"?>\n<configuration>\n  <appSettings>\n    <add key=\"NewRelic.AgentEnabled\" value=\"true\" />\n  </appSettings>\n</configuration>\n";
    let local = b"<configuration xmlns=\"urn:newrelic-config\" agentEnabled=\"false\"><log level=\"debug\"/></configuration>";
    let mut n = 0;
    for config in &configs {
        for flags in [0u8, 0b0000_0011, 0b0001_1100, 0b0010_0001] {
            let mut seed = vec![flags];
            seed.extend_from_slice(config);
            n += usize::from(write(out, "newrelic_config", &seed));
            seed.push(SEPARATOR);
            seed.extend_from_slice(local);
            n += usize::from(write(out, "newrelic_config", &seed));
            seed.push(SEPARATOR);
            seed.extend_from_slice(app_config);
            n += usize::from(write(out, "newrelic_config", &seed));
        }
    }
    n
}

/// Every n-th method body of the framework (by file and token order), so
/// the sample spans every assembly.
fn seed_bodies(out: &Path, c: &corpus::Corpus, wanted: usize) -> (usize, usize) {
    let step = (c.method_count() / wanted.max(1)).max(1);
    let (mut bodies, mut wraps) = (0, 0);
    let mut index = 0usize;
    for a in &c.assemblies {
        for m in &a.methods {
            index += 1;
            if !index.is_multiple_of(step) {
                continue;
            }
            let bytes = a.body_bytes(m);
            let Ok(body) = MethodBody::decode(bytes) else {
                continue;
            };
            let Some(exact) = body.decoded_size().and_then(|n| bytes.get(..n)) else {
                continue;
            };
            bodies += usize::from(write(out, "il_body", exact));
            let locals = match body.header.local_var_sig_token {
                0 => None,
                token => a.local_sig(token),
            };
            let mut shapes = Vec::new();
            let mut seen = BTreeSet::new();
            for (_, instruction) in body.instructions() {
                if let Operand::Token(token) = instruction.operand {
                    if let Some(shape) = a.call_shape(token) {
                        if seen.insert(token) {
                            shapes.push((token, shape));
                        }
                    }
                }
            }
            if let Some(seed) = il_input::write(&m.signature, locals, &shapes, exact) {
                wraps += usize::from(write(out, "il_wrap", &seed));
            }
        }
    }
    (bodies, wraps)
}

/// An even sample of the distinct signature blobs of every kind.
fn seed_signatures(out: &Path, c: &corpus::Corpus, wanted: usize) -> usize {
    let step = (c.signature_count() / wanted.max(1)).max(1);
    c.assemblies
        .iter()
        .flat_map(|a| a.signatures.iter())
        .step_by(step)
        .filter(|(_, blob)| write(out, "signature", blob))
        .count()
}
