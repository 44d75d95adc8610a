//! The documentation's test references stay true: every test named in the
//! `tests` column of docs/fidelity.md exists (`<file>::<fn>` under
//! tests/integration/, or `src/<path>.rs::<fn>` / `tests/<path>.rs::<fn>`). Names with `*` are
//! patterns and must match at least one function.

use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Backticked items of the table cells that look like test references.
fn references(markdown: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in markdown.lines().filter(|l| l.starts_with('|')) {
        let mut rest = line;
        while let Some(start) = rest.find('`') {
            let after = &rest[start + 1..];
            let Some(end) = after.find('`') else { break };
            let item = &after[..end];
            if item.contains("::") && !item.contains(' ') && !item.starts_with("System") {
                out.push(item.to_string());
            }
            rest = &after[end + 1..];
        }
    }
    out
}

fn matches(pattern: &str, name: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == name,
        Some((prefix, suffix)) => {
            let suffix = suffix.trim_end_matches('*');
            name.starts_with(prefix)
                && name.len() >= prefix.len() + suffix.len()
                && name[prefix.len()..].contains(suffix)
        }
    }
}

fn function_names(source: &str) -> Vec<String> {
    source
        .split("fn ")
        .skip(1)
        .filter_map(|s| {
            let name: String = s
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            (!name.is_empty()).then_some(name)
        })
        .collect()
}

#[test]
fn every_test_named_in_the_fidelity_table_exists() {
    let doc = std::fs::read_to_string(root().join("docs/fidelity.md")).expect("docs/fidelity.md");
    let refs = references(&doc);
    assert!(
        refs.len() > 60,
        "found only {} references: {refs:?}",
        refs.len()
    );
    let mut missing = Vec::new();
    for reference in &refs {
        let Some((file, name)) = reference.rsplit_once("::") else {
            continue;
        };
        let path = if file.starts_with("src/") || file.starts_with("tests/") {
            root().join(file)
        } else {
            root().join("tests/integration").join(format!("{file}.rs"))
        };
        let Ok(source) = std::fs::read_to_string(&path) else {
            missing.push(format!("{reference} (no file {})", path.display()));
            continue;
        };
        let pattern = name.trim_matches(|c| c == '(' || c == ')');
        if !function_names(&source).iter().any(|f| matches(pattern, f)) {
            missing.push(reference.clone());
        }
    }
    assert!(
        missing.is_empty(),
        "docs/fidelity.md names tests that do not exist: {missing:#?}"
    );
}

#[test]
fn the_reference_extractor_sees_what_the_table_holds() {
    let refs =
        references("| a | `x::y`, `src/m.rs::z` | `System.Int32` `not a ref` |\n`outside::table`");
    assert_eq!(refs, vec!["x::y", "src/m.rs::z"]);
    assert!(matches("*_detaches", "missing_home_detaches"));
    assert!(matches(
        "*azure_function*",
        "should_instrument_in_process_azure_function"
    ));
    assert!(!matches("*azure_function*", "unrelated"));
}
