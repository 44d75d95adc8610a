//! File discovery and reading (reference-profiler §4.1), the custom-XML
//! overlay (§4.4) and the whole startup sequence of [`load_with_messages`]
//! with its log lines (§3.6).

use super::*;
use crate::config::instrumentation::discovery::{
    extension_file_paths, is_instrumentation_file_name, overlay_custom, read_xml_set_with_messages,
};
use crate::config::instrumentation::load_with_messages;
use crate::runtime::RuntimeKind;
use crate::system::mock::MockSystem;
use crate::system::{PathStyle, RealSystem};

const MISSING_ROOT: &str = "Unable to find the New Relic Agent extensions directory (/h/extensions).  No methods will be instrumented except those decorated with [Transaction] or [Trace] attributes in conjunction with the New Relic agent API.";

fn linux_home() -> MockSystem {
    let point = |method: &str| my_class("", &format!(r#"methodName="{method}""#));
    MockSystem::new()
        .with_directory("/h/extensions")
        .with_directory("/h/extensions/netcore")
        .with_directory("/h/extensions/netframework")
        .with_file("/h/extensions/b.xml", &point("B"))
        .with_file("/h/extensions/A.xml", &point("A"))
        .with_file("/h/extensions/fooxml", &point("Foo"))
        .with_file("/h/extensions/C.XML", &point("Upper"))
        .with_file("/h/extensions/extension.xsd", "<schema/>")
        .with_file("/h/extensions/netcore/n.xml", &point("Core"))
        .with_file("/h/extensions/netframework/f.xml", &point("Framework"))
}

fn paths(sys: &MockSystem, runtime: RuntimeKind) -> Vec<String> {
    extension_file_paths(sys, "/h", runtime)
        .into_iter()
        .collect()
}

#[test]
fn linux_selects_names_ending_in_xml_case_sensitively() {
    let sys = linux_home();
    assert_eq!(
        paths(&sys, RuntimeKind::Core),
        vec![
            "/h/extensions/A.xml",
            "/h/extensions/b.xml",
            "/h/extensions/fooxml",
            "/h/extensions/netcore/n.xml",
        ]
    );
    assert_eq!(
        paths(&sys, RuntimeKind::Framework),
        vec![
            "/h/extensions/A.xml",
            "/h/extensions/b.xml",
            "/h/extensions/fooxml",
            "/h/extensions/netframework/f.xml",
        ]
    );
    assert!(is_instrumentation_file_name(PathStyle::Unix, "xml"));
    assert!(!is_instrumentation_file_name(PathStyle::Unix, "a.Xml"));
}

#[test]
fn windows_selects_dot_xml_case_insensitively_and_warns_when_none() {
    let sys = MockSystem::windows()
        .with_directory(r"C:\NR\extensions")
        .with_directory(r"C:\NR\extensions\netframework")
        .with_file(r"C:\NR\extensions\b.xml", "<extension/>")
        .with_file(r"C:\NR\extensions\A.XML", "<extension/>")
        .with_file(r"C:\NR\extensions\cxml", "<extension/>")
        .with_file(r"C:\NR\extensions\d.xml.bak", "<extension/>");
    let (set, messages) = read_xml_set_with_messages(&sys, r"C:\NR", RuntimeKind::Framework);
    let names: Vec<_> = set.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        vec![r"C:\NR\extensions\A.XML", r"C:\NR\extensions\b.xml"]
    );
    assert_eq!(
        lines(&messages),
        vec![
            (
                Level::Info,
                r"Loading instrumentation from C:\NR\extensions"
            ),
            (
                Level::Info,
                r"Loading instrumentation from C:\NR\extensions\netframework"
            ),
            (Level::Warn, "No instrumentation files found."),
        ]
    );
    let sys = MockSystem::windows();
    let (set, messages) = read_xml_set_with_messages(&sys, r"C:\NR", RuntimeKind::Core);
    assert!(set.is_empty());
    assert_eq!(texts(&messages, Level::Warn).len(), 2);
    assert_eq!(
        texts(&messages, Level::Warn)[1],
        "No instrumentation files found."
    );
}

#[test]
fn missing_extensions_directory_warns_and_finds_nothing() {
    let (set, messages) = read_xml_set_with_messages(&MockSystem::new(), "/h", RuntimeKind::Core);
    assert!(set.is_empty());
    assert_eq!(lines(&messages), vec![(Level::Warn, MISSING_ROOT)]);
}

#[test]
fn unreadable_entries_are_logged_and_skipped() {
    let home = tempfile::tempdir().expect("temp dir");
    let extensions = home.path().join("extensions");
    std::fs::create_dir_all(extensions.join("folder.xml")).expect("dir");
    std::fs::write(extensions.join("ok.xml"), "\u{FEFF}<extension/>").expect("write");
    let home = home.path().to_string_lossy().into_owned();
    let (set, messages) = read_xml_set_with_messages(&RealSystem, &home, RuntimeKind::Core);
    let ok = format!("{home}/extensions/ok.xml");
    let folder = format!("{home}/extensions/folder.xml");
    assert_eq!(set.keys().collect::<Vec<_>>(), vec![&ok]);
    assert_eq!(set[&ok], "<extension/>", "BOM consumed");
    assert_eq!(
        texts(&messages, Level::Error),
        vec![
            format!("Unable to open file. File path: {folder} (not a regular file)"),
            format!("An exception was thrown while reading instrumentation file: {folder} - ignoring this file."),
        ]
    );
}

#[test]
fn custom_documents_overlay_by_exact_key() {
    let mut disk = XmlSet::new();
    disk.insert("/h/extensions/a.xml".into(), "disk a".into());
    disk.insert("/h/extensions/b.xml".into(), "disk b".into());
    let mut custom = XmlSet::new();
    custom.insert("/h/extensions/b.xml".into(), "custom b".into());
    custom.insert("b.xml".into(), "custom short b".into());
    overlay_custom(&mut disk, &custom);
    let entries: Vec<_> = disk.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(
        entries,
        vec![
            ("/h/extensions/a.xml", "disk a"),
            ("/h/extensions/b.xml", "custom b"),
            ("b.xml", "custom short b"),
        ]
    );
}

#[test]
fn load_logs_the_startup_sequence() {
    let sys = linux_home()
        .with_file("/h/extensions/bad.xml", "<extension><instrumentation>")
        .with_file(
            "/h/extensions/NewRelic.Providers.Wrapper.Asp35.Instrumentation.xml",
            &my_class("", r#"methodName="Old""#),
        )
        .with_env("NEW_RELIC_LAMBDA_HANDLER", "L::L.Function::Handler");
    let ignore = IgnoreList::new(vec![crate::config::IgnoreRule::class("MyAssembly", "Nope")]);
    let (config, messages) = load_with_messages(&sys, "/h", RuntimeKind::Core, &ignore);
    let methods: Vec<_> = config
        .points()
        .iter()
        .map(|p| p.method_name.as_str())
        .collect();
    assert_eq!(methods, vec!["A", "B", "Foo", "Core", "Handler"]);
    assert_eq!(config.invalid_file_count(), 1);
    assert_eq!(config.ignore_list(), &ignore);
    let deprecated = "/h/extensions/NewRelic.Providers.Wrapper.Asp35.Instrumentation.xml";
    let expected = vec![
        (Level::Info, "Loading instrumentation from /h/extensions".to_string()),
        (Level::Info, "Loading instrumentation from /h/extensions/netcore".to_string()),
        (Level::Debug, "Parsing instrumentation file '/h/extensions/A.xml'".to_string()),
        (Level::Warn, format!("Deprecated instrumentation file being ignored: {deprecated}")),
        (Level::Debug, "Parsing instrumentation file '/h/extensions/b.xml'".to_string()),
        (Level::Debug, "Parsing instrumentation file '/h/extensions/bad.xml'".to_string()),
        (Level::Warn, "Exception thrown while attempting to parse instrumentation file '/h/extensions/bad.xml'. Please validate your instrumentation files against extensions/extension.xsd or contact New Relic support.".to_string()),
        (Level::Warn, "Instrumentation file '/h/extensions/bad.xml' is invalid: the root node was opened but never closed".to_string()),
        (Level::Debug, "Parsing instrumentation file '/h/extensions/fooxml'".to_string()),
        (Level::Debug, "Parsing instrumentation file '/h/extensions/netcore/n.xml'".to_string()),
        (Level::Info, "Identified 4 Instrumentation points (not ignored) in .xml files".to_string()),
        (Level::Warn, "Unable to parse one or more instrumentation files.  Live instrumentation reloading will not work until the unparsable file(s) are corrected or removed.".to_string()),
        (Level::Trace, "Read 6 instrumentation files".to_string()),
        (Level::Debug, "Found NEW_RELIC_LAMBDA_HANDLER environment variable: L::L.Function::Handler".to_string()),
        (Level::Info, "Serverless mode detected. Assembly: L Class: L.Function Method: Handler".to_string()),
    ];
    let actual: Vec<_> = messages.iter().map(|m| (m.level, m.text.clone())).collect();
    assert_eq!(actual, expected);
}

#[test]
fn load_without_extensions_still_adds_the_lambda_point() {
    let sys = MockSystem::new().with_env("_HANDLER", "A::B::C");
    let (config, messages) =
        load_with_messages(&sys, "/h", RuntimeKind::Core, &IgnoreList::default());
    assert_eq!(config.len(), 1);
    assert!(config.has_lambda_point());
    assert_eq!(
        texts(&messages, Level::Trace),
        vec!["Read 0 instrumentation files"]
    );
    assert_eq!(
        texts(&messages, Level::Info),
        vec![
            "Identified 0 Instrumentation points (not ignored) in .xml files",
            "Serverless mode detected. Assembly: A Class: B Method: C"
        ]
    );
    assert_eq!(texts(&messages, Level::Warn), vec![MISSING_ROOT]);
}
