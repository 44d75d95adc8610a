//! One extension XML document → instrumentation points, with every rule of
//! reference-profiler §4.2: `extension/instrumentation/tracerFactory/match/
//! exactMethodMatcher`, names case-insensitive, namespaces ignored,
//! non-schema attributes ignored.
//!
//! Points are handed to a callback as soon as each is built, in document
//! order, so that the caller's log lines (the ignore-list Debug line)
//! interleave with ours exactly as in the original, and so that a failure
//! part-way through keeps the points already taken (the partial-file QUIRK
//! of §4.2).

use roxmltree::Node;

use super::flags::{self, NotANumber, TracerAttributes};
use super::point::{InstrumentationPoint, DEFAULT_TRACER_FACTORY};
use super::version::AssemblyVersion;
use crate::config::xml::{self, XmlError};
use crate::config::Messages;
use crate::system::strings::eq_ignore_case;

const EXTENSION_MISSING: &str = "extension node not found in instrumentation file. Please validate your instrumentation files against extensions/extension.xsd or contact New Relic support.";
const INSTRUMENTATION_MISSING: &str = "instrumentation node not found in instrumentation file. Please validate your instrumentation files against extensions/extension.xsd or contact New Relic support.";

/// Why a file is counted invalid (§4.4). Either way the file's remaining
/// content is skipped; points already delivered stay.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileError {
    /// Not well-formed XML.
    Xml(XmlError),
    /// `level` or `transactionNamingPriority` is not a number.
    NotANumber(NotANumber),
}

impl FileError {
    /// What is wrong, for the log line that follows the reference Warn.
    pub fn reason(&self) -> String {
        match self {
            FileError::Xml(error) => error.what.clone(),
            FileError::NotANumber(error) => {
                format!("{}=\"{}\" is not a number", error.attribute, error.value)
            }
        }
    }
}

/// Parses `text`, calling `add` for each point in document order. Missing
/// `extension` or `instrumentation` nodes only warn (the file is not
/// invalid); a malformed document or a non-numeric `level` /
/// `transactionNamingPriority` is an error.
pub(crate) fn parse_document(
    text: &str,
    messages: &mut Messages,
    add: &mut dyn FnMut(InstrumentationPoint, &mut Messages),
) -> Result<(), FileError> {
    let document = xml::parse(text).map_err(FileError::Xml)?;
    let Some(extension) = document
        .as_ref()
        .and_then(|document| xml::root_element_named(document, "extension"))
    else {
        messages.warn(EXTENSION_MISSING);
        return Ok(());
    };
    let Some(instrumentation) = xml::first_child_named(extension, "instrumentation") else {
        messages.warn(INSTRUMENTATION_MISSING);
        return Ok(());
    };
    for tracer in xml::children_named(instrumentation, "tracerFactory") {
        let enabled = xml::attribute(tracer, "enabled").unwrap_or("");
        if eq_ignore_case(enabled, "false") {
            continue;
        }
        for matcher_group in xml::children_named(tracer, "match") {
            for matcher in xml::children_named(matcher_group, "exactMethodMatcher") {
                point_for_matcher(tracer, matcher_group, matcher, messages, add)?;
            }
        }
    }
    Ok(())
}

/// Convenience for callers that want the points of one document as a list
/// (tests, tools): the points taken and the file's outcome.
pub fn parse_points(
    text: &str,
) -> (
    Vec<InstrumentationPoint>,
    Result<(), FileError>,
    Vec<crate::config::LogMessage>,
) {
    let mut points = Vec::new();
    let mut messages = Messages::default();
    let result = parse_document(text, &mut messages, &mut |point, _| points.push(point));
    (points, result, messages.into_vec())
}

/// One `exactMethodMatcher`: one point per class of the `className` list.
fn point_for_matcher(
    tracer: Node<'_, '_>,
    matcher_group: Node<'_, '_>,
    matcher: Node<'_, '_>,
    messages: &mut Messages,
    add: &mut dyn FnMut(InstrumentationPoint, &mut Messages),
) -> Result<(), FileError> {
    // Versions are parsed (and warned about) before the mscorlib check, in
    // the original's order.
    let min_version = version_attribute(matcher_group, "minVersion", messages);
    let max_version = version_attribute(matcher_group, "maxVersion", messages);
    let assembly_name = attribute(matcher_group, "assemblyName");
    let class_list = attribute(matcher_group, "className");

    // mscorlib cannot reference itself, so the original refuses it (§4.2).
    if assembly_name == "mscorlib" {
        messages.warn(format!(
            "Skipping instrumentation targeted at the mscorlib assembly for class {class_list}"
        ));
        return Ok(());
    }

    let tracer_attributes = TracerAttributes {
        metric: xml::attribute(tracer, "metric"),
        metric_name: xml::attribute(tracer, "metricName"),
        level: xml::attribute(tracer, "level"),
        suppress_recursive_calls: xml::attribute(tracer, "suppressRecursiveCalls"),
        transaction_trace_segment: xml::attribute(tracer, "transactionTraceSegment"),
        transaction_naming_priority: xml::attribute(tracer, "transactionNamingPriority"),
    };
    let tracer_factory_args =
        flags::xml_tracer_arguments(&tracer_attributes).map_err(FileError::NotANumber)?;

    let tracer_factory_name = match attribute(tracer, "name") {
        "" => DEFAULT_TRACER_FACTORY,
        name => name,
    };
    let template = InstrumentationPoint {
        tracer_factory_name: tracer_factory_name.to_string(),
        assembly_name: assembly_name.to_string(),
        class_name: String::new(),
        method_name: attribute(matcher, "methodName").to_string(),
        parameters: normalize_parameters(xml::attribute(matcher, "parameters")),
        metric_type: attribute(tracer, "metric").to_string(),
        metric_name: attribute(tracer, "metricName").to_string(),
        tracer_factory_args,
        min_version,
        max_version,
    };
    for class_name in split_class_names(class_list) {
        add(
            InstrumentationPoint {
                class_name: class_name.to_string(),
                ..template.clone()
            },
            messages,
        );
    }
    Ok(())
}

/// An attribute's value, or `""` when absent (`GetAttributeOrEmptyString`).
fn attribute<'a>(node: Node<'a, '_>, name: &str) -> &'a str {
    xml::attribute(node, name).unwrap_or("")
}

/// `minVersion`/`maxVersion` → a bound, or none (absent, empty, `0.0.0.0`,
/// or invalid with a Warn) (§4.6).
fn version_attribute(
    node: Node<'_, '_>,
    name: &str,
    messages: &mut Messages,
) -> Option<AssemblyVersion> {
    let text = attribute(node, name);
    match AssemblyVersion::parse(text) {
        Ok(version) => Some(version),
        Err(error) => {
            if error.is_warned() {
                messages.warn(format!("{text} is not a valid version"));
            }
            None
        }
    }
}

/// `parameters`: absent → every overload; `void` (case-insensitive, checked
/// before stripping) → the parameterless overload; otherwise every
/// whitespace character removed (`"A, B"` → `"A,B"`), as `isspace` does.
pub fn normalize_parameters(raw: Option<&str>) -> Option<String> {
    let raw = raw?;
    if eq_ignore_case(raw, "void") {
        return Some(String::new());
    }
    Some(
        raw.chars()
            .filter(|c| !matches!(c, ' ' | '\t' | '\n' | '\x0b' | '\x0c' | '\r'))
            .collect(),
    )
}

/// Splits `className` on commas outside `<…>`/`[…]` nesting, without
/// trimming (`"A, B"` gives `" B"`: §4.2 QUIRK kept). Empty items are kept.
/// The nesting depth is unsigned and wraps on a stray closer, as in the
/// original, so `"A>,B"` stays one class.
pub fn split_class_names(class_list: &str) -> Vec<&str> {
    let mut classes = Vec::new();
    let mut depth = 0u32;
    let mut start = 0usize;
    for (index, character) in class_list.char_indices() {
        match character {
            '<' | '[' => depth = depth.wrapping_add(1),
            '>' | ']' => depth = depth.wrapping_sub(1),
            ',' if depth == 0 => {
                classes.push(class_list.get(start..index).unwrap_or_default());
                start = index + 1;
            }
            _ => {}
        }
    }
    classes.push(class_list.get(start..).unwrap_or_default());
    classes
}
