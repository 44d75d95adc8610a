//! IgnoreInstrumentationTest.cpp (4 cases) through the instrumentation
//! configuration: the rules' matching is pinned in `config/tests/misc.rs`;
//! here the "point is then not found" half (reference-profiler §4.5).

use super::*;
use crate::config::ignore::IgnoreRule;

/// Points for `[MyAssembly]MyNamespace.MyClass`, `[MyAssembly]foo`,
/// `[alpha]bar`, `[foo]bar`, `[foo]MyNamespace.MyClass`, all `MyMethod`.
fn several_classes(ignore: &IgnoreList) -> (InstrumentationConfiguration, Vec<LogMessage>) {
    let matches = [
        ("MyAssembly", "MyNamespace.MyClass"),
        ("MyAssembly", "foo"),
        ("alpha", "bar"),
        ("foo", "bar"),
        ("foo", "MyNamespace.MyClass"),
    ]
    .iter()
    .map(|(assembly, class)| {
        format!(
            r#"<match assemblyName="{assembly}" className="{class}"><exactMethodMatcher methodName="MyMethod"/></match>"#
        )
    })
    .collect::<String>();
    let xml = extension(&format!("<tracerFactory>{matches}</tracerFactory>"));
    build_files(&[("filename", &xml)], ignore)
}

fn found(config: &InstrumentationConfiguration, assembly: &str, class: &str) -> bool {
    let method = MethodIdentity {
        assembly,
        type_name: class,
        method: "MyMethod",
        parameters: "",
    };
    find(config, &method).is_some()
}

#[test]
fn ignore_assembly_and_class() {
    let ignore = IgnoreList::new(vec![IgnoreRule::class("myassembly", "mynamespace.myclass")]);
    let (config, messages) = several_classes(&ignore);
    assert!(!found(&config, "MyAssembly", "MyNamespace.MyClass"));
    assert!(found(&config, "MyAssembly", "foo"));
    assert!(found(&config, "foo", "MyNamespace.MyClass"));
    assert_eq!(config.len(), 4);
    assert_eq!(
        texts(&messages, Level::Debug)
            .into_iter()
            .filter(|t| t.contains("ignore list"))
            .collect::<Vec<_>>(),
        vec!["Instrumentation for [MyAssembly]MyNamespace.MyClass.MyMethod is in the ignore list in the newrelic.config file and will be ignored."]
    );
}

#[test]
fn ignore_assembly() {
    let ignore = IgnoreList::new(vec![IgnoreRule::assembly("MyAssembly")]);
    let (config, _) = several_classes(&ignore);
    assert!(!found(&config, "MyAssembly", "MyNamespace.MyClass"));
    assert!(!found(&config, "MyAssembly", "foo"));
    assert!(found(&config, "alpha", "bar"));
    assert_eq!(config.len(), 3);
    // The pre-filter no longer knows the ignored assembly.
    assert!(!config.should_instrument_assembly("MyAssembly"));
}

#[test]
fn ignore_class() {
    // A class-only `ignore` element is dropped when newrelic.config is read,
    // so the list is empty and every point stays.
    let config_text = r#"<configuration><instrumentation><rules>
        <ignore className="MyNamespace.MyClass"/></rules></instrumentation></configuration>"#;
    let sys = crate::system::mock::MockSystem::new();
    let env = crate::system::env::Env::new(&sys, crate::runtime::RuntimeKind::Core);
    let (parsed, _) =
        crate::config::Configuration::from_xml_with_messages(config_text, None, "", &env);
    let ignore = parsed.expect("parses").ignore_list;
    assert!(ignore.is_empty());
    let (config, _) = several_classes(&ignore);
    assert!(found(&config, "MyAssembly", "MyNamespace.MyClass"));
    assert!(found(&config, "foo", "MyNamespace.MyClass"));
    assert_eq!(config.len(), 5);
}

#[test]
fn ignore_multiple() {
    let ignore = IgnoreList::new(vec![
        IgnoreRule::class("MyAssembly", "MyNamespace.MyClass"),
        IgnoreRule::assembly("alpha"),
        IgnoreRule::class("foo", "bar"),
    ]);
    let (config, _) = several_classes(&ignore);
    assert!(!found(&config, "MyAssembly", "MyNamespace.MyClass"));
    assert!(!found(&config, "alpha", "bar"));
    assert!(!found(&config, "foo", "bar"));
    assert!(found(&config, "MyAssembly", "foo"));
    assert!(found(&config, "foo", "MyNamespace.MyClass"));
    assert_eq!(config.len(), 2);
    assert_eq!(config.ignore_list(), &ignore);
}
