//! Ports of the original's InstrumentationConfigurationTest (38),
//! InstrumentationPointTest (16), IgnoreInstrumentationTest (4, at the
//! configuration level) and VersionTest (3) (reference-profiler §10.1,
//! §10.2), plus our own cases for every rule of §4.1–§4.8, the log lines of
//! §3.6 and the shipped XML in `../shared/testdata/newrelic`.

mod configuration;
mod discovery;
mod ignore;
mod lambda;
mod point;
mod rules;
mod shipped;
mod version;

use std::path::PathBuf;

use super::discovery::XmlSet;
use super::{AssemblyVersion, InstrumentationConfiguration, InstrumentationPoint, MethodIdentity};
use crate::config::ignore::IgnoreList;
use crate::config::LogMessage;
use crate::log::Level;

/// The shipped agent files. Missing data is a failure, never a skip.
fn testdata() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/testdata/newrelic");
    assert!(
        dir.is_dir(),
        "test data not found at {}: a clone of this repository needs the shared/ folder beside it",
        dir.display()
    );
    dir
}

/// The original tests' boilerplate around one `tracerFactory` body.
fn extension(instrumentation: &str) -> String {
    format!(
        r#"
        <?xml version="1.0" encoding="utf-8"?>
        <extension>
            <instrumentation>
                {instrumentation}
            </instrumentation>
        </extension>
        "#
    )
}

/// One `tracerFactory` (with `tracer_attributes`) holding one `match`.
fn one_matcher(tracer_attributes: &str, match_attributes: &str, matchers: &str) -> String {
    extension(&format!(
        r#"<tracerFactory {tracer_attributes}>
               <match {match_attributes}>
                   {matchers}
               </match>
           </tracerFactory>"#
    ))
}

/// The original tests' standard document: `[MyAssembly]MyNamespace.MyClass`
/// with the given matcher attributes.
fn my_class(tracer_attributes: &str, matcher_attributes: &str) -> String {
    one_matcher(
        tracer_attributes,
        r#"assemblyName="MyAssembly" className="MyNamespace.MyClass""#,
        &format!("<exactMethodMatcher {matcher_attributes}/>"),
    )
}

fn build_files(
    files: &[(&str, &str)],
    ignore: &IgnoreList,
) -> (InstrumentationConfiguration, Vec<LogMessage>) {
    let set: XmlSet = files
        .iter()
        .map(|(name, text)| (name.to_string(), text.to_string()))
        .collect();
    InstrumentationConfiguration::from_xml_set_with_messages(&set, ignore)
}

/// The original's `InstrumentationConfiguration(xmlSet, nullptr)` with one
/// file named `filename`.
fn config(xml: &str) -> InstrumentationConfiguration {
    build_files(&[("filename", xml)], &IgnoreList::default()).0
}

fn config_logged(xml: &str) -> (InstrumentationConfiguration, Vec<LogMessage>) {
    build_files(&[("filename", xml)], &IgnoreList::default())
}

/// The original's `MockFunction`: `[MyAssembly]MyNamespace.MyClass.MyMethod`
/// with one class parameter whose type resolves to `MyNamespace.MyTypeName`.
fn mock_function() -> MethodIdentity<'static> {
    MethodIdentity {
        assembly: "MyAssembly",
        type_name: "MyNamespace.MyClass",
        method: "MyMethod",
        parameters: "MyNamespace.MyTypeName",
    }
}

fn version(text: &str) -> AssemblyVersion {
    AssemblyVersion::parse(text).unwrap_or_else(|e| panic!("{text}: {e:?}"))
}

/// Lookup with an unversioned assembly (`0.0.0.0`).
fn find<'a>(
    config: &'a InstrumentationConfiguration,
    method: &MethodIdentity<'_>,
) -> Option<&'a InstrumentationPoint> {
    config
        .find_point(method, AssemblyVersion::default())
        .map(|p| p.as_ref())
}

fn find_at<'a>(
    config: &'a InstrumentationConfiguration,
    method: &MethodIdentity<'_>,
    at: &str,
) -> Option<&'a InstrumentationPoint> {
    config.find_point(method, version(at)).map(|p| p.as_ref())
}

/// The texts at `level`, in order.
fn texts(messages: &[LogMessage], level: Level) -> Vec<String> {
    messages
        .iter()
        .filter(|m| m.level == level)
        .map(|m| m.text.clone())
        .collect()
}

/// `(level, text)` pairs, for asserting whole sequences.
fn lines(messages: &[LogMessage]) -> Vec<(Level, &str)> {
    messages
        .iter()
        .map(|m| (m.level, m.text.as_str()))
        .collect()
}
