//! Target `extension_xml`: one extension XML document, as bytes read from
//! disk, through the parser (`parse_points`) and the configuration build
//! (`InstrumentationConfiguration::from_xml_set_with_messages`) with an
//! ignore list, then every lookup the rewriter makes.
//!
//! Invariants: the build keeps exactly the parsed points the ignore list
//! does not match, counts the file invalid exactly when the parser failed,
//! and every kept point is found again by the pre-filter and `find_point`.

use NewRelicProfiler::config::ignore::{IgnoreList, IgnoreRule};
use NewRelicProfiler::config::instrumentation::parse::parse_points;
use NewRelicProfiler::config::instrumentation::{
    AssemblyVersion, InstrumentationConfiguration, InstrumentationPoint, MethodIdentity, XmlSet,
};
use NewRelicProfiler::system::decode_utf8_text;

/// The file name the document is built under (not a deprecated one).
pub const FILE: &str = "/agent/extensions/Fuzz.Instrumentation.xml";

pub fn run(data: &[u8]) {
    let text = decode_utf8_text(data);
    let (points, result, _messages) = parse_points(&text);

    // Ignore the first point's whole assembly and the second point's class,
    // so both rule shapes are exercised on names the document really has.
    let mut rules = Vec::new();
    if let Some(first) = points.first() {
        rules.push(IgnoreRule::assembly(first.assembly_name.clone()));
    }
    if let Some(second) = points.get(1) {
        rules.push(IgnoreRule::class(
            second.assembly_name.clone(),
            second.class_name.clone(),
        ));
    }
    let ignore = IgnoreList::new(rules);

    let mut set = XmlSet::new();
    set.insert(FILE.to_string(), text);
    let (configuration, _) =
        InstrumentationConfiguration::from_xml_set_with_messages(&set, &ignore);

    let kept: Vec<&InstrumentationPoint> = points
        .iter()
        .filter(|p| !ignore.matches(&p.assembly_name, &p.class_name))
        .collect();
    assert_eq!(
        configuration.len(),
        kept.len(),
        "points kept after ignoring"
    );
    assert_eq!(
        configuration.invalid_file_count(),
        usize::from(result.is_err()),
        "invalid file count"
    );
    for (built, parsed) in configuration.points().iter().zip(&kept) {
        assert_eq!(built.as_ref(), *parsed, "build order is document order");
    }
    check_lookups(&configuration);
}

/// Every point is reachable through the rewriter's lookups: the pre-filter
/// admits its names, the assembly index lists it, and `find_point` with its
/// own identity at a version it accepts returns a point with the same key
/// that accepts that version too.
pub fn check_lookups(configuration: &InstrumentationConfiguration) {
    for point in configuration.points() {
        assert!(configuration.passes_prefilter(
            &point.assembly_name,
            &point.method_name,
            &point.class_name
        ));
        assert!(configuration
            .points_for_assembly(&point.assembly_name)
            .any(|p| std::sync::Arc::ptr_eq(p, point)));
        let version = point.min_version.unwrap_or_default();
        if point.check_version(version).is_err() {
            continue;
        }
        // For an all-overloads point, look up with parameters no point has.
        let parameters = point
            .parameters
            .clone()
            .unwrap_or_else(|| "\u{1}no such parameters\u{1}".to_string());
        let identity = MethodIdentity {
            assembly: &point.assembly_name,
            type_name: &point.class_name,
            method: &point.method_name,
            parameters: &parameters,
        };
        let (found, _) = configuration.find_point_with_messages(&identity, version);
        let found = found.unwrap_or_else(|| panic!("{point} not found at {version}"));
        assert!(found.check_version(version).is_ok());
        if point.parameters.is_some() {
            assert_eq!(found.match_key(), point.match_key());
        }
    }
    let nothing = MethodIdentity {
        assembly: "",
        type_name: "",
        method: "",
        parameters: "",
    };
    let _ = configuration.find_point_with_messages(&nothing, AssemblyVersion::default());
}
