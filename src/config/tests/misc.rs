//! StringsTest (configuration helpers), IgnoreInstrumentationTest and
//! ConfigOverrideTest (§10.2).

use super::*;
use crate::config::{IgnoreList, IgnoreRule};
use crate::system::strings::{ends_with_ignore_case, eq_ignore_case};

#[test]
fn strings_compare() {
    assert!(eq_ignore_case("Foo", "Foo"));
}

#[test]
fn string_case_insensitive_compare() {
    assert!(eq_ignore_case("Foo", "foO"));
}

#[test]
fn strings_ends_with_succeeds() {
    assert!(ends_with_ignore_case(
        r"C:\Windows\SysWOW64\inetsrv\w3wp.exe",
        "W3WP.EXE"
    ));
}

#[test]
fn strings_ends_with_fails() {
    assert!(!ends_with_ignore_case(
        r"C:\Windows\SysWOW64\inetsrv\w3wp.exe",
        "W3WP.ESE"
    ));
}

fn ignore_list(rules: &str) -> IgnoreList {
    let xml = format!(
        r#"                <?xml version="1.0"?>                <configuration>                    <instrumentation>                        <rules>{rules}</rules>                    </instrumentation>                </configuration>                "#
    );
    parse(&xml, NO_LOCAL, "", &MockSystem::new()).ignore_list
}

#[test]
fn ignore_assembly_and_class() {
    let list = ignore_list("<ignore assemblyName='MyAssembly' className='MyNamespace.MyClass'/>");
    assert_eq!(list.len(), 1);
    assert!(list.matches("MyAssembly", "MyNamespace.MyClass"));
    assert!(list.matches("myassembly", "mynamespace.myclass"));
    assert!(!list.matches("my", "MyNamespace.MyClass"));
    assert!(!list.matches("myassembly", "mynamespacemyclass"));
    assert!(!list.matches("", "MyNamespace.MyClass"));
    assert!(!list.matches("anotherassembly", "MyNamespace.MyClass"));
    assert!(!list.matches("", ""));
    assert!(!list.matches("myassembly", "foo"));
    assert!(!list.matches("myassembly", "M"));
    // The "point is then not found" half of the original test belongs to
    // the instrumentation-XML reader, which consumes this list.
}

#[test]
fn ignore_assembly() {
    let list = ignore_list("<ignore assemblyName='MyAssembly' />");
    assert_eq!(list.len(), 1);
    assert!(list.matches("MyAssembly", "bar"));
    assert!(list.matches("MyAssembly", ""));
    assert!(list.matches("MyAssembly", "foo"));
    assert!(list.matches("MyAssembly", "someclass"));
    assert!(!list.matches("alpha", "bar"));
    assert!(!list.matches("", ""));
}

#[test]
fn ignore_class() {
    let list = ignore_list("<ignore className='MyNamespace.MyClass' />");
    assert_eq!(list.len(), 0);
    assert!(!list.matches("foo", "MyNamespace.MyClass"));
    assert!(!list.matches("alpha", "MyNamespace"));
    assert!(!list.matches("", "MyNamespace.MyClass"));
}

#[test]
fn ignore_multiple() {
    let list = ignore_list(
        "<ignore assemblyName='MyAssembly' className='MyNamespace.MyClass'/>\
         <ignore assemblyName='alpha' />\
         <ignore assemblyName='foo' className='bar'/>",
    );
    assert_eq!(list.len(), 3);
    assert_eq!(
        list.rules,
        vec![
            IgnoreRule::class("MyAssembly", "MyNamespace.MyClass"),
            IgnoreRule::assembly("alpha"),
            IgnoreRule::class("foo", "bar"),
        ]
    );
    assert!(list.matches("foo", "bar"));
    assert!(list.matches("myassembly", "mynamespace.myclass"));
    assert!(list.matches("alpha", ""));
    assert!(list.matches("alpha", "something"));
    assert!(!list.matches("foo", ""));
    assert!(!list.matches("myassembly", ""));
    assert!(!list.matches("foo", "MyNamespace.MyClass"));
    assert!(!list.matches("different", "MyNamespace.MyClass"));
}

/// `GetLoggingEnabled(fallback)` / `GetConsoleLoggingEnabled(fallback)`:
/// the fallback is the config value, so test through `log_settings`.
fn override_case(variable: &str, value: Option<&str>, fallback: bool) -> bool {
    let mut sys = MockSystem::new();
    if let Some(value) = value {
        sys = sys.with_env(variable, value);
    }
    let config = Configuration {
        logging_enabled: fallback,
        console_logging: fallback,
        ..Configuration::default()
    };
    let settings = config.log_settings(&core_env(&sys));
    if variable == "NEW_RELIC_LOG_ENABLED" {
        settings.enabled
    } else {
        settings.console
    }
}

fn check_override(variable: &str) {
    for (value, expected) in [("1", true), ("true", true), ("0", false), ("false", false)] {
        for fallback in [false, true] {
            assert_eq!(
                override_case(variable, Some(value), fallback),
                expected,
                "{variable}={value}"
            );
        }
    }
    for value in [None, Some("*invalid*")] {
        assert!(
            !override_case(variable, value, false),
            "{variable}={value:?}"
        );
        assert!(override_case(variable, value, true), "{variable}={value:?}");
    }
}

#[test]
fn test_logging_enabled() {
    check_override("NEW_RELIC_LOG_ENABLED");
}

#[test]
fn test_console_logging_enabled() {
    check_override("NEW_RELIC_LOG_CONSOLE");
}
